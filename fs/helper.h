/*
 * Editor helper files: every name inside a role folder (and its inline/ and
 * attached/) that is not a policy file - vim swap files and its 4913 probe,
 * backups ending in "~", emacs autosaves and lock symlinks, sed/rsync temp
 * files. They live in this table only, in memory, are never sent to IAM and
 * vanish at unmount. Numbers start at HELPER_INO_BASE past the table's base
 * (an account's range in a mount of several) so they never meet the inode
 * table's. A helper keeps its number across renames; an unlinked helper
 * lives until the kernel forgets it. Thread-safe (one lock, no I/O).
 */
#ifndef IAMFS_FS_HELPER_H
#define IAMFS_FS_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HELPER_INO_BASE	 (1ull << 39) /* inside each (1 << 40)-wide range */
#define HELPER_INO_RANGE (1ull << 40)
#define HELPER_FILE_MAX	 (64u << 20)  /* bytes of one helper */
#define HELPER_TOTAL_MAX (256u << 20) /* bytes of all helpers: ENOSPC past it */

struct helper_table;

/* What stat shows of a helper. alias: the inode number of the policy file this
 * helper was committed into by a rename (it then stands for that file), else 0. */
struct helper_attr {
	uint64_t ino;
	mode_t mode; /* S_IFREG or S_IFLNK and permission bits */
	uid_t uid;
	gid_t gid;
	size_t size;
	struct timespec atime, mtime, ctime;
	uint64_t alias;
};

/* A table whose helpers may hold HELPER_TOTAL_MAX bytes of content in all;
 * _capped: cap bytes. */
int helper_table_new(struct helper_table **out);
int helper_table_new_capped(size_t cap, struct helper_table **out);
/* helper_table_new for the range starting at base (a multiple of HELPER_INO_RANGE). */
int helper_table_new_at(uint64_t base, struct helper_table **out);
/* Frees every helper. NULL-safe. */
void helper_table_free(struct helper_table *t);
bool helper_is_ino(uint64_t ino);

/* The linked helper (parent, name): its attributes; with ref, one kernel lookup
 * is counted. -ENOENT. */
int helper_lookup(struct helper_table *t, uint64_t parent, const char *name, bool ref,
		  struct helper_attr *out);
/* Makes helper (parent, name) holding a copy of len bytes (a symlink's target for
 * S_IFLNK), counted as one kernel lookup when ref. An existing helper of that name
 * is replaced (excl: -EEXIST instead). -ENAMETOOLONG, -EFBIG, -ENOMEM. */
int helper_create(struct helper_table *t, uint64_t parent, const char *name, mode_t mode, uid_t uid,
		  gid_t gid, const void *bytes, size_t len, bool excl, bool ref,
		  struct helper_attr *out);
int helper_getattr(struct helper_table *t, uint64_t ino, struct helper_attr *out);
/* chmod/chown/truncate/utimens of struct stat fields selected by FUSE_SET_ATTR_* bits. */
int helper_setattr(struct helper_table *t, uint64_t ino, const struct stat *st, int to_set,
		   struct helper_attr *out);
/* Copies at most size bytes from off into dst; *n is how many. */
int helper_read(struct helper_table *t, uint64_t ino, off_t off, size_t size, char *dst, size_t *n);
int helper_write(struct helper_table *t, uint64_t ino, off_t off, const void *p, size_t n);
/* A malloc'ed copy of helper (parent, name)'s bytes (caller frees) and its number. */
int helper_copy(struct helper_table *t, uint64_t parent, const char *name, char **bytes,
		size_t *len, uint64_t *ino);

int helper_unlink(struct helper_table *t, uint64_t parent, const char *name);
/* Moves helper (parent, name) to (newparent, newname), replacing a helper there.
 * -EEXIST when noreplace and the target exists. */
int helper_rename(struct helper_table *t, uint64_t parent, const char *name, uint64_t newparent,
		  const char *newname, bool noreplace);
/* After a rename onto a policy file committed: the helper leaves its folder and
 * from now on stands for the policy file numbered alias. */
void helper_detach(struct helper_table *t, uint64_t ino, uint64_t alias);
/* The name of the i-th linked helper of parent (into name, cap bytes) and its
 * attributes; -ENOENT past the end. */
int helper_list(struct helper_table *t, uint64_t parent, size_t i, char *name, size_t cap,
		struct helper_attr *out);
/* Helpers looked at by helper_list since the table was made: listing a folder
 * entry by entry costs about one look per helper of the table, not one per entry
 * before it. */
unsigned long long helper_list_cost(struct helper_table *t);

void helper_ref(struct helper_table *t, uint64_t ino);
void helper_forget(struct helper_table *t, uint64_t ino, uint64_t nlookup);

/* Bytes held by all helpers (for statfs). */
size_t helper_total(struct helper_table *t);

#endif
