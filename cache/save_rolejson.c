/*
 * The save of role.json: the fields IAM lets a role change (Description,
 * MaxSessionDuration, PermissionsBoundary, Tags) become the calls of
 * cache/roleplan.h, sent in its fixed order. Same pipeline as a policy save:
 * validate (roledoc.h), refuse a changed read-only field (EPERM), a save changing
 * nothing sends nothing, --dry-run lists the calls, journal, one GetRole for the
 * conflict check, then only the calls for what changed. A call whose answer was
 * lost is settled with GetRole and never sent twice. When a call fails, the
 * refusal says which calls landed and which were not sent, and the file shows
 * IAM's state read again. role.json is always shown as iamfs renders it
 * (render_role), so it reads back in that form, not as the bytes written.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/lookup.h"
#include "cache/render.h"
#include "cache/roledoc.h"
#include "cache/roleplan.h"

#define SAVE_RJ_LIST_MAX 160 /* "UpdateRole, UntagRole, ..." */

/* One role.json save: the saved file, the view's role.json, the calls. */
struct save_rj {
	struct roledoc want, have;
	struct roleplan plan;
	bool landed[ROLEPLAN_NSTEPS];
	int failed; /* the step that failed; -1: none */
};

/* ---- rendering ---- */

/* role.json of IAM's role r, with the view's AttachedPolicies (GetRole has none). */
static struct cache_doc *save_rj_render(const struct iam_role *r, const struct roledoc *have,
					long long mtime)
{
	struct iam_role x = *r;
	struct iam_attached_policy *att = NULL;
	struct cache_doc *d = NULL;
	struct buf b;
	size_t i;

	if (have->nattached && !(att = calloc(have->nattached, sizeof(*att))))
		return NULL;
	for (i = 0; i < have->nattached; i++)
		att[i].arn = have->attached[i];
	x.attached = att;
	x.nattached = have->nattached;
	buf_init(&b, 0);
	if (!render_role(&x, &b))
		d = model_doc_new(b.data ? b.data : "", b.len, mtime);
	buf_cleanup(&b);
	free(att);
	return d;
}

