/*
 * The per-mount state: its locks, the status buffer, and the list of open
 * files (so an unmount with files still open frees them). Open files are
 * linked at open and unlinked at release, under open_lock.
 */
#include "fs/fs.h"

#include <stdlib.h>
#include <string.h>

void fs_init(struct fs *fs)
{
	pthread_mutex_init(&fs->open_lock, NULL);
	pthread_mutex_init(&fs->status_lock, NULL);
	buf_init(&fs->status, FS_STATUS_MAX);
}

void fs_cleanup(struct fs *fs)
{
	buf_cleanup(&fs->status);
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
