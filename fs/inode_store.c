/*
 * The inode table's storage. Slab 0 holds INODE_STORE_FIRST_SLAB nodes and each
 * later slab as many as all before it, so a slot's slab is its top bit and a
 * small table costs one small slab; a large slab is mapped by malloc and only
 * the pages of slots in use become resident.
 */
#include "fs/inode_store.h"

#include <stdlib.h>
#include <string.h>

/* The slab of slot i and the slot's index in it. */
static size_t inode_store_slab(size_t i, size_t *off)
{
	unsigned b;

	if (i < INODE_STORE_FIRST_SLAB) {
		*off = i;
		return 0;
	}
	b = 63u - (unsigned)__builtin_clzll((unsigned long long)(i / INODE_STORE_FIRST_SLAB));
	*off = i - ((size_t)INODE_STORE_FIRST_SLAB << b);
	return b + 1;
}

/* Slots in slab k. */
static size_t inode_store_slab_len(size_t k)
{
	return k ? (size_t)INODE_STORE_FIRST_SLAB << (k - 1) : INODE_STORE_FIRST_SLAB;
}

struct inode_node *inode_store_add(struct inode_store *s)
{
	size_t off, k;
	struct inode_node *n;

	if (s->n >= INODE_STORE_MAX)
		return NULL;
	k = inode_store_slab(s->n, &off);
	if (!s->slabs[k]) {
		/* malloc, not calloc: a mapped slab's untouched pages stay unresident */
		s->slabs[k] = malloc(inode_store_slab_len(k) * sizeof(struct inode_node));
		if (!s->slabs[k])
			return NULL;
	}
	n = &s->slabs[k][off];
	memset(n, 0, sizeof(*n));
	s->n++;
	return n;
}

struct inode_node *inode_store_get(const struct inode_store *s, size_t i)
{
	size_t off, k;

	if (i >= s->n)
		return NULL;
	k = inode_store_slab(i, &off);
	return &s->slabs[k][off];
}

const char *inode_store_name(struct inode_store *s, const char *str, size_t len)
{
	char *p;

	if (len + 1 > INODE_STORE_BLOCK - sizeof(char *))
		return NULL;
	if (!s->block || s->block_used + len + 1 > INODE_STORE_BLOCK) {
		char *b = malloc(INODE_STORE_BLOCK);

		if (!b)
			return NULL;
		memcpy(b, &s->block, sizeof(char *));
		s->block = b;
		s->block_used = sizeof(char *);
	}
	p = s->block + s->block_used;
	memcpy(p, str, len);
	p[len] = '\0';
	s->block_used += len + 1;
	return p;
}

static size_t inode_store_hash(const char *str, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)str[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

/* The set's slot for str: where it is, or the empty slot where it would go. */
static size_t inode_store_probe(const char **set, size_t cap, const char *str, size_t len)
{
	size_t i = inode_store_hash(str, len) & (cap - 1);

	while (set[i] && (strncmp(set[i], str, len) || set[i][len]))
		i = (i + 1) & (cap - 1);
	return i;
}

/* Room for one more name at a load of at most one half. */
static int inode_store_grow_set(struct inode_store *s)
{
	size_t cap = s->set_cap ? s->set_cap * 2 : 256;
	const char **set;

	if ((s->set_n + 1) * 2 <= s->set_cap)
		return 0;
	if (!(set = calloc(cap, sizeof(*set))))
		return -1;
	for (size_t i = 0; i < s->set_cap; i++)
		if (s->set[i])
			set[inode_store_probe(set, cap, s->set[i], strlen(s->set[i]))] = s->set[i];
	free(s->set);
	s->set = set;
	s->set_cap = cap;
	return 0;
}

const char *inode_store_intern(struct inode_store *s, const char *str, size_t len)
{
	size_t i;
	const char *p;

	if (inode_store_grow_set(s))
		return NULL;
	i = inode_store_probe(s->set, s->set_cap, str, len);
	if (s->set[i])
		return s->set[i];
	if (!(p = inode_store_name(s, str, len)))
		return NULL;
	s->set[i] = p;
	s->set_n++;
	return p;
}

void inode_store_free(struct inode_store *s)
{
	for (size_t k = 0; k < INODE_STORE_SLABS; k++)
		free(s->slabs[k]);
	while (s->block) {
		char *prev;

		memcpy(&prev, s->block, sizeof(char *));
		free(s->block);
		s->block = prev;
	}
	free(s->set);
	memset(s, 0, sizeof(*s));
}
