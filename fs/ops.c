/*
 * The FUSE low-level handlers over the cache's current view. Every handler
 * runs on the one dispatch thread, or on a worker when a document must be
 * fetched first (the same function, called again with on_worker set). Node
 * identity comes from the inode table; existence, sizes and bytes from the
 * view. Writes to policy files are buffered per open (edit.h) and committed
 * by close, fsync or a rename onto the name (commit.h); every other name in a
 * role folder is an editor helper file, in memory only (helperops.h).
 */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fs/change.h"
#include "fs/commit.h"
#include "fs/edit.h"
#include "fs/helperops.h"
#include "fs/log.h"
#include "fs/names.h"
#include "fs/notify.h"
#include "fs/workers.h"

#define OPS_ALIAS_HOPS 16 /* renames followed by ops_alias */

enum ops_job_op { OPS_JOB_LOOKUP, OPS_JOB_GETATTR, OPS_JOB_OPEN, OPS_JOB_READ };

struct ops_job {
	struct fs *fs;
	enum ops_job_op op;
	fuse_req_t req;
	fuse_ino_t ino;
	char name[INODE_NAME_MAX + 1];
	struct fuse_file_info fi;
	size_t size;
	off_t off;
};

static void ops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		       bool on_worker);
static void ops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, bool on_worker);
static void ops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     bool on_worker);
/* The document node n serves now (+1 ref), or NULL when it needs a fetch or is gone. */
static struct cache_doc *ops_current_doc(struct fs *fs, const struct inode_node *n)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct cache_doc *d = NULL;
	struct fs_ident id;
	struct stat st;

	attr_ident(n, &id);
	if (attr_of(fs, v, &id, n->ino, false, &st, &d))
		d = NULL;
	cache_view_put(v);
	return d;
}

static void ops_read(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi, bool on_worker);

static void ops_job_run(void *arg)
{
	struct ops_job *j = arg;

	switch (j->op) {
	case OPS_JOB_LOOKUP:
		ops_lookup(j->fs, j->req, j->ino, j->name, true);
		break;
	case OPS_JOB_GETATTR:
		ops_getattr(j->fs, j->req, j->ino, true);
		break;
	case OPS_JOB_OPEN:
		ops_open(j->fs, j->req, j->ino, &j->fi, true);
		break;
	case OPS_JOB_READ:
		ops_read(j->fs, j->req, j->ino, j->size, j->off, &j->fi, true);
		break;
	}
	free(j);
}

/* Hands the request to a worker; replies with the error itself when it cannot. */
static void ops_defer(struct fs *fs, fuse_req_t req, const struct ops_job *tmpl)
{
	struct ops_job *j = malloc(sizeof(*j));

	if (j) {
		*j = *tmpl;
		j->fs = fs;
		j->req = req;
	}
	workers_hand(fs->workers, req, ops_job_run, j, NULL);
}

static void ops_reply_negative(struct fs *fs, fuse_req_t req)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.entry_timeout = fs->ttl;
	fuse_reply_entry(req, &e);
}

/* The number a request on ino acts on, following renames: a helper renamed onto a
 * policy file stands for that file, and a policy file renamed onto another name
 * stands for what holds that name now (the kernel shows the old number there until
 * its entry is invalidated). helper: the answer is a helper's number. Each hop
 * leads to a number made or indexed later than the last, so chains are short. */
static fuse_ino_t ops_alias(struct fs *fs, fuse_ino_t ino, bool *helper)
{
	struct helper_attr a;
	fuse_ino_t to;

	*helper = false;
	for (int hops = 0; hops < OPS_ALIAS_HOPS; hops++) {
		if (!helper_is_ino(ino)) {
			to = inode_table_moved(fs->inodes, ino);
		} else if (!helper_getattr(fs->helpers, ino, &a) && a.alias) {
			to = a.alias;
		} else {
			*helper = true;
			return ino;
		}
		if (to == ino)
			break;
		ino = to;
	}
	return ino;
}

