/*
 * The on-disk copy of one account: every rendered document with its mtime and
 * gen, role CreateDates, the AWS managed documents fetched so far, and the
 * account id, caller ARN and time of the last good load, in one versioned,
 * checksummed binary file written atomically (temp file, fsync, rename, fsync of the folder; files
 * 0600, folders 0700). An index file maps (profile, IAM endpoint) to the account
 * folder so a remount finds it before any network call. Corrupt or old-format
 * files are refused with a reason, never trusted.
 */
#ifndef IAMFS_CACHE_DISK_H
#define IAMFS_CACHE_DISK_H

#include <stddef.h>

#include "cache/model.h"

#define DISK_FORMAT	  "iamfs-cache-2"
#define DISK_INDEX_FORMAT "iamfs-index-1"
#define DISK_MAX_FILE	  (1u << 30)
/* The file: DISK_FORMAT "\n" padded with NULs to DISK_MAGIC_LEN bytes, the body's
 * length and disk_checksum as 64-bit little-endian words, then the body. */
#define DISK_MAGIC_LEN 16
#define DISK_HEAD_LEN  32

/* An AWS managed policy's document, by ARN. */
struct disk_managed {
	char *arn;
	struct cache_doc *doc;
};

struct disk_meta {
	char *account; /* heap-owned in disk_read's output */
	char *caller_arn;
	long long last_load; /* unix seconds of the last good load */
};

/* The checksum the header carries for len bytes of body. Pure (tests and fuzzing
 * rebuild a valid header around a body with it). */
unsigned long long disk_checksum(const void *body, size_t len);

/* Writes folder/view.json atomically (creating folder and its missing parents
 * 0700). Every folder on the way must pass cachedir.h's rule. 0 or -errno. */
int disk_write(const char *folder, const struct cache_view *v, const struct disk_managed *m,
	       size_t nm, const struct disk_meta *meta);

/* Reads folder/view.json: a new view (refs = 1, serial 1), the managed documents
 * (array of *nm entries; free with disk_managed_free) and meta (free with
 * disk_meta_cleanup). -ENOENT when there is none; -EINVAL with a reason in why for
 * a corrupt or old-format file; -EPERM with why when folder breaks cachedir.h's
 * rule. Out-parameters are written only on success. */
int disk_read(const char *folder, struct cache_view **v, struct disk_managed **m, size_t *nm,
	      struct disk_meta *meta, char *why, size_t whylen);
void disk_managed_free(struct disk_managed *m, size_t n);
void disk_meta_cleanup(struct disk_meta *meta);

/* The index dir/index.json: the folder name (no '/') recorded for (profile,
 * endpoint) in *folder (malloc'ed), or -ENOENT; disk_index_store records it. */
int disk_index_lookup(const char *dir, const char *profile, const char *endpoint, char **folder);
int disk_index_store(const char *dir, const char *profile, const char *endpoint,
		     const char *folder);

#endif