/* IAM's role r as role.json parsed back: what the conflict check and settling compare. */
static int save_rj_parse_iam(const struct iam_role *r, const struct roledoc *have,
			     struct roledoc *out)
{
	struct cache_doc *d = save_rj_render(r, have, 0);
	char msg[ROLEDOC_MSG_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -ENOMEM;
	rc = roledoc_parse(d->bytes, d->len, out, msg, sizeof(msg));
	cache_doc_unref(d);
	return rc ? -EIO : 0;
}

/* Shows IAM's role r (or, NULL, leaves the view's) as the file. */
static void save_rj_show(struct save_ctx *x, const struct iam_role *r, const struct roledoc *have)
{
	struct cache_doc *d;

	if (!r || !(d = save_rj_render(r, have, hooks_now(&x->st->host.hooks))))
		return;
	if (x->st->host.publish(x->st->host.ctx, x->role, CACHE_FILE_ROLE, NULL, d))
		hooks_log(&x->st->host.hooks, LOG_WARNING,
			  "%s/role.json: the view could not show IAM's state", x->role);
	cache_doc_unref(d);
}

/* The file reverts to the view's document (the kernel drops what was written). */
static void save_rj_revert(struct save_ctx *x)
{
	struct cache_change ch = {
		.what = CACHE_CHANGE_FILE_CHANGED, .role = x->role, .kind = CACHE_FILE_ROLE};

	save_emit(x->st, &ch);
}

/* "UpdateRole, TagRole" for the steps of p in from..to that pick says. */
static void save_rj_list(const struct roleplan *p, const bool *pick, int from, char *out,
			 size_t cap)
{
	size_t n = 0;
	int s, w;

	out[0] = '\0';
	for (s = from; s < ROLEPLAN_NSTEPS; s++) {
		if (!p->step[s] || (pick && !pick[s]))
			continue;
		w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", roleplan_step_name(s));
		if (w < 0 || (size_t)w >= cap - n)
			return;
		n += (size_t)w;
	}
}

/* ---- before any call ---- */

static int save_rj_refuse(struct save_ctx *x, int rc, const char *msg)
{
	snprintf(x->res->message, sizeof(x->res->message), "%.200s/role.json: %s", x->role, msg);
	return save_refuse(x, rc, false);
}

static int save_rj_locate(struct save_ctx *x)
{
	struct lookup l;
	enum lookup_result res = lookup_doc(x->v, x->role, CACHE_FILE_ROLE, NULL, &l);

	x->r = l.role;
	x->cur = l.doc;
	if (res == LOOKUP_FOUND)
		return 0;
	return save_rj_refuse(x, -ENOENT, "no such role in IAM (as last read)");
}

/* Parses both documents and refuses what cannot be sent. */
static int save_rj_check(struct save_ctx *x, struct save_rj *rj, unsigned long long base_gen)
{
	char msg[ROLEDOC_MSG_MAX + 200];
	enum roledoc_field f;
	int rc;

	if ((rc = roledoc_parse(x->bytes, x->len, &rj->want, msg, ROLEDOC_MSG_MAX)))
		return save_rj_refuse(x, rc == -ENOMEM ? rc : rc == -EFBIG ? -EFBIG : -EINVAL, msg);
	if ((rc = roledoc_parse(x->cur->bytes, x->cur->len, &rj->have, msg, ROLEDOC_MSG_MAX)))
		return save_rj_refuse(x, rc == -ENOMEM ? rc : -EIO,
				      "the role.json iamfs shows cannot be read back; write to "
				      ".iamfs/refresh and try again");
	f = roleplan_read_only_change(&rj->want, &rj->have);
	if (f != ROLEDOC_FIELD_COUNT) {
		snprintf(msg, sizeof(msg),
			 "\"%s\" cannot be changed (only Description, MaxSessionDuration, "
			 "PermissionsBoundary and Tags can); nothing was sent",
			 roledoc_field_name(f));
		return save_rj_refuse(x, -EPERM, msg);
	}
	if (save_base_check(x->cur, base_gen))
		return save_rj_refuse(x, -ESTALE,
				      "changed since it was read; reload the file (or write to "
				      ".iamfs/refresh) and apply your edit again");
	return roleplan_make(&rj->want, &rj->have, &rj->plan);
}

static int save_rj_noop(struct save_ctx *x)
{
	x->res->noop = true;
	x->res->shown_gen = x->cur->gen;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/role.json holds the same values as IAM; nothing was sent", x->role);
	save_count(x->st, &x->st->noop);
	if (x->cur->len != x->len || memcmp(x->cur->bytes, x->bytes, x->len))
		save_rj_revert(x);
	return 0;
}

static int save_rj_dry_run(struct save_ctx *x, const struct save_rj *rj)
{
	char calls[SAVE_RJ_LIST_MAX];
	int s;

	save_rj_list(&rj->plan, NULL, 0, calls, sizeof(calls));
	x->res->dry_run = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "dry-run: would call %s for %.200s/role.json; nothing was sent", calls, x->role);
	hooks_log(&x->st->host.hooks, LOG_NOTICE, "%s", x->res->message);
	for (s = 0; s < ROLEPLAN_NSTEPS; s++)
		if (rj->plan.step[s])
			save_count(x->st, &x->st->dry[SAVE_UPDATE_ROLE + s]);
	save_rj_revert(x);
	return 0;
}

/* ---- the calls ---- */

static int save_rj_call(struct save_ctx *x, struct iam_conn *conn, const struct roleplan *p, int s)
{
	struct aws_error *e = &x->res->aws;

	aws_error_clear(e);
	x->res->calls++;
	snprintf(x->res->action, sizeof(x->res->action), "%s", roleplan_step_name(s));
	switch (s) {
	case ROLEPLAN_UPDATE:
		return iam_update_role(conn, x->role, p->description, p->max_session_duration, e);
	case ROLEPLAN_UNTAG:
		return iam_untag_role(conn, x->role, p->untag, p->nuntag, e);
	case ROLEPLAN_TAG:
		return iam_tag_role(conn, x->role, p->tag, p->ntag, e);
	case ROLEPLAN_PUT_BOUNDARY:
		return iam_put_role_permissions_boundary(conn, x->role, p->boundary, e);
	default:
		return iam_delete_role_permissions_boundary(conn, x->role, e);
	}
}

/* The failure does not prove that the call did not land (as save_write.c). */
static bool save_rj_ambiguous(int rc, const struct aws_error *e)
{
	return e->maybe_applied || rc == -EAGAIN || rc == -EIO || rc == -ETIMEDOUT;
}

/* GetRole into *role (cleaned first); its error goes to e. */
static int save_rj_read(struct save_ctx *x, struct iam_conn *conn, struct iam_role *role,
			struct aws_error *e)
{
	iam_role_cleanup(role);
	x->res->calls++;
	return iam_get_role(conn, x->role, role, e);
}

/* After an ambiguous failure of step s: 1 landed, 0 not, -errno the read failed.
 * role receives IAM's state. */
static int save_rj_settle(struct save_ctx *x, struct iam_conn *conn, struct save_rj *rj, int s,
			  struct iam_role *role)
{
	struct aws_error e = {0};
	struct roledoc iam;
	int rc = save_rj_read(x, conn, role, &e);

