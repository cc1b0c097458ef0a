/*
 * Unit tests for the dispatch loop's CPU latency request (fs/loop.c), with a
 * pipe standing in for /dev/cpu_dma_latency: a lone request asks nothing, the
 * second request of a burst holds the limit at 0 once, the loop's sleep lets
 * it go once (the kernel's default, 2000000000), and a write the device
 * refuses leaves the state as it was. No fd: nothing is written. Which
 * requests count toward a burst: those their sender waits for.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fs/loop.h"

/* The values written to the pipe so far, in order; returns how many (at most max). */
static int drain(int fd, int32_t *out, int max)
{
	int n = 0;
	int32_t v;

	while (n < max && read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		out[n++] = v;
	return n;
}

static void test_bursts(void)
{
	struct loop_latency l = {.fd = -1};
	int p[2];
	int32_t got[8];

	CHECK(pipe2(p, O_NONBLOCK) == 0);
	l.fd = p[1];
	loop_latency_request(&l, false); /* a lone request: the loop had slept */
	CHECK_INT(drain(p[0], got, 8), 0);
	CHECK(!l.held);
	loop_latency_request(&l, true); /* the next one came while it still asked */
	loop_latency_request(&l, true);
	loop_latency_request(&l, true);
	CHECK_INT(drain(p[0], got, 8), 1);
	CHECK_INT(got[0], 0);
	CHECK(l.held);
	loop_latency_sleep(&l);
	loop_latency_sleep(&l);
	CHECK_INT(drain(p[0], got, 8), 1);
	CHECK_INT(got[0], 2000000000);
	CHECK(!l.held);
	/* A second burst holds again. */
	loop_latency_request(&l, false);
	loop_latency_request(&l, true);
	loop_latency_sleep(&l);
	CHECK_INT(drain(p[0], got, 8), 2);
	CHECK_INT(got[0], 0);
	CHECK_INT(got[1], 2000000000);
	loop_latency_close(&l);
	CHECK_INT(l.fd, -1);
	CHECK(!l.held);
	/* The write end is closed: the pipe reads its end. */
	CHECK_INT(read(p[0], got, sizeof(got)), 0);
	close(p[0]);
}

static void test_refused_and_absent(void)
{
	struct loop_latency l = {.fd = -1};
	int p[2];

	/* A device that refuses the write (here: an fd open for reading). */
	CHECK(pipe(p) == 0);
	l.fd = p[0];
	loop_latency_request(&l, true);
	CHECK(!l.held);
	loop_latency_close(&l);
	close(p[1]);
	/* No device: nothing happens and nothing fails. */
	loop_latency_request(&l, true);
	loop_latency_sleep(&l);
	CHECK(!l.held);
	CHECK_INT(l.fd, -1);
}

static bool waits(uint32_t opcode)
{
	struct fuse_in_header h = {.len = sizeof(h), .opcode = opcode, .unique = 2};
	struct fuse_buf b = {.size = sizeof(h), .mem = &h};

	return loop_sender_waits(&b);
}

static void test_sender_waits(void)
{
	struct fuse_in_header h = {.opcode = FUSE_RELEASE};
	struct fuse_buf b = {.size = 4, .mem = &h};

	CHECK(waits(FUSE_OPEN));
	CHECK(waits(FUSE_LOOKUP));
	CHECK(waits(FUSE_GETATTR));
	CHECK(waits(FUSE_READ));
	CHECK(waits(FUSE_FLUSH));
	CHECK(waits(FUSE_IOCTL));
	CHECK(!waits(FUSE_RELEASE));
	CHECK(!waits(FUSE_RELEASEDIR));
	CHECK(!waits(FUSE_FORGET));
	CHECK(!waits(FUSE_BATCH_FORGET));
	CHECK(!waits(FUSE_INTERRUPT));
	/* Too short to hold a header, or left in a pipe: counted as waited for. */
	CHECK(loop_sender_waits(&b));
	b.size = sizeof(h);
	b.flags = FUSE_BUF_IS_FD;
	b.mem = NULL;
	CHECK(loop_sender_waits(&b));
}

int main(void)
{
	test_bursts();
	test_refused_and_absent();
	test_sender_waits();
	return check_done("loop");
}
