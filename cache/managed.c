/*
 * The AWS managed policy documents of a cache, fetched lazily (GetPolicy and
 * GetPolicyVersion, once per ARN for the mount) and kept sorted by ARN in the
 * cache's managed table, which the disk copy stores. The table is read and
 * written under the cache's mu; a fetch runs without it, and a second fetch of
 * the same ARN waits for the first. The prefetch (prefetch.c) fetches through
 * the same path ahead of the first read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "cache/load.h"
#include "cache/model.h"

struct managed_fetch {
	const char *arn;
	struct managed_fetch *next;
};

/* Copies the managed table (+1 ref each) for a disk write outside mu. */
struct disk_managed *managed_snapshot(struct cache *c, size_t *n)
{
	struct disk_managed *m = calloc(c->nmanaged + 1, sizeof(*m));
	size_t i;

	*n = 0;
	if (!m)
		return NULL;
	for (i = 0; i < c->nmanaged; i++) {
		if (!(m[i].arn = strdup(c->managed[i].arn)))
			break;
		m[i].doc = c->managed[i].doc;
		cache_doc_ref(m[i].doc);
		*n = i + 1;
	}
	return m;
}

static struct disk_managed *managed_find(struct cache *c, const char *arn)
{
	struct disk_managed key = {.arn = (char *)arn};
	size_t lo = 0, hi = c->nmanaged;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->managed[mid].arn, key.arn);

		if (!cmp)
			return &c->managed[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct cache_doc *cache_managed_doc(struct cache *c, const char *arn)
{
	struct disk_managed *m;
	struct cache_doc *d = NULL;

	pthread_mutex_lock(&c->mu);
	m = managed_find(c, arn);
	if (m) {
		d = m->doc;
		cache_doc_ref(d);
	}
	pthread_mutex_unlock(&c->mu);
	return d;
}

/* Inserts (arn, doc) in order, taking doc's reference. Called with mu held. */
static int managed_insert(struct cache *c, const char *arn, struct cache_doc *doc)
{
	size_t i;
	char *a = strdup(arn);

	if (a && c->nmanaged == c->capmanaged) {
		size_t ncap = c->capmanaged ? c->capmanaged * 2 : 16;
		struct disk_managed *v = realloc(c->managed, ncap * sizeof(*v));

		if (v) {
			c->managed = v;
			c->capmanaged = ncap;
		}
	}
	if (!a || c->nmanaged == c->capmanaged) {
		free(a);
		cache_doc_unref(doc);
		return -ENOMEM;
	}
	for (i = c->nmanaged; i > 0 && strcmp(c->managed[i - 1].arn, arn) > 0; i--)
		c->managed[i] = c->managed[i - 1];
	c->managed[i].arn = a;
	c->managed[i].doc = doc;
	c->nmanaged++;
	return 0;
}

static bool managed_fetching(struct cache *c, const char *arn)
{
	struct managed_fetch *f;

	for (f = c->fetching; f; f = f->next)
		if (!strcmp(f->arn, arn))
			return true;
	return false;
}

static void managed_fetch_done(struct cache *c, struct managed_fetch *me)
{
	struct managed_fetch **pp;

	for (pp = &c->fetching; *pp; pp = &(*pp)->next) {
		if (*pp == me) {
			*pp = me->next;
			break;
		}
	}
	pthread_cond_broadcast(&c->cond);
}

bool managed_wanted(struct cache *c, const char *arn)
{
	return !managed_find(c, arn) && !managed_fetching(c, arn);
}

int managed_fetch(struct cache *c, const char *arn, bool mark, struct cache_doc **out,
		  struct aws_error *err)
{
	struct managed_fetch me = {.arn = arn};
	struct disk_managed *m;
	struct cache_doc *d = NULL;
	struct iam_conn *conn;
	int rc;

	aws_error_clear(err);
	pthread_mutex_lock(&c->mu);
	/* Once per ARN: wait for a fetch of the same ARN already under way. */
	while (!(m = managed_find(c, arn)) && managed_fetching(c, arn))
		pthread_cond_wait(&c->cond, &c->mu);
	if (m) {
		*out = m->doc;
		cache_doc_ref(m->doc);
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	me.next = c->fetching;
	c->fetching = &me;
	pthread_mutex_unlock(&c->mu);
	conn = conn_get(c);
	if (!conn) {
		aws_error_set(err, "ConnectionError", "cannot set up an HTTP connection");
		rc = -ENOMEM;
	} else {
		rc = load_policy_doc(conn, arn, &d, err);
	}
	pthread_mutex_lock(&c->mu);
	managed_fetch_done(c, &me);
	if (!rc) {
		cache_doc_ref(d);
		rc = managed_insert(c, arn, d);
	}
	if (!rc) {
		*out = d;
		if (mark) {
			c->save_pending = true;
			pthread_cond_broadcast(&c->cond);
		}
	} else if (d) {
		cache_doc_unref(d);
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

int cache_fetch_managed(struct cache *c, const char *arn, struct cache_doc **out,
			struct aws_error *err)
{
	return managed_fetch(c, arn, true, out, err);
}
