/*
 * Where the inode table keeps its nodes and their names, packed: the nodes in
 * slabs that never move (slot i keeps its address for the life of the store, so
 * node pointers handed out stay valid) and the names in blocks of their own, no
 * allocation per node or per name. A policy file's name and policy name are
 * interned: stored once however many folders hold them. Nothing is freed before
 * the store. Not locked: the table's lock covers every call.
 */
#ifndef IAMFS_FS_INODE_STORE_H
#define IAMFS_FS_INODE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fs/inode.h"

#define INODE_STORE_FIRST_SLAB 64 /* slab 0's nodes; slab k >= 1 holds 64 << (k - 1) */
#define INODE_STORE_SLABS      27 /* room for INODE_STORE_MAX nodes */
#define INODE_STORE_MAX	       ((size_t)UINT32_MAX - 1) /* slots are 32-bit (hash chains) */
#define INODE_STORE_BLOCK      16384			/* bytes of names per block */

struct inode_store {
	struct inode_node *slabs[INODE_STORE_SLABS];
	size_t n;	       /* slots in use */
	char *block;	       /* the block names are added to; each block starts with the
				  previous one's address */
	size_t block_used;     /* bytes of block in use */
	const char **set;      /* interned names, open addressing */
	size_t set_n, set_cap; /* set_cap: 0 or a power of two */
};

/* A zeroed node in the next slot (its index is the count before the call), or
 * NULL (-ENOMEM; the store is unchanged). The node lives as long as the store. */
struct inode_node *inode_store_add(struct inode_store *s);
/* The node in slot i, or NULL past the slots in use. */
struct inode_node *inode_store_get(const struct inode_store *s, size_t i);
/* A copy of the len bytes of str, NUL-terminated, living as long as the store; NULL:
 * -ENOMEM. */
const char *inode_store_name(struct inode_store *s, const char *str, size_t len);
/* The same, but one copy per distinct string: an equal string interned earlier is
 * returned again. */
const char *inode_store_intern(struct inode_store *s, const char *str, size_t len);
/* Frees every node and name; s is left empty and reusable. */
void inode_store_free(struct inode_store *s);

#endif
