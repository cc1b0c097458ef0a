/*
 * Bulk load: GetCallerIdentity, then two chains at once: ListRoles on its own
 * connection and thread (load_extras.c), reduced to a small table of
 * Description/MaxSessionDuration, and GAAD (Role, LocalManagedPolicy) here,
 * whose pages are rendered as they arrive so the parsed structs never pile up.
 * A GAAD role rendered before the table is complete gets its role.json again
 * once it is (load_settle), so the result is the same whichever chain ends first.
 * A denied GAAD (-EACCES) falls back to the per-role scan. Customer managed
 * documents are created once per ARN and shared by every role attaching them.
 */
#include "cache/load.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/ident.h"
#include "cache/load_extras.h"
#include "cache/model.h"
#include "cache/render.h"

/* One customer managed policy's shared document. */
struct load_pol {
	char *arn;
	struct cache_doc *doc;
};

struct load_ctx {
	struct load_result *res;
	struct load_extras ex; /* the ListRoles chain */
	bool ready;	       /* ex's table is complete (or there is none: pure loads) */
	struct load_pol *pols;
	size_t npols, cap;
	/* Under mu: what load_report tells (both chains report). */
	pthread_mutex_t mu;
	const char *stage;
	size_t roles;	  /* res->nroles as the loading thread last saw it */
	size_t pages;	  /* GAAD pages so far */
	size_t listpages; /* ListRoles pages so far */
};

/* Tells the caller how far the load has got (load_result.progress), one call at a time. */
static void load_report_locked(struct load_ctx *x)
{
	struct load_progress p = {
		.stage = x->stage, .roles = x->roles, .pages = x->pages + x->listpages};

	if (x->res->progress)
		x->res->progress(x->res->progress_ctx, &p);
}

/* On the loading thread: stage (static text) is in flight; gaad_page: one more. */
static void load_report_at(struct load_ctx *x, const char *stage, bool gaad_page)
{
	pthread_mutex_lock(&x->mu);
	x->stage = stage;
	x->roles = x->res->nroles;
	x->pages += gaad_page;
	load_report_locked(x);
	pthread_mutex_unlock(&x->mu);
}

static void load_report(struct load_ctx *x, const char *stage)
{
	load_report_at(x, stage, false);
}

/* load_extras.on_page, on the ListRoles thread. */
static void load_report_list_page(void *ctx)
{
	struct load_ctx *x = ctx;

	pthread_mutex_lock(&x->mu);
	x->listpages++;
	load_report_locked(x);
	pthread_mutex_unlock(&x->mu);
}

struct cache_doc *load_render_doc(const char *text, long long mtime)
{
	struct cache_doc *d;
	struct buf b;
	size_t len;
	int rc;

	if (!text)
		text = "{}";
	len = strlen(text);
	buf_init(&b, 0);
	rc = render_json(text, len, &b);
	if (rc == -EINVAL)
		rc = buf_append(&b, text, len) || buf_putc(&b, '\n') ? -ENOMEM : 0;
	if (rc) {
		buf_cleanup(&b);
		return NULL;
	}
	d = model_doc_new(b.data ? b.data : "", b.len, mtime);
	buf_cleanup(&b);
	return d;
}

static struct cache_doc *load_render_role(const struct iam_role *r, long long mtime)
{
	struct cache_doc *d;
	struct buf b;

	buf_init(&b, 0);
	if (render_role(r, &b)) {
		buf_cleanup(&b);
		return NULL;
	}
	d = model_doc_new(b.data ? b.data : "", b.len, mtime);
	buf_cleanup(&b);
	return d;
}

/* Trades a document for old's when the bytes are the same. */
static void load_share_doc(struct cache_doc **slot, struct cache_doc *old)
{
	model_doc_trade(slot, old, false);
}

static void load_share(const struct cache_view *old, struct cache_role *cr)
{
	const struct cache_role *o = cache_view_find(old, cr->name);
	size_t i;

	if (!o)
		return;
	load_share_doc(&cr->trust, o->trust);
	load_share_doc(&cr->role_json, o->role_json);
	for (i = 0; i < cr->ninl; i++) {
		const struct cache_inline *oi = cache_role_find_inline(o, cr->inl[i].name);

		if (oi)
			load_share_doc(&cr->inl[i].doc, oi->doc);
	}
}

/* Records one left-out entry: kind "role" or "inline policy"/"attached policy"
 * of role (NULL for a role itself), its name escaped, and why. */
