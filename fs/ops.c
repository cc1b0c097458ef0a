/*
 * The FUSE low-level handlers over the cache's current view. Every handler
 * runs on the one dispatch thread, or on a worker when a document must be
 * fetched first (the same function, called again with on_worker set). Node
 * identity comes from the inode table; existence, sizes and bytes from the
 * view. Writes to policy files are buffered per open (edit.h) and committed
 * by close, fsync or a rename onto the name (commit.h); every other name in a
 * role folder is an editor helper file, in memory only (helperops.h).
 */
#include "fs/ops_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fs/change.h"
#include "fs/commit.h"
#include "fs/edit.h"
#include "fs/helperops.h"
#include "fs/log.h"
#include "fs/names.h"
#include "fs/notify.h"
#include "fs/remove.h"
#include "fs/rolefolder.h"
#include "fs/router.h"
#include "fs/workers.h"

/* The handlers libfuse calls, on the dispatch thread (or on a loader thread
 * when the request waited for its account to open: ops_again). Each asks the
 * router for the account it acts on (router.h); NULL: the router answered. */

static void ops_again(fuse_req_t req, const struct router_call *c);
static void ops_again_change(fuse_req_t req, const struct router_call *c);
static const struct router_again ops_replay = {ops_again};

static struct fs *ops_fs(fuse_req_t req, const struct router_call *c)
{
	struct router *r = fuse_req_userdata(req);
	bool at_root;
	struct fs *fs = router_fs(r, req, c, &ops_replay, &at_root);

	if (at_root)
		mountroot_request(r, req, c);
	return fs;
}

static void ops_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct router_call c = {.op = ROUTER_LOOKUP, .ino = parent, .name = name};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		ops_lookup(fs, req, parent, name, false);
}

static void ops_forget_one(struct router *r, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs *fs = router_fs_of(r, ino);

	if (!fs)
		return; /* the mount root's own nodes are not counted */
	if (helper_is_ino(ino))
		helper_forget(fs->helpers, ino, nlookup);
	else
		inode_table_forget(fs->inodes, ino, nlookup);
}

static void ops_ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	ops_forget_one(fuse_req_userdata(req), ino, nlookup);
	fuse_reply_none(req);
}

static void ops_ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		ops_forget_one(fuse_req_userdata(req), forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void ops_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_GETATTR, .ino = ino};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		ops_getattr(fs, req, ino, false);
}

/* Truncating .iamfs/refresh (echo x > refresh) is accepted; policy files and
 * helpers have their own rules. */
static void ops_ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			   struct fuse_file_info *fi)
{
	struct router_call c = {
		.op = ROUTER_SETATTR, .ino = ino, .attr = *attr, .to_set = to_set, .has_fi = !!fi};
	struct fs *fs;
	struct inode_node *n;
	struct stat st;
	bool helper;

	if (fi)
		c.fi = *fi;
	if (!(fs = ops_fs(req, &c)))
		return;
	ino = ops_alias(fs, ino, &helper);
	if (helper) {
		helperops_setattr(fs, req, ino, attr, to_set);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	if (n && n->kind == INODE_CTL_REFRESH) {
		control_stat(fs, n, &st);
		fuse_reply_attr(req, &st, fs->ttl);
		return;
	}
	if (!n)
		fuse_reply_err(req, ENOENT);
	else if (n->kind >= INODE_CTL_DIR)
		fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
	else
		change_setattr(fs, req, n, attr, to_set, fi);
}

static void ops_ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_READDIR, .ino = ino, .size = size, .off = off};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		ops_readdir(fs, req, ino, size, off, false);
}

static void ops_ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			       struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_READDIRPLUS, .ino = ino, .size = size, .off = off};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		ops_readdir(fs, req, ino, size, off, true);
}

static void ops_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_OPEN, .ino = ino, .fi = *fi, .has_fi = true};
	struct fs *fs;

	/* --read-only: no OPEN round trips at all; reads are served by inode. */
	if (router_read_only(fuse_req_userdata(req))) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if ((fs = ops_fs(req, &c)))
		ops_open(fs, req, ino, fi, false);
}

static void ops_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct router_call c = {.op = fi->fh ? ROUTER_OTHER : ROUTER_READ,
				.ino = ino,
				.size = size,
				.off = off,
				.fi = *fi,
				.has_fi = true};
	struct fs *fs;

	if (!(ino >> ROUTER_RANGE_SHIFT))
		c.op = ROUTER_READ; /* the mount root's open files are its own */
	if ((fs = ops_fs(req, &c)))
		ops_read(fs, req, ino, size, off, fi, false);
}

