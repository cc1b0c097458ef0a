/*
 * The saves published while a bulk load is in flight. The load read the account
 * before (or while) they landed, so its view may hold older documents for the
 * files they changed; rather than throwing the load away, publication replays
 * these saves onto it, in order, and the newer documents win. Everything here
 * runs with the cache's mu held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "cache/model.h"

struct commits_entry {
	char *role;
	enum cache_file_kind kind;
	char *name;	       /* INLINE: the policy name; ATTACHED: the ARN; else NULL */
	struct cache_doc *doc; /* +1 ref; NULL: an inline policy removed */
};

static void commits_clear(struct cache *c)
{
	for (size_t i = 0; i < c->nsince; i++) {
		free(c->since[i].role);
		free(c->since[i].name);
		cache_doc_unref(c->since[i].doc);
	}
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

void commits_record(struct cache *c, const char *role, enum cache_file_kind kind, const char *name,
		    struct cache_doc *doc)
{
	struct commits_entry *e;

	if (!c->loading || c->since_lost)
		return;
	if (!commits_grow(c)) {
		c->since_lost = true;
		return;
	}
	e = &c->since[c->nsince];
	e->role = strdup(role);
	e->name = name ? strdup(name) : NULL;
	if (!e->role || (name && !e->name)) {
		free(e->role);
		free(e->name);
		c->since_lost = true;
		return;
	}
	e->kind = kind;
	e->doc = doc;
	if (doc)
		cache_doc_ref(doc);
	c->nsince++;
}

int commits_apply(struct cache *c, struct cache_view *nv)
{
	int rc = 0;

	if (c->since_lost)
		return -EAGAIN;
	for (size_t i = 0; !rc && i < c->nsince; i++) {
		const struct commits_entry *e = &c->since[i];

		rc = model_view_apply(nv, e->role, e->kind, e->name, e->doc);
		if (rc == -ENOENT) /* the load no longer has the role or attachment */
			rc = 0;
	}
	return rc;
}
