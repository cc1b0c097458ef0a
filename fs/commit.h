/*
 * The commit of a save, FUSE side: a close or fsync of a policy file holding
 * edits, a rename onto a policy file's name, an rm of an inline policy. Each
 * runs one cache call on a saver thread (the dispatch thread never waits on
 * IAM), replies with its errno, and only then lets the kernel's caches be
 * invalidated (the notify capture), so a rename never deadlocks on its folder.
 */
#ifndef IAMFS_FS_COMMIT_H
#define IAMFS_FS_COMMIT_H

#include "fs/fs.h"

/* flush/fsync of o (why: "close", "fsync"): replies 0 at once when o holds no
 * edit since its last commit, else commits its bytes and replies the outcome. */
void commit_open(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *why);
/* Saves bytes (taken, malloc'ed) as the policy file node target. When it worked
 * and hino is a helper's number, that helper leaves its folder and stands for
 * target (a rename of the helper onto target). Replies with the outcome. */
void commit_bytes(struct fs *fs, fuse_req_t req, struct inode_node *target, char *bytes, size_t len,
		  uint64_t hino, const char *why);
/* truncate(2) by path of policy file n with no open: saves bytes (taken) and
 * answers the setattr with the new attributes. */
void commit_truncate(struct fs *fs, fuse_req_t req, struct inode_node *n, char *bytes, size_t len);
/* rm of the inline policy file n: DeleteRolePolicy. Replies with the outcome. */
void commit_delete(struct fs *fs, fuse_req_t req, struct inode_node *n);

#endif
