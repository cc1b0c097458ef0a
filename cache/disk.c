/*
 * The disk copy: one binary file per account, written as a stream of
 * little-endian, length-prefixed records (a 64 KiB buffer flushed to the temp
 * file and checksummed on the way, so no second copy of the account is built):
 * a 32-byte header written last (format line, body length, checksum), then the
 * account, caller and load time, the customer managed documents once per ARN,
 * the AWS managed ones, and the roles; every string ends in a NUL. Read back by
 * mapping the file read-only: once the header and checksum hold, a bounds-checked
 * walk builds the view, and the documents point into the mapping instead of
 * copying it (a refcounted backing unmaps it with the last one). The index is JSON.
 */
#include "cache/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/buf.h"
#include "cache/cachedir.h"
#include "cache/model.h"

#define DISK_FLUSH (64u << 10)
#define DISK_VIEW  "view.json" /* the name of format 1, kept so it is replaced in place */
#define DISK_INDEX "index.json"
/* Header: DISK_FORMAT "\n" NUL-padded to 16 bytes, u64 body length, u64 checksum. */
#define DISK_HASH0 0xcbf29ce484222325ULL

/* The checksum: FNV-1a's step over 64-bit little-endian words with a final
 * partial word zero-padded, plus a fold; streamed through struct disk_sum so chunk
 * boundaries do not matter. */
struct disk_sum {
	unsigned long long h;
	unsigned char tail[8];
	size_t ntail;
	unsigned long long n;
};

