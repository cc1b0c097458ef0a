/* Unit tests for the account model: views built from hand-made GAAD pages
 * (sorting, shared customer managed documents, AWS managed detection, role.json
 * bytes), the mtime rules, the diff events and copy-on-write replacement. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/load.h"
#include "cache/model.h"
#include "check.h"

#define TRUST                                                                                      \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:"       \
	"AssumeRole\"}]}"
#define TRUST_R                                                                                    \
	"{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n"                   \
	"            \"Effect\": \"Allow\",\n            \"Action\": \"sts:AssumeRole\"\n"         \
	"        }\n    ]\n}\n"
#define SHARED	"arn:aws:iam::123456789012:policy/Shared"
#define RO	"arn:aws:iam::aws:policy/ReadOnlyAccess"
#define T0	"2024-01-02T03:04:05Z"
#define T0_UNIX 1704164645LL

static void test_helpers(void)
{
	CHECK(model_arn_is_aws_managed(RO));
	CHECK(model_arn_is_aws_managed("arn:aws-cn:iam::aws:policy/X"));
	CHECK(!model_arn_is_aws_managed(SHARED));
	CHECK(!model_arn_is_aws_managed("arn:aws:iam::awsx:policy/X"));
	CHECK(!model_arn_is_aws_managed("nonsense"));
	CHECK_STR(model_arn_name("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"),
		  "AWSLambdaRole");
	CHECK_STR(model_arn_name("plain"), "plain");
	CHECK(model_hash("", 0) == 0xcbf29ce484222325ULL);
	CHECK(model_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
}

struct fixture {
	struct iam_inline_policy zinl[2];
	struct iam_attached_policy zatt[2], aatt[1];
	struct iam_role roles[3];
	struct iam_policy_version vers[2];
	struct iam_policy pols[1];
	struct iam_gaad pages[2];
};

/* Two pages: roles first, the managed policy on the second (as GAAD may split). */
static void fixture_init(struct fixture *f, const char *inline_a)
{
	memset(f, 0, sizeof(*f));
	f->zinl[0] = (struct iam_inline_policy){"b", "{\"Statement\":[]}"};
	f->zinl[1] = (struct iam_inline_policy){"a", (char *)inline_a};
	f->zatt[0] = (struct iam_attached_policy){"Shared", SHARED};
	f->zatt[1] = (struct iam_attached_policy){"ReadOnlyAccess", RO};
	f->aatt[0] = (struct iam_attached_policy){NULL, SHARED};
	f->roles[0] = (struct iam_role){.name = "zeta",
					.id = "AROAZ",
					.arn = "arn:aws:iam::123456789012:role/zeta",
					.path = "/",
					.create_date = T0,
					.create_time = T0_UNIX,
					.trust_policy = TRUST,
					.inline_policies = f->zinl,
					.ninline = 2,
					.attached = f->zatt,
					.nattached = 2};
	f->roles[1] = (struct iam_role){.name = "alpha",
					.id = "AROAA",
					.arn = "arn:aws:iam::123456789012:role/alpha",
					.path = "/",
					.create_date = "2024-02-01T00:00:00Z",
					.create_time = 1706745600LL,
					.trust_policy = TRUST,
					.max_session_duration = 7200,
					.attached = f->aatt,
					.nattached = 1};
	f->roles[2] = (struct iam_role){.name = "Beta",
					.id = "AROAB",
					.arn = "arn:aws:iam::123456789012:role/Beta",
					.path = "/",
					.create_date = T0,
					.create_time = T0_UNIX,
					.trust_policy = "not json"};
	f->vers[0] = (struct iam_policy_version){"v1", false, "2024-01-01T00:00:00Z", 1704067200LL,
						 "{\"old\":1}"};
	f->vers[1] = (struct iam_policy_version){"v2", true, "2024-05-06T00:00:00Z", 1714953600LL,
						 "{\"Statement\":[{\"Effect\":\"Deny\"}]}"};
	f->pols[0] = (struct iam_policy){
		.arn = SHARED, .default_version_id = "v2", .versions = f->vers, .nversions = 2};
	f->pages[0].roles = (struct iam_role_list){f->roles, 3, 3};
	f->pages[1].policies = (struct iam_policy_list){f->pols, 1, 1};
}