	if (rc)
		return rc;
	if ((rc = save_rj_parse_iam(role, &rj->have, &iam)))
		return rc;
	rc = roleplan_step_landed(&rj->plan, s, &iam);
	roledoc_cleanup(&iam);
	return rc;
}

/* The settling read failed: nothing is known about step rj->failed. The bytes stay
 * in the journal (the next mount compares them with IAM), not under rejected/. */
static int save_rj_unsettled(struct save_ctx *x, const struct save_rj *rj, int rc)
{
	const char *bytes = x->bytes;
	struct aws_error *e = &x->res->aws;
	char done[SAVE_RJ_LIST_MAX];

	x->unsettled = true;
	save_rj_list(&rj->plan, rj->landed, 0, done, sizeof(done));
	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of %.150s/role.json is unsettled: the call failed (%.60s: %.200s) and the "
		 "GetRole that would tell whether it reached IAM failed too; done before it: "
		 "%s; the save stays in the journal and the next mount compares it with IAM",
		 roleplan_step_name(rj->failed), x->role, e->code[0] ? e->code : "error",
		 e->message, done[0] ? done : "nothing");
	x->bytes = NULL;
	rc = save_refuse(x, rc == -EAGAIN ? rc : -EIO, true);
	x->bytes = bytes;
	return rc;
}

/* Step rj->failed failed with rc (IAM's detail in x->res->aws): the file shows IAM's
 * state (role, read again unless fresh) and the refusal says what landed. */
static int save_rj_failed(struct save_ctx *x, struct iam_conn *conn, struct save_rj *rj, int rc,
			  struct iam_role *role, bool fresh)
{
	struct aws_error e = {0};
	char done[SAVE_RJ_LIST_MAX], unsent[SAVE_RJ_LIST_MAX];
	bool shown = fresh || !save_rj_read(x, conn, role, &e);

	if (shown)
		save_rj_show(x, role, &rj->have);
	save_rj_list(&rj->plan, rj->landed, 0, done, sizeof(done));
	save_rj_list(&rj->plan, NULL, rj->failed + 1, unsent, sizeof(unsent));
	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of %.150s/role.json failed: %.60s: %.250s; done before it: %s; not sent: "
		 "%s; %s",
		 roleplan_step_name(rj->failed), x->role,
		 x->res->aws.code[0] ? x->res->aws.code : "error", x->res->aws.message,
		 done[0] ? done : "nothing", unsent[0] ? unsent : "nothing",
		 shown ? "role.json shows IAM's state now"
		       : "IAM's state could not be read again (write to .iamfs/refresh)");
	return save_refuse(x, rc, true);
}

static int save_rj_step(struct save_ctx *x, struct iam_conn *conn, struct save_rj *rj, int s,
			struct iam_role *role)
{
	int rc = save_rj_call(x, conn, &rj->plan, s), found;
	bool fresh = false;

	if (!rc) {
		rj->landed[s] = true;
		return 0;
	}
	rj->failed = s;
	if (save_rj_ambiguous(rc, &x->res->aws)) {
		found = save_rj_settle(x, conn, rj, s, role);
		if (found == 1) {
			rj->landed[s] = true;
			rj->failed = -1;
			aws_error_clear(&x->res->aws);
			return 0;
		}
		if (found < 0)
			return save_rj_unsettled(x, rj, rc);
		fresh = true;
	}
	return save_rj_failed(x, conn, rj, rc, role, fresh);
}

/* The one read: IAM's editable fields must still be the view's. */
static int save_rj_conflict(struct save_ctx *x, struct iam_conn *conn, struct save_rj *rj,
			    struct iam_role *role)
{
	struct roledoc iam;
	bool same;
	int rc = save_rj_read(x, conn, role, &x->res->aws);

	if (rc)
		return save_iam_failed(x, "GetRole", rc);
	if ((rc = save_rj_parse_iam(role, &rj->have, &iam)))
		return save_rj_refuse(x, rc,
				      "IAM's answer to GetRole cannot be shown as role.json");
	same = roleplan_same_editable(&iam, &rj->have);
	roledoc_cleanup(&iam);
	if (same)
		return 0;
	save_rj_show(x, role, &rj->have);
	return save_rj_refuse(x, -ESTALE,
			      "changed in IAM since it was read; the file shows IAM's state now: "
			      "reload it and apply your edit again");
}