static void ops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		       bool on_worker)
{
	struct inode_node *p = inode_table_get(fs->inodes, parent), *n;
	char policy[INODE_POLICY_NAME_MAX + 1];
	struct fuse_entry_param e;
	struct fs_ident id;
	struct cache_view *v;
	const char *pol;
	size_t plen;
	int r;

	cache_touch(fs->cache);
	if (!p || !inode_kind_is_dir(p->kind)) {
		fuse_reply_err(req, p ? ENOTDIR : ENOENT);
		return;
	}
	if (names_class(p->kind, name, &id.kind) == NAMES_HELPER) {
		helperops_lookup(fs, req, parent, name);
		return;
	}
	if (inode_classify(p->kind, name, &id.kind, &pol, &plen) || plen > INODE_POLICY_NAME_MAX) {
		ops_reply_negative(fs, req);
		return;
	}
	memcpy(policy, pol ? pol : "", plen);
	policy[plen] = '\0';
	id.role = id.kind == INODE_ROLE ? name : p->role;
	id.policy = pol ? policy : NULL;
	memset(&e, 0, sizeof(e));
	v = cache_view_get(fs->cache);
	/* Existence is checked before a node is made, so junk names make no nodes. */
	r = attr_of(fs, v, &id, 0, on_worker, &e.attr, NULL);
	cache_view_put(v);
	if (r == FS_DEFER) {
		struct ops_job j = {.op = OPS_JOB_LOOKUP, .ino = parent};

		snprintf(j.name, sizeof(j.name), "%s", name);
		ops_defer(fs, req, &j);
		return;
	}
	if (r == -ENOENT)
		r = attr_pending(fs, inode_table_find(fs->inodes, parent, name), r, &e.attr);
	if (r == -ENOENT) {
		ops_reply_negative(fs, req);
		return;
	}
	if (!r)
		r = inode_table_child(fs->inodes, parent, name, &n);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	e.ino = n->ino;
	e.attr.st_ino = n->ino;
	e.attr_timeout = attr_timeout(fs, n->kind);
	e.entry_timeout = attr_timeout(fs, n->kind);
	inode_table_ref(fs->inodes, n);
	if (fuse_reply_entry(req, &e))
		inode_table_forget(fs->inodes, n->ino, 1);
}

static void ops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, bool on_worker)
{
	struct inode_node *n;
	struct cache_view *v;
	struct fs_ident id;
	struct stat st;
	bool helper;
	fuse_ino_t real = ops_alias(fs, ino, &helper);
	int r;

	if (helper) {
		helperops_getattr(fs, req, ino);
		return;
	}
	n = inode_table_get(fs->inodes, real);
	cache_touch(fs->cache);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	attr_ident(n, &id);
	v = cache_view_get(fs->cache);
	r = attr_of(fs, v, &id, ino, on_worker, &st, NULL);
	cache_view_put(v);
	r = attr_pending(fs, n, r, &st);
	if (r == FS_DEFER) {
		struct ops_job j = {.op = OPS_JOB_GETATTR, .ino = ino};

		ops_defer(fs, req, &j);
	} else if (r) {
		fuse_reply_err(req, -r);
	} else {
		fuse_reply_attr(req, &st, attr_timeout(fs, n->kind));
	}
}

/* Opens a policy file for reading: the document it serves now, keep_cache when
 * the kernel's pages already hold exactly these bytes. */
static int ops_open_policy(struct fs *fs, struct inode_node *n, struct fuse_file_info *fi,
			   bool on_worker, struct fs_open *o)
{
	struct cache_view *v = cache_view_get(fs->cache);
	struct fs_ident id;
	struct stat st;
	int r;

	attr_ident(n, &id);
	r = attr_of(fs, v, &id, n->ino, on_worker, &st, &o->doc);
	cache_view_put(v);
	if (r)
		return r;
	fi->keep_cache = inode_table_serve(fs->inodes, n, o->doc->gen);
	fi->noflush = 1;
	return 0;
}

static int ops_open_kind(struct fs *fs, struct inode_node *n, struct fuse_file_info *fi,
			 bool writing, bool on_worker, struct fs_open *o)
{
	if (n->kind >= INODE_CTL_DIR)
		return control_open(fs, n, fi->flags, o);
	if (writing)
		return edit_open(fs, n, fi->flags, false, o);
	return ops_open_policy(fs, n, fi, on_worker, o);
}

