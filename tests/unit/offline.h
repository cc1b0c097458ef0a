/* Shared by the cache tests that run with no IAM to talk to: an IAM client whose
 * endpoints refuse every connection, an injected clock and a recorder of the
 * cache's on_change calls. */
#ifndef IAMFS_TESTS_OFFLINE_H
#define IAMFS_TESTS_OFFLINE_H

#include <stdbool.h>

#include "aws/iam.h"
#include "cache/cache.h"
#include "cache/model.h"

/* Port 1 on loopback: nothing listens, connections are refused at once. */
#define OFFLINE_URL "http://127.0.0.1:1/"

extern long long offline_clock;	    /* what offline_now answers; tests move it */
extern char offline_changes[8][96]; /* "what role kind name" of each change seen */
extern int offline_nchanges;

/* A cache_options.now / creds clock answering offline_clock. */
long long offline_now(void *ctx);

/* A cache_options.on_change recording up to 8 changes in offline_changes. */
void offline_on_change(void *ctx, const struct cache_change *ch);

/* An IAM client for OFFLINE_URL (IAM and STS) with static keys, region
 * us-east-1, offline_now as its clock and one attempt per call; NULL (and a
 * failed check) when it cannot be made. */
struct iam_client *offline_client(void);

/* The sample account of the disk and rebase tests: role zeta (trust.json
 * trust0, inline a and b, attached Shared and ReadOnlyAccess) and role alpha
 * (attached Shared, the same document), serial 7. The caller puts the view. */
#define OFFLINE_SHARED "arn:aws:iam::123456789012:policy/Shared"
#define OFFLINE_RO     "arn:aws:iam::aws:policy/ReadOnlyAccess"
struct cache_view *offline_sample_view(const char *trust0);

/* How many mappings of folder's view.json (or of a replaced one) this process has. */
int offline_mapped(const char *folder);

/* The modes of offline_cache. */
enum offline_mode {
	OFFLINE_READ_ONLY = 1,
	OFFLINE_DRY_RUN = 2,
	OFFLINE_ALLOW_DELETE = 4,
};

/* Fills r as role name of a seeded copy: mtime 10, trust (mtime 11) and
 * role.json (mtime 12) holding the given bytes; r owns them. */
void offline_role(struct cache_role *r, const char *name, const char *trust, const char *role_json);

/* Writes roles[0..n) (malloc'ed, taken) as the disk copy DIR/123456789012-x of
 * profile at OFFLINE_URL, the one cache_open reads when IAM cannot be reached. */
void offline_seed(const char *dir, const char *profile, struct cache_role *roles, size_t n);

/* cache_open of dir with cl, ttl 60, offline_now, offline_on_change and modes (an
 * OR of enum offline_mode); the caller closes it. NULL after a failed check. */
struct cache *offline_cache(struct iam_client *cl, const char *dir, unsigned modes);

/* How many names not starting with '.' the folder folder/sub holds (a cache
 * folder's journal, rejected, removed or pending); -1 when it cannot be read. */
int offline_count_files(const char *folder, const char *sub);

/* One offline test program: a fresh folder from tmpl (mkdtemp changes it), an
 * offline_client, seed(FOLDER/c, its profile), then each of tests (NULL-ended)
 * on FOLDER/c in order; the folder is removed. check_done(what)'s answer. */
int offline_main(char *tmpl, const char *what, void (*seed)(const char *dir, const char *profile),
		 void (*const *tests)(struct iam_client *cl, const char *dir));

/* True when c's .iamfs/status text holds line; says on stderr what it holds
 * when not (a failed cache_status is a failed check). */
bool offline_status_has(struct cache *c, const char *line);

#endif
