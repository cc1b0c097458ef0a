/*
 * The layout of a role's folder: one row per kind of entry (trust.json,
 * role.json, inline/, attached/ and the policy files in them) with its folder,
 * name or name pattern, mode and the document kind that saves and changes name,
 * and the one formatter of their paths. Pure and constant; fs builds the whole
 * tree's table (root, roles, .iamfs/) on these rows. A new kind of entry in a
 * role is one row here.
 */
#ifndef IAMFS_CACHE_LAYOUT_H
#define IAMFS_CACHE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cache/cache.h"
#include "cache/ident.h"

#define LAYOUT_POLICY_NAME_MAX IDENT_POLICY_MAX /* IAM's limit on a policy name */
#define LAYOUT_ROLE_NAME_MAX   IDENT_ROLE_MAX	/* IAM's limit on a role name */

enum layout_entry {
	LAYOUT_TRUST,	     /* trust.json */
	LAYOUT_ROLE_JSON,    /* role.json */
	LAYOUT_INLINE_DIR,   /* inline/ */
	LAYOUT_ATTACHED_DIR, /* attached/ */
	LAYOUT_INLINE,	     /* inline/<policy>.json */
	LAYOUT_ATTACHED,     /* attached/<policy>.json */
	LAYOUT_NENTRIES,
	LAYOUT_ROLE_DIR = -1 /* as a parent: the role folder itself */
};

struct layout_row {
	int parent;	  /* LAYOUT_ROLE_DIR or the enum layout_entry of its folder */
	const char *name; /* the fixed name; NULL: "<policy name>.json" */
	mode_t mode;	  /* S_IFDIR | 0755, S_IFREG | 0644 (saved by a write), S_IFREG | 0444 */
	bool has_file;	  /* a document: file names its kind */
	enum cache_file_kind file;
};

/* The row of e, or NULL for a value out of range. */
const struct layout_row *layout_row(enum layout_entry e);
/* The entry of a document kind (every cache_file_kind has exactly one). */
enum layout_entry layout_of_file(enum cache_file_kind kind);
/* Classifies the child called name of folder parent (LAYOUT_ROLE_DIR or an entry):
 * its entry and, for policy files, the policy name (a pointer into name,
 * *policy_len bytes, ".json" left off). -ENOENT for names that never exist there. */
int layout_classify(int parent, const char *name, enum layout_entry *e, const char **policy,
		    size_t *policy_len);
/* The name of entry e in its folder: the fixed name, "<name>.json" for a policy
 * file, "<folder>/<name>" for a folder and a child's raw name. */
void layout_entry_name(enum layout_entry e, const char *name, char *buf, size_t cap);
/* The path of entry e: "trust.json", "inline/<name>.json", with role not NULL
 * "<role>/..." in front. For a folder, a name not NULL is a child's raw name:
 * "inline/<name>". Truncated to cap - 1 bytes; returns buf. */
const char *layout_path(enum layout_entry e, const char *role, const char *name, char *buf,
			size_t cap);

#endif
