/*
 * The cache's side of pending roles (pending.h): the store opened beside the disk
 * copy, the merge of its roles into every view the cache publishes (a load's
 * too), mkdir and rmdir of a pending folder, and IAM's role winning over a
 * pending one of the same name (logged, one errors line, its role.json kept
 * under rejected/, the folder dropped). The disk copy never holds pending roles:
 * they are the store's. The merge runs under the cache's mu (which is taken
 * before the store's own lock); disk writes of the store and the record of a
 * clash run without it.
 */
#include "cache/cache_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/ident.h"
#include "cache/pending.h"
#include "cache/save.h"

struct cache_clash {
	char name[IDENT_ROLE_MAX + 1];
	char iam[IDENT_ROLE_MAX + 1];
};

static void cache_pending_clash(void *ctx, const struct pending_role *pr, const char *iam)
{
	struct cache_clashes *cl = ctx;
	struct cache_clash *v = realloc(cl->v, (cl->n + 1) * sizeof(*v));

	if (!v)
		return; /* the next publication finds it again */
	cl->v = v;
	snprintf(v[cl->n].name, sizeof(v[cl->n].name), "%s", pr->name);
	snprintf(v[cl->n].iam, sizeof(v[cl->n].iam), "%s", iam);
	cl->n++;
}

int cache_pending_merge(struct cache *c, struct cache_view **nv, struct cache_clashes *cl)
{
	struct pending_role *pr;
	struct cache_view *merged;
	size_t n;
	int rc;

	if ((rc = pending_snapshot(c->pending, &pr, &n)))
		return rc;
	if (!n && !pending_in_view(*nv)) {
		pending_snapshot_free(pr, n);
		return 0;
	}
	rc = pending_merge(*nv, pr, n, cache_pending_clash, cl, &merged);
	pending_snapshot_free(pr, n);
	if (rc)
		return rc;
	merged->serial = (*nv)->serial;
	cache_view_put(*nv);
	*nv = merged;
	return 0;
}

/* IAM has a role of the pending role's name: the pending folder gives way. */
static void cache_pending_lost(struct cache *c, const struct cache_clash *k)
{
	struct cache_doc *json = NULL;
	char msg[512];
	struct cache_refusal r = {.role = k->name, .path = "role.json", .err = EEXIST};

	if (pending_remove(c->pending, k->name, &json))
		return; /* already settled by another publication */
	if (!strcmp(k->iam, k->name) && save_left_creates(c->save, k->name)) {
		/* The CreateRole a killed daemon had under way (the replay tells whether it
		 * landed with the journaled trust). */
		hooks_log(&c->hooks, LOG_NOTICE,
			  "%s: IAM has the role an interrupted CreateRole was making; the pending "
			  "folder is the role now",
			  k->name);
		cache_doc_unref(json);
		return;
	}
	snprintf(msg, sizeof(msg),
		 "a role named %s now exists in IAM (created elsewhere); the pending folder %s "
		 "was dropped%s",
		 k->iam, k->name, json ? " and the role.json written in it is kept here" : "");
	r.message = msg;
	if (json) {
		r.bytes = json->bytes;
		r.len = json->len;
	}
	hooks_log(&c->hooks, LOG_WARNING, "%s: %s", k->name, msg);
	save_refusal(c->save, &r);
	cache_doc_unref(json);
}

void cache_pending_settle(struct cache *c, struct cache_clashes *cl)
{
	for (size_t i = 0; i < cl->n; i++)
		cache_pending_lost(c, &cl->v[i]);
	free(cl->v);
	cl->v = NULL;
	cl->n = 0;
}

/* Publishes the current view with the store's roles merged in, tells on_change
 * what changed and settles the clashes. */
