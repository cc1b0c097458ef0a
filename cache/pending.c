/*
 * The pending-role store of pending.h. A file holds one header line
 * ("iamfs-pending-1 CREATED JSON_MTIME", JSON_MTIME -1 when no role.json was
 * written) and then the role.json bytes. The memory copy is sorted by name; every
 * change is made on disk first, then in memory, under the store's lock.
 */
#include "cache/pending.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/ident.h"

#define PENDING_HEADER_MAX 96
#define PENDING_FILE_MAX   (PENDING_JSON_MAX + PENDING_HEADER_MAX)
#define PENDING_TMP_PREFIX ".tmp-"

struct pending {
	pthread_mutex_t mu;
	struct hooks hooks;
	int dfd;		    /* DIR/pending/, or -1: memory only */
	struct pending_role *roles; /* sorted by name (bytewise) */
	size_t n;
};

const char *pending_name_problem(const char *name)
{
	return ident_role_problem(name, NULL);
}

static void pending_role_cleanup(struct pending_role *r)
{
	free(r->name);
	cache_doc_unref(r->role_json);
	memset(r, 0, sizeof(*r));
}

static int pending_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pending_role *)a)->name,
		      ((const struct pending_role *)b)->name);
}

/* The index of name (exactly, or in any case when nocase), or -1. Under mu. */
static long pending_find(const struct pending *p, const char *name, bool nocase)
{
	for (size_t i = 0; i < p->n; i++)
		if (nocase ? !strcasecmp(p->roles[i].name, name) : !strcmp(p->roles[i].name, name))
			return (long)i;
	return -1;
}

/* ---- disk ---- */

static void pending_file_name(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", PENDING_FILE_PREFIX, name);
}

/* Writes r's file whole (cachedir_replace: a fresh temporary name, fsync, rename
 * into place). */
static int pending_write(struct pending *p, const struct pending_role *r)
{
	char head[PENDING_HEADER_MAX], final[IDENT_ROLE_MAX + 16];
	const struct cache_doc *d = r->role_json;
	struct iovec iov[2];
	int hl;

	if (p->dfd < 0)
		return 0;
	hl = snprintf(head, sizeof(head), "%s %lld %lld\n", PENDING_HEADER_MAGIC, r->created,
		      d ? d->mtime : -1LL);
	iov[0] = (struct iovec){head, (size_t)hl};
	iov[1] = (struct iovec){d ? d->bytes : NULL, d ? d->len : 0};
	pending_file_name(r->name, final, sizeof(final));
	return cachedir_replace(p->dfd, final, PENDING_TMP_PREFIX, iov, d ? 2 : 1);
}

static int pending_unlink(struct pending *p, const char *name)
{
	char final[IDENT_ROLE_MAX + 16];

	if (p->dfd < 0)
		return 0;
	pending_file_name(name, final, sizeof(final));
	if (unlinkat(p->dfd, final, 0) && errno != ENOENT)
		return -errno;
	fsync(p->dfd);
	return 0;
}

/* Parses one file's bytes into r (name set by the caller). -EINVAL when damaged. */
static int pending_parse(const char *bytes, size_t len, struct pending_role *r)
{
	const char *nl = memchr(bytes, '\n', len < PENDING_HEADER_MAX ? len : PENDING_HEADER_MAX);
	size_t ml = strlen(PENDING_HEADER_MAGIC);
	long long jm;
	char *end;

	if (!nl || (size_t)(nl - bytes) <= ml + 1 || memcmp(bytes, PENDING_HEADER_MAGIC, ml) ||
	    bytes[ml] != ' ')
		return -EINVAL;
	errno = 0;
	r->created = strtoll(bytes + ml + 1, &end, 10);
	if (errno || *end != ' ')
		return -EINVAL;
	jm = strtoll(end + 1, &end, 10);
	if (errno || end != nl || jm < -1)
		return -EINVAL;
	nl++;
	len -= (size_t)(nl - bytes);
	if (jm < 0)
		return len ? -EINVAL : 0;
	r->role_json = model_doc_new(nl, len, jm);
	return r->role_json ? 0 : -ENOMEM;
}

