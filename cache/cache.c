/*
 * The cache's life cycle: open (disk copy first, else a synchronous bulk load),
 * the refresher thread (revalidation on touch after the ttl, on demand, and
 * disk-copy writes), publication of new views with their diff, whether IAM can
 * be reached, and saving's host (save_host.h) with the saving entry points of
 * cache.h. The view pointer is swapped under mu; network calls and disk writes
 * never run with mu held. Connections are conn.c's, AWS managed documents
 * managed.c's (fetched ahead of reads by prefetch.c).
 */
#include "cache/cache_int.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/load.h"
#include "cache/model.h"
#include "cache/pending.h"
#include "cache/prefetch.h"
#include "cache/rebase.h"
#include "cache/save.h"

static bool cache_code_is_creds(const char *code)
{
	static const char *const codes[] = {
		"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
		"AuthFailure",		"IncompleteSignature",	 "MissingAuthenticationToken",
		"InvalidAccessKeyId",	"NoCredentials",	 "CredentialsError",
	};
	size_t i;

	if (aws_code_is_expired_token(code))
		return true;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

/* IAM could not be reached at all (no HTTP answer). */
static bool cache_unreachable(const struct aws_error *err)
{
	return err->http_status == 0 &&
	       (!strcmp(err->code, "ConnectionError") || !strcmp(err->code, "Timeout"));
}

/* A load failed (rc, err worded by the caller): counted, remembered for status,
 * offline when IAM could not be reached. */
static void cache_load_failed(struct cache *c, int rc, const struct aws_error *err)
{
	bool had_view;

	pthread_mutex_lock(&c->mu);
	c->failures++;
	had_view = c->view != NULL;
	snprintf(c->last_fail, sizeof(c->last_fail), "%s", err->message);
	if (cache_unreachable(err)) {
		c->offline = true;
		snprintf(c->offline_why, sizeof(c->offline_why), "%s", err->message);
	}
	pthread_mutex_unlock(&c->mu);
	if (had_view)
		hooks_log(&c->hooks, LOG_WARNING,
			  "refresh failed (%s), serving the cached copy: %s", strerror(-rc),
			  err->message);
}

/* IAM answered a save's call: reachable again. */
static void cache_reached(struct cache *c)
{
	pthread_mutex_lock(&c->mu);
	c->offline = false;
	c->offline_why[0] = '\0';
	pthread_mutex_unlock(&c->mu);
}

/* Rewords err->message as one sentence about why the account could not be read. */
static void cache_explain(struct cache *c, const char *failed, struct aws_error *err)
{
	char msg[sizeof(err->message)];
	const char *sts = iam_client_sts_endpoint(c->o.iam)->url;
	bool is_sts = !strcmp(failed, "GetCallerIdentity");

	if (cache_unreachable(err))
		snprintf(msg, sizeof(msg), "cannot reach %s at %.400s: %.500s",
			 is_sts ? "STS" : "IAM", is_sts ? sts : c->endpoint, err->message);
	else if (cache_code_is_creds(err->code))
		snprintf(msg, sizeof(msg), "AWS refused the credentials: %.900s", err->message);
	else if (!strcmp(err->code, "AccessDenied"))
		snprintf(msg, sizeof(msg), "%.60s was denied: %.900s", failed, err->message);
	else
		snprintf(msg, sizeof(msg), "%.60s failed: %.100s: %.800s", failed,
			 err->code[0] ? err->code : "error", err->message);
	memcpy(err->message, msg, sizeof(msg));
}

static void cache_write_disk(struct cache *c)
{
	struct disk_meta meta = {0};
	struct disk_managed *m;
	struct cache_view *v;
	char folder[sizeof(c->folder)];
	size_t nm = 0;
	int rc;

	pthread_mutex_lock(&c->mu);
	c->save_pending = false;
	v = c->view;
	__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	memcpy(folder, c->folder, sizeof(folder));
	meta.account = c->account ? strdup(c->account) : NULL;
	meta.caller_arn = c->caller_arn ? strdup(c->caller_arn) : NULL;
	meta.last_load = c->last_load;
	m = managed_snapshot(c, &nm);
	pthread_mutex_unlock(&c->mu);
	v = cache_pending_strip(v); /* pending roles are the store's */
	if (folder[0] && meta.account && meta.caller_arn) {
		rc = disk_write(folder, v, m, nm, &meta);
		if (rc)
			hooks_log(&c->hooks, LOG_WARNING, "cannot write the cache copy in %s: %s",
				  folder, strerror(-rc));
		else
			rebase_cache(c, v, folder);
	}
	disk_managed_free(m, nm);
	disk_meta_cleanup(&meta);
	cache_view_put(v);
}

/* The folder of an account: one per account and IAM endpoint (two emulators may
 * both claim account 123456789012). */
static void cache_folder_of(struct cache *c, const char *account, char *out, size_t cap)
{
	unsigned long long h = model_hash(c->endpoint, strlen(c->endpoint));

	snprintf(out, cap, "%s/%s-%08llx", c->dir, account, h & 0xffffffffULL);
}

/* Creates (0700) and checks the folder of account against cachedir.h's rule
 * before anything is published for it: -EPERM with err set when it is refused. */
static int cache_check_folder(struct cache *c, const char *account, struct aws_error *err)
{
	char folder[sizeof(c->folder)], why[CACHE_WHY_MAX] = "";
	int fd, rc;

	cache_folder_of(c, account, folder, sizeof(folder));
	rc = cachedir_open(folder, true, &fd, why, sizeof(why));
	if (rc)
		aws_error_set(err, "CacheDir", "%s", why);
	else
		close(fd);
	return rc;
}

/* Before saving opens: keeps the load's list of customer managed policies for it. */
static void cache_keep_local(struct cache *c, struct load_result *res)
{
	load_result_cleanup(&c->first_local);
	c->first_local.local = res->local;
	c->first_local.nlocal = res->nlocal;
	c->first_local.local_known = true;
	res->local = NULL;
	res->nlocal = res->caplocal = 0;
}

/* Publishes a freshly loaded account: settles mtimes against the current view,
 * replays the saves published since the chain began (their documents are newer
 * than its answers), swaps it in, tells on_change what changed, and writes the
 * disk copy. -EAGAIN when there were more saves than the log keeps. */
static int cache_publish(struct cache *c, struct load_result *res, long long now)
{
	struct cache_clashes cl = {0};
	struct cache_view *old, *nv, *same = NULL;
	char folder[sizeof(c->folder)];
	bool new_folder, skipped_changed;
	int rc;

	nv = model_view_new(res->roles, res->nroles, 0);
	res->roles = NULL;
	res->nroles = res->cap = 0;
	if (!nv)
		return -ENOMEM;
	cache_folder_of(c, res->account, folder, sizeof(folder));
	pthread_mutex_lock(&c->mu);
	old = c->view;
	model_settle(nv, old, now);
	rc = commits_apply(c, nv);
	if (!rc)
		rc = cache_pending_merge(c, &nv, &cl);
	if (rc) {
		pthread_mutex_unlock(&c->mu);
		cache_view_put(nv);
		return rc;
	}
	if (old && model_view_same(old, nv)) {
		/* Nothing changed: the current view stays, and the load's copy of it goes
		 * whole (its names and arrays sit among the load's garbage). */
		same = nv;
		nv = old;
		__atomic_add_fetch(&nv->refs, 1, __ATOMIC_RELAXED);
	} else {
		nv->serial = old ? old->serial + 1 : 1;
	}
	c->view = nv;
	/* Held until the diff below is done: a save may replace nv meanwhile. */
	__atomic_add_fetch(&nv->refs, 1, __ATOMIC_RELAXED);
	free(c->account);
	free(c->caller_arn);
	c->account = res->account;
	c->caller_arn = res->caller_arn;
	res->account = res->caller_arn = NULL;
	c->last_load = now;
	c->offline = false;
	c->offline_why[0] = '\0';
	c->last_fail[0] = '\0';
	c->fallback = res->fallback;
	skipped_changed = c->nskipped != res->nskipped || strcmp(c->skipped, res->skipped);
	c->nskipped = res->nskipped;
	snprintf(c->skipped, sizeof(c->skipped), "%s", res->skipped);
	c->from_disk = false;
	c->loads++;
	new_folder = strcmp(folder, c->folder) != 0;
	memcpy(c->folder, folder, sizeof(folder));
	pthread_mutex_unlock(&c->mu);
	cache_view_put(same);
	if (skipped_changed && res->nskipped)
		hooks_log(&c->hooks, LOG_WARNING,
			  "%zu roles or policies from IAM are not shown: %s", res->nskipped,
			  res->skipped);
	/* Pending folders IAM now has give way before the kernel hears of the new
	 * view: whoever sees the role's new entries also sees the store settled. */
	cache_pending_settle(c, &cl);
	if (old && c->o.on_change)
		model_diff(old, nv, commits_emit, c);
	cache_view_put(nv);
	cache_view_put(old);
	if (new_folder &&
	    disk_index_store(c->dir, c->profile, c->endpoint, strrchr(folder, '/') + 1))
		hooks_log(&c->hooks, LOG_WARNING, "cannot write the cache index in %s", c->dir);
	cache_write_disk(c);
	if (res->local_known && c->save)
		save_local_policies(c->save, (const char *const *)res->local, res->nlocal);
	else if (res->local_known)
		cache_keep_local(c, res);
	save_replay(c->save);
	prefetch_kick(c);
	return 0;
}

/* load_result.progress: kept for .iamfs/status, then handed to the embedder. */
static void cache_on_progress(void *ctx, const struct load_progress *p)
{
	struct cache *c = ctx;

	pthread_mutex_lock(&c->mu);
	c->progressing = true;
	c->progress = *p;
	pthread_mutex_unlock(&c->mu);
	if (c->o.progress)
		c->o.progress(c->o.progress_ctx, p);
}

/* One chain and its publication. *overtaken: more saves were published meanwhile
 * than its replay log keeps, so it was not published (rc -EAGAIN). */
static int cache_load_once(struct cache *c, struct iam_conn *conn, const char **failed,
			   struct aws_error *err, bool *overtaken)
{
	struct load_result res = {0};
	struct cache_view *old;
	int rc;

	*overtaken = false;
	pthread_mutex_lock(&c->mu);
	c->last_attempt = hooks_now(&c->hooks);
	c->progressing = true;
	c->progress = (struct load_progress){.stage = "GetCallerIdentity"};
	commits_begin(c);
	old = c->view; /* the load shares its unchanged documents */
	if (old)
		__atomic_add_fetch(&old->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->mu);
	res.old = old;
	res.known_account = c->o.account_id;
	res.known_caller = c->o.caller_arn;
	res.progress = cache_on_progress;
	res.progress_ctx = c;
	aws_error_clear(err);
	rc = load_account(conn, &res, failed, err);
	pthread_mutex_lock(&c->mu);
	c->progressing = false;
	pthread_mutex_unlock(&c->mu);
	if (!rc && res.fallback)
		hooks_log(&c->hooks, LOG_WARNING,
			  "GetAccountAuthorizationDetails was denied; "
			  "loaded %zu roles with per-role calls (about 3 calls a role)",
			  res.nroles);
	if (!rc)
		rc = cache_check_folder(c, res.account, err);
	if (!rc) {
		rc = cache_publish(c, &res, hooks_now(&c->hooks));
		*overtaken = rc == -EAGAIN;
	}
	load_result_cleanup(&res);
	cache_view_put(old);
	rebase_trim(); /* after the load's last frees: its arena's pages go back whole */
	pthread_mutex_lock(&c->mu);
	commits_end(c);
	pthread_mutex_unlock(&c->mu);
	if (rc == -ENOMEM)
		aws_error_set(err, "OutOfMemory", "out of memory building the account view");
	return rc;
}

/* One whole-account revalidation. Runs on the refresher thread, or on the
 * opening thread before cache_start. A failure is reported as what it was
 * (throttling, a denial, an unreachable endpoint) and counted. */
static int cache_reload(struct cache *c, struct aws_error *err)
{
	const char *failed = "GetCallerIdentity";
	struct iam_conn *conn = conn_get(c);
	bool overtaken = true;
	int rc = -EAGAIN, tries;

	if (!conn) {
		aws_error_set(err, "ConnectionError", "cannot set up an HTTP connection");
		return -ENOMEM;
	}
	if (c->o.gate)
		c->o.gate(c->o.gate_ctx, true);
	for (tries = 0; overtaken && tries < 3; tries++)
		rc = cache_load_once(c, conn, &failed, err, &overtaken);
	if (c->o.gate)
		c->o.gate(c->o.gate_ctx, false);
	if (overtaken)
		aws_error_set(err, "Busy",
			      "more than %d saves were published during each of %d refreshes; "
			      "it will run again",
			      COMMITS_MAX, tries);
	else if (rc && rc != -ENOMEM && strcmp(err->code, "CacheDir"))
		cache_explain(c, failed, err);
	if (rc)
		cache_load_failed(c, rc, err);
	return rc;
}

struct cache_reload_job {
	struct cache *c;
	struct aws_error err;
	int rc;
};

static void *cache_reload_run(void *arg)
{
	struct cache_reload_job *j = arg;

	j->rc = cache_reload(j->c, &j->err);
	return NULL;
}

/* cache_reload on a thread of its own, which ends with it: the chunks glibc
 * keeps per thread for reuse go back to the arena then, so the trim after it
 * hands every page of the load's garbage back (on a long-lived thread they pin
 * hundreds of pages among it). The thread has its own connection (conn_key). */
static int cache_reload_apart(struct cache *c, struct aws_error *err)
{
	struct cache_reload_job j = {.c = c};
	pthread_t th;

	if (pthread_create(&th, NULL, cache_reload_run, &j))
		return cache_reload(c, err);
	pthread_join(th, NULL);
	*err = j.err;
	rebase_trim();
	return j.rc;
}

static void *cache_thread(void *arg)
{
	struct cache *c = arg;
	struct aws_error err;
	unsigned long long seq;
	int rc;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		if (!c->wake && !c->save_pending) {
			pthread_cond_wait(&c->cond, &c->mu);
			continue;
		}
		if (!c->wake) {
			pthread_mutex_unlock(&c->mu);
			cache_write_disk(c);
			pthread_mutex_lock(&c->mu);
			continue;
		}
		c->wake = false;
		c->running = true;
		seq = c->req_seq;
		pthread_mutex_unlock(&c->mu);
		rc = cache_reload_apart(c, &err);
		pthread_mutex_lock(&c->mu);
		c->running = false;
		c->done_seq = seq;
		c->last_rc = rc;
		c->last_err = err;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Serves the disk copy of (profile, endpoint) when there is a good one (*served).
 * -EPERM with err set when its folder breaks cachedir.h's rule. */
static int cache_open_disk(struct cache *c, bool *served, struct aws_error *err)
{
	struct disk_meta meta = {0};
	struct cache_view *v;
	char *name = NULL, why[CACHE_WHY_MAX] = "";
	int rc;

	*served = false;
	if (disk_index_lookup(c->dir, c->profile, c->endpoint, &name))
		return 0;
	snprintf(c->folder, sizeof(c->folder), "%s/%s", c->dir, name);
	free(name);
	rc = disk_read(c->folder, &v, &c->managed, &c->nmanaged, &meta, why, sizeof(why));
	if (rc == -EPERM)
		aws_error_set(err, "CacheDir", "%s", why);
	if (rc) {
		if (rc != -ENOENT && rc != -EPERM) {
			snprintf(c->warning, sizeof(c->warning), "%s", why);
			hooks_log(&c->hooks, LOG_WARNING, "%s", why);
		}
		c->folder[0] = '\0';
		return rc == -EPERM ? rc : 0;
	}
	rebase_trim();
	c->capmanaged = c->nmanaged;
	c->view = v;
	c->account = meta.account;
	c->caller_arn = meta.caller_arn;
	c->last_load = meta.last_load;
	c->from_disk = true;
	*served = true;
	return 0;
}

/* The first load failed (cache_load_failed recorded why): an empty view instead. */
static int cache_open_empty(struct cache *c)
{
	c->view = model_view_new(NULL, 0, 0);
	return c->view ? 0 : -ENOMEM;
}

/* Creates the cache folder, resolves its path once (a symlink the user chose is
 * followed here and never below) and checks it against cachedir.h's rule. */
static int cache_open_dir(struct cache *c, struct aws_error *err)
{
	char real[PATH_MAX], why[CACHE_WHY_MAX] = "";
	int fd, rc = cachedir_mkdirs(c->dir);

	if (!rc && !realpath(c->dir, real))
		rc = -errno;
	if (rc) {
		aws_error_set(err, "CacheDir", "cannot create the cache folder %s: %s", c->dir,
			      strerror(-rc));
		return rc;
	}
	free(c->dir);
	if (!(c->dir = strdup(real)))
		return -ENOMEM;
	rc = cachedir_open(c->dir, false, &fd, why, sizeof(why));
	if (rc)
		aws_error_set(err, "CacheDir", "%s", why);
	else
		close(fd);
	return rc;
}

static int cache_init_locks(struct cache *c)
{
	if (pthread_key_create(&c->conn_key, conn_destroy))
		return -EAGAIN;
	pthread_mutex_init(&c->conn_mu, NULL);
	pthread_mutex_init(&c->load_mu, NULL);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cond, NULL);
	return 0;
}

static struct iam_conn *cache_host_conn(void *ctx)
{
	return conn_get(ctx);
}

static struct cache_view *cache_host_view(void *ctx)
{
	return cache_view_get(ctx);
}

static int cache_host_publish(void *ctx, const char *role, enum cache_file_kind kind,
			      const char *name, struct cache_doc *doc)
{
	struct model_edit e = {
		.op = MODEL_EDIT_DOC, .role = role, .kind = kind, .name = name, .doc = doc};
	int rc;

	/* A pending role's role.json is kept in the store before it is shown. */
	if (kind == CACHE_FILE_ROLE && cache_role_pending(ctx, role) &&
	    (rc = cache_pending_json(ctx, role, doc)))
		return rc;
	return cache_publish_edit(ctx, &e);
}

static int cache_host_publish_edit(void *ctx, const struct model_edit *e)
{
	/* A role created from a pending folder: the folder is the real role now. */
	if (e->op == MODEL_EDIT_ROLE_ADD)
		cache_pending_created(ctx, e->role);
	return cache_publish_edit(ctx, e);
}

/* A save sent calls: IAM answered unless the last one reached nobody. */
static void cache_host_called(void *ctx, const struct aws_error *last)
{
	if (!cache_unreachable(last))
		cache_reached(ctx);
}

/* Hands saving its host once the account folder is known, and replays the
 * journal's leftovers at once when the view was just loaded from IAM. */
static int cache_open_save(struct cache *c)
{
	struct save_host h = {
		.read_only = c->o.read_only,
		.dry_run = c->o.dry_run,
		.prune_versions = c->o.prune_versions,
		.hooks = c->hooks,
		.on_change = c->o.on_change,
		.on_change_ctx = c->o.on_change_ctx,
		.ctx = c,
		.conn = cache_host_conn,
		.view_get = cache_host_view,
		.publish = cache_host_publish,
		.publish_edit = cache_host_publish_edit,
		.called = cache_host_called,
	};
	struct save_state *st;
	char folder[sizeof(c->folder)];
	bool fresh;
	int rc;

	if (cache_folder(c, folder, sizeof(folder)))
		folder[0] = '\0';
	if ((rc = save_open(&h, folder, &st)))
		return rc;
	pthread_mutex_lock(&c->mu);
	fresh = !c->from_disk;
	c->save = st;
	pthread_mutex_unlock(&c->mu);
	if (c->first_local.local_known)
		save_local_policies(st, (const char *const *)c->first_local.local,
				    c->first_local.nlocal);
	load_result_cleanup(&c->first_local);
	if ((rc = cache_pending_open(c, folder)))
		return rc;
	if (fresh)
		save_replay(st);
	return 0;
}

int cache_open(const struct cache_options *o, struct cache **out, struct aws_error *err)
{
	struct cache *c;
	bool served;
	int rc;

	aws_error_clear(err);
	if (!o->iam || !o->dir || !(c = calloc(1, sizeof(*c))))
		return -EINVAL;
	c->o = *o;
	c->hooks = (struct hooks){o->now, o->now_ctx, o->log, o->log_ctx};
	if (!(c->dir = strdup(o->dir)) || cache_init_locks(c)) {
		free(c->dir);
		free(c);
		return -ENOMEM;
	}
	snprintf(c->profile, sizeof(c->profile), "%s",
		 iam_client_profile(o->iam) ? iam_client_profile(o->iam) : "default");
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", iam_client_endpoint(o->iam)->url);
	rc = cache_open_dir(c, err);
	if (!rc)
		rc = cache_open_disk(c, &served, err);
	if (rc) {
		cache_close(c);
		return rc;
	}
	if (!served) {
		rc = cache_reload_apart(c, err);
		conn_drop(c);
		if (rc && o->open_empty && rc != -ENOMEM && strcmp(err->code, "CacheDir"))
			rc = cache_open_empty(c);
		if (rc) {
			cache_close(c);
			return rc;
		}
	}
	rc = cache_open_save(c);
	if (rc) {
		aws_error_set(err, "OutOfMemory", "out of memory setting up saving");
		cache_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int cache_start(struct cache *c)
{
	int rc;

	pthread_mutex_lock(&c->mu);
	if (c->from_disk) {
		c->wake = true;
		c->req_seq++;
	}
	rc = pthread_create(&c->thread, NULL, cache_thread, c);
	c->started = rc == 0;
	pthread_mutex_unlock(&c->mu);
	prefetch_kick(c);
	return -rc;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->mu);
	if (c->started)
		pthread_join(c->thread, NULL);
	prefetch_stop(c);
	if (c->save_pending)
		cache_write_disk(c);
	save_close(c->save);
	load_result_cleanup(&c->first_local);
	pending_close(c->pending);
	pthread_key_delete(c->conn_key);
	conn_free_all(c);
	cache_view_put(c->view);
	disk_managed_free(c->managed, c->nmanaged);
	free(c->account);
	free(c->caller_arn);
	free(c->dir);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->load_mu);
	pthread_mutex_destroy(&c->conn_mu);
	free(c);
}

void cache_touch(struct cache *c)
{
	long long now = hooks_now(&c->hooks);

	pthread_mutex_lock(&c->mu);
	if (c->started && !c->running && !c->wake && now - c->last_attempt >= (long long)c->o.ttl &&
	    now - c->last_load >= (long long)c->o.ttl) {
		c->wake = true;
		c->req_seq++;
		pthread_cond_signal(&c->cond);
	}
	pthread_mutex_unlock(&c->mu);
}

int cache_refresh(struct cache *c, struct aws_error *err)
{
	unsigned long long mine;
	int rc;

	aws_error_clear(err);
	pthread_mutex_lock(&c->mu);
	if (!c->started) {
		pthread_mutex_unlock(&c->mu);
		pthread_mutex_lock(&c->load_mu);
		rc = cache_reload(c, err);
		pthread_mutex_unlock(&c->load_mu);
		return rc;
	}
	mine = ++c->req_seq;
	c->wake = true;
	pthread_cond_broadcast(&c->cond);
	while (c->done_seq < mine && !c->stop)
		pthread_cond_wait(&c->cond, &c->mu);
	rc = c->stop && c->done_seq < mine ? -ESHUTDOWN : c->last_rc;
	if (rc)
		*err = c->last_err;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

bool cache_offline(struct cache *c)
{
	bool v;

	pthread_mutex_lock(&c->mu);
	v = c->offline;
	pthread_mutex_unlock(&c->mu);
	return v;
}

int cache_folder(struct cache *c, char *out, size_t cap)
{
	int rc = 0;

	pthread_mutex_lock(&c->mu);
	if (!c->folder[0])
		rc = -ENOENT;
	else if ((size_t)snprintf(out, cap, "%s", c->folder) >= cap)
		rc = -ENAMETOOLONG;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

int cache_save(struct cache *c, const struct cache_save *s, struct cache_save_result *res)
{
	return save_file(c->save, s, res);
}

void cache_save_accept(struct cache *c, const struct cache_save *s, unsigned long long *jid)
{
	save_accept(c->save, s, jid);
}

void cache_save_abandon(struct cache *c, unsigned long long jid)
{
	save_abandon(c->save, jid);
}

int cache_refuse(struct cache *c, const struct cache_refusal *r)
{
	return save_refusal(c->save, r);
}

int cache_errors_text(struct cache *c, struct buf *out)
{
	return save_errors_text(c->save, out);
}

int cache_rejected_list(struct cache *c, struct cache_rejected_list *out)
{
	return save_rejected_list(c->save, out);
}

int cache_delete_role(struct cache *c, const char *role, struct cache_save_result *res)
{
	return save_delete_role(c->save, role, res);
}

int cache_removed_list(struct cache *c, struct cache_rejected_list *out)
{
	return save_removed_list(c->save, out);
}
