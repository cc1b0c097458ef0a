/*
 * The invalidation queue and its thread. A change names a role, a kind and a
 * policy; the thread maps it to inode numbers through the inode table and asks
 * the kernel to drop entries, attributes and pages. Kernel answers such as
 * ENOENT (nothing cached) are expected and ignored.
 */
#include "fs/notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "fs/log.h"

#define NOTIFY_QUEUE_MAX 100000

struct notify_item {
	bool raw; /* act below, not a cache change */
	struct notify_action act;
	int what;
	enum cache_file_kind kind;
	char *role;
	char *name; /* NULL unless INLINE/ATTACHED, or REJECTED with a kept file */
	struct notify_item *next;
};

struct notify {
	struct fuse_session *se;
	struct inode_table *t;
	pthread_mutex_t lock;
	pthread_cond_t cond;	  /* work queued, or stopping */
	pthread_cond_t idle_cond; /* queue drained */
	struct notify_item *head, *tail;
	struct notify_capture *captures; /* threads holding back their changes */
	size_t queued;
	bool busy, stopping;
	unsigned long long pushed, done;
	pthread_t thread;
};

static void notify_item_free(struct notify_item *it)
{
	if (!it)
		return;
	free(it->role);
	free(it->name);
	free(it);
}

/* Entry name (with ".json" for policies) into buf, and the folder node that holds
 * it, for a file change; NULL when the kernel cannot have it cached. */
static const struct inode_node *notify_file_dir(struct inode_table *t,
						const struct cache_change *ch,
						const struct inode_node *role, char *buf,
						size_t cap)
{
	enum layout_entry e = layout_of_file(ch->kind);
	const struct layout_row *l = layout_row(e);

	if (!l->name && !ch->name)
		return NULL;
	layout_entry_name(e, ch->name, buf, cap);
	if (l->parent == LAYOUT_ROLE_DIR)
		return role;
	return inode_table_find(t, role->ino, layout_row((enum layout_entry)l->parent)->name);
}

static size_t notify_add(struct notify_action *out, size_t n, bool entry, uint64_t ino,
			 const char *name)
{
	out[n].entry = entry;
	out[n].ino = ino;
	snprintf(out[n].name, sizeof(out[n].name), "%s", entry ? name : "");
	return n + 1;
}

/* A name's entry in dir and dir's listing, when the kernel knows dir. */
static size_t notify_plan_entry(struct inode_table *t, const struct inode_node *dir,
				const char *name, struct notify_action *out, size_t n)
{
	if (!dir || !inode_table_known(t, dir))
		return n;
	n = notify_add(out, n, true, dir->ino, name);
	return notify_add(out, n, false, dir->ino, NULL);
}

/* A recorded refusal: the errors file's size and pages, the kept file's (maybe
 * negative) entry and rejected/'s listing, the kernel caching both for --ttl. */
static size_t notify_plan_rejected(struct inode_table *t, const struct cache_change *ch,
				   struct notify_action *out)
{
	const struct inode_node *ctl = inode_table_find(t, INODE_ROOT_INO, ".iamfs");
	const struct inode_node *errors, *rejected;
	size_t n = 0;

	if (!ctl)
		return 0;
	errors = inode_table_find(t, ctl->ino, "errors");
	if (errors && inode_table_known(t, errors))
		n = notify_add(out, n, false, errors->ino, NULL);
	rejected = inode_table_find(t, ctl->ino, "rejected");
	if (ch->name)
		n = notify_plan_entry(t, rejected, ch->name, out, n);
	return n;
}

/* A removal may have kept a file under .iamfs/removed/: its listing. */
static size_t notify_plan_removed(struct inode_table *t, struct notify_action *out, size_t n)
{
	const struct inode_node *ctl = inode_table_find(t, INODE_ROOT_INO, ".iamfs");
	const struct inode_node *removed = ctl ? inode_table_find(t, ctl->ino, "removed") : NULL;

	if (removed && inode_table_known(t, removed))
		n = notify_add(out, n, false, removed->ino, NULL);
	return n;
}