/* Reads the file fname (a role's) into the store. */
static void pending_load_one(struct pending *p, const char *fname)
{
	const char *name = fname + strlen(PENDING_FILE_PREFIX);
	struct pending_role r = {0};
	char *bytes = NULL;
	size_t len = 0;
	int rc;

	if (pending_name_problem(name) || pending_find(p, name, true) >= 0 || p->n >= PENDING_MAX)
		rc = -EINVAL;
	else
		rc = cachedir_read_file(p->dfd, fname, PENDING_FILE_MAX, &bytes, &len, NULL);
	if (!rc)
		rc = pending_parse(bytes, len, &r);
	free(bytes);
	if (!rc && !(r.name = strdup(name)))
		rc = -ENOMEM;
	if (rc) {
		pending_role_cleanup(&r);
		hooks_log(&p->hooks, LOG_WARNING,
			  "pending role file %s/%s cannot be read (%s); it is left there",
			  PENDING_FOLDER, fname, strerror(-rc));
		return;
	}
	p->roles[p->n++] = r;
}

/* One name in the store's folder: a dead writer's temporary or a role's file. */
static void pending_load_name(int dfd, const char *fname, void *arg)
{
	struct pending *p = arg;

	(void)dfd;
	if (cachedir_sweep(p->dfd, fname, PENDING_TMP_PREFIX))
		return;
	if (!strncmp(fname, PENDING_FILE_PREFIX, strlen(PENDING_FILE_PREFIX)))
		pending_load_one(p, fname);
}

static void pending_load(struct pending *p)
{
	if (cachedir_each(p->dfd, pending_load_name, p))
		return;
	qsort(p->roles, p->n, sizeof(*p->roles), pending_cmp);
}

