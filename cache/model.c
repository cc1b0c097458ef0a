/*
 * Views and documents: construction, lookup, reference counting, the mtime
 * rules, the diff that drives kernel cache invalidation, and copy-on-write for
 * saves. Invariant of a published view: roles, inline and attached arrays are
 * sorted bytewise by name and nothing in it changes until the last ref goes.
 */
#include "cache/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/validate.h"

unsigned long long model_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

bool model_arn_is_aws_managed(const char *arn)
{
	const char *p = arn;
	int i;

	/* arn:PARTITION:iam::ACCOUNT:policy/... */
	for (i = 0; p && i < 4; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	return p && !strncmp(p, "aws:", 4);
}

const char *model_arn_name(const char *arn)
{
	const char *s = strrchr(arn, '/');

	return s ? s + 1 : arn;
}

struct cache_doc *model_doc_take(char *bytes, size_t len, long long mtime)
{
	struct cache_doc *d = calloc(1, sizeof(*d));

	if (!d) {
		free(bytes);
		return NULL;
	}
	d->refs = 1;
	d->bytes = bytes;
	d->len = len;
	d->mtime = mtime;
	d->gen = model_hash(bytes, len);
	return d;
}

struct cache_doc *model_doc_make(const char *bytes, size_t len, long long mtime,
				 unsigned long long gen)
{
	struct cache_doc *d;

	if (len > (size_t)-1 - sizeof(*d) - 1 || !(d = malloc(sizeof(*d) + len + 1)))
		return NULL;
	d->refs = 1;
	d->backing = NULL;
	d->bytes = (char *)(d + 1);
	memcpy(d->bytes, bytes, len);
	d->bytes[len] = '\0';
	d->len = len;
	d->mtime = mtime;
	d->gen = gen;
	return d;
}

struct cache_doc *model_doc_borrow(const char *bytes, size_t len, long long mtime,
				   unsigned long long gen, struct cache_backing *b)
{
	struct cache_doc *d = malloc(sizeof(*d));

	if (!d)
		return NULL;
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
	*d = (struct cache_doc){.refs = 1,
				.bytes = (char *)bytes,
				.len = len,
				.mtime = mtime,
				.gen = gen,
				.backing = b};
	return d;
}

void model_backing_put(struct cache_backing *b)
{
	if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
		b->release(b);
}

struct cache_doc *model_doc_new(const char *bytes, size_t len, long long mtime)
{
	return model_doc_make(bytes, len, mtime, model_hash(bytes, len));
}

bool model_doc_same(const struct cache_doc *a, const struct cache_doc *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return a->gen == b->gen && a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

void cache_doc_ref(struct cache_doc *d)
{
	if (d)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
}

void cache_doc_unref(struct cache_doc *d)
{
	if (!d || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (d->backing)
		model_backing_put(d->backing);
	else if (d->bytes != (char *)(d + 1))
		free(d->bytes);
	free(d);
}

void model_role_cleanup(struct cache_role *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ninl; i++) {
		free(r->inl[i].name);
		cache_doc_unref(r->inl[i].doc);
	}
	for (i = 0; i < r->natt; i++)
		model_att_clear(&r->att[i]);
	free(r->inl);
	free(r->att);
	free(r->name);
	cache_doc_unref(r->trust);
	cache_doc_unref(r->role_json);
	memset(r, 0, sizeof(*r));
}

int model_role_add_inline(struct cache_role *r, const char *name, struct cache_doc *doc)
{
	struct cache_inline *v = realloc(r->inl, (r->ninl + 1) * sizeof(*v));
	char *n = strdup(name);

	if (v)
		r->inl = v;
	if (!v || !n) {
		free(n);
		cache_doc_unref(doc);
		return -ENOMEM;
	}
	v[r->ninl].name = n;
	v[r->ninl].doc = doc;
	r->ninl++;
	return 0;
}

int model_att_names(struct cache_attached *a, const char *name, const char *arn)
{
	char *copy = strdup(arn), *n;

	if (!copy)
		return -ENOMEM;
	n = (char *)model_arn_name(copy);
	if (strcmp(n, name) && !(n = strdup(name))) {
		free(copy);
		return -ENOMEM;
	}
	a->name = n;
	a->arn = copy;
	return 0;
}

void model_att_clear(struct cache_attached *a)
{
	if (!a->arn || a->name != model_arn_name(a->arn))
		free(a->name);
	free(a->arn);
	cache_doc_unref(a->doc);
	a->name = a->arn = NULL;
	a->doc = NULL;
}

int model_role_add_attached(struct cache_role *r, const char *name, const char *arn,
			    struct cache_doc *doc)
{
	struct cache_attached *v = realloc(r->att, (r->natt + 1) * sizeof(*v));

	if (v)
		r->att = v;
	if (!v || model_att_names(&v[r->natt], name, arn)) {
		cache_doc_unref(doc);
		return -ENOMEM;
	}
	v[r->natt].aws_managed = model_arn_is_aws_managed(arn);
	v[r->natt].doc = doc;
	r->natt++;
	return 0;
}

static int model_cmp_role(const void *a, const void *b)
{
	return strcmp(((const struct cache_role *)a)->name, ((const struct cache_role *)b)->name);
}

static int model_cmp_inline(const void *a, const void *b)
{
	return strcmp(((const struct cache_inline *)a)->name,
		      ((const struct cache_inline *)b)->name);
}

static int model_cmp_attached(const void *a, const void *b)
{
	const struct cache_attached *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->arn, y->arn);
}

static void model_view_free(struct cache_view *v)
{
	size_t i;

	for (i = 0; i < v->nroles; i++)
		model_role_cleanup(&v->roles[i]);
	free(v->roles);
	free(v);
}

struct cache_view *model_view_new(struct cache_role *roles, size_t n, unsigned long long serial)
{
	struct cache_view *v = calloc(1, sizeof(*v));
	size_t i;

	if (!v) {
		for (i = 0; i < n; i++)
			model_role_cleanup(&roles[i]);
		free(roles);
		return NULL;
	}
	if (n) { /* exactly sized: a load grows its array by doubling */
		struct cache_role *exact = realloc(roles, n * sizeof(*roles));

		if (exact)
			roles = exact;
	}
	for (i = 0; i < n; i++) {
		if (roles[i].ninl > 1)
			qsort(roles[i].inl, roles[i].ninl, sizeof(*roles[i].inl), model_cmp_inline);
		if (roles[i].natt > 1)
			qsort(roles[i].att, roles[i].natt, sizeof(*roles[i].att),
			      model_cmp_attached);
	}
	if (n > 1)
		qsort(roles, n, sizeof(*roles), model_cmp_role);
	v->refs = 1;
	v->roles = roles;
	v->nroles = n;
	v->serial = serial;
	return v;
}

void cache_view_put(struct cache_view *v)
{
	if (v && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0)
		model_view_free(v);
}

const struct cache_role *cache_view_find(const struct cache_view *v, const char *role)
{
	struct cache_role key = {.name = (char *)role};

	if (!v || !role || !v->nroles)
		return NULL;
	return bsearch(&key, v->roles, v->nroles, sizeof(*v->roles), model_cmp_role);
}

const struct cache_inline *cache_role_find_inline(const struct cache_role *r, const char *name)
{
	struct cache_inline key = {.name = (char *)name};

	if (!r || !name || !r->ninl)
		return NULL;
	return bsearch(&key, r->inl, r->ninl, sizeof(*r->inl), model_cmp_inline);
}

const struct cache_attached *cache_role_find_attached(const struct cache_role *r, const char *name)
{
	size_t lo = 0, hi;

	if (!r || !name)
		return NULL;
	/* Lower bound by name: two attachments may share a name (AWS vs customer). */
	hi = r->natt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->att[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->natt && !strcmp(r->att[lo].name, name) ? &r->att[lo] : NULL;
}

/* Same JSON value (a saved file keeps the bytes it was saved with while IAM's
 * document is the same value in another layout), by the rule saves use. */
static bool model_json_same(const struct cache_doc *a, const struct cache_doc *b)
{
	return validate_same_value(a->bytes, a->len, b->bytes, b->len) == 1;
}

/* *slot becomes to (+1 ref), the document it held loses one. */
static void model_doc_swap(struct cache_doc **slot, struct cache_doc *to)
{
	cache_doc_ref(to);
	cache_doc_unref(*slot);
	*slot = to;
}

bool model_doc_trade(struct cache_doc **slot, struct cache_doc *from, bool with_mtime)
{
	if (!*slot || !from || *slot == from || (with_mtime && (*slot)->mtime != from->mtime) ||
	    !model_doc_same(*slot, from))
		return false;
	model_doc_swap(slot, from);
	return true;
}

/* Keeps old's document when it holds the same value; else stamps now. */
static void model_settle_doc(struct cache_doc **slot, struct cache_doc *old, long long now)
{
	if (!*slot || *slot == old)
		return;
	if (old && (model_doc_same(*slot, old) || model_json_same(*slot, old))) {
		model_doc_swap(slot, old);
		return;
	}
	(*slot)->mtime = now;
}

struct model_arn_doc {
	const char *arn;
	struct cache_doc *doc;
};

static int model_cmp_arn_doc(const void *a, const void *b)
{
	return strcmp(((const struct model_arn_doc *)a)->arn,
		      ((const struct model_arn_doc *)b)->arn);
}

/* Customer managed documents are shared: decide once per ARN, from old's copy. */
static void model_settle_attached(struct cache_view *nv, const struct cache_view *old)
{
	struct model_arn_doc *map;
	size_t i, j, n = 0;

	for (i = 0; old && i < old->nroles; i++)
		n += old->roles[i].natt;
	if (!n || !(map = calloc(n, sizeof(*map))))
		return;
	n = 0;
	for (i = 0; i < old->nroles; i++)
		for (j = 0; j < old->roles[i].natt; j++)
			if (old->roles[i].att[j].doc)
				map[n++] = (struct model_arn_doc){old->roles[i].att[j].arn,
								  old->roles[i].att[j].doc};
	qsort(map, n, sizeof(*map), model_cmp_arn_doc);
	for (i = 0; i < nv->nroles; i++) {
		for (j = 0; j < nv->roles[i].natt; j++) {
			struct cache_attached *a = &nv->roles[i].att[j];
			struct model_arn_doc key = {.arn = a->arn}, *m;

			m = n ? bsearch(&key, map, n, sizeof(*map), model_cmp_arn_doc) : NULL;
			if (!a->doc || !m || a->doc == m->doc)
				continue;
			if (model_doc_same(a->doc, m->doc) || model_json_same(a->doc, m->doc))
				model_doc_swap(&a->doc, m->doc);
		}
	}
	free(map);
}

void model_settle(struct cache_view *nv, const struct cache_view *old, long long now)
{
	size_t i, j;

	for (i = 0; i < nv->nroles; i++) {
		struct cache_role *r = &nv->roles[i];
		const struct cache_role *o = cache_view_find(old, r->name);

		if (!o || o->pending) /* new to IAM: keeps its CreateDate */
			continue;
		model_settle_doc(&r->trust, o->trust, now);
		model_settle_doc(&r->role_json, o->role_json, now);
		for (j = 0; j < r->ninl; j++) {
			const struct cache_inline *oi = cache_role_find_inline(o, r->inl[j].name);

			model_settle_doc(&r->inl[j].doc, oi ? oi->doc : NULL, now);
		}
	}
	model_settle_attached(nv, old);
}

struct model_emit {
	void (*fn)(void *ctx, const struct cache_change *ch);
	void *ctx;
	const char *role;
};

static void model_emit(struct model_emit *e, int what, enum cache_file_kind kind, const char *name)
{
	struct cache_change ch = {.role = e->role, .kind = kind, .name = name};

	ch.what = what;
	e->fn(e->ctx, &ch);
}

static void model_diff_inline(struct model_emit *e, const struct cache_role *a,
			      const struct cache_role *b)
{
	size_t i = 0, j = 0;

	while (i < a->ninl || j < b->ninl) {
		int c = i == a->ninl   ? 1
			: j == b->ninl ? -1
				       : strcmp(a->inl[i].name, b->inl[j].name);

		if (c < 0) {
			model_emit(e, CACHE_CHANGE_FILE_REMOVED, CACHE_FILE_INLINE,
				   a->inl[i++].name);
		} else if (c > 0) {
			model_emit(e, CACHE_CHANGE_FILE_ADDED, CACHE_FILE_INLINE, b->inl[j++].name);
		} else {
			if (!model_doc_same(a->inl[i].doc, b->inl[j].doc))
				model_emit(e, CACHE_CHANGE_FILE_CHANGED, CACHE_FILE_INLINE,
					   b->inl[j].name);
			i++;
			j++;
		}
	}
}

static bool model_att_same(const struct cache_attached *x, const struct cache_attached *y)
{
	if (strcmp(x->arn, y->arn) || x->aws_managed != y->aws_managed)
		return false;
	return x->aws_managed || model_doc_same(x->doc, y->doc);
}

static void model_diff_attached(struct model_emit *e, const struct cache_role *a,
				const struct cache_role *b)
{
	size_t i = 0, j = 0;

	while (i < a->natt || j < b->natt) {
		int c = i == a->natt   ? 1
			: j == b->natt ? -1
				       : strcmp(a->att[i].name, b->att[j].name);

		if (c < 0) {
			model_emit(e, CACHE_CHANGE_FILE_REMOVED, CACHE_FILE_ATTACHED,
				   a->att[i++].name);
		} else if (c > 0) {
			model_emit(e, CACHE_CHANGE_FILE_ADDED, CACHE_FILE_ATTACHED,
				   b->att[j++].name);
		} else {
			if (!model_att_same(&a->att[i], &b->att[j]))
				model_emit(e, CACHE_CHANGE_FILE_CHANGED, CACHE_FILE_ATTACHED,
					   b->att[j].name);
			i++;
			j++;
		}
	}
}

static bool model_same_doc(const struct cache_doc *a, const struct cache_doc *b)
{
	return a == b || (a && b && a->mtime == b->mtime && model_doc_same(a, b));
}

bool model_role_same(const struct cache_role *a, const struct cache_role *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->mtime != b->mtime || a->pending != b->pending ||
	    a->ninl != b->ninl || a->natt != b->natt || !model_same_doc(a->trust, b->trust) ||
	    !model_same_doc(a->role_json, b->role_json))
		return false;
	for (i = 0; i < a->ninl; i++)
		if (strcmp(a->inl[i].name, b->inl[i].name) ||
		    !model_same_doc(a->inl[i].doc, b->inl[i].doc))
			return false;
	for (i = 0; i < a->natt; i++)
		if (strcmp(a->att[i].name, b->att[i].name) ||
		    strcmp(a->att[i].arn, b->att[i].arn) ||
		    a->att[i].aws_managed != b->att[i].aws_managed ||
		    !model_same_doc(a->att[i].doc, b->att[i].doc))
			return false;
	return true;
}

bool model_view_same(const struct cache_view *a, const struct cache_view *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->nroles != b->nroles)
		return false;
	for (size_t i = 0; i < a->nroles; i++)
		if (!model_role_same(&a->roles[i], &b->roles[i]))
			return false;
	return true;
}

