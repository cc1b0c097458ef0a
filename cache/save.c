/*
 * The commit of a user's save (a policy file written and closed, or an inline
 * policy removed): validate, skip a save of the same value, honour --dry-run,
 * journal, one read for the conflict check, the one write call, publish the saved
 * bytes through the host. Every refusal after --read-only is recorded (rejects.h).
 * Saves of one role (or one managed policy) are serialized by an in-flight marker;
 * no lock is held across a network call. The top of saving: it hands the other
 * kinds of save to save_attach.c, save_create.c, save_remove.c and
 * save_rolejson.c; the write call is save_write.c's, the steps every save shares
 * (in-flight marker, host, --dry-run, journal, end) save_step.c's, the recording
 * save_record.c's, the pure decisions save_decide.c's.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/journal.h"
#include "cache/layout.h"
#include "cache/load.h"
#include "cache/lookup.h"
#include "cache/model.h"
#include "cache/rejects.h"
#include "cache/validate.h"

/* ---- a conflict ---- */

static int save_stale(struct save_ctx *x)
{
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/%.300s changed in IAM since it was read; reload the file (or write to "
		 ".iamfs/refresh) and apply your edit again",
		 x->role, x->path);
	return save_refuse(x, -ESTALE, false);
}

/* Publishes IAM's current document text after a conflict (or NULL: removed). */
static void save_publish_remote(struct save_ctx *x, const char *text, long long mtime)
{
	struct cache_doc *d = text ? load_render_doc(text, mtime) : NULL;
	const char *name = x->kind == CACHE_FILE_ATTACHED ? x->arn : x->name;

	if (text && !d)
		return;
	save_publish(x->st, x->role, x->kind, name, d);
	cache_doc_unref(d);
}

/* ---- conflict checks (one read) ---- */

static int save_check_trust(struct save_ctx *x, struct iam_conn *conn)
{
	struct iam_role role = {0};
	int rc = iam_get_role(conn, x->role, &role, &x->res->aws);

	x->res->calls++;
	if (rc)
		return save_iam_failed(x, "GetRole", rc);
	if (!save_remote_same(role.trust_policy, x->cur)) {
		save_publish_remote(x, role.trust_policy ? role.trust_policy : "{}",
				    hooks_now(&x->st->host.hooks));
		rc = save_stale(x);
	}
	iam_role_cleanup(&role);
	return rc;
}

static int save_check_inline(struct save_ctx *x, struct iam_conn *conn)
{
	struct iam_inline_policy p = {0};
	int rc = iam_get_role_policy(conn, x->role, x->name, &p, &x->res->aws);

	x->res->calls++;
	if (rc == -ENOENT && !x->cur)
		return 0; /* a new policy */
	if (rc)
		return save_iam_failed(x, "GetRolePolicy", rc);
	if (!save_remote_same(p.document, x->cur)) {
		save_publish_remote(x, p.document ? p.document : "{}",
				    hooks_now(&x->st->host.hooks));
		rc = save_stale(x);
	}
	iam_inline_policy_cleanup(&p);
	return rc;
}

/* ListPolicyVersions is the one read: it names the default version (conflict) and
 * counts the versions (quota). The document is fetched only when unsure. */
static int save_check_managed(struct save_ctx *x, struct iam_conn *conn,
			      struct iam_version_list *vl)
{
	const struct iam_policy_version *def;
	struct iam_policy_version pv = {0};
	char known[64];
	bool have;
	int rc = iam_list_policy_versions(conn, x->arn, vl, &x->res->aws);

