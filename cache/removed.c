/*
 * The store of what removals took out of IAM (see removed.h). One mutex guards
 * the in-memory ring and serializes the disk writes (one small file each, written
 * to a temporary name, fsync'ed and linked into place so a name is never reused).
 * Every file is made with cachedir.c's rules: no symlink is followed.
 */
#include "cache/removed.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/model.h"

#define REMOVED_DIR	"removed"
#define REMOVED_DOC_MAX (1024 * 1024)

#define REMOVED_MARKS_MAX 256

/* A removal that landed in this mount. */
struct removed_mark {
	char *role, *what;
};

struct removed {
	pthread_mutex_t mu;
	struct removed_mark marks[REMOVED_MARKS_MAX]; /* the oldest dropped first */
	size_t nmarks;
	int dfd; /* FOLDER/removed, -1: none */
	struct rejects_ring files;
};

int removed_add(struct removed *r, long long t, const char *role, const char *what,
		const char *bytes, size_t len, char *name, size_t cap)
{
	char tmp[64], *n = NULL;
	struct cache_doc *doc = model_doc_new(bytes ? bytes : "", bytes ? len : 0, t);
	struct iovec iov;
	int rc;

	if (cap)
		name[0] = '\0';
	if (!doc)
		return -ENOMEM;
	pthread_mutex_lock(&r->mu);
	iov = (struct iovec){doc->bytes, doc->len};
	rc = r->dfd >= 0 ? cachedir_write_tmp(r->dfd, ".tmp-", &iov, 1, tmp, sizeof(tmp)) : -EROFS;
	if (!rc) {
		rc = rejects_link_fresh(r->dfd, tmp, &r->files, t, role, what, name, cap);
		unlinkat(r->dfd, tmp, 0);
		if (fsync(r->dfd) && !rc)
			rc = -errno;
	}
	if (!rc && !(n = strdup(name)))
		rc = -ENOMEM;
	if (!rc) {
		rejects_ring_push(&r->files, n, doc);
		doc = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	cache_doc_unref(doc);
	return rc;
}

int removed_list(struct removed *r, struct cache_rejected_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!r)
		return 0;
	pthread_mutex_lock(&r->mu);
	rc = rejects_ring_list(&r->files, out);
	pthread_mutex_unlock(&r->mu);
	return rc;
}

size_t removed_count(struct removed *r)
{
	size_t n;

	if (!r)
		return 0;
	pthread_mutex_lock(&r->mu);
	n = r->files.n;
	pthread_mutex_unlock(&r->mu);
	return n;
}

void removed_mark(struct removed *r, const char *role, const char *what)
{
	char *a, *b;

	if (!r || !(a = strdup(role)))
		return;
	if (!(b = strdup(what))) {
		free(a);
		return;
	}
	pthread_mutex_lock(&r->mu);
	if (r->nmarks == REMOVED_MARKS_MAX) {
		free(r->marks[0].role);
		free(r->marks[0].what);
		memmove(r->marks, r->marks + 1, (REMOVED_MARKS_MAX - 1) * sizeof(r->marks[0]));
		r->nmarks--;
	}
	r->marks[r->nmarks++] = (struct removed_mark){a, b};
	pthread_mutex_unlock(&r->mu);
}

void removed_marks(struct removed *r, const char *role, char *out, size_t cap)
{
	size_t i, n = 0;

	if (cap)
		out[0] = '\0';
	if (!r || !cap)
		return;
	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->nmarks && n + 1 < cap; i++) {
		if (strcmp(r->marks[i].role, role))
			continue;
		snprintf(out + n, cap - n, "%s%s", n ? ", " : "", r->marks[i].what);
		n += strlen(out + n);
	}
	pthread_mutex_unlock(&r->mu);
}

void removed_forget(struct removed *r, const char *role)
{
	size_t i, k = 0;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->nmarks; i++) {
		if (strcmp(r->marks[i].role, role)) {
			r->marks[k++] = r->marks[i];
			continue;
		}
		free(r->marks[i].role);
		free(r->marks[i].what);
	}
	r->nmarks = k;
	pthread_mutex_unlock(&r->mu);
}

int removed_open(const char *folder, struct removed **out)
{
	struct removed *r = calloc(1, sizeof(*r));
	int ffd = -1;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	r->dfd = -1;
	if (folder && folder[0] && !cachedir_open(folder, false, &ffd, NULL, 0)) {
		if (!cachedir_openat(ffd, REMOVED_DIR, REMOVED_DIR, true, &r->dfd, NULL, 0))
			fchmod(r->dfd, 0700);
		close(ffd);
	}
	if (r->dfd >= 0)
		rejects_ring_load(&r->files, r->dfd, REMOVED_DOC_MAX);
	*out = r;
	return r->dfd >= 0 || !folder || !folder[0] ? 0 : -EACCES;
}

void removed_close(struct removed *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nmarks; i++) {
		free(r->marks[i].role);
		free(r->marks[i].what);
	}
	rejects_ring_cleanup(&r->files);
	if (r->dfd >= 0)
		close(r->dfd);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
