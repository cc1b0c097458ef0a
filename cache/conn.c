/*
 * The per-thread IAM connections of a cache: each thread that calls IAM gets its
 * own (struct iam_conn is not shared between threads), made on first use, kept
 * in a thread-specific key and in the cache's list (under conn_mu) so the cache
 * can free those of threads that outlive it.
 */
#include <stdlib.h>

#include "cache/cache_int.h"

struct conn_entry {
	struct cache *c;
	struct iam_conn *conn;
	struct conn_entry *next, *prev;
};

static void conn_unlink(struct conn_entry *cc)
{
	struct cache *c = cc->c;

	pthread_mutex_lock(&c->conn_mu);
	if (cc->prev)
		cc->prev->next = cc->next;
	else
		c->conns = cc->next;
	if (cc->next)
		cc->next->prev = cc->prev;
	pthread_mutex_unlock(&c->conn_mu);
	iam_conn_free(cc->conn);
	free(cc);
}

/* pthread key destructor: a thread that used the cache exits. */
void conn_destroy(void *p)
{
	conn_unlink(p);
}

struct iam_conn *conn_get(struct cache *c)
{
	struct conn_entry *cc = pthread_getspecific(c->conn_key);

	if (cc)
		return cc->conn;
	if (!(cc = calloc(1, sizeof(*cc))))
		return NULL;
	if (iam_conn_new(c->o.iam, &cc->conn)) {
		free(cc);
		return NULL;
	}
	cc->c = c;
	pthread_mutex_lock(&c->conn_mu);
	cc->next = c->conns;
	if (c->conns)
		c->conns->prev = cc;
	c->conns = cc;
	pthread_mutex_unlock(&c->conn_mu);
	pthread_setspecific(c->conn_key, cc);
	return cc->conn;
}

/* Drops this thread's connection (before the caller forks to daemonize). */
void conn_drop(struct cache *c)
{
	struct conn_entry *cc = pthread_getspecific(c->conn_key);

	if (!cc)
		return;
	pthread_setspecific(c->conn_key, NULL);
	conn_unlink(cc);
}

void conn_free_all(struct cache *c)
{
	struct conn_entry *cc;

	while ((cc = c->conns)) {
		c->conns = cc->next;
		iam_conn_free(cc->conn);
		free(cc);
	}
}
