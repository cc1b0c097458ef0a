/*
 * What a name inside a role folder (or its inline/ and attached/) stands for:
 * a fixed part of the tree, a policy file, or an editor helper file (anything
 * else: vim swap files and 4913, "~" backups, emacs "#autosave#" and ".#lock",
 * sed and rsync temp files, *.tmp), or, in inline/ and attached/, a name that
 * looks like a policy file but that IAM cannot accept. Pure: no I/O, no globals.
 */
#ifndef IAMFS_FS_NAMES_H
#define IAMFS_FS_NAMES_H

#include "fs/inode.h"

enum names_class {
	NAMES_NONE,    /* the parent holds no such files (root, .iamfs) */
	NAMES_FIXED,   /* role.json, inline/, attached/: never created or moved; only
			  hidden by rm with --allow-delete (fs/remove.c) */
	NAMES_POLICY,  /* trust.json, inline/X.json, attached/X.json */
	NAMES_HELPER,  /* an editor's helper file: in memory only */
	NAMES_INVALID, /* inline/, attached/: looks like a policy file (*.json in any case,
			  not hidden) but IAM cannot take the name: refused (EINVAL) */
};

/* The class of name in a folder of kind parent; *kind gets the node kind for
 * FIXED and POLICY. */
enum names_class names_class(enum inode_kind parent, const char *name, enum inode_kind *kind);
/* True for the folders that may hold helper files. */
bool names_holds_helpers(enum inode_kind parent);
/* A word for the log saying which program's helper name looks like (for
 * messages only): "vim swap file", "emacs lock", "backup", ..., "helper file". */
const char *names_helper_kind(const char *name);

#endif