static struct cache_view *build(const char *inline_a, unsigned long long serial)
{
	struct fixture f;
	struct load_result res = {0};
	struct aws_error err;
	struct cache_view *v;
	int rc;

	fixture_init(&f, inline_a);
	rc = load_gaad_pages(f.pages, 2, &res, &err);
	CHECK_INT(rc, 0);
	if (rc)
		return NULL;
	v = model_view_new(res.roles, res.nroles, serial);
	res.roles = NULL;
	res.nroles = 0;
	load_result_cleanup(&res);
	return v;
}

static void test_build(void)
{
	struct cache_view *v = build("{\"Statement\":\"a\"}", 1);
	const struct cache_role *z, *a, *b;
	const struct cache_attached *sh, *ro;

	if (!v)
		return;
	CHECK_INT(v->nroles, 3);
	CHECK_STR(v->roles[0].name, "Beta");
	CHECK_STR(v->roles[1].name, "alpha");
	CHECK_STR(v->roles[2].name, "zeta");
	z = cache_view_find(v, "zeta");
	a = cache_view_find(v, "alpha");
	b = cache_view_find(v, "Beta");
	CHECK(z && a && b && !cache_view_find(v, "beta") && !cache_view_find(v, "zz"));
	if (!z || !a || !b)
		goto out;
	CHECK_INT(z->mtime, T0_UNIX);
	CHECK_STR(z->trust->bytes, TRUST_R);
	CHECK_INT(z->trust->len, strlen(TRUST_R));
	CHECK_INT(z->trust->mtime, T0_UNIX);
	CHECK(z->trust->gen == model_hash(TRUST_R, strlen(TRUST_R)));
	/* Text that is not JSON is served as sent. */
	CHECK_STR(b->trust->bytes, "not json\n");
	CHECK_INT(z->ninl, 2);
	CHECK_STR(z->inl[0].name, "a");
	CHECK_STR(z->inl[1].name, "b");
	CHECK_STR(z->inl[0].doc->bytes, "{\n    \"Statement\": \"a\"\n}\n");
	CHECK(cache_role_find_inline(z, "b") == &z->inl[1] && !cache_role_find_inline(z, "c"));
	CHECK_INT(z->natt, 2);
	ro = cache_role_find_attached(z, "ReadOnlyAccess");
	sh = cache_role_find_attached(z, "Shared");
	CHECK(ro && sh && ro->aws_managed && !ro->doc && !sh->aws_managed);
	CHECK(sh && sh->doc && sh->doc == cache_role_find_attached(a, "Shared")->doc);
	if (sh && sh->doc) {
		CHECK_STR(sh->doc->bytes,
			  "{\n    \"Statement\": [\n        {\n            \"Effect\": \"Deny\"\n"
			  "        }\n    ]\n}\n");
		CHECK_INT(sh->doc->mtime, 1714953600LL);
		CHECK_INT(sh->doc->refs, 2);
	}
	CHECK_STR(a->role_json->bytes,
		  "{\n    \"RoleName\": \"alpha\",\n"
		  "    \"Arn\": \"arn:aws:iam::123456789012:role/alpha\",\n"
		  "    \"RoleId\": \"AROAA\",\n    \"Path\": \"/\",\n"
		  "    \"CreateDate\": \"2024-02-01T00:00:00Z\",\n"
		  "    \"MaxSessionDuration\": 7200,\n    \"AttachedPolicies\": [\n"
		  "        \"arn:aws:iam::123456789012:policy/Shared\"\n    ]\n}\n");
out:
	cache_view_put(v);
}

/* A load against the view it revalidates keeps that view's documents for the
 * files whose bytes did not change, and only those. */
