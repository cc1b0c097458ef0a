/*
 * Changes to the tree by name and by attribute: create, mknod, symlink,
 * unlink, rename, setattr (and the refusals of mkdir and link). Policy names
 * commit through commit.h; helper names stay in memory (helperops.h); the
 * fixed parts of the tree are refused with EPERM, everything on a --read-only
 * mount with EROFS.
 */
#ifndef IAMFS_FS_CHANGE_H
#define IAMFS_FS_CHANGE_H

#include "fs/fs.h"

void change_create(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		   struct fuse_file_info *fi);
void change_mknod(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void change_symlink(struct fs *fs, fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name);
void change_unlink(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name);
void change_rename(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags);
/* setattr of a node of the inode table (helpers are helperops'). */
void change_setattr(struct fs *fs, fuse_req_t req, struct inode_node *n, struct stat *attr,
		    int to_set, struct fuse_file_info *fi);

#endif
