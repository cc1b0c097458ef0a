/*
 * The inode table. Node numbers are dense (ino = base + index + 1, the root is
 * base + 1; base is 0 but in a mount of several accounts) so
 * ino -> node is an array lookup; (parent, name) -> node is a chained hash.
 * Nodes are never removed: a forgotten node keeps its number, so a name that
 * comes back gets the same inode, and pointers handed out stay valid (the
 * store's slabs never move). The hash's buckets and chains are 32-bit slot
 * numbers plus one, at most two nodes a bucket on average.
 */
#include "fs/inode.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/inode_store.h"

struct inode_table {
	pthread_mutex_t lock;
	pthread_cond_t stored;	  /* a first open's store ended (inode_table_open_end) */
	struct inode_store store; /* slot = ino - base - 1 */
	uint64_t base;		  /* numbers are base + slot + 1; the root is base + 1 */
	uint32_t *hash;		  /* the slot + 1 of each chain's first node; 0: empty */
	size_t nbuckets;	  /* power of two */
};

/* Rows of the tree outside role folders, and the kinds that are layout rows. */
static const struct inode_row inode_rows[INODE_NKINDS] = {
	[INODE_ROOT] = {INODE_ROOT, "", -1, S_IFDIR | 0755, 3},
	[INODE_ROLE] = {INODE_ROOT, NULL, -1, S_IFDIR | 0755, 4},
	[INODE_TRUST] = {INODE_ROLE, NULL, LAYOUT_TRUST, 0, 1},
	[INODE_ROLE_JSON] = {INODE_ROLE, NULL, LAYOUT_ROLE_JSON, 0, 1},
	[INODE_INLINE_DIR] = {INODE_ROLE, NULL, LAYOUT_INLINE_DIR, 0, 2},
	[INODE_ATTACHED_DIR] = {INODE_ROLE, NULL, LAYOUT_ATTACHED_DIR, 0, 2},
	[INODE_INLINE] = {INODE_INLINE_DIR, NULL, LAYOUT_INLINE, 0, 1},
	[INODE_ATTACHED] = {INODE_ATTACHED_DIR, NULL, LAYOUT_ATTACHED, 0, 1},
	[INODE_CTL_DIR] = {INODE_ROOT, ".iamfs", -1, S_IFDIR | 0755, 4},
	[INODE_CTL_STATUS] = {INODE_CTL_DIR, "status", -1, S_IFREG | 0444, 1},
	[INODE_CTL_ERRORS] = {INODE_CTL_DIR, "errors", -1, S_IFREG | 0444, 1},
	[INODE_CTL_REJECTED] = {INODE_CTL_DIR, "rejected", -1, S_IFDIR | 0755, 2},
	[INODE_CTL_REFRESH] = {INODE_CTL_DIR, "refresh", -1, S_IFREG | 0644, 1},
	[INODE_CTL_REJECTED_FILE] = {INODE_CTL_REJECTED, NULL, -1, S_IFREG | 0444, 1},
	[INODE_CTL_REMOVED] = {INODE_CTL_DIR, "removed", -1, S_IFDIR | 0755, 2},
	[INODE_CTL_REMOVED_FILE] = {INODE_CTL_REMOVED, NULL, -1, S_IFREG | 0444, 1},
};

void inode_row(enum inode_kind kind, struct inode_row *out)
{
	const struct layout_row *l;

	*out = inode_rows[kind < INODE_NKINDS ? kind : INODE_ROOT];
	if ((l = layout_row((enum layout_entry)out->layout))) {
		out->name = l->name;
		out->mode = l->mode;
	}
}

bool inode_kind_is_dir(enum inode_kind kind)
{
	struct inode_row r;

	inode_row(kind, &r);
	return S_ISDIR(r.mode);
}

const char *inode_fixed_child(enum inode_kind dir, size_t i)
{
	struct inode_row r;

	for (int k = INODE_ROOT + 1; k < INODE_NKINDS; k++) {
		inode_row((enum inode_kind)k, &r);
		if (r.parent == dir && r.name && !i--)
			return r.name;
	}
	return NULL;
}

bool inode_file_kind(enum inode_kind kind, enum cache_file_kind *file)
{
	const struct layout_row *l =
		kind < INODE_NKINDS ? layout_row((enum layout_entry)inode_rows[kind].layout) : NULL;

	if (!l || !l->has_file)
		return false;
	*file = l->file;
	return true;
}

