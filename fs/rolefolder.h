/*
 * mkdir and rmdir of role folders at the root. mkdir makes a pending role folder
 * (cache_mkdir: kept in the cache folder, nothing sent; writing its trust.json
 * creates the role); rmdir drops a pending one. Both run on the dispatch thread
 * (no network: the pending store's file and fsync only) and reply to req; the
 * kernel's caches are told after the reply.
 */
#ifndef IAMFS_FS_ROLEFOLDER_H
#define IAMFS_FS_ROLEFOLDER_H

#include "fs/fs.h"

/* mkdir name in parent: a pending role folder at the root; EPERM elsewhere, EROFS
 * with --read-only. Replies. */
void rolefolder_mkdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name);
/* rmdir of name in parent when it is a pending role folder: replies (0, ENOTEMPTY
 * while editors' helper files are inside, or the store's errno) and returns true;
 * false without replying for anything else. */
bool rolefolder_rmdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name);

/* rm of name (its kind) in folder p when it is a pending role's role.json: the
 * settings kept for the role are dropped (nothing sent); replies and returns true.
 * False without replying for anything else. */
bool rolefolder_unlink(struct fs *fs, fuse_req_t req, const struct inode_node *p,
		       enum inode_kind kind);

#endif