	x->res->calls++;
	if (rc)
		return save_iam_failed(x, "ListPolicyVersions", rc);
	def = save_default(vl);
	have = save_version_get(x->st, x->arn, x->cur->gen, known, sizeof(known));
	if (def && save_managed_unchanged(have ? known : NULL, def->version_id, def->create_time,
					  x->cur->mtime)) {
		save_version_put(x->st, x->arn, def->version_id, x->cur->gen);
		return 0;
	}
	if (!def) {
		aws_error_set(&x->res->aws, "InvalidAnswer", "no default version listed");
		return save_iam_failed(x, "ListPolicyVersions", -EIO);
	}
	rc = iam_get_policy_version(conn, x->arn, def->version_id, &pv, &x->res->aws);
	x->res->calls++;
	if (rc)
		return save_iam_failed(x, "GetPolicyVersion", rc);
	if (save_remote_same(pv.document, x->cur)) {
		save_version_put(x->st, x->arn, def->version_id, x->cur->gen);
	} else {
		save_publish_remote(x, pv.document ? pv.document : "{}", pv.create_time);
		rc = save_stale(x);
	}
	iam_policy_version_cleanup(&pv);
	return rc;
}

/* Publishes the saved bytes as they were written. */
static int save_publish_saved(struct save_ctx *x, long long mtime, const char *vid)
{
	struct cache_doc *d = model_doc_new(x->bytes, x->len, mtime);
	const char *name = x->kind == CACHE_FILE_ATTACHED ? x->arn : x->name;
	int rc;

	if (!d)
		return -ENOMEM;
	rc = save_publish(x->st, x->role, x->kind, name, d);
	if (!rc && vid)
		save_version_put(x->st, x->arn, vid, d->gen);
	cache_doc_unref(d);
	return rc;
}

/* ---- the save ---- */

/* Finds the role and the file's current document in x->v. */
/* The sentence of a lookup that refuses a save. */
static void save_locate_message(struct save_ctx *x, enum lookup_result res)
{
	char *m = x->res->message;
	size_t cap = sizeof(x->res->message);

	if (res == LOOKUP_NO_ROLE)
		snprintf(m, cap, "%.200s: no such role in IAM (as last read)", x->role);
	else if (res == LOOKUP_NOT_ATTACHED)
		snprintf(m, cap, "%.200s/%.300s: the role no longer attaches a policy of that name",
			 x->role, x->path);
	else if (res == LOOKUP_AWS_MANAGED)
		snprintf(m, cap, "%.200s/%.300s is an AWS managed policy, which cannot be changed",
			 x->role, x->path);
	else
		snprintf(m, cap, "%.200s/%.300s: its document was never read from IAM", x->role,
			 x->path);
}

static int save_locate(struct save_ctx *x)
{
	struct lookup l;
	enum lookup_result res = lookup_doc(x->v, x->role, x->kind, x->name, &l);
	int rc = lookup_errno(res, LOOKUP_SAVE);

	x->r = l.role;
	if (rc) {
		save_locate_message(x, res);
		return save_refuse(x, rc, false);
	}
	x->cur = l.doc; /* NULL: a new inline policy */
	if (l.att)
		x->arn = l.att->arn;
	return 0;
}

static int save_validate(struct save_ctx *x)
{
	struct validate_result vr;
	enum validate_kind k = x->kind == CACHE_FILE_TRUST    ? VALIDATE_TRUST
			       : x->kind == CACHE_FILE_INLINE ? VALIDATE_INLINE
							      : VALIDATE_MANAGED;
	size_t budget =
		k == VALIDATE_INLINE ? save_inline_budget(x->r, x->name) : VALIDATE_DEFAULT_BUDGET;
	int rc = validate_policy(k, NULL, x->bytes, x->len, budget, &vr);

	if (!rc)
		return 0;
	snprintf(x->res->message, sizeof(x->res->message), "%.200s/%.300s: %s", x->role, x->path,
		 vr.message);
	return save_refuse(x, rc, false);
}

/* A save of the same value as the view's: publish the bytes as saved, send nothing. */
static int save_noop(struct save_ctx *x)
{
	x->res->noop = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/%.300s holds the same policy as IAM; nothing was sent", x->role, x->path);
	save_count(x->st, &x->st->noop);
	if (x->cur->len == x->len && !memcmp(x->cur->bytes, x->bytes, x->len))
		return 0;
	/* A managed document keeps its version's CreateDate: IAM did not change. */
	if (x->kind == CACHE_FILE_ATTACHED)
		return save_publish_saved(x, x->cur->mtime, NULL);
	return save_publish_saved(x, hooks_now(&x->st->host.hooks), NULL);
}

