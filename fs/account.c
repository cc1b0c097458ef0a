/*
 * The accounts of a mount of several: building them (folder names, tables,
 * cache folders), opening one (its IAM client at the first open, then its
 * cache, whose loads pass the mount's gate) and freeing them (router.h).
 */
#include "fs/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "fs/helper.h"
#include "fs/log.h"
#include "fs/notify.h"

#define ACCOUNT_FOLDER_MAX 200 /* bytes of a folder name before its suffix */

static void account_on_change(void *ctx, const struct cache_change *ch)
{
	struct fs *fs = ctx;

	if (fs->notify)
		notify_on_change_in(fs->notify, fs->inodes, ch);
}

/* The cache's warnings, named by the account's folder. */
static void account_log(void *ctx, int priority, const char *msg)
{
	struct account *a = ctx;

	log_msg(priority, "account %s: %s", a->folder, msg);
}

/* Opens a's cache (its client first, once). why gets one sentence on failure. */
static int account_open_cache(struct account *a, char *why, size_t cap)
{
	struct router *r = a->r;
	struct cache_options co;
	struct aws_error err;
	struct cache_health h;
	struct cache *c;
	int rc;

	aws_error_clear(&err);
	if (!a->iam && (rc = r->make_client(r, a, &a->iam, &err))) {
		snprintf(why, cap, "%s", err.message[0] ? err.message : strerror(-rc));
		return rc;
	}
	fs_cache_options(&a->fs, &co);
	co.dir = a->cache_dir;
	co.iam = a->iam;
	co.on_change = account_on_change;
	co.on_change_ctx = &a->fs;
	co.log = account_log;
	co.log_ctx = a;
	co.gate = router_gate;
	co.gate_ctx = r;
	co.open_empty = true;
	if (a->caller[0] && a->id[0]) {
		co.account_id = a->id;
		co.caller_arn = a->caller;
	}
	if ((rc = cache_open(&co, &c, &err))) {
		snprintf(why, cap, "%s", err.message[0] ? err.message : strerror(-rc));
		return rc;
	}
	if ((rc = cache_start(c))) {
		cache_close(c);
		snprintf(why, cap, "cannot start its refresher: %s", strerror(-rc));
		return rc;
	}
	cache_health(c, &h);
	pthread_mutex_lock(&a->lock);
	if (!a->id[0] && h.account[0])
		snprintf(a->id, sizeof(a->id), "%s", h.account);
	if (h.last_load)
		a->last_load = h.last_load;
	__atomic_store_n(&a->fs.cache, c, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int router_open_account(struct account *a)
{
	char why[sizeof(a->why)] = "";
	int rc;

	pthread_mutex_lock(&a->lock);
	while (a->opening)
		pthread_cond_wait(&a->cond, &a->lock);
	if (__atomic_load_n(&a->fs.cache, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&a->lock);
		return 0;
	}
	a->opening = true;
	pthread_mutex_unlock(&a->lock);
	rc = account_open_cache(a, why, sizeof(why));
	if (rc)
		log_msg(LOG_WARNING, "account %s: cannot open: %s", a->folder, why);
	pthread_mutex_lock(&a->lock);
	a->opening = false;
	snprintf(a->why, sizeof(a->why), "%s", why);
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	/* Requests on an account that cannot be opened at all are refused. */
	return rc ? -EACCES : 0;
}

void accounts_safe_name(const char *name, char *out, size_t cap)
{
	size_t o = 0;

	if (!cap)
		return;
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".iamfs") || !*name) {
		if (o + 1 < cap)
			out[o++] = '_';
	}
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 1 < cap; p++)
		out[o++] = *p == '/' || *p < 0x20 || *p == 0x7f ? '_' : (char)*p;
	out[o] = '\0';
}

/* True when some account before index n has folder name. */
static bool account_folder_taken(struct router *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(r->accounts[i]->folder, name))
			return true;
	}
	return false;
}

/* The folder of spec i: its safe name, with its id (or a number) appended only
 * when another account's name is the same. */
