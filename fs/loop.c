/*
 * The dispatch loop (loop.h). The device is made non-blocking so a read
 * answers EAGAIN when no request is queued; the loop then reads again until
 * spin_us have passed since the last request, and only then sleeps in poll.
 */
#include "fs/loop.h"

#include <errno.h>
#include <linux/fuse.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fs/log.h"

/* The limits written to /dev/cpu_dma_latency, in microseconds, as the binary
 * 32-bit value the device takes. 0: an idle CPU polls (the cpuidle governors
 * pick no state with an exit latency). LOOP_LATENCY_FREE is the kernel's own
 * default (PM_QOS_CPU_LATENCY_DEFAULT_VALUE): no limit. */
#define LOOP_LATENCY_HOLD 0
#define LOOP_LATENCY_FREE 2000000000

static __thread bool loop_dispatching;

bool loop_on_dispatch(void)
{
	return loop_dispatching;
}

int loop_latency_open(struct loop_latency *l)
{
	l->held = false;
	l->fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	return l->fd < 0 ? -errno : 0;
}

/* Sets the limit; held follows only a write the device took. */
static void loop_latency_set(struct loop_latency *l, bool hold)
{
	int32_t v = hold ? LOOP_LATENCY_HOLD : LOOP_LATENCY_FREE;

	if (l->fd < 0 || l->held == hold || write(l->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return;
	l->held = hold;
	log_msg(LOG_DEBUG,
		hold ? "cpu latency: held at 0 (a burst of requests)" : "cpu latency: let go");
}

void loop_latency_request(struct loop_latency *l, bool burst)
{
	if (burst)
		loop_latency_set(l, true);
}

void loop_latency_sleep(struct loop_latency *l)
{
	loop_latency_set(l, false);
}

void loop_latency_close(struct loop_latency *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->held = false;
}

bool loop_sender_waits(const struct fuse_buf *buf)
{
	uint32_t op;

	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(struct fuse_in_header))
		return true;
	op = ((const struct fuse_in_header *)buf->mem)->opcode;
	return op != FUSE_FORGET && op != FUSE_BATCH_FORGET && op != FUSE_INTERRUPT &&
	       op != FUSE_RELEASE && op != FUSE_RELEASEDIR;
}

static long long loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits until a request is queued: at once when still inside the spin window
 * (the caller reads again), else in poll, after letting the latency limit go;
 * *slept tells which. Returns false when the session ended. */
static bool loop_wait(struct fuse_session *se, int fd, long long last, unsigned spin_us,
		      struct loop_latency *lat, bool *slept)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (loop_now_us() - last < (long long)spin_us)
		return true;
	*slept = true;
	if (lat)
		loop_latency_sleep(lat);
	while (!fuse_session_exited(se)) {
		if (poll(&p, 1, -1) >= 0 || errno != EINTR)
			return true;
	}
	return false;
}

int loop_serve(struct fuse_session *se, unsigned spin_us, struct loop_latency *lat)
{
	struct fuse_buf buf = {.mem = NULL};
	int fd = fuse_session_fd(se), flags = fcntl(fd, F_GETFL);
	long long last = 0;
	bool slept = true, burst; /* the first request starts a burst, it is not in one */
	int res = 0;

	if (spin_us && (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0))
		spin_us = 0;
	if (!spin_us)
		lat = NULL; /* every request then comes to a sleeping loop: no burst is seen */
	loop_dispatching = true;
	while (!fuse_session_exited(se)) {
		res = fuse_session_receive_buf(se, &buf);
		if (res == -EAGAIN) {
			if (!loop_wait(se, fd, last, spin_us, lat, &slept))
				break;
			continue;
		}
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break;
		burst = !slept && loop_sender_waits(&buf);
		slept = false;
		fuse_session_process_buf(se, &buf);
		/* After the answer, so the change does not delay it. */
		if (lat)
			loop_latency_request(lat, burst);
		last = loop_now_us();
	}
	if (lat)
		loop_latency_sleep(lat);
	loop_dispatching = false;
	free(buf.mem);
	if (res > 0 || res == -EAGAIN)
		res = 0;
	return res;
}