/* Every call landed: the file shows IAM's role (role) with the saved values. */
static int save_rj_done(struct save_ctx *x, struct save_rj *rj, const struct iam_role *role)
{
	struct iam_role r = *role;
	const struct roleplan *p = &rj->plan;
	char calls[SAVE_RJ_LIST_MAX];
	struct cache_doc *d;
	int rc = -ENOMEM;

	if (p->description)
		r.description = p->description[0] ? (char *)p->description : NULL;
	if (p->max_session_duration)
		r.max_session_duration = p->max_session_duration;
	r.boundary_arn = rj->want.boundary_arn;
	r.boundary_type = rj->want.boundary_arn ? "Policy" : NULL;
	r.tags = rj->want.tags;
	r.ntags = rj->want.ntags;
	aws_error_clear(&x->res->aws);
	save_count(x->st, &x->st->ok);
	save_rj_list(p, NULL, 0, calls, sizeof(calls));
	snprintf(x->res->message, sizeof(x->res->message), "%s of %.200s/role.json done", calls,
		 x->role);
	if ((d = save_rj_render(&r, &rj->have, hooks_now(&x->st->host.hooks))))
		rc = x->st->host.publish(x->st->host.ctx, x->role, CACHE_FILE_ROLE, NULL, d);
	if (rc)
		hooks_log(&x->st->host.hooks, LOG_WARNING,
			  "%s/role.json is in IAM but the view could not show it: %s", x->role,
			  strerror(-rc));
	else
		x->res->shown_gen = d->gen;
	cache_doc_unref(d);
	return 0;
}

/* ---- the journal ---- */

static int save_rj_journal(struct save_ctx *x)
{
	int rc = -EIO;

	if (x->jid)
		return 0;
	if (x->st->journal)
		rc = journal_begin(x->st->journal, x->role, JOURNAL_ROLE, NULL, x->bytes, x->len,
				   &x->jid);
	if (!rc)
		return 0;
	x->jid = 0;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/role.json: cannot journal the save in the cache folder (%s); nothing "
		 "was sent",
		 x->role, strerror(-rc));
	return save_refuse(x, rc == -EFBIG || rc == -ENAMETOOLONG ? rc : -EIO, false);
}

/* The journal entry ends, or stays for the next mount when the outcome is unknown; a
 * save that landed also ends what earlier unsettled saves of role.json kept. */
static void save_rj_finish(struct save_ctx *x, int rc)
{
	char file[SAVE_PATH_MAX + 16];
	unsigned long long id = x->jid, old;

	snprintf(file, sizeof(file), "%d/%s/", (int)CACHE_FILE_ROLE, x->role);
	x->jid = 0;
	if (x->unsettled) {
		if (save_kept_add(x->st, file, id))
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "%s/role.json: out of memory recording an unsettled save",
				  x->role);
		return;
	}
	while (id) {
		if (journal_end(x->st->journal, id))
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "cannot remove journal entry %llu", id);
		old = rc ? 0 : save_kept_take(x->st, file);
		id = old;
	}
}

static int save_rj_send(struct save_ctx *x, struct save_rj *rj)
{
	struct iam_role role = {0};
	struct iam_conn *conn;
	int rc, s;

	if ((rc = save_rj_journal(x)))
		return rc;
	if (!(conn = x->st->host.conn(x->st->host.ctx))) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		rc = save_iam_failed(x, "GetRole", -EIO);
	} else {
		rc = save_rj_conflict(x, conn, rj, &role);
	}
	for (s = 0; !rc && s < ROLEPLAN_NSTEPS; s++)
		if (rj->plan.step[s])
			rc = save_rj_step(x, conn, rj, s, &role);
	if (!rc)
		rc = save_rj_done(x, rj, &role);
	save_rj_finish(x, rc);
	iam_role_cleanup(&role);
	return rc;
}

_Static_assert(SAVE_DELETE_BOUNDARY - SAVE_UPDATE_ROLE == ROLEPLAN_DELETE_BOUNDARY,
	       "save actions of role.json follow roleplan's steps");

int save_role_json(struct save_ctx *x, unsigned long long base_gen)
{
	struct save_rj rj = {.failed = -1};
	int rc = save_rj_locate(x);

	if (!rc)
		rc = save_rj_check(x, &rj, base_gen);
	if (!rc && roleplan_empty(&rj.plan))
		rc = save_rj_noop(x);
	else if (!rc && x->st->host.dry_run)
		rc = save_rj_dry_run(x, &rj);
	else if (!rc)
		rc = save_rj_send(x, &rj);
	roleplan_cleanup(&rj.plan);
	roledoc_cleanup(&rj.want);
	roledoc_cleanup(&rj.have);
	return rc;
}

bool save_role_json_landed(const char *bytes, size_t len, const struct cache_doc *cur)
{
	struct roledoc want = {0}, have = {0};
	struct roleplan p;
	bool landed = false;

	if (cur && !roledoc_parse(bytes, len, &want, NULL, 0) &&
	    !roledoc_parse(cur->bytes, cur->len, &have, NULL, 0) &&
	    !roleplan_make(&want, &have, &p)) {
		landed = roleplan_empty(&p);
		roleplan_cleanup(&p);
	}
	roledoc_cleanup(&want);
	roledoc_cleanup(&have);
	return landed;
}
