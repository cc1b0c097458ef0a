/*
 * The .iamfs/ control folder: status (generated when opened or stat'ed,
 * served with direct_io), errors (one line per refused save, the cache's
 * text), rejected/ (the refused saves' bytes, read-only files) and refresh (a
 * write refetches the whole account on a worker and returns when the kernel
 * has been told).
 */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fs/log.h"
#include "fs/notify.h"
#include "fs/hidden.h"
#include "fs/workers.h"

/* Regenerates the status text into out (reset first). */
static int control_status_text(struct fs *fs, struct buf *out)
{
	buf_reset(out);
	return cache_status(fs->cache, out);
}

/* Regenerates the shared snapshot; its time moves so the kernel drops old pages. */
static void control_snapshot(struct fs *fs, struct stat *st)
{
	pthread_mutex_lock(&fs->status_lock);
	if (control_status_text(fs, &fs->status))
		buf_reset(&fs->status);
	clock_gettime(CLOCK_REALTIME, &fs->status_time);
	st->st_size = (off_t)fs->status.len;
	st->st_mtim = fs->status_time;
	st->st_ctim = fs->status_time;
	st->st_atim = fs->status_time;
	pthread_mutex_unlock(&fs->status_lock);
}

/* The errors text, fresh. */
static int control_errors_text(struct fs *fs, struct buf *out)
{
	buf_reset(out);
	return cache_errors_text(fs->cache, out);
}

static size_t control_errors_size(struct fs *fs)
{
	struct buf b;
	size_t n;

	buf_init(&b, FS_STATUS_MAX);
	n = control_errors_text(fs, &b) ? 0 : b.len;
	buf_cleanup(&b);
	return n;
}

/* The files of .iamfs/rejected/ or .iamfs/removed/ (dir: the folder's kind or its files'). */
static int control_kept_list(struct fs *fs, enum inode_kind dir, struct cache_rejected_list *l)
{
	if (dir == INODE_CTL_REMOVED || dir == INODE_CTL_REMOVED_FILE)
		return cache_removed_list(fs->cache, l);
	return cache_rejected_list(fs->cache, l);
}

int control_kept_doc(struct fs *fs, enum inode_kind dir, const char *name, struct cache_doc **out)
{
	struct cache_rejected_list l;
	int r = -ENOENT;

	if (control_kept_list(fs, dir, &l))
		return -EIO;
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].name, name) && l.v[i].doc) {
			cache_doc_ref(l.v[i].doc);
			*out = l.v[i].doc;
			r = 0;
			break;
		}
	}
	cache_rejected_list_cleanup(&l);
	return r;
}

int control_kept_stat(struct fs *fs, enum inode_kind dir, const char *name, uint64_t ino,
		      struct stat *st, struct cache_doc **doc)
{
	struct cache_doc *d;
	int r = control_kept_doc(fs, dir, name, &d);

	if (r)
		return r;
	fs_stat_base(fs, ino, S_IFREG | 0444, st); /* the rows of INODE_CTL_RE*_FILE */
	st->st_size = (off_t)d->len;
	st->st_blocks = (blkcnt_t)((d->len + 511) / 512);
	if (d->mtime) {
		st->st_mtim.tv_sec = (time_t)d->mtime;
		st->st_mtim.tv_nsec = 0;
		st->st_ctim = st->st_mtim;
		st->st_atim = st->st_mtim;
	}
	if (doc)
		*doc = d;
	else
		cache_doc_unref(d);
	return 0;
}

int control_kept_entry(struct fs *fs, enum inode_kind dir, size_t i, char *name, size_t cap)
{
	struct cache_rejected_list l;
	int r = -ENOENT;

	if (control_kept_list(fs, dir, &l))
		return -EIO;
	if (i < l.n) {
		snprintf(name, cap, "%s", l.v[i].name);
		r = 0;
	}
	cache_rejected_list_cleanup(&l);
	return r;
}

void control_stat(struct fs *fs, const struct inode_node *n, struct stat *st)
{
	struct inode_row row;

	if (inode_kind_is_dir(n->kind)) {
		fs_stat_dir(fs, n->ino, n->kind, st);
		return;
	}
	inode_row(n->kind, &row);
	fs_stat_base(fs, n->ino, row.mode, st);
	if (n->kind == INODE_CTL_STATUS)
		control_snapshot(fs, st);
	else if (n->kind == INODE_CTL_ERRORS)
		st->st_size = (off_t)control_errors_size(fs);
}

