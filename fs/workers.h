/*
 * A small pool of worker threads for requests that wait on the network (a
 * cold AWS managed document, a refresh), so the FUSE dispatch thread never
 * blocks, and the savers' pool. Jobs run in submission order across the
 * threads; a job owns its argument and replies to its FUSE request itself
 * (workers_hand: with the errno when it never runs).
 */
#ifndef IAMFS_FS_WORKERS_H
#define IAMFS_FS_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#define WORKERS_QUEUE_MAX 4096

struct workers;

/* Starts nthreads threads. Free with workers_stop (NULL-safe), which runs the
 * jobs already queued, then joins every thread. */
int workers_start(size_t nthreads, struct workers **out);
void workers_stop(struct workers *w);
/* Queues fn(arg). -EAGAIN when WORKERS_QUEUE_MAX jobs are waiting, -ESHUTDOWN
 * after workers_stop began; on failure the caller still owns arg. */
int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg);
/* The one way fs hands a request to a worker: queues run(job), which replies to
 * req and frees job. When job is NULL (its allocation failed) or cannot be
 * queued, replies to req with the errno instead and drops job with drop (NULL:
 * free). Returns 0 when queued, else the -errno replied. */
int workers_hand(struct workers *w, fuse_req_t req, void (*run)(void *job), void *job,
		 void (*drop)(void *job));

/* True when no job is queued or running (NULL: true). */
bool workers_idle(struct workers *w);

#endif
