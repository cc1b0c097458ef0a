/*
 * The one IAM call of each save action and the read that settles it when its
 * answer was lost: save_call sends the action's call (UpdateAssumeRolePolicy,
 * PutRolePolicy, CreatePolicyVersion, CreateRole, DeleteRolePolicy,
 * DetachRolePolicy); save_settle reads what IAM holds for the file (GetRole,
 * GetRolePolicy, ListPolicyVersions and GetPolicyVersion of the default,
 * ListAttachedRolePolicies) and says whether it is ours, the old document or
 * another. save_write.c decides what to do with that; this file calls only
 * save_record.c and save_decide.c.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <string.h>

#include "cache/model.h"

/* ---- removals ---- */

int save_remove_call(struct save_ctx *x, struct iam_conn *conn)
{
	struct aws_error *e = &x->res->aws;
	int rc;

	if (x->action == SAVE_DETACH)
		rc = iam_detach_role_policy(conn, x->role, x->arn, e);
	else
		rc = iam_delete_role_policy(conn, x->role, x->name, e);
	return rc == -ENOENT ? 0 : rc; /* already gone: the wish of the rm is met */
}

int save_remove_settle(struct save_ctx *x, struct iam_conn *conn)
{
	struct iam_attached_list l = {0};
	struct aws_error e = {0};
	size_t i;
	int rc;

	x->res->calls++;
	rc = iam_list_attached_role_policies(conn, x->role, &l, &e);
	if (rc == -ENOENT)
		return 1; /* the role is gone, and its attachments with it */
	if (rc)
		return rc;
	for (i = 0; i < l.n && strcmp(l.v[i].arn, x->arn); i++)
		;
	rc = i == l.n;
	iam_attached_list_cleanup(&l);
	return rc;
}

/* ---- settling ---- */

/* Which document IAM's text is: ours, the one the save replaced, or another. */
static enum save_found save_found_of(const struct save_ctx *x, const char *text,
				     const struct cache_doc *ours)
{
	if (text && save_remote_same(text, ours))
		return SAVE_FOUND_OURS;
	return save_remote_same(text, x->cur) ? SAVE_FOUND_OLD : SAVE_FOUND_OTHER;
}

/* Managed: the default version is ours when it is not the one the conflict check
 * recorded and its document is ours; then ver takes it. */
static int save_settle_managed(struct save_ctx *x, struct iam_conn *conn,
			       const struct cache_doc *ours, struct iam_policy_version *ver,
			       struct aws_error *e)
{
	struct iam_version_list vl = {0};
	struct iam_policy_version pv = {0};
	const struct iam_policy_version *def;
	char known[64];
	int rc = iam_list_policy_versions(conn, x->arn, &vl, e);

	x->res->calls++;
	if (rc)
		goto out;
	def = save_default(&vl);
	if (def && x->cur && save_version_get(x->st, x->arn, x->cur->gen, known, sizeof(known)) &&
	    !strcmp(known, def->version_id)) {
		rc = SAVE_FOUND_OLD;
		goto out;
	}
	rc = def ? iam_get_policy_version(conn, x->arn, def->version_id, &pv, e) : -EIO;
	x->res->calls++;
	if (rc)
		goto out;
	rc = save_found_of(x, pv.document, ours);
	if (rc == SAVE_FOUND_OURS) {
		iam_policy_version_cleanup(ver);
		*ver = pv;
		memset(&pv, 0, sizeof(pv));
	}
out:
	iam_policy_version_cleanup(&pv);
	iam_version_list_cleanup(&vl);
	return rc;
}

/* Reads what IAM holds for the file: a save_found, or -errno when the read failed. */
int save_settle(struct save_ctx *x, struct iam_conn *conn, const struct cache_doc *ours,
		struct iam_policy_version *ver)
{
	struct aws_error e = {0};
	struct iam_role role = {0};
	struct iam_inline_policy p = {0};
	int rc;

	if (x->action == SAVE_DETACH) {
		rc = save_remove_settle(x, conn);
		return rc < 0 ? rc : rc ? SAVE_FOUND_OURS : SAVE_FOUND_OLD;
	}
	if (x->kind == CACHE_FILE_ATTACHED)
		return save_settle_managed(x, conn, ours, ver, &e);
	x->res->calls++;
	if (x->action == SAVE_CREATE_ROLE) {
		/* Landed: the role exists with our trust; absent: not landed, safe to resend. */
		rc = iam_get_role(conn, x->role, &role, &e);
		if (!rc && (rc = save_found_of(x, role.trust_policy, ours)) == SAVE_FOUND_OURS) {
			iam_role_cleanup(x->created);
			*x->created = role;
			memset(&role, 0, sizeof(role));
		}
		iam_role_cleanup(&role);
		return rc == -ENOENT ? SAVE_FOUND_OLD : rc;
	}
	if (x->kind == CACHE_FILE_TRUST) {
		rc = iam_get_role(conn, x->role, &role, &e);
		if (!rc)
			rc = save_found_of(x, role.trust_policy, ours);
		iam_role_cleanup(&role);
		return rc;
	}
	rc = iam_get_role_policy(conn, x->role, x->name, &p, &e);
	if (!rc)
		rc = save_found_of(x, p.document, ours);
	else if (rc == -ENOENT) /* a delete's own outcome; else someone removed it */
		rc = !ours ? SAVE_FOUND_OURS : x->cur ? SAVE_FOUND_OTHER : SAVE_FOUND_OLD;
	iam_inline_policy_cleanup(&p);
	return rc;
}

int save_call(struct save_ctx *x, struct iam_conn *conn, const char *doc,
	      struct iam_policy_version *ver)
{
	struct aws_error *e = &x->res->aws;

	aws_error_clear(e);
	x->res->calls++;
	if (save_action_removes(x->action))
		return save_remove_call(x, conn);
	if (x->action == SAVE_CREATE_ROLE) {
		iam_role_cleanup(x->created);
		return iam_create_role(conn, x->create, x->created, e);
	}
	if (x->kind == CACHE_FILE_TRUST)
		return iam_update_assume_role_policy(conn, x->role, doc, e);
	if (x->kind == CACHE_FILE_INLINE)
		return iam_put_role_policy(conn, x->role, x->name, doc, e);
	iam_policy_version_cleanup(ver);
	return iam_create_policy_version(conn, x->arn, doc, true, ver, e);
}
