/*
 * Attaching a managed policy through a new name in attached/ (save.h's pipeline,
 * entered from save_run when the role attaches no policy of that name):
 *
 *   closed empty (touch)  the name resolves (policies.h) to this account's customer
 *                         managed policy, else the AWS managed one; in neither:
 *                         ENOENT; in both: EINVAL, attach by ARN instead;
 *   ln -s ARN             that ARN, whose last part must be the name (EINVAL);
 *   a document            validated as a managed policy; no policy of that name:
 *                         CreatePolicy then AttachRolePolicy; a customer managed one
 *                         holding the same JSON value: AttachRolePolicy alone;
 *                         another document, or an AWS managed one: EEXIST.
 *
 * Then as every save: --dry-run logs the calls and sends nothing; each call is
 * journaled before it is sent and an ambiguous failure is settled by a read
 * (CreatePolicy: GetPolicy of the ARN it would have, never created twice;
 * AttachRolePolicy: ListAttachedRolePolicies); the attachment is published as one
 * MODEL_EDIT_ATTACH with role.json re-rendered to list the ARN.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "aws/iso8601.h"
#include "cache/load.h"
#include "cache/policies.h"
#include "cache/render.h"
#include "cache/validate.h"

#define ATTACH_SENDS_MAX 2 /* the first call and one resend after a read proved it safe */

/* What the attach will do, decided before anything is sent. */
struct attach_plan {
	char arn[POLICIES_ARN_MAX];
	bool create;	       /* CreatePolicy first (x->bytes is its document) */
	struct cache_doc *doc; /* customer managed: the document to publish (+1 ref) */
	long long created;     /* CreatePolicy: the policy's CreateDate */
};

static int attach_refuse(struct save_ctx *x, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int attach_refuse(struct save_ctx *x, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->res->message, sizeof(x->res->message), fmt, ap);
	va_end(ap);
	return save_refuse(x, rc, false);
}

static struct iam_conn *attach_conn(struct save_ctx *x)
{
	struct iam_conn *conn = x->st->host.conn(x->st->host.ctx);

	if (!conn) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		save_iam_failed(x, save_action_names[x->action], -EIO);
	}
	return conn;
}

/* The document the view already shares for a customer managed arn (+1 ref), or NULL. */
static struct cache_doc *attach_view_doc(const struct cache_view *v, const char *arn)
{
	size_t i, j;

	for (i = 0; v && i < v->nroles; i++)
		for (j = 0; j < v->roles[i].natt; j++)
			if (!strcmp(v->roles[i].att[j].arn, arn) && v->roles[i].att[j].doc) {
				cache_doc_ref(v->roles[i].att[j].doc);
				return v->roles[i].att[j].doc;
			}
	return NULL;
}

/* A customer managed policy's default document: the view's, else GetPolicy +
 * GetPolicyVersion (NoSuchEntity: ENOENT, refused). */
static int attach_fetch_doc(struct save_ctx *x, struct attach_plan *pl)
{
	struct iam_conn *conn;
	int rc;

	if ((pl->doc = attach_view_doc(x->v, pl->arn)))
		return 0;
	if (!(conn = attach_conn(x)))
		return -EIO;
	rc = load_policy_doc(conn, pl->arn, &pl->doc, &x->res->aws);
	x->res->calls += 2;
	if (rc == -ENOENT)
		return attach_refuse(x, rc, "%.120s/%.150s: no managed policy %.300s in IAM",
				     x->role, x->path, pl->arn);
	return rc ? save_iam_failed(x, "GetPolicy", rc) : 0;
}

/* ln -s ARN attached/NAME.json. */
static int attach_plan_link(struct save_ctx *x, struct attach_plan *pl)
{
	char why[800];

	if (policies_arn_check(x->attach_arn, x->name, why, sizeof(why)))
		return attach_refuse(x, -EINVAL, "%.120s/%.150s: cannot attach by ARN: %s", x->role,
				     x->path, why);
	snprintf(pl->arn, sizeof(pl->arn), "%s", x->attach_arn);
	return model_arn_is_aws_managed(pl->arn) ? 0 : attach_fetch_doc(x, pl);
}

/* Resolves x->name in both scopes. */
static int attach_resolve(struct save_ctx *x, struct policies_match *m)
{
	struct iam_conn *conn = attach_conn(x);
	unsigned calls = 0;
	int rc;

	if (!conn)
		return -EIO;
	rc = policies_resolve(x->st->pol, conn, x->name, m, &calls, &x->res->aws);
	x->res->calls += calls;
	return rc ? save_iam_failed(x, "ListPolicies", rc) : 0;
}

