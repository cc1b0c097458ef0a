/*
 * The helper file table of helper.h: helpers in an array under one lock, indexed
 * by two chained hashes (number; folder and name, linked helpers only), so
 * lookups cost the same with 20,000 helpers as with a few, and a listing resumes
 * from a cursor (linear in the table). Content and symlink targets are wbufs;
 * extended attributes a short array each, counted with the content against the
 * table's cap. A helper is freed once unlinked (or detached) and not looked up.
 */
#include "fs/helper.h"

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "fs/wbuf.h"

#define HELPER_NAME_MAX 255

struct helper {
	uint64_t ino, parent, alias;
	char *name;
	bool linked;
	uint64_t nlookup;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
	struct wbuf data;
	size_t idx;			     /* in the table's v */
	struct helper *ino_next, *name_next; /* hash chains (name: while linked) */
};

/* Where the last listing stopped: v[k] is entry i of folder parent, valid while
 * the table's version is ver. */
struct helper_cursor {
	uint64_t parent;
	size_t i, k;
	unsigned long long ver;
};

struct helper_table {
	pthread_mutex_t lock;
	struct helper **v;
	size_t n, cap;
	struct helper **by_ino, **by_name; /* nb buckets each */
	size_t nb;			   /* a power of two, >= n */
	size_t total;			   /* content bytes of every helper */
	size_t max;			   /* cap on total */
	uint64_t next_ino;
	unsigned long long ver; /* moves when v's order or a linked name changes */
	struct helper_cursor cur;
	unsigned long long scanned; /* entries listings looked at (helper_list_cost) */
};

bool helper_is_ino(uint64_t ino)
{
	return (ino & (HELPER_INO_RANGE - 1)) >= HELPER_INO_BASE;
}

int helper_table_new_capped(size_t cap, struct helper_table **out)
{
	struct helper_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->next_ino = HELPER_INO_BASE;
	t->max = cap;
	t->ver = 1;
	*out = t;
	return 0;
}

int helper_table_new(struct helper_table **out)
{
	return helper_table_new_capped(HELPER_TOTAL_MAX, out);
}

int helper_table_new_at(uint64_t base, struct helper_table **out)
{
	int r = helper_table_new_capped(HELPER_TOTAL_MAX, out);

	if (!r)
		(*out)->next_ino = base + HELPER_INO_BASE;
	return r;
}

static void helper_free(struct helper *h)
{
	wbuf_cleanup(&h->data);
	free(h->name);
	free(h);
}