static void ops_ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	struct router_call c = {.op = fi->fh ? ROUTER_OTHER : ROUTER_WRITE,
				.ino = ino,
				.size = size,
				.off = off,
				.fi = *fi,
				.has_fi = true,
				.data = buf};
	struct fs *fs = ops_fs(req, &c);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct inode_node *n;
	int r;

	if (!fs)
		return;
	if (o && !o->node) {
		helperops_write(fs, req, o, buf, size, off);
		return;
	}
	if (o && o->writable && !fs->read_only) {
		r = edit_write(fs, o, fuse_req_ctx(req)->pid, buf, size, off);
		if (r < 0)
			fuse_reply_err(req, -r);
		else
			fuse_reply_write(req, (size_t)r);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	if (n && n->kind == INODE_CTL_REFRESH) {
		control_write_refresh(fs, req, size);
		return;
	}
	fuse_reply_err(req, !n ? ENOENT : fs->read_only ? EROFS : EBADF);
}

static void ops_ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_OTHER, .ino = ino};
	struct fs *fs = ops_fs(req, &c);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	/* Nothing is ever saved on a read-only mount: ENOSYS stops FLUSH for good. */
	if (!fs)
		return;
	if (fs->read_only)
		fuse_reply_err(req, ENOSYS);
	else if (o && o->writable)
		commit_flush(fs, req, o);
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_RELEASE, .ino = ino, .fi = *fi, .has_fi = true};
	struct fs *fs = ops_fs(req, &c);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct notify_action a = {.entry = true};
	bool gone = false;

	if (!fs)
		return;
	if (o && o->writable) {
		pthread_mutex_lock(&fs->open_lock);
		gone = o->created;
		pthread_mutex_unlock(&fs->open_lock);
	}
	if (gone) {
		/* A created file closed without a write was never saved: it is not there. */
		a.ino = o->node->parent;
		snprintf(a.name, sizeof(a.name), "%s", o->node->name);
	}
	/* Edits no close committed are saved now; that commit answers the release. */
	if (!(o && o->writable && !fs->read_only && commit_release(fs, req, o)))
		fuse_reply_err(req, 0);
	if (o)
		fs_open_put(fs, o);
	if (gone)
		notify_queue_action(fs->notify, &a);
}

static void ops_ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_OTHER, .ino = ino};
	struct fs *fs = ops_fs(req, &c);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	if (!fs)
		return;
	if (o && o->writable && !fs->read_only)
		commit_open(fs, req, o, "fsync");
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct router_call c = {.op = ROUTER_STATFS, .ino = ino};
	struct fs *fs = ops_fs(req, &c);
	size_t nodes;
	struct statvfs sv;

	if (!fs)
		return;
	nodes = inode_table_count(fs->inodes);
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_blocks = nodes;
	sv.f_files = nodes;
	if (!fs->read_only) {
		/* Room for editors' helper files, so tools that check free space go on. */
		size_t used = helper_total(fs->helpers) / 4096;

		sv.f_blocks = nodes + HELPER_TOTAL_MAX / 4096;
		sv.f_bfree = HELPER_TOTAL_MAX / 4096 - used;
		sv.f_bavail = sv.f_bfree;
		sv.f_files = nodes + HELPER_TOTAL_MAX / 4096;
		sv.f_ffree = HELPER_TOTAL_MAX / 4096;
		sv.f_favail = sv.f_ffree;
	}
	sv.f_namemax = INODE_NAME_MAX;
	if (fs->read_only)
		sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

static void ops_ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct router_call c = {.op = ROUTER_UNLINK, .ino = parent, .name = name};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		change_unlink(fs, req, parent, name);
}

static void ops_ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct router_call c = {.op = ROUTER_RMDIR, .ino = parent, .name = name};
	struct fs *fs = ops_fs(req, &c);

	if (!fs)
		return;
	if (!fs->read_only && rolefolder_rmdir(fs, req, parent, name))
		return; /* a pending role folder: dropped, nothing sent */
	remove_rmdir(fs, req, parent, name);
}

static void ops_ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct router_call c = {.op = ROUTER_MKDIR, .ino = parent, .name = name, .mode = mode};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		rolefolder_mkdir(fs, req, parent, name);
}

static void ops_ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 dev_t rdev)
{
	struct router_call c = {
		.op = ROUTER_MKNOD, .ino = parent, .name = name, .mode = mode, .rdev = rdev};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		change_mknod(fs, req, parent, name, mode);
}

static void ops_ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			  struct fuse_file_info *fi)
{
	struct router_call c = {.op = ROUTER_CREATE,
				.ino = parent,
				.name = name,
				.mode = mode,
				.fi = *fi,
				.has_fi = true};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		change_create(fs, req, parent, name, mode, fi);
}

static void ops_ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
			  const char *newname, unsigned int flags)
{
	struct router_call c = {.op = ROUTER_RENAME,
				.ino = parent,
				.ino2 = newparent,
				.name = name,
				.name2 = newname,
				.flags = flags};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		change_rename(fs, req, parent, name, newparent, newname, flags);
}

static void ops_ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct router_call c = {.op = ROUTER_SYMLINK, .ino = parent, .name = name, .name2 = link};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		change_symlink(fs, req, link, parent, name);
}

static void ops_ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct router_call c = {.op = ROUTER_LINK, .ino = ino, .ino2 = newparent, .name = newname};
	struct fs *fs = ops_fs(req, &c);

	if (fs)
		fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct router_call c = {.op = ROUTER_READLINK, .ino = ino};
	struct fs *fs = ops_fs(req, &c);
	bool helper;

	if (!fs)
		return;
	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_readlink(fs, req, ino);
	else
		fuse_reply_err(req, EINVAL);
}