static void ops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     bool on_worker)
{
	struct inode_node *n;
	bool writing = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
	struct fs_open *o;
	bool helper;
	int r;

	ino = ops_alias(fs, ino, &helper);
	if (helper) {
		helperops_open(fs, req, ino, fi);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	cache_touch(fs->cache);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (inode_kind_is_dir(n->kind)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (writing && n->kind < INODE_CTL_DIR && !edit_kind_savable(n->kind)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->node = n;
	o->flags = fi->flags;
	o->refs = 1;
	r = ops_open_kind(fs, n, fi, writing, on_worker, o);
	if (r == FS_DEFER) {
		struct ops_job j = {.op = OPS_JOB_OPEN, .ino = ino, .fi = *fi};

		fs_open_free(o);
		ops_defer(fs, req, &j);
		return;
	}
	if (r) {
		fs_open_free(o);
		fuse_reply_err(req, -r);
		return;
	}
	if (n->kind >= INODE_CTL_DIR)
		fi->direct_io = 1;
	if (writing)
		fi->keep_cache = 0;
	else
		fi->noflush = 1;
	fi->fh = (uint64_t)(uintptr_t)o;
	fs_open_add(fs, o);
	if (fuse_reply_open(req, fi)) {
		fs_open_remove(fs, o);
		fs_open_free(o);
	}
}

static void ops_reply_bytes(fuse_req_t req, const char *data, size_t len, size_t size, off_t off)
{
	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > len - (size_t)off)
		size = len - (size_t)off;
	fuse_reply_buf(req, data + off, size);
}

/* A read through an open: a helper, a writer's buffer, a policy file's bytes now,
 * or a control file's snapshot. */
static void ops_read_open(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off)
{
	struct cache_doc *d;

	if (!o->node) {
		helperops_read(fs, req, o, size, off);
	} else if (o->writable) {
		edit_read(fs, req, o, size, off);
	} else if (o->doc && o->node->kind < INODE_CTL_DIR) {
		/* A reader open since before a save reads what the file holds now. */
		d = ops_current_doc(fs, o->node);
		ops_reply_bytes(req, d ? d->bytes : o->doc->bytes, d ? d->len : o->doc->len, size,
				off);
		cache_doc_unref(d);
	} else if (o->doc) {
		ops_reply_bytes(req, o->doc->bytes, o->doc->len, size, off);
	} else {
		ops_reply_bytes(req, o->data, o->len, size, off);
	}
}

static void ops_read(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi, bool on_worker)
{
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct inode_node *n;
	struct cache_view *v;
	struct cache_doc *d = NULL;
	struct fs_ident id;
	struct stat st;
	int r;

	cache_touch(fs->cache);
	if (o) {
		ops_read_open(fs, req, o, size, off);
		return;
	}
	/* Opened without an OPEN round trip (--read-only): serve the current bytes. */
	n = inode_table_get(fs->inodes, ino);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (n->kind >= INODE_CTL_DIR) {
		control_read(fs, req, n, size, off);
		return;
	}
	attr_ident(n, &id);
	v = cache_view_get(fs->cache);
	r = attr_of(fs, v, &id, ino, on_worker, &st, &d);
	cache_view_put(v);
	if (r == FS_DEFER) {
		struct ops_job j = {
			.op = OPS_JOB_READ, .ino = ino, .fi = *fi, .size = size, .off = off};

		ops_defer(fs, req, &j);
		return;
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	inode_table_serve(fs->inodes, n, d->gen);
	ops_reply_bytes(req, d->bytes, d->len, size, off);
	cache_doc_unref(d);
}

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
		return control_rejected_entry(fs, i, buf, buflen) ? NULL : buf;
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
		r = plus ? attr_of(fs, v, &id, c->ino, false, &e.attr, NULL) : FS_DEFER;
		if (r < 0)
			return r;
		if (r == FS_DEFER) {
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
static void ops_readdir(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			bool plus)
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

/* The handlers libfuse calls, on the dispatch thread. */

static void ops_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	ops_lookup(fuse_req_userdata(req), req, parent, name, false);
}

static void ops_ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs *fs = fuse_req_userdata(req);

	if (helper_is_ino(ino))
		helper_forget(fs->helpers, ino, nlookup);
	else
		inode_table_forget(fs->inodes, ino, nlookup);
	fuse_reply_none(req);
}

static void ops_ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fs *fs = fuse_req_userdata(req);

	for (size_t i = 0; i < count; i++) {
		if (helper_is_ino(forgets[i].ino))
			helper_forget(fs->helpers, forgets[i].ino, forgets[i].nlookup);
		else
			inode_table_forget(fs->inodes, forgets[i].ino, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void ops_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	ops_getattr(fuse_req_userdata(req), req, ino, false);
}

/* Truncating .iamfs/refresh (echo x > refresh) is accepted; policy files and
 * helpers have their own rules. */
static void ops_ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			   struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct inode_node *n;
	struct stat st;
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper) {
		helperops_setattr(fs, req, ino, attr, to_set);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	if (n && n->kind == INODE_CTL_REFRESH) {
		control_stat(fs, n, &st);
		fuse_reply_attr(req, &st, fs->ttl);
		return;
	}
	if (!n)
		fuse_reply_err(req, ENOENT);
	else if (n->kind >= INODE_CTL_DIR)
		fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
	else
		change_setattr(fs, req, n, attr, to_set, fi);
}

static void ops_ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, ENOSYS);
}

