/*
 * The record of refused saves (see rejects.h). One mutex guards the in-memory
 * lines and files and serializes the disk writes, which are small (one line, or
 * one file written to a temporary name, fsync'ed and linked into place so a name
 * is never reused). Reading back tolerates a missing or partial record.
 */
#include "cache/rejects.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/model.h"

#define REJECTS_DIR	"rejected"
#define REJECTS_LOG	"errors.log"
#define REJECTS_LOG_MAX (REJECTS_LINES_MAX * (REJECTS_LINE_MAX + 1) * 2)

struct rejects {
	pthread_mutex_t mu;
	int dfd;			/* FOLDER/rejected, -1 when memory only */
	int ffd;			/* FOLDER, -1 when memory only */
	char *lines[REJECTS_LINES_MAX]; /* ring, oldest at first */
	size_t first, nlines;
	size_t disk_lines; /* lines in errors.log now */
	struct rejects_ring files;
};

const char *rejects_errno_name(int err, char *tmp, size_t cap)
{
	const char *n;

	if (err < 0)
		err = -err;
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(tmp, cap, "E%d", err);
	return tmp;
}

static char rejects_safe(char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    strchr("._+=,@-", ch))
		return ch;
	return '_';
}

/* UTC "yyyymmddThhmmssZ" (compact) or "yyyy-mm-ddThh:mm:ssZ". */
static void rejects_stamp(long long t, bool compact, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&tt, &tm))
		n = compact ? strftime(out, cap, "%Y%m%dT%H%M%SZ", &tm)
			    : strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!n)
		snprintf(out, cap, "%lld", t);
}

void rejects_name(long long t, const char *role, const char *path, unsigned seq, char *out,
		  size_t cap)
{
	char raw[REJECTS_NAME_MAX * 4], suffix[16] = "";
	const char *ext;
	size_t n, i, room, sl, el;

	if (cap > REJECTS_NAME_MAX + 1)
		cap = REJECTS_NAME_MAX + 1;
	rejects_stamp(t, true, raw, sizeof(raw));
	n = strlen(raw);
	snprintf(raw + n, sizeof(raw) - n, "-%s-%s", role ? role : "", path ? path : "");
	for (i = 0; raw[i]; i++)
		raw[i] = raw[i] == '/' ? '-' : rejects_safe(raw[i]);
	ext = strrchr(raw, '.');
	if (!ext || ext == raw || strlen(ext) > 8)
		ext = raw + strlen(raw);
	if (seq > 1)
		snprintf(suffix, sizeof(suffix), "-%u", seq);
	/* Cut the stem so stem + suffix + extension fit. */
	sl = strlen(suffix);
	el = strlen(ext);
	if (cap < sl + el + 1) {
		if (cap)
			out[0] = '\0';
		return;
	}
	room = cap - 1 - sl - el;
	n = (size_t)(ext - raw) < room ? (size_t)(ext - raw) : room;
	memcpy(out, raw, n);
	memcpy(out + n, suffix, sl);
	memcpy(out + n + sl, ext, el);
	out[n + sl + el] = '\0';
}

void rejects_line(const struct rejects_event *ev, char *out, size_t cap)
{
	char when[64], tmp[16];
	size_t i;

	rejects_stamp(ev->time, false, when, sizeof(when));
	if (ev->request_id && ev->request_id[0])
		snprintf(out, cap, "%s %s/%s %s %s: %s (request id %s)", when, ev->role, ev->path,
			 rejects_errno_name(ev->err, tmp, sizeof(tmp)),
			 ev->code && ev->code[0] ? ev->code : "local",
			 ev->message ? ev->message : "", ev->request_id);
	else
		snprintf(out, cap, "%s %s/%s %s %s: %s", when, ev->role, ev->path,
			 rejects_errno_name(ev->err, tmp, sizeof(tmp)),
			 ev->code && ev->code[0] ? ev->code : "local",
			 ev->message ? ev->message : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
}

/* Adds a line to the ring (taking it). Called with mu held. */
static void rejects_push_line(struct rejects *r, char *line)
{
	size_t at;

	if (r->nlines == REJECTS_LINES_MAX) {
		free(r->lines[r->first]);
		r->lines[r->first] = line;
		r->first = (r->first + 1) % REJECTS_LINES_MAX;
		return;
	}
	at = (r->first + r->nlines++) % REJECTS_LINES_MAX;
	r->lines[at] = line;
}

void rejects_ring_push(struct rejects_ring *ring, char *name, struct cache_doc *doc)
{
	struct cache_rejected *slot;

	if (ring->n == REJECTS_FILES_MAX) {
		slot = &ring->v[ring->first];
		free(slot->name);
		cache_doc_unref(slot->doc);
		ring->first = (ring->first + 1) % REJECTS_FILES_MAX;
	} else {
		slot = &ring->v[(ring->first + ring->n++) % REJECTS_FILES_MAX];
	}
	slot->name = name;
	slot->doc = doc;
}

int rejects_ring_list(const struct rejects_ring *ring, struct cache_rejected_list *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ring->n && !(out->v = calloc(ring->n, sizeof(*out->v))))
		return -ENOMEM;
	for (i = 0; i < ring->n; i++) {
		const struct cache_rejected *f = &ring->v[(ring->first + i) % REJECTS_FILES_MAX];

		if (!(out->v[i].name = strdup(f->name))) {
			cache_rejected_list_cleanup(out);
			return -ENOMEM;
		}
		out->v[i].doc = f->doc;
		cache_doc_ref(f->doc);
		out->n = i + 1;
	}
	return 0;
}

