/*
 * The account model: the immutable, refcounted views (a role's documents, its
 * inline and attached policies) the filesystem serves, and building, comparing
 * and copying them. A view is assembled from roles whose arrays are not yet
 * sorted or shared, then published; once published neither it nor its documents
 * change. Pure: no I/O, no clock (callers pass "now"), no globals.
 */
#ifndef IAMFS_CACHE_MODEL_H
#define IAMFS_CACHE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum cache_file_kind {
	CACHE_FILE_TRUST,    /* <role>/trust.json */
	CACHE_FILE_ROLE,     /* <role>/role.json */
	CACHE_FILE_INLINE,   /* <role>/inline/<name>.json */
	CACHE_FILE_ATTACHED, /* <role>/attached/<name>.json */
};

/* One rendered document. Immutable once published; shared between views. */
struct cache_doc {
	int refs;    /* atomic; cache_doc_ref / cache_doc_unref */
	char *bytes; /* exactly what read returns */
	size_t len;
	long long mtime;	       /* unix seconds; changes only when bytes change */
	unsigned long long gen;	       /* content identity (hash of bytes) */
	struct cache_backing *backing; /* NULL: the document owns bytes */
};

struct cache_inline {
	char *name; /* policy name, without ".json" */
	struct cache_doc *doc;
};

struct cache_attached {
	char *name; /* policy name, without ".json": the ARN's tail (a pointer into arn) when
		       it is that, else its own copy; model_att_clear frees either */
	char *arn;
	bool aws_managed;      /* read-only; doc fetched lazily */
	struct cache_doc *doc; /* customer managed: set; AWS managed: see cache_managed_doc */
};

struct cache_role {
	char *name;
	long long mtime; /* CreateDate */
	struct cache_doc *trust;
	struct cache_doc *role_json;
	struct cache_inline *inl; /* sorted by name (bytewise) */
	size_t ninl;
	struct cache_attached *att; /* sorted by name (bytewise) */
	size_t natt;
	bool pending; /* made by mkdir, not in IAM yet (cache/pending.h): no trust until
			 written, role_json only once written, no inline or attached */
};

struct cache_view {
	int refs;		  /* atomic */
	struct cache_role *roles; /* sorted by name (bytewise) */
	size_t nroles;
	unsigned long long serial; /* increases with every published view */
};

struct cache_change {
	enum {
		CACHE_CHANGE_ROLE_ADDED,
		CACHE_CHANGE_ROLE_REMOVED,
		CACHE_CHANGE_FILE_ADDED, /* inline/attached file appeared */
		CACHE_CHANGE_FILE_REMOVED,
		CACHE_CHANGE_FILE_CHANGED, /* bytes (and so size/mtime) changed */
		CACHE_CHANGE_REJECTED,	   /* a refusal was recorded: the errors text grew;
					      name: the file kept under rejected/, or NULL */
	} what;
	const char *role;
	enum cache_file_kind kind; /* FILE_* only */
	const char *name;	   /* INLINE/ATTACHED only, without ".json"; REJECTED: above */
};

/* Views and documents are refcounted (atomic): cache_view_put and cache_doc_unref
 * free on the last reference; both are NULL-safe. The finds search the sorted
 * arrays bytewise and return NULL when absent (r or v may be NULL). */
void cache_view_put(struct cache_view *v);
const struct cache_role *cache_view_find(const struct cache_view *v, const char *role);
const struct cache_inline *cache_role_find_inline(const struct cache_role *r, const char *name);
const struct cache_attached *cache_role_find_attached(const struct cache_role *r, const char *name);
void cache_doc_ref(struct cache_doc *d);
void cache_doc_unref(struct cache_doc *d);

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
/* When *slot and from are two allocations of the same bytes (and the same mtime
 * when with_mtime), *slot becomes from (+1 ref on from, one dropped on the old),
 * so one allocation serves both. Returns whether it traded. NULL-safe. */
bool model_doc_trade(struct cache_doc **slot, struct cache_doc *from, bool with_mtime);

/* Sets a's name and ARN: one copy of arn, the name pointing at its tail when it is
 * that, else a copy of its own. Frees nothing; 0 or -ENOMEM (a unchanged). */
