/*
 * The commit of a save, FUSE side: a close or fsync of a policy file holding
 * edits, a rename onto a policy file's name, an rm of an inline policy. Each
 * runs one cache call on a saver thread (the dispatch thread never waits on
 * IAM), replies with its errno, and only then lets the kernel's caches be
 * invalidated (the notify capture), so a rename never deadlocks on its folder.
 */
#ifndef IAMFS_FS_COMMIT_H
#define IAMFS_FS_COMMIT_H

#include "fs/edit.h"
#include "fs/fs.h"

/* flush/fsync of o (why: "close", "fsync"): replies 0 at once when o holds no
 * edit since its last commit, else commits its bytes and replies the outcome. */
void commit_open(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *why);
/* FLUSH, the close of one descriptor of o: commits (commit_open) only when the
 * closing process edited o since its last commit, else replies 0 and the edits wait
 * for their writer's close or fsync, or the last close. A descriptor that a forked
 * child inherited, or a shell's dup2-then-close before the first write, flushes
 * too: such a close saves nothing. A new attached/ file closed empty attaches its
 * policy at its process's last close of it (attach.h). */
void commit_flush(struct fs *fs, fuse_req_t req, struct fs_open *o);
/* RELEASE, the last close of o: when it holds edits no close committed, commits
 * them (recorded like any save; the outcome reaches no caller) and replies to req
 * after; a new attached/ file no close attached is attached the same way.
 * Returns true when it took req, false when the caller replies. */
bool commit_release(struct fs *fs, fuse_req_t req, struct fs_open *o);
/* Saves b (its bytes taken, based on b->base_gen) as the policy file node target: a rename onto
 * target of the file numbered from (a helper's number or a policy node's). When it
 * worked the kernel shows number from under target's name: from then stands for
 * target (a helper leaves its folder; a policy node leaves its name, which gets a
 * new node) before the rename is answered. Replies with the outcome. */
void commit_bytes(struct fs *fs, fuse_req_t req, struct inode_node *target,
		  const struct edit_bytes *b, uint64_t from, const char *why);
/* truncate(2) by path of policy file n with no open: saves b (its bytes taken,
 * based on b->base_gen) and answers the setattr with the new attributes. */
void commit_truncate(struct fs *fs, fuse_req_t req, struct inode_node *n,
		     const struct edit_bytes *b);
/* A new attached/ file o (attach.h) closed with nothing written: attaches the
 * managed policy of its name (a save with no bytes). Replies with the outcome. */
void commit_empty(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *why);
/* ln -s arn as the new attached/ file n: attaches arn (copied); success is
 * answered with n's entry. Replies with the outcome. */
void commit_link(struct fs *fs, fuse_req_t req, struct inode_node *n, const char *arn);
/* rm of the inline policy file n: DeleteRolePolicy. Replies with the outcome. */
void commit_delete(struct fs *fs, fuse_req_t req, struct inode_node *n);

#endif
