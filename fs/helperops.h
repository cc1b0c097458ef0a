/*
 * The FUSE handlers for editor helper files (helper.h): every operation an
 * editor makes on its swap files, probes, backups, locks and temp files, in
 * memory, answered at once on the dispatch thread. Policy files and the
 * renames that join the two worlds are ops.c's.
 */
#ifndef IAMFS_FS_HELPEROPS_H
#define IAMFS_FS_HELPEROPS_H

#include "fs/fs.h"
#include "fs/helper.h"

void helperops_stat(const struct fs *fs, const struct helper_attr *a, struct stat *st);
void helperops_entry(const struct fs *fs, const struct helper_attr *a, struct fuse_entry_param *e);
/* lookup of a helper name: the entry, or a negative entry. */
void helperops_lookup(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name);
void helperops_getattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino);
void helperops_setattr(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set);
void helperops_open(struct fs *fs, fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void helperops_read(struct fs *fs, fuse_req_t req, struct fs_open *o, size_t size, off_t off);
void helperops_write(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *buf, size_t size,
		     off_t off);
/* create (fi set) or mknod (fi NULL) of a regular helper file. */
void helperops_create(struct fs *fs, fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi);
void helperops_symlink(struct fs *fs, fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name);
void helperops_readlink(struct fs *fs, fuse_req_t req, fuse_ino_t ino);

#endif