/* touch attached/NAME.json. */
static int attach_plan_name(struct save_ctx *x, struct attach_plan *pl)
{
	struct policies_match m;
	int rc = attach_resolve(x, &m);

	if (rc)
		return rc;
	if (m.local[0] && m.aws[0])
		return attach_refuse(
			x, -EINVAL,
			"%.120s/%.150s: \"%.200s\" names both this account's policy %.250s and the "
			"AWS managed policy %.250s; attach one by its ARN: ln -s ARN "
			"attached/%.200s.json",
			x->role, x->path, x->name, m.local, m.aws, x->name);
	if (!m.local[0] && !m.aws[0])
		return attach_refuse(
			x, -ENOENT,
			"%.120s/%.150s: no managed policy is named \"%.200s\" (neither "
			"this account's nor an AWS managed one)",
			x->role, x->path, x->name);
	snprintf(pl->arn, sizeof(pl->arn), "%s", m.local[0] ? m.local : m.aws);
	return m.local[0] ? attach_fetch_doc(x, pl) : 0;
}

/* A document written to a new name: create, attach as is, or EEXIST. */
static int attach_plan_doc(struct save_ctx *x, struct attach_plan *pl)
{
	struct validate_result vr;
	struct policies_match m;
	const struct cache_doc *rj = x->r ? x->r->role_json : NULL;
	int rc = validate_policy(VALIDATE_MANAGED, NULL, x->bytes, x->len, VALIDATE_DEFAULT_BUDGET,
				 &vr);

	if (rc)
		return attach_refuse(x, rc, "%.120s/%.150s: %s", x->role, x->path, vr.message);
	if ((rc = attach_resolve(x, &m)))
		return rc;
	if (!m.local[0] && m.aws[0])
		return attach_refuse(
			x, -EEXIST,
			"%.120s/%.150s: %.250s is an AWS managed policy, whose document "
			"cannot be written; touch attached/%.200s.json attaches it as it is",
			x->role, x->path, m.aws, x->name);
	if (!m.local[0]) {
		pl->create = true;
		if (!rj || policies_arn_for(rj->bytes, rj->len, x->name, pl->arn, sizeof(pl->arn)))
			return attach_refuse(x, -EIO, "%.120s/%.150s: the role's ARN is not known",
					     x->role, x->path);
		return 0;
	}
	snprintf(pl->arn, sizeof(pl->arn), "%s", m.local);
	if ((rc = attach_fetch_doc(x, pl)))
		return rc;
	if (validate_same_value(x->bytes, x->len, pl->doc->bytes, pl->doc->len) != 1)
		return attach_refuse(
			x, -EEXIST,
			"%.120s/%.150s: the policy %.250s already exists with another "
			"document; edit it where a role attaches it, or pick another name",
			x->role, x->path, pl->arn);
	return 0;
}

/* --dry-run: the calls it would make are logged and counted; the name goes away. */
static int attach_dry_run(struct save_ctx *x, const struct attach_plan *pl)
{
	struct cache_change ch = {.what = CACHE_CHANGE_FILE_REMOVED,
				  .role = x->role,
				  .kind = x->kind,
				  .name = x->name};

	x->res->dry_run = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "dry-run: would call %s%.200s%sAttachRolePolicy on %.300s for %.120s/%.150s; "
		 "nothing was sent",
		 pl->create ? "CreatePolicy " : "", pl->create ? x->name : "",
		 pl->create ? " then " : "", pl->arn, x->role, x->path);
	hooks_log(&x->st->host.hooks, LOG_NOTICE, "%s", x->res->message);
	if (pl->create)
		save_count(x->st, &x->st->dry[SAVE_CREATE_POLICY]);
	save_count(x->st, &x->st->dry[SAVE_ATTACH]);
	save_emit(x->st, &ch);
	return 0;
}

/* What a settling read found. */
enum attach_found { ATTACH_OURS, ATTACH_ABSENT, ATTACH_OTHER };

/* CreatePolicy's settling read: the policy at the ARN it would have, and whether
 * its document is ours; -errno when the read failed. */
