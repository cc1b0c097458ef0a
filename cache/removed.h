/*
 * What removals took out of IAM (.iamfs/removed/): before an inline policy is
 * deleted, a managed policy detached or a role deleted, what goes is written as a
 * file under FOLDER/removed/ (0700, files 0600, written whole to a fresh
 * temporary name, fsync'ed, then linked into place, never overwritten), mirrored in
 * memory (the newest REJECTS_FILES_MAX, in a rejects_ring) and read back at open,
 * so a mistake can be put back by hand after a remount too. Never sent anywhere.
 * Names follow rejects_name: "<yyyymmddThhmmssZ>-<role>-<what>" with what e.g.
 * "inline/X.json" written as "inline-X.json".
 */
#ifndef IAMFS_CACHE_REMOVED_H
#define IAMFS_CACHE_REMOVED_H

#include <stddef.h>

#include "cache/rejects.h"

struct removed;

/* Opens the store in folder (NULL or "": none, every removed_add fails with -EROFS)
 * and reads back what earlier mounts kept. *out is set even when the folder cannot
 * be used (then -errno is returned and removed_add fails). Free with removed_close
 * (NULL-safe). */
int removed_open(const char *folder, struct removed **out);
void removed_close(struct removed *r);
/* Keeps len bytes (may be 0) of role's what ("inline/X.json", "trust.json",
 * "detached-X.txt", ...) removed at time t; writes the file's name into name (cap
 * bytes, "" on failure). 0, or -errno when the file could not be made durable (then
 * the removal must not be sent). */
int removed_add(struct removed *r, long long t, const char *role, const char *what,
		const char *bytes, size_t len, char *name, size_t cap);
/* A snapshot of the kept files, oldest first (+1 ref on each doc); the list type is
 * rejects.h's (a name and a document). */
int removed_list(struct removed *r, struct cache_rejected_list *out);
size_t removed_count(struct removed *r);
/* Memory of this mount only: the removal of role's what landed in IAM (marked), and
 * what landed for role so far, joined by ", " into out (cap bytes, "" when none),
 * for the message of a later failure; forgetting a role's marks (it is gone). */
void removed_mark(struct removed *r, const char *role, const char *what);
void removed_marks(struct removed *r, const char *role, char *out, size_t cap);
void removed_forget(struct removed *r, const char *role);

#endif
