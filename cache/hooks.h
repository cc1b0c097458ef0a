/*
 * The embedder's clock and log, as the cache and saving both call them: a clock
 * that falls back to time() and a printf-style log that does nothing when the
 * embedder gave none. Logging is the embedder's (only fs logs): the cache hands
 * it whole sentences and never writes to a log itself.
 */
#ifndef IAMFS_CACHE_HOOKS_H
#define IAMFS_CACHE_HOOKS_H

#define HOOKS_MSG_MAX 2304 /* one message; a refused save's line quotes IAM's whole */

/* Copied from cache_options; every member may be NULL. */
struct hooks {
	long long (*now)(void *ctx); /* unix seconds */
	void *now_ctx;
	void (*log)(void *ctx, int priority, const char *msg);
	void *log_ctx;
};

/* Unix seconds: the embedder's clock, else time(). */
long long hooks_now(const struct hooks *h);
/* Formats one message (cut to HOOKS_MSG_MAX) and hands it to the embedder's log. */
void hooks_log(const struct hooks *h, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
