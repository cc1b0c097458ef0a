/*
 * The disk copy, written as a stream (documents are escaped straight into a
 * 64 KiB buffer flushed to the temp file, so no second copy of the account is
 * built) and read back with cJSON. Each document carries its gen; one that does
 * not hash to it marks the whole file corrupt. Customer managed documents are
 * stored once per ARN and shared again on read.
 */
#include "cache/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cache/model.h"
#include "cache/render.h"

#define DISK_FLUSH (64u << 10)
#define DISK_VIEW  "view.json"
#define DISK_INDEX "index.json"

struct disk_w {
	int fd;
	int rc;
	struct buf b;
};

int disk_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (!n || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		tmp[i] = path[i];
	}
	return 0;
}

static void disk_flush(struct disk_w *w)
{
	size_t off = 0;

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

static void disk_puts(struct disk_w *w, const char *s)
{
	if (!w->rc)
		w->rc = buf_puts(&w->b, s);
	if (w->b.len >= DISK_FLUSH)
		disk_flush(w);
}

static void disk_str(struct disk_w *w, const char *s, size_t len)
{
	if (!w->rc)
		w->rc = render_string(&w->b, s ? s : "", s ? len : 0);
	if (w->b.len >= DISK_FLUSH)
		disk_flush(w);
}

static void disk_cstr(struct disk_w *w, const char *s)
{
	disk_str(w, s, s ? strlen(s) : 0);
}

static void disk_num(struct disk_w *w, long long n)
{
	if (!w->rc)
		w->rc = buf_printf(&w->b, "%lld", n);
}

static void disk_doc(struct disk_w *w, const struct cache_doc *d)
{
	if (!d) {
		disk_puts(w, "null");
		return;
	}
	disk_puts(w, "{\"mtime\":");
	disk_num(w, d->mtime);
	if (!w->rc)
		w->rc = buf_printf(&w->b, ",\"gen\":\"%016llx\",\"bytes\":", d->gen);
	disk_str(w, d->bytes, d->len);
	disk_puts(w, "}");
}

/* Writes folder/name through fn, atomically. */
static int disk_atomic(const char *folder, const char *name, void (*fn)(struct disk_w *, void *),
		       void *ctx)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct disk_w w = {.fd = -1};
	int dfd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", folder, name, (long)getpid()) >=
		    sizeof(tmp))
		return -ENAMETOOLONG;
	if ((rc = disk_mkdirs(folder)))
		return rc;
	w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w.fd < 0)
		return -errno;
	buf_init(&w.b, DISK_FLUSH * 2 + (16u << 20));
	fn(&w, ctx);
	disk_flush(&w);
	buf_cleanup(&w.b);
	if (!w.rc && fsync(w.fd))
		w.rc = -errno;
	if (close(w.fd) && !w.rc)
		w.rc = -errno;
	if (!w.rc && rename(tmp, path))
		w.rc = -errno;
	if (w.rc) {
		unlink(tmp);
		return w.rc;
	}
	dfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
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

	disk_puts(w, "{\"name\":");
	disk_cstr(w, r->name);
	disk_puts(w, ",\"mtime\":");
	disk_num(w, r->mtime);
	disk_puts(w, ",\"trust\":");
	disk_doc(w, r->trust);
	disk_puts(w, ",\"role\":");
	disk_doc(w, r->role_json);
	disk_puts(w, ",\"inline\":[");
	for (i = 0; i < r->ninl; i++) {
		disk_puts(w, i ? ",{\"name\":" : "{\"name\":");
		disk_cstr(w, r->inl[i].name);
		disk_puts(w, ",\"doc\":");
		disk_doc(w, r->inl[i].doc);
		disk_puts(w, "}");
	}
	disk_puts(w, "],\"attached\":[");
	for (i = 0; i < r->natt; i++) {
		disk_puts(w, i ? ",{\"name\":" : "{\"name\":");
		disk_cstr(w, r->att[i].name);
		disk_puts(w, ",\"arn\":");
		disk_cstr(w, r->att[i].arn);
		disk_puts(w, "}");
	}
	disk_puts(w, "]}");
}