void helper_table_free(struct helper_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		helper_free(t->v[i]);
	free(t->v);
	free(t->by_ino);
	free(t->by_name);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static size_t helper_name_hash(uint64_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ parent;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return (size_t)h;
}

static struct helper **helper_ino_slot(struct helper_table *t, uint64_t ino)
{
	return &t->by_ino[(size_t)(ino * 11400714819323198485ull >> 20) & (t->nb - 1)];
}

static struct helper **helper_name_slot(struct helper_table *t, uint64_t parent, const char *name)
{
	return &t->by_name[helper_name_hash(parent, name) & (t->nb - 1)];
}

static struct helper *helper_by_name(struct helper_table *t, uint64_t parent, const char *name)
{
	struct helper *h = t->nb ? *helper_name_slot(t, parent, name) : NULL;

	for (; h; h = h->name_next) {
		if (h->parent == parent && !strcmp(h->name, name))
			return h;
	}
	return NULL;
}

static struct helper *helper_by_ino(struct helper_table *t, uint64_t ino)
{
	struct helper *h = t->nb ? *helper_ino_slot(t, ino) : NULL;

	for (; h && h->ino != ino; h = h->ino_next)
		;
	return h;
}

/* Enters h, linked, under its folder and name. Under the lock. */
static void helper_name_add(struct helper_table *t, struct helper *h)
{
	struct helper **slot = helper_name_slot(t, h->parent, h->name);

	h->name_next = *slot;
	*slot = h;
	t->ver++;
}

/* Takes h out of the name index and unlinks it. Under the lock. */
static void helper_name_del(struct helper_table *t, struct helper *h)
{
	struct helper **p = helper_name_slot(t, h->parent, h->name);

	for (; *p && *p != h; p = &(*p)->name_next)
		;
	if (*p)
		*p = h->name_next;
	h->name_next = NULL;
	h->linked = false;
	t->ver++;
}

/* Doubles the buckets and rehashes when they are as many as the helpers. */
static int helper_index_grow(struct helper_table *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	struct helper **bi, **bn;

	if (t->n < t->nb)
		return 0;
	bi = calloc(nb, sizeof(*bi));
	bn = calloc(nb, sizeof(*bn));
	if (!bi || !bn) {
		free(bi);
		free(bn);
		return -ENOMEM;
	}
	free(t->by_ino);
	free(t->by_name);
	t->by_ino = bi;
	t->by_name = bn;
	t->nb = nb;
	for (size_t i = 0; i < t->n; i++) {
		struct helper *h = t->v[i], **slot = helper_ino_slot(t, h->ino);

		h->ino_next = *slot;
		*slot = h;
		if (h->linked)
			helper_name_add(t, h);
	}
	return 0;
}

/* Frees h when nothing refers to it any more. Under the lock. */
static void helper_maybe_free(struct helper_table *t, struct helper *h)
{
	struct helper **p;

	if (h->linked || h->nlookup)
		return;
	for (p = helper_ino_slot(t, h->ino); *p && *p != h; p = &(*p)->ino_next)
		;
	if (*p)
		*p = h->ino_next;
	t->v[h->idx] = t->v[--t->n];
	t->v[h->idx]->idx = h->idx;
	t->ver++;
	t->total -= h->data.len;
	helper_free(h);
}

static void helper_fill(const struct helper *h, struct helper_attr *out)
{
	out->ino = h->ino;
	out->mode = h->mode;
	out->uid = h->uid;
	out->gid = h->gid;
	out->size = h->data.len;
	out->atime = h->atime;
	out->mtime = h->mtime;
	out->ctime = h->ctime;
	out->alias = h->alias;
}

int helper_lookup(struct helper_table *t, uint64_t parent, const char *name, bool ref,
		  struct helper_attr *out)
{
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_name(t, parent, name);
	if (h) {
		if (ref)
			h->nlookup++;
		helper_fill(h, out);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static struct helper *helper_new(struct helper_table *t, uint64_t parent, const char *name,
				 mode_t mode, uid_t uid, gid_t gid)
{
	struct helper *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->name = strdup(name);
	if (!h->name) {
		free(h);
		return NULL;
	}
	wbuf_init(&h->data, HELPER_FILE_MAX);
	h->parent = parent;
	h->mode = mode;
	h->uid = uid;
	h->gid = gid;
	h->linked = true;
	clock_gettime(CLOCK_REALTIME, &h->mtime);
	h->atime = h->ctime = h->mtime;
	return h;
}

/* Adds h to the table and numbers it. Under the lock. */
static int helper_insert(struct helper_table *t, struct helper *h)
{
	struct helper **slot;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct helper **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (helper_index_grow(t))
		return -ENOMEM;
	h->ino = t->next_ino++;
	h->idx = t->n;
	t->v[t->n++] = h;
	slot = helper_ino_slot(t, h->ino);
	h->ino_next = *slot;
	*slot = h;
	helper_name_add(t, h);
	return 0;
}

int helper_create(struct helper_table *t, uint64_t parent, const char *name, mode_t mode, uid_t uid,
		  gid_t gid, const void *bytes, size_t len, bool excl, bool ref,
		  struct helper_attr *out)
{
	struct helper *h, *old;
	int r;

	if (strlen(name) > HELPER_NAME_MAX)
		return -ENAMETOOLONG;
	h = helper_new(t, parent, name, mode, uid, gid);
	if (!h)
		return -ENOMEM;
	r = wbuf_set(&h->data, bytes, len);
	if (r) {
		helper_free(h);
		return r;
	}
	pthread_mutex_lock(&t->lock);
	old = helper_by_name(t, parent, name);
	if (old && excl) {
		r = -EEXIST;
	} else if (t->total + len > t->max) {
		r = -ENOSPC;
	} else {
		/* h goes first in the name's chain; old then leaves it. */
		r = helper_insert(t, h);
		if (!r)
			t->total += len;
		if (!r && old) {
			helper_name_del(t, old);
			helper_maybe_free(t, old);
		}
	}
	if (!r) {
		if (ref)
			h->nlookup++;
		helper_fill(h, out);
	}
	pthread_mutex_unlock(&t->lock);
	if (r)
		helper_free(h);
	return r;
}

int helper_getattr(struct helper_table *t, uint64_t ino, struct helper_attr *out)
{
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		helper_fill(h, out);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* Writes n bytes at off (p set) or truncates to end (p NULL), keeping the table's
 * total and its cap. Under the lock. */
static int helper_resize(struct helper_table *t, struct helper *h, off_t end, off_t off,
			 const void *p, size_t n)
{
	size_t before = h->data.len, after = (size_t)end;
	int r;

	if (end < 0 || off < 0)
		return -EINVAL;
	if (p && after < before)
		after = before;
	if (after > before && t->total + (after - before) > t->max)
		return -ENOSPC;
	r = p ? wbuf_write(&h->data, off, p, n) : wbuf_truncate(&h->data, end);
	if (!r)
		t->total = t->total - before + h->data.len;
	return r;
}

static void helper_apply(struct helper *h, const struct stat *st, int to_set,
			 const struct timespec *now)
{
	if (to_set & FUSE_SET_ATTR_MODE)
		h->mode = (h->mode & S_IFMT) | (st->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		h->uid = st->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		h->gid = st->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME)
		h->atime = (to_set & FUSE_SET_ATTR_ATIME_NOW) ? *now : st->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME)
		h->mtime = (to_set & FUSE_SET_ATTR_MTIME_NOW) ? *now : st->st_mtim;
	h->ctime = *now;
}

int helper_setattr(struct helper_table *t, uint64_t ino, const struct stat *st, int to_set,
		   struct helper_attr *out)
{
	struct timespec now;
	struct helper *h;
	int r = -ENOENT;

	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		r = 0;
		if (to_set & FUSE_SET_ATTR_SIZE) {
			r = helper_resize(t, h, st->st_size, 0, NULL, 0);
			if (!r)
				h->mtime = now;
		}
		if (!r) {
			helper_apply(h, st, to_set, &now);
			helper_fill(h, out);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int helper_read(struct helper_table *t, uint64_t ino, off_t off, size_t size, char *dst, size_t *n)
{
	const char *p;
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		*n = wbuf_read(&h->data, off, size, &p);
		if (*n)
			memcpy(dst, p, *n);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int helper_write(struct helper_table *t, uint64_t ino, off_t off, const void *p, size_t n)
{
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		r = helper_resize(t, h, off + (off_t)n, off, p, n);
		if (!r) {
			clock_gettime(CLOCK_REALTIME, &h->mtime);
			h->ctime = h->mtime;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int helper_copy(struct helper_table *t, uint64_t parent, const char *name, char **bytes,
		size_t *len, uint64_t *ino)
{
	struct helper *h;
	char *p = NULL;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_name(t, parent, name);
	if (h && !S_ISREG(h->mode)) {
		r = -EINVAL;
	} else if (h) {
		p = malloc(h->data.len ? h->data.len : 1);
		r = p ? 0 : -ENOMEM;
		if (p && h->data.len)
			memcpy(p, h->data.data, h->data.len);
		if (p) {
			*len = h->data.len;
			*ino = h->ino;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (!r)
		*bytes = p;
	return r;
}

int helper_unlink(struct helper_table *t, uint64_t parent, const char *name)
{
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_by_name(t, parent, name);
	if (h) {
		helper_name_del(t, h);
		helper_maybe_free(t, h);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int helper_rename(struct helper_table *t, uint64_t parent, const char *name, uint64_t newparent,
		  const char *newname, bool noreplace)
{
	struct helper *h, *old;
	char *nn;
	int r = 0;

	if (strlen(newname) > HELPER_NAME_MAX)
		return -ENAMETOOLONG;
	nn = strdup(newname);
	if (!nn)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	h = helper_by_name(t, parent, name);
	old = helper_by_name(t, newparent, newname);
	if (!h)
		r = -ENOENT;
	else if (old == h)
		r = 0;
	else if (old && noreplace)
		r = -EEXIST;
	if (!r && h && old != h) {
		if (old) {
			helper_name_del(t, old);
			helper_maybe_free(t, old);
		}
		helper_name_del(t, h);
		free(h->name);
		h->name = nn;
		nn = NULL;
		h->parent = newparent;
		h->linked = true;
		helper_name_add(t, h);
		clock_gettime(CLOCK_REALTIME, &h->ctime);
	}
	pthread_mutex_unlock(&t->lock);
	free(nn);
	return r;
}

void helper_detach(struct helper_table *t, uint64_t ino, uint64_t alias)
{
	struct helper *h;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		h->alias = alias;
		if (h->linked)
			helper_name_del(t, h);
		helper_maybe_free(t, h);
	}
	pthread_mutex_unlock(&t->lock);
}

/* Linked helper i of parent, resuming from the cursor when it is still good and
 * not past i (readdir asks for i, i + 1, ..., and again for an entry that did not
 * fit). Under the lock. */
static struct helper *helper_nth(struct helper_table *t, uint64_t parent, size_t i)
{
	size_t k = 0, seen = 0;

	if (t->cur.ver == t->ver && t->cur.parent == parent && t->cur.i <= i) {
		k = t->cur.k;
		seen = t->cur.i;
	}
	for (; k < t->n; k++) {
		struct helper *h = t->v[k];

		t->scanned++;
		if (!h->linked || h->parent != parent || seen++ < i)
			continue;
		t->cur = (struct helper_cursor){.parent = parent, .i = i, .k = k, .ver = t->ver};
		return h;
	}
	return NULL;
}

unsigned long long helper_list_cost(struct helper_table *t)
{
	unsigned long long n;

	pthread_mutex_lock(&t->lock);
	n = t->scanned;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int helper_list(struct helper_table *t, uint64_t parent, size_t i, char *name, size_t cap,
		struct helper_attr *out)
{
	struct helper *h;
	int r = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = helper_nth(t, parent, i);
	if (h) {
		snprintf(name, cap, "%s", h->name);
		helper_fill(h, out);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

size_t helper_total(struct helper_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->total;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void helper_ref(struct helper_table *t, uint64_t ino)
{
	struct helper *h;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h)
		h->nlookup++;
	pthread_mutex_unlock(&t->lock);
}

void helper_forget(struct helper_table *t, uint64_t ino, uint64_t nlookup)
{
	struct helper *h;

	pthread_mutex_lock(&t->lock);
	h = helper_by_ino(t, ino);
	if (h) {
		h->nlookup = nlookup > h->nlookup ? 0 : h->nlookup - nlookup;
		helper_maybe_free(t, h);
	}
	pthread_mutex_unlock(&t->lock);
}