int control_open(struct fs *fs, const struct inode_node *n, int flags, struct fs_open *o)
{
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	struct buf b;
	int r;

	switch (n->kind) {
	case INODE_CTL_STATUS:
		if (writing)
			return -EACCES;
		buf_init(&b, FS_STATUS_MAX);
		r = control_status_text(fs, &b);
		if (r) {
			buf_cleanup(&b);
			return r;
		}
		o->len = b.len;
		o->data = buf_steal(&b);
		return o->data ? 0 : -ENOMEM;
	case INODE_CTL_ERRORS:
		if (writing)
			return -EACCES;
		buf_init(&b, FS_STATUS_MAX);
		r = control_errors_text(fs, &b);
		if (r) {
			buf_cleanup(&b);
			return r;
		}
		o->len = b.len;
		o->data = buf_steal(&b);
		return o->data || !o->len ? 0 : -ENOMEM;
	case INODE_CTL_REJECTED_FILE:
	case INODE_CTL_REMOVED_FILE:
		if (writing)
			return -EACCES;
		return control_kept_doc(fs, n->kind, n->policy, &o->doc);
	case INODE_CTL_REFRESH:
		return 0;
	default:
		return -EISDIR;
	}
}

static void control_read_bytes(fuse_req_t req, const char *p, size_t len, size_t size, off_t off)
{
	if (off < 0 || (size_t)off >= len)
		size = 0;
	else if (size > len - (size_t)off)
		size = len - (size_t)off;
	fuse_reply_buf(req, size ? p + off : NULL, size);
}

/* Reads of errors and rejected files opened without an open (--read-only). */
static void control_read_other(struct fs *fs, fuse_req_t req, const struct inode_node *n,
			       size_t size, off_t off)
{
	struct cache_doc *d;
	struct buf b;

	if (n->kind == INODE_CTL_ERRORS) {
		buf_init(&b, FS_STATUS_MAX);
		if (control_errors_text(fs, &b))
			buf_reset(&b);
		control_read_bytes(req, b.data, b.len, size, off);
		buf_cleanup(&b);
	} else if ((n->kind == INODE_CTL_REJECTED_FILE || n->kind == INODE_CTL_REMOVED_FILE) &&
		   !control_kept_doc(fs, n->kind, n->policy, &d)) {
		control_read_bytes(req, d->bytes, d->len, size, off);
		cache_doc_unref(d);
	} else {
		fuse_reply_buf(req, NULL, 0);
	}
}

void control_read(struct fs *fs, fuse_req_t req, const struct inode_node *n, size_t size, off_t off)
{
	if (n->kind != INODE_CTL_STATUS) {
		control_read_other(fs, req, n, size, off);
		return;
	}
	pthread_mutex_lock(&fs->status_lock);
	if (off < 0 || (size_t)off >= fs->status.len)
		size = 0;
	else if (size > fs->status.len - (size_t)off)
		size = fs->status.len - (size_t)off;
	fuse_reply_buf(req, size ? fs->status.data + off : NULL, size);
	pthread_mutex_unlock(&fs->status_lock);
}

struct control_refresh_job {
	struct fs *fs;
	fuse_req_t req;
	size_t size;
};

static void control_refresh_run(void *arg)
{
	struct control_refresh_job *j = arg;
	struct aws_error err;
	int r;

	aws_error_clear(&err);
	log_msg(LOG_INFO, "refresh requested through .iamfs/refresh");
	r = cache_refresh(j->fs->cache, &err);
	if (r) {
		log_msg(LOG_WARNING, "refresh (.iamfs/refresh) failed: %s: %s%s%s%s",
			err.code[0] ? err.code : "error", err.message,
			err.request_id[0] ? " (request id " : "", err.request_id,
			err.request_id[0] ? ")" : "");
		fuse_reply_err(j->req, -r);
	} else {
		hidden_unhide_all(j->fs); /* what rm hid shows IAM's state again */
		/* The write returns once the kernel has dropped what changed. */
		if (j->fs->notify && notify_flush(j->fs->notify, FS_REFRESH_FLUSH_MS))
			log_msg(LOG_WARNING, "refresh: kernel cache invalidation still pending");
		fuse_reply_write(j->req, j->size);
	}
	free(j);
}

void control_write_refresh(struct fs *fs, fuse_req_t req, size_t size)
{
	struct control_refresh_job *j = malloc(sizeof(*j));

	if (j)
		*j = (struct control_refresh_job){.fs = fs, .req = req, .size = size};
	workers_hand(fs->workers, req, control_refresh_run, j, NULL);
}
