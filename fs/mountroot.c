/*
 * The mount root of a mount of several accounts (range 0): its listing (the
 * account folders and .iamfs/), MOUNT/.iamfs/ and MOUNT/.iamfs/accounts (one
 * line per account: id, name, folder, state, time of the last load, why it is
 * denied; regenerated at each stat and open like an account's .iamfs/status).
 * Nothing here opens an account: an account folder's attributes are its fixed
 * ones. The root holds accounts only: every change in it is refused.
 */
#include "fs/router.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#define MOUNTROOT_TEXT_MAX (4u << 20)

static const char *const mountroot_states[] = {
	[ACCOUNT_NOT_LOADED] = "not loaded", [ACCOUNT_LOADING] = "loading",
	[ACCOUNT_ONLINE] = "online",	     [ACCOUNT_OFFLINE] = "offline",
	[ACCOUNT_DENIED] = "denied",
};

/* What an open of .iamfs/accounts serves (fi->fh). */
struct mountroot_open {
	struct buf text;
};

struct account *mountroot_find(struct router *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		if (!strcmp(r->accounts[i]->folder, name))
			return r->accounts[i];
	}
	return NULL;
}

/* s with tabs and line breaks made spaces, into out. */
static void mountroot_field(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; s && *s && o + 1 < cap; s++)
		out[o++] = (unsigned char)*s < 0x20 ? ' ' : *s;
	out[o] = '\0';
}

static int mountroot_line(struct account *a, struct buf *out)
{
	char when[32] = "-", name[256], why[sizeof(a->why)], id[sizeof(a->id)];
	long long last = 0;
	enum account_state s = router_account_state(a, &last, why, sizeof(why));
	struct tm tm;
	time_t t = (time_t)last;

	if (last && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&a->lock);
	snprintf(id, sizeof(id), "%s", a->id[0] ? a->id : "-");
	pthread_mutex_unlock(&a->lock);
	mountroot_field(a->name, name, sizeof(name));
	mountroot_field(why, why, sizeof(why));
	return buf_printf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", id, name, a->folder, mountroot_states[s],
			  when, s == ACCOUNT_ONLINE ? "" : why);
}

int accounts_text(struct router *r, struct buf *out)
{
	int rc = buf_puts(out, "id\tname\tfolder\tstate\tlast load\twhy\n");

	for (size_t i = 0; i < r->n && !rc; i++)
		rc = mountroot_line(r->accounts[i], out);
	return rc;
}

static void mountroot_stat(struct router *r, fuse_ino_t ino, struct stat *st)
{
	struct buf b;

	if (ino == ROUTER_ROOT_LIST_INO) {
		buf_init(&b, MOUNTROOT_TEXT_MAX);
		fs_stat_base(r->root, ino, S_IFREG | 0444, st);
		if (!accounts_text(r, &b))
			st->st_size = (off_t)b.len;
		buf_cleanup(&b);
		return;
	}
	fs_stat_dir(r->root, ino, ino == ROUTER_ROOT_CTL_INO ? INODE_CTL_DIR : INODE_ROOT, st);
	if (ino == INODE_ROOT_INO)
		st->st_nlink = 3 + (nlink_t)r->n;
}

/* Fills e for name in folder parent: 0, or -ENOENT. An account's folder counts
 * one kernel lookup on its table's root. */
static int mountroot_entry(struct router *r, fuse_ino_t parent, const char *name,
			   struct fuse_entry_param *e)
{
	struct account *a = NULL;
	fuse_ino_t ino = 0;

	memset(e, 0, sizeof(*e));
	if (parent == INODE_ROOT_INO && !strcmp(name, ".iamfs"))
		ino = ROUTER_ROOT_CTL_INO;
	else if (parent == ROUTER_ROOT_CTL_INO && !strcmp(name, "accounts"))
		ino = ROUTER_ROOT_LIST_INO;
	else if (parent == INODE_ROOT_INO && (a = mountroot_find(r, name)))
		ino = inode_table_root(a->fs.inodes);
	if (!ino)
		return -ENOENT;
	if (a) {
		fs_stat_dir(&a->fs, ino, INODE_ROOT, &e->attr);
		inode_table_ref(a->fs.inodes, inode_table_get(a->fs.inodes, ino));
	} else {
		mountroot_stat(r, ino, &e->attr);
	}
	e->ino = ino;
	e->attr_timeout = ino == ROUTER_ROOT_LIST_INO ? 0 : r->root->ttl;
	e->entry_timeout = r->root->ttl;
	return 0;
}

static void mountroot_lookup(struct router *r, fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (parent == ROUTER_ROOT_LIST_INO) {
		fuse_reply_err(req, ENOTDIR);
	} else if (mountroot_entry(r, parent, name, &e)) {
		memset(&e, 0, sizeof(e));
		e.entry_timeout = r->root->ttl;
		fuse_reply_entry(req, &e);
	} else if (fuse_reply_entry(req, &e) && e.ino >> ROUTER_RANGE_SHIFT) {
		inode_table_forget(router_fs_of(r, e.ino)->inodes, e.ino, 1);
	}
}

/* The name of entry i of folder ino ("." and ".." first), or NULL past the end. */
static const char *mountroot_name(struct router *r, fuse_ino_t ino, size_t i)
{
	if (i < 2)
		return i ? ".." : ".";
	i -= 2;
	if (ino == ROUTER_ROOT_CTL_INO)
		return i ? NULL : "accounts";
	if (!i)
		return ".iamfs";
	return i - 1 < r->n ? r->accounts[i - 1]->folder : NULL;
}

