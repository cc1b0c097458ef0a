/*
 * The ListRoles chain of a bulk load, run beside the GAAD chain on its own
 * connection and thread: it keeps only what GAAD's RoleDetail lacks
 * (Description, MaxSessionDuration), sorted by name once the chain is done.
 * GAAD roles rendered before the table is complete wait here as shells (their
 * documents already rendered) until load.c re-renders their role.json with the
 * table, so the result never depends on which chain ends first.
 */
#ifndef IAMFS_CACHE_LOAD_EXTRAS_H
#define IAMFS_CACHE_LOAD_EXTRAS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam.h"

/* What GAAD lacks, from ListRoles. */
struct load_extra {
	char *name;
	char *description;
	int max_session_duration;
};

/* A GAAD role rendered before the table was complete: roles[index] of the load,
 * and the role as GAAD described it without its trust and inline documents. */
struct load_wait {
	size_t index;
	struct iam_role role;
};

struct load_extras {
	pthread_mutex_t mu;
	pthread_t thread;
	bool started;	       /* load_extras_start ran (mu is set up) */
	bool threaded;	       /* the chain runs on thread (joined by load_extras_finish) */
	struct iam_conn *conn; /* owned when threaded: the chain's own connection */
	/* Under mu. */
	bool done, cancel;
	int rc;		      /* the chain's result once done */
	struct aws_error err; /* its error when rc != 0 */
	/* The table: the chain's until done, then read-only. */
	struct load_extra *v;
	size_t n, cap;
	/* The loader's only. */
	struct load_wait *wait;
	size_t nwait, capwait;
	/* Called after each page, on the chain's thread (may be NULL). */
	void (*on_page)(void *ctx);
	void *ctx;
};

/* Starts the chain on a new connection of conn's client and a thread of its own;
 * when either cannot be made, runs it here on conn instead (the load then
 * waits for it, as a sequential one). e is set up here; on_page and ctx are
 * the caller's (set before the call). Always 0: the chain's own result comes
 * from load_extras_finish. */
int load_extras_start(struct load_extras *e, struct iam_conn *conn);

/* True once the chain ended (0: the table is complete; else failed). */
bool load_extras_done(struct load_extras *e, int *rc);

/* Waits for the chain and frees its connection. With cancel the chain stops
 * after the request in flight. Returns its result: 0 with the table complete,
 * -errno with e->err filled when it failed of itself; a chain stopped by
 * cancel returns 0 with the table incomplete (the caller fails anyway). */
int load_extras_finish(struct load_extras *e, bool cancel);

/* The extras of role name, NULL when ListRoles did not name it (borrowed; only
 * after the chain is done). */
const struct load_extra *load_extras_find(const struct load_extras *e, const char *name);

/* Keeps r's shell (moved out: r is left empty) for roles[index]; its trust and
 * inline documents are freed. 0 or -ENOMEM (r left as it was). */
int load_extras_defer(struct load_extras *e, size_t index, struct iam_role *r);

/* Frees the waiting shells (after they were settled or when the roles go). */
void load_extras_drop_waiting(struct load_extras *e);

/* Frees everything (e zeroed, or started and finished). */
void load_extras_cleanup(struct load_extras *e);

#endif
