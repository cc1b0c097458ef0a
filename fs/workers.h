/*
 * A small pool of worker threads for requests that wait on the network (a
 * cold AWS managed document, a refresh), so the FUSE dispatch thread never
 * blocks. Jobs run in submission order across the threads; a job owns its
 * argument and replies to its FUSE request itself.
 */
#ifndef IAMFS_FS_WORKERS_H
#define IAMFS_FS_WORKERS_H

#include <stddef.h>

#define WORKERS_QUEUE_MAX 4096

struct workers;

/* Starts nthreads threads. Free with workers_stop (NULL-safe), which runs the
 * jobs already queued, then joins every thread. */
int workers_start(size_t nthreads, struct workers **out);
void workers_stop(struct workers *w);
/* Queues fn(arg). -EAGAIN when WORKERS_QUEUE_MAX jobs are waiting, -ESHUTDOWN
 * after workers_stop began; on failure the caller still owns arg. */
int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg);

#endif