static unsigned long long disk_word(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static unsigned long long disk_mix(unsigned long long h, unsigned long long w)
{
	h ^= w;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static void disk_sum_add(struct disk_sum *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->n += n;
	while (s->ntail && n) {
		s->tail[s->ntail++] = *p++;
		n--;
		if (s->ntail == 8) {
			s->h = disk_mix(s->h, disk_word(s->tail));
			s->ntail = 0;
		}
	}
	for (; n >= 8; p += 8, n -= 8)
		s->h = disk_mix(s->h, disk_word(p));
	memcpy(s->tail, p, n);
	s->ntail += n;
}

static unsigned long long disk_sum_end(struct disk_sum *s)
{
	unsigned char t[8] = {0};

	memcpy(t, s->tail, s->ntail);
	return disk_mix(disk_mix(s->h, disk_word(t)), s->n);
}

unsigned long long disk_checksum(const void *body, size_t len)
{
	struct disk_sum s = {.h = DISK_HASH0};

	disk_sum_add(&s, body, len);
	return disk_sum_end(&s);
}

struct disk_w {
	int fd;
	int rc;
	struct buf b;
	struct disk_sum sum; /* of everything flushed since the header */
};

static void disk_flush(struct disk_w *w)
{
	size_t off = 0;

	disk_sum_add(&w->sum, w->b.data, w->b.len);
	while (!w->rc && off < w->b.len) {
		ssize_t k = write(w->fd, w->b.data + off, w->b.len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			w->rc = -errno;
		else
			off += (size_t)k;
	}
	buf_reset(&w->b);
}

static void disk_put(struct disk_w *w, const void *p, size_t n)
{
	if (!w->rc)
		w->rc = buf_append(&w->b, p, n);
	if (w->b.len >= DISK_FLUSH)
		disk_flush(w);
}

static void disk_puts(struct disk_w *w, const char *s)
{
	disk_put(w, s, strlen(s));
}

static void disk_le(unsigned char *out, unsigned long long v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(v >> (8 * i));
}

static void disk_u64(struct disk_w *w, unsigned long long v)
{
	unsigned char b[8];

	disk_le(b, v, 8);
	disk_put(w, b, 8);
}

static void disk_u32(struct disk_w *w, size_t v)
{
	unsigned char b[4];

	if (v > UINT32_MAX && !w->rc)
		w->rc = -EFBIG;
	disk_le(b, v, 4);
	disk_put(w, b, 4);
}

/* A string: u32 length, the bytes, a NUL (so the reader can point into the file). */
static void disk_str(struct disk_w *w, const char *s, size_t len)
{
	disk_u32(w, len);
	disk_put(w, s ? s : "", s ? len : 0);
	disk_put(w, "", 1);
}

static void disk_cstr(struct disk_w *w, const char *s)
{
	disk_str(w, s, s ? strlen(s) : 0);
}

/* A document: u8 present, then i64 mtime, u64 gen, the bytes as a string. */
static void disk_doc(struct disk_w *w, const struct cache_doc *d)
{
	disk_put(w, d ? "\1" : "", 1);
	if (!d)
		return;
	disk_u64(w, (unsigned long long)d->mtime);
	disk_u64(w, d->gen);
	disk_str(w, d->bytes, d->len);
}

/* Writes folder/name through fn, atomically: a fresh temporary name, then renameat. */
static int disk_atomic(const char *folder, const char *name, void (*fn)(struct disk_w *, void *),
		       void *ctx)
{
	char prefix[NAME_MAX + 1], tmp[NAME_MAX + 1];
	struct disk_w w = {.fd = -1};
	int dfd, rc;

	if ((size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp.%ld.", name, (long)getpid()) >=
	    sizeof(prefix))
		return -ENAMETOOLONG;
	if ((rc = cachedir_open(folder, true, &dfd, NULL, 0)))
		return rc;
	if ((rc = cachedir_create(dfd, prefix, tmp, sizeof(tmp), &w.fd)))
		goto out;
	buf_init(&w.b, DISK_FLUSH * 2 + (16u << 20));
	fn(&w, ctx);
	disk_flush(&w);
	buf_cleanup(&w.b);
	if (!w.rc && fsync(w.fd))
		w.rc = -errno;
	if (close(w.fd) && !w.rc)
		w.rc = -errno;
	if (!w.rc && renameat(dfd, tmp, dfd, name))
		w.rc = -errno;
	if (w.rc)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
	rc = w.rc;
out:
	close(dfd);
	return rc;
}

struct disk_view_ctx {
	const struct cache_view *v;
	const struct disk_managed *m;
	size_t nm;
	const struct disk_meta *meta;
	struct disk_managed *pols; /* customer managed, by ARN (borrowed pointers) */
	size_t npols;
};

static void disk_write_role(struct disk_w *w, const struct cache_role *r)
{
	size_t i;

	disk_cstr(w, r->name);
	disk_u64(w, (unsigned long long)r->mtime);
	disk_doc(w, r->trust);
	disk_doc(w, r->role_json);
	disk_u32(w, r->ninl);
	for (i = 0; i < r->ninl; i++) {
		disk_cstr(w, r->inl[i].name);
		disk_doc(w, r->inl[i].doc);
	}
	disk_u32(w, r->natt);
	for (i = 0; i < r->natt; i++) {
		disk_cstr(w, r->att[i].name);
		disk_cstr(w, r->att[i].arn);
	}
}

/* Sorted (arn, doc) pairs, each ARN once: u32 count, then the pairs. */
static void disk_write_pairs(struct disk_w *w, const struct disk_managed *m, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += !i || strcmp(m[i].arn, m[i - 1].arn);
	disk_u32(w, k);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(m[i].arn, m[i - 1].arn))
			continue;
		disk_cstr(w, m[i].arn);
		disk_doc(w, m[i].doc);
	}
}

/* The header goes in last, over the placeholder, once the body's hash is known. */
static void disk_write_head(struct disk_w *w)
{
	unsigned char h[DISK_HEAD_LEN] = {0};

	disk_flush(w);
	memcpy(h, DISK_FORMAT "\n", sizeof(DISK_FORMAT));
	disk_le(h + DISK_MAGIC_LEN, w->sum.n, 8);
	disk_le(h + DISK_MAGIC_LEN + 8, disk_sum_end(&w->sum), 8);
	if (!w->rc && pwrite(w->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		w->rc = -EIO;
}

static void disk_write_view(struct disk_w *w, void *ctx)
{
	struct disk_view_ctx *x = ctx;
	unsigned char zero[DISK_HEAD_LEN] = {0};
	size_t i;

	disk_put(w, zero, sizeof(zero));
	disk_flush(w);
	memset(&w->sum, 0, sizeof(w->sum));
	w->sum.h = DISK_HASH0;
	disk_cstr(w, x->meta->account);
	disk_cstr(w, x->meta->caller_arn);
	disk_u64(w, (unsigned long long)x->meta->last_load);
	disk_write_pairs(w, x->pols, x->npols);
	disk_write_pairs(w, x->m, x->nm);
	disk_u32(w, x->v->nroles);
	for (i = 0; i < x->v->nroles; i++)
		disk_write_role(w, &x->v->roles[i]);
	disk_write_head(w);
}

static int disk_cmp_arn(const void *a, const void *b)
{
	return strcmp(((const struct disk_managed *)a)->arn, ((const struct disk_managed *)b)->arn);
}

int disk_write(const char *folder, const struct cache_view *v, const struct disk_managed *m,
	       size_t nm, const struct disk_meta *meta)
{
	struct disk_view_ctx x = {.v = v, .m = m, .nm = nm, .meta = meta};
	size_t i, j, n = 0;
	int rc;

	for (i = 0; i < v->nroles; i++)
		n += v->roles[i].natt;
	if (n && !(x.pols = calloc(n, sizeof(*x.pols))))
		return -ENOMEM;
	for (i = 0; i < v->nroles; i++) {
		for (j = 0; j < v->roles[i].natt; j++) {
			const struct cache_attached *a = &v->roles[i].att[j];

			if (a->aws_managed || !a->doc)
				continue;
			x.pols[x.npols].arn = a->arn;
			x.pols[x.npols++].doc = a->doc;
		}
	}
	if (x.npols > 1)
		qsort(x.pols, x.npols, sizeof(*x.pols), disk_cmp_arn);
	rc = disk_atomic(folder, DISK_VIEW, disk_write_view, &x);
	free(x.pols);
	return rc;
}

void disk_managed_free(struct disk_managed *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++) {
		free(m[i].arn);
		cache_doc_unref(m[i].doc);
	}
	free(m);
}

void disk_meta_cleanup(struct disk_meta *meta)
{
	if (!meta)
		return;
	free(meta->account);
	free(meta->caller_arn);
	memset(meta, 0, sizeof(*meta));
}

/* Maps a whole file (capped) read-only, populated from the page cache. An empty
 * file maps to "" (unmap with disk_unmap). name is in dfd. */
static int disk_map(int dfd, const char *name, const char **out, size_t *len)
{
	struct stat st;
	void *p = NULL;
	int fd, rc = cachedir_open_file(dfd, name, O_RDONLY, &fd);

	if (rc)
		return rc;
	if (fstat(fd, &st))
		rc = -errno;
	else if ((unsigned long long)st.st_size > DISK_MAX_FILE)
		rc = -EFBIG;
	else if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED)
			rc = -errno;
	}
	close(fd);
	if (rc)
		return rc;
	*out = p ? p : "";
	*len = p ? (size_t)st.st_size : 0;
	return 0;
}

static void disk_unmap(const char *p, size_t len)
{
	if (len)
		munmap((void *)p, len);
}

/* The disk copy's mapping, kept while documents point into it: a remount's
 * documents are not copied, which spares the fresh pages a copy would fault in
 * (most of a remount's time). The copy is replaced by rename, never rewritten in
 * place, so the mapped file stays as it was. */
struct disk_mapping {
	struct cache_backing b;
	const char *addr;
	size_t len;
};

static void disk_mapping_release(struct cache_backing *b)
{
	struct disk_mapping *mp = (struct disk_mapping *)b;

	disk_unmap(mp->addr, mp->len);
	free(mp);
}

static const char *disk_str_of(const cJSON *o, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The body being walked; bad is set by the first read past the end. */
struct disk_r {
	const unsigned char *p, *end;
	bool bad;
	struct cache_backing *backing; /* what the bytes are mapped in */
};

static unsigned long long disk_r_le(struct disk_r *r, int n)
{
	unsigned long long v = 0;
	int i;

	if (r->bad || r->end - r->p < n) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (unsigned long long)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/* A string written by disk_str: points into the body (NUL-terminated there). */
static const char *disk_r_str(struct disk_r *r, size_t *len)
{
	size_t n = (size_t)disk_r_le(r, 4);
	const char *s = (const char *)r->p;

	if (r->bad || (size_t)(r->end - r->p) <= n || r->p[n] != '\0') {
		r->bad = true;
		return NULL;
	}
	r->p += n + 1;
	if (len)
		*len = n;
	return s;
}

/* A name: a string with no NUL inside. */
static const char *disk_r_name(struct disk_r *r)
{
	size_t n = 0;
	const char *s = disk_r_str(r, &n);

	if (s && memchr(s, '\0', n))
		r->bad = true;
	return r->bad ? NULL : s;
}

/* A document written by disk_doc; NULL when absent or on error (r->bad). */
static struct cache_doc *disk_r_doc(struct disk_r *r)
{
	long long mtime;
	unsigned long long gen;
	const char *bytes;
	size_t len = 0;

	if (!disk_r_le(r, 1))
		return NULL;
	mtime = (long long)disk_r_le(r, 8);
	gen = disk_r_le(r, 8);
	bytes = disk_r_str(r, &len);
	return bytes ? model_doc_borrow(bytes, len, mtime, gen, r->backing) : NULL;
}

/* Sorted (arn, doc) pairs into a disk_managed array. */
static int disk_read_pairs(struct disk_r *r, struct disk_managed **out, size_t *n)
{
	size_t i, k = (size_t)disk_r_le(r, 4);
	struct disk_managed *m;

	if (r->bad || k > (size_t)(r->end - r->p))
		return -EINVAL;
	if (!(m = calloc(k + 1, sizeof(*m))))
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		const char *arn = disk_r_name(r);

		if (!arn || !(m[i].doc = disk_r_doc(r)) || !(m[i].arn = strdup(arn)) ||
		    (i && strcmp(m[i - 1].arn, m[i].arn) >= 0)) {
			disk_managed_free(m, i + 1);
			return -EINVAL;
		}
	}
	*out = m;
	*n = k;
	return 0;
}

static int disk_read_att(struct disk_r *r, const struct disk_managed *pols, size_t npols,
			 struct cache_role *cr)
{
	const char *n = disk_r_name(r), *arn = disk_r_name(r);
	struct disk_managed key = {.arn = (char *)arn}, *p = NULL;

	if (!n || !arn)
		return -EINVAL;
	if (!model_arn_is_aws_managed(arn)) {
		if (npols)
			p = bsearch(&key, pols, npols, sizeof(*p), disk_cmp_arn);
		if (!p)
			return -EINVAL;
		cache_doc_ref(p->doc);
	}
	return model_role_add_attached(cr, n, arn, p ? p->doc : NULL) ? -ENOMEM : 0;
}

static int disk_read_role(struct disk_r *r, const struct disk_managed *pols, size_t npols,
			  struct cache_role *cr)
{
	const char *name = disk_r_name(r);
	size_t i, k;
	int rc;

	cr->mtime = (long long)disk_r_le(r, 8);
	if (!name || r->bad || !(cr->name = strdup(name)) || !(cr->trust = disk_r_doc(r)) ||
	    !(cr->role_json = disk_r_doc(r)))
		return -EINVAL;
	k = (size_t)disk_r_le(r, 4);
	/* Every entry takes bytes: a count beyond what is left is a lie, not an allocation. */
	if (r->bad || k > (size_t)(r->end - r->p))
		return -EINVAL;
	if (k && !(cr->inl = calloc(k, sizeof(*cr->inl))))
		return -ENOMEM;
	for (i = 0; i < k && !r->bad; i++) {
		const char *n = disk_r_name(r);

		if (!n || !(cr->inl[i].doc = disk_r_doc(r)))
			return -EINVAL;
		cr->ninl++;
		if (!(cr->inl[i].name = strdup(n)))
			return -ENOMEM;
	}
	k = (size_t)disk_r_le(r, 4);
	for (i = 0; i < k && !r->bad; i++)
		if ((rc = disk_read_att(r, pols, npols, cr)))
			return rc;
	return r->bad ? -EINVAL : 0;
}

static int disk_read_roles(struct disk_r *r, const struct disk_managed *pols, size_t npols,
			   struct cache_view **out)
{
	size_t n = 0, k = (size_t)disk_r_le(r, 4);
	struct cache_role *roles;

	if (r->bad || k > (size_t)(r->end - r->p))
		return -EINVAL;
	if (!(roles = calloc(k + 1, sizeof(*roles))))
		return -ENOMEM;
	while (n < k) {
		if (disk_read_role(r, pols, npols, &roles[n++])) {
			while (n)
				model_role_cleanup(&roles[--n]);
			free(roles);
			return -EINVAL;
		}
	}
	*out = model_view_new(roles, n, 1);
	return *out ? 0 : -ENOMEM;
}

static int disk_parse(struct disk_r *r, struct cache_view **v, struct disk_managed **m, size_t *nm,
		      struct disk_meta *meta)
{
	struct disk_managed *pols = NULL;
	size_t npols = 0;
	const char *acct = disk_r_name(r), *caller = disk_r_name(r);
	int rc;

	meta->last_load = (long long)disk_r_le(r, 8);
	if (r->bad)
		return -EINVAL;
	rc = disk_read_pairs(r, &pols, &npols);
	if (!rc)
		rc = disk_read_pairs(r, m, nm);
	if (!rc) {
		rc = disk_read_roles(r, pols, npols, v);
		if (!rc && r->p != r->end) {
			cache_view_put(*v);
			rc = -EINVAL;
		}
		if (rc)
			disk_managed_free(*m, *nm);
	}
	disk_managed_free(pols, npols);
	if (!rc && (!(meta->account = strdup(acct)) || !(meta->caller_arn = strdup(caller)))) {
		disk_meta_cleanup(meta);
		cache_view_put(*v);
		disk_managed_free(*m, *nm);
		rc = -ENOMEM;
	}
	return rc;
}

/* Why a file that does not start with this format is ignored (format 1 was JSON). */
static void disk_why_format(const char *path, const char *text, size_t len, char *why,
			    size_t whylen)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const char *fmt = disk_str_of(root, "format");

	if (!root && (!len || text[0] == '{' || text[0] == '['))
		snprintf(why, whylen, "%s is corrupt (not JSON); ignored", path);
	else
		snprintf(why, whylen, "%s has an unknown format (%s); ignored", path,
			 fmt ? fmt : "none");
	cJSON_Delete(root);
}

/* Checks the header and the checksum; on success r spans the body. */
static int disk_check(const char *path, const char *text, size_t len, struct disk_r *r, char *why,
		      size_t whylen)
{
	struct disk_r h = {.p = (const unsigned char *)text + DISK_MAGIC_LEN,
			   .end = (const unsigned char *)text + len};
	unsigned long long body, sum;

	if (len < DISK_MAGIC_LEN || memcmp(text, DISK_FORMAT "\n", sizeof(DISK_FORMAT))) {
		disk_why_format(path, text, len, why, whylen);
		return -EINVAL;
	}
	body = disk_r_le(&h, 8);
	sum = disk_r_le(&h, 8);
	if (h.bad || body != (unsigned long long)(len - DISK_HEAD_LEN)) {
		snprintf(why, whylen, "%s is corrupt (truncated); ignored", path);
		return -EINVAL;
	}
	if (disk_checksum(text + DISK_HEAD_LEN, (size_t)body) != sum) {
		snprintf(why, whylen, "%s is corrupt (checksum mismatch); ignored", path);
		return -EINVAL;
	}
	*r = h;
	return 0;
}

int disk_read(const char *folder, struct cache_view **v, struct disk_managed **m, size_t *nm,
	      struct disk_meta *meta, char *why, size_t whylen)
{
	char path[PATH_MAX];
	const char *text = NULL;
	struct cache_view *tv = NULL;
	struct disk_managed *tm = NULL;
	struct disk_meta tmeta = {0};
	struct disk_mapping *mp;
	struct disk_r r;
	size_t len = 0, tn = 0;
	int dfd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, DISK_VIEW) >= sizeof(path))
		return -ENAMETOOLONG;
	if ((rc = cachedir_open(folder, false, &dfd, why, whylen)))
		return rc;
	rc = disk_map(dfd, DISK_VIEW, &text, &len);
	close(dfd);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	if (!(mp = malloc(sizeof(*mp)))) {
		disk_unmap(text, len);
		return -ENOMEM;
	}
	*mp = (struct disk_mapping){{1, disk_mapping_release}, text, len};
	rc = disk_check(path, text, len, &r, why, whylen);
	r.backing = &mp->b;
	if (!rc && (rc = disk_parse(&r, &tv, &tm, &tn, &tmeta)))
		snprintf(why, whylen, "%s is corrupt (%s); ignored", path,
			 rc == -EINVAL ? "bad or missing fields" : strerror(-rc));
	model_backing_put(&mp->b);
	if (rc)
		return rc;
	*v = tv;
	*m = tm;
	*nm = tn;
	*meta = tmeta;
	return 0;
}

