/*
 * The dispatch loop (loop.h). The device is made non-blocking so a read
 * answers EAGAIN when no request is queued; the loop then reads again until
 * spin_us have passed since the last request, and only then sleeps in poll.
 */
#include "fs/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

static __thread bool loop_dispatching;

bool loop_on_dispatch(void)
{
	return loop_dispatching;
}

static long long loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits until a request is queued: at once when still inside the spin window
 * (the caller reads again), else in poll. Returns false when the session ended. */
static bool loop_wait(struct fuse_session *se, int fd, long long last, unsigned spin_us)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (loop_now_us() - last < (long long)spin_us)
		return true;
	while (!fuse_session_exited(se)) {
		if (poll(&p, 1, -1) >= 0 || errno != EINTR)
			return true;
	}
	return false;
}

int loop_serve(struct fuse_session *se, unsigned spin_us)
{
	struct fuse_buf buf = {.mem = NULL};
	int fd = fuse_session_fd(se), flags = fcntl(fd, F_GETFL);
	long long last = 0;
	int res = 0;

	if (spin_us && (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0))
		spin_us = 0;
	loop_dispatching = true;
	while (!fuse_session_exited(se)) {
		res = fuse_session_receive_buf(se, &buf);
		if (res == -EAGAIN) {
			if (!loop_wait(se, fd, last, spin_us))
				break;
			continue;
		}
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break;
		fuse_session_process_buf(se, &buf);
		last = loop_now_us();
	}
	loop_dispatching = false;
	free(buf.mem);
	if (res > 0 || res == -EAGAIN)
		res = 0;
	return res;
}
