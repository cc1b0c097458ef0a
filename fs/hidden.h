/*
 * The fixed entries of role folders that rm hid locally, with no call (with
 * --allow-delete, rm -r takes trust.json, role.json and the emptied inline/ and
 * attached/ away so it can reach rmdir of the role; see remove.h). A hidden entry
 * is absent from lookups and listings until the role is deleted, a refresh shows
 * everything again, or the mount ends. Thread-safe (fs->hide_lock).
 */
#ifndef IAMFS_FS_HIDDEN_H
#define IAMFS_FS_HIDDEN_H

#include <stdbool.h>

#include "fs/fs.h"

/* Whether role's entry of kind (TRUST, ROLE_JSON, INLINE_DIR, ATTACHED_DIR) is hidden. */
bool hidden_has(struct fs *fs, const char *role, enum inode_kind kind);
/* Hides role's entry of kind. 0 or -ENOMEM. */
int hidden_add(struct fs *fs, const char *role, enum inode_kind kind);
/* The role is gone (or back): its entries are no longer hidden. */
void hidden_forget(struct fs *fs, const char *role);
/* Tells the kernel to look at role's folder again (its listing and entries). */
void hidden_show_again(struct fs *fs, const char *role);
/* Shows every hidden entry again (a refresh) and tells the kernel. */
void hidden_unhide_all(struct fs *fs);

#endif
