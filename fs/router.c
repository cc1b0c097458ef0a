/*
 * Routing requests to accounts, opening accounts on a loader thread, the load
 * gate and the release of idle accounts (router.h).
 */
#include "fs/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/helper.h"
#include "fs/log.h"
#include "fs/notify.h"
#include "fs/workers.h"

/* A helper file's number lies inside its account's range. */
_Static_assert(HELPER_INO_RANGE == 1ull << ROUTER_RANGE_SHIFT, "one range width");

/* A request waiting for its account to open, with copies of what it names. */
struct router_job {
	struct account *a;
	fuse_req_t req;
	struct router_call c;
	struct router_again again;
	char *name, *name2, *data;
};

static long long router_now(void)
{
	return (long long)time(NULL);
}

bool router_read_only(const struct router *r)
{
	return r->multi ? r->root->read_only : r->single->read_only;
}

static struct account *router_account_of(struct router *r, uint64_t ino)
{
	uint64_t k = ino >> ROUTER_RANGE_SHIFT;

	return k >= 1 && k <= r->n ? r->accounts[k - 1] : NULL;
}

struct fs *router_fs_of(struct router *r, uint64_t ino)
{
	struct account *a;

	if (!r->multi)
		return r->single;
	a = router_account_of(r, ino);
	return a ? &a->fs : NULL;
}

static void router_job_free(void *arg)
{
	struct router_job *j = arg;

	free(j->name);
	free(j->name2);
	free(j->data);
	free(j);
}

static void router_job_run(void *arg)
{
	struct router_job *j = arg;
	int r = router_open_account(j->a);

	if (r)
		fuse_reply_err(j->req, -r);
	else
		j->again.run(j->req, &j->c);
	router_job_free(j);
}