static void ops_ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	ops_readdir(fuse_req_userdata(req), req, ino, size, off, false);
}

static void ops_ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			       struct fuse_file_info *fi)
{
	ops_readdir(fuse_req_userdata(req), req, ino, size, off, true);
}

static void ops_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);

	/* --read-only: no OPEN round trips at all; reads are served by inode. */
	if (fs->read_only) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	ops_open(fs, req, ino, fi, false);
}

static void ops_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	ops_read(fuse_req_userdata(req), req, ino, size, off, fi, false);
}

static void ops_ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct inode_node *n;
	int r;

	if (o && !o->node) {
		helperops_write(fs, req, o, buf, size, off);
		return;
	}
	if (o && o->writable && !fs->read_only) {
		r = edit_write(fs, o, fuse_req_ctx(req)->pid, buf, size, off);
		if (r < 0)
			fuse_reply_err(req, -r);
		else
			fuse_reply_write(req, (size_t)r);
		return;
	}
	n = inode_table_get(fs->inodes, ino);
	if (n && n->kind == INODE_CTL_REFRESH) {
		control_write_refresh(fs, req, size);
		return;
	}
	fuse_reply_err(req, !n ? ENOENT : fs->read_only ? EROFS : EBADF);
}

static void ops_ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	/* Nothing is ever saved on a read-only mount: ENOSYS stops FLUSH for good. */
	if (fs->read_only)
		fuse_reply_err(req, ENOSYS);
	else if (o && o->writable)
		commit_flush(fs, req, o);
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;
	struct notify_action a = {.entry = true};
	bool gone = false;

	if (o && o->writable) {
		pthread_mutex_lock(&fs->open_lock);
		gone = o->created;
		pthread_mutex_unlock(&fs->open_lock);
	}
	if (gone) {
		/* A created file closed without a write was never saved: it is not there. */
		a.ino = o->node->parent;
		snprintf(a.name, sizeof(a.name), "%s", o->node->name);
	}
	/* Edits no close committed are saved now; that commit answers the release. */
	if (!(o && o->writable && !fs->read_only && commit_release(fs, req, o)))
		fuse_reply_err(req, 0);
	if (o)
		fs_open_put(fs, o);
	if (gone)
		notify_queue_action(fs->notify, &a);
}

static void ops_ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_open *o = (struct fs_open *)(uintptr_t)fi->fh;

	if (o && o->writable && !fs->read_only)
		commit_open(fs, req, o, "fsync");
	else
		fuse_reply_err(req, 0);
}