static void test_load_shares_old(void)
{
	struct cache_view *v1 = build("{\"Statement\":\"a\"}", 1);
	struct load_result res = {.old = v1};
	struct aws_error err;
	struct fixture f;
	const struct cache_role *o;
	size_t i;

	if (!v1)
		return;
	fixture_init(&f, "{\"Statement\":\"changed\"}");
	CHECK_INT(load_gaad_pages(f.pages, 2, &res, &err), 0);
	CHECK(res.old == v1);
	CHECK_INT(res.nroles, 3);
	for (i = 0; i < res.nroles; i++) {
		const struct cache_role *r = &res.roles[i];
		size_t j;

		o = cache_view_find(v1, r->name);
		CHECK(o && r->trust == o->trust && r->role_json == o->role_json);
		CHECK_INT(r->ninl, o ? o->ninl : 99);
		for (j = 0; o && j < r->ninl; j++) {
			const struct cache_inline *oi = cache_role_find_inline(o, r->inl[j].name);
			bool changed = !strcmp(r->name, "zeta") && !strcmp(r->inl[j].name, "a");

			CHECK(oi && (r->inl[j].doc == oi->doc) == !changed);
			CHECK_INT(r->inl[j].doc->refs, changed ? 1 : 2);
		}
	}
	load_result_cleanup(&res);
	o = cache_view_find(v1, "zeta");
	CHECK(o && o->trust->refs == 1);
	cache_view_put(v1);
}

static void test_missing_customer_doc(void)
{
	struct fixture f;
	struct load_result res = {0};
	struct aws_error err;

	fixture_init(&f, "{}");
	CHECK_INT(load_gaad_pages(f.pages, 1, &res, &err), -ENOENT);
	CHECK(res.roles == NULL && res.nroles == 0);
}

static void test_settle(void)
{
	struct cache_view *v1 = build("{\"Statement\":\"a\"}", 1);
	struct cache_view *v2 = build("{\"Statement\":\"changed\"}", 2);
	const struct cache_role *o, *n;

	if (!v1 || !v2)
		goto out;
	model_settle(v2, v1, 5000);
	o = cache_view_find(v1, "zeta");
	n = cache_view_find(v2, "zeta");
	CHECK(n->trust == o->trust);
	CHECK(n->role_json == o->role_json);
	CHECK(n->inl[1].doc == o->inl[1].doc);
	CHECK(n->inl[0].doc != o->inl[0].doc);
	CHECK_INT(n->inl[0].doc->mtime, 5000);
	CHECK_INT(o->inl[0].doc->mtime, T0_UNIX);
	CHECK_INT(n->trust->refs, 2);
	/* Settling against nothing keeps CreateDates. */
	model_settle(v1, NULL, 9999);
	CHECK_INT(o->trust->mtime, T0_UNIX);
out:
	cache_view_put(v1);
	cache_view_put(v2);
}

/* A saved file keeps its bytes while IAM holds the same value in another layout. */
static void test_settle_saved(void)
{
	static const char saved[] = "{\"Statement\":  \"a\"}\n";
	static const char saved_pol[] = "{\"Statement\": [{\"Effect\": \"Deny\"}]}\n";
	struct cache_view *v1 = build("{\"Statement\":\"a\"}", 1), *v2 = NULL, *v3 = NULL;
	struct cache_view *fresh = build("{\"Statement\":\"a\"}", 5);
	struct cache_doc *d = model_doc_new(saved, strlen(saved), 77);
	struct cache_doc *p = model_doc_new(saved_pol, strlen(saved_pol), 88);
	const struct cache_role *z, *a;

	if (!v1 || !fresh || !d || !p)
		goto out;
	CHECK_INT(model_view_replace(v1, "zeta", CACHE_FILE_INLINE, "a", d, &v2), 0);
	CHECK_INT(model_view_replace(v2, "", CACHE_FILE_ATTACHED, SHARED, p, &v3), 0);
	model_settle(fresh, v3, 5000);
	z = cache_view_find(fresh, "zeta");
	a = cache_view_find(fresh, "alpha");
	CHECK(z && z->inl[0].doc == d);
	CHECK(z && !strcmp(z->inl[0].doc->bytes, saved) && z->inl[0].doc->mtime == 77);
	CHECK(z && cache_role_find_attached(z, "Shared")->doc == p);
	CHECK(a && cache_role_find_attached(a, "Shared")->doc == p);
	CHECK_INT(p->refs, 5); /* ours, v3 and fresh: two roles each */
out:
	cache_view_put(v1);
	cache_view_put(v2);
	cache_view_put(v3);
	cache_view_put(fresh);
	cache_doc_unref(d);
	cache_doc_unref(p);
}