static char *router_dup(const char *s, size_t n, bool *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = malloc(n + 1);
	if (!d) {
		*bad = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Hands the request to a loader thread, which opens a and runs it again. */
static void router_defer(struct router *r, struct account *a, fuse_req_t req,
			 const struct router_call *c, const struct router_again *again)
{
	struct router_job *j = calloc(1, sizeof(*j));
	bool bad = false;

	if (j) {
		j->a = a;
		j->req = req;
		j->c = *c;
		j->again = *again;
		j->name = router_dup(c->name, c->name ? strlen(c->name) : 0, &bad);
		j->name2 = router_dup(c->name2, c->name2 ? strlen(c->name2) : 0, &bad);
		j->data = router_dup(c->data, c->op == ROUTER_WRITE ? c->size : 0, &bad);
		j->c.name = j->name;
		j->c.name2 = j->name2;
		j->c.data = j->data;
		if (bad) {
			router_job_free(j);
			j = NULL;
		}
	}
	workers_hand(r->loaders, req, router_job_run, j, router_job_free);
}

/* A stat of an account's folder that opens nothing (its fixed links only). */
static void router_reply_folder(struct account *a, fuse_req_t req, fuse_ino_t ino)
{
	struct stat st;

	fs_stat_dir(&a->fs, ino, INODE_ROOT, &st);
	fuse_reply_attr(req, &st, a->fs.ttl);
}

struct fs *router_fs(struct router *r, fuse_req_t req, const struct router_call *c,
		     const struct router_again *again, bool *at_root)
{
	struct account *a;
	long long now;

	*at_root = false;
	if (!r->multi)
		return r->single;
	now = router_now();
	if (now != __atomic_load_n(&r->idle_checked, __ATOMIC_RELAXED) && c->op != ROUTER_OTHER &&
	    c->op != ROUTER_RELEASE)
		router_release_idle(r, now);
	if ((c->op == ROUTER_RENAME || c->op == ROUTER_LINK) &&
	    c->ino >> ROUTER_RANGE_SHIFT != c->ino2 >> ROUTER_RANGE_SHIFT) {
		fuse_reply_err(req, EXDEV);
		return NULL;
	}
	if (!(c->ino >> ROUTER_RANGE_SHIFT)) {
		*at_root = true;
		return NULL;
	}
	if (!(a = router_account_of(r, c->ino))) {
		fuse_reply_err(req, ENOENT);
		return NULL;
	}
	__atomic_store_n(&a->last_used, now, __ATOMIC_RELAXED);
	if (c->op == ROUTER_OTHER || c->op == ROUTER_RELEASE || c->op == ROUTER_STATFS ||
	    __atomic_load_n(&a->fs.cache, __ATOMIC_ACQUIRE))
		return &a->fs;
	if (c->op == ROUTER_GETATTR && c->ino == inode_table_root(a->fs.inodes)) {
		router_reply_folder(a, req, c->ino);
		return NULL;
	}
	router_defer(r, a, req, c, again);
	return NULL;
}

void router_gate(void *ctx, bool enter)
{
	struct router *r = ctx;

	pthread_mutex_lock(&r->gate_lock);
	if (enter) {
		while (r->gate_in >= r->max_loads)
			pthread_cond_wait(&r->gate_cond, &r->gate_lock);
		r->gate_in++;
		r->gate_total++;
	} else {
		r->gate_in--;
		pthread_cond_signal(&r->gate_cond);
	}
	pthread_mutex_unlock(&r->gate_lock);
}

enum account_state router_account_state(struct account *a, long long *last_load, char *why,
					size_t cap)
{
	struct cache_health h;
	struct cache *c;
	enum account_state s;
	bool opening, failed;

	pthread_mutex_lock(&a->lock);
	opening = a->opening;
	failed = a->why[0] != '\0';
	*last_load = a->last_load;
	snprintf(why, cap, "%s", a->why);
	c = __atomic_load_n(&a->fs.cache, __ATOMIC_ACQUIRE);
	if (opening) {
		s = ACCOUNT_LOADING;
	} else if (!c) {
		s = failed ? ACCOUNT_DENIED : ACCOUNT_NOT_LOADED;
	} else {
		/* The cache lives while a is open: closing it takes a->lock too. */
		cache_health(c, &h);
		if (h.last_load)
			*last_load = a->last_load = h.last_load;
		/* A revalidation of a good view is not "loading": the view is served. */
		s = h.loading && !h.last_load ? ACCOUNT_LOADING
		    : h.offline		      ? ACCOUNT_OFFLINE
		    : h.failed		      ? ACCOUNT_DENIED
					      : ACCOUNT_ONLINE;
		if (s != ACCOUNT_ONLINE)
			snprintf(why, cap, "%s", h.why);
	}
	pthread_mutex_unlock(&a->lock);
	return s;
}

/* Closes a's cache when a is idle and nothing uses it. */
static void router_release_one(struct router *r, struct account *a, long long now, long long idle)
{
	struct notify_action act = {.entry = true, .ino = INODE_ROOT_INO};
	struct cache_health h;
	struct cache *c = __atomic_load_n(&a->fs.cache, __ATOMIC_ACQUIRE);
	bool open_files;

	if (!c || now - __atomic_load_n(&a->last_used, __ATOMIC_RELAXED) < idle)
		return;
	pthread_mutex_lock(&a->fs.open_lock);
	open_files = a->fs.opens != NULL;
	pthread_mutex_unlock(&a->fs.open_lock);
	cache_health(c, &h);
	if (open_files || h.loading)
		return;
	pthread_mutex_lock(&a->lock);
	if (h.last_load)
		a->last_load = h.last_load;
	__atomic_store_n(&a->fs.cache, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&a->lock);
	cache_close(c);
	log_msg(LOG_INFO, "account %s: idle, released (opens again from its disk copy)", a->folder);
	/* The kernel drops what it cached below the folder: its pages came from the view. */
	snprintf(act.name, sizeof(act.name), "%s", a->folder);
	notify_queue_action(a->fs.notify, &act);
}

void router_release_idle(struct router *r, long long now)
{
	long long idle = 3 * (long long)r->root->ttl;

	/* Also reached from a loader thread (a request run again): busy then, so it
	 * returns before touching any account. */
	__atomic_store_n(&r->idle_checked, now, __ATOMIC_RELAXED);
	if (idle < ROUTER_IDLE_MIN)
		idle = ROUTER_IDLE_MIN;
	if (r->busy && r->busy(r))
		return;
	for (size_t i = 0; i < r->n; i++)
		router_release_one(r, r->accounts[i], now, idle);
}