bool inode_kind_savable(enum inode_kind kind)
{
	enum cache_file_kind file;
	struct inode_row r;

	inode_row(kind, &r);
	return inode_file_kind(kind, &file) && (r.mode & 0200);
}

const char *inode_path(const struct inode_node *n, char *buf, size_t cap)
{
	if (inode_rows[n->kind].layout >= 0)
		return layout_path((enum layout_entry)inode_rows[n->kind].layout, n->role,
				   n->policy, buf, cap);
	snprintf(buf, cap, "%s", n->name);
	return buf;
}

/* The kind whose layout row is e. */
static enum inode_kind inode_of_layout(enum layout_entry e)
{
	for (int k = 0; k < INODE_NKINDS; k++)
		if (inode_rows[k].layout == (int)e)
			return (enum inode_kind)k;
	return INODE_ROOT; /* not reached: every layout row has a kind */
}

/* A child of a role-tree folder: the layout's answer. */
static int inode_classify_layout(enum inode_kind parent_kind, const char *name,
				 enum inode_kind *kind, const char **policy, size_t *policy_len)
{
	int parent = parent_kind == INODE_ROLE ? LAYOUT_ROLE_DIR : inode_rows[parent_kind].layout;
	enum layout_entry e;
	int r = layout_classify(parent, name, &e, policy, policy_len);

	if (!r)
		*kind = inode_of_layout(e);
	return r;
}

int inode_classify(enum inode_kind parent_kind, const char *name, enum inode_kind *kind,
		   const char **policy, size_t *policy_len)
{
	*policy = NULL;
	*policy_len = 0;
	if (parent_kind >= INODE_NKINDS || !inode_kind_is_dir(parent_kind))
		return -ENOENT;
	if (parent_kind == INODE_ROLE || inode_rows[parent_kind].layout >= 0)
		return inode_classify_layout(parent_kind, name, kind, policy, policy_len);
	for (int k = INODE_ROOT + 1; k < INODE_NKINDS; k++) {
		if (inode_rows[k].parent == parent_kind && inode_rows[k].name &&
		    !strcmp(inode_rows[k].name, name)) {
			*kind = (enum inode_kind)k;
			return 0;
		}
	}
	if (parent_kind == INODE_ROOT) {
		if (!ident_chars_ok(name, strlen(name), LAYOUT_ROLE_NAME_MAX))
			return -ENOENT;
		*kind = INODE_ROLE;
		return 0;
	}
	if ((parent_kind != INODE_CTL_REJECTED && parent_kind != INODE_CTL_REMOVED) || !name[0] ||
	    name[0] == '.' || strchr(name, '/'))
		return -ENOENT;
	*kind = parent_kind == INODE_CTL_REJECTED ? INODE_CTL_REJECTED_FILE
						  : INODE_CTL_REMOVED_FILE;
	*policy = name;
	*policy_len = strlen(name);
	return 0;
}

