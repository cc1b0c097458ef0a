/*
 * Building, comparing and copying the immutable views of cache.h. A view is
 * assembled from roles whose arrays are not yet sorted or shared, then
 * published; once published neither it nor its documents change. Pure: no I/O,
 * no clock (callers pass "now"), no globals.
 */
#ifndef IAMFS_CACHE_MODEL_H
#define IAMFS_CACHE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/cache.h"

/* 64-bit FNV-1a of the bytes: the gen of a document. */
unsigned long long model_hash(const void *p, size_t n);
/* True when the ARN's account field is "aws" (an AWS managed policy). */
bool model_arn_is_aws_managed(const char *arn);
/* The policy name of an ARN: what follows the last '/'. Points into arn. */
const char *model_arn_name(const char *arn);

/* A new document (refs = 1) holding a copy of bytes, or taking them (model_doc_take
 * frees bytes on failure). NULL on ENOMEM. */
struct cache_doc *model_doc_new(const char *bytes, size_t len, long long mtime);
struct cache_doc *model_doc_take(char *bytes, size_t len, long long mtime);
/* model_doc_new with the gen already known (a checksummed disk copy). The struct
 * and a copy of bytes share one allocation, exactly sized. */
struct cache_doc *model_doc_make(const char *bytes, size_t len, long long mtime,
				 unsigned long long gen);
/* Memory documents may point into instead of owning their bytes (the disk copy's
 * mapping): refcounted, one reference per such document plus its maker's;
 * release runs when the last goes. */
struct cache_backing {
	int refs; /* atomic */
	void (*release)(struct cache_backing *b);
};
/* model_doc_make without the copy: bytes (NUL-terminated at len, as every
 * document's are) stay in b, which the document holds a reference on. */
struct cache_doc *model_doc_borrow(const char *bytes, size_t len, long long mtime,
				   unsigned long long gen, struct cache_backing *b);
void model_backing_put(struct cache_backing *b);
/* Same bytes (pointer, gen, len, then memcmp). NULL equals only NULL. */
bool model_doc_same(const struct cache_doc *a, const struct cache_doc *b);

/* Frees what a role owns (names, arrays, doc refs) and zeroes it. NULL-safe. */
void model_role_cleanup(struct cache_role *r);
/* Appends an inline or attached entry to a role under construction; name, arn are
 * copied and doc's reference moves into the role (doc may be NULL for attached). */
int model_role_add_inline(struct cache_role *r, const char *name, struct cache_doc *doc);
int model_role_add_attached(struct cache_role *r, const char *name, const char *arn,
			    struct cache_doc *doc);

/* Makes a view (refs = 1, the given serial) of n roles, taking the roles array and
 * everything in it even on failure. Sorts roles, inline and attached arrays
 * bytewise. NULL on ENOMEM. */
struct cache_view *model_view_new(struct cache_role *roles, size_t n, unsigned long long serial);

/* Before publishing nv: each trust, role.json or inline document that holds the
 * same JSON value as the same file's in old is replaced by old's document (so it
 * keeps its mtime, and a saved file keeps the bytes it was saved with); a changed
 * or new file of a role that old already had gets mtime now. Files of roles new to
 * old keep the mtime they were built with (the role's CreateDate). Customer managed
 * documents are settled per ARN the same way but keep their version's mtime. */
void model_settle(struct cache_view *nv, const struct cache_view *old, long long now);

/* Calls fn for every difference from old to nv (either may be NULL: empty), in
 * role order: roles added/removed, inline/attached files added/removed, files
 * whose bytes changed (for AWS managed files: when the ARN changed). */
void model_diff(const struct cache_view *old, const struct cache_view *nv,
		void (*fn)(void *ctx, const struct cache_change *ch), void *ctx);

/* Copy-on-write for a save: a new view (refs = 1, serial + 1) equal to v but with
 * one document replaced. TRUST/ROLE replace that document; INLINE adds or replaces
 * the policy name, or removes it when doc is NULL; ATTACHED takes the policy ARN as
 * name and gives doc to every role attaching it (role is then ignored), since
 * customer managed documents are shared. doc is borrowed (a ref is taken).
 * -ENOENT when the role or ARN is unknown, -ENOMEM. */
int model_view_replace(const struct cache_view *v, const char *role, enum cache_file_kind kind,
		       const char *name, struct cache_doc *doc, struct cache_view **out);
/* The same replacement made in place, on a view nobody else holds yet (a load
 * not yet published): -ENOENT when the role, or every attachment of the ARN,
 * is gone. */
int model_view_apply(struct cache_view *v, const char *role, enum cache_file_kind kind,
		     const char *name, struct cache_doc *doc);

#endif
