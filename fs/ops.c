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
#include "fs/workers.h"

/* The handlers libfuse calls, on the dispatch thread. */

static void ops_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	ops_lookup(fuse_req_userdata(req), req, parent, name, false);
}

static void ops_ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs *fs = fuse_req_userdata(req);

	if (helper_is_ino(ino))
		helper_forget(fs->helpers, ino, nlookup);
	else
		inode_table_forget(fs->inodes, ino, nlookup);
	fuse_reply_none(req);
}

static void ops_ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fs *fs = fuse_req_userdata(req);

	for (size_t i = 0; i < count; i++) {
		if (helper_is_ino(forgets[i].ino))
			helper_forget(fs->helpers, forgets[i].ino, forgets[i].nlookup);
		else
			inode_table_forget(fs->inodes, forgets[i].ino, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void ops_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	ops_getattr(fuse_req_userdata(req), req, ino, false);
}

/* Truncating .iamfs/refresh (echo x > refresh) is accepted; policy files and
 * helpers have their own rules. */
static void ops_ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			   struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct inode_node *n;
	struct stat st;
	bool helper;

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
	ops_readdir(fuse_req_userdata(req), req, ino, size, off, false);
}

static void ops_ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			       struct fuse_file_info *fi)
{
	ops_readdir(fuse_req_userdata(req), req, ino, size, off, true);
}

static void ops_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);

	/* --read-only: no OPEN round trips at all; reads are served by inode. */
	if (fs->read_only) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	ops_open(fs, req, ino, fi, false);
}

static void ops_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	ops_read(fuse_req_userdata(req), req, ino, size, off, fi, false);
}

static void ops_ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct inode_node *n;
	int r;

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
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	/* Nothing is ever saved on a read-only mount: ENOSYS stops FLUSH for good. */
	if (fs->read_only)
		fuse_reply_err(req, ENOSYS);
	else if (o && o->writable)
		commit_flush(fs, req, o);
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct notify_action a = {.entry = true};
	bool gone = false;

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
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	if (o && o->writable && !fs->read_only)
		commit_open(fs, req, o, "fsync");
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fuse_req_userdata(req);
	size_t nodes = inode_table_count(fs->inodes);
	struct statvfs sv;

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
	change_unlink(fuse_req_userdata(req), req, parent, name);
}

static void ops_ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);

	if (!fs->read_only && rolefolder_rmdir(fs, req, parent, name))
		return; /* a pending role folder: dropped, nothing sent */
	remove_rmdir(fs, req, parent, name);
}

static void ops_ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	rolefolder_mkdir(fuse_req_userdata(req), req, parent, name);
}

static void ops_ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 dev_t rdev)
{
	change_mknod(fuse_req_userdata(req), req, parent, name, mode);
}

static void ops_ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			  struct fuse_file_info *fi)
{
	change_create(fuse_req_userdata(req), req, parent, name, mode, fi);
}

static void ops_ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
			  const char *newname, unsigned int flags)
{
	change_rename(fuse_req_userdata(req), req, parent, name, newparent, newname, flags);
}

static void ops_ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	change_symlink(fuse_req_userdata(req), req, link, parent, name);
}

static void ops_ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fs *fs = fuse_req_userdata(req);

	fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_readlink(fs, req, ino);
	else
		fuse_reply_err(req, EINVAL);
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
	if (((struct fs *)userdata)->read_only)
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
