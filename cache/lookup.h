/*
 * The one way to find a policy document: (role, kind, name) in a view, answered
 * with what was found, and the one table from that answer to an errno for each
 * use (opening to write, stat, saving, renaming). Pure over the view; the
 * document is borrowed from it (take a reference to keep it past the view).
 */
#ifndef IAMFS_CACHE_LOOKUP_H
#define IAMFS_CACHE_LOOKUP_H

#include "cache/cache.h"

enum lookup_result {
	LOOKUP_FOUND,	     /* doc is the document */
	LOOKUP_NO_ROLE,	     /* no such role in the view */
	LOOKUP_NO_FILE,	     /* the role has no such file (a new inline policy) */
	LOOKUP_NOT_ATTACHED, /* attached/: the role has no attached policy of that name */
	LOOKUP_AWS_MANAGED,  /* attached/: AWS managed, read-only; its document is fetched
				apart (cache_managed_doc, cache_fetch_managed of att->arn) */
	LOOKUP_NOT_FETCHED,  /* attached/: customer managed, its document not in the view */
	LOOKUP_NRESULTS
};

enum lookup_use {
	LOOKUP_OPEN_WRITE, /* open for writing, truncate, rm */
	LOOKUP_STAT,	   /* stat and read */
	LOOKUP_SAVE,	   /* cache_save: a missing inline policy or trust is a new file,
			      a name not attached a new attachment */
	LOOKUP_RENAME,	   /* source and target of a rename (a new inline target is the
			      caller's to allow, as a new file for OPEN_WRITE) */
	LOOKUP_NUSES
};

struct lookup {
	const struct cache_role *role;	  /* NULL: LOOKUP_NO_ROLE */
	const struct cache_attached *att; /* attached/: the attachment, or NULL */
	struct cache_doc *doc;		  /* LOOKUP_FOUND: borrowed from the view */
};

/* Finds the document of kind (name: the policy name for INLINE and ATTACHED) of
 * role in v. *out is always written. */
enum lookup_result lookup_doc(const struct cache_view *v, const char *role,
			      enum cache_file_kind kind, const char *name, struct lookup *out);
/* The answer to a use of a lookup that ended with res: 0 (go on) or -errno. */
int lookup_errno(enum lookup_result res, enum lookup_use use);

#endif
