/*
 * The inode table: every node the kernel has been told about, kept for the
 * life of the mount (the tree is synthetic and bounded, about 9 nodes a role),
 * keyed by (parent, name) and by inode number. A node's identity (kind, role,
 * policy name) never changes; only its lookup count, the generation last served
 * and where it moved move, under the table's lock. A node renamed onto another
 * name leaves the (parent, name) index for good: the kernel now shows its number
 * under that other name, so requests on it act on what holds that name, and the
 * next lookup of its own name makes a new node. Nodes are freed with the table only.
 */
#ifndef IAMFS_FS_INODE_H
#define IAMFS_FS_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cache/layout.h"

#define INODE_ROOT_INO	      1
#define INODE_NAME_MAX	      255
#define INODE_POLICY_NAME_MAX LAYOUT_POLICY_NAME_MAX /* inode_classify refuses longer names */

enum inode_kind {
	INODE_ROOT,
	INODE_ROLE,		 /* <role>/ */
	INODE_TRUST,		 /* <role>/trust.json */
	INODE_ROLE_JSON,	 /* <role>/role.json */
	INODE_INLINE_DIR,	 /* <role>/inline/ */
	INODE_ATTACHED_DIR,	 /* <role>/attached/ */
	INODE_INLINE,		 /* <role>/inline/<policy>.json */
	INODE_ATTACHED,		 /* <role>/attached/<policy>.json */
	INODE_CTL_DIR,		 /* .iamfs/ */
	INODE_CTL_STATUS,	 /* .iamfs/status */
	INODE_CTL_ERRORS,	 /* .iamfs/errors */
	INODE_CTL_REJECTED,	 /* .iamfs/rejected/ */
	INODE_CTL_REFRESH,	 /* .iamfs/refresh */
	INODE_CTL_REJECTED_FILE, /* .iamfs/rejected/<file>: policy holds the file name */
	INODE_CTL_REMOVED,	 /* .iamfs/removed/ */
	INODE_CTL_REMOVED_FILE,	 /* .iamfs/removed/<file>: policy holds the file name */
	INODE_NKINDS
};

/* The tree's layout: one row per kind of node. Kinds inside a role folder are
 * cache/layout.h's rows (name, mode, document kind come from there); the others
 * (root, roles, .iamfs/) are written out here. */
struct inode_row {
	enum inode_kind parent; /* the folder's kind (the root: itself) */
	const char *name;	/* fixed name; NULL: a role name, a layout pattern, or (in
				   .iamfs/rejected/) any file name */
	int layout;		/* the role folder's enum layout_entry, or -1 */
	mode_t mode;		/* the most a node of this kind allows (see attr.c) */
	nlink_t nlink;		/* folders: links before their variable children */
};

/* Nodes live in the table's slabs (fs/inode_store.h) and their names in its name
 * blocks: a role folder's node holds the role name once and every node under it
 * points at it; fixed names are the layout's static strings; a policy file's
 * name and policy name are interned. */
struct inode_node {
	uint64_t ino;
	uint64_t parent;    /* 0 for the root */
	const char *name;   /* entry name in parent ("" for the root) */
	const char *role;   /* NULL for the root and .iamfs nodes */
	const char *policy; /* INLINE/ATTACHED: policy name without ".json"; CTL_RE*_FILE:
			       the file name; else NULL */
	/* Under the table lock: */
	uint64_t nlookup;
	unsigned long long served_gen; /* content generation in the kernel's pages (0: unknown) */
	unsigned long long seen_gen;   /* the generation last served or saved under this name:
					  what a save through it is based on (0: none) */
	uint64_t moved_to;  /* renamed onto another name: the number (a node's or a helper's)
			       that requests on this one act on; 0: not moved */
	uint32_t hnext;	    /* (parent, name) hash chain: the next node's slot + 1; 0 ends it */
	uint8_t kind;	    /* enum inode_kind */
	bool vacated;	    /* its name was renamed away: the next open for writing starts a new,
			       empty file */
	uint8_t open_state; /* enum inode_open_state, under the table lock */
};

/* Where the opens of a number stand (inode_table_open_begin). */
enum inode_open_state { INODE_OPEN_NEVER, INODE_OPEN_STORING, INODE_OPEN_DONE };

struct inode_table;

/* Creates a table holding the root (ino 1, nlookup 1: the kernel always knows it).
 * Free with inode_table_free (NULL-safe), which frees every node. */
int inode_table_new(struct inode_table **out);
void inode_table_free(struct inode_table *t);
/* The same for a table whose numbers start past base (its root is base + 1, with
 * parent as its parent's number): one account of a mount of several. */
