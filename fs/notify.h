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

#define NOTIFY_PLAN_MAX	  4
#define NOTIFY_STORES_MAX 1024 /* bytes held for first opens (notify_queue_store) */

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

/* Holds doc's bytes for node, a policy file the kernel was just told of (in a
 * listing or a lookup) and holds no pages of (inode_table_promise recorded
 * doc->gen), for its first open: notify_claim_store then stores them in the
 * kernel's page cache before that open is answered, so its reads need no READ
 * (and, on a read-write mount, the kernel keeps the file's atime, so the next
 * stat needs no GETATTR). The newest NOTIFY_STORES_MAX are held; older ones are
 * dropped (their first read asks for the bytes). Takes doc's reference.
 * Thread-safe; never blocks on the kernel. */
void notify_queue_store(struct notify *n, struct inode_node *node, struct cache_doc *doc);
/* For the first open of node whose bytes are held: queues their store first
 * and has the notify thread call then(ctx) once it is sent (or dropped: then is
 * called in any case), to answer the open. The store is sent only while the
 * node's recorded generation is still the held one (an open for writing or a
 * save resets it). 0, or -ENOENT when nothing is held for node (the caller
 * answers itself). then must not block on the kernel. */
int notify_claim_store(struct notify *n, const struct inode_node *node, void (*then)(void *ctx),
		       void *ctx);

/* Waits until every change queued so far has been sent, at most timeout_ms.
 * Returns 0, or -ETIMEDOUT. */
int notify_flush(struct notify *n, long timeout_ms);

#endif