static size_t inode_hash(uint64_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ parent;

	h *= 1099511628211ull;
	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

static struct inode_node *inode_slot(const struct inode_table *t, uint32_t slot1)
{
	return slot1 ? inode_store_get(&t->store, slot1 - 1) : NULL;
}

static uint32_t *inode_bucket(struct inode_table *t, const struct inode_node *n)
{
	return &t->hash[inode_hash(n->parent, n->name) & (t->nbuckets - 1)];
}

/* Room in the hash for one more node (at most two a bucket on average). */
static int inode_grow_hash(struct inode_table *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : 256;
	uint32_t *h;

	if (t->store.n + 1 <= 2 * t->nbuckets)
		return 0;
	if (!(h = calloc(nb, sizeof(*h))))
		return -ENOMEM;
	free(t->hash);
	t->hash = h;
	t->nbuckets = nb;
	for (size_t i = 0; i < t->store.n; i++) {
		struct inode_node *n = inode_store_get(&t->store, i);
		uint32_t *b = inode_bucket(t, n);

		if (n->moved_to)
			continue; /* out of the index for good */
		n->hnext = *b;
		*b = (uint32_t)(i + 1);
	}
	return 0;
}

/* The names of a new node of kind called name, stored or shared: a role folder
 * keeps its name and is its own role; a fixed name is the row's; a policy file's
 * names are interned; a kept file's policy is its name. */
static int inode_names(struct inode_table *t, struct inode_node *n, const char *name,
		       const char *role, const char *policy, size_t policy_len)
{
	size_t len = strlen(name);
	bool kept = policy == name && policy_len == len; /* a kept file: its policy is its name */
	struct inode_row row;

	inode_row((enum inode_kind)n->kind, &row);
	if (row.name && !strcmp(row.name, name))
		n->name = row.name;
	else if (policy && !kept)
		n->name = inode_store_intern(&t->store, name, len);
	else
		n->name = inode_store_name(&t->store, name, len);
	if (!n->name)
		return -ENOMEM;
	n->role = n->kind == INODE_ROLE ? n->name : role;
	if (kept)
		n->policy = n->name;
	else if (policy && !(n->policy = inode_store_intern(&t->store, policy, policy_len)))
		return -ENOMEM;
	return 0;
}

/* Adds and numbers a node under the lock: role and policy as they are to be held
 * (role: an earlier node's; policy: a pointer into name, or a node's). */
static int inode_add_locked(struct inode_table *t, uint64_t parent, const char *name,
			    enum inode_kind kind, const char *role, const char *policy,
			    size_t policy_len, struct inode_node **out)
{
	struct inode_node tmp = {.parent = parent, .kind = (uint8_t)kind}, *n;
	uint32_t *b;

	if (inode_grow_hash(t) || inode_names(t, &tmp, name, role, policy, policy_len) ||
	    !(n = inode_store_add(&t->store)))
		return -ENOMEM;
	*n = tmp;
	n->ino = t->base + t->store.n;
	b = inode_bucket(t, n);
	n->hnext = *b;
	*b = (uint32_t)t->store.n;
	*out = n;
	return 0;
}

int inode_table_new(struct inode_table **out)
{
	return inode_table_new_at(0, 0, out);
}

int inode_table_new_at(uint64_t base, uint64_t parent, struct inode_table **out)
{
	struct inode_table *t = calloc(1, sizeof(*t));
	struct inode_node *root;

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->stored, NULL);
	t->base = base;
	if (inode_add_locked(t, parent, "", INODE_ROOT, NULL, NULL, 0, &root)) {
		inode_table_free(t);
		return -ENOMEM;
	}
	root->nlookup = 1;
	*out = t;
	return 0;
}

