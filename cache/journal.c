/*
 * The pending-save journal (see journal.h). An entry file "<20-digit id>.entry"
 * holds one line of JSON header (format, seq = id, time, kind, role, name, length), a
 * newline, then the document bytes. Temporary files are ".tmp-<pid>-<n>"
 * (cachedir_write_tmp), so a later open can tell a dead writer's leftovers from a
 * live one's (cachedir_sweep). Only the id
 * counter is shared between threads; each call works on its own descriptors.
 */
#include "cache/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cache/cachedir.h"

#define JOURNAL_FORMAT	   1
#define JOURNAL_HEADER_MAX (4 * JOURNAL_NAME_MAX + 512)
#define JOURNAL_FILE_MAX   (JOURNAL_HEADER_MAX + JOURNAL_DOC_MAX)
#define JOURNAL_SUFFIX	   ".entry"
#define JOURNAL_TMP_PREFIX ".tmp-"
/* Attempts to find a free id when another process shares the folder. */
#define JOURNAL_ID_TRIES 1000
/* Header times are unix seconds; beyond 2^53 a double no longer holds them exactly. */
#define JOURNAL_TIME_MAX 9007199254740992.0

struct journal {
	int dfd;	      /* DIR/journal, O_DIRECTORY */
	pthread_mutex_t lock; /* guards next_id */
	unsigned long long next_id;
	unsigned long long first_id; /* ids below this were left over at open */
	long long (*now)(void *ctx);
	void *now_ctx;
};

static const char *const kind_names[] = {
	[JOURNAL_TRUST] = "trust",
	[JOURNAL_INLINE] = "inline",
	[JOURNAL_INLINE_DELETE] = "inline-delete",
	[JOURNAL_MANAGED] = "managed",
	[JOURNAL_ROLE] = "role",
	[JOURNAL_DETACH] = "detach",
	[JOURNAL_ROLE_DELETE] = "role-delete",
	[JOURNAL_ATTACH] = "attach",
	[JOURNAL_CREATE_POLICY] = "create-policy",
	[JOURNAL_CREATE_ROLE] = "create-role",
};

const char *journal_kind_name(enum journal_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}

