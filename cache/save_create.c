/*
 * Saves into a pending role's folder (cache/pending.h): a role IAM does not have
 * yet. Its role.json holds the settings the role will be created with (Path,
 * Description, MaxSessionDuration, PermissionsBoundary, Tags): validated by
 * roledoc.h and kept in the pending store, no call. Its trust.json creates the
 * role: the trust policy validated as any trust save, the role.json fields read
 * back, --dry-run honoured, one CreateRole journaled before it is sent and sent
 * through save_write (an ambiguous failure settled with GetRole; an unknown
 * principal retried), then the real role published (MODEL_EDIT_ROLE_ADD) with
 * role.json rendered from IAM's answer; the pending folder is gone with it.
 * Every refusal is recorded with its bytes, and the folder stays pending.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/journal.h"
#include "cache/layout.h"
#include "cache/model.h"
#include "cache/render.h"
#include "cache/roledoc.h"
#include "cache/validate.h"

/* What a pending role's role.json may hold: the settings CreateRole takes. */
#define SAVE_CREATE_FIELDS (ROLEDOC_EDITABLE | ROLEDOC_BIT(ROLEDOC_PATH))

bool save_role_pending(struct save_state *st, const char *role)
{
	struct cache_view *v = st->host.view_get(st->host.ctx);
	const struct cache_role *r = cache_view_find(v, role);
	bool pending = r && r->pending;

	cache_view_put(v);
	return pending;
}

/* The first field of d a pending role.json may not hold, or -1. */
static int save_create_extra(const struct roledoc *d)
{
	for (int f = 0; f < ROLEDOC_FIELD_COUNT; f++)
		if ((d->present & ROLEDOC_BIT(f)) && !(SAVE_CREATE_FIELDS & ROLEDOC_BIT(f)))
			return f;
	return -1;
}

/* Parses a pending role.json (bytes) and checks its fields: 0, or -EINVAL with the
 * sentence in msg. */
static int save_create_parse(const char *bytes, size_t len, struct roledoc *d, char *msg,
			     size_t cap)
{
	char why[ROLEDOC_MSG_MAX];
	int f, rc = roledoc_parse(bytes, len, d, why, sizeof(why));

	if (rc) {
		snprintf(msg, cap, "%s", rc == -ENOMEM ? "out of memory" : why);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if ((f = save_create_extra(d)) >= 0) {
		snprintf(msg, cap,
			 "%s is IAM's to set, not a setting of a role being created (role.json of "
			 "a new role may hold Path, Description, MaxSessionDuration, "
			 "PermissionsBoundary and Tags)",
			 roledoc_field_name((enum roledoc_field)f));
		return -EINVAL;
	}
	return 0;
}

/* role.json of a pending role: validated, then kept in the pending store (the
 * host's publication does that for a pending role), no call. */
static int save_pending_json(struct save_ctx *x)
{
	struct roledoc d;
	struct cache_doc *doc;
	char msg[ROLEDOC_MSG_MAX + 64];
	int rc = save_create_parse(x->bytes, x->len, &d, msg, sizeof(msg));

	roledoc_cleanup(&d);
	if (rc) {
		snprintf(x->res->message, sizeof(x->res->message), "%.200s/role.json: %s", x->role,
			 msg);
		return save_refuse(x, rc, false);
	}
	x->cur = x->r->role_json;
	if (x->cur && x->cur->len == x->len && !memcmp(x->cur->bytes, x->bytes, x->len)) {
		x->res->noop = true;
		return 0;
	}
	if (!(doc = model_doc_new(x->bytes, x->len, hooks_now(&x->st->host.hooks))))
		return -ENOMEM;
	rc = x->st->host.publish(x->st->host.ctx, x->role, CACHE_FILE_ROLE, NULL, doc);
	cache_doc_unref(doc);
	if (rc) {
		snprintf(x->res->message, sizeof(x->res->message),
			 "%.200s/role.json: cannot keep it in the cache folder (%s)", x->role,
			 strerror(-rc));
		return save_refuse(x, -EIO, false);
	}
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/role.json kept for the role's creation (nothing sent)", x->role);
	save_count(x->st, &x->st->ok);
	return 0;
}

/* The trust policy, checked as any trust save's. */
static int save_create_validate(struct save_ctx *x)
{
	struct validate_result vr;
	int rc = validate_policy(VALIDATE_TRUST, NULL, x->bytes, x->len, VALIDATE_DEFAULT_BUDGET,
				 &vr);

	if (!rc)
		return 0;
	snprintf(x->res->message, sizeof(x->res->message), "%.200s/%.300s: %s", x->role, x->path,
		 vr.message);
	return save_refuse(x, rc, false);
}

/* CreateRole's input from the role.json kept for the role (d is filled; the
 * caller cleans it). A role.json that no longer passes is refused like a save. */
static int save_create_input(struct save_ctx *x, struct roledoc *d, const char *trust,
			     struct iam_create_role_input *in)
{
	const struct cache_doc *rj = x->r->role_json;
	char msg[ROLEDOC_MSG_MAX + 64];
	int rc;

	memset(d, 0, sizeof(*d));
	*in = (struct iam_create_role_input){.name = x->role, .trust_policy = trust};
	if (!rj)
		return 0;
	if ((rc = save_create_parse(rj->bytes, rj->len, d, msg, sizeof(msg)))) {
		snprintf(x->res->message, sizeof(x->res->message),
			 "%.200s/role.json kept for the role no longer passes (%s); fix it first",
			 x->role, msg);
		return save_refuse(x, rc, false);
	}
	in->path = d->path;
	in->description = d->description;
	in->max_session_duration = d->max_session_duration;
	in->boundary_arn = d->boundary_arn;
	in->tags = d->tags;
	in->ntags = d->ntags;
	return 0;
}

/* --dry-run: the call that would be made, logged and counted; the folder stays
 * pending and trust.json absent. */
static int save_create_dry_run(struct save_ctx *x, const struct iam_create_role_input *in)
{
	struct cache_change ch = {
		.what = CACHE_CHANGE_FILE_REMOVED, .role = x->role, .kind = CACHE_FILE_TRUST};

	x->res->dry_run = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "dry-run: would call CreateRole for %.200s (path %.200s, %zu tags%s%s%s); "
		 "nothing was sent",
		 x->role, in->path ? in->path : "/", in->ntags,
		 in->description ? ", a description" : "",
		 in->max_session_duration ? ", a session duration" : "",
		 in->boundary_arn ? ", a permissions boundary" : "");
	hooks_log(&x->st->host.hooks, LOG_NOTICE, "%s", x->res->message);
	save_count(x->st, &x->st->dry[SAVE_CREATE_ROLE]);
	save_emit(x->st, &ch);
	return 0;
}