/* Journal, conflict read, write call, publish. */
static int save_send(struct save_ctx *x)
{
	struct iam_version_list vl = {0};
	struct iam_policy_version ver = {0};
	struct iam_conn *conn;
	unsigned long long jid;
	long long mtime;
	char *doc;
	int rc;

	if (!(doc = strndup(x->bytes, x->len)))
		return -ENOMEM;
	if (x->jid) {
		jid = x->jid;
	} else if ((rc = save_begin(x, &jid))) {
		free(doc);
		return rc;
	}
	if (!(conn = save_conn(x->st))) {
		aws_error_set(&x->res->aws, "ConnectionError", "cannot set up an HTTP connection");
		rc = save_iam_failed(x, save_action_names[x->action], -EIO);
	} else if (x->kind == CACHE_FILE_TRUST) {
		rc = save_check_trust(x, conn);
	} else if (x->kind == CACHE_FILE_INLINE) {
		rc = save_check_inline(x, conn);
	} else if (!(rc = save_check_managed(x, conn, &vl))) {
		rc = save_make_room(x, conn, &vl);
	}
	if (!rc)
		rc = save_write(x, conn, doc, &mtime, &ver);
	if (!rc) {
		rc = save_publish_saved(x, mtime, ver.version_id);
		save_count(x->st, &x->st->ok);
		snprintf(x->res->message, sizeof(x->res->message), "%s of %.200s/%.300s done",
			 save_action_names[x->action], x->role, x->path);
		if (rc)
			hooks_log(&x->st->host.hooks, LOG_WARNING,
				  "%s is in IAM but the view could not show it: %s", x->path,
				  strerror(-rc));
		rc = 0;
	}
	save_finish(x, jid, rc);
	iam_version_list_cleanup(&vl);
	iam_policy_version_cleanup(&ver);
	free(doc);
	return rc;
}

static int save_run(struct save_ctx *x, unsigned long long base_gen)
{
	int rc;

	if ((rc = save_locate(x)))
		return rc;
	/* A new name in attached/: attaching, not a save of a document. */
	if (x->kind == CACHE_FILE_ATTACHED && !x->arn && !base_gen)
		return save_attach(x);
	if (x->kind == CACHE_FILE_ATTACHED && !base_gen)
		return save_attach_present(x); /* the name was attached meanwhile */
	if (x->kind == CACHE_FILE_ATTACHED && !x->arn) {
		save_locate_message(x, LOOKUP_NOT_ATTACHED);
		return save_refuse(x, -ENOENT, false);
	}
	if ((rc = save_validate(x)))
		return rc;
	if (save_base_check(x->cur, base_gen))
		return save_stale(x);
	if (x->cur && validate_same_value(x->bytes, x->len, x->cur->bytes, x->cur->len) == 1)
		return save_noop(x);
	if (x->st->host.dry_run)
		return save_dry_run(x);
	return save_send(x);
}

static void save_key(const struct save_ctx *x, char *out, size_t cap)
{
	const struct cache_attached *at;

	if (x->kind == CACHE_FILE_ATTACHED && (at = cache_role_find_attached(x->r, x->name)))
		snprintf(out, cap, "p:%s", at->arn);
	else
		snprintf(out, cap, "r:%s", x->role);
}

