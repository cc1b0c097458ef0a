/*
 * The record of refused saves (.iamfs/errors and .iamfs/rejected/): the bytes of each one as a file
 * under FOLDER/rejected/ (0700, files 0600, written whole then linked into place, never
 * overwritten) and one line each in FOLDER/errors.log (appended, trimmed to the
 * last REJECTS_LINES_MAX lines), both mirrored in memory and read back at open so
 * they survive remounts. The naming and line formatting are pure functions.
 */
#ifndef IAMFS_CACHE_REJECTS_H
#define IAMFS_CACHE_REJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/buf.h"
#include "cache/model.h"

#define REJECTS_LINES_MAX 1000		/* errors lines kept (memory and disk) */
#define REJECTS_FILES_MAX 1000		/* rejected files listed (the newest) */
#define REJECTS_NAME_MAX  255		/* bytes of a rejected file's name */
#define REJECTS_LINE_MAX  2048		/* bytes of one errors line, newline excluded */
#define REJECTS_DOC_MAX	  (1024 * 1024) /* bytes of a rejected file read back */

struct rejects;

/* The .iamfs/rejected/ folder: a snapshot of the refused saves' files. */
struct cache_rejected {
	char *name;	       /* e.g. "20261123T114407Z-states-lambda-role-trust.json" */
	struct cache_doc *doc; /* the refused bytes */
};
struct cache_rejected_list {
	struct cache_rejected *v;
	size_t n;
};
/* Drops the snapshot's references and arrays and zeroes it. */
void cache_rejected_list_cleanup(struct cache_rejected_list *l);

/* The files kept in one folder (rejected/, removed/), mirrored in memory: the
 * newest REJECTS_FILES_MAX, oldest at first. Not locked: its owner's lock guards
 * it. A zeroed ring is empty. */
struct rejects_ring {
	struct cache_rejected v[REJECTS_FILES_MAX];
	size_t first, n;
};
/* Adds name and doc (both taken) as the newest, dropping the oldest when full. */
void rejects_ring_push(struct rejects_ring *ring, char *name, struct cache_doc *doc);
/* A snapshot of ring into out (the caller's, cache_rejected_list_cleanup). 0 or
 * -ENOMEM (out empty). */
int rejects_ring_list(const struct rejects_ring *ring, struct cache_rejected_list *out);
/* Reads the newest REJECTS_FILES_MAX files of the folder dfd (max bytes at most
 * each; larger or unreadable ones are left out) into ring, in name order, and
 * removes the temporaries (".tmp-PID-*") a killed writer left (cachedir_sweep). */
void rejects_ring_load(struct rejects_ring *ring, int dfd, size_t max);
/* Drops every file of ring and empties it. */
void rejects_ring_cleanup(struct rejects_ring *ring);

/* Opens the record in folder (NULL or "": memory only) and reads back what a
 * previous mount left. *out is freed with rejects_close (NULL-safe); it is set even
 * when the folder cannot be used (-errno, then the record is kept in memory only). */
int rejects_open(const char *folder, struct rejects **out);
void rejects_close(struct rejects *r);

/* One refused save. path is the file inside the role folder ("trust.json",
 * "inline/X.json"); bytes (may be NULL) are kept as a rejected file when non-NULL;
 * err is the errno (positive or negative); code is IAM's code or NULL/"" for a local
 * refusal; request_id may be NULL or "". Writes the kept file's name into kept
 * ("" when none; may be NULL). Returns 0 or -errno when the disk copy failed (the
 * memory copy is kept either way; -ENOMEM when even that failed). */
struct rejects_event {
	long long time;
	const char *role;
	const char *path;
	const char *bytes;
	size_t len;
	int err;
	const char *code;
	const char *message;
	const char *request_id;
};
int rejects_add(struct rejects *r, const struct rejects_event *ev, char *kept, size_t keptcap);

/* Appends the errors text (oldest first, one line each). */
int rejects_errors_text(struct rejects *r, struct buf *out);
/* A snapshot of the rejected files, oldest first (+1 ref on each doc). */
int rejects_list(struct rejects *r, struct cache_rejected_list *out);
size_t rejects_count(struct rejects *r);

/* Pure: "<yyyymmddThhmmssZ>-<role>-<path with '/' as '-'>", bytes outside
 * [A-Za-z0-9._+=,@-] as '_', with "-<seq>" before the extension when seq > 1, cut to
 * fit REJECTS_NAME_MAX keeping the extension. Never "", ".", ".." or hidden. */
void rejects_name(long long t, const char *role, const char *path, unsigned seq, char *out,
		  size_t cap);
/* The names tried for one (t, role, path) before a keep gives up (-EEXIST). */
#define REJECTS_SEQ_MAX 1000
/* Links the temporary file tmp in dfd under the first name rejects_name gives
 * for (t, role, path) with seq 1 to REJECTS_SEQ_MAX that ring does not hold and
 * dfd does not have (the name in out). dfd < 0: no disk copy, nothing is linked
 * and only ring decides. 0, -EEXIST when every name is taken, or a link's
 * -errno. */
int rejects_link_fresh(int dfd, const char *tmp, const struct rejects_ring *ring, long long t,
		       const char *role, const char *path, char *out, size_t cap);
/* Pure: "<ISO time> <role>/<path> <ERRNO> <code or local>: <message>[ (request id X)]",
 * control characters as spaces, cut to cap. */
void rejects_line(const struct rejects_event *ev, char *out, size_t cap);
/* "ESTALE" for ESTALE or -ESTALE; "E<n>" when unknown. */
const char *rejects_errno_name(int err, char *tmp, size_t cap);

#endif
