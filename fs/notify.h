/*
 * Kernel cache invalidation. The cache reports changes from its refresher
 * thread and from saving threads; notify copies them into a queue and its own thread tells the
 * kernel (fuse_lowlevel_notify_inval_inode / _entry), only for nodes the kernel knows, and never
 * from inside a request handler (that deadlocks).
 */
#ifndef IAMFS_FS_NOTIFY_H
#define IAMFS_FS_NOTIFY_H

#include <pthread.h>

#include "cache/cache.h"
#include "fs/inode.h"

struct fuse_session;
struct notify;

#define NOTIFY_PLAN_MAX 4

/* One kernel invalidation: an entry (name in folder ino) or an inode (attributes,
 * pages, listing). */
struct notify_action {
	bool entry;
	uint64_t ino;
	char name[INODE_NAME_MAX + 1]; /* entry only */
};

/* The invalidations one change needs, in order, for nodes the kernel knows. Pure
 * over the inode table (no FUSE calls). Returns how many were written to out. */
size_t notify_plan(struct inode_table *t, const struct cache_change *ch,
		   struct notify_action out[NOTIFY_PLAN_MAX]);

/* Starts the notify thread. se and t are borrowed and must outlive it.
 * Free with notify_stop (NULL-safe), which sends what is queued first. */
int notify_start(struct fuse_session *se, struct inode_table *t, struct notify **out);
void notify_stop(struct notify *n);
/* Queues one change (copied). Thread-safe; never blocks on the kernel. The
 * signature matches struct cache_options.on_change (ctx: the struct notify). */
void notify_on_change(void *ctx, const struct cache_change *ch);
/* Holds back what the calling thread reports (cache changes of a save, which the
 * cache reports from the saving thread) until notify_capture_end queues it: a
 * request's invalidations must reach the kernel only after its reply (before the
 * reply to a rename they deadlock on the folder lock). A recorded refusal is the
 * exception: it is sent at once, so the save's reply finds .iamfs/errors and
 * rejected/ already current. c is the caller's. */
struct notify_item;
struct notify_capture {
	pthread_t thread;
	struct notify_item *head, *tail;
	struct notify_capture *next;
};
void notify_capture_begin(struct notify *n, struct notify_capture *c);
void notify_capture_end(struct notify *n, struct notify_capture *c);
/* Queues one invalidation as it is (an entry or an inode). Thread-safe. */
void notify_queue_action(struct notify *n, const struct notify_action *a);

/* Waits until every change queued so far has been sent, at most timeout_ms.
 * Returns 0, or -ETIMEDOUT. */
int notify_flush(struct notify *n, long timeout_ms);

#endif
