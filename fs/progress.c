/*
 * The load's progress line on a terminal (progress.h). Each draw is one write:
 * "\r", erase to the end of the line, then the text, never a newline, so the
 * line is replaced in place and progress_end leaves the terminal as it was.
 */
#include "fs/progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PROGRESS_EVERY_MS 100
#define PROGRESS_ERASE	  "\r\033[K"

static long long progress_ms_since(const struct timespec *from, const struct timespec *to)
{
	return (long long)(to->tv_sec - from->tv_sec) * 1000 +
	       (to->tv_nsec - from->tv_nsec) / 1000000;
}

static void progress_write(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a progress line is not worth an error */
		s += w;
		n -= (size_t)w;
	}
}

void progress_init(struct progress *p, int fd)
{
	memset(p, 0, sizeof(*p));
	p->fd = isatty(fd) ? fd : -1;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	__atomic_store_n(&p->active, p->fd >= 0, __ATOMIC_RELEASE);
}

size_t progress_format(const struct load_progress *lp, long long elapsed_ms, unsigned width,
		       char *out, size_t cap)
{
	int n;
	size_t len;

	if (!cap)
		return 0;
	n = snprintf(out, cap, "iamfs: loading the account: %zu roles, %zu pages, %lld.%llds (%s)",
		     lp->roles, lp->pages, elapsed_ms / 1000, elapsed_ms % 1000 / 100,
		     lp->stage ? lp->stage : "starting");
	len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	/* One column short of the width: a full line would wrap on some terminals. */
	if (width > 1 && len > width - 1)
		len = width - 1;
	out[len] = '\0';
	return len;
}

void progress_on_load(void *ctx, const struct load_progress *lp)
{
	struct progress *p = ctx;
	char line[sizeof(PROGRESS_ERASE) + PROGRESS_LINE_MAX];
	struct winsize ws = {0};
	struct timespec now;
	size_t n;

	if (!p || !__atomic_load_n(&p->active, __ATOMIC_ACQUIRE))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->drawn && lp->stage && p->stage && !strcmp(lp->stage, p->stage) &&
	    progress_ms_since(&p->last, &now) < PROGRESS_EVERY_MS)
		return;
	if (ioctl(p->fd, TIOCGWINSZ, &ws))
		ws.ws_col = 0;
	memcpy(line, PROGRESS_ERASE, sizeof(PROGRESS_ERASE) - 1);
	n = sizeof(PROGRESS_ERASE) - 1;
	n += progress_format(lp, progress_ms_since(&p->start, &now), ws.ws_col, line + n,
			     sizeof(line) - n);
	progress_write(p->fd, line, n);
	p->drawn = true;
	p->last = now;
	p->stage = lp->stage;
}

void progress_end(struct progress *p)
{
	if (!__atomic_exchange_n(&p->active, false, __ATOMIC_ACQ_REL))
		return;
	if (p->drawn)
		progress_write(p->fd, PROGRESS_ERASE, sizeof(PROGRESS_ERASE) - 1);
	p->drawn = false;
}
