/*
 * Removals of remove.h. The mount's choice is decided here, once, before any
 * journal entry or call: without --allow-delete every removal that would reach
 * IAM is refused and recorded. A role's deletion runs on a saver (the dispatch
 * thread never waits on IAM) and its invalidations are sent after its reply,
 * as a commit's are (the kernel holds the root's lock during rmdir).
 */
#include "fs/remove.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/commit.h"
#include "fs/helper.h"
#include "fs/log.h"
#include "fs/notify.h"
#include "fs/workers.h"

/* ---- entries hidden by rm ---- */

static struct fs_hidden *remove_find(struct fs *fs, const char *role)
{
	for (size_t i = 0; i < fs->nhidden; i++)
		if (!strcmp(fs->hidden[i].role, role))
			return &fs->hidden[i];
	return NULL;
}

bool remove_hidden(struct fs *fs, const char *role, enum inode_kind kind)
{
	const struct fs_hidden *h;
	bool hidden;

	if (!role)
		return false;
	pthread_mutex_lock(&fs->hide_lock);
	h = remove_find(fs, role);
	hidden = h && (h->mask & (1u << kind));
	pthread_mutex_unlock(&fs->hide_lock);
	return hidden;
}

static int remove_hide(struct fs *fs, const char *role, enum inode_kind kind)
{
	struct fs_hidden *h, *v;
	int r = 0;

	pthread_mutex_lock(&fs->hide_lock);
	if (!(h = remove_find(fs, role))) {
		v = realloc(fs->hidden, (fs->nhidden + 1) * sizeof(*v));
		if (v)
			fs->hidden = v;
		if (v && (v[fs->nhidden].role = strdup(role))) {
			h = &v[fs->nhidden++];
			h->mask = 0;
		}
	}
	if (h)
		h->mask |= 1u << kind;
	else
		r = -ENOMEM;
	pthread_mutex_unlock(&fs->hide_lock);
	return r;
}

/* The role is gone (or back): its entries are no longer hidden. */
static void remove_forget(struct fs *fs, const char *role)
{
	struct fs_hidden *h;

	pthread_mutex_lock(&fs->hide_lock);
	if ((h = remove_find(fs, role))) {
		free(h->role);
		*h = fs->hidden[--fs->nhidden];
	}
	pthread_mutex_unlock(&fs->hide_lock);
}

/* Tells the kernel to look at role's folder again (its listing and entries). */
static void remove_show_again(struct fs *fs, const char *role)
{
	struct inode_node *n = inode_table_find(fs->inodes, INODE_ROOT_INO, role);
	struct notify_action a = {.entry = true, .ino = INODE_ROOT_INO};

	if (!fs->notify)
		return;
	snprintf(a.name, sizeof(a.name), "%s", role);
	notify_queue_action(fs->notify, &a);
	if (n) {
		a = (struct notify_action){.entry = false, .ino = n->ino};
		notify_queue_action(fs->notify, &a);
	}
}

void remove_unhide_all(struct fs *fs)
{
	struct fs_hidden *v;
	size_t n, i;

	pthread_mutex_lock(&fs->hide_lock);
	v = fs->hidden;
	n = fs->nhidden;
	fs->hidden = NULL;
	fs->nhidden = 0;
	pthread_mutex_unlock(&fs->hide_lock);
	for (i = 0; i < n; i++) {
		remove_show_again(fs, v[i].role);
		free(v[i].role);
	}
	free(v);
}

/* ---- the mount's choice ---- */

/* Refused without --allow-delete: recorded (errors line, log) naming the option. */
static int remove_not_allowed(struct fs *fs, const char *role, const char *path, const char *what)
{
	char msg[INODE_NAME_MAX * 2 + 256];
	struct cache_refusal r = {.role = role, .path = path, .err = EPERM, .message = msg};

	snprintf(msg, sizeof(msg),
		 "%s would remove %s from IAM; this mount does not allow deletes (mount with "
		 "--allow-delete, or -o allow_delete); nothing was sent",
		 what, path[0] ? path : "the role");
	cache_refuse(fs->cache, &r);
	return -EPERM;
}

/* ---- rm ---- */

/* Whether role in the view has the policy file of kind called name ("X.json"). */
static int remove_policy_exists(struct fs *fs, const char *role, enum inode_kind kind,
				const char *name)
{
	struct cache_view *v = cache_view_get(fs->cache);
	const struct cache_role *r = cache_view_find(v, role);
	char policy[INODE_NAME_MAX + 1];
	size_t n = strlen(name);
	bool found;

	snprintf(policy, sizeof(policy), "%.*s", (int)(n > 5 ? n - 5 : 0), name);
	found = kind == INODE_INLINE ? cache_role_find_inline(r, policy) != NULL
				     : cache_role_find_attached(r, policy) != NULL;
	cache_view_put(v);
	return found ? 0 : -ENOENT;
}

void remove_unlink(struct fs *fs, fuse_req_t req, struct inode_node *p, const char *name,
		   enum inode_kind kind)
{
	char path[INODE_NAME_MAX + 16];
	struct inode_node *n;
	int r = 0;