int inode_table_new_at(uint64_t base, uint64_t parent, struct inode_table **out);
/* The number of the table's root (INODE_ROOT_INO for inode_table_new's). */
uint64_t inode_table_root(const struct inode_table *t);

/* Classifies the child called name of a parent of kind parent_kind: its kind and,
 * for policy files, the policy name (a pointer into name, *policy_len bytes, the
 * ".json" left off). Pure. -ENOENT for names that can never exist there (the
 * kind of folder still has to be checked against the account). */
int inode_classify(enum inode_kind parent_kind, const char *name, enum inode_kind *kind,
		   const char **policy, size_t *policy_len);
/* True for folders. */
bool inode_kind_is_dir(enum inode_kind kind);
/* The row of kind, with a layout row's name and mode filled in. */
void inode_row(enum inode_kind kind, struct inode_row *out);
/* The fixed child i of a folder of kind dir, in listing order; NULL past the end. */
const char *inode_fixed_child(enum inode_kind dir, size_t i);
/* True for the kinds a write saves: a document whose row is writable. */
bool inode_kind_savable(enum inode_kind kind);
/* The document kind nodes of kind serve and save: true and *file set, or false. */
bool inode_file_kind(enum inode_kind kind, enum cache_file_kind *file);
/* The path of n inside the mount ("<role>/inline/<policy>.json"), into buf; returns buf. */
const char *inode_path(const struct inode_node *n, char *buf, size_t cap);

/* The node (parent, name), created from classify's answer when missing. The
 * returned node lives as long as the table. -ENOENT when the parent is unknown
 * or name is not a possible child; -ENAMETOOLONG past INODE_NAME_MAX. */
int inode_table_child(struct inode_table *t, uint64_t parent, const char *name,
		      struct inode_node **out);
/* The node with that number, or NULL. */
struct inode_node *inode_table_get(struct inode_table *t, uint64_t ino);
/* The node (parent, name) if it was ever created, or NULL. */
struct inode_node *inode_table_find(struct inode_table *t, uint64_t parent, const char *name);

/* Lookup counting: +1 for each entry the kernel is given, -n for forget. */
void inode_table_ref(struct inode_table *t, struct inode_node *n);
void inode_table_forget(struct inode_table *t, uint64_t ino, uint64_t nlookup);
uint64_t inode_table_nlookup(struct inode_table *t, const struct inode_node *n);
/* True when the kernel holds a reference to the node (nlookup > 0). */
bool inode_table_known(struct inode_table *t, const struct inode_node *n);
/* Records gen as served to the kernel (0: a writer opened the file, the pages are
 * no longer known); returns true when it equals the previous one (the kernel's
 * page cache for the node is still right: keep_cache). A gen other than 0 is also
 * what the user has now seen under the name. */
bool inode_table_serve(struct inode_table *t, struct inode_node *n, unsigned long long gen);
/* Called by every OPEN of n's number before it is answered. With may_store
 * (the dispatch thread, which nothing it waits on can wait for) and no open of
 * the number before, returns true: the caller may store the file's bytes in the
 * kernel's page cache and must call inode_table_open_end after, answered or
 * not. No READ of the number can hold a page lock meanwhile, since a READ
 * needs an answered OPEN: any other open of it waits here until the store
 * ended. Otherwise returns false. */
bool inode_table_open_begin(struct inode_table *t, struct inode_node *n, bool may_store);
void inode_table_open_end(struct inode_table *t, struct inode_node *n);
/* This mount saved the document of gen under n's name: later saves through the
 * name are based on it, and the kernel's pages are not known to hold it. */
void inode_table_saved(struct inode_table *t, struct inode_node *n, unsigned long long gen);
/* The generation last served or saved under n's name (0: none). */
unsigned long long inode_table_seen(struct inode_table *t, const struct inode_node *n);
/* Policy file n was renamed onto another name, whose entry now holds number to (a
 * node's or a helper's): n leaves the (parent, name) index and stands for to from
 * now on. Its name gets a new node at once when vacate (the name was renamed away,
 * as vim's and emacs's backups do: that node's next open for writing starts empty,
 * as a new file would), else at its next lookup. 0, or -ENOMEM with nothing changed. */
int inode_table_move(struct inode_table *t, struct inode_node *n, uint64_t to, bool vacate);
/* The number requests on ino act on: ino itself unless its node was moved. */
uint64_t inode_table_moved(struct inode_table *t, uint64_t ino);
/* Takes and clears the vacated mark (see inode_table_move). */
bool inode_table_take_vacated(struct inode_table *t, struct inode_node *n);
/* Number of nodes (for statfs). */
size_t inode_table_count(struct inode_table *t);

#endif