int pending_open(const char *folder, const struct hooks *h, struct pending **out)
{
	struct pending *p = calloc(1, sizeof(*p));
	char why[512] = "";
	int dfd, rc;

	if (!p || !(p->roles = calloc(PENDING_MAX, sizeof(*p->roles)))) {
		free(p);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	p->hooks = *h;
	p->dfd = -1;
	if (folder && folder[0]) {
		rc = cachedir_open(folder, false, &dfd, why, sizeof(why));
		if (!rc) {
			rc = cachedir_openat(dfd, PENDING_FOLDER, PENDING_FOLDER, true, &p->dfd,
					     why, sizeof(why));
			close(dfd);
		}
		if (rc)
			hooks_log(h, LOG_WARNING,
				  "cannot keep pending roles in %s/%s: %s (kept in memory)", folder,
				  PENDING_FOLDER, why[0] ? why : strerror(-rc));
		else
			pending_load(p);
	}
	*out = p;
	return 0;
}

void pending_close(struct pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		pending_role_cleanup(&p->roles[i]);
	free(p->roles);
	if (p->dfd >= 0)
		close(p->dfd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* ---- changes ---- */

int pending_add(struct pending *p, const char *name, long long created)
{
	struct pending_role r = {.created = created};
	int rc = 0;

	if (pending_name_problem(name))
		return -EINVAL;
	if (!(r.name = strdup(name)))
		return -ENOMEM;
	pthread_mutex_lock(&p->mu);
	if (pending_find(p, name, true) >= 0)
		rc = -EEXIST;
	else if (p->n >= PENDING_MAX)
		rc = -EDQUOT;
	else
		rc = pending_write(p, &r);
	if (!rc) {
		p->roles[p->n++] = r;
		qsort(p->roles, p->n, sizeof(*p->roles), pending_cmp);
	}
	pthread_mutex_unlock(&p->mu);
	if (rc)
		pending_role_cleanup(&r);
	return rc;
}

int pending_set_json(struct pending *p, const char *name, struct cache_doc *doc)
{
	struct pending_role r;
	long i;
	int rc;

	if (doc && doc->len > PENDING_JSON_MAX)
		return -EFBIG;
	pthread_mutex_lock(&p->mu);
	i = pending_find(p, name, false);
	if (i < 0) {
		pthread_mutex_unlock(&p->mu);
		return -ENOENT;
	}
	r = p->roles[i];
	r.role_json = doc;
	rc = pending_write(p, &r);
	if (!rc) {
		cache_doc_ref(doc);
		cache_doc_unref(p->roles[i].role_json);
		p->roles[i].role_json = doc;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int pending_remove(struct pending *p, const char *name, struct cache_doc **json)
{
	long i;
	int rc;

	if (json)
		*json = NULL;
	pthread_mutex_lock(&p->mu);
	i = pending_find(p, name, false);
	rc = i < 0 ? -ENOENT : pending_unlink(p, name);
	if (!rc) {
		if (json) {
			*json = p->roles[i].role_json;
			p->roles[i].role_json = NULL;
		}
		pending_role_cleanup(&p->roles[i]);
		memmove(&p->roles[i], &p->roles[i + 1], (p->n - (size_t)i - 1) * sizeof(*p->roles));
		p->n--;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

bool pending_has(struct pending *p, const char *name)
{
	bool has;

	if (!p)
		return false;
	pthread_mutex_lock(&p->mu);
	has = pending_find(p, name, false) >= 0;
	pthread_mutex_unlock(&p->mu);
	return has;
}

void pending_snapshot_free(struct pending_role *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pending_role_cleanup(&v[i]);
	free(v);
}

int pending_snapshot(struct pending *p, struct pending_role **out, size_t *n)
{
	struct pending_role *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	v = calloc(p->n ? p->n : 1, sizeof(*v));
	for (i = 0; v && i < p->n; i++) {
		v[i] = p->roles[i];
		if (!(v[i].name = strdup(p->roles[i].name)))
			break;
		cache_doc_ref(v[i].role_json);
	}
	if (v && i < p->n) {
		v[i].role_json = NULL;
		pending_snapshot_free(v, i);
		v = NULL;
	}
	*n = v ? p->n : 0;
	pthread_mutex_unlock(&p->mu);
	*out = v;
	return v ? 0 : -ENOMEM;
}

int pending_status(struct pending *p, struct buf *out)
{
	char esc[4 * IDENT_ROLE_MAX + 8];
	int rc;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	rc = buf_printf(out, "pending roles: %zu\n", p->n);
	for (size_t i = 0; !rc && i < p->n; i++)
		rc = buf_printf(out, "pending role: %s\n",
				ident_escape(p->roles[i].name, esc, sizeof(esc)));
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* ---- the merge (pure) ---- */

bool pending_in_view(const struct cache_view *v)
{
	for (size_t i = 0; v && i < v->nroles; i++)
		if (v->roles[i].pending)
			return true;
	return false;
}

/* The name of a role of v that is not pending and is name in any letter case. */
static const char *pending_iam_name(const struct cache_view *v, const char *name)
{
	for (size_t i = 0; v && i < v->nroles; i++)
		if (!v->roles[i].pending && !strcasecmp(v->roles[i].name, name))
			return v->roles[i].name;
	return NULL;
}

static int pending_role_of(const struct pending_role *pr, struct cache_role *r)
{
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(pr->name)))
		return -ENOMEM;
	r->mtime = pr->created;
	r->pending = true;
	r->role_json = pr->role_json;
	cache_doc_ref(r->role_json);
	return 0;
}

int pending_merge(const struct cache_view *v, const struct pending_role *pr, size_t n,
		  void (*clash)(void *ctx, const struct pending_role *pr, const char *iam_name),
		  void *ctx, struct cache_view **out)
{
	size_t nv = v ? v->nroles : 0, k = 0, i;
	struct cache_role *roles = calloc(nv + n ? nv + n : 1, sizeof(*roles));
	const char *iam;
	int rc = roles ? 0 : -ENOMEM;

	for (i = 0; !rc && i < nv; i++) {
		if (v->roles[i].pending)
			continue;
		rc = model_role_copy(&roles[k], &v->roles[i]);
		k++;
	}
	for (i = 0; !rc && i < n; i++) {
		if ((iam = pending_iam_name(v, pr[i].name))) {
			if (clash)
				clash(ctx, &pr[i], iam);
			continue;
		}
		rc = pending_role_of(&pr[i], &roles[k]);
		k++;
	}
	if (rc) {
		for (i = 0; i < k; i++)
			model_role_cleanup(&roles[i]);
		free(roles);
		return rc;
	}
	*out = model_view_new(roles, k, v ? v->serial + 1 : 1);
	return *out ? 0 : -ENOMEM;
}