	if (kind != INODE_INLINE && kind != INODE_ATTACHED && kind != INODE_TRUST &&
	    kind != INODE_ROLE_JSON) {
		fuse_reply_err(req, EPERM);
		return;
	}
	snprintf(path, sizeof(path), "%s%s%s", p->kind == INODE_ROLE ? "" : p->name,
		 p->kind == INODE_ROLE ? "" : "/", name);
	if (!fs->allow_delete)
		r = remove_not_allowed(fs, p->role, path, "rm");
	else if (remove_hidden(fs, p->role, kind))
		r = -ENOENT;
	if (r || (kind == INODE_TRUST || kind == INODE_ROLE_JSON)) {
		/* trust.json and role.json live and die with the role: hidden, no call. */
		if (!r && !fs->dry_run)
			r = remove_hide(fs, p->role, kind);
		if (!r)
			log_msg(LOG_INFO, "rm of %s/%s: %s", p->role, path,
				fs->dry_run ? "dry-run: nothing hidden, nothing sent"
					    : "hidden here, nothing sent (it goes with the "
					      "role's rmdir)");
		fuse_reply_err(req, -r);
		return;
	}
	r = remove_policy_exists(fs, p->role, kind, name);
	if (!r)
		r = inode_table_child(fs->inodes, p->ino, name, &n);
	if (r)
		fuse_reply_err(req, -r);
	else
		commit_delete(fs, req, n);
}

/* ---- rmdir ---- */

/* rmdir of inline/ or attached/ (kind, the node dir when the kernel knows it) of
 * role: hidden when it holds no policy and no helper file. --dry-run hides nothing
 * and checks nothing (the rm -r it simulates left the policies in place). */
static int remove_subdir(struct fs *fs, const char *role, enum inode_kind kind,
			 const struct inode_node *dir)
{
	struct cache_view *v = cache_view_get(fs->cache);
	const struct cache_role *r = cache_view_find(v, role);
	size_t left = !r ? 0 : kind == INODE_INLINE_DIR ? r->ninl : r->natt;
	char name[INODE_NAME_MAX + 1];
	struct helper_attr ha;
	int rc = !r ? -ENOENT : left ? -ENOTEMPTY : 0;

	cache_view_put(v);
	if (rc == -ENOENT || fs->dry_run)
		return rc == -ENOENT ? rc : 0;
	if (!rc && dir && !helper_list(fs->helpers, dir->ino, 0, name, sizeof(name), &ha))
		rc = -ENOTEMPTY;
	if (!rc)
		rc = remove_hide(fs, role, kind);
	return rc;
}

struct remove_job {
	struct fs *fs;
	fuse_req_t req;
	char role[INODE_NAME_MAX + 1];
};

static void remove_role_run(void *arg)
{
	struct remove_job *j = arg;
	struct cache_save_result *res = calloc(1, sizeof(*res));
	struct notify_capture cap;
	int r;

	notify_capture_begin(j->fs->notify, &cap);
	r = res ? cache_delete_role(j->fs->cache, j->role, res) : -ENOMEM;
	if (res && r)
		log_msg(LOG_WARNING, "rmdir of %s refused: %s (%s)", j->role, res->message,
			strerror(-r));
	else if (res)
		log_msg(LOG_INFO, "rmdir of %s: %s", j->role, res->message);
	if (!r && !res->dry_run)
		remove_forget(j->fs, j->role);
	fuse_reply_err(j->req, -r);
	notify_capture_end(j->fs->notify, &cap);
	/* A dry run or a refusal: the kernel shows the folder again. */
	if (r || res->dry_run)
		remove_show_again(j->fs, j->role);
	free(res);
	free(j);
}

static void remove_role(struct fs *fs, fuse_req_t req, const char *role)
{
	struct cache_view *v = cache_view_get(fs->cache);
	bool found = cache_view_find(v, role) != NULL;
	struct remove_job *j;

	cache_view_put(v);
	if (!found) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!fs->allow_delete) {
		fuse_reply_err(req, -remove_not_allowed(fs, role, "", "rmdir"));
		return;
	}
	if ((j = calloc(1, sizeof(*j)))) {
		j->fs = fs;
		j->req = req;
		snprintf(j->role, sizeof(j->role), "%s", role);
	}
	workers_hand(fs->savers, req, remove_role_run, j, NULL);
}

void remove_rmdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent);
	enum inode_kind kind = INODE_NKINDS;
	int r;

	if (fs->read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (p && p->kind == INODE_ROOT && strcmp(name, ".iamfs")) {
		remove_role(fs, req, name);
		return;
	}
	if (p && p->kind == INODE_ROLE && !strcmp(name, "inline"))
		kind = INODE_INLINE_DIR;
	else if (p && p->kind == INODE_ROLE && !strcmp(name, "attached"))
		kind = INODE_ATTACHED_DIR;
	if (kind == INODE_NKINDS) {
		fuse_reply_err(req, p ? EPERM : ENOENT);
		return;
	}
	if (!fs->allow_delete)
		r = remove_not_allowed(fs, p->role, name, "rmdir");
	else if (remove_hidden(fs, p->role, kind))
		r = -ENOENT;
	else
		r = remove_subdir(fs, p->role, kind, inode_table_find(fs->inodes, p->ino, name));
	fuse_reply_err(req, -r);
}
