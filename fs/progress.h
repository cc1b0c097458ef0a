/*
 * The one-line progress of the load iamfs makes before it detaches (a cold
 * mount of a large account takes seconds): roles loaded so far, GAAD pages,
 * seconds elapsed and the chain in flight, redrawn in place on a terminal and
 * erased when the mount is ready or has failed. Nothing is written when the
 * descriptor is not a terminal. Later loads (revalidations) draw nothing: they
 * show on the "loading:" line of .iamfs/status instead.
 */
#ifndef IAMFS_FS_PROGRESS_H
#define IAMFS_FS_PROGRESS_H

#include <stdbool.h>
#include <time.h>

#include "cache/cache.h"

#define PROGRESS_LINE_MAX 160

struct progress {
	int fd;		       /* the terminal; -1: draw nothing */
	bool active;	       /* atomic: cleared for good by progress_end */
	bool drawn;	       /* the line holds something to erase */
	struct timespec start; /* CLOCK_MONOTONIC at progress_init */
	struct timespec last;  /* of the last draw */
	const char *stage;     /* of the last draw (static text) */
};

/* Sets p up to draw on fd when fd is a terminal. p is the caller's and must outlive
 * the cache it is given to (cache_options.progress_ctx keeps pointing at it). */
void progress_init(struct progress *p, int fd);
/* cache_options.progress (ctx is a struct progress): redraws the line, at most
 * every 100 ms unless the chain changed, while p is active. */
void progress_on_load(void *ctx, const struct load_progress *lp);
/* Erases the line and stops drawing for good. */
void progress_end(struct progress *p);
/* Pure: the line for lp after elapsed_ms, cut to width columns (0: no limit) and
 * to cap bytes. Returns its length. */
size_t progress_format(const struct load_progress *lp, long long elapsed_ms, unsigned width,
		       char *out, size_t cap);

#endif