void rejects_ring_load(struct rejects_ring *ring, int dfd, size_t max)
{
	char **names;
	size_t n, i;

	if (cachedir_names(dfd, ".tmp-", &names, &n))
		n = 0;
	for (i = 0; i < n; i++) {
		struct cache_doc *doc;
		long long mtime = 0;
		size_t len;
		char *bytes;

		if (i + REJECTS_FILES_MAX >= n &&
		    !cachedir_read_file(dfd, names[i], max, &bytes, &len, &mtime) &&
		    (doc = model_doc_take(bytes, len, mtime))) {
			rejects_ring_push(ring, names[i], doc);
			continue;
		}
		free(names[i]);
	}
	free(names);
}

void rejects_ring_cleanup(struct rejects_ring *ring)
{
	size_t i;

	for (i = 0; i < ring->n; i++) {
		struct cache_rejected *f = &ring->v[(ring->first + i) % REJECTS_FILES_MAX];

		free(f->name);
		cache_doc_unref(f->doc);
	}
	ring->first = ring->n = 0;
}

static bool rejects_ring_has(const struct rejects_ring *ring, const char *name)
{
	size_t i;

	for (i = 0; i < ring->n; i++)
		if (!strcmp(ring->v[(ring->first + i) % REJECTS_FILES_MAX].name, name))
			return true;
	return false;
}

