/*
 * Pending roles: folders made with mkdir at the root that IAM does not have yet,
 * the user's unsent work (a role.json written into one is kept too). The store
 * keeps them in the account's cache folder, DIR/pending/, one file per role named
 * "role-<name>" (a role name is IAM's [\w+=,.@-]{1,64}, never "." or ".."),
 * each written whole to a fresh temporary name (O_EXCL|O_NOFOLLOW, cachedir.h),
 * fsync'ed and renamed into place, so they survive a remount until the role is
 * created or the folder removed. A store opened without a folder keeps them in
 * memory only. The store has its own lock and takes no other.
 *
 * Also the pure merge of the store's roles into a view (pending_merge): every
 * view the cache publishes holds IAM's roles plus the pending ones, flagged
 * (cache_role.pending), and a pending role whose name IAM now has (in any letter
 * case: IAM's role names are case-insensitive) gives way to IAM's.
 */
#ifndef IAMFS_CACHE_PENDING_H
#define IAMFS_CACHE_PENDING_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/buf.h"
#include "cache/hooks.h"
#include "cache/model.h"

#define PENDING_MAX	     1000	 /* pending roles one account keeps */
#define PENDING_JSON_MAX     (64 * 1024) /* bytes of a pending role.json */
#define PENDING_FOLDER	     "pending"
#define PENDING_FILE_PREFIX  "role-"
#define PENDING_HEADER_MAGIC "iamfs-pending-1"

struct pending;

/* One pending role, as pending_snapshot copies it. */
struct pending_role {
	char *name;
	long long created;	     /* the mkdir, unix seconds: the folder's mtime */
	struct cache_doc *role_json; /* the role.json written (+1 ref), or NULL */
};

/* Opens the store of folder (the account's cache folder; "" or NULL: memory only),
 * creating DIR/pending/ (0700) and reading back every role kept there; files that
 * cannot be read are left in place and logged through h (copied). *out is the
 * caller's (pending_close). 0, or -ENOMEM; a folder that cannot be used is logged
 * and the store works in memory. */
int pending_open(const char *folder, const struct hooks *h, struct pending **out);
void pending_close(struct pending *p); /* NULL-safe */

/* Pure: why name cannot be a new role folder (a static sentence), or NULL. */
const char *pending_name_problem(const char *name);

/* Adds name, made at created: -EINVAL (pending_name_problem), -EEXIST when a pending
 * role has that name in any letter case, -EDQUOT past PENDING_MAX, or the file
 * system's -errno (nothing added). */
int pending_add(struct pending *p, const char *name, long long created);
/* Keeps doc (borrowed; a ref is taken; NULL: none any more) as name's role.json, on disk first.
 * -ENOENT when name is not pending, -EFBIG past PENDING_JSON_MAX, -errno. */
int pending_set_json(struct pending *p, const char *name, struct cache_doc *doc);
/* Drops name from the store (disk and memory); *json (may be NULL) gets its
 * role.json (+1 ref) or NULL. -ENOENT when name is not pending. */
int pending_remove(struct pending *p, const char *name, struct cache_doc **json);
/* Whether name (exactly) is pending. */
bool pending_has(struct pending *p, const char *name);

/* A copy of the store (sorted by name, bytewise): free it with pending_snapshot_free. */
int pending_snapshot(struct pending *p, struct pending_role **out, size_t *n);
void pending_snapshot_free(struct pending_role *v, size_t n);

/* Appends the status lines: "pending roles: N" and one "pending role: NAME" each. */
int pending_status(struct pending *p, struct buf *out);

/* Pure: a new view (refs 1, serial of v + 1; v may be NULL: empty) holding v's roles
 * that are not pending plus the n roles of pr, except those whose name a role of v
 * that is not pending has in any letter case: for each of those clash (may be NULL)
 * is called with the pending role and IAM's name. Documents are shared.
 * 0 or -ENOMEM. */
int pending_merge(const struct cache_view *v, const struct pending_role *pr, size_t n,
		  void (*clash)(void *ctx, const struct pending_role *pr, const char *iam_name),
		  void *ctx, struct cache_view **out);
/* Pure: whether v holds a pending role. */
bool pending_in_view(const struct cache_view *v);

#endif
