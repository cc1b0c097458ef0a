/*
 * The embedder's clock and log (hooks.h): the only place the cache reads the
 * time of day or formats a log message.
 */
#include "cache/hooks.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

long long hooks_now(const struct hooks *h)
{
	return h->now ? h->now(h->now_ctx) : (long long)time(NULL);
}

void hooks_log(const struct hooks *h, int priority, const char *fmt, ...)
{
	char msg[HOOKS_MSG_MAX];
	va_list ap;

	if (!h->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->log(h->log_ctx, priority, msg);
}