static int attach_settle_create(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl)
{
	struct aws_error e = {0};
	struct cache_doc *d = NULL;
	int rc = load_policy_doc(conn, pl->arn, &d, &e);

	x->res->calls += 2;
	if (rc == -ENOENT)
		return ATTACH_ABSENT;
	if (rc)
		return rc;
	rc = validate_same_value(x->bytes, x->len, d->bytes, d->len) == 1 ? ATTACH_OURS
									  : ATTACH_OTHER;
	if (rc == ATTACH_OURS)
		pl->created = d->mtime;
	cache_doc_unref(d);
	return rc;
}

/* Sends call (CreatePolicy or AttachRolePolicy) once, and once more only when
 * settle read that it did not land: 0, -errno, or save_unsettled's refusal. */
static int
attach_send_settled(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl,
		    int (*call)(struct save_ctx *, struct iam_conn *, struct attach_plan *),
		    int (*settle)(struct save_ctx *, struct iam_conn *, struct attach_plan *))
{
	int rc = -EIO, sends, found;

	for (sends = 0; sends < ATTACH_SENDS_MAX; sends++) {
		aws_error_clear(&x->res->aws);
		x->res->calls++;
		rc = call(x, conn, pl);
		if (!rc || !save_ambiguous(rc, &x->res->aws))
			break;
		found = settle(x, conn, pl);
		if (found == ATTACH_OURS) {
			aws_error_clear(&x->res->aws);
			return 0;
		}
		if (found < 0)
			return save_unsettled(x, rc);
		if (found == ATTACH_OTHER) {
			aws_error_set(&x->res->aws, "EntityAlreadyExists",
				      "%.300s appeared with another document", pl->arn);
			return -EEXIST;
		}
	}
	return rc;
}

static int attach_call_create(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl)
{
	struct iam_policy p = {0};
	char *doc = strndup(x->bytes, x->len);
	int rc = doc ? iam_create_policy(conn, x->name, doc, NULL, &p, &x->res->aws) : -ENOMEM;

	if (!rc && p.arn)
		snprintf(pl->arn, sizeof(pl->arn), "%s", p.arn);
	if (!rc && p.create_date && iso8601_parse(p.create_date, &pl->created))
		pl->created = 0;
	iam_policy_cleanup(&p);
	free(doc);
	return rc;
}

static int attach_call_attach(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl)
{
	return iam_attach_role_policy(conn, x->role, pl->arn, &x->res->aws);
}

/* AttachRolePolicy's settling read: is the ARN among the role's attachments? */
static int attach_settle_attach(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl)
{
	struct iam_attached_list l = {0};
	struct aws_error e = {0};
	size_t i;
	int rc = iam_list_attached_role_policies(conn, x->role, &l, &e);

	x->res->calls++;
	for (i = 0; !rc && i < l.n; i++)
		if (l.v[i].arn && !strcmp(l.v[i].arn, pl->arn))
			break;
	if (!rc)
		rc = i < l.n ? ATTACH_OURS : ATTACH_ABSENT;
	iam_attached_list_cleanup(&l);
	return rc;
}

/* The refusal of a failed call (LimitExceeded on attaching: the role's quota). */
static int attach_failed(struct save_ctx *x, int rc)
{
	struct aws_error *e = &x->res->aws;

	if (rc != -EDQUOT || x->action != SAVE_ATTACH)
		return save_iam_failed(x, save_action_names[x->action], rc);
	snprintf(x->res->message, sizeof(x->res->message),
		 "AttachRolePolicy of %.120s/%.150s failed: %.60s: %.300s; the role already "
		 "attaches as many managed policies as IAM allows: detach one first",
		 x->role, x->path, e->code, e->message);
	return save_refuse(x, rc, true);
}

/* One journaled call of x->action (kind, name, bytes as the journal keeps them). */
static int attach_step(struct save_ctx *x, struct iam_conn *conn, struct attach_plan *pl,
		       enum journal_kind kind, const char *name, bool bytes)
{
	bool create = x->action == SAVE_CREATE_POLICY;
	unsigned long long jid;
	int rc = save_journal(x, kind, name, bytes ? x->bytes : NULL, bytes ? x->len : 0, &jid);

	if (rc)
		return rc;
	rc = attach_send_settled(x, conn, pl, create ? attach_call_create : attach_call_attach,
				 create ? attach_settle_create : attach_settle_attach);
	if (rc && !x->unsettled)
		rc = attach_failed(x, rc);
	save_finish(x, jid, rc);
	return rc;
}