int rejects_link_fresh(int dfd, const char *tmp, const struct rejects_ring *ring, long long t,
		       const char *role, const char *path, char *out, size_t cap)
{
	unsigned seq;

	for (seq = 1; seq <= REJECTS_SEQ_MAX; seq++) {
		rejects_name(t, role, path, seq, out, cap);
		if (rejects_ring_has(ring, out))
			continue;
		if (dfd < 0 || !linkat(dfd, tmp, dfd, out, 0))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Keeps the bytes under a fresh name (name out). Called with mu held. 0 in
 * memory-only mode; -errno when the disk copy failed (the name is still set). */
static int rejects_keep(struct rejects *r, const struct rejects_event *ev, char *name, size_t cap)
{
	char tmp[64];
	struct iovec iov = {(void *)ev->bytes, ev->len};
	int rc = r->dfd >= 0 ? cachedir_write_tmp(r->dfd, ".tmp-", &iov, 1, tmp, sizeof(tmp)) : 0;
	bool disk = r->dfd >= 0 && !rc;
	int lr = rejects_link_fresh(disk ? r->dfd : -1, tmp, &r->files, ev->time, ev->role,
				    ev->path, name, cap);

	if (disk) {
		unlinkat(r->dfd, tmp, 0);
		fsync(r->dfd);
	}
	return lr ? lr : rc;
}

/* Rewrites errors.log with the lines in memory (cachedir_replace: temp file,
 * fsync, rename). */
static int rejects_rewrite_log(struct rejects *r)
{
	struct iovec iov;
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, REJECTS_LOG_MAX);
	for (i = 0; !rc && i < r->nlines; i++)
		rc = buf_printf(&b, "%s\n", r->lines[(r->first + i) % REJECTS_LINES_MAX]);
	iov = (struct iovec){b.data ? b.data : "", b.len};
	if (!rc)
		rc = cachedir_replace(r->ffd, REJECTS_LOG, "." REJECTS_LOG ".tmp-", &iov, 1);
	if (!rc)
		r->disk_lines = r->nlines;
	buf_cleanup(&b);
	return rc;
}

static int rejects_append_log(struct rejects *r, const char *line)
{
	char text[REJECTS_LINE_MAX + 2];
	int fd, rc;

	if (r->disk_lines >= 2 * REJECTS_LINES_MAX)
		return rejects_rewrite_log(r);
	snprintf(text, sizeof(text), "%s\n", line);
	rc = cachedir_open_file(r->ffd, REJECTS_LOG, O_WRONLY | O_CREAT | O_APPEND, &fd);
	if (rc)
		return rc;
	rc = cachedir_write_all(fd, text, strlen(text));
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	if (!rc)
		r->disk_lines++;
	return rc;
}

int rejects_add(struct rejects *r, const struct rejects_event *ev, char *kept, size_t keptcap)
{
	char line[REJECTS_LINE_MAX], name[REJECTS_NAME_MAX + 1] = "";
	char *l, *n = NULL;
	struct cache_doc *doc = NULL;
	int rc = 0, rc2;

	rejects_line(ev, line, sizeof(line));
	if (!(l = strdup(line)))
		return -ENOMEM;
	if (ev->bytes && !(doc = model_doc_new(ev->bytes, ev->len, ev->time))) {
		free(l);
		return -ENOMEM;
	}
	pthread_mutex_lock(&r->mu);
	if (doc) {
		rc = rejects_keep(r, ev, name, sizeof(name));
		if ((n = strdup(name)))
			rejects_ring_push(&r->files, n, doc);
		else
			cache_doc_unref(doc);
	}
	rejects_push_line(r, l);
	rc2 = r->ffd >= 0 ? rejects_append_log(r, line) : 0;
	pthread_mutex_unlock(&r->mu);
	if (kept && keptcap)
		snprintf(kept, keptcap, "%s", n ? name : "");
	return rc ? rc : rc2;
}

int rejects_errors_text(struct rejects *r, struct buf *out)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&r->mu);
	for (i = 0; !rc && i < r->nlines; i++)
		rc = buf_printf(out, "%s\n", r->lines[(r->first + i) % REJECTS_LINES_MAX]);
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int rejects_list(struct rejects *r, struct cache_rejected_list *out)
{
	int rc;

	pthread_mutex_lock(&r->mu);
	rc = rejects_ring_list(&r->files, out);
	pthread_mutex_unlock(&r->mu);
	return rc;
}

size_t rejects_count(struct rejects *r)
{
	size_t n;

	pthread_mutex_lock(&r->mu);
	n = r->files.n;
	pthread_mutex_unlock(&r->mu);
	return n;
}

void cache_rejected_list_cleanup(struct cache_rejected_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		cache_doc_unref(l->v[i].doc);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void rejects_load_log(struct rejects *r)
{
	char *text, *p, *nl;
	size_t len;

	if (cachedir_read_file(r->ffd, REJECTS_LOG, REJECTS_LOG_MAX, &text, &len, NULL))
		return;
	for (p = text; *p; p = nl + 1) {
		char *l;

		if (!(nl = strchr(p, '\n')))
			break; /* a partial last line: dropped */
		*nl = '\0';
		r->disk_lines++;
		if (*p && (l = strndup(p, REJECTS_LINE_MAX - 1)))
			rejects_push_line(r, l);
	}
	free(text);
}

int rejects_open(const char *folder, struct rejects **out)
{
	struct rejects *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	r->dfd = r->ffd = -1;
	if (folder && folder[0] && !cachedir_open(folder, false, &r->ffd, NULL, 0)) {
		if (!cachedir_openat(r->ffd, REJECTS_DIR, REJECTS_DIR, true, &r->dfd, NULL, 0))
			fchmod(r->dfd, 0700);
		if (r->dfd < 0) {
			close(r->ffd);
			r->ffd = -1;
		}
	}
	if (r->ffd >= 0) {
		rejects_load_log(r);
		rejects_ring_load(&r->files, r->dfd, REJECTS_DOC_MAX);
	}
	*out = r;
	return r->ffd >= 0 || !folder || !folder[0] ? 0 : -EACCES;
}

void rejects_close(struct rejects *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nlines; i++)
		free(r->lines[(r->first + i) % REJECTS_LINES_MAX]);
	rejects_ring_cleanup(&r->files);
	if (r->dfd >= 0)
		close(r->dfd);
	if (r->ffd >= 0)
		close(r->ffd);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
