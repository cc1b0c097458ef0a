/* Unit tests for rebasing a view onto its disk copy: every document equal in
 * bytes and mtime is traded for the copy's (pointing into its mapping), shared
 * customer managed documents stay shared, documents that differ and roles the
 * copy lacks keep their own, nothing a reader sees changes (no diff), the mapping
 * lives as long as the documents; the cache swaps only the view it wrote. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache_int.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "cache/rebase.h"
#include "check.h"
#include "offline.h"

static char root[256];

static struct cache_view *make_view(void)
{
	return offline_sample_view("{\"t\"}\n");
}

/* Writes v as folder's disk copy and reads it back (the copy's view, refs 1). */
static struct cache_view *copy_of(const char *folder, const struct cache_view *v)
{
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me", 1}, rm = {0};
	struct disk_managed *m = NULL;
	struct cache_view *r = NULL;
	char why[512] = "";
	size_t nm = 0;

	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	CHECK_INT(disk_read(folder, &r, &m, &nm, &rm, why, sizeof(why)), 0);
	disk_managed_free(m, nm);
	disk_meta_cleanup(&rm);
	return r;
}

static void count_change(void *ctx, const struct cache_change *ch)
{
	(void)ch;
	(*(int *)ctx)++;
}

static bool borrowed(const struct cache_doc *d, const struct cache_doc *was)
{
	return d && d->backing && d != was && model_doc_same(d, was) && d->mtime == was->mtime;
}

static void test_trades_equal_documents(void)
{
	struct cache_view *v = make_view(), *copy, *nv = NULL;
	const struct cache_role *z, *a, *oz;
	char folder[512];
	size_t traded = 0;
	int changes = 0;

	snprintf(folder, sizeof(folder), "%s/all", root);
	if (!(copy = copy_of(folder, v)))
		goto out;
	CHECK_INT(rebase_view_take(v, copy, &nv, &traded), 0);
	cache_view_put(copy);
	if (!nv)
		goto out;
	CHECK_INT(traded, 8); /* zeta: trust, role.json, 2 inline, Shared; alpha: 3 */
	CHECK_INT(nv->serial, 7);
	CHECK_INT(nv->nroles, 2);
	model_diff(v, nv, count_change, &changes);
	CHECK_INT(changes, 0);
	z = cache_view_find(nv, "zeta");
	a = cache_view_find(nv, "alpha");
	oz = cache_view_find(v, "zeta");
	CHECK(borrowed(z->trust, oz->trust));
	CHECK(borrowed(z->role_json, oz->role_json));
	CHECK(borrowed(z->inl[0].doc, oz->inl[0].doc));
	CHECK(borrowed(z->inl[1].doc, oz->inl[1].doc));
	CHECK(borrowed(cache_role_find_attached(z, "Shared")->doc,
		       cache_role_find_attached(oz, "Shared")->doc));
	CHECK(cache_role_find_attached(z, "Shared")->doc ==
	      cache_role_find_attached(a, "Shared")->doc);
	CHECK(cache_role_find_attached(z, "ReadOnlyAccess")->doc == NULL);
	CHECK(cache_role_find_attached(z, "ReadOnlyAccess")->aws_managed);
	CHECK_INT(z->mtime, 100);
	/* The heap view goes; the copy's mapping stays while nv holds documents. */
	cache_view_put(v);
	v = NULL;
	CHECK_INT(offline_mapped(folder), 1);
	CHECK_STR(z->inl[1].doc->bytes, "[]\n");
	cache_view_put(nv);
	CHECK_INT(offline_mapped(folder), 0);
out:
	cache_view_put(v);
}

/* A document saved after the copy was written, and a role the copy lacks, keep
 * their own documents; a document whose bytes match but mtime differs too. */
