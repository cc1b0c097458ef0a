/*
 * The dispatch thread's loop: libfuse's single-threaded session loop, except
 * that after each request it keeps asking /dev/fuse for the next one for a
 * short while before it sleeps. A sequential reader (grep, cat, git) sends its
 * next request a few microseconds after the answer; a sleeping dispatch
 * thread must first be woken, which on an idle machine (a halted virtual CPU,
 * a deep C-state) costs more than the request itself.
 *
 * The reader has the same cost on its side: while it waits for an answer its
 * own CPU goes idle, and the answer must wake it. So while requests come in a
 * burst the loop also asks the kernel, through the CPU latency limit of PM QoS
 * (/dev/cpu_dma_latency), that idle CPUs poll rather than halt, and lets the
 * limit go when it sleeps.
 */
#ifndef IAMFS_FS_LOOP_H
#define IAMFS_FS_LOOP_H

#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>
#include <stdbool.h>

/* Microseconds the loop keeps asking after a request before it sleeps. */
#define LOOP_SPIN_US 200

/* The loop's CPU latency request, owned by the caller of loop_serve (it opens
 * and closes it) and used by the dispatch thread alone. fd is an open
 * /dev/cpu_dma_latency (each open is one request; closing it, or the process
 * ending, withdraws it), or -1: the loop asks nothing. held: this request
 * asks for 0 now (the system's limit is the lowest of every request). */
struct loop_latency {
	int fd;
	bool held;
};

/* Opens the device for l (l->held false). 0, or -errno (l->fd stays -1): the
 * device is root's alone unless a udev rule shares it. */
int loop_latency_open(struct loop_latency *l);
/* A request was answered. burst: it is one its sender waits for, and it came
 * while the loop was still asking after the previous one (the loop did not
 * sleep), so the sender is waiting on answers one after another: the limit is
 * held at 0 until the loop next sleeps. Otherwise nothing is asked: a change
 * of the system's limit wakes every idle CPU once. */
void loop_latency_request(struct loop_latency *l, bool burst);
/* The loop is about to sleep: lets the limit go. */
void loop_latency_sleep(struct loop_latency *l);
/* Withdraws the request and closes the device. */
void loop_latency_close(struct loop_latency *l);
/* Whether the sender of the request in buf (as fuse_session_receive_buf read
 * it) waits for its answer: not for the requests the kernel sends and forgets
 * (FORGET, BATCH_FORGET, INTERRUPT) or sends in the background after a close
 * (RELEASE, RELEASEDIR). A request left in a pipe (a large WRITE, spliced) is
 * one a writer waits for. */
bool loop_sender_waits(const struct fuse_buf *buf);

/* Serves se until it exits (unmount, signal). spin_us 0: sleep at once, as
 * fuse_session_loop does. lat: the CPU latency request to hold during bursts,
 * or NULL. 0, or -errno when reading the device failed. */
int loop_serve(struct fuse_session *se, unsigned spin_us, struct loop_latency *lat);
/* True on the thread inside loop_serve: the one the kernel's requests wait on,
 * which must never wait on the kernel's page locks. */
bool loop_on_dispatch(void);

#endif