static int account_folder(struct router *r, const struct account_spec *specs, size_t n, size_t i,
			  char *out, size_t cap)
{
	char mine[ACCOUNT_FOLDER_MAX + 1], other[ACCOUNT_FOLDER_MAX + 1];
	bool clash = false;

	accounts_safe_name(specs[i].name, mine, sizeof(mine));
	for (size_t j = 0; j < n && !clash; j++) {
		accounts_safe_name(specs[j].name, other, sizeof(other));
		clash = j != i && !strcmp(mine, other);
	}
	if (!clash && !account_folder_taken(r, r->n, mine)) {
		snprintf(out, cap, "%s", mine);
		return 0;
	}
	if (specs[i].id) {
		snprintf(out, cap, "%s-%s", mine, specs[i].id);
		return account_folder_taken(r, r->n, out) ? -EEXIST : 0;
	}
	for (unsigned k = 2; k < 10000; k++) {
		snprintf(out, cap, "%s-%u", mine, k);
		if (!account_folder_taken(r, r->n, out))
			return 0;
	}
	return -EEXIST;
}

static void account_free(struct account *a)
{
	if (!a)
		return;
	cache_close(a->fs.cache);
	fs_release_all(&a->fs);
	inode_table_free(a->fs.inodes);
	helper_table_free(a->fs.helpers);
	fs_cleanup(&a->fs);
	iam_client_free(a->iam);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a->name);
	free(a->profile);
	free(a->folder);
	free(a->cache_dir);
	free(a);
}

/* A new account k from spec, with folder name folder. */
static int account_new(struct router *r, unsigned k, const struct account_spec *spec,
		       const char *folder, struct account **out)
{
	struct account *a = calloc(1, sizeof(*a));
	uint64_t base = (uint64_t)k << ROUTER_RANGE_SHIFT;
	char dir[4096];

	if (!a)
		return -ENOMEM;
	a->fs = *r->root; /* settings and the shared pools; its own state below */
	a->fs.cache = NULL;
	a->fs.opens = NULL;
	a->fs.hidden = NULL;
	a->fs.nhidden = 0;
	memset(&a->fs.status, 0, sizeof(a->fs.status));
	fs_init(&a->fs);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	a->r = r;
	a->k = k;
	snprintf(a->id, sizeof(a->id), "%s", spec->id ? spec->id : "");
	snprintf(dir, sizeof(dir), "%s/%s/%s", r->cache_dir, spec->id ? "accounts" : "profiles",
		 spec->id ? spec->id : folder);
	a->name = strdup(spec->name);
	a->profile = spec->profile ? strdup(spec->profile) : NULL;
	a->folder = strdup(folder);
	a->cache_dir = strdup(dir);
	if (!a->name || !a->folder || !a->cache_dir || (spec->profile && !a->profile) ||
	    inode_table_new_at(base, INODE_ROOT_INO, &a->fs.inodes) ||
	    helper_table_new_at(base, &a->fs.helpers)) {
		account_free(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

void router_init(struct router *r)
{
	pthread_mutex_init(&r->gate_lock, NULL);
	pthread_cond_init(&r->gate_cond, NULL);
}

int router_add_accounts(struct router *r, const struct account_spec *specs, size_t n)
{
	char folder[ACCOUNT_FOLDER_MAX + 64];
	int rc;

	if (r->n + n > ROUTER_ACCOUNTS_MAX)
		return -E2BIG;
	r->accounts = calloc(n ? n : 1, sizeof(*r->accounts));
	if (!r->accounts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		rc = account_folder(r, specs, n, i, folder, sizeof(folder));
		if (!rc)
			rc = account_new(r, (unsigned)r->n + 1, &specs[i], folder,
					 &r->accounts[r->n]);
		if (rc)
			return rc;
		r->n++;
	}
	return 0;
}

void router_free_accounts(struct router *r)
{
	for (size_t i = 0; i < r->n; i++)
		account_free(r->accounts[i]);
	free(r->accounts);
	r->accounts = NULL;
	r->n = 0;
	pthread_cond_destroy(&r->gate_cond);
	pthread_mutex_destroy(&r->gate_lock);
}