void model_diff(const struct cache_view *old, const struct cache_view *nv,
		void (*fn)(void *ctx, const struct cache_change *ch), void *ctx)
{
	size_t na = old ? old->nroles : 0, nb = nv ? nv->nroles : 0, i = 0, j = 0;
	struct model_emit e = {.fn = fn, .ctx = ctx};

	while (i < na || j < nb) {
		const struct cache_role *a = i < na ? &old->roles[i] : NULL;
		const struct cache_role *b = j < nb ? &nv->roles[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->name, b->name);

		if (c < 0) {
			e.role = a->name;
			model_emit(&e, CACHE_CHANGE_ROLE_REMOVED, CACHE_FILE_ROLE, NULL);
			i++;
			continue;
		}
		if (c > 0) {
			e.role = b->name;
			model_emit(&e, CACHE_CHANGE_ROLE_ADDED, CACHE_FILE_ROLE, NULL);
			j++;
			continue;
		}
		e.role = b->name;
		if (a->pending != b->pending) /* its folders appear: the kernel looks again */
			model_emit(&e, CACHE_CHANGE_ROLE_ADDED, CACHE_FILE_ROLE, NULL);
		if (!model_doc_same(a->trust, b->trust))
			model_emit(&e, CACHE_CHANGE_FILE_CHANGED, CACHE_FILE_TRUST, NULL);
		if (!model_doc_same(a->role_json, b->role_json))
			model_emit(&e, CACHE_CHANGE_FILE_CHANGED, CACHE_FILE_ROLE, NULL);
		model_diff_inline(&e, a, b);
		model_diff_attached(&e, a, b);
		i++;
		j++;
	}
}

