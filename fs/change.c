/*
 * Tree changes of change.h. A rename is the subtle one: a helper renamed onto
 * a policy name commits the helper's bytes (sed -i, rsync, atomic saves) and
 * the rename returns the outcome; a policy file renamed away (vim and emacs
 * backups) leaves IAM alone: the new name becomes a helper holding the old
 * bytes and the policy name keeps serving IAM's document.
 */
#include "fs/change.h"

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
#include "fs/notify.h"
#include "fs/remove.h"
#include "fs/rolefolder.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/* Folder parent when it may hold helper and policy files of a role that exists. */
static int change_dir(struct fs *fs, fuse_ino_t parent, struct inode_node **out)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent);
	struct cache_view *v;
	bool ok;

	if (fs->read_only)
		return -EROFS;
	if (!p)
		return -ENOENT;
	if (!names_holds_helpers(p->kind))
		return -EPERM;
	v = cache_view_get(fs->cache);
	ok = cache_view_find(v, p->role) != NULL;
	cache_view_put(v);
	if (!ok)
		return -ENOENT;
	*out = p;
	return 0;
}

static void change_create_policy(struct fs *fs, fuse_req_t req, struct inode_node *p,
				 const char *name, struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct inode_node *n;
	struct fs_open *o;
	int r = inode_table_child(fs->inodes, p->ino, name, &n);

	o = r ? NULL : calloc(1, sizeof(*o));
	if (!r && !o)
		r = -ENOMEM;
	if (!r) {
		o->node = n;
		o->flags = fi->flags;
		r = edit_open(fs, n, fi->flags, true, o);
	}
	if (r) {
		fs_open_free(o);
		fuse_reply_err(req, -r);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = n->ino;
	fs_stat_base(fs, n->ino, S_IFREG | 0644, &e.attr);
	e.attr.st_mtim = o->wtime;
	e.attr_timeout = fs->ttl;
	e.entry_timeout = fs->ttl;
	fi->fh = (uint64_t)(uintptr_t)o;
	fi->keep_cache = 0;
	inode_table_ref(fs->inodes, n);
	fs_open_add(fs, o);
	if (fuse_reply_create(req, &e, fi)) {
		inode_table_forget(fs->inodes, n->ino, 1);
		fs_open_remove(fs, o);
		fs_open_free(o);
	}
}

/* newname in inline/ or attached/ (p) looks like a policy file but IAM cannot take
 * the name: recorded with the bytes a rename brought (NULL: none) and refused. */
static int change_refuse_name(struct fs *fs, const struct inode_node *p, const char *name,
			      const char *bytes, size_t len)
{
	char path[INODE_NAME_MAX + 16], msg[INODE_NAME_MAX + 256];
	struct cache_refusal r = {
		.role = p->role, .path = path, .bytes = bytes, .len = len, .err = EINVAL};

	layout_path(p->kind == INODE_INLINE_DIR ? LAYOUT_INLINE_DIR : LAYOUT_ATTACHED_DIR, NULL,
		    name, path, sizeof(path));
	snprintf(msg, sizeof(msg),
		 "\"%s\" is not a policy name IAM accepts (1 to 128 of A-Z a-z 0-9 _+=,.@- "
		 "then \".json\" in lower case); nothing was %s",
		 name, bytes ? "sent" : "created");
	r.message = msg;
	cache_refuse(fs->cache, &r);
	return -EINVAL;
}

void change_create(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		   struct fuse_file_info *fi)
{
	struct inode_node *p;
	enum inode_kind kind;
	int r = change_dir(fs, parent, &p);

	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	switch (names_class(p->kind, name, &kind)) {
	case NAMES_HELPER:
		log_msg(LOG_DEBUG, "%s %s in %s: in memory only", names_helper_kind(name), name,
			p->role);
		helperops_create(fs, req, parent, name, mode, fi);
		return;
	case NAMES_POLICY:
		change_create_policy(fs, req, p, name, fi);
		return;
	case NAMES_INVALID:
		fuse_reply_err(req, -change_refuse_name(fs, p, name, NULL, 0));
		return;
	default:
		fuse_reply_err(req, EPERM);
		return;
	}
}

/* A name only a helper file may take (mknod, symlink): 0, the recorded refusal of
 * a name IAM cannot take, or -EPERM for a policy or fixed name. */
static int change_helper_only(struct fs *fs, struct inode_node *p, const char *name)
{
	enum inode_kind kind;

	switch (names_class(p->kind, name, &kind)) {
	case NAMES_HELPER:
		return 0;
	case NAMES_INVALID:
		return change_refuse_name(fs, p, name, NULL, 0);
	default:
		return -EPERM;
	}
}

void change_mknod(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct inode_node *p;
	int r = change_dir(fs, parent, &p);

	if (!r)
		r = change_helper_only(fs, p, name);
	if (!r && !S_ISREG(mode))
		r = -EPERM;
	if (r)
		fuse_reply_err(req, -r);
	else
		helperops_create(fs, req, parent, name, mode, NULL);
}

/* ln -s ARN attached/NAME.json: attaches ARN (a name already there: EEXIST); 0
 * when the attach took req, -errno, or 1 for a name that is not a policy file
 * in attached/. */
static int change_link_policy(struct fs *fs, fuse_req_t req, struct inode_node *p, const char *name,
			      const char *link)
{
	struct inode_node *n;
	struct cache_doc *d = NULL;
	enum inode_kind kind;
	int r;

	if (names_class(p->kind, name, &kind) != NAMES_POLICY || kind != INODE_ATTACHED)
		return 1;
	if ((r = inode_table_child(fs->inodes, p->ino, name, &n)))
		return r;
	/* Only a name the role does not attach yet (AWS managed: EPERM, attached). */
	r = edit_doc(fs, n, LOOKUP_RENAME, &d);
	cache_doc_unref(d);
	if (r != -ENOENT)
		return !r || r == -EPERM || r == -EIO ? -EEXIST : r;
	commit_link(fs, req, n, link);
	return 0;
}

void change_symlink(struct fs *fs, fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name)
{
	struct inode_node *p;
	int r = change_dir(fs, parent, &p);

	if (!r && !(r = change_link_policy(fs, req, p, name, link)))
		return; /* the attach replies */
	if (r == 1)
		r = change_helper_only(fs, p, name);
	if (r)
		fuse_reply_err(req, -r);
	else
		helperops_symlink(fs, req, link, parent, name);
}

void change_unlink(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct inode_node *p;
	enum inode_kind kind;
	int r = change_dir(fs, parent, &p);

	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	switch (names_class(p->kind, name, &kind)) {
	case NAMES_HELPER:
		fuse_reply_err(req, -helper_unlink(fs->helpers, parent, name));
		return;
	case NAMES_POLICY:
	case NAMES_FIXED:
		if (!rolefolder_unlink(fs, req, p, kind)) /* a pending role's role.json */
			remove_unlink(fs, req, p, name, kind);
		return;
	case NAMES_INVALID:
		fuse_reply_err(req, ENOENT); /* such a name never exists */
		return;
	default:
		break;
	}
	fuse_reply_err(req, EPERM);
}

/* Saves bytes (taken) as the policy file newname in np: the rename's outcome. */
static void change_rename_onto(struct fs *fs, fuse_req_t req, struct inode_node *np,
			       const char *newname, char *bytes, size_t len, uint64_t from,
			       bool noreplace)
{
	struct edit_bytes b = {.bytes = bytes, .len = len};
	struct inode_node *t;
	struct cache_doc *d = NULL;
	int r = inode_table_child(fs->inodes, np->ino, newname, &t);

	if (!r) {
		r = edit_doc(fs, t, LOOKUP_RENAME, &d);
		if (!r && noreplace)
			r = -EEXIST;
		else if (r == -ENOENT && (t->kind == INODE_INLINE || t->kind == INODE_ATTACHED ||
					  edit_pending_file(fs, t)))
			r = 0; /* a new inline policy, a policy to attach, or a pending role's file
				*/
		/* Based on what this mount last served under the name, else this document. */
		if (!r && d)
			b.base_gen = edit_base_gen(fs, t, d);
		cache_doc_unref(d);
	}
	if (r) {
		free(bytes);
		fuse_reply_err(req, -r);
		return;
	}
	commit_bytes(fs, req, t, &b, from, "rename");
}

/* A policy file renamed away: newname becomes a helper with its bytes. */
static void change_rename_away(struct fs *fs, fuse_req_t req, struct inode_node *p,
			       const char *name, struct inode_node *np, const char *newname,
			       bool noreplace)
{
	struct notify_action a = {.entry = true, .ino = np->ino};
	struct helper_attr ha;
	struct inode_node *n;
	struct cache_doc *d = NULL;
	int r = inode_table_child(fs->inodes, p->ino, name, &n);

	if (!r)
		r = edit_doc(fs, n, LOOKUP_RENAME, &d);
	if (!r)
		r = helper_create(fs->helpers, np->ino, newname, S_IFREG | 0644,
				  fuse_req_ctx(req)->uid, fuse_req_ctx(req)->gid, d->bytes, d->len,
				  noreplace, false, &ha);
	cache_doc_unref(d);
	/* The kernel now shows n's number under newname: it stands for the helper. */
	if (!r && (r = inode_table_move(fs->inodes, n, ha.ino, true)))
		helper_unlink(fs->helpers, np->ino, newname);
	fuse_reply_err(req, -r);
	if (r)
		return;
	log_msg(LOG_DEBUG, "%s/%s renamed to %s: a local copy; IAM keeps the policy", p->role, name,
		newname);
	/* The kernel now puts the policy file's inode at newname: let it look again. */
	snprintf(a.name, sizeof(a.name), "%s", newname);
	notify_queue_action(fs->notify, &a);
}

static void change_rename_helper(struct fs *fs, fuse_req_t req, struct inode_node *p,
				 const char *name, struct inode_node *np, const char *newname,
				 enum names_class dc, bool noreplace)
{
	uint64_t hino;
	char *bytes;
	size_t len;
	int r;

	if (dc == NAMES_HELPER) {
		fuse_reply_err(req, -helper_rename(fs->helpers, p->ino, name, np->ino, newname,
						   noreplace));
		return;
	}
	if (dc != NAMES_POLICY) {
		fuse_reply_err(req, EPERM);
		return;
	}
	r = helper_copy(fs->helpers, p->ino, name, &bytes, &len, &hino);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	change_rename_onto(fs, req, np, newname, bytes, len, hino, noreplace);
}

/* A policy file renamed onto another policy name: the other is saved with its bytes. */
static void change_rename_policy(struct fs *fs, fuse_req_t req, struct inode_node *p,
				 const char *name, struct inode_node *np, const char *newname,
				 bool noreplace)
{
	struct inode_node *n;
	struct cache_doc *d = NULL;
	char *bytes = NULL;
	int r = inode_table_child(fs->inodes, p->ino, name, &n);

	if (!r)
		r = edit_doc(fs, n, LOOKUP_RENAME, &d);
	if (!r && !(bytes = malloc(d->len ? d->len : 1)))
		r = -ENOMEM;
	if (r) {
		cache_doc_unref(d);
		fuse_reply_err(req, -r);
		return;
	}
	memcpy(bytes, d->bytes, d->len);
	change_rename_onto(fs, req, np, newname, bytes, d->len, n->ino, noreplace);
	cache_doc_unref(d);
}

/* A helper or policy file renamed onto a name IAM cannot take: refused; a helper's
 * bytes (an editor's new content) are kept under rejected/. */
static int change_rename_refused(struct fs *fs, struct inode_node *p, const char *name,
				 enum names_class sc, const struct inode_node *np,
				 const char *newname)
{
	struct inode_node *n;
	struct cache_doc *d = NULL;
	char *bytes = NULL;
	uint64_t hino;
	size_t len = 0;
	int r;

	if (sc == NAMES_HELPER) {
		r = helper_copy(fs->helpers, p->ino, name, &bytes, &len, &hino);
	} else {
		r = inode_table_child(fs->inodes, p->ino, name, &n);
		if (!r)
			r = edit_doc(fs, n, LOOKUP_RENAME, &d); /* the source must exist */
		cache_doc_unref(d);
	}
	if (!r)
		r = change_refuse_name(fs, np, newname,
				       bytes ? bytes : (sc == NAMES_HELPER ? "" : NULL), len);
	free(bytes);
	return r;
}

void change_rename(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	bool noreplace = flags & RENAME_NOREPLACE;
	struct inode_node *p, *np;
	enum inode_kind sk, dk;
	enum names_class sc, dc;
	int r = change_dir(fs, parent, &p);

	if (!r)
		r = change_dir(fs, newparent, &np);
	if (!r && (flags & ~(unsigned int)RENAME_NOREPLACE))
		r = -EINVAL;
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	sc = names_class(p->kind, name, &sk);
	dc = names_class(np->kind, newname, &dk);
	if (sc == NAMES_INVALID)
		fuse_reply_err(req, ENOENT);
	else if (dc == NAMES_INVALID && (sc == NAMES_HELPER || sc == NAMES_POLICY))
		fuse_reply_err(req, -change_rename_refused(fs, p, name, sc, np, newname));
	else if (sc == NAMES_HELPER)
		change_rename_helper(fs, req, p, name, np, newname, dc, noreplace);
	else if (sc == NAMES_POLICY && dc == NAMES_HELPER)
		change_rename_away(fs, req, p, name, np, newname, noreplace);
	else if (sc == NAMES_POLICY && dc == NAMES_POLICY)
		change_rename_policy(fs, req, p, name, np, newname, noreplace);
	else
		fuse_reply_err(req, EPERM);
}

/* The attributes of n now (with uncommitted edits), for a setattr reply. */
static void change_reply_attr(struct fs *fs, fuse_req_t req, struct inode_node *n)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct fs_ident id;
	struct stat st;
	int r;

	attr_ident(n, &id);
	r = attr_of(fs, v, &id, n->ino, false, &st, NULL);
	cache_view_put(v);
	r = attr_pending(fs, n, r, &st);
	if (r == FS_DEFER)
		r = -EAGAIN;
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, attr_timeout(fs, n->kind));
}

