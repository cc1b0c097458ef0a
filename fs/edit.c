/*
 * The write side of policy files (edit.h). An open for writing copies the
 * document it serves so reads and partial writes see a whole file; O_TRUNC
 * starts empty and counts as an edit. Write opens never keep the kernel's
 * pages (keep_cache) and forget the generation served, so after a refused
 * save the next read open drops whatever the writer left in the page cache.
 */
#include "fs/edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool edit_kind_savable(enum inode_kind kind)
{
	return inode_kind_savable(kind);
}

bool edit_pending_file(struct fs *fs, const struct inode_node *n)
{
	return (n->kind == INODE_TRUST || n->kind == INODE_ROLE_JSON) && n->role &&
	       cache_role_pending(fs->cache, n->role);
}

int edit_doc(struct fs *fs, const struct inode_node *n, enum lookup_use use, struct cache_doc **out)
{
	struct cache_view *v;
	enum cache_file_kind kind;
	struct lookup l;
	int r;

	if (!edit_kind_savable(n->kind) || !inode_file_kind(n->kind, &kind))
		return -EACCES;
	v = cache_view_get(fs->cache);
	r = lookup_errno(lookup_doc(v, n->role, kind, n->policy, &l), use);
	if (!r && !l.doc)
		r = -ENOENT;
	if (!r) {
		cache_doc_ref(l.doc);
		*out = l.doc;
	}
	cache_view_put(v);
	return r;
}

int edit_truncated(const struct cache_doc *d, off_t size, struct edit_bytes *out)
{
	char *bytes;

	if (size < 0 || (size_t)size > FS_POLICY_MAX)
		return -EFBIG;
	bytes = calloc(1, (size_t)size + 1);
	if (!bytes)
		return -ENOMEM;
	memcpy(bytes, d->bytes, (size_t)size < d->len ? (size_t)size : d->len);
	*out = (struct edit_bytes){.bytes = bytes, .len = (size_t)size, .base_gen = d->gen};
	return 0;
}

unsigned long long edit_base_gen(struct fs *fs, const struct inode_node *n,
				 const struct cache_doc *d)
{
	unsigned long long seen = inode_table_seen(fs->inodes, n);

	return seen ? seen : d->gen;
}

int edit_open(struct fs *fs, struct inode_node *n, int flags, bool create, struct fs_open *o)
{
	struct cache_doc *d = NULL;
	int r = edit_doc(fs, n, LOOKUP_OPEN_WRITE, &d);

	if (r == -ENOENT && create &&
	    (n->kind == INODE_INLINE || n->kind == INODE_ATTACHED || edit_pending_file(fs, n))) {
		/* A new inline policy, an attachment, or a pending role's first trust.json
		 * or role.json: in IAM (or the pending store) at its first commit. */
		o->created = true;
		r = 0;
	}
	if (r)
		return r;
	wbuf_init(&o->buf, FS_POLICY_MAX);
	o->writable = true;
	o->doc = d;
	o->base_gen = d ? edit_base_gen(fs, n, d) : 0;
	o->refs = 1;
	clock_gettime(CLOCK_REALTIME, &o->wtime);
	/* After a rename away the name holds no file for the editor: vim then opens
	 * it O_WRONLY|O_CREAT without O_TRUNC and expects it empty. */
	if (inode_table_take_vacated(fs->inodes, n))
		create = true;
	if (create) {
		o->wseq = o->cseq = 0; /* nothing written yet: a close alone saves nothing */
	} else if (flags & O_TRUNC) {
		o->wseq = 1;
	} else if (d) {
		r = wbuf_set(&o->buf, d->bytes, d->len);
	}
	inode_table_serve(fs->inodes, n, 0);
	return r;
}

/* The process of thread tid, remembered for the next request on o (a writer's
 * writes come from one thread, so /proc is read about once a save). */
static pid_t edit_process(struct fs_open *o, pid_t tid)
{
	if (!o->last_tid || o->last_tid != tid) {
		o->last_pid = fs_process_of(tid);
		o->last_tid = tid;
	}
	return o->last_pid;
}

static bool edit_listed(const struct fs_open *o, pid_t pid)
{
	if (o->neditors > FS_OPEN_EDITORS)
		return true;
	for (unsigned i = 0; i < o->neditors; i++)
		if (o->editors[i] == pid)
			return true;
	return false;
}

bool edit_by(struct fs *fs, struct fs_open *o, pid_t tid)
{
	pid_t pid = edit_process(o, tid);
	bool by;

	pthread_mutex_lock(&fs->open_lock);
	by = edit_listed(o, pid);
	pthread_mutex_unlock(&fs->open_lock);
	return by;
}

/* One more edit of o, by process pid (under open_lock). */
static void edit_count(struct fs_open *o, pid_t pid)
{
	o->wseq++;
	clock_gettime(CLOCK_REALTIME, &o->wtime);
	if (edit_listed(o, pid))
		return;
	if (o->neditors < FS_OPEN_EDITORS)
		o->editors[o->neditors++] = pid;
	else
		o->neditors = FS_OPEN_EDITORS + 1;
}

int edit_write(struct fs *fs, struct fs_open *o, pid_t tid, const char *p, size_t n, off_t off)
{
	pid_t pid = edit_process(o, tid);
	int r;

	pthread_mutex_lock(&fs->open_lock);
	r = wbuf_write(&o->buf, off, p, n);
	if (!r)
		edit_count(o, pid);
	pthread_mutex_unlock(&fs->open_lock);
	return r ? r : (int)n;
}

int edit_truncate(struct fs *fs, struct fs_open *o, pid_t tid, off_t size)
{
	pid_t pid = edit_process(o, tid);
	int r;

	pthread_mutex_lock(&fs->open_lock);
	r = wbuf_truncate(&o->buf, size);
	if (!r)
		edit_count(o, pid);
	pthread_mutex_unlock(&fs->open_lock);
	return r;
}

void edit_read(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off)
{
	const char *p;
	size_t n;

	pthread_mutex_lock(&fs->open_lock);
	n = wbuf_read(&o->buf, off, size, &p);
	fuse_reply_buf(req, n ? p : NULL, n);
	pthread_mutex_unlock(&fs->open_lock);
}