int model_role_copy(struct cache_role *dst, const struct cache_role *src)
{
	size_t i;
	int rc = 0;

	memset(dst, 0, sizeof(*dst));
	if (!(dst->name = strdup(src->name)))
		return -ENOMEM;
	dst->mtime = src->mtime;
	dst->pending = src->pending;
	dst->trust = src->trust;
	dst->role_json = src->role_json;
	cache_doc_ref(dst->trust);
	cache_doc_ref(dst->role_json);
	for (i = 0; !rc && i < src->ninl; i++) {
		cache_doc_ref(src->inl[i].doc);
		rc = model_role_add_inline(dst, src->inl[i].name, src->inl[i].doc);
	}
	for (i = 0; !rc && i < src->natt; i++) {
		cache_doc_ref(src->att[i].doc);
		rc = model_role_add_attached(dst, src->att[i].name, src->att[i].arn,
					     src->att[i].doc);
		if (!rc)
			dst->att[dst->natt - 1].aws_managed = src->att[i].aws_managed;
	}
	if (rc)
		model_role_cleanup(dst);
	return rc;
}

static int model_replace_inline(struct cache_role *r, const char *name, struct cache_doc *doc)
{
	size_t i;

	for (i = 0; i < r->ninl && strcmp(r->inl[i].name, name); i++)
		;
	if (i == r->ninl) {
		if (!doc)
			return -ENOENT;
		cache_doc_ref(doc);
		return model_role_add_inline(r, name, doc);
	}
	cache_doc_unref(r->inl[i].doc);
	if (doc) {
		cache_doc_ref(doc);
		r->inl[i].doc = doc;
		return 0;
	}
	free(r->inl[i].name);
	memmove(&r->inl[i], &r->inl[i + 1], (r->ninl - i - 1) * sizeof(*r->inl));
	r->ninl--;
	return 0;
}

