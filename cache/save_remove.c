/*
 * Removals through the save pipeline, reached only when the mount allows deletes
 * (fs decides that): rm of inline/X.json (DeleteRolePolicy), rm of attached/X.json
 * (DetachRolePolicy: the managed policy itself is never deleted), rmdir of a role
 * folder (RemoveRoleFromInstanceProfile for each of its instance profiles, then
 * DeleteRole). Each keeps what it removes under removed/ before its first call,
 * is journaled, honours --read-only and --dry-run, settles an ambiguous failure
 * with a read (gone: it landed; NoSuchEntity on the call: already gone, done) and
 * publishes the new view through the host. Their calls and settling reads are
 * save_calls.c's (sent through save_write.c), the shared steps save_step.c's.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/layout.h"
#include "cache/model.h"
#include "cache/removed.h"
#include "cache/render.h"

#define SAVE_REMOVE_KEY_MAX (JOURNAL_NAME_MAX + 8)
#define SAVE_ARN_LINE_MAX   2100
#define SAVE_NOTE_MAX	    700

/* Keeps what x removes under removed/ (what: its name there, bytes: its content);
 * refused and recorded when it cannot be kept. */
int save_keep_removed(struct save_ctx *x, const char *what, const char *bytes, size_t len)
{
	char name[REJECTS_NAME_MAX + 1];
	int rc = x->st->removed ? removed_add(x->st->removed, hooks_now(&x->st->host.hooks),
					      x->role, what, bytes, len, name, sizeof(name))
				: -ENOMEM;

	if (!rc) {
		hooks_log(&x->st->host.hooks, LOG_NOTICE,
			  "%s/%s: a copy is kept as .iamfs/removed/%s", x->role, what, name);
		return 0;
	}
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s: cannot keep a copy of its %.300s (what %s removes) under "
		 ".iamfs/removed/ in the cache folder (%s); nothing was sent",
		 x->role, what, save_action_names[x->action], strerror(-rc));
	return save_refuse(x, -EIO, false);
}

void save_remove_note(struct save_ctx *x, int rc)
{
	char landed[SAVE_NOTE_MAX], msg[SAVE_NOTE_MAX + 256];
	struct rejects_event ev = {.time = hooks_now(&x->st->host.hooks),
				   .role = x->role,
				   .path = x->path,
				   .err = rc,
				   .message = msg};
	char kept[REJECTS_NAME_MAX + 1];

	removed_marks(x->st->removed, x->role, landed, sizeof(landed));
	if (!landed[0])
		return;
	snprintf(msg, sizeof(msg),
		 "removal stopped here (%s not done); removed before it in this mount: %s "
		 "(copies under .iamfs/removed/)",
		 save_action_names[x->action], landed);
	hooks_log(&x->st->host.hooks, LOG_WARNING, "%s/%s: %s", x->role, x->path, msg);
	save_record(x->st, &ev, kept, sizeof(kept));
}

/* The view after a detach: the attachment gone, role.json without the ARN. */
static int save_publish_detach(struct save_ctx *x)
{
	struct model_edit e = {.op = MODEL_EDIT_DETACH,
			       .role = x->role,
			       .kind = CACHE_FILE_ATTACHED,
			       .name = x->name};
	const struct cache_doc *rj = x->r ? x->r->role_json : NULL;
	struct buf b;
	int rc;

	buf_init(&b, BUF_DEFAULT_MAX);
	if (rj && !render_role_attached(rj->bytes, rj->len, x->arn, false, &b))
		e.role_json = model_doc_new(b.data, b.len, hooks_now(&x->st->host.hooks));
	rc = x->st->host.publish_edit(x->st->host.ctx, &e);
	cache_doc_unref(e.role_json);
	buf_cleanup(&b);
	return rc;
}

