/*
 * The current view and the publication of one save's edit (cache_view_get,
 * cache_publish_edit), and the edits published while a bulk load is in flight.
 * The load read the account before (or while) they landed, so its view may hold
 * older documents for the files they changed; rather than throwing the load
 * away, publication replays these edits onto it, in order, and the newer
 * documents win. The log's functions run with the cache's mu held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "cache/model.h"

struct commits_entry {
	struct model_edit e; /* strings owned (role, name, arn), documents +1 ref each */
};

static void commits_entry_free(struct commits_entry *x)
{
	free((char *)x->e.role);
	free((char *)x->e.name);
	free((char *)x->e.arn);
	cache_doc_unref(x->e.doc);
	cache_doc_unref(x->e.trust);
	cache_doc_unref(x->e.role_json);
	memset(x, 0, sizeof(*x));
}

static void commits_clear(struct cache *c)
{
	for (size_t i = 0; i < c->nsince; i++)
		commits_entry_free(&c->since[i]);
	free(c->since);
	c->since = NULL;
	c->nsince = c->capsince = 0;
	c->since_lost = false;
}

void commits_begin(struct cache *c)
{
	commits_clear(c);
	c->loading = true;
}

void commits_end(struct cache *c)
{
	commits_clear(c);
	c->loading = false;
}

/* Grows the log by one slot; false when full or out of memory. */
static bool commits_grow(struct cache *c)
{
	struct commits_entry *v;
	size_t cap;

	if (c->nsince < c->capsince)
		return true;
	if (c->capsince >= COMMITS_MAX)
		return false;
	cap = c->capsince ? c->capsince * 2 : 16;
	v = realloc(c->since, cap * sizeof(*v));
	if (!v)
		return false;
	c->since = v;
	c->capsince = cap;
	return true;
}

/* A copy of s or NULL for NULL; false when out of memory. */
static bool commits_dup(const char **d, const char *s)
{
	*d = s ? strdup(s) : NULL;
	return !s || *d;
}

void commits_record(struct cache *c, const struct model_edit *e)
{
	struct commits_entry *x;
	bool ok;

	if (!c->loading || c->since_lost)
		return;
	if (!commits_grow(c)) {
		c->since_lost = true;
		return;
	}
	x = &c->since[c->nsince];
	memset(x, 0, sizeof(*x));
	ok = commits_dup(&x->e.role, e->role);
	ok = commits_dup(&x->e.name, e->name) && ok;
	ok = commits_dup(&x->e.arn, e->arn) && ok;
	if (!ok) {
		commits_entry_free(x);
		c->since_lost = true;
		return;
	}
	x->e.op = e->op;
	x->e.kind = e->kind;
	x->e.mtime = e->mtime;
	x->e.doc = e->doc;
	x->e.trust = e->trust;
	x->e.role_json = e->role_json;
	cache_doc_ref(x->e.doc);
	cache_doc_ref(x->e.trust);
	cache_doc_ref(x->e.role_json);
	c->nsince++;
}

int commits_apply(struct cache *c, struct cache_view *nv)
{
	int rc = 0;

	if (c->since_lost)
		return -EAGAIN;
	for (size_t i = 0; !rc && i < c->nsince; i++) {
		rc = model_view_apply_edit(nv, &c->since[i].e);
		if (rc == -ENOENT) /* the load no longer has the role or attachment */
			rc = 0;
	}
	return rc;
}

void commits_emit(void *ctx, const struct cache_change *ch)
{
	struct cache *c = ctx;

	c->o.on_change(c->o.on_change_ctx, ch);
}

struct cache_view *cache_view_get(struct cache *c)
{
	struct cache_view *v;

	pthread_mutex_lock(&c->mu);
	v = c->view;
	__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->mu);
	return v;
}

int cache_publish_edit(struct cache *c, const struct model_edit *e)
{
	struct cache_view *old, *nv = NULL;
	int rc;

	pthread_mutex_lock(&c->mu);
	old = c->view;
	rc = model_view_edit(old, e, &nv);
	if (!rc) {
		commits_record(c, e);
		c->view = nv;
		/* Our own reference: a concurrent save may replace and put nv before
		 * the diff below has read it. */
		__atomic_add_fetch(&nv->refs, 1, __ATOMIC_RELAXED);
		c->save_pending = true;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mu);
	if (rc)
		return rc;
	if (c->o.on_change)
		model_diff(old, nv, commits_emit, c);
	cache_view_put(nv);
	cache_view_put(old);
	return 0;
}
