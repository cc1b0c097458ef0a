/*
 * The steps every kind of save shares (save.c's policy saves, save_attach.c,
 * save_create.c, save_remove.c, save_rolejson.c, save_delrole.c): the in-flight
 * marker that serializes the saves of one role (or one managed policy), the host's
 * connection, view, publication and "called" report, telling on_change, --dry-run
 * (log, count, the file reverts), journaling a save before its first call, and
 * the end of a save that sent (its journal entry ends, or stays for the next mount
 * when unsettled). It calls only save_record.c and save_decide.c.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/journal.h"
#include "cache/model.h"

/* ---- in-flight markers ---- */

int save_busy_enter(struct save_state *st, const char *key)
{
	char *k = strdup(key);
	size_t i;

	if (!k)
		return -ENOMEM;
	pthread_mutex_lock(&st->mu);
	for (;;) {
		for (i = 0; i < st->nbusy && strcmp(st->busy[i], key); i++)
			;
		if (i == st->nbusy)
			break;
		pthread_cond_wait(&st->cond, &st->mu);
	}
	if (st->nbusy == st->capbusy) {
		size_t ncap = st->capbusy ? st->capbusy * 2 : 8;
		char **v = realloc(st->busy, ncap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&st->mu);
			free(k);
			return -ENOMEM;
		}
		st->busy = v;
		st->capbusy = ncap;
	}
	st->busy[st->nbusy++] = k;
	pthread_mutex_unlock(&st->mu);
	return 0;
}

void save_busy_leave(struct save_state *st, const char *key)
{
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nbusy; i++) {
		if (!strcmp(st->busy[i], key)) {
			free(st->busy[i]);
			st->busy[i] = st->busy[--st->nbusy];
			break;
		}
	}
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mu);
}

/* ---- the host ---- */

struct iam_conn *save_conn(struct save_state *st)
{
	return st->host.conn(st->host.ctx);
}

struct cache_view *save_view(struct save_state *st)
{
	return st->host.view_get(st->host.ctx);
}

int save_publish(struct save_state *st, const char *role, enum cache_file_kind kind,
		 const char *name, struct cache_doc *doc)
{
	return st->host.publish(st->host.ctx, role, kind, name, doc);
}

/* After a save: when it sent calls, tells the host how the last one went. */
void save_called(struct save_ctx *x)
{
	if (x->res->calls)
		x->st->host.called(x->st->host.ctx, &x->res->aws);
}

/* ---- telling and --dry-run ---- */

/* Tells on_change that x's file changed as what says (a dry run reverts it). */
static void save_tell(const struct save_ctx *x, int what)
{
	struct cache_change ch = {.role = x->role, .kind = x->kind, .name = x->name};

	ch.what = what;
	save_emit(x->st, &ch);
}

/* --dry-run: log and count the call that would be made; the file reverts. */
int save_dry_run(struct save_ctx *x)
{
	x->res->dry_run = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "dry-run: would call %s for %.200s/%.300s%s%.300s; nothing was sent",
		 save_action_names[x->action], x->role, x->path, x->arn ? " on " : "",
		 x->arn ? x->arn : "");
	hooks_log(&x->st->host.hooks, LOG_NOTICE, "%s", x->res->message);
	save_count(x->st, &x->st->dry[x->action]);
	if (x->action == SAVE_DELETE_INLINE || x->action == SAVE_DETACH)
		save_tell(x, CACHE_CHANGE_FILE_ADDED);
	else if (x->cur)
		save_tell(x, CACHE_CHANGE_FILE_CHANGED);
	else
		save_tell(x, CACHE_CHANGE_FILE_REMOVED);
	return 0;
}

int save_journal(struct save_ctx *x, enum journal_kind kind, const char *name, const char *bytes,
		 size_t len, unsigned long long *jid)
{
	int rc = -EIO;

	if (x->st->journal)
		rc = journal_begin(x->st->journal, x->role, kind, name, bytes, len, jid);
	if (!rc)
		return 0;
	snprintf(
		x->res->message, sizeof(x->res->message),
		"%.200s/%.300s: cannot journal the save in the cache folder (%s); nothing was sent",
		x->role, x->path, strerror(-rc));
	return save_refuse(x, rc == -EFBIG || rc == -ENAMETOOLONG ? rc : -EIO, false);
}

int save_begin(struct save_ctx *x, unsigned long long *jid)
{
	static const enum journal_kind jk[SAVE_NACTIONS] = {
		[SAVE_UPDATE_TRUST] = JOURNAL_TRUST,
		[SAVE_PUT_INLINE] = JOURNAL_INLINE,
		[SAVE_CREATE_VERSION] = JOURNAL_MANAGED,
		[SAVE_DELETE_INLINE] = JOURNAL_INLINE_DELETE,
		[SAVE_UPDATE_ROLE] = JOURNAL_ROLE,
		[SAVE_UNTAG_ROLE] = JOURNAL_ROLE,
		[SAVE_TAG_ROLE] = JOURNAL_ROLE,
		[SAVE_PUT_BOUNDARY] = JOURNAL_ROLE,
		[SAVE_DELETE_BOUNDARY] = JOURNAL_ROLE,
		[SAVE_DETACH] = JOURNAL_DETACH,
		[SAVE_DELETE_ROLE] = JOURNAL_ROLE_DELETE,
		[SAVE_ATTACH] = JOURNAL_ATTACH,
		[SAVE_CREATE_POLICY] = JOURNAL_CREATE_POLICY};
	const char *name = x->kind == CACHE_FILE_ATTACHED ? x->arn : x->name;
	bool removal = save_action_removes(x->action);

	return save_journal(x, jk[x->action], name, removal ? NULL : x->bytes, removal ? 0 : x->len,
			    jid);
}

void save_end(struct save_ctx *x, unsigned long long jid)
{
	int rc;

	if (x->jid == jid)
		x->jid = 0;
	rc = journal_end(x->st->journal, jid);

	if (rc)
		hooks_log(&x->st->host.hooks, LOG_WARNING, "cannot remove journal entry %llu: %s",
			  jid, strerror(-rc));
}

/* The end of a save that sent: its journal entry ends, or stays for the next mount
 * when the outcome is unsettled; a save that landed also ends what earlier
 * unsettled saves of the same file kept (IAM now holds newer bytes). */
void save_finish(struct save_ctx *x, unsigned long long jid, int rc)
{
	char file[SAVE_KEY_MAX];
	unsigned long long old;

	snprintf(file, sizeof(file), "%d/%s/%s", (int)x->kind, x->role, x->name ? x->name : "");
	if (x->unsettled) {
		if (save_kept_add(x->st, file, jid))
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "%s/%s: out of memory recording an unsettled save", x->role,
				  x->path);
		x->jid = 0; /* kept for the next mount */
		return;
	}
	save_end(x, jid);
	while (!rc && (old = save_kept_take(x->st, file)))
		save_end(x, old);
}