static int kind_from_name(const char *s, enum journal_kind *out)
{
	unsigned i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum journal_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "00000000000000000042.entry" -> 42; -EINVAL for any other name. */
static int entry_id(const char *fname, unsigned long long *id)
{
	size_t i;

	if (strlen(fname) != 20 + strlen(JOURNAL_SUFFIX) || strcmp(fname + 20, JOURNAL_SUFFIX))
		return -EINVAL;
	*id = 0;
	for (i = 0; i < 20; i++) {
		if (fname[i] < '0' || fname[i] > '9')
			return -EINVAL;
		*id = *id * 10 + (unsigned long long)(fname[i] - '0');
	}
	return 0;
}

static void entry_name(unsigned long long id, char *out, size_t cap)
{
	snprintf(out, cap, "%020llu%s", id, JOURNAL_SUFFIX);
}

/* The journal folder for reading (NULL with errno set on failure). */
static DIR *journal_opendir(struct journal *j)
{
	int fd = openat(j->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	int e;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

/* Finds the highest id in the folder and sweeps dead temporary files. */
static int journal_scan(struct journal *j)
{
	unsigned long long id, max = 0;
	struct dirent *de;
	DIR *d;

	d = journal_opendir(j);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (cachedir_sweep(j->dfd, de->d_name, JOURNAL_TMP_PREFIX))
			continue;
		if (!entry_id(de->d_name, &id) && id > max)
			max = id;
	}
	closedir(d);
	j->next_id = max + 1;
	j->first_id = max + 1;
	return 0;
}

/* Opens dir (creating it) and dir/journal under cachedir.h's rule; the journal
 * folder is tightened to 0700. A descriptor of the journal folder or -errno. */
static int journal_open_dir(const char *dir)
{
	struct stat st;
	int top, fd, rc = cachedir_open(dir, true, &top, NULL, 0);

	if (rc)
		return rc;
	rc = cachedir_openat(top, "journal", "journal", true, &fd, NULL, 0);
	close(top);
	if (rc)
		return rc;
	if (fstat(fd, &st) < 0 || ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int journal_open(const char *dir, long long (*now)(void *ctx), void *now_ctx, struct journal **out)
{
	struct journal *j = NULL;
	int rc;

	if (!dir || !*dir || !out)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->dfd = -1;
	j->now = now;
	j->now_ctx = now_ctx;
	rc = journal_open_dir(dir);
	if (rc < 0)
		goto out;
	j->dfd = rc;
	rc = journal_scan(j);
	if (rc < 0)
		goto out;
	pthread_mutex_init(&j->lock, NULL);
	*out = j;
	j = NULL;
	rc = 0;
out:
	if (j) {
		if (j->dfd >= 0)
			close(j->dfd);
		free(j);
	}
	return rc;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	close(j->dfd);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static unsigned long long journal_take_id(struct journal *j)
{
	unsigned long long id;

	pthread_mutex_lock(&j->lock);
	id = j->next_id++;
	pthread_mutex_unlock(&j->lock);
	return id;
}

/* The one-line header; caller frees. */
static char *journal_header(const struct journal *j, unsigned long long id, const char *role,
			    enum journal_kind kind, const char *name, size_t len)
{
	long long t = j->now ? j->now(j->now_ctx) : (long long)time(NULL);
	cJSON *h = cJSON_CreateObject();
	char *s = NULL;

	if (!h)
		return NULL;
	if (cJSON_AddNumberToObject(h, "iamfs_journal", JOURNAL_FORMAT) &&
	    cJSON_AddNumberToObject(h, "seq", (double)id) &&
	    cJSON_AddNumberToObject(h, "pid", (double)getpid()) &&
	    cJSON_AddNumberToObject(h, "time", (double)t) &&
	    cJSON_AddStringToObject(h, "kind", journal_kind_name(kind)) &&
	    cJSON_AddStringToObject(h, "role", role) &&
	    cJSON_AddStringToObject(h, "name", name ? name : "") &&
	    cJSON_AddNumberToObject(h, "length", (double)len))
		s = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	return s;
}

/* Links tmp to its entry name (never replacing one: -EEXIST), drops tmp, syncs. */
static int journal_publish(struct journal *j, const char *tmp, unsigned long long id)
{
	char final[64];
	int rc = 0;

	entry_name(id, final, sizeof(final));
	if (linkat(j->dfd, tmp, j->dfd, final, 0) < 0)
		rc = -errno;
	unlinkat(j->dfd, tmp, 0);
	if (!rc && fsync(j->dfd) < 0) {
		rc = -errno;
		unlinkat(j->dfd, final, 0);
	}
	return rc;
}

/* Writes and publishes one entry under id; -EEXIST when another process has it. */
static int journal_write_entry(struct journal *j, unsigned long long id, const char *role,
			       enum journal_kind kind, const char *name, const char *bytes,
			       size_t len)
{
	char tmp[96];
	char *header;
	struct iovec iov[3];
	int rc;

	header = journal_header(j, id, role, kind, name, len);
	if (!header)
		return -ENOMEM;
	iov[0] = (struct iovec){header, strlen(header)};
	iov[1] = (struct iovec){"\n", 1};
	iov[2] = (struct iovec){(void *)bytes, len};
	rc = cachedir_write_tmp(j->dfd, JOURNAL_TMP_PREFIX, iov, len ? 3 : 2, tmp, sizeof(tmp));
	if (!rc)
		rc = journal_publish(j, tmp, id);
	free(header);
	return rc;
}

int journal_begin(struct journal *j, const char *role, enum journal_kind kind, const char *name,
		  const char *bytes, size_t len, unsigned long long *id)
{
	unsigned long long nid = 0;
	int tries, rc = -EEXIST;

	if (!j || !role || !*role || !id ||
	    (unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]) || (len && !bytes))
		return -EINVAL;
	if (strlen(role) > JOURNAL_NAME_MAX || (name && strlen(name) > JOURNAL_NAME_MAX))
		return -ENAMETOOLONG;
	if (len > JOURNAL_DOC_MAX)
		return -EFBIG;
	/* Another daemon sharing the folder may take an id first: move on to the next. */
	for (tries = 0; tries < JOURNAL_ID_TRIES && rc == -EEXIST; tries++) {
		nid = journal_take_id(j);
		rc = journal_write_entry(j, nid, role, kind, name, bytes, len);
	}
	if (!rc)
		*id = nid;
	return rc;
}

static int journal_remove(struct journal *j, unsigned long long id)
{
	char final[64];

	if (!j)
		return -EINVAL;
	entry_name(id, final, sizeof(final));
	if (unlinkat(j->dfd, final, 0) < 0)
		return -errno;
	if (fsync(j->dfd) < 0)
		return -errno;
	return 0;
}

int journal_end(struct journal *j, unsigned long long id)
{
	return journal_remove(j, id);
}

int journal_discard(struct journal *j, unsigned long long id)
{
	return journal_remove(j, id);
}

/* Reads a whole entry file (at most JOURNAL_FILE_MAX bytes); caller frees *out. */
static int read_entry_file(int dfd, const char *fname, char **out, size_t *outlen)
{
	struct stat st;
	size_t n = 0, cap;
	ssize_t r;
	char *buf;
	int fd, rc = 0;

	rc = cachedir_open_file(dfd, fname, O_RDONLY, &fd);
	if (rc)
		return rc;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	cap = st.st_size > JOURNAL_FILE_MAX ? JOURNAL_FILE_MAX : (size_t)st.st_size;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

static const char *header_string(const cJSON *h, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool header_number(const cJSON *h, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, key);

	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

/* A number within [lo, hi] (so that the cast is defined), in *out. */
static bool header_int(const cJSON *h, const char *key, double lo, double hi, long long *out)
{
	double d;

	if (!header_number(h, key, &d) || !(d >= lo && d <= hi))
		return false;
	*out = (long long)d;
	return true;
}

/* Parses file bytes into e (pointing into buf and *hdr); damaged when it does not fit. */
static void parse_entry(char *buf, size_t n, struct journal_entry *e, cJSON **hdr)
{
	const char *nl = memchr(buf, '\n', n < JOURNAL_HEADER_MAX ? n : JOURNAL_HEADER_MAX);
	const char *role, *name, *kind;
	double fmt = 0, len = 0;
	long long t = 0, pid = 0;
	cJSON *h;

	e->damaged = true;
	e->role = e->name = "";
	e->bytes = buf;
	e->len = n;
	*hdr = NULL;
	if (!nl)
		return;
	h = cJSON_ParseWithLength(buf, (size_t)(nl - buf));
	if (!h)
		return;
	*hdr = h;
	role = header_string(h, "role");
	name = header_string(h, "name");
	kind = header_string(h, "kind");
	if (!role || !name || !kind || kind_from_name(kind, &e->kind) ||
	    !header_number(h, "iamfs_journal", &fmt) || fmt != JOURNAL_FORMAT ||
	    !header_int(h, "time", -JOURNAL_TIME_MAX, JOURNAL_TIME_MAX, &t) ||
	    !header_number(h, "length", &len) || len != (double)(n - (size_t)(nl + 1 - buf)) ||
	    (cJSON_HasObjectItem(h, "pid") && !header_int(h, "pid", 0, INT32_MAX, &pid)))
		return;
	e->pid = (long)pid;
	e->time = t;
	e->role = role;
	e->name = name;
	e->bytes = nl + 1;
	e->len = n - (size_t)(nl + 1 - buf);
	e->damaged = false;
}

static int cmp_id(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Ids of left-over entries, sorted; caller frees *ids. */
static int journal_collect(struct journal *j, unsigned long long **ids, size_t *count)
{
	unsigned long long id, *v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	d = journal_opendir(j);
	if (!d)
		return -errno;
	v = malloc(JOURNAL_LIST_MAX * sizeof(*v));
	while (v && n < JOURNAL_LIST_MAX && (de = readdir(d)) != NULL)
		if (!entry_id(de->d_name, &id) && id < j->first_id)
			v[n++] = id;
	closedir(d);
	if (!v)
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_id);
	*ids = v;
	*count = n;
	return 0;
}

int journal_list(struct journal *j, int (*cb)(void *ctx, const struct journal_entry *e), void *ctx)
{
	unsigned long long *ids = NULL;
	struct journal_entry e;
	char fname[64];
	size_t n = 0, i, len = 0;
	cJSON *hdr;
	char *buf = NULL;
	int rc;

	if (!j || !cb)
		return -EINVAL;
	rc = journal_collect(j, &ids, &n);
	for (i = 0; !rc && i < n; i++) {
		entry_name(ids[i], fname, sizeof(fname));
		rc = read_entry_file(j->dfd, fname, &buf, &len);
		if (rc == -ENOENT) {
			rc = 0; /* discarded meanwhile */
			continue;
		}
		if (rc)
			break;
		memset(&e, 0, sizeof(e));
		parse_entry(buf, len, &e, &hdr);
		e.id = ids[i];
		/* Another daemon sharing the folder has this save in flight: not a leftover. */
		if (!cachedir_pid_other_live(e.pid))
			rc = cb(ctx, &e);
		cJSON_Delete(hdr);
		free(buf);
	}
	free(ids);
	return rc;
}