static void disk_write_pairs(struct disk_w *w, const struct disk_managed *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && !strcmp(m[i].arn, m[i - 1].arn))
			continue;
		disk_puts(w, i ? ",{\"arn\":" : "{\"arn\":");
		disk_cstr(w, m[i].arn);
		disk_puts(w, ",\"doc\":");
		disk_doc(w, m[i].doc);
		disk_puts(w, "}");
	}
}

static void disk_write_view(struct disk_w *w, void *ctx)
{
	struct disk_view_ctx *x = ctx;
	size_t i;

	disk_puts(w, "{\"format\":\"" DISK_FORMAT "\",\"account\":");
	disk_cstr(w, x->meta->account);
	disk_puts(w, ",\"caller_arn\":");
	disk_cstr(w, x->meta->caller_arn);
	disk_puts(w, ",\"last_load\":");
	disk_num(w, x->meta->last_load);
	disk_puts(w, ",\n\"roles\":[");
	for (i = 0; i < x->v->nroles; i++) {
		disk_puts(w, i ? ",\n" : "\n");
		disk_write_role(w, &x->v->roles[i]);
	}
	disk_puts(w, "],\n\"policies\":[");
	disk_write_pairs(w, x->pols, x->npols);
	disk_puts(w, "],\n\"managed\":[");
	disk_write_pairs(w, x->m, x->nm);
	disk_puts(w, "]}\n");
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

/* Reads a whole file (capped) into a NUL-terminated heap buffer. */
static int disk_slurp(const char *path, char **out, size_t *len)
{
	struct buf b;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t k;

	if (fd < 0)
		return -errno;
	buf_init(&b, DISK_MAX_FILE);
	while (!rc && (k = read(fd, chunk, sizeof(chunk))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		rc = k < 0 ? -errno : buf_append(&b, chunk, (size_t)k);
	}
	close(fd);
	if (!rc && !b.data)
		rc = buf_putc(&b, '\0');
	if (rc) {
		buf_cleanup(&b);
		return rc;
	}
	*len = b.len;
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

static const char *disk_str_of(const cJSON *o, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static bool disk_num_of(const cJSON *o, const char *key, long long *out)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(n))
		return false;
	*out = (long long)n->valuedouble;
	return true;
}

/* A document object, checked against its gen. NULL when malformed. */
static struct cache_doc *disk_read_doc(const cJSON *o)
{
	const char *bytes = disk_str_of(o, "bytes"), *gen = disk_str_of(o, "gen");
	struct cache_doc *d;
	long long mtime;
	char want[24];

	if (!bytes || !gen || !disk_num_of(o, "mtime", &mtime))
		return NULL;
	d = model_doc_new(bytes, strlen(bytes), mtime);
	if (!d)
		return NULL;
	snprintf(want, sizeof(want), "%016llx", d->gen);
	if (strcmp(want, gen)) {
		cache_doc_unref(d);
		return NULL;
	}
	return d;
}

/* An array of {"arn", "doc"} into a sorted disk_managed array. */
static int disk_read_pairs(const cJSON *a, struct disk_managed **out, size_t *n)
{
	struct disk_managed *m;
	const cJSON *e;
	size_t k = 0;

	if (!cJSON_IsArray(a))
		return -EINVAL;
	m = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	cJSON_ArrayForEach(e, a)
	{
		const char *arn = disk_str_of(e, "arn");

		if (!arn ||
		    !(m[k].doc = disk_read_doc(cJSON_GetObjectItemCaseSensitive(e, "doc"))) ||
		    !(m[k].arn = strdup(arn))) {
			disk_managed_free(m, k + 1);
			return -EINVAL;
		}
		k++;
	}
	if (k > 1)
		qsort(m, k, sizeof(*m), disk_cmp_arn);
	*out = m;
	*n = k;
	return 0;
}

static int disk_read_role(const cJSON *o, const struct disk_managed *pols, size_t npols,
			  struct cache_role *r)
{
	const char *name = disk_str_of(o, "name");
	const cJSON *a, *e;

	if (!name || !disk_num_of(o, "mtime", &r->mtime) || !(r->name = strdup(name)) ||
	    !(r->trust = disk_read_doc(cJSON_GetObjectItemCaseSensitive(o, "trust"))) ||
	    !(r->role_json = disk_read_doc(cJSON_GetObjectItemCaseSensitive(o, "role"))))
		return -EINVAL;
	a = cJSON_GetObjectItemCaseSensitive(o, "inline");
	cJSON_ArrayForEach(e, a)
	{
		const char *n = disk_str_of(e, "name");
		struct cache_doc *d = disk_read_doc(cJSON_GetObjectItemCaseSensitive(e, "doc"));

		if (!n || !d || model_role_add_inline(r, n, d)) {
			cache_doc_unref(n ? NULL : d);
			return -EINVAL;
		}
	}
	a = cJSON_GetObjectItemCaseSensitive(o, "attached");
	cJSON_ArrayForEach(e, a)
	{
		const char *n = disk_str_of(e, "name"), *arn = disk_str_of(e, "arn");
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
		if (model_role_add_attached(r, n, arn, p ? p->doc : NULL))
			return -ENOMEM;
	}
	return 0;
}

static int disk_read_roles(const cJSON *a, const struct disk_managed *pols, size_t npols,
			   struct cache_view **out)
{
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(a) + 1;
	struct cache_role *roles = calloc(cap, sizeof(*roles));
	const cJSON *e;

	if (!roles)
		return -ENOMEM;
	cJSON_ArrayForEach(e, a)
	{
		if (disk_read_role(e, pols, npols, &roles[n++])) {
			while (n)
				model_role_cleanup(&roles[--n]);
			free(roles);
			return -EINVAL;
		}
	}
	*out = model_view_new(roles, n, 1);
	return *out ? 0 : -ENOMEM;
}

static int disk_parse(const cJSON *root, struct cache_view **v, struct disk_managed **m, size_t *nm,
		      struct disk_meta *meta)
{
	struct disk_managed *pols = NULL;
	size_t npols = 0;
	const char *acct = disk_str_of(root, "account"), *caller = disk_str_of(root, "caller_arn");
	int rc;

	if (!acct || !caller || !disk_num_of(root, "last_load", &meta->last_load) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "roles")))
		return -EINVAL;
	rc = disk_read_pairs(cJSON_GetObjectItemCaseSensitive(root, "policies"), &pols, &npols);
	if (!rc)
		rc = disk_read_pairs(cJSON_GetObjectItemCaseSensitive(root, "managed"), m, nm);
	if (!rc) {
		rc = disk_read_roles(cJSON_GetObjectItemCaseSensitive(root, "roles"), pols, npols,
				     v);
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

int disk_read(const char *folder, struct cache_view **v, struct disk_managed **m, size_t *nm,
	      struct disk_meta *meta, char *why, size_t whylen)
{
	char path[PATH_MAX], *text = NULL;
	struct cache_view *tv = NULL;
	struct disk_managed *tm = NULL;
	struct disk_meta tmeta = {0};
	size_t len = 0, tn = 0;
	const char *fmt;
	cJSON *root = NULL;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, DISK_VIEW) >= sizeof(path))
		return -ENAMETOOLONG;
	rc = disk_slurp(path, &text, &len);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root) {
		snprintf(why, whylen, "%s is corrupt (not JSON); ignored", path);
		return -EINVAL;
	}
	fmt = disk_str_of(root, "format");
	if (!fmt || strcmp(fmt, DISK_FORMAT)) {
		snprintf(why, whylen, "%s has an unknown format (%s); ignored", path,
			 fmt ? fmt : "none");
		rc = -EINVAL;
	} else if ((rc = disk_parse(root, &tv, &tm, &tn, &tmeta))) {
		snprintf(why, whylen, "%s is corrupt (%s); ignored", path,
			 rc == -EINVAL ? "bad or missing fields" : strerror(-rc));
	}
	cJSON_Delete(root);
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
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	cJSON *root;
	const char *fmt;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, DISK_INDEX) >= sizeof(path) ||
	    disk_slurp(path, &text, &len))
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
