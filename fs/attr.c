/*
 * Attributes of every node: what a node's identity (kind, role, policy) stands
 * for in a view of the account, its stat (mode, owner, size, mtime, nlink) and
 * its document. Sizes are exact; for an AWS managed document not fetched yet
 * the dispatch thread gets FS_DEFER and a worker fetches it.
 */
#include "fs/fs.h"

#include <errno.h>
#include <string.h>

#include "cache/lookup.h"

#include "fs/edit.h"
#include "fs/log.h"
#include "fs/hidden.h"

static void attr_set_time(struct stat *st, long long t)
{
	st->st_mtim.tv_sec = (time_t)t;
	st->st_mtim.tv_nsec = 0;
	st->st_atim = st->st_mtim;
	st->st_ctim = st->st_mtim;
}

/* The document of an AWS managed policy (+1 ref): fetched here on a worker,
 * FS_DEFER on the dispatch thread when it is not known yet. */
static int attr_managed_doc(struct fs *fs, const char *role, const struct cache_attached *att,
			    bool on_worker, struct cache_doc **out)
{
	struct aws_error err;
	struct cache_doc *d = cache_managed_doc(fs->cache, att->arn);
	int r;

	if (d) {
		*out = d;
		return 0;
	}
	if (!on_worker)
		return FS_DEFER;
	aws_error_clear(&err);
	r = cache_fetch_managed(fs->cache, att->arn, &d, &err);
	if (r) {
		log_msg(LOG_WARNING,
			"reading %s/attached/%s.json: GetPolicy/GetPolicyVersion of %s failed: %s: "
			"%s%s%s%s",
			role, att->name, att->arn, err.code[0] ? err.code : "error", err.message,
			err.request_id[0] ? " (request id " : "", err.request_id,
			err.request_id[0] ? ")" : "");
		return r;
	}
	*out = d;
	return 0;
}

/* The document a policy-file identity serves (+1 ref), -errno, or FS_DEFER;
 * *res: what the lookup found. */
static int attr_doc(struct fs *fs, const struct cache_view *v, const struct fs_ident *id,
		    bool on_worker, struct cache_doc **out, enum lookup_result *res)
{
	enum cache_file_kind kind;
	struct lookup l;
	int r;

	if (!inode_file_kind(id->kind, &kind))
		return -ENOENT;
	*res = lookup_doc(v, id->role, kind, id->policy, &l);
	if (*res == LOOKUP_AWS_MANAGED)
		return attr_managed_doc(fs, id->role, l.att, on_worker, out);
	r = lookup_errno(*res, LOOKUP_STAT);
	if (r)
		return r;
	cache_doc_ref(l.doc);
	*out = l.doc;
	return 0;
}

/* A policy file's mode: the table's, less writing for AWS managed policies and
 * --read-only. */
static mode_t attr_file_mode(const struct fs *fs, enum inode_kind kind, enum lookup_result res)
{
	struct inode_row row;

	inode_row(kind, &row);
	if (res == LOOKUP_AWS_MANAGED || fs->read_only)
		return row.mode & ~(mode_t)0222;
	return row.mode;
}

/* stat of a role-tree node; doc (may be NULL) receives the document (+1 ref). */
static int attr_role_node(struct fs *fs, const struct cache_view *v, const struct cache_role *role,
			  const struct fs_ident *id, uint64_t ino, bool on_worker, struct stat *st,
			  struct cache_doc **doc)
{
	enum lookup_result res = LOOKUP_NO_FILE;
	struct cache_doc *d = NULL;
	int r;

	if (hidden_has(fs, id->role, id->kind))
		return -ENOENT; /* rm hid it (fs/remove.c) */
	if (inode_kind_is_dir(id->kind)) {
		/* A pending role (not in IAM yet) has no inline/ or attached/. */
		if (role->pending && id->kind != INODE_ROLE)
			return -ENOENT;
		fs_stat_dir(fs, ino, id->kind, st);
		if (role->pending)
			st->st_nlink = 2;
		attr_set_time(st, role->mtime);
		return 0;
	}
	r = attr_doc(fs, v, id, on_worker, &d, &res);
	if (r)
		return r;
	fs_stat_base(fs, ino, attr_file_mode(fs, id->kind, res), st);
	st->st_size = (off_t)d->len;
	st->st_blocks = (blkcnt_t)((d->len + 511) / 512);
	attr_set_time(st, d->mtime);
	if (doc)
		*doc = d;
	else
		cache_doc_unref(d);
	return 0;
}

/* stat of any identity against view v: 0, -ENOENT, -errno or FS_DEFER. */
int attr_of(struct fs *fs, struct cache_view *v, const struct fs_ident *id, uint64_t ino,
	    bool on_worker, struct stat *st, struct cache_doc **doc)
{
	const struct cache_role *role;
	struct inode_node tmp;

	switch (id->kind) {
	case INODE_ROOT:
		fs_stat_dir(fs, ino, INODE_ROOT, st);
		st->st_nlink += v->nroles;
		return 0;
	case INODE_CTL_DIR:
	case INODE_CTL_STATUS:
	case INODE_CTL_ERRORS:
	case INODE_CTL_REJECTED:
	case INODE_CTL_REMOVED:
	case INODE_CTL_REFRESH:
		memset(&tmp, 0, sizeof(tmp));
		tmp.ino = ino;
		tmp.kind = id->kind;
		control_stat(fs, &tmp, st);
		return 0;
	case INODE_CTL_REJECTED_FILE:
	case INODE_CTL_REMOVED_FILE:
		return control_kept_stat(fs, id->kind, id->policy, ino, st, doc);
	default:
		break;
	}
	role = id->role ? cache_view_find(v, id->role) : NULL;
	if (!role)
		return -ENOENT;
	return attr_role_node(fs, v, role, id, ino, on_worker, st, doc);
}

/* A policy file's attributes while an open for writing holds edits (or a created
 * file not in IAM yet): the buffer's size and time over the view's. */
int attr_pending(struct fs *fs, const struct inode_node *n, int r, struct stat *st)
{
	struct stat p;

	if (!n || !edit_kind_savable(n->kind) || (r && r != -ENOENT))
		return r;
	memset(&p, 0, sizeof(p));
	if (!fs_open_pending_attr(fs, n, &p))
		return r;
	if (r)
		fs_stat_base(fs, n->ino, S_IFREG | 0644, st);
	st->st_size = p.st_size;
	st->st_blocks = p.st_blocks;
	st->st_mtim = p.st_mtim;
	st->st_ctim = p.st_ctim;
	return 0;
}

void attr_ident(const struct inode_node *n, struct fs_ident *id)
{
	id->kind = n->kind;
	id->role = n->role;
	id->policy = n->policy;
}

double attr_timeout(const struct fs *fs, enum inode_kind kind)
{
	return kind == INODE_CTL_STATUS ? 0.0 : fs->ttl;
}