static void ops_ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fuse_req_userdata(req);
	size_t nodes = inode_table_count(fs->inodes);
	struct statvfs sv;

	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_blocks = nodes;
	sv.f_files = nodes;
	if (!fs->read_only) {
		/* Room for editors' helper files, so tools that check free space go on. */
		size_t used = helper_total(fs->helpers) / 4096;

		sv.f_blocks = nodes + HELPER_TOTAL_MAX / 4096;
		sv.f_bfree = HELPER_TOTAL_MAX / 4096 - used;
		sv.f_bavail = sv.f_bfree;
		sv.f_files = nodes + HELPER_TOTAL_MAX / 4096;
		sv.f_ffree = HELPER_TOTAL_MAX / 4096;
		sv.f_favail = sv.f_ffree;
	}
	sv.f_namemax = INODE_NAME_MAX;
	if (fs->read_only)
		sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

static void ops_ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	change_unlink(fuse_req_userdata(req), req, parent, name);
}

static void ops_ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);

	fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fs *fs = fuse_req_userdata(req);

	fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 dev_t rdev)
{
	change_mknod(fuse_req_userdata(req), req, parent, name, mode);
}

static void ops_ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			  struct fuse_file_info *fi)
{
	change_create(fuse_req_userdata(req), req, parent, name, mode, fi);
}

static void ops_ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
			  const char *newname, unsigned int flags)
{
	change_rename(fuse_req_userdata(req), req, parent, name, newparent, newname, flags);
}

static void ops_ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	change_symlink(fuse_req_userdata(req), req, link, parent, name);
}

static void ops_ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fs *fs = fuse_req_userdata(req);

	fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_readlink(fs, req, ino);
	else
		fuse_reply_err(req, EINVAL);
}

/* Extended attributes live on helper files only (in memory); the account's
 * files have none and take none. */
static void ops_ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			    size_t size, int flags)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_setxattr(fs, req, ino, name, value, size, flags);
	else
		fuse_reply_err(req, fs->read_only ? EROFS : EPERM);
}

static void ops_ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	/* A read-only mount has no helper files, so no attribute anywhere: ENOSYS
	 * makes the kernel stop asking (ls -l asks once per file for ACLs). */
	if (fs->read_only) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_getxattr(fs, req, ino, name, size);
	else
		fuse_reply_err(req, ENODATA);
}

static void ops_ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_listxattr(fs, req, ino, size);
	else if (!size)
		fuse_reply_xattr(req, 0);
	else
		fuse_reply_buf(req, NULL, 0);
}

static void ops_ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);
	bool helper;

	ino = ops_alias(fs, ino, &helper);
	if (helper)
		helperops_removexattr(fs, req, ino, name);
	else
		fuse_reply_err(req, fs->read_only ? EROFS : ENODATA);
}

static void ops_ll_init(void *userdata, struct fuse_conn_info *conn)
{
	if (conn->capable & FUSE_CAP_READDIRPLUS) {
		conn->want |= FUSE_CAP_READDIRPLUS;
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	}
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/* Without OPEN round trips an O_TRUNC would otherwise never reach us. */
	if (((struct fs *)userdata)->read_only)
		conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
}

void ops_init(struct fuse_lowlevel_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->init = ops_ll_init;
	ops->lookup = ops_ll_lookup;
	ops->forget = ops_ll_forget;
	ops->forget_multi = ops_ll_forget_multi;
	ops->getattr = ops_ll_getattr;
	ops->setattr = ops_ll_setattr;
	ops->opendir = ops_ll_opendir;
	ops->readdir = ops_ll_readdir;
	ops->readdirplus = ops_ll_readdirplus;
	ops->open = ops_ll_open;
	ops->read = ops_ll_read;
	ops->write = ops_ll_write;
	ops->flush = ops_ll_flush;
	ops->release = ops_ll_release;
	ops->fsync = ops_ll_fsync;
	ops->statfs = ops_ll_statfs;
	ops->unlink = ops_ll_unlink;
	ops->rmdir = ops_ll_rmdir;
	ops->mkdir = ops_ll_mkdir;
	ops->mknod = ops_ll_mknod;
	ops->create = ops_ll_create;
	ops->rename = ops_ll_rename;
	ops->symlink = ops_ll_symlink;
	ops->link = ops_ll_link;
	ops->readlink = ops_ll_readlink;
	ops->setxattr = ops_ll_setxattr;
	ops->getxattr = ops_ll_getxattr;
	ops->listxattr = ops_ll_listxattr;
	ops->removexattr = ops_ll_removexattr;
}