int model_att_names(struct cache_attached *a, const char *name, const char *arn);
/* Frees a's name and ARN (as model_att_names made them) and its doc reference. */
void model_att_clear(struct cache_attached *a);
/* Frees what a role owns (names, arrays, doc refs) and zeroes it. NULL-safe. */
void model_role_cleanup(struct cache_role *r);
/* Appends an inline or attached entry to a role under construction; name, arn are
 * copied and doc's reference moves into the role (doc may be NULL for attached). */
int model_role_add_inline(struct cache_role *r, const char *name, struct cache_doc *doc);
int model_role_add_attached(struct cache_role *r, const char *name, const char *arn,
			    struct cache_doc *doc);

/* Makes a view (refs = 1, the given serial) of n roles, taking the roles array and
 * everything in it even on failure. Sorts roles, inline and attached arrays
 * bytewise and sizes the array exactly. NULL on ENOMEM. */
struct cache_view *model_view_new(struct cache_role *roles, size_t n, unsigned long long serial);

/* Before publishing nv: each trust, role.json or inline document that holds the
 * same JSON value as the same file's in old is replaced by old's document (so it
 * keeps its mtime, and a saved file keeps the bytes it was saved with); a changed
 * or new file of a role that old already had gets mtime now. Files of roles new to
 * old keep the mtime they were built with (the role's CreateDate). Customer managed
 * documents are settled per ARN the same way but keep their version's mtime. */
void model_settle(struct cache_view *nv, const struct cache_view *old, long long now);

/* True when a reader could not tell a from b: the same roles, mtimes, flags,
 * names and ARNs, and documents of the same bytes and mtimes (NULL equals only
 * NULL). Either may be NULL (equal only to NULL). */
bool model_view_same(const struct cache_view *a, const struct cache_view *b);
/* The same for one role (name included). */
bool model_role_same(const struct cache_role *a, const struct cache_role *b);

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

/* Deep copy of a role: names and arrays copied, document references taken. dst is
 * overwritten; on failure it is left cleaned up. 0 or -ENOMEM. */
int model_role_copy(struct cache_role *dst, const struct cache_role *src);

/*
 * Structural edits of a view (model_edit.c): every change a user's save makes to
 * the tree, one kind of record. A document replaced (DOC, model_view_replace's
 * meaning), a managed policy attached or detached, a role created or deleted.
 * Publication, the replay onto a load in flight and the change reports all take
 * this one record.
 */
enum model_edit_op {
	MODEL_EDIT_DOC,		/* replace one document (model_view_replace) */
	MODEL_EDIT_ATTACH,	/* role attaches managed policy name/arn */
	MODEL_EDIT_DETACH,	/* role detaches managed policy name */
	MODEL_EDIT_ROLE_ADD,	/* a role now exists in IAM (created) */
	MODEL_EDIT_ROLE_REMOVE, /* the role is gone from IAM (deleted) */
};

struct model_edit {
	enum model_edit_op op;
	const char *role;
	enum cache_file_kind kind; /* DOC: as model_view_replace */
	const char *name;	 /* DOC: policy name (INLINE) or ARN (ATTACHED); ATTACH/DETACH: the
				    policy name */
	const char *arn;	 /* ATTACH: the policy ARN */
	struct cache_doc *doc;	 /* DOC: the new document (NULL: remove an inline policy);
				    ATTACH: the customer managed default document, or NULL
				    (AWS managed: fetched lazily) */
	struct cache_doc *trust; /* ROLE_ADD: the trust policy document */
	struct cache_doc *role_json; /* ATTACH, DETACH, ROLE_ADD: the role's new role.json
					(NULL: unchanged; ROLE_ADD: none) */
	long long mtime;	     /* ROLE_ADD: the role's CreateDate (unix seconds) */
};

/* Copy-on-write: a new view (refs 1, serial + 1) equal to v with e applied.
 * Documents are borrowed (references taken). ATTACH of a name already attached
 * replaces it; ROLE_ADD of a role already present replaces it (a fresh role, no
 * policies). -ENOENT when the role (or for DOC what model_view_replace needs, for
 * DETACH the attachment) is absent, -EINVAL for a bad record, -ENOMEM. */
int model_view_edit(const struct cache_view *v, const struct model_edit *e,
		    struct cache_view **out);
/* The same edit in place, on a view nobody else holds yet (a load being replayed).
 * Arrays stay sorted. Same errors; on one, v is unchanged. */
int model_view_apply_edit(struct cache_view *v, const struct model_edit *e);

#endif
