/*
 * Trading a view's heap documents for the equal ones of its disk copy (see
 * rebase.h). The trade is a copy-on-write of the view, published only when it
 * is still the current one, so readers holding the old view keep it whole.
 */
#include "cache/rebase.h"

#include <errno.h>
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
	if (!*slot || !from || *slot == from || (*slot)->mtime != from->mtime ||
	    !model_doc_same(*slot, from))
		return;
	cache_doc_ref(from);
	cache_doc_unref(*slot);
	*slot = from;
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

int rebase_view(const struct cache_view *v, const struct cache_view *from, struct cache_view **out,
		size_t *traded)
{
	struct cache_role *roles = calloc(v->nroles + 1, sizeof(*roles));
	struct cache_view *nv;
	size_t i;

	*traded = 0;
	if (!roles)
		return -ENOMEM;
	for (i = 0; i < v->nroles; i++) {
		if (model_role_copy(&roles[i], &v->roles[i])) {
			while (i)
				model_role_cleanup(&roles[--i]);
			free(roles);
			return -ENOMEM;
		}
		rebase_role(&roles[i], cache_view_find(from, roles[i].name), traded);
	}
	if (!(nv = model_view_new(roles, v->nroles, v->serial)))
		return -ENOMEM;
	*out = nv;
	return 0;
}

void rebase_cache(struct cache *c, const struct cache_view *written, const char *folder)
{
	struct cache_view *copy = NULL, *nv = NULL, *old = NULL;
	struct disk_managed *m = NULL;
	struct disk_meta meta = {0};
	char why[CACHE_WHY_MAX];
	size_t nm = 0, traded = 0;

	if (disk_read(folder, &copy, &m, &nm, &meta, why, sizeof(why)))
		return;
	disk_managed_free(m, nm);
	disk_meta_cleanup(&meta);
	if (!rebase_view(written, copy, &nv, &traded) && traded) {
		pthread_mutex_lock(&c->mu);
		if (c->view == written) {
			old = c->view;
			c->view = nv;
			nv = NULL;
		}
		pthread_mutex_unlock(&c->mu);
	}
	cache_view_put(copy);
	cache_view_put(nv);
	if (!old)
		return;
	cache_view_put(old);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