/* The real role, published in place of the pending one: trust.json as written,
 * role.json rendered from IAM's answer, both dated with the role's CreateDate. */
static int save_create_publish(struct save_ctx *x, long long mtime)
{
	struct model_edit e = {.op = MODEL_EDIT_ROLE_ADD, .role = x->role};
	struct buf b;
	int rc = -ENOMEM;

	if (x->created->create_time)
		mtime = x->created->create_time;
	e.mtime = mtime;
	buf_init(&b, 0);
	if (!render_role(x->created, &b) && b.len) {
		size_t len = b.len;

		e.role_json = model_doc_take(buf_steal(&b), len, mtime);
	}
	e.trust = model_doc_new(x->bytes, x->len, mtime);
	if (e.trust && e.role_json)
		rc = x->st->host.publish_edit(x->st->host.ctx, &e);
	buf_cleanup(&b);
	cache_doc_unref(e.trust);
	cache_doc_unref(e.role_json);
	return rc;
}

/* The journal entry of the create (made at acceptance, or now). */
static int save_create_journal(struct save_ctx *x)
{
	int rc = -EIO;

	if (x->jid)
		return 0;
	if (x->st->journal)
		rc = journal_begin(x->st->journal, x->role, JOURNAL_CREATE_ROLE, NULL, x->bytes,
				   x->len, &x->jid);
	if (!rc)
		return 0;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/%.300s: cannot journal the create in the cache folder (%s); nothing "
		 "was sent",
		 x->role, x->path, strerror(-rc));
	return save_refuse(x, rc == -EFBIG ? rc : -EIO, false);
}

/* Journal, CreateRole (save_write: settled, an unknown principal retried), publish. */
static int save_create_send(struct save_ctx *x, struct iam_create_role_input *in,
			    struct iam_role *created)
{
	struct iam_policy_version ver = {0};
	struct iam_conn *conn;
	char key[JOURNAL_NAME_MAX + 16];
	long long mtime;
	int rc;

	if ((rc = save_create_journal(x)))
		return rc;
	x->create = in;
	x->created = created;
	if (!(conn = x->st->host.conn(x->st->host.ctx))) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		rc = save_iam_failed(x, "CreateRole", -EIO);
	} else {
		rc = save_write(x, conn, in->trust_policy, &mtime, &ver);
	}
	iam_policy_version_cleanup(&ver);
	if (x->unsettled) {
		snprintf(key, sizeof(key), "create/%s", x->role);
		if (save_kept_add(x->st, key, x->jid))
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "%s: out of memory recording an unsettled create", x->role);
		x->jid = 0; /* kept for the next mount */
		return rc;
	}
	if (rc)
		return rc; /* recorded by save_write; the folder stays pending */
	save_count(x->st, &x->st->ok);
	snprintf(x->res->message, sizeof(x->res->message), "CreateRole of %.200s done", x->role);
	if ((rc = save_create_publish(x, mtime)))
		hooks_log(&x->st->host.hooks, LOG_WARNING,
			  "%s is in IAM but the view could not show it yet: %s", x->role,
			  strerror(-rc));
	return 0;
}

int save_create(struct save_ctx *x)
{
	struct iam_create_role_input in;
	struct iam_role created = {0};
	struct roledoc d = {0};
	char *trust = NULL;
	int rc;

	x->action = SAVE_CREATE_ROLE;
	x->cur = NULL;
	snprintf(x->res->action, sizeof(x->res->action), "CreateRole");
	if ((rc = save_create_validate(x)))
		return rc;
	if (!(trust = strndup(x->bytes, x->len)))
		return -ENOMEM;
	rc = save_create_input(x, &d, trust, &in);
	if (!rc)
		rc = x->st->host.dry_run ? save_create_dry_run(x, &in)
					 : save_create_send(x, &in, &created);
	x->create = NULL;
	x->created = NULL;
	iam_role_cleanup(&created);
	roledoc_cleanup(&d);
	free(trust);
	return rc;
}

int save_pending_run(struct save_ctx *x)
{
	if (x->kind == CACHE_FILE_ROLE)
		return save_pending_json(x);
	if (x->kind == CACHE_FILE_TRUST)
		return save_create(x);
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s is not created yet: it has no inline or attached policies", x->role);
	return save_refuse(x, -ENOENT, false);
}