static void load_skip(struct load_result *out, const char *role, const char *kind, const char *name,
		      const char *why)
{
	char en[2 * IDENT_POLICY_MAX + 16], er[2 * IDENT_ROLE_MAX + 16], item[512];
	size_t n = strlen(out->skipped);

	out->nskipped++;
	ident_escape(name, en, sizeof(en));
	if (role)
		snprintf(item, sizeof(item), "%s\"%s\" of role \"%s\" %s", kind, en,
			 ident_escape(role, er, sizeof(er)), why);
	else
		snprintf(item, sizeof(item), "%s\"%s\" %s", kind, en, why);
	if (n + strlen(item) + 6 < sizeof(out->skipped))
		snprintf(out->skipped + n, sizeof(out->skipped) - n, "%s%s", n ? "; " : "", item);
	else if (n + 5 < sizeof(out->skipped) && !strstr(out->skipped, "; ..."))
		snprintf(out->skipped + n, sizeof(out->skipped) - n, "; ...");
}

/* Adds the role's policies that ident.h accepts; the others are recorded. */
static int load_add_policies(struct load_result *out, struct cache_role *cr,
			     const struct iam_role *r, long long t)
{
	const char *why, *name;
	size_t i;
	int rc;

	for (i = 0; i < r->ninline; i++) {
		const struct iam_inline_policy *p = &r->inline_policies[i];

		if (p->name && (why = ident_policy_problem(p->name))) {
			load_skip(out, r->name, "inline policy ", p->name, why);
			continue;
		}
		if (p->name && model_role_add_inline(cr, p->name, load_render_doc(p->document, t)))
			return -ENOMEM;
		if (p->name && !cr->inl[cr->ninl - 1].doc)
			return -ENOMEM;
	}
	for (i = 0; i < r->nattached; i++) {
		const struct iam_attached_policy *a = &r->attached[i];

		if (!a->arn)
			continue;
		name = a->name ? a->name : model_arn_name(a->arn);
		if ((why = ident_policy_problem(name))) {
			load_skip(out, r->name, "attached policy ", name, why);
			continue;
		}
		if ((rc = model_role_add_attached(cr, name, a->arn, NULL)))
			return rc;
	}
	return 0;
}

