/*
 * What the files of ops (ops.c: the handler table; ops_node.c: lookup, getattr
 * and deferral to a worker; ops_file.c: open and read; ops_dir.c: readdir)
 * share. Every function runs on the dispatch thread, or on a worker with
 * on_worker set when a document had to be fetched first; each replies to req.
 */
#ifndef IAMFS_FS_OPS_INT_H
#define IAMFS_FS_OPS_INT_H

#include "fs/fs.h"

/* A request deferred to a worker: again runs its handler there (on_worker set). */
struct ops_job {
	struct fs *fs;
	void (*again)(struct ops_job *j);
	fuse_req_t req;
	fuse_ino_t ino;
	char name[INODE_NAME_MAX + 1];
	struct fuse_file_info fi;
	size_t size;
	off_t off;
};

/* ops_node.c */
/* Hands the request (a copy of tmpl) to a worker; replies with the error when it cannot. */
void ops_defer(struct fs *fs, fuse_req_t req, const struct ops_job *tmpl);
/* A negative entry cached for --ttl. */
void ops_reply_negative(struct fs *fs, fuse_req_t req);
/* The number a request on ino acts on, following renames (helper: it is a helper's). */
fuse_ino_t ops_alias(struct fs *fs, fuse_ino_t ino, bool *helper);
/* The document node n serves now (+1 ref), or NULL when it needs a fetch or is gone. */
struct cache_doc *ops_current_doc(struct fs *fs, const struct inode_node *n);
void ops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, bool on_worker);
void ops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, bool on_worker);
/* ops_file.c */
void ops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	      bool on_worker);
void ops_read(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	      struct fuse_file_info *fi, bool on_worker);
/* ops_dir.c: listings never wait on IAM. */
void ops_readdir(struct fs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus);

#endif
