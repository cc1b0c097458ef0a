/*
 * The prefetch of AWS managed documents (prefetch.h). Its state hangs off the
 * cache (c->prefetch, made by the first kick) and is read and written under the
 * cache's mu; fetches run without it. Each thread has a slot: a kick joins a
 * slot's finished thread before reusing it, cache_close joins them all.
 */
#include "cache/prefetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/cache_int.h"

struct prefetch_slot {
	struct cache *c;
	pthread_t thread;
	bool used; /* thread was started and is not joined yet */
	bool done; /* under mu: its thread took its last look at the queue */
};

struct prefetch {
	struct prefetch_slot slot[PREFETCH_THREADS];
	char *queue[PREFETCH_QUEUE_MAX]; /* ARNs owned; [head, n) still to fetch */
	size_t head, n;
	unsigned running;		    /* threads not done */
	size_t inflight;		    /* fetches under way */
	size_t fetched, failed;		    /* this batch (since running was last 0) */
	char first_fail[HOOKS_MSG_MAX / 2]; /* the batch's first failure, one phrase */
};

/* An attached ARN and the place of its first attachment in the view. */
struct prefetch_arn {
	const char *arn; /* borrowed from the view */
	size_t at;
};

static int prefetch_cmp_arn(const void *a, const void *b)
{
	const struct prefetch_arn *x = a, *y = b;
	int cmp = strcmp(x->arn, y->arn);

	return cmp ? cmp : (x->at > y->at) - (x->at < y->at);
}

static int prefetch_cmp_at(const void *a, const void *b)
{
	const struct prefetch_arn *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* The distinct AWS managed ARNs attached in v, in the order of their first
 * attachment (the order a walk of the tree reaches them). */
static struct prefetch_arn *prefetch_arns(const struct cache_view *v, size_t *n)
{
	struct prefetch_arn *arns;
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < v->nroles; i++)
		total += v->roles[i].natt;
	*n = 0;
	if (!total || !(arns = malloc(total * sizeof(*arns))))
		return NULL;
	for (i = 0; i < v->nroles; i++)
		for (j = 0; j < v->roles[i].natt; j++)
			if (v->roles[i].att[j].aws_managed && v->roles[i].att[j].arn) {
				arns[k] = (struct prefetch_arn){v->roles[i].att[j].arn, k};
				k++;
			}
	if (k > 1)
		qsort(arns, k, sizeof(*arns), prefetch_cmp_arn);
	for (i = 0; i < k; i++)
		if (!*n || strcmp(arns[*n - 1].arn, arns[i].arn))
			arns[(*n)++] = arns[i];
	if (*n > 1)
		qsort(arns, *n, sizeof(*arns), prefetch_cmp_at);
	return arns;
}

static bool prefetch_queued(const struct prefetch *p, const char *arn)
{
	for (size_t i = p->head; i < p->n; i++)
		if (!strcmp(p->queue[i], arn))
			return true;
	return false;
}

/* Under mu: queues those of arns still wanted. */
static void prefetch_enqueue(struct cache *c, const struct prefetch_arn *arns, size_t n)
{
	struct prefetch *p = c->prefetch;

	if (p->head == p->n)
		p->head = p->n = 0;
	for (size_t i = 0; i < n && p->n < PREFETCH_QUEUE_MAX; i++) {
		if (!managed_wanted(c, arns[i].arn) || prefetch_queued(p, arns[i].arn))
			continue;
		if ((p->queue[p->n] = strdup(arns[i].arn)))
			p->n++;
	}
}

/* Under mu, by the batch's last thread: the disk copy gets the documents (one
 * write for the batch) and msg the one line a failure earns. */
static void prefetch_batch_end(struct cache *c, char *msg, size_t cap)
{
	struct prefetch *p = c->prefetch;

	if (p->fetched) {
		c->save_pending = true;
		pthread_cond_broadcast(&c->cond);
	}
	if (p->failed && !c->stop)
		snprintf(msg, cap,
			 "fetching AWS managed policy documents ahead of reads: %zu of %zu failed "
			 "(the first: %s); each is fetched when it is read",
			 p->failed, p->failed + p->fetched, p->first_fail);
	p->fetched = p->failed = 0;
	p->first_fail[0] = '\0';
}

static void *prefetch_run(void *arg)
{
	struct prefetch_slot *s = arg;
	struct cache *c = s->c;
	struct prefetch *p = c->prefetch;
	char msg[HOOKS_MSG_MAX] = "";
	struct aws_error err;
	struct cache_doc *d;
	char *arn;
	int rc;

	pthread_mutex_lock(&c->mu);
	while (!c->stop && p->head < p->n) {
		arn = p->queue[p->head];
		p->queue[p->head++] = NULL;
		p->inflight++;
		pthread_mutex_unlock(&c->mu);
		d = NULL;
		rc = managed_fetch(c, arn, false, &d, &err);
		cache_doc_unref(d);
		pthread_mutex_lock(&c->mu);
		p->inflight--;
		if (!rc)
			p->fetched++;
		else if (!p->failed++)
			snprintf(p->first_fail, sizeof(p->first_fail), "%.200s: %.60s: %.300s", arn,
				 err.code[0] ? err.code : "error", err.message);
		free(arn);
	}
	s->done = true;
	if (!--p->running)
		prefetch_batch_end(c, msg, sizeof(msg));
	pthread_mutex_unlock(&c->mu);
	if (msg[0])
		hooks_log(&c->hooks, LOG_WARNING, "%s", msg);
	return NULL;
}

/* Under mu: a thread per slot free, up to one per queued ARN. */
static void prefetch_spawn(struct cache *c)
{
	struct prefetch *p = c->prefetch;

	for (size_t i = 0; i < PREFETCH_THREADS && p->running < p->n - p->head; i++) {
		struct prefetch_slot *s = &p->slot[i];

		if (s->used && !s->done)
			continue;
		if (s->used) /* past its last use of mu: the join is short */
			pthread_join(s->thread, NULL);
		s->c = c;
		s->used = s->done = false;
		if (pthread_create(&s->thread, NULL, prefetch_run, s))
			break; /* what is left waits for its read */
		s->used = true;
		p->running++;
	}
}

void prefetch_kick(struct cache *c)
{
	struct prefetch_arn *arns;
	struct cache_view *v;
	size_t n;

	if (!c->o.prefetch_managed)
		return;
	pthread_mutex_lock(&c->mu);
	if (!c->started || c->stop || !c->view ||
	    (!c->prefetch && !(c->prefetch = calloc(1, sizeof(*c->prefetch))))) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	v = c->view;
	__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->mu);
	arns = prefetch_arns(v, &n);
	pthread_mutex_lock(&c->mu);
	if (arns && !c->stop) {
		prefetch_enqueue(c, arns, n);
		prefetch_spawn(c);
	}
	pthread_mutex_unlock(&c->mu);
	free(arns);
	cache_view_put(v);
}

void prefetch_stop(struct cache *c)
{
	struct prefetch *p = c->prefetch;

	if (!p)
		return;
	for (size_t i = 0; i < PREFETCH_THREADS; i++)
		if (p->slot[i].used)
			pthread_join(p->slot[i].thread, NULL);
	for (size_t i = p->head; i < p->n; i++)
		free(p->queue[i]);
	free(p);
	c->prefetch = NULL;
}

size_t prefetch_left(struct cache *c)
{
	struct prefetch *p = c->prefetch;

	return p && p->running ? p->n - p->head + p->inflight : 0;
}
