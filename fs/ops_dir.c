/*
 * readdir and readdirplus: "." and "..", a folder's fixed children from the
 * tree's table (inode.h), the view's roles and policy files, then the role
 * folder's helper files. Entries whose attributes would need a fetch go without.
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
#include "fs/names.h"
#include "fs/workers.h"

/* Entry i past the account's entries of a role folder: its helper files. */
static const char *ops_helper_entry(struct fs *fs, const struct inode_node *n, size_t i, char *buf,
				    size_t buflen, struct helper_attr *ha)
{
	if (helper_list(fs->helpers, n->ino, i, buf, buflen, ha))
		return NULL;
	return buf;
}

/* The name of entry i of folder n ("." and ".." first), or NULL past the end.
 * *ha gets a helper file's attributes (ha->ino 0 otherwise). */
static const char *ops_dir_entry(struct fs *fs, const struct cache_view *v,
				 const struct inode_node *n, const struct cache_role *role,
				 size_t i, char *buf, size_t buflen, struct helper_attr *ha)
{
	size_t nfixed = 0;

	ha->ino = 0;
	if (i < 2)
		return i ? ".." : ".";
	i -= 2;
	while (inode_fixed_child(n->kind, nfixed))
		nfixed++;
	if (i < nfixed)
		return inode_fixed_child(n->kind, i);
	i -= nfixed;
	switch (n->kind) {
	case INODE_ROOT:
		return i < v->nroles ? v->roles[i].name : NULL;
	case INODE_ROLE:
		return ops_helper_entry(fs, n, i, buf, buflen, ha);
	case INODE_INLINE_DIR:
		if (i >= role->ninl)
			return ops_helper_entry(fs, n, i - role->ninl, buf, buflen, ha);
		layout_entry_name(LAYOUT_INLINE, role->inl[i].name, buf, buflen);
		return buf;
	case INODE_ATTACHED_DIR:
		if (i >= role->natt)
			return ops_helper_entry(fs, n, i - role->natt, buf, buflen, ha);
		layout_entry_name(LAYOUT_ATTACHED, role->att[i].name, buf, buflen);
		return buf;
	case INODE_CTL_REJECTED:
	case INODE_CTL_REMOVED:
		return control_kept_entry(fs, n->kind, i, buf, buflen) ? NULL : buf;
	default:
		return NULL;
	}
}

/* Adds helper file entry i to buf (see ops_dirent). */
static void ops_helper_dirent(struct fs *fs, fuse_req_t req, const char *name,
			      const struct helper_attr *ha, size_t i, char *buf, size_t rem,
			      bool plus, size_t *used)
{
	struct fuse_entry_param e;

	helperops_entry(fs, ha, &e);
	if (plus) {
		*used = fuse_add_direntry_plus(req, buf, rem, name, &e, (off_t)i + 1);
		if (*used <= rem)
			helper_ref(fs->helpers, ha->ino);
	} else {
		*used = fuse_add_direntry(req, buf, rem, name, &e.attr, (off_t)i + 1);
	}
}

/* Adds entry index i called name to buf; *used is its size (larger than rem:
 * it did not fit and nothing was counted). 0, -ENOENT (skip it) or -errno. */
static int ops_dirent(struct fs *fs, fuse_req_t req, struct cache_view *v,
		      const struct inode_node *dir, const char *name, size_t i, char *buf,
		      size_t rem, bool plus, size_t *used)
{
	struct fuse_entry_param e;
	struct inode_node *c = NULL;
	struct fs_ident id;
	int r;

	memset(&e, 0, sizeof(e));
	if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))) {
		e.attr.st_ino = name[1] ? (dir->parent ? dir->parent : dir->ino) : dir->ino;
		e.attr.st_mode = S_IFDIR | 0755;
	} else {
		r = inode_table_child(fs->inodes, dir->ino, name, &c);
		if (r)
			return r;
		attr_ident(c, &id);
		/* Checked for a plain entry too: a pending role's folder lacks some,
		 * and rm hides some (attr_of answers -ENOENT for both). */
		r = attr_of(fs, v, &id, c->ino, false, &e.attr, NULL);
		if (r < 0)
			return r;
		if (r == FS_DEFER || !plus) {
			/* A plain entry (ino 0: no attributes). For an AWS managed document
			 * not fetched yet, the kernel's own LOOKUP fetches it when a size is
			 * wanted, so `ls` alone costs no IAM call. */
			memset(&e, 0, sizeof(e));
			e.attr.st_ino = c->ino;
			e.attr.st_mode = inode_kind_is_dir(c->kind) ? S_IFDIR : S_IFREG;
			c = NULL;
		} else {
			e.ino = c->ino;
			e.attr_timeout = attr_timeout(fs, c->kind);
			e.entry_timeout = attr_timeout(fs, c->kind);
		}
	}
	if (plus)
		*used = fuse_add_direntry_plus(req, buf, rem, name, &e, (off_t)i + 1);
	else
		*used = fuse_add_direntry(req, buf, rem, name, &e.attr, (off_t)i + 1);
	if (plus && c && *used <= rem)
		inode_table_ref(fs->inodes, c);
	return 0;
}

static void ops_fill_dir(struct fs *fs, fuse_req_t req, struct cache_view *v,
			 const struct inode_node *n, const struct cache_role *role, size_t size,
			 off_t off, bool plus)
{
	char name[INODE_NAME_MAX + 8];
	struct helper_attr ha;
	size_t pos = 0, used;
	const char *e;
	char *buf;
	int r = 0;

	if (size > (1u << 20))
		size = 1u << 20;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = off < 0 ? 0 : (size_t)off;; i++) {
		e = ops_dir_entry(fs, v, n, role, i, name, sizeof(name), &ha);
		if (!e)
			break;
		if (ha.ino)
			ops_helper_dirent(fs, req, e, &ha, i, buf + pos, size - pos, plus, &used);
		else
			r = ops_dirent(fs, req, v, n, e, i, buf + pos, size - pos, plus, &used);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r || used > size - pos)
			break;
		pos += used;
	}
	if (r && !pos)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf, pos);
	free(buf);
}

/* Listings never wait on IAM: entries whose attributes would need a fetch go without. */
void ops_readdir(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct inode_node *n = inode_table_get(fs->inodes, ino);
	const struct cache_role *role = NULL;
	struct cache_view *v;

	cache_touch(fs->cache);
	if (!n || !inode_kind_is_dir(n->kind)) {
		fuse_reply_err(req, n ? ENOTDIR : ENOENT);
		return;
	}
	v = cache_view_get(fs->cache);
	if (n->role) {
		role = cache_view_find(v, n->role);
		if (!role) {
			cache_view_put(v);
			fuse_reply_err(req, ENOENT);
			return;
		}
	}
	ops_fill_dir(fs, req, v, n, role, size, off, plus);
	cache_view_put(v);
}
