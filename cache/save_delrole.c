/*
 * rmdir of a role folder (cache_delete_role), reached only when the mount allows
 * deletes: refused with nothing sent when the role is service-linked (EPERM) or
 * still has inline or attached policies (ENOTEMPTY, what IAM's DeleteConflict
 * would say); else its trust policy and role.json are kept under removed/, the
 * deletion is journaled, the role leaves each of its instance profiles
 * (ListInstanceProfilesForRole, RemoveRoleFromInstanceProfile) and DeleteRole is
 * called. An ambiguous failure is settled with a read (the profile no longer
 * holds the role, GetRole answers NoSuchEntity: it landed); the errors line of a
 * failure says which calls landed before it.
 */
#include "cache/save_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/model.h"
#include "cache/removed.h"

#define SAVE_DELROLE_KEY_MAX (JOURNAL_NAME_MAX + 8)
#define SAVE_SERVICE_PATH    "/aws-service-role/"
#define SAVE_LANDED_MAX	     600

/* A role deletion under way: the save and the calls that landed, for messages. */
struct save_delrole {
	struct save_ctx x;
	char landed[SAVE_LANDED_MAX];
};

static void save_delrole_landed(struct save_delrole *d, const char *profile)
{
	size_t n = strlen(d->landed);

	snprintf(d->landed + n, sizeof(d->landed) - n, "%sRemoveRoleFromInstanceProfile %.200s",
		 n ? ", " : "", profile);
}

/* A failed call: IAM's words, then what landed before it. */
static int save_delrole_failed(struct save_delrole *d, const char *action, int rc)
{
	struct save_ctx *x = &d->x;
	struct aws_error *e = &x->res->aws;

	if (rc == -EBUSY && !strcmp(e->code, "DeleteConflict"))
		rc = -ENOTEMPTY;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of role %.200s failed: %.100s: %.250s; landed before it: %.380s", action,
		 x->role, e->code[0] ? e->code : "error", e->message,
		 d->landed[0] ? d->landed : "nothing");
	return save_refuse(x, rc, true);
}

/* Whether role.json's Path is the service-linked roles' one. */
static bool save_service_linked(const struct cache_role *r)
{
	cJSON *j =
		r->role_json ? cJSON_ParseWithLength(r->role_json->bytes, r->role_json->len) : NULL;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "Path");
	bool linked = cJSON_IsString(p) &&
		      !strncmp(p->valuestring, SAVE_SERVICE_PATH, strlen(SAVE_SERVICE_PATH));

	cJSON_Delete(j);
	return linked;
}

/* The refusals decided from the view alone. */
static int save_delrole_check(struct save_ctx *x)
{
	char *m = x->res->message;
	size_t cap = sizeof(x->res->message);

	if (save_service_linked(x->r)) {
		snprintf(m, cap,
			 "%.200s is a service-linked role (path " SAVE_SERVICE_PATH
			 "): only the service that made it may delete it",
			 x->role);
		return save_refuse(x, -EPERM, false);
	}
	/* A dry run of rm -r left the policies it simulated removing in place. */
	if ((x->r->ninl || x->r->natt) && !x->st->host.dry_run) {
		snprintf(m, cap,
			 "%.200s still has %zu inline and %zu attached policies; remove them first "
			 "(rm -r removes the files, then the folder)",
			 x->role, x->r->ninl, x->r->natt);
		return save_refuse(x, -ENOTEMPTY, false);
	}
	return 0;
}

/* Whether profile p still holds the role (1), not (0), or -errno. */
static int save_profile_holds(struct save_ctx *x, struct iam_conn *conn, const char *p)
{
	struct iam_string_list l = {0};
	struct aws_error e = {0};
	size_t i;
	int rc = iam_list_instance_profiles_for_role(conn, x->role, &l, &e);

	x->res->calls++;
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	for (i = 0; i < l.n && strcmp(l.v[i], p); i++)
		;
	rc = i < l.n;
	iam_string_list_cleanup(&l);
	return rc;
}

/* RemoveRoleFromInstanceProfile of p, settled by a listing when ambiguous. */
static int save_profile_remove(struct save_delrole *d, struct iam_conn *conn, const char *p)
{
	struct save_ctx *x = &d->x;
	int sends, held, rc = 0;

	for (sends = 0; sends < 2; sends++) {
		aws_error_clear(&x->res->aws);
		x->res->calls++;
		rc = iam_remove_role_from_instance_profile(conn, p, x->role, &x->res->aws);
		if (!rc || rc == -ENOENT)
			return 0;
		if (!x->res->aws.maybe_applied && rc != -EAGAIN && rc != -EIO && rc != -ETIMEDOUT)
			break;
		held = save_profile_holds(x, conn, p);
		if (held <= 0) {
			x->unsettled = held < 0;
			return held < 0 ? -EIO : 0;
		}
	}
	return save_delrole_failed(d, "RemoveRoleFromInstanceProfile", rc);
}

/* Keeps the names of the instance profiles the role leaves under removed/, one a line. */
static int save_delrole_keep_profiles(struct save_ctx *x, const struct iam_string_list *l)
{
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, JOURNAL_DOC_MAX);
	for (i = 0; !rc && i < l->n; i++)
		rc = buf_printf(&b, "%s\n", l->v[i]);
	if (!rc)
		rc = save_keep_removed(x, "instance-profiles.txt", b.data, b.len);
	buf_cleanup(&b);
	return rc;
}