/* Keep, call (settled), publish; x->jid is the entry journaled at acceptance. */
static int save_remove_send(struct save_ctx *x, const char *what, const char *bytes, size_t len)
{
	struct iam_policy_version ver = {0};
	struct iam_conn *conn;
	unsigned long long jid = x->jid;
	long long mtime;
	int rc;

	if ((rc = save_keep_removed(x, what, bytes, len)))
		return rc;
	if (!jid && (rc = save_begin(x, &jid)))
		return rc;
	if (!(conn = save_conn(x->st))) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		rc = save_iam_failed(x, save_action_names[x->action], -EIO);
	} else {
		rc = save_write(x, conn, NULL, &mtime, &ver);
	}
	if (!rc)
		removed_mark(x->st->removed, x->role, x->path);
	else
		save_remove_note(x, rc);
	if (!rc) {
		if (x->action == SAVE_DETACH)
			save_publish_detach(x);
		else
			save_publish(x->st, x->role, CACHE_FILE_INLINE, x->name, NULL);
		save_count(x->st, &x->st->ok);
		snprintf(x->res->message, sizeof(x->res->message),
			 "%s of %.200s/%.300s done%s%.300s", save_action_names[x->action], x->role,
			 x->path, x->arn ? " (the managed policy stays in IAM): " : "",
			 x->arn ? x->arn : "");
	}
	save_finish(x, jid, rc);
	iam_policy_version_cleanup(&ver);
	return rc;
}

/* What x removes, found in x->v: 0 with x->cur/x->arn set, or -ENOENT. */
static int save_remove_locate(struct save_ctx *x)
{
	const struct cache_inline *in;
	const struct cache_attached *at;

	x->r = cache_view_find(x->v, x->role);
	if (x->kind == CACHE_FILE_INLINE && (in = cache_role_find_inline(x->r, x->name))) {
		x->cur = in->doc;
		return 0;
	}
	if (x->kind == CACHE_FILE_ATTACHED && (at = cache_role_find_attached(x->r, x->name))) {
		x->arn = at->arn;
		x->cur = at->doc; /* NULL for an AWS managed document not fetched */
		return 0;
	}
	snprintf(x->res->message, sizeof(x->res->message), "%.200s/%.300s: no such %s policy",
		 x->role, x->path, x->kind == CACHE_FILE_INLINE ? "inline" : "attached");
	return -ENOENT;
}

/* The removal once x has the role to itself (x->v held). */
static int save_remove_run(struct save_ctx *x)
{
	char what[SAVE_PATH_MAX], line[SAVE_ARN_LINE_MAX];
	int rc = save_remove_locate(x);

	if (rc)
		return rc;
	if (x->kind == CACHE_FILE_INLINE) {
		/* No bytes were written: a refusal keeps the last content. */
		x->bytes = x->cur ? x->cur->bytes : NULL;
		x->len = x->cur ? x->cur->len : 0;
		snprintf(what, sizeof(what), "%s", x->path);
	} else {
		snprintf(line, sizeof(line), "%s\n", x->arn);
		x->bytes = line;
		x->len = strlen(line);
		snprintf(what, sizeof(what), "detached-%s.txt", x->name);
	}
	if (x->st->host.dry_run)
		return save_dry_run(x);
	return save_remove_send(x, what, x->bytes, x->len);
}

int save_remove(struct save_ctx *x)
{
	struct save_state *st = x->st;
	char key[SAVE_REMOVE_KEY_MAX];
	int rc;

	if (!x->role || !x->name ||
	    (x->kind != CACHE_FILE_INLINE && x->kind != CACHE_FILE_ATTACHED))
		return -EINVAL;
	x->action = x->kind == CACHE_FILE_INLINE ? SAVE_DELETE_INLINE : SAVE_DETACH;
	layout_path(layout_of_file(x->kind), NULL, x->name, x->path, sizeof(x->path));
	snprintf(x->res->action, sizeof(x->res->action), "%s", save_action_names[x->action]);
	if (st->host.read_only) {
		snprintf(x->res->message, sizeof(x->res->message),
			 "%.200s/%.300s: the filesystem is mounted read-only", x->role, x->path);
		return -EROFS;
	}
	snprintf(key, sizeof(key), "r:%s", x->role);
	if ((rc = save_busy_enter(st, key)))
		return rc;
	x->v = save_view(st);
	rc = save_remove_run(x);
	save_called(x);
	cache_view_put(x->v);
	save_busy_leave(st, key);
	return rc;
}
