/*
 * Trading a view's heap documents for the equal ones of its disk copy (see
 * rebase.h). The trade is a copy-on-write of the view, published only when it
 * is still the current one, so readers holding the old view keep it whole.
 */
#include "cache/rebase.h"

#include <errno.h>
#include <stdbool.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "cache/disk.h"

/* Replaces *slot by from when both hold the same bytes and mtime. */
static void rebase_trade(struct cache_doc **slot, struct cache_doc *from, size_t *traded)
{
	if (model_doc_trade(slot, from, true))
		(*traded)++;
}

static void rebase_role(struct cache_role *r, const struct cache_role *f, size_t *traded)
{
	size_t i;

	if (!f)
		return;
	rebase_trade(&r->trust, f->trust, traded);
	rebase_trade(&r->role_json, f->role_json, traded);
	for (i = 0; i < r->ninl; i++) {
		const struct cache_inline *fi = cache_role_find_inline(f, r->inl[i].name);

		if (fi)
			rebase_trade(&r->inl[i].doc, fi->doc, traded);
	}
	for (i = 0; i < r->natt; i++) {
		struct cache_attached *a = &r->att[i];
		const struct cache_attached *fa = cache_role_find_attached(f, a->name);

		if (fa && !a->aws_managed && !strcmp(fa->arn, a->arn))
			rebase_trade(&a->doc, fa->doc, traded);
	}
}

/* The documents of r that f holds in other allocations (what taking f trades). */
static size_t rebase_count(const struct cache_role *r, const struct cache_role *f)
{
	size_t i, n = (r->trust != f->trust) + (r->role_json != f->role_json);

	for (i = 0; i < r->ninl; i++)
		n += r->inl[i].doc != f->inl[i].doc;
	for (i = 0; i < r->natt; i++)
		n += r->att[i].doc != f->att[i].doc;
	return n;
}

/* The role of from called name, at or after *j (both views are sorted bytewise;
 * roles before *j were passed or taken). */
static struct cache_role *rebase_next(struct cache_view *from, size_t *j, const char *name)
{
	while (*j < from->nroles && strcmp(from->roles[*j].name, name) < 0)
		(*j)++;
	return *j < from->nroles && !strcmp(from->roles[*j].name, name) ? &from->roles[*j] : NULL;
}

int rebase_view_take(const struct cache_view *v, struct cache_view *from, struct cache_view **out,
		     size_t *traded)
{
	struct cache_role *roles = calloc(v->nroles + 1, sizeof(*roles)), *f;
	struct cache_view *nv;
	size_t i, j = 0;

	*traded = 0;
	if (!roles)
		return -ENOMEM;
	for (i = 0; i < v->nroles; i++) {
		f = rebase_next(from, &j, v->roles[i].name);
		if (f && model_role_same(&v->roles[i], f)) {
			*traded += rebase_count(&v->roles[i], f);
			roles[i] = *f;
			memset(f, 0, sizeof(*f)); /* taken: from's cleanup skips it */
			j++;
			continue;
		}
		if (model_role_copy(&roles[i], &v->roles[i])) {
			while (i)
				model_role_cleanup(&roles[--i]);
			free(roles);
			return -ENOMEM;
		}
		rebase_role(&roles[i], f, traded);
	}
	if (!(nv = model_view_new(roles, v->nroles, v->serial)))
		return -ENOMEM;
	*out = nv;
	return 0;
}

void rebase_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void rebase_count_doc(const struct cache_doc *d, size_t *heap, size_t *all)
{
	if (!d)
		return;
	*all += d->len;
	if (!d->backing)
		*heap += d->len;
}

bool rebase_wanted(const struct cache_view *v)
{
	size_t heap = 0, all = 0;

	for (size_t i = 0; i < v->nroles; i++) {
		const struct cache_role *r = &v->roles[i];

		rebase_count_doc(r->trust, &heap, &all);
		rebase_count_doc(r->role_json, &heap, &all);
		for (size_t j = 0; j < r->ninl; j++)
			rebase_count_doc(r->inl[j].doc, &heap, &all);
		for (size_t j = 0; j < r->natt; j++)
			rebase_count_doc(r->att[j].doc, &heap, &all);
	}
	return heap && heap >= all / REBASE_HEAP_SHARE;
}

static int rebase_cmp_arn(const void *a, const void *b)
{
	return strcmp(((const struct disk_managed *)a)->arn, ((const struct disk_managed *)b)->arn);
}

/* Trades c's AWS managed documents for the copy's (m, sorted by ARN, as
 * c->managed is), so that no document is left on the heap or on an older
 * mapping. Called with mu held. */
static void rebase_managed(struct cache *c, const struct disk_managed *m, size_t nm)
{
	size_t traded = 0;

	for (size_t i = 0; i < c->nmanaged; i++) {
		const struct disk_managed *f;

		if (!c->managed[i].doc || !nm)
			continue;
		f = bsearch(&c->managed[i], m, nm, sizeof(*m), rebase_cmp_arn);
		if (f)
			rebase_trade(&c->managed[i].doc, f->doc, &traded);
	}
}

/* The copy's read and the view built on it, run on a thread of their own. */
struct rebase_job {
	const struct cache_view *written;
	const char *folder;
	struct cache_view *copy, *nv;
	struct disk_managed *m;
	size_t nm;
};

static void *rebase_job_run(void *arg)
{
	struct rebase_job *j = arg;
	struct disk_meta meta = {0};
	char why[CACHE_WHY_MAX];
	size_t traded = 0;

	if (disk_read(j->folder, &j->copy, &j->m, &j->nm, &meta, why, sizeof(why)))
		return NULL;
	disk_meta_cleanup(&meta);
	if (rebase_view_take(j->written, j->copy, &j->nv, &traded) || !traded) {
		cache_view_put(j->nv);
		j->nv = NULL;
	}
	return NULL;
}

void rebase_cache(struct cache *c, const struct cache_view *written, const char *folder)
{
	struct rebase_job j = {.written = written, .folder = folder};
	struct cache_view *old = NULL;
	pthread_t th;

	/* A view all in a mapping already stays on it: trading it for every new copy
	 * would copy the view at each write and keep each copy mapped. A few saved
	 * documents wait for more rather than have the whole copy read again. */
	if (!rebase_wanted(written))
		return;
	rebase_trim(); /* the load's garbage goes before the copy's pages come in */
	if (pthread_create(&th, NULL, rebase_job_run, &j))
		rebase_job_run(&j);
	else
		pthread_join(th, NULL);
	pthread_mutex_lock(&c->mu);
	if (j.nv && c->view == written) {
		old = c->view;
		c->view = j.nv;
		j.nv = NULL;
		rebase_managed(c, j.m, j.nm);
	}
	pthread_mutex_unlock(&c->mu);
	disk_managed_free(j.m, j.nm);
	cache_view_put(j.copy);
	cache_view_put(j.nv);
	cache_view_put(old);
	rebase_trim();
}