/* truncate(2) by path, no open: a save of the document cut (or zero-filled) to
 * size, based on that same document (a revalidation landing meanwhile is then a
 * conflict, not a silent overwrite). */
static void change_truncate_path(struct fs *fs, fuse_req_t req, struct inode_node *n, off_t size)
{
	struct cache_doc *d = NULL;
	struct edit_bytes b;
	int r = edit_doc(fs, n, LOOKUP_OPEN_WRITE, &d);

	if (!r && size >= 0 && (size_t)size == d->len) {
		cache_doc_unref(d);
		change_reply_attr(fs, req, n);
		return;
	}
	if (!r)
		r = edit_truncated(d, size, &b);
	cache_doc_unref(d);
	if (r)
		fuse_reply_err(req, -r);
	else
		commit_truncate(fs, req, n, &b);
}

void change_setattr(struct fs *fs, fuse_req_t req, struct inode_node *n, struct stat *attr,
		    int to_set, struct fuse_file_info *fi)
{
	struct fs_open *o = fi ? (struct fs_open *)(uintptr_t)fi->fh : NULL;
	int r;

	if (fs->read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (!edit_kind_savable(n->kind)) {
		/* Times and owner of fixed nodes: accepted and left as they are. */
		if (to_set & (FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_MODE))
			fuse_reply_err(req, EPERM);
		else
			change_reply_attr(fs, req, n);
		return;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (!o) {
			change_truncate_path(fs, req, n, attr->st_size);
			return;
		}
		r = o->writable ? edit_truncate(fs, o, fuse_req_ctx(req)->pid, attr->st_size)
				: -EBADF;
		if (r) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	/* Mode, owner and times of a policy file are IAM's: accepted, not changed
	 * (mtimes move only with content, so editors see no one else's change). */
	change_reply_attr(fs, req, n);
}