static void test_keeps_what_differs(void)
{
	struct cache_view *v = make_view(), *copy, *v2 = NULL, *nv = NULL;
	struct cache_doc *saved = model_doc_new("{\"new\"}\n", 8, 500);
	struct cache_doc *touched = model_doc_new("{}\n", 3, 999);
	struct cache_doc *fresh = model_doc_new("{}\n", 3, 1);
	struct model_edit add = {
		.op = MODEL_EDIT_ROLE_ADD, .role = "new-role", .trust = fresh, .mtime = 1};
	const struct cache_role *z, *a;
	char folder[512];
	size_t traded = 0;

	snprintf(folder, sizeof(folder), "%s/some", root);
	copy = copy_of(folder, v);
	CHECK_INT(model_view_replace(v, "zeta", CACHE_FILE_TRUST, NULL, saved, &v2), 0);
	if (!copy || !v2)
		goto out;
	CHECK_INT(model_view_apply(v2, "alpha", CACHE_FILE_TRUST, NULL, touched), 0);
	CHECK_INT(model_view_apply_edit(v2, &add), 0); /* a role the copy never saw */
	CHECK_INT(rebase_view_take(v2, copy, &nv, &traded), 0);
	if (!nv)
		goto out;
	CHECK_INT(traded, 6); /* the two trusts and the new role's stay */
	z = cache_view_find(nv, "zeta");
	a = cache_view_find(nv, "alpha");
	CHECK(z->trust == saved && !z->trust->backing);
	CHECK(a->trust == touched && !a->trust->backing);
	CHECK(a->role_json->backing != NULL);
	CHECK(cache_view_find(nv, "new-role")->trust->backing == NULL);
out:
	cache_doc_unref(fresh);
	cache_doc_unref(saved);
	cache_doc_unref(touched);
	cache_view_put(nv);
	cache_view_put(v2);
	cache_view_put(copy);
	cache_view_put(v);
}

/* rebase_view_take takes the copy's roles that hold exactly what the written
 * ones do (their names, arrays and documents: the copy's parse) and copies the
 * one that differs; nothing a reader sees changes. */
static void test_take_equal_roles(void)
{
	struct cache_view *v = make_view(), *copy, *v2 = NULL, *nv = NULL;
	struct cache_doc *saved = model_doc_new("{\"new\"}\n", 8, 500);
	const char *alpha_name, *zeta_name;
	const struct cache_role *z, *a;
	char folder[512];
	size_t traded = 0;
	int changes = 0;

	snprintf(folder, sizeof(folder), "%s/take", root);
	copy = copy_of(folder, v);
	CHECK_INT(model_view_replace(v, "zeta", CACHE_FILE_TRUST, NULL, saved, &v2), 0);
	if (!copy || !v2)
		goto out;
	alpha_name = cache_view_find(copy, "alpha")->name;
	zeta_name = cache_view_find(copy, "zeta")->name;
	CHECK_INT(rebase_view_take(v2, copy, &nv, &traded), 0);
	if (!nv)
		goto out;
	CHECK_INT(traded, 7); /* alpha's 3 taken whole; zeta's all but the saved trust */
	CHECK_INT(nv->serial, v2->serial);
	a = cache_view_find(nv, "alpha");
	z = cache_view_find(nv, "zeta");
	CHECK(a && a->name == alpha_name && a->trust->backing && a->role_json->backing);
	CHECK(copy->roles[0].name == NULL); /* alpha was taken out of the copy */
	CHECK(z && z->name != zeta_name && z->trust == saved && z->role_json->backing);
	CHECK(cache_role_find_attached(z, "Shared")->doc ==
	      cache_role_find_attached(a, "Shared")->doc);
	model_diff(v2, nv, count_change, &changes);
	CHECK_INT(changes, 0);
	CHECK(model_view_same(v2, nv));
out:
	cache_doc_unref(saved);
	cache_view_put(nv);
	cache_view_put(v2);
	cache_view_put(copy);
	cache_view_put(v);
}

/* A view of n roles whose trust documents are 100 bytes each (role.json 3), on
 * the heap. */
static struct cache_view *wide_view(size_t n)
{
	struct cache_role *roles = calloc(n, sizeof(*roles));
	char name[32], doc[101];

	memset(doc, 'x', 100);
	doc[100] = '\0';
	for (size_t i = 0; roles && i < n; i++) {
		snprintf(name, sizeof(name), "role-%04zu", i);
		roles[i].name = strdup(name);
		roles[i].trust = model_doc_new(doc, 100, 1);
		roles[i].role_json = model_doc_new("{}\n", 3, 1);
	}
	return roles ? model_view_new(roles, n, 1) : NULL;
}

/* One saved document in a large mapped view is not worth reading the copy
 * back; a load's worth (or enough saves) is. */
