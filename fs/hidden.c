/*
 * The entries rm hid (hidden.h): per role, a mask of the fixed entries rm took
 * away locally, under fs->hide_lock.
 */
#include "fs/hidden.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/notify.h"

static struct fs_hidden *hidden_find(struct fs *fs, const char *role)
{
	for (size_t i = 0; i < fs->nhidden; i++)
		if (!strcmp(fs->hidden[i].role, role))
			return &fs->hidden[i];
	return NULL;
}

bool hidden_has(struct fs *fs, const char *role, enum inode_kind kind)
{
	const struct fs_hidden *h;
	bool hidden;

	if (!role)
		return false;
	pthread_mutex_lock(&fs->hide_lock);
	h = hidden_find(fs, role);
	hidden = h && (h->mask & (1u << kind));
	pthread_mutex_unlock(&fs->hide_lock);
	return hidden;
}

int hidden_add(struct fs *fs, const char *role, enum inode_kind kind)
{
	struct fs_hidden *h, *v;
	int r = 0;

	pthread_mutex_lock(&fs->hide_lock);
	if (!(h = hidden_find(fs, role))) {
		v = realloc(fs->hidden, (fs->nhidden + 1) * sizeof(*v));
		if (v)
			fs->hidden = v;
		if (v && (v[fs->nhidden].role = strdup(role))) {
			h = &v[fs->nhidden++];
			h->mask = 0;
		}
	}
	if (h)
		h->mask |= 1u << kind;
	else
		r = -ENOMEM;
	pthread_mutex_unlock(&fs->hide_lock);
	return r;
}

void hidden_forget(struct fs *fs, const char *role)
{
	struct fs_hidden *h;

	pthread_mutex_lock(&fs->hide_lock);
	if ((h = hidden_find(fs, role))) {
		free(h->role);
		*h = fs->hidden[--fs->nhidden];
	}
	pthread_mutex_unlock(&fs->hide_lock);
}

void hidden_show_again(struct fs *fs, const char *role)
{
	uint64_t root = inode_table_root(fs->inodes);
	struct inode_node *n = inode_table_find(fs->inodes, root, role);
	struct notify_action a = {.entry = true, .ino = root};

	if (!fs->notify)
		return;
	snprintf(a.name, sizeof(a.name), "%s", role);
	notify_queue_action(fs->notify, &a);
	if (n) {
		a = (struct notify_action){.entry = false, .ino = n->ino};
		notify_queue_action(fs->notify, &a);
	}
}

void hidden_unhide_all(struct fs *fs)
{
	struct fs_hidden *v;
	size_t n, i;

	pthread_mutex_lock(&fs->hide_lock);
	v = fs->hidden;
	n = fs->nhidden;
	fs->hidden = NULL;
	fs->nhidden = 0;
	pthread_mutex_unlock(&fs->hide_lock);
	for (i = 0; i < n; i++) {
		hidden_show_again(fs, v[i].role);
		free(v[i].role);
	}
	free(v);
}
