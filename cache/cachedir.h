/*
 * The one rule for everything under the cache folder, as ssh applies to its own
 * files. A folder is used only when it is owned by the effective uid and not
 * writable by group or others; each folder above it must be owned by root or the
 * effective uid and not writable by group or others unless sticky (as /tmp is).
 * Folders are opened one component at a time with O_NOFOLLOW, so no symlink is
 * ever followed on the way down (the caller resolves the cache folder's own path
 * once, with realpath, before using it); folders made here are 0700. Files are
 * created with O_CREAT|O_EXCL|O_NOFOLLOW (0600) under fresh names and opened with
 * O_NOFOLLOW, always relative to a folder descriptor.
 */
#ifndef IAMFS_CACHE_CACHEDIR_H
#define IAMFS_CACHE_CACHEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Names tried by cachedir_create before giving up with -EEXIST. */
#define CACHEDIR_TRIES 100

enum cachedir_verdict {
	CACHEDIR_OK,
	CACHEDIR_NOT_FOLDER, /* not a folder (a symlink is never opened) */
	CACHEDIR_NOT_OWNER,  /* owned by another uid (a parent: neither root nor us) */
	CACHEDIR_WRITABLE,   /* writable by group or others (a parent: and not sticky) */
};

/* Pure: whether a folder with st may be used, as the folder itself or (parent) as
 * one of the folders above it, by a process whose effective uid is euid. */
enum cachedir_verdict cachedir_judge(const struct stat *st, uid_t euid, bool parent);

/* Creates path and its missing parents with mode 0700 following symlinks, for a
 * path the user gave before it is resolved (nothing is judged here). 0 or -errno. */
int cachedir_mkdirs(const char *path);

/* Opens the folder path (absolute, or relative to the working folder), checking
 * every component on the way and, when create, making the missing ones (0700)
 * relative to the checked folder above them. *fd: an O_DIRECTORY descriptor the
 * caller closes. 0, -EPERM when a folder breaks the rule (a symlink included), or
 * another -errno; on failure why (may be NULL) holds one sentence naming the
 * folder and the fix. */
int cachedir_open(const char *path, bool create, int *fd, char *why, size_t whylen);

/* The same for the one folder name inside dfd (shown is its path, for why). */
int cachedir_openat(int dfd, const char *name, const char *shown, bool create, int *fd, char *why,
		    size_t whylen);

/* Creates a new empty file (0600, O_WRONLY) in dfd named prefix followed by a
 * number, never reusing, truncating or following an existing name (a leftover or
 * a planted symlink): another number is tried, up to CACHEDIR_TRIES. The name is
 * written to name (cap bytes), *fd is the caller's. 0 or -errno. */
int cachedir_create(int dfd, const char *prefix, char *name, size_t cap, int *fd);

/* Opens the regular file name in dfd with flags (O_RDONLY, or O_WRONLY with
 * O_APPEND and maybe O_CREAT, then 0600), never following a symlink: anything but a
 * regular file is -EINVAL. O_NOFOLLOW and O_CLOEXEC are added. 0 or -errno. */
int cachedir_open_file(int dfd, const char *name, int flags, int *fd);

/* Reads the whole regular file name in dfd (opened as cachedir_open_file does)
 * into *out (malloc'ed, NUL-terminated, *len bytes), and its mtime into *mtime
 * when not NULL. -EINVAL when it is larger than max or not a regular file. */
int cachedir_read_file(int dfd, const char *name, size_t max, char **out, size_t *len,
		       long long *mtime);

/* Writes all n bytes of p to fd, again after EINTR or a short write. 0 or -errno. */
int cachedir_write_all(int fd, const char *p, size_t n);

/* Writes the pieces iov[0..niov) one after the other into a new file in dfd made
 * by cachedir_create under the name prefix, the pid and "-" followed by a number
 * (so a sweep can tell whose leftover it is), then fsyncs and closes it. Its name
 * goes to tmp (cap bytes); the caller links or renames it into place and removes
 * it. On failure nothing is left behind. 0 or -errno. */
int cachedir_write_tmp(int dfd, const char *prefix, const struct iovec *iov, int niov, char *tmp,
		       size_t cap);

/* Replaces name in dfd whole: cachedir_write_tmp, renamed over name, then dfd
 * fsync'ed so the new name survives a crash. Readers see the old bytes or the new
 * ones, never a part. 0 or -errno (nothing is left behind). */
int cachedir_replace(int dfd, const char *name, const char *prefix, const struct iovec *iov,
		     int niov);

/* The names in dfd that do not start with '.', sorted bytewise, into *names (a
 * malloc'ed array of *n malloc'ed strings, the caller frees both). Temporaries
 * under the prefix sweep (when not NULL) are swept on the way (cachedir_sweep).
 * A name that cannot be copied is left out. 0 or -errno. */
int cachedir_names(int dfd, const char *sweep, char ***names, size_t *n);

/* True when pid is another running process (not this one). The cache folders
 * are 0700, so a process this one may not signal is a reused pid, not a
 * writer of ours. */
bool cachedir_pid_other_live(long pid);

/* When name starts with prefix it is a temporary file a writer made with
 * cachedir_write_tmp (prefix, its pid, "-", a number): removed from dfd when
 * that writer is not another running process. Returns whether name was such a
 * file. Meant for opening a folder, before this process writes there. */
bool cachedir_sweep(int dfd, const char *name, const char *prefix);

/* Calls each(dfd, name, arg) for every name in dfd but "." and "..", in readdir's
 * order (names starting with '.' included). 0 or -errno when dfd cannot be read. */
int cachedir_each(int dfd, void (*each)(int dfd, const char *name, void *arg), void *arg);

#endif
