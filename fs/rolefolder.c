/*
 * rolefolder.h: the root's mkdir and the rmdir of a pending role folder. The
 * cache decides (names, letter-case clashes, the store) and records refusals;
 * this file logs, replies with the new folder's entry, and holds back the
 * invalidations the cache reports until the reply is sent.
 */
#include "fs/rolefolder.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/helper.h"
#include "fs/log.h"
#include "fs/notify.h"

#define ROLEFOLDER_MSG_MAX 512

/* The entry of the new folder name in the root. 0 or -errno. */
static int rolefolder_entry(struct fs *fs, fuse_ino_t parent, const char *name,
			    struct fuse_entry_param *e)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct inode_node *n;
	struct fs_ident id = {.kind = INODE_ROLE, .role = name};
	int r;

	memset(e, 0, sizeof(*e));
	r = attr_of(fs, v, &id, 0, false, &e->attr, NULL);
	cache_view_put(v);
	if (!r)
		r = inode_table_child(fs->inodes, parent, name, &n);
	if (r)
		return r < 0 ? r : -EIO;
	e->ino = n->ino;
	e->attr.st_ino = n->ino;
	e->attr_timeout = attr_timeout(fs, n->kind);
	e->entry_timeout = attr_timeout(fs, n->kind);
	inode_table_ref(fs->inodes, n);
	return 0;
}

void rolefolder_mkdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent);
	char msg[ROLEFOLDER_MSG_MAX] = "";
	struct fuse_entry_param e;
	struct notify_capture cap;
	int r;

	if (fs->read_only || !p || p->kind != INODE_ROOT) {
		fuse_reply_err(req, fs->read_only ? EROFS : !p ? ENOENT : EPERM);
		return;
	}
	notify_capture_begin(fs->notify, &cap);
	r = cache_mkdir(fs->cache, name, msg, sizeof(msg));
	if (!r)
		r = rolefolder_entry(fs, parent, name, &e);
	if (r) {
		log_msg(LOG_WARNING, "mkdir refused: %s (%s)", msg, strerror(-r));
		fuse_reply_err(req, -r);
	} else {
		log_msg(LOG_INFO, "mkdir: %s", msg);
		if (fuse_reply_entry(req, &e))
			inode_table_forget(fs->inodes, e.ino, 1);
	}
	notify_capture_end(fs->notify, &cap);
}

bool rolefolder_unlink(struct fs *fs, fuse_req_t req, const struct inode_node *p,
		       enum inode_kind kind)
{
	char msg[ROLEFOLDER_MSG_MAX] = "";
	struct notify_capture cap;
	int r;

	if (kind != INODE_ROLE_JSON || p->kind != INODE_ROLE || !p->role ||
	    !cache_role_pending(fs->cache, p->role))
		return false;
	notify_capture_begin(fs->notify, &cap);
	r = cache_pending_unlink_json(fs->cache, p->role, msg, sizeof(msg));
	log_msg(r ? LOG_WARNING : LOG_NOTICE, "rm: %s", msg);
	fuse_reply_err(req, -r);
	notify_capture_end(fs->notify, &cap);
	return true;
}

bool rolefolder_rmdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent), *n;
	char msg[ROLEFOLDER_MSG_MAX] = "", hname[INODE_NAME_MAX + 1];
	struct notify_capture cap;
	struct helper_attr ha;
	int r;

	if (!p || p->kind != INODE_ROOT || !cache_role_pending(fs->cache, name))
		return false;
	n = inode_table_find(fs->inodes, parent, name);
	if (n && !helper_list(fs->helpers, n->ino, 0, hname, sizeof(hname), &ha)) {
		fuse_reply_err(req, ENOTEMPTY);
		return true;
	}
	notify_capture_begin(fs->notify, &cap);
	r = cache_rmdir_pending(fs->cache, name, msg, sizeof(msg));
	log_msg(r ? LOG_WARNING : LOG_NOTICE, "rmdir: %s", msg);
	fuse_reply_err(req, -r);
	notify_capture_end(fs->notify, &cap);
	return true;
}