struct events {
	char lines[32][96];
	int n;
};

static void record(void *ctx, const struct cache_change *ch)
{
	static const char *const what[] = {"role+", "role-", "file+", "file-", "file~"};
	static const char *const kind[] = {"trust", "role", "inline", "attached"};
	struct events *e = ctx;

	if (e->n < 32)
		snprintf(e->lines[e->n++], sizeof(e->lines[0]), "%s %s %s %s", what[ch->what],
			 ch->role, ch->what <= CACHE_CHANGE_ROLE_REMOVED ? "-" : kind[ch->kind],
			 ch->name ? ch->name : "-");
}

static void test_diff(void)
{
	struct cache_view *v1 = build("{\"Statement\":\"a\"}", 1), *v2 = NULL, *v3 = NULL;
	struct cache_doc *d = model_doc_new("{}\n", 3, 7);
	struct events e = {.n = 0};
	static const char *const want[] = {
		"file~ alpha attached Shared",
		"file~ zeta inline a",
		"file+ zeta inline c",
		"file~ zeta attached Shared",
	};
	size_t i;

	if (!v1 || !d)
		goto out;
	model_diff(v1, v1, record, &e);
	CHECK_INT(e.n, 0);
	CHECK_INT(model_view_replace(v1, "zeta", CACHE_FILE_INLINE, "a", d, &v2), 0);
	CHECK_INT(model_view_replace(v2, "zeta", CACHE_FILE_INLINE, "c", d, &v3), 0);
	cache_view_put(v2);
	CHECK_INT(model_view_replace(v3, "", CACHE_FILE_ATTACHED, SHARED, d, &v2), 0);
	CHECK_INT(v2->serial, 4);
	model_diff(v1, v2, record, &e);
	CHECK_INT(e.n, 4);
	for (i = 0; i < 4 && i < (size_t)e.n; i++)
		CHECK_STR(e.lines[i], want[i]);
	/* Roles and files going away. */
	cache_view_put(v3);
	CHECK_INT(model_view_replace(v2, "zeta", CACHE_FILE_INLINE, "c", NULL, &v3), 0);
	e.n = 0;
	model_diff(v2, v3, record, &e);
	CHECK_INT(e.n, 1);
	CHECK_STR(e.lines[0], "file- zeta inline c");
	e.n = 0;
	model_diff(v3, NULL, record, &e);
	CHECK_INT(e.n, 3);
	CHECK_STR(e.lines[0], "role- Beta - -");
	e.n = 0;
	model_diff(NULL, v3, record, &e);
	CHECK_INT(e.n, 3);
	CHECK_STR(e.lines[2], "role+ zeta - -");
	e.n = 0;
	{
		struct cache_view *v4 = build("{\"Statement\":\"a\"}", 9);
		const struct cache_role *r;

		r = cache_view_find(v4, "zeta");
		/* Equal bytes in distinct documents are no change. */
		model_diff(v1, v4, record, &e);
		CHECK_INT(e.n, 0);
		CHECK(r && r->trust != cache_view_find(v1, "zeta")->trust);
		cache_view_put(v4);
	}
out:
	cache_doc_unref(d);
	cache_view_put(v1);
	cache_view_put(v2);
	cache_view_put(v3);
}

static void test_replace(void)
{
	struct cache_view *v1 = build("{}", 1), *v2 = NULL;
	struct cache_doc *d = model_doc_new("X\n", 2, 42);
	const struct cache_role *o, *n;

	if (!v1 || !d)
		goto out;
	CHECK_INT(model_view_replace(v1, "nobody", CACHE_FILE_TRUST, NULL, d, &v2), -ENOENT);
	CHECK_INT(model_view_replace(v1, "", CACHE_FILE_ATTACHED, "arn:x", d, &v2), -ENOENT);
	CHECK_INT(model_view_replace(v1, "zeta", CACHE_FILE_INLINE, "none", NULL, &v2), -ENOENT);
	CHECK(v2 == NULL);
	CHECK_INT(model_view_replace(v1, "zeta", CACHE_FILE_TRUST, NULL, d, &v2), 0);
	if (!v2)
		goto out;
	o = cache_view_find(v1, "zeta");
	n = cache_view_find(v2, "zeta");
	CHECK(n->trust == d && o->trust != d);
	CHECK_INT(d->refs, 2);
	CHECK(n->role_json == o->role_json && n->inl[0].doc == o->inl[0].doc);
	CHECK(cache_view_find(v2, "alpha")->trust == cache_view_find(v1, "alpha")->trust);
	CHECK_INT(v2->serial, 2);
	CHECK_INT(v1->refs, 1);
out:
	cache_view_put(v2);
	cache_view_put(v1);
	CHECK(d && d->refs == 1);
	cache_doc_unref(d);
}

