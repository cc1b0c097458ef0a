/*
 * Node opens of nodeopen.h. They are found by scanning fs->opens under
 * open_lock: with no OPEN round trips that list holds only files made by
 * CREATE, helpers opened by CREATE and the node opens themselves, a handful at
 * a time. A node open carries one reference for its node while it is linked,
 * plus one per caller and per commit under way.
 */
#include "fs/nodeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "fs/edit.h"

static struct fs_open *nodeopen_scan(struct fs *fs, const struct inode_node *n)
{
	for (struct fs_open *o = fs->opens; o; o = o->next)
		if (o->by_node && !o->settled && o->node == n)
			return o;
	return NULL;
}

struct fs_open *nodeopen_find(struct fs *fs, const struct inode_node *n)
{
	struct fs_open *o;

	pthread_mutex_lock(&fs->open_lock);
	if ((o = nodeopen_scan(fs, n)))
		o->refs++;
	pthread_mutex_unlock(&fs->open_lock);
	return o;
}

int nodeopen_take(struct fs *fs, struct inode_node *n, struct fs_open **out)
{
	struct fs_open *o;
	int r;

	/* Only the dispatch thread makes node opens, so none appears meanwhile; one
	 * a commit settles after this is refused by the edit (edit.h), which then
	 * asks again. */
	if ((*out = nodeopen_find(fs, n)))
		return 0;
	if (!edit_kind_savable(n->kind))
		return -EACCES;
	if (!(o = calloc(1, sizeof(*o))))
		return -ENOMEM;
	o->node = n;
	o->flags = O_WRONLY;
	r = edit_open(fs, n, O_WRONLY, false, o);
	if (r) {
		fs_open_free(o);
		return r;
	}
	o->by_node = true;
	o->refs = 2; /* the node's and the caller's */
	fs_open_add(fs, o);
	*out = o;
	return 0;
}

/* One edit of n's node open by thread tid: a write of p (n bytes at off), or a
 * truncate to size when p is NULL. Asks for a new node open when a commit
 * settled the one it found meanwhile. */
static int nodeopen_edit(struct fs *fs, struct inode_node *n, pid_t tid, const char *p, size_t len,
			 off_t off)
{
	struct fs_open *o;
	int r;

	do {
		if ((r = nodeopen_take(fs, n, &o)))
			return r;
		r = p ? edit_write(fs, o, tid, p, len, off) : edit_truncate(fs, o, tid, off);
		fs_open_put(fs, o);
	} while (r == -ESTALE);
	return r;
}

int nodeopen_write(struct fs *fs, struct inode_node *n, pid_t tid, const char *p, size_t len,
		   off_t off)
{
	return nodeopen_edit(fs, n, tid, p ? p : "", len, off);
}

int nodeopen_truncate(struct fs *fs, struct inode_node *n, pid_t tid, off_t size)
{
	return nodeopen_edit(fs, n, tid, NULL, 0, size);
}

void nodeopen_settle(struct fs *fs, struct fs_open *o, unsigned long long seq)
{
	bool drop;

	if (!o->by_node)
		return;
	/* Under the lock every edit takes: an edit either came first (then it
	 * waits for its own commit) or finds o settled and makes a new node open. */
	pthread_mutex_lock(&fs->open_lock);
	drop = o->wseq == seq && !o->settled;
	if (drop)
		o->settled = true;
	pthread_mutex_unlock(&fs->open_lock);
	if (drop) {
		fs_open_remove(fs, o);
		fs_open_put(fs, o);
	}
}