void inode_table_free(struct inode_table *t)
{
	if (!t)
		return;
	inode_store_free(&t->store);
	free(t->hash);
	pthread_cond_destroy(&t->stored);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct inode_node *inode_find_locked(struct inode_table *t, uint64_t parent,
					    const char *name)
{
	struct inode_node *n;

	if (!t->nbuckets)
		return NULL;
	n = inode_slot(t, t->hash[inode_hash(parent, name) & (t->nbuckets - 1)]);
	for (; n; n = inode_slot(t, n->hnext)) {
		if (n->parent == parent && !strcmp(n->name, name))
			return n;
	}
	return NULL;
}

static struct inode_node *inode_get_locked(struct inode_table *t, uint64_t ino)
{
	return ino > t->base ? inode_store_get(&t->store, ino - t->base - 1) : NULL;
}

uint64_t inode_table_root(const struct inode_table *t)
{
	return t->base + 1;
}

struct inode_node *inode_table_get(struct inode_table *t, uint64_t ino)
{
	struct inode_node *n;

	pthread_mutex_lock(&t->lock);
	n = inode_get_locked(t, ino);
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct inode_node *inode_table_find(struct inode_table *t, uint64_t parent, const char *name)
{
	struct inode_node *n;

	pthread_mutex_lock(&t->lock);
	n = inode_find_locked(t, parent, name);
	pthread_mutex_unlock(&t->lock);
	return n;
}

/* The role a child of p belongs to: p's role, or the name itself for a role folder. */
static const char *inode_child_role(const struct inode_node *p, enum inode_kind kind,
				    const char *name)
{
	return kind == INODE_ROLE ? name : p->role;
}

int inode_table_child(struct inode_table *t, uint64_t parent, const char *name,
		      struct inode_node **out)
{
	struct inode_node *p, *n;
	enum inode_kind kind;
	const char *policy;
	size_t plen;
	int r = 0;

	if (strlen(name) > INODE_NAME_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&t->lock);
	n = inode_find_locked(t, parent, name);
	if (n)
		goto out;
	p = inode_get_locked(t, parent);
	if (!p || !inode_kind_is_dir(p->kind)) {
		r = -ENOENT;
		goto out;
	}
	r = inode_classify(p->kind, name, &kind, &policy, &plen);
	if (r)
		goto out;
	r = inode_add_locked(t, parent, name, kind, inode_child_role(p, kind, name), policy, plen,
			     &n);
out:
	pthread_mutex_unlock(&t->lock);
	if (!r)
		*out = n;
	return r;
}

void inode_table_ref(struct inode_table *t, struct inode_node *n)
{
	pthread_mutex_lock(&t->lock);
	n->nlookup++;
	pthread_mutex_unlock(&t->lock);
}

void inode_table_forget(struct inode_table *t, uint64_t ino, uint64_t nlookup)
{
	struct inode_node *n;

	pthread_mutex_lock(&t->lock);
	n = inode_get_locked(t, ino);
	if (n && n->kind != INODE_ROOT)
		n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
	pthread_mutex_unlock(&t->lock);
}

uint64_t inode_table_nlookup(struct inode_table *t, const struct inode_node *n)
{
	uint64_t v;

	pthread_mutex_lock(&t->lock);
	v = n->nlookup;
	pthread_mutex_unlock(&t->lock);
	return v;
}

bool inode_table_known(struct inode_table *t, const struct inode_node *n)
{
	return inode_table_nlookup(t, n) > 0;
}

bool inode_table_serve(struct inode_table *t, struct inode_node *n, unsigned long long gen)
{
	bool same;

	pthread_mutex_lock(&t->lock);
	same = n->served_gen == gen;
	n->served_gen = gen;
	if (gen)
		n->seen_gen = gen;
	pthread_mutex_unlock(&t->lock);
	return same;
}

bool inode_table_open_begin(struct inode_table *t, struct inode_node *n, bool may_store)
{
	bool store;

	pthread_mutex_lock(&t->lock);
	store = may_store && n->open_state == INODE_OPEN_NEVER;
	if (store) {
		n->open_state = INODE_OPEN_STORING;
	} else {
		while (n->open_state == INODE_OPEN_STORING)
			pthread_cond_wait(&t->stored, &t->lock);
		n->open_state = INODE_OPEN_DONE;
	}
	pthread_mutex_unlock(&t->lock);
	return store;
}

void inode_table_open_end(struct inode_table *t, struct inode_node *n)
{
	pthread_mutex_lock(&t->lock);
	n->open_state = INODE_OPEN_DONE;
	pthread_cond_broadcast(&t->stored);
	pthread_mutex_unlock(&t->lock);
}

void inode_table_saved(struct inode_table *t, struct inode_node *n, unsigned long long gen)
{
	pthread_mutex_lock(&t->lock);
	n->served_gen = 0;
	n->seen_gen = gen;
	pthread_mutex_unlock(&t->lock);
}

unsigned long long inode_table_seen(struct inode_table *t, const struct inode_node *n)
{
	unsigned long long g;

	pthread_mutex_lock(&t->lock);
	g = n->seen_gen;
	pthread_mutex_unlock(&t->lock);
	return g;
}

static void inode_unhash_locked(struct inode_table *t, struct inode_node *n)
{
	uint32_t *pp = inode_bucket(t, n);
	struct inode_node *c;

	for (; (c = inode_slot(t, *pp)); pp = &c->hnext) {
		if (c == n) {
			*pp = n->hnext;
			n->hnext = 0;
			return;
		}
	}
}

int inode_table_move(struct inode_table *t, struct inode_node *n, uint64_t to, bool vacate)
{
	struct inode_node *fresh;
	int r = 0;

	pthread_mutex_lock(&t->lock);
	if (n->moved_to)
		goto out; /* moved already: its name has another node */
	/* The new node goes in first (ahead of n in its chain), so a failure changes nothing;
	 * it shares n's names, which live as long as the table. */
	if (vacate) {
		r = inode_add_locked(t, n->parent, n->name, (enum inode_kind)n->kind, n->role,
				     n->policy, n->policy ? strlen(n->policy) : 0, &fresh);
		if (r)
			goto out;
		fresh->vacated = true;
	}
	inode_unhash_locked(t, n);
	n->moved_to = to;
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

uint64_t inode_table_moved(struct inode_table *t, uint64_t ino)
{
	struct inode_node *n;
	uint64_t to = ino;

	pthread_mutex_lock(&t->lock);
	n = inode_get_locked(t, ino);
	if (n && n->moved_to)
		to = n->moved_to;
	pthread_mutex_unlock(&t->lock);
	return to;
}

bool inode_table_take_vacated(struct inode_table *t, struct inode_node *n)
{
	bool v;

	pthread_mutex_lock(&t->lock);
	v = n->vacated;
	n->vacated = false;
	pthread_mutex_unlock(&t->lock);
	return v;
}

size_t inode_table_count(struct inode_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->store.n;
	pthread_mutex_unlock(&t->lock);
	return n;
}
