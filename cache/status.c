/*
 * The text of .iamfs/status: one "key: value" line per fact, from a snapshot
 * taken under the cache's lock, plus the IAM client's per-action call counters.
 * Never includes credentials. Every text that is not iamfs's own
 * (account, caller, error messages, endpoints, names) passes through ident_escape
 * in status_snapshot, so no answer can break a line or forge another.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache_int.h"
#include "cache/ident.h"
#include "cache/pending.h"
#include "cache/prefetch.h"
#include "cache/save.h"

struct status_snap {
	char account[64];
	char caller[1024];
	char folder[4096];
	char offline_why[2 * CACHE_WHY_MAX];
	char last_fail[2 * CACHE_WHY_MAX];
	char warning[2 * CACHE_WHY_MAX];
	char endpoint[1024], sts_endpoint[1024], profile[512];
	char skipped[LOAD_SKIPPED_MAX]; /* escaped when recorded (load_skip) */
	long long last_load;
	size_t nroles, nmanaged, nskipped;
	size_t prefetch_left;
	unsigned long long serial;
	unsigned long loads, failures;
	bool offline, fallback, from_disk, running;
	bool progressing;
	struct load_progress progress;
	long long load_started;
};

static void status_snapshot(struct cache *c, struct status_snap *s)
{
	pthread_mutex_lock(&c->mu);
	ident_escape(c->account ? c->account : "unknown", s->account, sizeof(s->account));
	ident_escape(c->caller_arn ? c->caller_arn : "unknown", s->caller, sizeof(s->caller));
	ident_escape(c->folder[0] ? c->folder : c->dir, s->folder, sizeof(s->folder));
	ident_escape(c->offline_why, s->offline_why, sizeof(s->offline_why));
	ident_escape(c->last_fail, s->last_fail, sizeof(s->last_fail));
	ident_escape(c->warning, s->warning, sizeof(s->warning));
	ident_escape(c->endpoint, s->endpoint, sizeof(s->endpoint));
	ident_escape(iam_client_sts_endpoint(c->o.iam)->url, s->sts_endpoint,
		     sizeof(s->sts_endpoint));
	ident_escape(c->profile, s->profile, sizeof(s->profile));
	memcpy(s->skipped, c->skipped, sizeof(s->skipped));
	s->nskipped = c->nskipped;
	s->last_load = c->last_load;
	s->nroles = c->view ? c->view->nroles : 0;
	for (size_t i = 0; c->view && i < c->view->nroles; i++)
		s->nroles -= c->view->roles[i].pending; /* listed apart (pending_status) */
	s->serial = c->view ? c->view->serial : 0;
	s->nmanaged = c->nmanaged;
	s->loads = c->loads;
	s->failures = c->failures;
	s->offline = c->offline;
	s->fallback = c->fallback;
	s->from_disk = c->from_disk;
	s->running = c->running;
	s->prefetch_left = prefetch_left(c);
	s->progressing = c->progressing;
	s->progress = c->progress;
	s->load_started = c->last_attempt;
	pthread_mutex_unlock(&c->mu);
}

struct status_calls {
	struct buf *out;
	int rc;
};

static void status_call(void *ctx, const char *action, unsigned long n)
{
	struct status_calls *x = ctx;

	if (!x->rc)
		x->rc = buf_printf(x->out, "calls %s: %lu\n", action, n);
}

static int status_time(struct buf *out, long long t, long long now)
{
	char when[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t)
		return buf_puts(out, "last refresh: never\n");
	if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(when, sizeof(when), "%lld", t);
	return buf_printf(out, "last refresh: %s\nlast refresh age: %llds\n", when,
			  now > t ? now - t : 0);
}

/* The load in flight: roles and GAAD pages so far, seconds since it began, and
 * the chain it is in. */
static int status_loading(struct buf *out, const struct status_snap *s, long long now)
{
	return buf_printf(out, "loading: %zu roles, %zu pages, %llds (%s)\n", s->progress.roles,
			  s->progress.pages, now > s->load_started ? now - s->load_started : 0,
			  s->progress.stage ? s->progress.stage : "starting");
}

int cache_status(struct cache *c, struct buf *out)
{
	struct status_snap *s = calloc(1, sizeof(*s));
	struct status_calls calls = {.out = out};
	const char *mode;
	int rc;

	if (!s)
		return -ENOMEM;
	status_snapshot(c, s);
	mode = c->o.read_only	   ? "read-only"
	       : c->o.dry_run	   ? (c->o.allow_delete ? "dry-run, deletes allowed" : "dry-run")
	       : c->o.allow_delete ? "read-write, deletes allowed"
				   : "read-write";
	rc = buf_printf(out,
			"account: %s\ncaller: %s\nendpoint: %s\nsts endpoint: %s\nprofile: %s\n"
			"mode: %s\n",
			s->account, s->caller, s->endpoint, s->sts_endpoint, s->profile, mode);
	if (!rc)
		rc = status_time(out, s->last_load, hooks_now(&c->hooks));
	if (!rc)
		rc = buf_printf(out,
				"ttl: %us\nroles: %zu\naws managed documents: %zu\n"
				"view serial: %llu\nloads: %lu\nfailed loads: %lu\n",
				c->o.ttl, s->nroles, s->nmanaged, s->serial, s->loads, s->failures);
	if (!rc && !s->offline && !s->last_load && s->last_fail[0])
		rc = buf_puts(out, "state: empty: no load has worked yet (the reason is below; "
				   "a refresh tries again)\n");
	else if (!rc)
		rc = buf_printf(out, "state: %s%s%s\n", s->offline ? "offline: " : "online",
				s->offline ? s->offline_why : "",
				!s->offline && s->from_disk
					? " (serving the disk copy, revalidating)"
					: "");
	if (!rc && s->last_fail[0])
		rc = buf_printf(out, "last load failed: %s\n", s->last_fail);
	if (!rc && s->running)
		rc = buf_puts(out, "refresh: in progress\n");
	if (!rc && s->prefetch_left)
		rc = buf_printf(out, "prefetch: %zu AWS managed documents left\n",
				s->prefetch_left);
	if (!rc && s->progressing)
		rc = status_loading(out, s, hooks_now(&c->hooks));
	if (!rc && s->fallback)
		rc = buf_puts(out, "warning: GetAccountAuthorizationDetails is denied; loads use "
				   "per-role calls (about 3 calls a role)\n");
	if (!rc && s->nskipped)
		rc = buf_printf(out, "not shown: %zu: %s\n", s->nskipped, s->skipped);
	if (!rc && s->warning[0])
		rc = buf_printf(out, "warning: %s\n", s->warning);
	if (!rc)
		rc = save_status(c->save, out);
	if (!rc)
		rc = pending_status(c->pending, out);
	if (!rc)
		iam_client_each_count(c->o.iam, status_call, &calls);
	rc = rc ? rc : calls.rc;
	if (!rc)
		rc = buf_printf(out, "calls total: %lu\ncache folder: %s\n",
				iam_client_total_calls(c->o.iam), s->folder);
	free(s);
	return rc;
}

void cache_health(struct cache *c, struct cache_health *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->mu);
	out->last_load = c->last_load;
	out->last_attempt = c->last_attempt;
	out->loading = c->running || c->progressing;
	out->offline = c->offline;
	out->failed = c->last_fail[0] != '\0';
	snprintf(out->why, sizeof(out->why), "%s", c->last_fail);
	snprintf(out->account, sizeof(out->account), "%s", c->account ? c->account : "");
	pthread_mutex_unlock(&c->mu);
}
