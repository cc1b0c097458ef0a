/*
 * The per-mount state: its locks, the status buffer, and the list of open
 * files (so an unmount with files still open frees them). Open files are
 * linked at open and unlinked at release, under open_lock.
 */
#include "fs/fs.h"

#include <stdlib.h>

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
	free(o->data);
	free(o);
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
