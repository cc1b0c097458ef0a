/*
 * Helper-file handlers of helperops.h. Attributes come from the helper table;
 * an open helper's fh is a struct fs_open with no node. Helper entries and
 * attributes get the mount's timeouts like the rest of the tree: every change
 * to them goes through the kernel, which keeps its caches right itself.
 */
#include "fs/helperops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#define HELPEROPS_READ_MAX (1u << 20)

void helperops_stat(const struct fs *fs, const struct helper_attr *a, struct stat *st)
{
	fs_stat_base(fs, a->ino, a->mode, st);
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_size = (off_t)a->size;
	st->st_blocks = (blkcnt_t)((a->size + 511) / 512);
	st->st_atim = a->atime;
	st->st_mtim = a->mtime;
	st->st_ctim = a->ctime;
}

void helperops_entry(const struct fs *fs, const struct helper_attr *a, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = a->ino;
	helperops_stat(fs, a, &e->attr);
	e->attr_timeout = fs->ttl;
	e->entry_timeout = fs->ttl;
}

static void helperops_reply_entry(struct fs *fs, fuse_req_t req, const struct helper_attr *a)
{
	struct fuse_entry_param e;

	helperops_entry(fs, a, &e);
	if (fuse_reply_entry(req, &e))
		helper_forget(fs->helpers, a->ino, 1);
}

void helperops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct helper_attr a;

	if (!helper_lookup(fs->helpers, parent, name, true, &a)) {
		helperops_reply_entry(fs, req, &a);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.entry_timeout = fs->ttl;
	fuse_reply_entry(req, &e);
}

void helperops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino)
{
	struct helper_attr a;
	struct stat st;

	if (helper_getattr(fs->helpers, ino, &a)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	helperops_stat(fs, &a, &st);
	fuse_reply_attr(req, &st, fs->ttl);
}

void helperops_setattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set)
{
	struct helper_attr a;
	struct stat st;
	int r;

	if (fs->read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	r = helper_setattr(fs->helpers, ino, attr, to_set, &a);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	helperops_stat(fs, &a, &st);
	fuse_reply_attr(req, &st, fs->ttl);
}

void helperops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct helper_attr a;
	struct fs_open *o;
	int r;

	r = helper_getattr(fs->helpers, ino, &a);
	if (!r && (fi->flags & O_ACCMODE) != O_RDONLY && fs->read_only)
		r = -EROFS;
	if (!r && (fi->flags & O_TRUNC)) {
		struct stat st = {.st_size = 0};

		r = helper_setattr(fs->helpers, ino, &st, FUSE_SET_ATTR_SIZE, &a);
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->helper = ino;
	o->flags = fi->flags;
	o->refs = 1;
	fi->fh = (uint64_t)(uintptr_t)o;
	fi->keep_cache = 0;
	fs_open_add(fs, o);
	if (fuse_reply_open(req, fi)) {
		fs_open_remove(fs, o);
		fs_open_free(o);
	}
}

void helperops_read(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off)
{
	char *buf;
	size_t n = 0;
	int r;

	if (size > HELPEROPS_READ_MAX)
		size = HELPEROPS_READ_MAX;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r = helper_read(fs->helpers, o->helper, off, size, buf, &n);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf, n);
	free(buf);
}

void helperops_write(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *buf, size_t size,
		     off_t off)
{
	int r = fs->read_only ? -EROFS : helper_write(fs->helpers, o->helper, off, buf, size);

	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_write(req, size);
}

static void helperops_create_open(struct fs *fs, fuse_req_t req, const struct helper_attr *a,
				  struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct fs_open *o = calloc(1, sizeof(*o));

	if (!o) {
		helper_forget(fs->helpers, a->ino, 1);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->helper = a->ino;
	o->flags = fi->flags;
	o->refs = 1;
	fi->fh = (uint64_t)(uintptr_t)o;
	fi->keep_cache = 0;
	helperops_entry(fs, a, &e);
	fs_open_add(fs, o);
	if (fuse_reply_create(req, &e, fi)) {
		fs_open_remove(fs, o);
		fs_open_free(o);
		helper_forget(fs->helpers, a->ino, 1);
	}
}

/* CREATE of a name the kernel thought free that a helper already has: open it,
 * emptied when O_TRUNC asks. */
static int helperops_reopen(struct fs *fs, fuse_ino_t parent, const char *name, int flags,
			    struct helper_attr *a)
{
	struct stat st = {.st_size = 0};
	int r = helper_lookup(fs->helpers, parent, name, true, a);

	if (!r && (flags & O_TRUNC)) {
		r = helper_setattr(fs->helpers, a->ino, &st, FUSE_SET_ATTR_SIZE, a);
		if (r)
			helper_forget(fs->helpers, a->ino, 1);
	}
	return r;
}

void helperops_create(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct helper_attr a;
	int r;

	if (!S_ISREG(mode) && (mode & S_IFMT)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	r = helper_create(fs->helpers, parent, name, S_IFREG | (mode & 07777),
			  fuse_req_ctx(req)->uid, fuse_req_ctx(req)->gid, NULL, 0,
			  !fi || (fi->flags & O_EXCL), true, &a);
	if (r == -EEXIST && fi && !(fi->flags & O_EXCL))
		r = helperops_reopen(fs, parent, name, fi->flags, &a);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	if (fi)
		helperops_create_open(fs, req, &a, fi);
	else
		helperops_reply_entry(fs, req, &a);
}

void helperops_symlink(struct fs *fs, fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct helper_attr a;
	int r = helper_create(fs->helpers, parent, name, S_IFLNK | 0777, fuse_req_ctx(req)->uid,
			      fuse_req_ctx(req)->gid, link, strlen(link), true, true, &a);

	if (r)
		fuse_reply_err(req, -r);
	else
		helperops_reply_entry(fs, req, &a);
}

void helperops_readlink(struct fs *fs, fuse_req_t req, fuse_ino_t ino)
{
	struct helper_attr a;
	char *buf;
	size_t n = 0;

	if (helper_getattr(fs->helpers, ino, &a) || !S_ISLNK(a.mode)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	buf = malloc(a.size + 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (helper_read(fs->helpers, ino, 0, a.size, buf, &n))
		n = 0;
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
	free(buf);
}
