/*
 * The dispatch thread's loop: libfuse's single-threaded session loop, except
 * that after each request it keeps asking /dev/fuse for the next one for a
 * short while before it sleeps. A sequential reader (grep, cat, git) sends its
 * next request a few microseconds after the answer; a sleeping dispatch
 * thread must first be woken, which on an idle machine (a halted virtual CPU,
 * a deep C-state) costs more than the request itself.
 */
#ifndef IAMFS_FS_LOOP_H
#define IAMFS_FS_LOOP_H

#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>
#include <stdbool.h>

/* Microseconds the loop keeps asking after a request before it sleeps. */
#define LOOP_SPIN_US 200

/* Serves se until it exits (unmount, signal). spin_us 0: sleep at once, as
 * fuse_session_loop does. 0, or -errno when reading the device failed. */
int loop_serve(struct fuse_session *se, unsigned spin_us);
/* True on the thread inside loop_serve: the one the kernel's requests wait on,
 * which must never wait on the kernel's page locks. */
bool loop_on_dispatch(void);

#endif