/* Publishes the attachment: the policy under the name, role.json listing it. */
static int attach_publish(struct save_ctx *x, const struct attach_plan *pl)
{
	struct model_edit e = {
		.op = MODEL_EDIT_ATTACH, .role = x->role, .name = x->name, .arn = pl->arn};
	const struct cache_doc *old = x->r ? x->r->role_json : NULL;
	long long now = hooks_now(&x->st->host.hooks);
	struct buf b;
	int rc;

	e.doc = pl->create ? model_doc_new(x->bytes, x->len, pl->created ? pl->created : now)
			   : pl->doc;
	if (pl->doc && !pl->create)
		cache_doc_ref(e.doc);
	buf_init(&b, 0);
	/* A role.json that cannot be re-rendered stays as it is until the next load. */
	rc = old ? render_role_attached(old->bytes, old->len, pl->arn, true, &b) : -EINVAL;
	if (!rc)
		e.role_json = model_doc_new(b.data ? b.data : "", b.len, now);
	buf_cleanup(&b);
	if ((pl->create && !e.doc) || rc == -ENOMEM || (!rc && !e.role_json))
		rc = -ENOMEM;
	else
		rc = x->st->host.publish_edit(x->st->host.ctx, &e);
	cache_doc_unref(e.doc);
	cache_doc_unref(e.role_json);
	return rc;
}

static int save_attach_send(struct save_ctx *x, struct attach_plan *pl)
{
	struct iam_conn *conn;
	int rc;

	if (pl->create) {
		x->action = SAVE_CREATE_POLICY;
		if (!(conn = attach_conn(x)))
			return -EIO;
		if ((rc = attach_step(x, conn, pl, JOURNAL_CREATE_POLICY, x->name, true)))
			return rc;
		policies_add_local(x->st->pol, pl->arn);
		x->action = SAVE_ATTACH;
	}
	if (!(conn = attach_conn(x)))
		return -EIO;
	if ((rc = attach_step(x, conn, pl, JOURNAL_ATTACH, pl->arn, false)))
		return rc;
	save_count(x->st, &x->st->ok);
	snprintf(x->res->message, sizeof(x->res->message), "%s%s of %.120s/%.150s done (%.300s)",
		 pl->create ? "CreatePolicy and " : "", save_action_names[SAVE_ATTACH], x->role,
		 x->path, pl->arn);
	if ((rc = attach_publish(x, pl)))
		hooks_log(&x->st->host.hooks, LOG_WARNING,
			  "%s/%s is attached in IAM but the view could not show it: %s", x->role,
			  x->path, strerror(-rc));
	return 0;
}

int save_attach(struct save_ctx *x)
{
	struct attach_plan pl = {0};
	int rc;

	x->action = SAVE_ATTACH;
	snprintf(x->res->action, sizeof(x->res->action), "%s", save_action_names[SAVE_ATTACH]);
	if (!x->st->pol)
		return attach_refuse(x, -ENOMEM, "%.120s/%.150s: out of memory", x->role, x->path);
	if (x->attach_arn)
		rc = attach_plan_link(x, &pl);
	else if (!x->len)
		rc = attach_plan_name(x, &pl);
	else
		rc = attach_plan_doc(x, &pl);
	if (!rc)
		rc = x->st->host.dry_run ? attach_dry_run(x, &pl) : save_attach_send(x, &pl);
	cache_doc_unref(pl.doc);
	return rc;
}

int save_attach_present(struct save_ctx *x)
{
	snprintf(x->res->action, sizeof(x->res->action), "%s", save_action_names[SAVE_ATTACH]);
	if ((x->attach_arn && strcmp(x->attach_arn, x->arn)) ||
	    (!x->attach_arn && x->len &&
	     (!x->cur || validate_same_value(x->bytes, x->len, x->cur->bytes, x->cur->len) != 1)))
		return attach_refuse(x, -EEXIST,
				     "%.120s/%.150s: the role already attaches %.300s under that "
				     "name",
				     x->role, x->path, x->arn);
	x->res->noop = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.120s/%.150s: the role already attaches %.300s; nothing was sent", x->role,
		 x->path, x->arn);
	save_count(x->st, &x->st->noop);
	return 0;
}

void save_local_policies(struct save_state *st, const char *const *arns, size_t n)
{
	if (st && policies_set_local(st->pol, arns, n))
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "out of memory keeping the list of customer managed policies");
}
