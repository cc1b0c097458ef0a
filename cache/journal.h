/*
 * The pending-save journal: before a save is sent to IAM its bytes are written to
 * DIR/journal/ (folder 0700, files 0600, each written whole to a temporary name,
 * fsync'ed, then linked into place and the folder fsync'ed), and removed once the
 * outcome is known. Entries left over by a daemon killed mid-save are read back at
 * the next mount to be reported. File names come from a sequence number only,
 * never from role or policy names. All functions are safe from several threads.
 */
#ifndef IAMFS_CACHE_JOURNAL_H
#define IAMFS_CACHE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

enum journal_kind {
	JOURNAL_TRUST,	       /* UpdateAssumeRolePolicy; name is "" */
	JOURNAL_INLINE,	       /* PutRolePolicy; name is the policy name */
	JOURNAL_INLINE_DELETE, /* DeleteRolePolicy; no bytes */
	JOURNAL_MANAGED,       /* CreatePolicyVersion; name is the policy name or ARN */
	JOURNAL_ROLE,	       /* a role.json edit (UpdateRole, tags, boundary); name is "" */
	JOURNAL_DETACH,	       /* DetachRolePolicy; name is the policy ARN; no bytes */
	JOURNAL_ROLE_DELETE,   /* RemoveRoleFromInstanceProfile(s), DeleteRole; no name, no bytes */
	JOURNAL_ATTACH,	       /* AttachRolePolicy; name is the policy ARN; no bytes */
	JOURNAL_CREATE_POLICY, /* CreatePolicy; name is the policy name; the document */
	JOURNAL_CREATE_ROLE,   /* CreateRole of a pending role; bytes: its trust policy */
};

#define JOURNAL_NAME_MAX 1024	       /* bytes of a role or policy name */
#define JOURNAL_DOC_MAX	 (1024 * 1024) /* bytes of a document */
#define JOURNAL_LIST_MAX 65536	       /* entries journal_list reads back */

struct journal;

/* One entry read back by journal_list; valid only during the callback. */
struct journal_entry {
	unsigned long long id; /* the sequence number; pass to journal_discard */
	long long time;	       /* unix seconds when the save began */
	enum journal_kind kind;
	const char *role;  /* "" when damaged */
	const char *name;  /* "" for trust and when damaged */
	const char *bytes; /* the document; when damaged, the whole file */
	size_t len;
	bool damaged; /* the file could not be read as an entry */
	long pid;     /* the writer's process id; 0 when unknown */
};

/*
 * Opens DIR and DIR/journal/, creating them 0700 if needed (an existing DIR keeps
 * its mode; DIR/journal/ is set to 0700), and removes temporary files left by
 * processes that no longer exist. now gives unix seconds (NULL:
 * time()). On success *out owns the journal; free it with journal_close.
 */
int journal_open(const char *dir, long long (*now)(void *ctx), void *now_ctx, struct journal **out);
void journal_close(struct journal *j); /* NULL-safe */

/*
 * Records a save about to be sent and makes it durable before returning. role
 * must be non-empty; name may be NULL for trust; bytes may be NULL when len is 0.
 * Sets *id on success. Returns 0, -EINVAL, -ENAMETOOLONG, -EFBIG or -errno of the
 * file system (then nothing is left behind and the save must not be sent).
 */
int journal_begin(struct journal *j, const char *role, enum journal_kind kind, const char *name,
		  const char *bytes, size_t len, unsigned long long *id);

/* The save's outcome is known (in IAM, or refused and kept elsewhere): removes
 * the entry durably. Returns 0, -ENOENT or -errno. */
int journal_end(struct journal *j, unsigned long long id);

/*
 * Calls cb for every entry left over from before journal_open (oldest first),
 * except those whose writer is another process still running (a second daemon on
 * the same cache folder). Entries that cannot be parsed are passed with damaged
 * set rather than dropped.
 * A non-zero return from cb stops the walk and is returned. Returns 0 or -errno.
 */
int journal_list(struct journal *j, int (*cb)(void *ctx, const struct journal_entry *e), void *ctx);

/* Removes a left-over entry once it has been reported or replayed. Returns 0,
 * -ENOENT or -errno. */
int journal_discard(struct journal *j, unsigned long long id);

/* "trust", "inline", "inline-delete", "managed", "role", "detach", "role-delete",
 * "attach", "create-policy", "create-role". */
const char *journal_kind_name(enum journal_kind kind);

#endif
