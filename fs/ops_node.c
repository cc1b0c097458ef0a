/*
 * Lookup and getattr over the current view, the renames a number follows
 * (ops_alias), and the deferral of a request to a worker when a document must be
 * fetched first: the same function runs again there with on_worker set.
 */
#include "fs/ops_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/commit.h"
#include "fs/edit.h"
#include "fs/helperops.h"
#include "fs/log.h"
#include "fs/names.h"
#include "fs/workers.h"

#define OPS_ALIAS_HOPS 16 /* renames followed by ops_alias */

/* The document node n serves now (+1 ref), or NULL when it needs a fetch or is gone. */
struct cache_doc *ops_current_doc(struct fs *fs, const struct inode_node *n)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct cache_doc *d = NULL;
	struct fs_ident id;
	struct stat st;

	attr_ident(n, &id);
	if (attr_of(fs, v, &id, n->ino, false, &st, &d))
		d = NULL;
	cache_view_put(v);
	return d;
}

static void ops_job_run(void *arg)
{
	struct ops_job *j = arg;

	j->again(j);
	free(j);
}

static void ops_lookup_again(struct ops_job *j)
{
	ops_lookup(j->fs, j->req, j->ino, j->name, true);
}

static void ops_getattr_again(struct ops_job *j)
{
	ops_getattr(j->fs, j->req, j->ino, true);
}

/* Hands the request to a worker; replies with the error itself when it cannot. */
void ops_defer(struct fs *fs, fuse_req_t req, const struct ops_job *tmpl)
{
	struct ops_job *j = malloc(sizeof(*j));

	if (j) {
		*j = *tmpl;
		j->fs = fs;
		j->req = req;
	}
	workers_hand(fs->workers, req, ops_job_run, j, NULL);
}

void ops_reply_negative(struct fs *fs, fuse_req_t req)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.entry_timeout = fs->ttl;
	fuse_reply_entry(req, &e);
}

/* The number a request on ino acts on, following renames: a helper renamed onto a
 * policy file stands for that file, and a policy file renamed onto another name
 * stands for what holds that name now (the kernel shows the old number there until
 * its entry is invalidated). helper: the answer is a helper's number. Each hop
 * leads to a number made or indexed later than the last, so chains are short. */
fuse_ino_t ops_alias(struct fs *fs, fuse_ino_t ino, bool *helper)
{
	struct helper_attr a;
	fuse_ino_t to;

	*helper = false;
	for (int hops = 0; hops < OPS_ALIAS_HOPS; hops++) {
		if (!helper_is_ino(ino)) {
			to = inode_table_moved(fs->inodes, ino);
		} else if (!helper_getattr(fs->helpers, ino, &a) && a.alias) {
			to = a.alias;
		} else {
			*helper = true;
			return ino;
		}
		if (to == ino)
			break;
		ino = to;
	}
	return ino;
}

void ops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, bool on_worker)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent), *n;
	char policy[INODE_POLICY_NAME_MAX + 1];
	struct fuse_entry_param e;
	struct fs_ident id;
	struct cache_view *v;
	const char *pol;
	size_t plen;
	int r;

	cache_touch(fs->cache);
	if (!p || !inode_kind_is_dir(p->kind)) {
		fuse_reply_err(req, p ? ENOTDIR : ENOENT);
		return;
	}
	if (names_class(p->kind, name, &id.kind) == NAMES_HELPER) {
		helperops_lookup(fs, req, parent, name);
		return;
	}
	if (inode_classify(p->kind, name, &id.kind, &pol, &plen) || plen > INODE_POLICY_NAME_MAX) {
		ops_reply_negative(fs, req);
		return;
	}
	memcpy(policy, pol ? pol : "", plen);
	policy[plen] = '\0';
	id.role = id.kind == INODE_ROLE ? name : p->role;
	id.policy = pol ? policy : NULL;
	memset(&e, 0, sizeof(e));
	v = cache_view_get(fs->cache);
	/* Existence is checked before a node is made, so junk names make no nodes. */
	r = attr_of(fs, v, &id, 0, on_worker, &e.attr, NULL);
	cache_view_put(v);
	if (r == FS_DEFER) {
		struct ops_job j = {.again = ops_lookup_again, .ino = parent};

		snprintf(j.name, sizeof(j.name), "%s", name);
		ops_defer(fs, req, &j);
		return;
	}
	if (r == -ENOENT)
		r = attr_pending(fs, inode_table_find(fs->inodes, parent, name), r, &e.attr);
	if (r == -ENOENT) {
		ops_reply_negative(fs, req);
		return;
	}
	if (!r)
		r = inode_table_child(fs->inodes, parent, name, &n);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	e.ino = n->ino;
	e.attr.st_ino = n->ino;
	e.attr_timeout = attr_timeout(fs, n->kind);
	e.entry_timeout = attr_timeout(fs, n->kind);
	inode_table_ref(fs->inodes, n);
	if (fuse_reply_entry(req, &e))
		inode_table_forget(fs->inodes, n->ino, 1);
}

void ops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, bool on_worker)
{
	struct inode_node *n;
	struct cache_view *v;
	struct fs_ident id;
	struct stat st;
	bool helper;
	fuse_ino_t real = ops_alias(fs, ino, &helper);
	int r;

	if (helper) {
		helperops_getattr(fs, req, real);
		return;
	}
	n = inode_table_get(fs->inodes, real);
	cache_touch(fs->cache);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	attr_ident(n, &id);
	v = cache_view_get(fs->cache);
	r = attr_of(fs, v, &id, ino, on_worker, &st, NULL);
	cache_view_put(v);
	r = attr_pending(fs, n, r, &st);
	if (r == FS_DEFER) {
		struct ops_job j = {.again = ops_getattr_again, .ino = ino};

		ops_defer(fs, req, &j);
	} else if (r) {
		fuse_reply_err(req, -r);
	} else {
		fuse_reply_attr(req, &st, attr_timeout(fs, n->kind));
	}
}
