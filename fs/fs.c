/*
 * The per-mount state: its locks, the status buffer, and the list of open
 * files (so an unmount with files still open frees them). Open files are
 * linked at open and unlinked at release, under open_lock. Also the attributes
 * every node's stat starts from (attr.c, control.c and helperops.c build on them).
 */
#include "fs/fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fs_init(struct fs *fs)
{
	pthread_mutex_init(&fs->open_lock, NULL);
	pthread_mutex_init(&fs->status_lock, NULL);
	pthread_mutex_init(&fs->hide_lock, NULL);
	buf_init(&fs->status, FS_STATUS_MAX);
}

void fs_cleanup(struct fs *fs)
{
	buf_cleanup(&fs->status);
	for (size_t i = 0; i < fs->nhidden; i++)
		free(fs->hidden[i].role);
	free(fs->hidden);
	pthread_mutex_destroy(&fs->hide_lock);
	pthread_mutex_destroy(&fs->status_lock);
	pthread_mutex_destroy(&fs->open_lock);
}

void fs_open_add(struct fs *fs, struct fs_open *o)
{
	pthread_mutex_lock(&fs->open_lock);
	o->prev = NULL;
	o->next = fs->opens;
	if (fs->opens)
		fs->opens->prev = o;
	fs->opens = o;
	pthread_mutex_unlock(&fs->open_lock);
}

void fs_open_remove(struct fs *fs, struct fs_open *o)
{
	pthread_mutex_lock(&fs->open_lock);
	if (o->prev)
		o->prev->next = o->next;
	else if (fs->opens == o)
		fs->opens = o->next;
	if (o->next)
		o->next->prev = o->prev;
	o->prev = o->next = NULL;
	pthread_mutex_unlock(&fs->open_lock);
}

void fs_open_free(struct fs_open *o)
{
	if (!o)
		return;
	cache_doc_unref(o->doc);
	wbuf_cleanup(&o->buf);
	free(o->data);
	free(o);
}

void fs_open_put(struct fs *fs, struct fs_open *o)
{
	bool last;

	pthread_mutex_lock(&fs->open_lock);
	last = --o->refs <= 0;
	pthread_mutex_unlock(&fs->open_lock);
	if (last) {
		fs_open_remove(fs, o);
		fs_open_free(o);
	}
}

bool fs_open_pending_attr(struct fs *fs, const struct inode_node *n, struct stat *st)
{
	bool found = false;

	pthread_mutex_lock(&fs->open_lock);
	for (struct fs_open *o = fs->opens; o; o = o->next) {
		if (o->node != n || !o->writable || (o->wseq == o->cseq && !o->created))
			continue;
		st->st_size = (off_t)o->buf.len;
		st->st_blocks = (blkcnt_t)((o->buf.len + 511) / 512);
		st->st_mtim = o->wtime;
		st->st_ctim = o->wtime;
		found = true;
		break;
	}
	pthread_mutex_unlock(&fs->open_lock);
	return found;
}

void fs_release_all(struct fs *fs)
{
	struct fs_open *o;

	pthread_mutex_lock(&fs->open_lock);
	o = fs->opens;
	fs->opens = NULL;
	pthread_mutex_unlock(&fs->open_lock);
	while (o) {
		struct fs_open *next = o->next;

		fs_open_free(o);
		o = next;
	}
}

pid_t fs_process_of(pid_t tid)
{
	char path[64], text[512], *p, *end;
	ssize_t n;
	long v;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	n = read(fd, text, sizeof(text) - 1); /* Tgid is among the first lines */
	close(fd);
	if (n <= 0)
		return tid;
	text[n] = '\0';
	p = strstr(text, "\nTgid:");
	if (!p)
		return tid;
	v = strtol(p + 6, &end, 10);
	return end != p + 6 && v > 0 ? (pid_t)v : tid;
}

/* A folder of kind (its mode and links from the tree's table). */
void fs_stat_dir(const struct fs *fs, uint64_t ino, enum inode_kind kind, struct stat *st)
{
	struct inode_row row;

	inode_row(kind, &row);
	fs_stat_base(fs, ino, row.mode, st);
	st->st_nlink = row.nlink;
	st->st_size = 4096;
}

void fs_stat_base(const struct fs *fs, uint64_t ino, mode_t mode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	st->st_mtim = fs->mount_time;
	st->st_atim = fs->mount_time;
	st->st_ctim = fs->mount_time;
}

void fs_cache_options(const struct fs *fs, struct cache_options *co)
{
	memset(co, 0, sizeof(*co));
	co->ttl = (unsigned)fs->ttl;
	co->read_only = fs->read_only;
	co->dry_run = fs->dry_run;
	co->prune_versions = fs->prune_versions;
	co->allow_delete = fs->allow_delete;
	co->prefetch_managed = fs->prefetch_managed;
}