/* A load not yet published takes the saves made meanwhile, in place. */
static void test_apply(void)
{
	struct cache_view *v = build("{\"Statement\":\"a\"}", 1);
	struct cache_doc *d = model_doc_new("{}\n", 3, 99);
	const struct cache_role *z, *a;

	if (!v || !d)
		goto out;
	z = cache_view_find(v, "zeta");
	a = cache_view_find(v, "alpha");
	CHECK_INT(model_view_apply(v, "zeta", CACHE_FILE_INLINE, "0new", d), 0);
	CHECK_INT(model_view_apply(v, "zeta", CACHE_FILE_INLINE, "a", NULL), 0);
	CHECK_INT(model_view_apply(v, "zeta", CACHE_FILE_TRUST, NULL, d), 0);
	CHECK_INT(model_view_apply(v, "", CACHE_FILE_ATTACHED, SHARED, d), 0);
	CHECK_INT(model_view_apply(v, "gone", CACHE_FILE_TRUST, NULL, d), -ENOENT);
	CHECK_INT(model_view_apply(v, "zeta", CACHE_FILE_INLINE, "nope", NULL), -ENOENT);
	CHECK_INT(model_view_apply(v, "", CACHE_FILE_ATTACHED, "arn:aws:iam::1:policy/X", d),
		  -ENOENT);
	CHECK(z && z->ninl == 2 && !strcmp(z->inl[0].name, "0new") && z->inl[0].doc == d);
	CHECK(z && cache_role_find_inline(z, "b") && !cache_role_find_inline(z, "a"));
	CHECK(z && z->trust == d);
	CHECK(a && cache_role_find_attached(a, "Shared")->doc == d);
	CHECK_INT(v->serial, 1);
out:
	cache_view_put(v);
	cache_doc_unref(d);
}

/* Structural edits: attach, detach, role added and removed, copy-on-write and
 * in place, with their refusals. */
