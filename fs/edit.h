/*
 * Policy files open for writing: the open's own copy of the bytes (the served
 * document, or empty after O_TRUNC or for a new file), edited by write and
 * truncate on the dispatch thread, never sent until a commit (commit.h). The
 * buffer fields are changed under fs->open_lock so stat on a worker sees a
 * whole edit.
 */
#ifndef IAMFS_FS_EDIT_H
#define IAMFS_FS_EDIT_H

#include "cache/lookup.h"
#include "fs/fs.h"

/* True for the node kinds whose files can be saved. */
bool edit_kind_savable(enum inode_kind kind);
/* Whether n is trust.json or role.json of a pending role (cache_role_pending): a
 * file a write creates (the role, or its settings kept until then). */
bool edit_pending_file(struct fs *fs, const struct inode_node *n);
/* The current view's document of savable node n (+1 ref) for use (OPEN_WRITE or
 * RENAME): 0, or lookup_errno's answer (cache/lookup.h), -EACCES for other kinds. */
int edit_doc(struct fs *fs, const struct inode_node *n, enum lookup_use use,
	     struct cache_doc **out);
/* Bytes for a save and the generation of the document they were made from (the
 * save's conflict base: taken with the bytes, never looked up again). */
struct edit_bytes {
	char *bytes; /* malloc'ed; whoever takes the struct frees it */
	size_t len;
	unsigned long long base_gen;
};
/* d's bytes cut, or zero-filled, to size, based on d: 0, -EFBIG (past
 * FS_POLICY_MAX or negative), -ENOMEM; out is written only on success. Pure. */
int edit_truncated(const struct cache_doc *d, off_t size, struct edit_bytes *out);
/* The generation a save of n is based on: the document this mount last served or
 * saved under that name (a change in IAM since is a conflict), else d's. */
unsigned long long edit_base_gen(struct fs *fs, const struct inode_node *n,
				 const struct cache_doc *d);
/* Sets o up for writing node n (opened with flags, or made by CREATE when
 * create): 0, -EACCES (role.json, AWS managed), -ENOENT, -ENOMEM. */
int edit_open(struct fs *fs, struct inode_node *n, int flags, bool create, struct fs_open *o);
/* write(2) into the buffer by thread tid (a request's caller): the bytes taken, or
 * -errno (EFBIG past FS_POLICY_MAX). */
int edit_write(struct fs *fs, struct fs_open *o, pid_t tid, const char *p, size_t n, off_t off);
/* ftruncate(2) of the buffer by thread tid. */
int edit_truncate(struct fs *fs, struct fs_open *o, pid_t tid, off_t size);
/* Whether the process of thread tid wrote to or truncated o since its last commit
 * (true also when more processes did than o tells apart). Dispatch thread only. */
bool edit_by(struct fs *fs, struct fs_open *o, pid_t tid);
/* Replies to a read from the buffer. */
void edit_read(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off);

#endif
