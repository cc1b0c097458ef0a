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
#include "fs/hidden.h"
#include "fs/log.h"
#include "fs/notify.h"
#include "fs/workers.h"

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
	else if (hidden_has(fs, p->role, kind))
		r = -ENOENT;
	if (r || (kind == INODE_TRUST || kind == INODE_ROLE_JSON)) {
		/* trust.json and role.json live and die with the role: hidden, no call. */
		if (!r && !fs->dry_run)
			r = hidden_add(fs, p->role, kind);
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
		rc = hidden_add(fs, role, kind);
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
		hidden_forget(j->fs, j->role);
	fuse_reply_err(j->req, -r);
	notify_capture_end(j->fs->notify, &cap);
	/* A dry run or a refusal: the kernel shows the folder again. */
	if (r || res->dry_run)
		hidden_show_again(j->fs, j->role);
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
	else if (hidden_has(fs, p->role, kind))
		r = -ENOENT;
	else
		r = remove_subdir(fs, p->role, kind, inode_table_find(fs->inodes, p->ino, name));
	fuse_reply_err(req, -r);
}
