/*
 * Setting up and taking down a mount of several accounts (main.c): the list of
 * accounts from the options, the loaders' pool, and the mount's shared pools
 * handed to every account once they run.
 */
#include "fs/multi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "fs/workers.h"

/* An account of --profiles: its profile's own credential chain. */
static int multi_profile_client(struct router *r, struct account *a, struct iam_client **out,
				struct aws_error *err)
{
	struct iam_client_options io;

	memset(&io, 0, sizeof(io));
	io.profile = a->profile;
	io.endpoint_url = r->endpoint_url;
	io.sts_endpoint_url = r->sts_endpoint_url;
	return iam_client_new(&io, out, err);
}

static bool multi_busy(struct router *r)
{
	return !workers_idle(r->root->workers) || !workers_idle(r->root->savers) ||
	       !workers_idle(r->loaders);
}

/* Accounts from a list of profiles (OPTS_PROFILES_SEP between them; opts.c
 * checked that no name is empty). */
static int multi_profiles(struct router *r, const char *list, char *err, size_t cap)
{
	struct account_spec *specs;
	char *copy = strdup(list), *p;
	size_t n = 1;
	int rc;

	for (const char *q = list; *q; q++)
		n += strchr(OPTS_PROFILES_SEP, *q) != NULL;
	specs = calloc(n, sizeof(*specs));
	if (!copy || !specs) {
		free(copy);
		free(specs);
		snprintf(err, cap, "out of memory");
		return -ENOMEM;
	}
	n = 0;
	for (p = copy;;) {
		size_t len = strcspn(p, OPTS_PROFILES_SEP);
		bool last = !p[len];

		p[len] = '\0';
		specs[n].name = p;
		specs[n++].profile = p;
		if (last)
			break;
		p += len + 1;
	}
	rc = router_add_accounts(r, specs, n);
	if (rc)
		snprintf(err, cap, "cannot set up the accounts of --profiles: %s", strerror(-rc));
	free(specs);
	free(copy);
	return rc;
}

int multi_build(struct router *r, struct fs *root, const struct fs_opts *o, struct iam_client *base,
		char *err, size_t cap)
{
	memset(r, 0, sizeof(*r));
	router_init(r);
	r->multi = true;
	r->root = root;
	r->cache_dir = o->cache_dir;
	r->endpoint_url = o->endpoint_url;
	r->sts_endpoint_url = o->sts_endpoint_url;
	r->org_role = o->org_role;
	r->external_id = o->external_id;
	r->max_loads = o->max_loads;
	r->base = base;
	r->busy = multi_busy;
	r->make_client = multi_profile_client;
	if (o->profiles)
		return multi_profiles(r, o->profiles, err, cap);
	return multi_build_more(r, o, err, cap);
}

/* Opens from a disk copy and refused accounts take no gate slot: two more
 * threads than the gate lets load keep them from waiting behind slow loads. */
int multi_start(struct router *r)
{
	int rc = workers_start(r->max_loads + 2, &r->loaders);

	if (rc)
		return rc;
	for (size_t i = 0; i < r->n; i++) {
		struct fs *fs = &r->accounts[i]->fs;

		fs->workers = r->root->workers;
		fs->savers = r->root->savers;
		fs->notify = r->root->notify;
		fs->se = r->root->se;
	}
	return 0;
}

void multi_stop(struct router *r)
{
	workers_stop(r->loaders);
	r->loaders = NULL;
}
