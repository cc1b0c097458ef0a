/*
 * open and read: a policy file opened for reading serves the document it holds
 * now (keep_cache at open when the kernel's pages hold exactly the one it had),
 * writers their own buffer (edit.h),
 * control files their bytes made at open (control.c), helpers theirs.
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
#include "fs/loop.h"
#include "fs/names.h"
#include "fs/workers.h"

static void ops_open_again(struct ops_job *j)
{
	ops_open(j->fs, j->req, j->ino, &j->fi, true);
}

static void ops_read_again(struct ops_job *j)
{
	ops_read(j->fs, j->req, j->ino, j->size, j->off, &j->fi, true);
}

/* Opens a policy file for reading: the document it serves now, keep_cache when
 * the kernel's pages already hold exactly these bytes. */
static int ops_open_policy(struct fs *fs, struct inode_node *n, struct fuse_file_info *fi,
			   bool on_worker, struct fs_open *o)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct fs_ident id;
	struct stat st;
	int r;

	attr_ident(n, &id);
	r = attr_of(fs, v, &id, n->ino, on_worker, &st, &o->doc);
	cache_view_put(v);
	if (r)
		return r;
	fi->keep_cache = inode_table_serve(fs->inodes, n, o->doc->gen);
	fi->noflush = 1;
	return 0;
}

static int ops_open_kind(struct fs *fs, struct inode_node *n, struct fuse_file_info *fi,
			 bool writing, bool on_worker, struct fs_open *o)
{
	if (n->kind >= INODE_CTL_DIR)
		return control_open(fs, n, fi->flags, o);
	if (writing)
		return edit_open(fs, n, fi->flags, false, o);
	return ops_open_policy(fs, n, fi, on_worker, o);
}

/* The first open of a number, for reading, on the dispatch thread: the
 * document's bytes go into the kernel's page cache before the open is answered
 * (with keep_cache), so the reads that follow need no READ round trip, and
 * with no READ the kernel keeps the file's atime, so the next stat needs no
 * GETATTR. Storing waits on the kernel's lock of each page it fills, which
 * only a READ waiting for the dispatch thread could hold: inode_table_open_begin
 * makes sure no open of the number was answered before or during the store. */
static void ops_open_store(struct fs *fs, fuse_ino_t ino, struct fs_open *o,
			   struct fuse_file_info *fi)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(o->doc->len);

	bv.buf[0].mem = (void *)o->doc->bytes;
	if (!o->doc->len || fuse_lowlevel_notify_store(fs->se, ino, 0, &bv, 0))
		return;
	fi->keep_cache = 1;
}

void ops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	      bool on_worker)
{
	struct inode_node *n;
	bool writing = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
	fuse_ino_t asked = ino;
	struct fs_open *o;
	bool helper, store;
	int r;

	ino = ops_alias(fs, ino, &helper);
	if (helper) {
		helperops_open(fs, req, ino, fi);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	cache_touch(fs->cache);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (inode_kind_is_dir(n->kind)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (writing && n->kind < INODE_CTL_DIR && !edit_kind_savable(n->kind)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->node = n;
	o->flags = fi->flags;
	o->refs = 1;
	store = inode_table_open_begin(fs->inodes, n,
				       asked == ino && !writing && !on_worker &&
					       n->kind < INODE_CTL_DIR && loop_on_dispatch());
	r = ops_open_kind(fs, n, fi, writing, on_worker, o);
	if (store && !r && o->doc && !fi->keep_cache)
		ops_open_store(fs, asked, o, fi);
	if (store)
		inode_table_open_end(fs->inodes, n);
	if (r == FS_DEFER) {
		struct ops_job j = {.again = ops_open_again, .ino = ino, .fi = *fi};

		fs_open_free(o);
		ops_defer(fs, req, &j);
		return;
	}
	if (r) {
		fs_open_free(o);
		fuse_reply_err(req, -r);
		return;
	}
	if (n->kind >= INODE_CTL_DIR)
		fi->direct_io = 1;
	if (writing)
		fi->keep_cache = 0;
	else
		fi->noflush = 1;
	fi->fh = (uint64_t)(uintptr_t)o;
	fs_open_add(fs, o);
	if (fuse_reply_open(req, fi)) {
		fs_open_remove(fs, o);
		fs_open_free(o);
	}
}

static void ops_reply_bytes(fuse_req_t req, const char *data, size_t len, size_t size, off_t off)
{
	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > len - (size_t)off)
		size = len - (size_t)off;
	fuse_reply_buf(req, data + off, size);
}

/* A read through an open: a helper, a writer's buffer, a policy file's bytes now,
 * or a control file's snapshot. */
static void ops_read_open(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off)
{
	struct cache_doc *d;

	if (!o->node) {
		helperops_read(fs, req, o, size, off);
	} else if (o->writable) {
		edit_read(fs, req, o, size, off);
	} else if (o->doc && o->node->kind < INODE_CTL_DIR) {
		/* A reader open since before a save reads what the file holds now. */
		d = ops_current_doc(fs, o->node);
		ops_reply_bytes(req, d ? d->bytes : o->doc->bytes, d ? d->len : o->doc->len, size,
				off);
		cache_doc_unref(d);
	} else if (o->doc) {
		ops_reply_bytes(req, o->doc->bytes, o->doc->len, size, off);
	} else {
		ops_reply_bytes(req, o->data, o->len, size, off);
	}
}

void ops_read(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	      struct fuse_file_info *fi, bool on_worker)
{
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct inode_node *n;
	struct cache_view *v;
	struct cache_doc *d = NULL;
	struct fs_ident id;
	struct stat st;
	int r;

	cache_touch(fs->cache);
	if (o) {
		ops_read_open(fs, req, o, size, off);
		return;
	}
	/* Opened without an OPEN round trip (--read-only): serve the current bytes. */
	n = inode_table_get(fs->inodes, ino);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (n->kind >= INODE_CTL_DIR) {
		control_read(fs, req, n, size, off);
		return;
	}
	attr_ident(n, &id);
	v = cache_view_get(fs->cache);
	r = attr_of(fs, v, &id, ino, on_worker, &st, &d);
	cache_view_put(v);
	if (r == FS_DEFER) {
		struct ops_job j = {
			.again = ops_read_again, .ino = ino, .fi = *fi, .size = size, .off = off};

		ops_defer(fs, req, &j);
		return;
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	inode_table_serve(fs->inodes, n, d->gen);
	ops_reply_bytes(req, d->bytes, d->len, size, off);
	cache_doc_unref(d);
}