/* The changes among the requests that waited for their account (ops_again). */
static void ops_again_change(fuse_req_t req, const struct router_call *c)
{
	struct fuse_file_info fi = c->fi;

	switch (c->op) {
	case ROUTER_UNLINK:
		ops_ll_unlink(req, c->ino, c->name);
		break;
	case ROUTER_RMDIR:
		ops_ll_rmdir(req, c->ino, c->name);
		break;
	case ROUTER_MKDIR:
		ops_ll_mkdir(req, c->ino, c->name, c->mode);
		break;
	case ROUTER_MKNOD:
		ops_ll_mknod(req, c->ino, c->name, c->mode, c->rdev);
		break;
	case ROUTER_CREATE:
		ops_ll_create(req, c->ino, c->name, c->mode, &fi);
		break;
	case ROUTER_RENAME:
		ops_ll_rename(req, c->ino, c->name, c->ino2, c->name2, c->flags);
		break;
	case ROUTER_SYMLINK:
		ops_ll_symlink(req, c->name2, c->ino, c->name);
		break;
	case ROUTER_LINK:
		ops_ll_link(req, c->ino, c->ino2, c->name);
		break;
	case ROUTER_READLINK:
		ops_ll_readlink(req, c->ino);
		break;
	default:
		fuse_reply_err(req, EIO);
	}
}

/* A request that waited for its account to open runs again (on the loader thread). */
static void ops_again(fuse_req_t req, const struct router_call *c)
{
	struct fuse_file_info fi = c->fi;
	struct stat st = c->attr;

	switch (c->op) {
	case ROUTER_LOOKUP:
		ops_ll_lookup(req, c->ino, c->name);
		break;
	case ROUTER_GETATTR:
		ops_ll_getattr(req, c->ino, NULL);
		break;
	case ROUTER_SETATTR:
		ops_ll_setattr(req, c->ino, &st, c->to_set, c->has_fi ? &fi : NULL);
		break;
	case ROUTER_READDIR:
		ops_ll_readdir(req, c->ino, c->size, c->off, NULL);
		break;
	case ROUTER_READDIRPLUS:
		ops_ll_readdirplus(req, c->ino, c->size, c->off, NULL);
		break;
	case ROUTER_OPEN:
		ops_ll_open(req, c->ino, &fi);
		break;
	case ROUTER_READ:
		ops_ll_read(req, c->ino, c->size, c->off, &fi);
		break;
	case ROUTER_WRITE:
		ops_ll_write(req, c->ino, c->data, c->size, c->off, &fi);
		break;
	default:
		ops_again_change(req, c);
	}
}

/* No extended attributes anywhere. The first ENOSYS makes the kernel stop
 * sending each of these requests for the life of the mount (it answers
 * EOPNOTSUPP itself), so `ls -l`, which asks for ACLs of every entry and which
 * the kernel never caches, costs no round trip. Editors treat EOPNOTSUPP as a
 * file system without xattrs and save as usual (README, Design). */
static void ops_ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			    size_t size, int flags)
{
	(void)ino;
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)ino;
	(void)name;
	(void)size;
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	(void)ino;
	(void)size;
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino;
	(void)name;
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_init(void *userdata, struct fuse_conn_info *conn)
{
	if (conn->capable & FUSE_CAP_READDIRPLUS) {
		conn->want |= FUSE_CAP_READDIRPLUS;
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	}
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/* Without OPEN round trips an O_TRUNC would otherwise never reach us. */
	if (router_read_only(userdata))
		conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
}

void ops_init(struct fuse_lowlevel_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->init = ops_ll_init;
	ops->lookup = ops_ll_lookup;
	ops->forget = ops_ll_forget;
	ops->forget_multi = ops_ll_forget_multi;
	ops->getattr = ops_ll_getattr;
	ops->setattr = ops_ll_setattr;
	ops->opendir = ops_ll_opendir;
	ops->readdir = ops_ll_readdir;
	ops->readdirplus = ops_ll_readdirplus;
	ops->open = ops_ll_open;
	ops->read = ops_ll_read;
	ops->write = ops_ll_write;
	ops->flush = ops_ll_flush;
	ops->release = ops_ll_release;
	ops->fsync = ops_ll_fsync;
	ops->statfs = ops_ll_statfs;
	ops->unlink = ops_ll_unlink;
	ops->rmdir = ops_ll_rmdir;
	ops->mkdir = ops_ll_mkdir;
	ops->mknod = ops_ll_mknod;
	ops->create = ops_ll_create;
	ops->rename = ops_ll_rename;
	ops->symlink = ops_ll_symlink;
	ops->link = ops_ll_link;
	ops->readlink = ops_ll_readlink;
	ops->setxattr = ops_ll_setxattr;
	ops->getxattr = ops_ll_getxattr;
	ops->listxattr = ops_ll_listxattr;
	ops->removexattr = ops_ll_removexattr;
}