static cJSON *disk_index_load(const char *dir)
{
	char *text = NULL;
	size_t len = 0;
	cJSON *root;
	const char *fmt;
	int dfd, rc;

	if (cachedir_open(dir, false, &dfd, NULL, 0))
		return NULL;
	rc = cachedir_read_file(dfd, DISK_INDEX, DISK_MAX_FILE, &text, &len, NULL);
	close(dfd);
	if (rc)
		return NULL;
	root = cJSON_ParseWithLength(text, len);
	free(text);
	fmt = disk_str_of(root, "format");
	if (!fmt || strcmp(fmt, DISK_INDEX_FORMAT) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "entries"))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static cJSON *disk_index_find(cJSON *root, const char *profile, const char *endpoint)
{
	cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "entries"))
	{
		const char *p = disk_str_of(e, "profile"), *u = disk_str_of(e, "endpoint");

		if (p && u && !strcmp(p, profile) && !strcmp(u, endpoint))
			return e;
	}
	return NULL;
}

static bool disk_folder_ok(const char *f)
{
	return f && *f && !strchr(f, '/') && strcmp(f, ".") && strcmp(f, "..");
}

int disk_index_lookup(const char *dir, const char *profile, const char *endpoint, char **folder)
{
	cJSON *root = disk_index_load(dir);
	const char *f = disk_str_of(disk_index_find(root, profile, endpoint), "folder");
	int rc = -ENOENT;

	if (disk_folder_ok(f)) {
		*folder = strdup(f);
		rc = *folder ? 0 : -ENOMEM;
	}
	cJSON_Delete(root);
	return rc;
}