/* The number of entry i (past "." and "..") of folder ino. */
static fuse_ino_t mountroot_child(struct router *r, fuse_ino_t ino, size_t i)
{
	if (ino == ROUTER_ROOT_CTL_INO)
		return ROUTER_ROOT_LIST_INO;
	return i == 2 ? ROUTER_ROOT_CTL_INO : inode_table_root(r->accounts[i - 3]->fs.inodes);
}

static void mountroot_readdir(struct router *r, fuse_req_t req, fuse_ino_t ino, size_t size,
			      off_t off, bool plus)
{
	char *buf;
	struct fuse_entry_param e;
	const char *name;
	size_t used = 0, n;

	if (ino == ROUTER_ROOT_LIST_INO) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (!(buf = malloc(size ? size : 1))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = off < 0 ? 0 : (size_t)off; (name = mountroot_name(r, ino, i)); i++) {
		memset(&e, 0, sizeof(e));
		if (i < 2) {
			e.attr.st_ino = ino;
			e.attr.st_mode = S_IFDIR | 0755;
		} else if (!plus) {
			e.attr.st_ino = mountroot_child(r, ino, i);
			e.attr.st_mode = e.attr.st_ino == ROUTER_ROOT_LIST_INO ? S_IFREG : S_IFDIR;
		} else if (mountroot_entry(r, ino, name, &e)) {
			continue;
		}
		n = plus ? fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
						  (off_t)i + 1)
			 : fuse_add_direntry(req, buf + used, size - used, name, &e.attr,
					     (off_t)i + 1);
		if (n > size - used) {
			if (plus && e.ino >> ROUTER_RANGE_SHIFT)
				inode_table_forget(router_fs_of(r, e.ino)->inodes, e.ino, 1);
			break;
		}
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void mountroot_open(struct router *r, fuse_req_t req, fuse_ino_t ino,
			   const struct router_call *c)
{
	struct fuse_file_info fi = c->fi;
	struct mountroot_open *o;

	if (ino != ROUTER_ROOT_LIST_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi.flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, router_read_only(r) ? EROFS : EACCES);
		return;
	}
	if (!(o = calloc(1, sizeof(*o)))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	buf_init(&o->text, MOUNTROOT_TEXT_MAX);
	if (accounts_text(r, &o->text)) {
		buf_cleanup(&o->text);
		free(o);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi.fh = (uint64_t)(uintptr_t)o;
	fi.direct_io = 1;
	if (fuse_reply_open(req, &fi)) {
		buf_cleanup(&o->text);
		free(o);
	}
}

static void mountroot_read(struct router *r, fuse_req_t req, const struct router_call *c)
{
	struct mountroot_open *o = c->has_fi ? (struct mountroot_open *)(uintptr_t)c->fi.fh : NULL;
	struct buf fresh;
	const struct buf *b;
	size_t size = c->size;

	if (c->ino != ROUTER_ROOT_LIST_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	buf_init(&fresh, MOUNTROOT_TEXT_MAX);
	if (!o && accounts_text(r, &fresh)) {
		buf_cleanup(&fresh);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	b = o ? &o->text : &fresh;
	if (c->off < 0 || (size_t)c->off >= b->len)
		size = 0;
	else if (size > b->len - (size_t)c->off)
		size = b->len - (size_t)c->off;
	fuse_reply_buf(req, size ? b->data + c->off : NULL, size);
	buf_cleanup(&fresh);
}

static void mountroot_release(fuse_req_t req, const struct router_call *c)
{
	struct mountroot_open *o = c->has_fi ? (struct mountroot_open *)(uintptr_t)c->fi.fh : NULL;

	if (o) {
		buf_cleanup(&o->text);
		free(o);
	}
	fuse_reply_err(req, 0);
}

static void mountroot_getattr(struct router *r, fuse_req_t req, fuse_ino_t ino)
{
	struct stat st;

	if (ino != INODE_ROOT_INO && ino != ROUTER_ROOT_CTL_INO && ino != ROUTER_ROOT_LIST_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	mountroot_stat(r, ino, &st);
	fuse_reply_attr(req, &st, ino == ROUTER_ROOT_LIST_INO ? 0 : r->root->ttl);
}

void mountroot_request(struct router *r, fuse_req_t req, const struct router_call *c)
{
	switch (c->op) {
	case ROUTER_LOOKUP:
		mountroot_lookup(r, req, c->ino, c->name);
		break;
	case ROUTER_GETATTR:
		mountroot_getattr(r, req, c->ino);
		break;
	case ROUTER_READDIR:
	case ROUTER_READDIRPLUS:
		mountroot_readdir(r, req, c->ino, c->size, c->off, c->op == ROUTER_READDIRPLUS);
		break;
	case ROUTER_OPEN:
		mountroot_open(r, req, c->ino, c);
		break;
	case ROUTER_READ:
		mountroot_read(r, req, c);
		break;
	case ROUTER_RELEASE:
		mountroot_release(req, c);
		break;
	case ROUTER_STATFS: {
		struct statvfs sv;

		memset(&sv, 0, sizeof(sv));
		sv.f_bsize = sv.f_frsize = 4096;
		sv.f_namemax = INODE_NAME_MAX;
		sv.f_flag = router_read_only(r) ? ST_RDONLY : 0;
		fuse_reply_statfs(req, &sv);
		break;
	}
	case ROUTER_READLINK:
		fuse_reply_err(req, EINVAL);
		break;
	default:
		/* Only the flush and fsync of .iamfs/accounts reach here unanswered. */
		if (c->op == ROUTER_OTHER)
			fuse_reply_err(req, 0);
		else
			fuse_reply_err(req, router_read_only(r) ? EROFS : EPERM);
	}
}
