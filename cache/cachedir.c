/*
 * The cache folder's rule (see cachedir.h): a walk from the top, one O_NOFOLLOW
 * openat per component, each folder judged by fstat on the descriptor it was
 * opened as, so what is judged is what is used.
 */
#include "cache/cachedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/buf.h"

#define CACHEDIR_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

enum cachedir_verdict cachedir_judge(const struct stat *st, uid_t euid, bool parent)
{
	if (!S_ISDIR(st->st_mode))
		return CACHEDIR_NOT_FOLDER;
	if (st->st_uid != euid && (!parent || st->st_uid != 0))
		return CACHEDIR_NOT_OWNER;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (!parent || !(st->st_mode & S_ISVTX)))
		return CACHEDIR_WRITABLE;
	return CACHEDIR_OK;
}

int cachedir_mkdirs(const char *path)
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

/* One sentence on why the folder shown was refused. */
static void cachedir_explain(enum cachedir_verdict v, const struct stat *st, const char *shown,
			     bool parent, char *why, size_t whylen)
{
	const char *what = parent ? "the folder above the cache" : "the cache folder";

	if (!why)
		return;
	if (v == CACHEDIR_NOT_FOLDER)
		snprintf(why, whylen,
			 "%s %s is a symlink or not a folder, and iamfs follows no symlink in the "
			 "cache: replace it with a folder of your own",
			 what, shown);
	else if (v == CACHEDIR_NOT_OWNER)
		snprintf(why, whylen,
			 "%s %s belongs to uid %u, not to you (uid %u): chown it to yourself or "
			 "choose another cache folder",
			 what, shown, (unsigned)st->st_uid, (unsigned)geteuid());
	else
		snprintf(why, whylen, "%s %s is writable by others: run chmod go-w %s", what, shown,
			 shown);
}

/* Opens name in dfd as a folder (making it 0700 when create and it is missing)
 * and judges it. */
static int cachedir_step(int dfd, const char *name, const char *shown, bool create, bool parent,
			 int *out, char *why, size_t whylen)
{
	enum cachedir_verdict v = CACHEDIR_NOT_FOLDER;
	struct stat st = {0};
	int fd, rc = 0;

	fd = openat(dfd, name, CACHEDIR_DIR_FLAGS);
	if (fd < 0 && errno == ENOENT && create && (!mkdirat(dfd, name, 0700) || errno == EEXIST))
		fd = openat(dfd, name, CACHEDIR_DIR_FLAGS);
	if (fd < 0 && errno != ELOOP && errno != ENOTDIR) {
		rc = -errno;
		if (why)
			snprintf(why, whylen, "cannot open the cache folder %s: %s", shown,
				 strerror(-rc));
		goto out;
	}
	if (fd >= 0 && fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		goto out;
	}
	if (fd >= 0)
		v = cachedir_judge(&st, geteuid(), parent);
	if (v != CACHEDIR_OK) {
		if (fd >= 0)
			close(fd);
		cachedir_explain(v, &st, shown, parent, why, whylen);
		rc = -EPERM;
		goto out;
	}
	*out = fd;
out:
	return rc;
}

int cachedir_openat(int dfd, const char *name, const char *shown, bool create, int *fd, char *why,
		    size_t whylen)
{
	*fd = -1;
	return cachedir_step(dfd, name, shown, create, false, fd, why, whylen);
}

int cachedir_open(const char *path, bool create, int *out, char *why, size_t whylen)
{
	char buf[PATH_MAX];
	size_t n = path ? strlen(path) : 0, i = 0, start;
	int dfd, next, rc = 0;
	bool last;

	*out = -1;
	if (!n || n >= sizeof(buf))
		return n ? -ENAMETOOLONG : -EINVAL;
	memcpy(buf, path, n + 1);
	dfd = open(path[0] == '/' ? "/" : ".", CACHEDIR_DIR_FLAGS);
	if (dfd < 0)
		return -errno;
	while (!rc) {
		while (buf[i] == '/')
			i++;
		start = i;
		while (buf[i] && buf[i] != '/')
			i++;
		last = !buf[i + strspn(buf + i, "/")];
		buf[i] = '\0';
		if (!strcmp(buf + start, ".."))
			rc = -EINVAL;
		else if (i > start)
			rc = cachedir_step(dfd, buf + start, buf, create, !last, &next, why,
					   whylen);
		buf[i] = path[i];
		if (!rc && i > start) {
			close(dfd);
			dfd = next;
		}
		if (last)
			break;
	}
	if (rc == -EINVAL && why)
		snprintf(why, whylen, "the cache folder %s contains \"..\"", path);
	if (!rc)
		*out = dfd;
	else
		close(dfd);
	return rc;
}