static int model_replace_in_role(struct cache_role *r, enum cache_file_kind kind, const char *name,
				 struct cache_doc *doc, size_t *hits)
{
	struct cache_doc **slot = kind == CACHE_FILE_TRUST ? &r->trust : &r->role_json;
	size_t i;

	if (kind == CACHE_FILE_INLINE)
		return model_replace_inline(r, name, doc);
	if (kind == CACHE_FILE_ATTACHED) {
		for (i = 0; i < r->natt; i++) {
			if (strcmp(r->att[i].arn, name))
				continue;
			cache_doc_unref(r->att[i].doc);
			cache_doc_ref(doc);
			r->att[i].doc = doc;
			(*hits)++;
		}
		return 0;
	}
	if (!doc)
		return -EINVAL;
	cache_doc_unref(*slot);
	cache_doc_ref(doc);
	*slot = doc;
	return 0;
}

int model_view_apply(struct cache_view *v, const char *role, enum cache_file_kind kind,
		     const char *name, struct cache_doc *doc)
{
	struct cache_role *r;
	size_t hits = 0;
	int rc;

	if (kind == CACHE_FILE_ATTACHED) {
		for (size_t i = 0; i < v->nroles; i++)
			model_replace_in_role(&v->roles[i], kind, name, doc, &hits);
		return hits ? 0 : -ENOENT;
	}
	r = (struct cache_role *)cache_view_find(v, role);
	if (!r)
		return -ENOENT;
	rc = model_replace_in_role(r, kind, name, doc, &hits);
	if (rc)
		return rc;
	if (r->ninl > 1) /* an added policy goes last */
		qsort(r->inl, r->ninl, sizeof(*r->inl), model_cmp_inline);
	return 0;
}
