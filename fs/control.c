/*
 * The .iamfs/ control folder: status (generated when opened or stat'ed,
 * served with direct_io), errors (one line per failed save; empty until
 * saving exists), rejected/ (empty for now) and refresh (a write refetches the
 * whole account on a worker and returns when the kernel has been told).
 */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/log.h"
#include "fs/notify.h"
#include "fs/workers.h"

static const char *const control_entries[] = {"status", "errors", "rejected", "refresh"};

const char *control_dir_entry(enum inode_kind dir, size_t i)
{
	if (dir != INODE_CTL_DIR)
		return NULL;
	return i < sizeof(control_entries) / sizeof(control_entries[0]) ? control_entries[i] : NULL;
}

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

void control_stat(struct fs *fs, const struct inode_node *n, struct stat *st)
{
	switch (n->kind) {
	case INODE_CTL_DIR:
		attr_base(fs, n->ino, S_IFDIR | 0755, st);
		st->st_nlink = 3;
		st->st_size = 4096;
		break;
	case INODE_CTL_REJECTED:
		attr_base(fs, n->ino, S_IFDIR | 0755, st);
		st->st_nlink = 2;
		st->st_size = 4096;
		break;
	case INODE_CTL_STATUS:
		attr_base(fs, n->ino, S_IFREG | 0444, st);
		control_snapshot(fs, st);
		break;
	case INODE_CTL_ERRORS:
		attr_base(fs, n->ino, S_IFREG | 0444, st);
		break;
	default:
		attr_base(fs, n->ino, S_IFREG | 0644, st);
		break;
	}
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
		return writing ? -EACCES : 0;
	case INODE_CTL_REFRESH:
		return 0;
	default:
		return -EISDIR;
	}
}

void control_read(struct fs *fs, fuse_req_t req, const struct inode_node *n, size_t size, off_t off)
{
	if (n->kind != INODE_CTL_STATUS) {
		fuse_reply_buf(req, NULL, 0);
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
	int r;

	if (!j) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	j->fs = fs;
	j->req = req;
	j->size = size;
	r = workers_submit(fs->workers, control_refresh_run, j);
	if (r) {
		free(j);
		fuse_reply_err(req, -r);
	}
}