static void test_wanted_share(void)
{
	struct cache_view *v = wide_view(200), *copy;
	struct cache_doc *saved = model_doc_new("{\"saved\"}\n", 10, 9);
	char folder[512], name[32];

	snprintf(folder, sizeof(folder), "%s/wide", root);
	if (!v || !(copy = copy_of(folder, v))) {
		CHECK(0);
		cache_view_put(v);
		cache_doc_unref(saved);
		return;
	}
	CHECK(rebase_wanted(v));      /* all on the heap: a load */
	CHECK(!rebase_wanted(copy));  /* all mapped */
	for (int i = 0; i < 4; i++) { /* 40 of 20,240 bytes: under 1/64 */
		snprintf(name, sizeof(name), "role-%04d", i);
		CHECK_INT(model_view_apply(copy, name, CACHE_FILE_TRUST, NULL, saved), 0);
	}
	CHECK(!rebase_wanted(copy));
	for (int i = 4; i < 40; i++) {
		snprintf(name, sizeof(name), "role-%04d", i);
		CHECK_INT(model_view_apply(copy, name, CACHE_FILE_TRUST, NULL, saved), 0);
	}
	CHECK(rebase_wanted(copy)); /* 400 of 17,000 bytes */
	cache_view_put(copy);
	cache_view_put(v);
	cache_doc_unref(saved);
}

/* rebase_cache publishes the rebased view only in place of the view written. */
static void test_cache_swaps_only_what_it_wrote(void)
{
	struct cache c;
	struct cache_view *v = make_view(), *other = make_view();
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me", 1};
	char folder[512];

	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.mu, NULL);
	snprintf(folder, sizeof(folder), "%s/cache", root);
	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	c.view = other; /* a save replaced the view meanwhile */
	rebase_cache(&c, v, folder);
	CHECK(c.view == other);
	CHECK(other->roles[0].trust->backing == NULL);
	c.view = v;
	rebase_cache(&c, v, folder);
	CHECK(c.view != v);
	CHECK(c.view->roles[1].trust->backing != NULL);
	CHECK_INT(c.view->serial, 7);
	CHECK_INT(offline_mapped(folder), 1);
	cache_view_put(c.view);
	CHECK_INT(offline_mapped(folder), 0);
	/* No copy to read: nothing changes. */
	c.view = other;
	snprintf(folder, sizeof(folder), "%s/none", root);
	rebase_cache(&c, other, folder);
	CHECK(c.view == other);
	cache_view_put(other);
	pthread_mutex_destroy(&c.mu);
}

/* AWS managed documents are traded with the view; a view already all in a
 * mapping is not copied again. */
static void test_cache_managed_and_nothing_to_do(void)
{
	struct cache c;
	struct cache_view *v = make_view();
	struct disk_managed m = {OFFLINE_RO, model_doc_new("{\"RO\"}\n", 7, 50)};
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me", 1};
	struct cache_view *rebased;
	char folder[512];

	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.mu, NULL);
	snprintf(folder, sizeof(folder), "%s/managed", root);
	CHECK_INT(disk_write(folder, v, &m, 1, &meta), 0);
	c.view = v;
	c.managed = calloc(1, sizeof(*c.managed));
	if (!c.managed)
		goto out;
	c.managed[0].arn = strdup(OFFLINE_RO);
	c.managed[0].doc = m.doc;
	cache_doc_ref(m.doc);
	c.nmanaged = 1;
	rebase_cache(&c, v, folder);
	CHECK(c.managed[0].doc != m.doc && c.managed[0].doc->backing != NULL);
	CHECK_STR(c.managed[0].doc->bytes, "{\"RO\"}\n");
	rebased = c.view;
	CHECK(rebased != v);
	rebase_cache(&c, rebased, folder); /* all mapped: left alone */
	CHECK(c.view == rebased);
out:
	disk_managed_free(c.managed, c.nmanaged);
	cache_doc_unref(m.doc);
	cache_view_put(c.view);
	pthread_mutex_destroy(&c.mu);
}

static void cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/iamfs-test-rebase-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_trades_equal_documents();
	test_keeps_what_differs();
	test_take_equal_roles();
	test_wanted_share();
	test_cache_swaps_only_what_it_wrote();
	test_cache_managed_and_nothing_to_do();
	cleanup();
	return check_done("rebase");
}