static int cache_pending_publish(struct cache *c)
{
	struct cache_clashes cl = {0};
	struct cache_view *old, *nv;
	int rc;

	pthread_mutex_lock(&c->mu);
	old = c->view;
	nv = old;
	__atomic_add_fetch(&nv->refs, 1, __ATOMIC_RELAXED);
	rc = cache_pending_merge(c, &nv, &cl);
	if (!rc && nv != old) {
		nv->serial = old->serial + 1;
		c->view = nv;
		__atomic_add_fetch(&nv->refs, 1, __ATOMIC_RELAXED); /* for the diff below */
	} else {
		cache_view_put(nv);
		old = nv = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	cache_pending_settle(c, &cl); /* before the kernel hears (cache_publish) */
	if (nv && c->o.on_change)
		model_diff(old, nv, c->o.on_change, c->o.on_change_ctx);
	cache_view_put(nv);
	cache_view_put(old);
	return rc;
}

int cache_pending_open(struct cache *c, const char *folder)
{
	int rc = pending_open(folder, &c->hooks, &c->pending);

	return rc ? rc : cache_pending_publish(c);
}

struct cache_view *cache_pending_strip(struct cache_view *v)
{
	struct cache_view *s;

	if (!pending_in_view(v) || pending_merge(v, NULL, 0, NULL, NULL, &s))
		return v;
	s->serial = v->serial;
	cache_view_put(v);
	return s;
}

/* The refusal of a mkdir, recorded with its sentence. */
static int cache_mkdir_refuse(struct cache *c, const char *name, int err, const char *msg)
{
	struct cache_refusal r = {.role = name, .path = "", .err = err, .message = msg};

	save_refusal(c->save, &r);
	return -err;
}

/* The name of a role (pending or not) that is name in any letter case, in v. */
static const char *cache_pending_taken(const struct cache_view *v, const char *name)
{
	for (size_t i = 0; i < v->nroles; i++)
		if (!strcasecmp(v->roles[i].name, name))
			return v->roles[i].name;
	return NULL;
}

int cache_mkdir(struct cache *c, const char *name, char *msg, size_t cap)
{
	char esc[4 * IDENT_ROLE_MAX + 8], other[IDENT_ROLE_MAX + 1] = "";
	const char *why = pending_name_problem(name);
	struct cache_view *v;
	const char *taken;
	int rc;

	if (c->o.read_only) {
		snprintf(msg, cap, "%s: the filesystem is mounted read-only", name);
		return -EROFS;
	}
	ident_escape(name, esc, sizeof(esc));
	if (why) {
		snprintf(msg, cap,
			 "\"%s\" %s (a role name is 1 to 64 of A-Z a-z 0-9 _+=,.@-); no folder "
			 "was made",
			 esc, why);
		return cache_mkdir_refuse(c, esc, EINVAL, msg);
	}
	v = cache_view_get(c);
	if ((taken = cache_pending_taken(v, name)))
		snprintf(other, sizeof(other), "%s", taken);
	cache_view_put(v);
	rc = other[0] ? -EEXIST : pending_add(c->pending, name, hooks_now(&c->hooks));
	if (rc == -EEXIST) {
		snprintf(msg, cap,
			 "%s: a role %s exists already (IAM role names ignore letter case)", name,
			 other[0] ? other : "of that name in another case");
		return cache_mkdir_refuse(c, name, EEXIST, msg);
	}
	if (rc) {
		snprintf(msg, cap, "%s: cannot keep the new folder in the cache folder: %s", name,
			 strerror(-rc));
		return cache_mkdir_refuse(c, name, -rc, msg);
	}
	snprintf(msg, cap, "%s: a new role folder; write its trust.json to create the role", name);
	return cache_pending_publish(c);
}

int cache_rmdir_pending(struct cache *c, const char *name, char *msg, size_t cap)
{
	struct cache_doc *json = NULL;
	int rc;

	if (c->o.read_only) {
		snprintf(msg, cap, "%s: the filesystem is mounted read-only", name);
		return -EROFS;
	}
	rc = pending_remove(c->pending, name, &json);
	if (rc == -ENOENT) {
		snprintf(msg, cap, "%s is not a pending role folder", name);
		return rc;
	}
	if (rc) {
		snprintf(msg, cap, "%s: cannot remove the pending folder from the cache folder: %s",
			 name, strerror(-rc));
		return rc;
	}
	snprintf(msg, cap, "%s: the pending folder was removed%s; nothing was sent", name,
		 json ? " with the role.json written in it" : "");
	cache_doc_unref(json);
	return cache_pending_publish(c);
}

void cache_pending_created(struct cache *c, const char *role)
{
	int rc = pending_remove(c->pending, role, NULL);

	if (rc && rc != -ENOENT)
		hooks_log(&c->hooks, LOG_WARNING,
			  "%s was created in IAM but its pending folder could not be dropped from "
			  "the cache folder: %s",
			  role, strerror(-rc));
}

int cache_pending_unlink_json(struct cache *c, const char *name, char *msg, size_t cap)
{
	struct cache_view *v;
	const struct cache_role *r;
	bool has;
	int rc;

	if (c->o.read_only) {
		snprintf(msg, cap, "%s: the filesystem is mounted read-only", name);
		return -EROFS;
	}
	v = cache_view_get(c);
	r = cache_view_find(v, name);
	has = r && r->pending && r->role_json;
	cache_view_put(v);
	rc = has ? pending_set_json(c->pending, name, NULL) : -ENOENT;
	if (rc) {
		snprintf(msg, cap, "%s/role.json: %s", name,
			 rc == -ENOENT ? "no role.json kept for this pending folder"
				       : strerror(-rc));
		return rc;
	}
	snprintf(msg, cap, "%s/role.json of the pending folder was removed; nothing was sent",
		 name);
	return cache_pending_publish(c);
}

bool cache_role_pending(struct cache *c, const char *name)
{
	return pending_has(c->pending, name);
}

int cache_pending_json(struct cache *c, const char *role, struct cache_doc *doc)
{
	return pending_set_json(c->pending, role, doc);
}