int load_add_role(struct load_result *out, const struct iam_role *r)
{
	struct cache_role cr = {0};
	long long t = r->create_time;
	const char *why = ident_role_problem(r->name, r->path);

	if (why) {
		load_skip(out, NULL, "role ", r->name, why);
		return 0;
	}
	if (out->nroles == out->cap) {
		size_t ncap = out->cap ? out->cap * 2 : 64;
		struct cache_role *v = realloc(out->roles, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->roles = v;
		out->cap = ncap;
	}
	cr.mtime = t;
	if (!(cr.name = strdup(r->name)) || !(cr.trust = load_render_doc(r->trust_policy, t)) ||
	    !(cr.role_json = load_render_role(r, t)) || load_add_policies(out, &cr, r, t))
		goto fail;
	load_share(out->old, &cr);
	out->roles[out->nroles++] = cr;
	return 0;
fail:
	model_role_cleanup(&cr);
	return -ENOMEM;
}

static void load_local_cleanup(struct load_result *r)
{
	size_t i;

	for (i = 0; i < r->nlocal; i++)
		free(r->local[i]);
	free(r->local);
	r->local = NULL;
	r->nlocal = r->caplocal = 0;
	r->local_known = false;
}

/* Records one customer managed policy's ARN (attached or not). */
static int load_local_add(struct load_result *r, const char *arn)
{
	if (r->nlocal == r->caplocal) {
		size_t ncap = r->caplocal ? r->caplocal * 2 : 32;
		char **v = realloc(r->local, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->local = v;
		r->caplocal = ncap;
	}
	if (!(r->local[r->nlocal] = strdup(arn)))
		return -ENOMEM;
	r->nlocal++;
	return 0;
}

void load_result_cleanup(struct load_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nroles; i++)
		model_role_cleanup(&r->roles[i]);
	free(r->roles);
	free(r->account);
	free(r->caller_arn);
	load_local_cleanup(r);
	memset(r, 0, sizeof(*r));
}

static int load_cmp_pol(const void *a, const void *b)
{
	return strcmp(((const struct load_pol *)a)->arn, ((const struct load_pol *)b)->arn);
}

static void load_ctx_cleanup(struct load_ctx *x)
{
	size_t i;

	load_extras_cleanup(&x->ex);
	for (i = 0; i < x->npols; i++) {
		free(x->pols[i].arn);
		cache_doc_unref(x->pols[i].doc);
	}
	free(x->pols);
}

/* What a role's fields were before load_borrow lent it the table's. */
struct load_lent {
	char *description;
	int max_session_duration;
};

/* Lends r the ListRoles extras it lacks (e may be NULL); load_unborrow undoes it. */
static void load_borrow(struct iam_role *r, const struct load_extra *e, struct load_lent *l)
{
	l->description = r->description;
	l->max_session_duration = r->max_session_duration;
	if (e && !r->description)
		r->description = e->description;
	if (e && !r->max_session_duration)
		r->max_session_duration = e->max_session_duration;
}

static void load_unborrow(struct iam_role *r, const struct load_lent *l)
{
	r->description = l->description;
	r->max_session_duration = l->max_session_duration;
}

/* Renders a role with its ListRoles extras; before the table is complete the
 * role's shell waits for it (load_settle). */
static int load_role_merged(struct load_ctx *x, struct iam_role *r)
{
	const struct load_extra *e = x->ready ? load_extras_find(&x->ex, r->name) : NULL;
	size_t before = x->res->nroles;
	struct load_lent l;
	int rc;

	load_borrow(r, e, &l);
	rc = load_add_role(x->res, r);
	load_unborrow(r, &l);
	if (!rc && !x->ready && x->res->nroles > before)
		rc = load_extras_defer(&x->ex, before, r);
	return rc;
}

/* The table is complete: renders role.json again for the roles that waited,
 * when the table has something they lack (the same bytes as if it had come first). */
static int load_settle(struct load_ctx *x)
{
	size_t i;

	for (i = 0; i < x->ex.nwait; i++) {
		struct load_wait *w = &x->ex.wait[i];
		struct cache_role *cr = &x->res->roles[w->index];
		const struct load_extra *e = load_extras_find(&x->ex, w->role.name);
		const struct cache_role *o;
		struct cache_doc *d;
		struct load_lent l;

		if (!e || ((w->role.description || !e->description) &&
			   (w->role.max_session_duration || !e->max_session_duration)))
			continue;
		load_borrow(&w->role, e, &l);
		d = load_render_role(&w->role, w->role.create_time);
		load_unborrow(&w->role, &l);
		if (!d)
			return -ENOMEM;
		cache_doc_unref(cr->role_json);
		cr->role_json = d;
		if ((o = cache_view_find(x->res->old, cr->name)))
			load_share_doc(&cr->role_json, o->role_json);
	}
	load_extras_drop_waiting(&x->ex);
	return 0;
}

/* Settles the waiting roles once the ListRoles chain is done; -ECANCELED when
 * it failed (the load reports its error once it is joined). */
static int load_check_extras(struct load_ctx *x)
{
	int rc;

	if (x->ready || !load_extras_done(&x->ex, &rc))
		return 0;
	if (rc)
		return -ECANCELED;
	x->ready = true;
	return load_settle(x);
}

static int load_pol_add(struct load_ctx *x, const char *arn, struct cache_doc *doc)
{
	if (!doc)
		return -ENOMEM;
	if (x->npols == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 32;
		struct load_pol *v = realloc(x->pols, ncap * sizeof(*v));

		if (!v) {
			cache_doc_unref(doc);
			return -ENOMEM;
		}
		x->pols = v;
		x->cap = ncap;
	}
	if (!(x->pols[x->npols].arn = strdup(arn))) {
		cache_doc_unref(doc);
		return -ENOMEM;
	}
	x->pols[x->npols++].doc = doc;
	return 0;
}

static int load_policy(struct load_ctx *x, const struct iam_policy *p)
{
	const struct iam_policy_version *def = NULL;
	size_t i;

	if (!p->arn)
		return 0;
	if (load_local_add(x->res, p->arn))
		return -ENOMEM;
	for (i = 0; i < p->nversions; i++) {
		const struct iam_policy_version *v = &p->versions[i];

		if (v->is_default || (v->version_id && p->default_version_id &&
				      !strcmp(v->version_id, p->default_version_id)))
			def = v;
	}
	if (!def || !def->document)
		return 0; /* fetched one by one when a role needs it */
	return load_pol_add(x, p->arn, load_render_doc(def->document, def->create_time));
}

static int load_page(void *ctx, struct iam_gaad *page)
{
	struct load_ctx *x = ctx;
	size_t i;
	int rc;

	if ((rc = load_check_extras(x)))
		return rc;
	for (i = 0; i < page->roles.n; i++)
		if ((rc = load_role_merged(x, &page->roles.v[i])))
			return rc;
	for (i = 0; i < page->policies.n; i++)
		if ((rc = load_policy(x, &page->policies.v[i])))
			return rc;
	load_report_at(x, "GetAccountAuthorizationDetails", true);
	return 0;
}

int load_policy_doc(struct iam_conn *conn, const char *arn, struct cache_doc **out,
		    struct aws_error *err)
{
	struct iam_policy p = {0};
	struct iam_policy_version v = {0};
	struct cache_doc *d;
	int rc;

	rc = iam_get_policy(conn, arn, &p, err);
	if (!rc && !p.default_version_id) {
		aws_error_set(err, "InvalidAnswer", "GetPolicy of %s named no default version",
			      arn);
		rc = -EIO;
	}
	if (!rc)
		rc = iam_get_policy_version(conn, arn, p.default_version_id, &v, err);
	if (!rc) {
		d = load_render_doc(v.document, v.create_time);
		if (d)
			*out = d;
		else
			rc = -ENOMEM;
	}
	iam_policy_version_cleanup(&v);
	iam_policy_cleanup(&p);
	return rc;
}

/* Gives every customer managed attachment its shared document, fetching the few
 * GAAD did not carry (the fallback scan, or a policy created mid-chain). */
static int load_resolve(struct iam_conn *conn, struct load_ctx *x, struct aws_error *err)
{
	size_t i, j;
	int rc;

	if (x->npols > 1)
		qsort(x->pols, x->npols, sizeof(*x->pols), load_cmp_pol);
	for (i = 0; i < x->res->nroles; i++) {
		struct cache_role *r = &x->res->roles[i];

		for (j = 0; j < r->natt; j++) {
			struct load_pol key = {.arn = r->att[j].arn}, *p = NULL;
			struct cache_doc *d = NULL;

			if (r->att[j].aws_managed)
				continue;
			if (x->npols)
				p = bsearch(&key, x->pols, x->npols, sizeof(*p), load_cmp_pol);
			if (!p) {
				if (!conn) {
					aws_error_set(err, "NoSuchEntity", "no document for %s",
						      r->att[j].arn);
					return -ENOENT;
				}
				if ((rc = load_policy_doc(conn, r->att[j].arn, &d, err)))
					return rc;
				if ((rc = load_pol_add(x, r->att[j].arn, d)))
					return rc;
				cache_doc_ref(d);
				r->att[j].doc = d;
				qsort(x->pols, x->npols, sizeof(*x->pols), load_cmp_pol);
				continue;
			}
			cache_doc_ref(p->doc);
			r->att[j].doc = p->doc;
		}
	}
	return 0;
}

/* Fills one role's inline policies and attachments with per-role calls. */
static int load_scan_role(struct iam_conn *conn, struct iam_role *r, struct aws_error *err)
{
	struct iam_string_list names = {0};
	struct iam_attached_list att = {0};
	size_t i;
	int rc;

	rc = iam_list_role_policies(conn, r->name, &names, err);
	if (!rc && names.n && !(r->inline_policies = calloc(names.n, sizeof(*r->inline_policies))))
		rc = -ENOMEM;
	for (i = 0; !rc && i < names.n; i++) {
		rc = iam_get_role_policy(conn, r->name, names.v[i], &r->inline_policies[i], err);
		if (!rc)
			r->ninline++;
	}
	if (!rc)
		rc = iam_list_attached_role_policies(conn, r->name, &att, err);
	if (!rc) {
		r->attached = att.v;
		r->nattached = att.n;
		memset(&att, 0, sizeof(att));
	}
	iam_attached_list_cleanup(&att);
	iam_string_list_cleanup(&names);
	return rc;
}

static int load_scan(struct iam_conn *conn, struct load_ctx *x, struct aws_error *err)
{
	struct iam_role_list l = {0};
	size_t i;
	int rc;

	/* ListRoles carries Description and MaxSessionDuration itself. */
	rc = iam_list_roles(conn, &l, err);
	for (i = 0; !rc && i < l.n; i++) {
		if (!ident_role_problem(l.v[i].name, l.v[i].path))
			rc = load_scan_role(conn, &l.v[i], err);
		if (!rc)
			rc = load_add_role(x->res, &l.v[i]);
		/* Free as we go: only rendered bytes stay. */
		iam_role_cleanup(&l.v[i]);
		if (!rc)
			load_report(x, "the per-role scan");
	}
	iam_role_list_cleanup(&l);
	return rc;
}

/* GAAD was denied: the roles so far go and the per-role scan loads them. */
static int load_fallback(struct iam_conn *conn, struct load_ctx *x, struct aws_error *err)
{
	struct load_result *res = x->res;
	size_t i;

	for (i = 0; i < res->nroles; i++)
		model_role_cleanup(&res->roles[i]);
	res->nroles = 0;
	res->nskipped = 0;
	res->skipped[0] = '\0';
	res->fallback = true;
	load_extras_drop_waiting(&x->ex);
	load_report(x, "the per-role scan");
	load_local_cleanup(res);
	return load_scan(conn, x, err);
}

/* Both listing chains: ListRoles on its own thread and connection, GAAD here on
 * conn. A failed ListRoles is the load's failure whatever GAAD did (as when it
 * ran first); a failed GAAD stops ListRoles after its request in flight, and a
 * denied one waits for it, then falls back to the per-role scan. */
static int load_chains(struct iam_conn *conn, struct load_ctx *x, const char **failed,
		       struct aws_error *err)
{
	static const char *const filters[] = {"Role", "LocalManagedPolicy", NULL};
	int rc, lrc;

	*failed = "GetAccountAuthorizationDetails";
	load_report(x, *failed);
	x->ex.on_page = load_report_list_page;
	x->ex.ctx = x;
	load_extras_start(&x->ex, conn);
	rc = load_extras_done(&x->ex, &lrc) && lrc ? -ECANCELED : 0;
	if (!rc)
		rc = iam_get_account_authorization_details(conn, filters, load_page, x, err);
	if (!rc && !load_extras_done(&x->ex, &lrc))
		load_report(x, "ListRoles"); /* GAAD is done: only ListRoles is in flight */
	lrc = load_extras_finish(&x->ex, rc && rc != -EACCES);
	if (lrc) {
		*failed = "ListRoles";
		*err = x->ex.err;
		return lrc;
	}
	x->res->local_known = !rc;
	if (!rc) {
		x->ready = true;
		rc = load_settle(x);
	} else if (rc == -EACCES) {
		*failed = "the per-role scan";
		rc = load_fallback(conn, x, err);
	}
	return rc;
}

int load_account(struct iam_conn *conn, struct load_result *out, const char **failed,
		 struct aws_error *err)
{
	struct load_result res = {
		.old = out->old, .progress = out->progress, .progress_ctx = out->progress_ctx};
	struct load_ctx x = {.res = &res, .mu = PTHREAD_MUTEX_INITIALIZER};
	struct iam_caller_identity id = {0};
	int rc;

	/* First and alone: it checks the credentials (a bad key costs one call,
	 * not three) and gives the account the cache folder is named by. */
	*failed = "GetCallerIdentity";
	if (out->known_account && out->known_caller) {
		id.account = strdup(out->known_account);
		id.arn = strdup(out->known_caller);
		rc = id.account && id.arn ? 0 : -ENOMEM;
	} else {
		rc = iam_get_caller_identity(conn, &id, err);
	}
	if (!rc && !ident_account_ok(id.account)) {
		char e[64];

		aws_error_set(err, AWS_MALFORMED_RESPONSE,
			      "GetCallerIdentity answered an account id that is not 12 digits: "
			      "\"%s\"",
			      ident_escape(id.account, e, sizeof(e)));
		rc = -EIO;
	}
	if (!rc) {
		res.account = id.account;
		res.caller_arn = id.arn;
		id.account = id.arn = NULL;
		rc = load_chains(conn, &x, failed, err);
	}
	if (!rc) {
		*failed = "GetPolicy";
		load_report(&x, *failed);
		rc = load_resolve(conn, &x, err);
	}
	load_ctx_cleanup(&x);
	iam_caller_identity_cleanup(&id);
	if (rc) {
		load_result_cleanup(&res);
		return rc;
	}
	*out = res;
	return 0;
}

int load_gaad_pages(struct iam_gaad *pages, size_t n, struct load_result *out,
		    struct aws_error *err)
{
	struct load_result res = {.old = out->old};
	struct load_ctx x = {.res = &res, .ready = true, .mu = PTHREAD_MUTEX_INITIALIZER};
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < n; i++)
		rc = load_page(&x, &pages[i]);
	if (!rc)
		rc = load_resolve(NULL, &x, err);
	load_ctx_cleanup(&x);
	if (rc) {
		load_result_cleanup(&res);
		return rc;
	}
	*out = res;
	return 0;
}
