/*
 * Removals, FUSE side: rm of policy files and of a role's trust.json and
 * role.json, rmdir of inline/, attached/ and of a role folder. Nothing is
 * removed from IAM unless the mount allows it (--allow-delete): otherwise each
 * answers EPERM, recorded in .iamfs/errors and the log naming the option
 * (--read-only answers EROFS first). With it, rm of inline/X.json and
 * attached/X.json are saves that remove (DeleteRolePolicy, DetachRolePolicy),
 * rm of trust.json and role.json and rmdir of an empty inline/ or attached/ hide
 * the entry locally with no call (so rm -r can reach the role folder), and rmdir
 * of the role folder deletes the role (cache_delete_role). Hidden entries stay
 * hidden (lookups answer ENOENT, listings skip them) until the role is deleted,
 * .iamfs/refresh is written or the mount ends (fs/hidden.h); --dry-run hides nothing.
 */
#ifndef IAMFS_FS_REMOVE_H
#define IAMFS_FS_REMOVE_H

#include <stdbool.h>

#include "fs/fs.h"

/* unlink of name (a policy or fixed entry of kind, not a helper) in folder p of
 * a role that exists. Replies. */
void remove_unlink(struct fs *fs, fuse_req_t req, struct inode_node *p, const char *name,
		   enum inode_kind kind);
/* rmdir of name in parent. Replies (a role's deletion from a saver). */
void remove_rmdir(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name);

#endif