size_t notify_plan(struct inode_table *t, const struct cache_change *ch,
		   struct notify_action out[NOTIFY_PLAN_MAX])
{
	const struct inode_node *role, *dir, *file;
	char entry[INODE_NAME_MAX + 1];
	size_t n = 0;

	if (ch->what == CACHE_CHANGE_REJECTED)
		return notify_plan_rejected(t, ch, out);
	if (!ch->role)
		return 0;
	if (ch->what == CACHE_CHANGE_ROLE_ADDED || ch->what == CACHE_CHANGE_ROLE_REMOVED) {
		/* Also drops a negative entry the kernel may hold for the name. */
		n = notify_plan_entry(t, inode_table_get(t, INODE_ROOT_INO), ch->role, out, 0);
		return ch->what == CACHE_CHANGE_ROLE_REMOVED ? notify_plan_removed(t, out, n) : n;
	}
	role = inode_table_find(t, INODE_ROOT_INO, ch->role);
	dir = role ? notify_file_dir(t, ch, role, entry, sizeof(entry)) : NULL;
	if (!dir)
		return 0;
	file = inode_table_find(t, dir->ino, entry);
	if (ch->what != CACHE_CHANGE_FILE_ADDED && file && inode_table_known(t, file))
		n = notify_add(out, n, false, file->ino, NULL);
	if (ch->what != CACHE_CHANGE_FILE_CHANGED && dir != role)
		n = notify_plan_entry(t, dir, entry, out, n);
	if (ch->what == CACHE_CHANGE_FILE_REMOVED)
		n = notify_plan_removed(t, out, n);
	return n;
}

static void notify_send(struct notify *n, const struct notify_item *it)
{
	struct cache_change ch = {
		.what = it->what, .role = it->role, .kind = it->kind, .name = it->name};
	struct notify_action acts[NOTIFY_PLAN_MAX];
	size_t k;

	if (it->raw) {
		acts[0] = it->act;
		k = 1;
	} else {
		k = notify_plan(n->t, &ch, acts);
	}

	for (size_t i = 0; i < k; i++) {
		if (acts[i].entry)
			fuse_lowlevel_notify_inval_entry(n->se, acts[i].ino, acts[i].name,
							 strlen(acts[i].name));
		else
			fuse_lowlevel_notify_inval_inode(n->se, acts[i].ino, 0, 0);
	}
}