/* The save of x (made from s), every refusal recorded. */
static int save_commit(struct save_ctx *x, const struct cache_save *s)
{
	struct save_state *st = x->st;
	struct cache_save_result *res = x->res;
	char key[SAVE_KEY_MAX];
	int rc;

	layout_path(layout_of_file(s->kind), NULL, s->name, x->path, sizeof(x->path));
	x->action = s->kind == CACHE_FILE_TRUST	   ? SAVE_UPDATE_TRUST
		    : s->kind == CACHE_FILE_INLINE ? SAVE_PUT_INLINE
						   : SAVE_CREATE_VERSION;
	if (s->kind != CACHE_FILE_ROLE)
		snprintf(res->action, sizeof(res->action), "%s", save_action_names[x->action]);
	if (st->host.read_only) {
		snprintf(res->message, sizeof(res->message),
			 "%.200s/%.300s: the filesystem is mounted read-only", s->role, x->path);
		return -EROFS;
	}
	if (!s->role ||
	    ((s->kind == CACHE_FILE_INLINE || s->kind == CACHE_FILE_ATTACHED) && !s->name))
		return -EINVAL;
	if (!x->bytes)
		x->bytes = "";
	x->v = save_view(st);
	x->r = cache_view_find(x->v, s->role);
	save_key(x, key, sizeof(key));
	cache_view_put(x->v);
	if ((rc = save_busy_enter(st, key)))
		return rc;
	/* The view as it is once this save has the file to itself. */
	x->v = save_view(st);
	x->r = cache_view_find(x->v, s->role);
	if (x->r && x->r->pending)
		rc = save_pending_run(x); /* a role not created yet (save_create.c) */
	else
		rc = s->kind == CACHE_FILE_ROLE ? save_role_json(x, s->base_gen)
						: save_run(x, s->base_gen);
	save_called(x);
	cache_view_put(x->v);
	save_busy_leave(st, key);
	return rc;
}

int save_file(struct save_state *st, const struct cache_save *s, struct cache_save_result *res)
{
	struct save_ctx x = {.st = st,
			     .role = s->role,
			     .name = s->name,
			     .kind = s->kind,
			     .bytes = s->bytes,
			     .len = s->len,
			     .res = res,
			     .jid = s->journal_id,
			     .attach_arn = s->arn};
	int rc;

	memset(res, 0, sizeof(*res));
	if (!st)
		return -EINVAL;
	rc = s->remove ? save_remove(&x) : save_commit(&x, s);
	/* Refused or settled before any call: the accepted entry has no outcome left. */
	if (x.jid)
		save_end(&x, x.jid);
	return rc;
}

void save_accept(struct save_state *st, const struct cache_save *s, unsigned long long *jid)
{
	static const enum journal_kind jk[] = {[CACHE_FILE_TRUST] = JOURNAL_TRUST,
					       [CACHE_FILE_INLINE] = JOURNAL_INLINE,
					       [CACHE_FILE_ATTACHED] = JOURNAL_MANAGED,
					       [CACHE_FILE_ROLE] = JOURNAL_ROLE};
	enum journal_kind kind = !s->remove			  ? jk[s->kind]
				 : s->kind == CACHE_FILE_ATTACHED ? JOURNAL_DETACH
								  : JOURNAL_INLINE_DELETE;
	const struct cache_attached *at = NULL;
	const struct cache_role *r;
	struct cache_view *v;
	const char *name = s->name;

	*jid = 0;
	if (!st || !st->journal || st->host.read_only || st->host.dry_run || !s->role ||
	    (s->kind != CACHE_FILE_TRUST && s->kind != CACHE_FILE_INLINE &&
	     s->kind != CACHE_FILE_ATTACHED && s->kind != CACHE_FILE_ROLE))
		return;
	v = save_view(st);
	r = cache_view_find(v, s->role);
	if (r && r->pending) {
		/* A pending role's trust creates it; its role.json is kept locally. */
		if (s->kind != CACHE_FILE_TRUST || s->remove) {
			cache_view_put(v);
			return;
		}
		kind = JOURNAL_CREATE_ROLE;
	}
	if (s->kind == CACHE_FILE_ATTACHED) {
		at = cache_role_find_attached(r, s->name);
		name = at && (s->remove || (!at->aws_managed && at->doc)) ? at->arn : NULL;
	}
	if ((s->kind != CACHE_FILE_ATTACHED || name) &&
	    journal_begin(st->journal, s->role, kind, name, s->remove ? NULL : s->bytes,
			  s->remove ? 0 : s->len, jid))
		*jid = 0;
	cache_view_put(v);
}

void save_abandon(struct save_state *st, unsigned long long jid)
{
	if (jid && st && st->journal)
		journal_end(st->journal, jid);
}
