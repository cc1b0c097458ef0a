/*
 * The ListRoles chain of a bulk load beside GAAD (load_extras.h). The chain's
 * thread owns the table until it sets done under mu; the loader reads it only
 * after seeing done, so the table itself needs no lock.
 */
#include "cache/load_extras.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int load_extras_cmp(const void *a, const void *b)
{
	return strcmp(((const struct load_extra *)a)->name, ((const struct load_extra *)b)->name);
}

/* Makes room for n more entries. */
static int load_extras_grow(struct load_extras *e, size_t n)
{
	struct load_extra *v;
	size_t ncap;

	if (e->n + n <= e->cap)
		return 0;
	ncap = e->cap ? e->cap * 2 : 64;
	if (ncap < e->n + n)
		ncap = e->n + n;
	if (!(v = realloc(e->v, ncap * sizeof(*v))))
		return -ENOMEM;
	e->v = v;
	e->cap = ncap;
	return 0;
}

/* iam_list_roles_paged's page_cb: keeps names, descriptions and durations. */
static int load_extras_page(void *ctx, struct iam_role_list *page)
{
	struct load_extras *e = ctx;
	size_t i;
	bool stop;

	if (load_extras_grow(e, page->n))
		return -ENOMEM;
	for (i = 0; i < page->n; i++) {
		struct load_extra *x = &e->v[e->n];

		if (!page->v[i].name)
			continue;
		x->name = page->v[i].name;
		x->description = page->v[i].description;
		x->max_session_duration = page->v[i].max_session_duration;
		page->v[i].name = NULL;
		page->v[i].description = NULL;
		e->n++;
	}
	pthread_mutex_lock(&e->mu);
	stop = e->cancel;
	pthread_mutex_unlock(&e->mu);
	if (e->on_page)
		e->on_page(e->ctx);
	return stop ? -ECANCELED : 0;
}

static void load_extras_run(struct load_extras *e, struct iam_conn *conn)
{
	struct aws_error err;
	int rc;

	aws_error_clear(&err);
	rc = iam_list_roles_paged(conn, load_extras_page, e, &err);
	if (rc == -ENOMEM && !err.code[0])
		aws_error_set(&err, "OutOfMemory", "out of memory reading ListRoles");
	if (!rc && e->n > 1)
		qsort(e->v, e->n, sizeof(*e->v), load_extras_cmp);
	pthread_mutex_lock(&e->mu);
	e->rc = rc;
	e->err = err;
	e->done = true;
	pthread_mutex_unlock(&e->mu);
}

static void *load_extras_main(void *arg)
{
	struct load_extras *e = arg;

	load_extras_run(e, e->conn);
	return NULL;
}

int load_extras_start(struct load_extras *e, struct iam_conn *conn)
{
	pthread_mutex_init(&e->mu, NULL);
	e->started = true;
	if (!iam_conn_new(iam_conn_client(conn), &e->conn)) {
		if (!pthread_create(&e->thread, NULL, load_extras_main, e)) {
			e->threaded = true;
			return 0;
		}
		iam_conn_free(e->conn);
		e->conn = NULL;
	}
	load_extras_run(e, conn);
	return 0;
}

bool load_extras_done(struct load_extras *e, int *rc)
{
	bool done;

	pthread_mutex_lock(&e->mu);
	done = e->done;
	*rc = e->rc;
	pthread_mutex_unlock(&e->mu);
	return done;
}

int load_extras_finish(struct load_extras *e, bool cancel)
{
	int rc;

	pthread_mutex_lock(&e->mu);
	e->cancel = e->cancel || cancel;
	pthread_mutex_unlock(&e->mu);
	if (e->threaded) {
		pthread_join(e->thread, NULL);
		e->threaded = false;
		iam_conn_free(e->conn);
		e->conn = NULL;
	}
	pthread_mutex_lock(&e->mu);
	rc = e->rc;
	if (rc == -ECANCELED && e->cancel)
		rc = 0;
	pthread_mutex_unlock(&e->mu);
	return rc;
}

const struct load_extra *load_extras_find(const struct load_extras *e, const char *name)
{
	struct load_extra key = {.name = (char *)name};

	if (!name || !e->n)
		return NULL;
	return bsearch(&key, e->v, e->n, sizeof(*e->v), load_extras_cmp);
}

int load_extras_defer(struct load_extras *e, size_t index, struct iam_role *r)
{
	struct load_wait *w;
	size_t i;

	if (e->nwait == e->capwait) {
		size_t ncap = e->capwait ? e->capwait * 2 : 64;

		if (!(w = realloc(e->wait, ncap * sizeof(*w))))
			return -ENOMEM;
		e->wait = w;
		e->capwait = ncap;
	}
	w = &e->wait[e->nwait++];
	w->index = index;
	w->role = *r;
	memset(r, 0, sizeof(*r));
	/* Only role.json is rendered again: the documents are not needed. */
	free(w->role.trust_policy);
	w->role.trust_policy = NULL;
	for (i = 0; i < w->role.ninline; i++)
		iam_inline_policy_cleanup(&w->role.inline_policies[i]);
	free(w->role.inline_policies);
	w->role.inline_policies = NULL;
	w->role.ninline = 0;
	return 0;
}

void load_extras_drop_waiting(struct load_extras *e)
{
	while (e->nwait)
		iam_role_cleanup(&e->wait[--e->nwait].role);
}

void load_extras_cleanup(struct load_extras *e)
{
	size_t i;

	load_extras_drop_waiting(e);
	free(e->wait);
	for (i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].description);
	}
	free(e->v);
	if (e->started)
		pthread_mutex_destroy(&e->mu);
	memset(e, 0, sizeof(*e));
}