static void *notify_main(void *arg)
{
	struct notify *n = arg;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		struct notify_item *it;

		while (!n->head && !n->stopping)
			pthread_cond_wait(&n->cond, &n->lock);
		it = n->head;
		if (!it)
			break;
		n->head = it->next;
		if (!n->head)
			n->tail = NULL;
		n->queued--;
		n->busy = true;
		pthread_mutex_unlock(&n->lock);
		notify_send(n, it);
		notify_item_free(it);
		pthread_mutex_lock(&n->lock);
		n->busy = false;
		n->done++;
		pthread_cond_broadcast(&n->idle_cond);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

int notify_start(struct fuse_session *se, struct inode_table *t, struct notify **out)
{
	struct notify *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->se = se;
	n->t = t;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_cond_init(&n->idle_cond, NULL);
	if (pthread_create(&n->thread, NULL, notify_main, n)) {
		pthread_cond_destroy(&n->idle_cond);
		pthread_cond_destroy(&n->cond);
		pthread_mutex_destroy(&n->lock);
		free(n);
		return -EAGAIN;
	}
	*out = n;
	return 0;
}

void notify_stop(struct notify *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	while (n->head) {
		struct notify_item *it = n->head;

		n->head = it->next;
		notify_item_free(it);
	}
	pthread_cond_destroy(&n->idle_cond);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

/* Appends a chain of items to the queue (taking them). Under n->lock. */
static void notify_push_locked(struct notify *n, struct notify_item *it)
{
	while (it) {
		struct notify_item *next = it->next;

		it->next = NULL;
		if (n->stopping || n->queued >= NOTIFY_QUEUE_MAX) {
			notify_item_free(it);
			log_msg(LOG_WARNING, "could not queue a kernel cache invalidation");
		} else {
			if (n->tail)
				n->tail->next = it;
			else
				n->head = it;
			n->tail = it;
			n->queued++;
			n->pushed++;
		}
		it = next;
	}
	pthread_cond_signal(&n->cond);
}

static struct notify_capture *notify_capture_of(struct notify *n, pthread_t self)
{
	for (struct notify_capture *c = n->captures; c; c = c->next) {
		if (pthread_equal(c->thread, self))
			return c;
	}
	return NULL;
}

/* Queues it, or holds it back when this thread captures. Takes it. A refusal
 * recorded by a capturing (saving) thread is sent at once instead, before the save
 * replies, so a listing right after the close shows it: it touches only .iamfs
 * nodes, whose locks no save's request holds. */
static void notify_push(struct notify *n, struct notify_item *it)
{
	struct notify_capture *c;

	pthread_mutex_lock(&n->lock);
	c = notify_capture_of(n, pthread_self());
	if (c && !it->raw && it->what == CACHE_CHANGE_REJECTED) {
		pthread_mutex_unlock(&n->lock);
		notify_send(n, it);
		notify_item_free(it);
		return;
	}
	if (c) {
		if (c->tail)
			c->tail->next = it;
		else
			c->head = it;
		c->tail = it;
	} else {
		notify_push_locked(n, it);
	}
	pthread_mutex_unlock(&n->lock);
}

void notify_on_change(void *ctx, const struct cache_change *ch)
{
	struct notify *n = ctx;
	struct notify_item *it;

	if (!n || !ch || (!ch->role && ch->what != CACHE_CHANGE_REJECTED))
		return;
	it = calloc(1, sizeof(*it));
	if (!it)
		goto fail;
	it->what = ch->what;
	it->kind = ch->kind;
	it->role = ch->role ? strdup(ch->role) : NULL;
	it->name = ch->name ? strdup(ch->name) : NULL;
	if ((ch->role && !it->role) || (ch->name && !it->name))
		goto fail;
	notify_push(n, it);
	return;
fail:
	notify_item_free(it);
	log_msg(LOG_WARNING, "could not queue a kernel cache invalidation for role %s", ch->role);
}

void notify_queue_action(struct notify *n, const struct notify_action *a)
{
	struct notify_item *it;

	if (!n)
		return;
	it = calloc(1, sizeof(*it));
	if (!it) {
		log_msg(LOG_WARNING, "could not queue a kernel cache invalidation");
		return;
	}
	it->raw = true;
	it->act = *a;
	pthread_mutex_lock(&n->lock);
	notify_push_locked(n, it);
	pthread_mutex_unlock(&n->lock);
}

void notify_capture_begin(struct notify *n, struct notify_capture *c)
{
	memset(c, 0, sizeof(*c));
	if (!n)
		return;
	c->thread = pthread_self();
	pthread_mutex_lock(&n->lock);
	c->next = n->captures;
	n->captures = c;
	pthread_mutex_unlock(&n->lock);
}

void notify_capture_end(struct notify *n, struct notify_capture *c)
{
	struct notify_capture **pp;

	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	for (pp = &n->captures; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->head)
		notify_push_locked(n, c->head);
	c->head = c->tail = NULL;
	pthread_mutex_unlock(&n->lock);
}

int notify_flush(struct notify *n, long timeout_ms)
{
	struct timespec dl;
	unsigned long long target;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&n->lock);
	target = n->pushed;
	while (n->done < target && !n->stopping && !r)
		r = pthread_cond_timedwait(&n->idle_cond, &n->lock, &dl);
	pthread_mutex_unlock(&n->lock);
	return r ? -ETIMEDOUT : 0;
}
