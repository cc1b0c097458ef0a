/*
 * AWS managed policy documents fetched ahead of the first read, on a
 * single-account mount (cache_options.prefetch_managed). After a view is
 * published (the one cache_start serves, and each revalidation's), every AWS
 * managed ARN attached to a role of the view that is in neither the managed
 * table nor a fetch under way is queued, in the order of the roles that first
 * attach them (the order a walk of the tree needs them), and up to
 * PREFETCH_THREADS threads, each on its own connection (conn.c), fetch them
 * through managed_fetch: the same path as a read's, so a read of an ARN being
 * fetched waits for that fetch, and the document lands in the managed table
 * and the disk copy as a read's would. The threads end when the queue is
 * empty. A failure is recorded nowhere (not in the errors text): the batch
 * logs one line at most, and the read that needs the document fetches it
 * again and reports as it always did.
 */
#ifndef IAMFS_CACHE_PREFETCH_H
#define IAMFS_CACHE_PREFETCH_H

#include <stddef.h>

/* Fetches at once, each on its own connection: enough that the documents an
 * account usually attaches (tens) come in one or two rounds of two calls, few
 * enough that the burst stays a small part of what IAM lets an account ask.
 * Measured on 10 documents at 50 ms a request: 4 threads left the first
 * grep -r waiting 0.79 s, 16 threads 0.61 s (the 10 came in one round). */
#define PREFETCH_THREADS   16
#define PREFETCH_QUEUE_MAX 4096 /* ARNs queued at once; more wait for their read */

struct cache;

/* Queues the current view's missing AWS managed documents and starts threads
 * for them. Call without mu, after the view is published; does nothing unless
 * the option is on, the cache is started (threads only after the fork) and not
 * stopping. Never blocks on the network. */
void prefetch_kick(struct cache *c);
/* Under mu: the documents queued or being fetched (0 when no thread runs), for
 * the status line "prefetch: N AWS managed documents left". */
size_t prefetch_left(struct cache *c);
/* Joins every prefetch thread (c->stop is already set, so each ends after the
 * fetch it is in, bounded by the HTTP client's timeouts) and frees the state.
 * Call without mu, from cache_close. NULL-safe state. */
void prefetch_stop(struct cache *c);

#endif