static void disk_write_text(struct disk_w *w, void *ctx)
{
	disk_puts(w, ctx);
	disk_puts(w, "\n");
}

int disk_index_store(const char *dir, const char *profile, const char *endpoint, const char *folder)
{
	cJSON *root, *e;
	char *text = NULL;
	int rc = -ENOMEM;

	if (!disk_folder_ok(folder))
		return -EINVAL;
	root = disk_index_load(dir);
	if (!root && (!(root = cJSON_CreateObject()) ||
		      !cJSON_AddStringToObject(root, "format", DISK_INDEX_FORMAT) ||
		      !cJSON_AddArrayToObject(root, "entries")))
		goto out;
	e = disk_index_find(root, profile, endpoint);
	if (e) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "folder");
	} else {
		if (!(e = cJSON_CreateObject()) ||
		    !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(root, "entries"), e) ||
		    !cJSON_AddStringToObject(e, "profile", profile) ||
		    !cJSON_AddStringToObject(e, "endpoint", endpoint))
			goto out;
	}
	if (!cJSON_AddStringToObject(e, "folder", folder) || !(text = cJSON_Print(root)))
		goto out;
	rc = disk_atomic(dir, DISK_INDEX, disk_write_text, text);
out:
	free(text);
	cJSON_Delete(root);
	return rc;
}
