/*
 * The inside of struct cache, shared by cache.c (life cycle, refresher thread,
 * publication), conn.c (per-thread connections), managed.c (AWS managed
 * documents), commits.c and status.c. Everything below mu is read and written only
 * with mu held; mu is never held across a network call or a disk write.
 */
#ifndef IAMFS_CACHE_CACHE_INT_H
#define IAMFS_CACHE_CACHE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "cache/cache.h"
#include "cache/disk.h"
#include "cache/hooks.h"
#include "cache/load.h"

#define CACHE_WHY_MAX 1152

#define COMMITS_MAX 4096 /* saves kept for replay onto one load (commits.c) */

struct conn_entry;
struct managed_fetch;
struct commits_entry;
struct save_state;
struct pending;
struct prefetch;

struct cache {
	struct cache_options o;
	struct hooks hooks; /* o's clock and log */
	char *dir;	    /* o.dir copied */
	char profile[128];
	char endpoint[512];	/* IAM endpoint URL */
	pthread_key_t conn_key; /* per-thread struct conn_entry */
	pthread_mutex_t conn_mu;
	struct conn_entry *conns; /* every live per-thread connection */
	pthread_mutex_t load_mu;  /* one chain in flight (before cache_start) */

	pthread_mutex_t mu;
	pthread_cond_t cond; /* wake, chain done, managed fetch done */
	struct cache_view *view;
	char folder[4096]; /* this account's folder ("" until known) */
	char *account;
	char *caller_arn;
	long long last_load;	/* unix seconds of the last good load; 0: never */
	long long last_attempt; /* start of the last chain */
	bool from_disk;		/* the view came from the disk copy */
	bool offline;		/* the last load could not reach IAM (nor a save since) */
	char offline_why[CACHE_WHY_MAX];
	char last_fail[CACHE_WHY_MAX];	/* why the last load failed; "" once one lands */
	bool fallback;			/* GAAD denied: per-role scan */
	size_t nskipped;		/* roles and policies the last load left out */
	char skipped[LOAD_SKIPPED_MAX]; /* load_result.skipped of that load */
	char warning[CACHE_WHY_MAX];	/* last disk-copy warning, "" when none */
	unsigned long loads, failures;
	struct disk_managed *managed; /* sorted by ARN */
	size_t nmanaged, capmanaged;
	struct managed_fetch *fetching; /* ARNs being fetched now */
	bool save_pending;		/* disk copy needs writing (managed docs) */
	struct commits_entry *since;	/* saves published since the load began (commits.c) */
	size_t nsince, capsince;
	bool loading, since_lost; /* a load is in flight; the log overflowed */
	struct save_state *save;  /* saving (save.c): set by cache_open, own lock */
	struct pending *pending;  /* pending roles (pending.h): set by cache_open, own lock */
	/* AWS managed documents fetched ahead of reads (prefetch.h); under mu. */
	struct prefetch *prefetch;

	pthread_t thread;
	bool started, stop, wake, running;
	unsigned long long req_seq, done_seq;
	int last_rc;
	struct aws_error last_err;

	/* Under mu: the load in flight, as its last progress report gave it. */
	bool progressing;
	struct load_progress progress; /* stage is static text */
	/* The customer managed policies the first load listed, published before
	 * saving opened: handed to it then (cache_open_save). */
	struct load_result first_local;
};

/* conn.c: this thread's IAM connection, created on first use (NULL on ENOMEM);
 * dropping this thread's (before the caller forks to daemonize); the key's
 * destructor (a thread that used the cache exits); freeing every one left (close,
 * after the key is deleted). */
struct iam_conn *conn_get(struct cache *c);
void conn_drop(struct cache *c);
void conn_destroy(void *p);
void conn_free_all(struct cache *c);

/* managed.c: a copy of the managed table (+1 ref each, *n entries) for a disk
 * write outside mu; NULL on ENOMEM. Called with mu held. */
struct disk_managed *managed_snapshot(struct cache *c, size_t *n);
/* managed.c, under mu: arn is neither in the managed table nor being fetched. */
bool managed_wanted(struct cache *c, const char *arn);
/* managed.c: cache_fetch_managed, with mark false leaving the disk copy's write
 * to the caller (the prefetch asks for one write after its batch). Without mu. */
int managed_fetch(struct cache *c, const char *arn, bool mark, struct cache_doc **out,
		  struct aws_error *err);

/* commits.c, for the save path: publishes the current view with one edit applied
 * (model_view_edit; documents borrowed), reports the difference through on_change
 * from the calling thread, and has the refresher write the disk copy. The
 * caller has already made the IAM call; mu is held only for the swap. */
int cache_publish_edit(struct cache *c, const struct model_edit *e);

/* commits.c, all under mu: a load begins (the log starts empty) and ends (it is
 * freed); cache_publish_edit records each edit (copied, documents referenced); a load
 * about to be published replays them onto its view nv (-EAGAIN when the log
 * overflowed: the load must be discarded). */
void commits_begin(struct cache *c);
void commits_end(struct cache *c);
void commits_record(struct cache *c, const struct model_edit *e);
/* commits.c: model_diff's callback handing each change to the embedder's on_change
 * (ctx is the cache; call it only when on_change is set). */
void commits_emit(void *ctx, const struct cache_change *ch);
int commits_apply(struct cache *c, struct cache_view *nv);

/* cache_pending.c. Pending roles found clashing with IAM's during a merge. */
struct cache_clash;
struct cache_clashes {
	struct cache_clash *v;
	size_t n;
};
/* Opens the store of the account folder (or in memory) and publishes the view with
 * its roles. 0 or -ENOMEM. */
int cache_pending_open(struct cache *c, const char *folder);
/* Under mu: replaces *nv (a view about to be published, its ref taken over) by one
 * with the store's roles merged in, keeping its serial; clashes with IAM's roles are
 * collected into cl for cache_pending_settle. 0 or -ENOMEM (*nv unchanged). */
int cache_pending_merge(struct cache *c, struct cache_view **nv, struct cache_clashes *cl);
/* Without mu: each pending role IAM now has gives way (dropped from the store,
 * logged, recorded with its role.json). Frees cl's list. */
void cache_pending_settle(struct cache *c, struct cache_clashes *cl);
/* A pending role was created in IAM (its MODEL_EDIT_ROLE_ADD is about to be
 * published): dropped from the store, so the real role takes its place. */
void cache_pending_created(struct cache *c, const char *role);
/* v (its ref taken over) without its pending roles, for the disk copy. */
struct cache_view *cache_pending_strip(struct cache_view *v);
/* A pending role's role.json (doc borrowed) kept in the store: 0, -ENOENT, -errno. */
int cache_pending_json(struct cache *c, const char *role, struct cache_doc *doc);

#endif