static void test_edit(void)
{
	struct cache_view *v1 = build("{}", 1), *v2 = NULL, *v3 = NULL;
	struct cache_doc *d = model_doc_new("{}\n", 3, 5), *rj = model_doc_new("R\n", 2, 5);
	struct model_edit att = {.op = MODEL_EDIT_ATTACH,
				 .role = "alpha",
				 .name = "AWSLambdaRole",
				 .arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
				 .role_json = rj};
	struct model_edit add = {.op = MODEL_EDIT_ROLE_ADD,
				 .role = "new-role",
				 .trust = d,
				 .role_json = rj,
				 .mtime = 77};
	struct events e = {.n = 0};
	const struct cache_role *r;

	if (!v1 || !d || !rj)
		goto out;
	CHECK_INT(model_view_edit(v1, &att, &v2), 0);
	r = v2 ? cache_view_find(v2, "alpha") : NULL;
	CHECK(r && r->natt == 2 && !strcmp(r->att[0].name, "AWSLambdaRole") &&
	      r->att[0].aws_managed && !r->att[0].doc && r->role_json == rj);
	CHECK(cache_view_find(v1, "alpha")->natt == 1);
	model_diff(v1, v2, record, &e);
	CHECK_INT(e.n, 2);
	CHECK_STR(e.lines[0], "file~ alpha role -");
	CHECK_STR(e.lines[1], "file+ alpha attached AWSLambdaRole");
	att.op = MODEL_EDIT_DETACH;
	att.role_json = NULL;
	CHECK_INT(model_view_edit(v2, &att, &v3), 0);
	r = v3 ? cache_view_find(v3, "alpha") : NULL;
	CHECK(r && r->natt == 1 && !strcmp(r->att[0].name, "Shared") && r->role_json == rj);
	cache_view_put(v3);
	v3 = NULL;
	att.role = "nobody";
	CHECK_INT(model_view_edit(v2, &att, &v3), -ENOENT);
	att.role = "zeta";
	att.name = "NotAttached";
	CHECK_INT(model_view_edit(v2, &att, &v3), -ENOENT);
	att.op = MODEL_EDIT_ATTACH;
	att.arn = NULL;
	CHECK_INT(model_view_edit(v2, &att, &v3), -EINVAL);
	CHECK(v3 == NULL);
	/* A created role goes in its sorted place; a deleted one goes away. */
	CHECK_INT(model_view_edit(v2, &add, &v3), 0);
	CHECK(v3 && v3->nroles == 4 && !strcmp(v3->roles[2].name, "new-role"));
	r = v3 ? cache_view_find(v3, "new-role") : NULL;
	CHECK(r && r->trust == d && r->role_json == rj && r->mtime == 77 && !r->ninl && !r->natt);
	add.op = MODEL_EDIT_ROLE_REMOVE;
	CHECK_INT(model_view_apply_edit(v3, &add), 0);
	CHECK_INT(model_view_apply_edit(v3, &add), -ENOENT);
	CHECK(v3 && v3->nroles == 3 && !cache_view_find(v3, "new-role"));
	/* Documents: one reference each from v2 (rj) and from v3 (rj, none for d). */
	CHECK_INT(d->refs, 1);
out:
	cache_view_put(v1);
	cache_view_put(v2);
	cache_view_put(v3);
	CHECK(d && d->refs == 1 && rj && rj->refs == 1);
	cache_doc_unref(d);
	cache_doc_unref(rj);
}

/* An attachment's name is a pointer into its ARN when it is the ARN's tail, a
 * copy of its own when not; both free cleanly. */
static void test_att_names(void)
{
	struct cache_attached a = {0}, b = {0};
	const char *arn = "arn:aws:iam::123456789012:policy/team/Deploy";

	CHECK_INT(model_att_names(&a, "Deploy", arn), 0);
	CHECK(a.arn && a.arn != arn && !strcmp(a.arn, arn));
	CHECK(a.name == a.arn + strlen(arn) - strlen("Deploy"));
	CHECK_INT(model_att_names(&b, "Other", arn), 0);
	CHECK(b.name && !strcmp(b.name, "Other") && b.name != model_arn_name(b.arn));
	model_att_clear(&a);
	model_att_clear(&b);
	CHECK(!a.name && !a.arn && !b.name && !b.arn);
}

/* model_view_same: equal views (other allocations, same bytes and mtimes) are the
 * same; a changed document, mtime, ARN or role is not. */
static void test_view_same(void)
{
	struct cache_view *a = build("{}", 1), *b = build("{}", 2), *c = build("{\"x\": 1}", 3);
	struct cache_view *d = NULL;
	struct cache_doc *later;

	CHECK(a && b && c);
	if (!a || !b || !c)
		goto out;
	CHECK(model_view_same(a, a) && model_view_same(a, b) && model_view_same(NULL, NULL));
	CHECK(!model_view_same(a, NULL) && !model_view_same(a, c));
	CHECK(model_role_same(&a->roles[0], &b->roles[0]));
	later = model_doc_new(a->roles[0].trust->bytes, a->roles[0].trust->len,
			      a->roles[0].trust->mtime + 1);
	CHECK_INT(model_view_replace(a, a->roles[0].name, CACHE_FILE_TRUST, NULL, later, &d), 0);
	cache_doc_unref(later);
	CHECK(d && !model_view_same(a, d));
	cache_view_put(d);
out:
	cache_view_put(a);
	cache_view_put(b);
	cache_view_put(c);
}

int main(void)
{
	test_helpers();
	test_build();
	test_load_shares_old();
	test_missing_customer_doc();
	test_settle();
	test_settle_saved();
	test_diff();
	test_replace();
	test_apply();
	test_edit();
	test_att_names();
	test_view_same();
	return check_done("model");
}