static int save_delrole_profiles(struct save_delrole *d, struct iam_conn *conn)
{
	struct save_ctx *x = &d->x;
	struct iam_string_list l = {0};
	size_t i;
	int rc = iam_list_instance_profiles_for_role(conn, x->role, &l, &x->res->aws);

	x->res->calls++;
	if (rc)
		return save_delrole_failed(d, "ListInstanceProfilesForRole", rc);
	if (l.n && (rc = save_delrole_keep_profiles(x, &l))) {
		iam_string_list_cleanup(&l);
		return rc;
	}
	for (i = 0; !rc && i < l.n; i++) {
		rc = save_profile_remove(d, conn, l.v[i]);
		if (!rc)
			save_delrole_landed(d, l.v[i]);
		else if (x->unsettled)
			rc = save_delrole_failed(d, "RemoveRoleFromInstanceProfile (unsettled)",
						 -EIO);
	}
	iam_string_list_cleanup(&l);
	return rc;
}

/* DeleteRole, settled by GetRole when ambiguous (NoSuchEntity: it landed). */
static int save_delrole_call(struct save_delrole *d, struct iam_conn *conn)
{
	struct save_ctx *x = &d->x;
	struct iam_role role = {0};
	struct aws_error e = {0};
	int sends, rc = 0, read;

	for (sends = 0; sends < 2; sends++) {
		aws_error_clear(&x->res->aws);
		x->res->calls++;
		rc = iam_delete_role(conn, x->role, &x->res->aws);
		if (!rc || rc == -ENOENT)
			return 0;
		if (!x->res->aws.maybe_applied && rc != -EAGAIN && rc != -EIO && rc != -ETIMEDOUT)
			break;
		x->res->calls++;
		read = iam_get_role(conn, x->role, &role, &e);
		iam_role_cleanup(&role);
		if (read == -ENOENT)
			return 0;
		if (read) {
			x->unsettled = true;
			return save_delrole_failed(d, "DeleteRole (unsettled: the read failed too)",
						   -EIO);
		}
	}
	return save_delrole_failed(d, "DeleteRole", rc);
}

/* Keeps the role's trust policy and role.json under removed/. */
static int save_delrole_keep(struct save_ctx *x)
{
	const struct cache_doc *docs[2] = {x->r->trust, x->r->role_json};
	const char *what[2] = {"trust.json", "role.json"};
	int i, rc = 0;

	for (i = 0; i < 2 && !rc; i++)
		if (docs[i])
			rc = save_keep_removed(x, what[i], docs[i]->bytes, docs[i]->len);
	return rc;
}

static int save_delrole_send(struct save_delrole *d)
{
	struct save_ctx *x = &d->x;
	struct model_edit e = {.op = MODEL_EDIT_ROLE_REMOVE, .role = x->role};
	struct iam_conn *conn;
	unsigned long long jid = 0;
	int rc;

	if ((rc = save_delrole_keep(x)) || (rc = save_begin(x, &jid)))
		return rc;
	if (!(conn = save_conn(x->st))) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		rc = save_delrole_failed(d, "DeleteRole", -EIO);
	} else if (!(rc = save_delrole_profiles(d, conn))) {
		rc = save_delrole_call(d, conn);
	}
	if (rc)
		save_remove_note(x, rc);
	else
		removed_forget(x->st->removed, x->role);
	if (!rc) {
		if (x->st->host.publish_edit(x->st->host.ctx, &e))
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "role %s is deleted in IAM but the view could not show it",
				  x->role);
		save_count(x->st, &x->st->ok);
		snprintf(x->res->message, sizeof(x->res->message),
			 "DeleteRole of %.200s done%s%.600s", x->role,
			 d->landed[0] ? " after " : "", d->landed);
	}
	save_finish(x, jid, rc);
	return rc;
}

/* The deletion once x has the role to itself. */
static int save_delrole_run(struct save_delrole *d)
{
	struct save_ctx *x = &d->x;
	int rc;

	x->v = save_view(x->st);
	x->r = cache_view_find(x->v, x->role);
	if (!x->r) {
		snprintf(x->res->message, sizeof(x->res->message),
			 "%.200s: no such role in IAM (as last read)", x->role);
		rc = -ENOENT;
	} else if (!(rc = save_delrole_check(x))) {
		if (x->st->host.dry_run) {
			snprintf(x->res->message, sizeof(x->res->message),
				 "dry-run: would call ListInstanceProfilesForRole, "
				 "RemoveRoleFromInstanceProfile for each, then DeleteRole of "
				 "%.200s; "
				 "nothing was sent",
				 x->role);
			x->res->dry_run = true;
			hooks_log(&x->st->host.hooks, LOG_NOTICE, "%s", x->res->message);
			save_count(x->st, &x->st->dry[SAVE_DELETE_ROLE]);
		} else {
			rc = save_delrole_send(d);
		}
	}
	save_called(x);
	cache_view_put(x->v);
	return rc;
}

int save_delete_role(struct save_state *st, const char *role, struct cache_save_result *res)
{
	struct save_delrole *d;
	char key[SAVE_DELROLE_KEY_MAX];
	int rc;

	memset(res, 0, sizeof(*res));
	if (!st || !role)
		return -EINVAL;
	snprintf(res->action, sizeof(res->action), "DeleteRole");
	if (st->host.read_only) {
		snprintf(res->message, sizeof(res->message),
			 "%.200s: the filesystem is mounted read-only", role);
		return -EROFS;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	d->x = (struct save_ctx){
		.st = st, .role = role, .kind = CACHE_FILE_ROLE, .res = res, .name = ""};
	d->x.action = SAVE_DELETE_ROLE;
	snprintf(key, sizeof(key), "r:%s", role);
	if (!(rc = save_busy_enter(st, key))) {
		rc = save_delrole_run(d);
		save_busy_leave(st, key);
	}
	free(d);
	return rc;
}