int cachedir_create(int dfd, const char *prefix, char *name, size_t cap, int *fd)
{
	static unsigned long seq;
	int tries, rc = -EEXIST;

	*fd = -1;
	for (tries = 0; tries < CACHEDIR_TRIES && rc == -EEXIST; tries++) {
		unsigned long k = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);

		if ((size_t)snprintf(name, cap, "%s%lu", prefix, k) >= cap)
			return -ENAMETOOLONG;
		*fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		rc = *fd < 0 ? -errno : 0;
	}
	return rc;
}

int cachedir_open_file(int dfd, const char *name, int flags, int *fd)
{
	struct stat st;
	int rc = 0;

	/* O_NONBLOCK: a planted FIFO must not stall the open; regular files ignore it. */
	*fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st))
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int cachedir_read_file(int dfd, const char *name, size_t max, char **out, size_t *len,
		       long long *mtime)
{
	struct stat st;
	struct buf b;
	int fd, rc = cachedir_open_file(dfd, name, O_RDONLY, &fd);

	if (rc)
		return rc;
	if (fstat(fd, &st) || (size_t)st.st_size > max) {
		close(fd);
		return -EINVAL;
	}
	buf_init(&b, max);
	rc = buf_read_fd(&b, fd);
	close(fd);
	*len = b.len;
	if (!rc && !(*out = buf_steal(&b)))
		rc = -ENOMEM;
	buf_cleanup(&b);
	if (!rc && mtime)
		*mtime = (long long)st.st_mtime;
	return rc;
}

int cachedir_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cachedir_write_tmp(int dfd, const char *prefix, const struct iovec *iov, int niov, char *tmp,
		       size_t cap)
{
	char pre[96];
	int fd, i, rc;

	if ((size_t)snprintf(pre, sizeof(pre), "%s%ld-", prefix, (long)getpid()) >= sizeof(pre))
		return -ENAMETOOLONG;
	if ((rc = cachedir_create(dfd, pre, tmp, cap, &fd)))
		return rc;
	for (i = 0; !rc && i < niov; i++)
		rc = cachedir_write_all(fd, iov[i].iov_base, iov[i].iov_len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	return rc;
}

int cachedir_replace(int dfd, const char *name, const char *prefix, const struct iovec *iov,
		     int niov)
{
	char tmp[128];
	int rc = cachedir_write_tmp(dfd, prefix, iov, niov, tmp, sizeof(tmp));

	if (rc)
		return rc;
	if (renameat(dfd, tmp, dfd, name)) {
		rc = -errno;
		unlinkat(dfd, tmp, 0);
		return rc;
	}
	fsync(dfd);
	return 0;
}

int cachedir_each(int dfd, void (*each)(int dfd, const char *name, void *arg), void *arg)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		int rc = -errno;

		if (fd >= 0)
			close(fd);
		return rc;
	}
	rewinddir(d); /* the offset is shared with dfd */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			each(dfd, e->d_name, arg);
	closedir(d);
	return 0;
}

bool cachedir_pid_other_live(long pid)
{
	return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) == 0;
}

bool cachedir_sweep(int dfd, const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end = NULL;
	long pid;

	if (strncmp(name, prefix, n))
		return false;
	errno = 0;
	pid = strtol(name + n, &end, 10);
	if (!errno && end != name + n && *end == '-' && pid > 0 && !cachedir_pid_other_live(pid))
		unlinkat(dfd, name, 0);
	return true;
}

struct cachedir_list {
	const char *sweep;
	char **v;
	size_t n, cap;
};

static void cachedir_names_one(int dfd, const char *name, void *arg)
{
	struct cachedir_list *l = arg;
	char **v;

	if (l->sweep)
		cachedir_sweep(dfd, name, l->sweep);
	if (name[0] == '.')
		return;
	if (l->n == l->cap && (v = realloc(l->v, (l->cap ? l->cap * 2 : 64) * sizeof(*v)))) {
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 64;
	}
	if (l->n < l->cap && (l->v[l->n] = strdup(name)))
		l->n++;
}

static int cachedir_cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cachedir_names(int dfd, const char *sweep, char ***names, size_t *n)
{
	struct cachedir_list l = {.sweep = sweep};
	int rc = cachedir_each(dfd, cachedir_names_one, &l);

	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cachedir_cmp_name);
	*names = l.v;
	*n = l.n;
	return rc;
}
