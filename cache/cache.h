/*
 * The account model the filesystem serves: an immutable, refcounted snapshot
 * (struct cache_view) of every role and its rendered documents, replaced whole
 * by each revalidation. Reads never block on the network except the lazy
 * fetch of an AWS managed policy document (cache_fetch_managed), which fs runs
 * on a worker thread. A refresher thread revalidates after --ttl (one GAAD
 * chain), writes the on-disk copy, and reports what changed through the
 * on_change callback. on_change runs on the refresher thread for a revalidation,
 * and on the calling thread for a save, a refusal (cache_save, cache_refuse)
 * or a refresh before cache_start: whoever changed the view reports it.
 */
#ifndef IAMFS_CACHE_CACHE_H
#define IAMFS_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "aws/iam.h"
#include "cache/load.h"
#include "cache/model.h"
#include "cache/rejects.h"
#include "cache/save_host.h"

struct cache_options {
	const char *dir;	     /* persistent cache folder (created 0700) */
	unsigned ttl;		     /* seconds */
	bool read_only;		     /* --read-only, shown in status */
	bool dry_run;		     /* --dry-run, shown in status */
	bool prune_versions;	     /* --prune-versions: make room for a sixth version */
	bool allow_delete;	     /* --allow-delete: removals may reach IAM (status) */
	struct iam_client *iam;	     /* borrowed; outlives the cache */
	long long (*now)(void *ctx); /* unix seconds; NULL: time() */
	void *now_ctx;
	/* Called for each change of the view or of the record of refusals: from
	 * the refresher thread after a revalidation, and from the thread calling
	 * cache_save, cache_refuse or (before cache_start) cache_refresh for what
	 * that call changed; an embedder that must delay those can tell them by
	 * the calling thread. Never with the view's lock held. */
	void (*on_change)(void *ctx, const struct cache_change *ch);
	void *on_change_ctx;
	/* Logging is fs's: the cache reports warnings through this (may be NULL). */
	void (*log)(void *ctx, int priority, const char *msg);
	void *log_ctx;
	/* How far each load has got while it runs (may be NULL; load.h says when):
	 * on the thread running the load (the opening thread for cache_open's, then
	 * the refresher or cache_refresh's caller), never with the view's lock held.
	 * .iamfs/status shows the same on its "loading:" line. */
	void (*progress)(void *ctx, const struct load_progress *p);
	void *progress_ctx;
	/* A bound on loads running at once across caches (may be NULL): called with
	 * enter true before each whole-account load (cache_open's, a revalidation, a
	 * refresh), which waits while it returns, and with enter false after it. */
	void (*gate)(void *ctx, bool enter);
	void *gate_ctx;
	/* With no disk copy and a load IAM refuses (or cannot be reached):
	 * cache_open opens with an empty view instead of failing; status and
	 * cache_health say why, and the TTL or cache_refresh tries again. */
	bool open_empty;
	/* The account id and caller ARN the credentials are known to have (both
	 * borrowed, outliving the cache; NULL: each load asks GetCallerIdentity). */
	const char *account_id;
	const char *caller_arn;
	/* After each load that publishes a view (and at cache_start), fetch every
	 * AWS managed document attached to its roles in the background, up to
	 * PREFETCH_THREADS at once (cache/prefetch.h); a single-account mount's choice. */
	bool prefetch_managed;
};

/* What the last loads came to (cache_health). */
struct cache_health {
	long long last_load;	/* unix seconds of the last good load; 0: never */
	long long last_attempt; /* start of the last load; 0: none */
	bool loading;		/* a load runs now */
	bool offline;		/* IAM could not be reached */
	bool failed;		/* the last load failed (refused, when not offline) */
	char why[1152];		/* why it failed, one sentence ("" when it did not) */
	char account[32];	/* the account id the loads found ("" when none yet) */
};

struct cache;

/* Opens the cache: serves the on-disk copy when there is one, else does the
 * whole bulk load now (the caller has not daemonized yet). With no disk copy and
 * IAM unreachable or refusing: returns -errno with err saying why, in a sentence.
 * Starts no thread. */
int cache_open(const struct cache_options *o, struct cache **out, struct aws_error *err);
/* Starts the refresher thread (after daemonizing). A cache opened from disk
 * revalidates at once in the background. */
int cache_start(struct cache *c);
/* Stops the thread and frees everything. NULL-safe. */
void cache_close(struct cache *c);

/* The current view (+1 ref; drop it with cache_view_put, model.h); never NULL
 * after cache_open. */
struct cache_view *cache_view_get(struct cache *c);

/* AWS managed documents: cache_managed_doc returns the document (+1 ref) if it is
 * already known, else NULL without blocking. cache_fetch_managed blocks on IAM
 * (GetPolicy + GetPolicyVersion, once per ARN for the mount; call it from a worker
 * thread) and returns the document (+1 ref). */
struct cache_doc *cache_managed_doc(struct cache *c, const char *arn);
int cache_fetch_managed(struct cache *c, const char *arn, struct cache_doc **out,
			struct aws_error *err);

/* Tells the cache the tree is being used: when the view is older than the ttl,
 * wakes the refresher (never blocks, never more than one chain in flight). */
void cache_touch(struct cache *c);
/* Refetches the whole account now and waits for it (.iamfs/refresh; worker thread). */
int cache_refresh(struct cache *c, struct aws_error *err);

/* Appends the text of .iamfs/status. */
int cache_status(struct cache *c, struct buf *out);
/* How the last loads went. No network. */
void cache_health(struct cache *c, struct cache_health *out);
/* True while IAM is unreachable and the disk copy is served. */
bool cache_offline(struct cache *c);
/* Copies this account's cache folder path (0700, for files kept beside the disk
 * copy, such as the save journal) into out. -ENOENT before the account is known,
 * -ENAMETOOLONG when cap is too small. */
int cache_folder(struct cache *c, char *out, size_t cap);

/*
 * Saving (the structs are save_host.h's). cache_save is the commit of one
 * policy file: local validation (cache/validate.h), a save of the same JSON
 * value sends nothing, the pending-save journal (cache/journal.h) is written
 * before the call, one read checks for a conflict (the document changed in IAM
 * since base_gen was served: -ESTALE), then the one write call
 * (UpdateAssumeRolePolicy, PutRolePolicy, CreatePolicyVersion with
 * SetAsDefault; with prune_versions a full policy first loses its oldest
 * non-default version), then the saved bytes are published as they were written
 * (they read back byte for byte). A write that fails without proving it did not
 * land is settled with the conflict read: IAM holds the saved document (success),
 * the old one (sent once more), or the read fails too (-EIO "unsettled": the
 * journal entry stays for the next mount, the bytes are not kept under rejected/).
 * Every other refusal after the read-only check is recorded: its bytes are kept
 * under rejected/ and a line is added to the errors text, both in memory and in
 * the cache folder. Blocks on IAM: call it from a worker thread. Returns 0 or
 * -errno: EROFS (read-only), EINVAL, EFBIG, ESTALE, EDQUOT, EPERM (role.json,
 * AWS managed), EACCES, EKEYEXPIRED, ENOENT, EAGAIN, EIO. With remove, the rm
 * of an inline policy: DeleteRolePolicy, journaled, settled and recorded the
 * same way (already gone in IAM counts as done; a refusal keeps the last
 * document under rejected/). With remove of an attached policy: DetachRolePolicy
 * the same way (the managed policy itself is never deleted). Either removal keeps
 * what it takes out of IAM under removed/ before its call.
 */
int cache_save(struct cache *c, const struct cache_save *s, struct cache_save_result *res);
/* Journals s (journal_id ignored) the moment it is accepted, before it waits for a
 * saver, so a daemon killed while it waits loses nothing: the next mount reports it
 * as interrupted. Does file I/O and fsync; no network. *jid is 0 when nothing was
 * journaled (read-only, dry-run, not a file that can be saved, or the journal
 * failed: cache_save then journals, or refuses, as usual). Pass *jid as
 * s->journal_id to cache_save, which ends the entry, or to cache_save_abandon when
 * the save will not run. */
void cache_save_accept(struct cache *c, const struct cache_save *s, unsigned long long *jid);
/* Drops an accepted save's journal entry (jid 0: nothing). */
void cache_save_abandon(struct cache *c, unsigned long long jid);

/* A change refused before any save could start (the caller decided, e.g. a file
 * name IAM cannot take): recorded as a refused save is (logged, one errors line,
 * bytes kept under rejected/ when not NULL). path is inside the role folder
 * ("inline/X.json"); message is one sentence. Returns 0, or -errno when the disk
 * copy of the record failed (the memory copy is kept). */
int cache_refuse(struct cache *c, const struct cache_refusal *r);

/*
 * Pending roles (cache/pending.h): cache_mkdir makes a pending role folder at the
 * root (kept in the cache folder, nothing sent); -EROFS, -EINVAL for a name IAM
 * cannot take or the tree's own, -EEXIST when a role or pending folder has the name
 * in any letter case (both recorded, with an errors line), or a file system
 * -errno. cache_rmdir_pending drops one (-ENOENT when name is not pending). msg
 * gets one sentence either way. cache_role_pending tells whether name is pending.
 * No network.
 */
int cache_mkdir(struct cache *c, const char *name, char *msg, size_t cap);
int cache_rmdir_pending(struct cache *c, const char *name, char *msg, size_t cap);
/* rm of a pending role's role.json: the settings kept for it are dropped (local,
 * nothing sent; the folder stays pending). -EROFS, -ENOENT (not pending, or no
 * role.json), -errno of the store. msg gets one sentence. */
int cache_pending_unlink_json(struct cache *c, const char *name, char *msg, size_t cap);
bool cache_role_pending(struct cache *c, const char *name);

/* The .iamfs/errors text: one line per refused save (time, path, code, message,
 * request id), oldest first, kept across remounts. */
int cache_errors_text(struct cache *c, struct buf *out);

/* The .iamfs/rejected/ folder: a snapshot of the refused saves' files (the list
 * type is rejects.h's; free it with cache_rejected_list_cleanup). */
int cache_rejected_list(struct cache *c, struct cache_rejected_list *out);

/* rmdir of a role folder (the mount allows deletes; fs decides that): removes the
 * role from each of its instance profiles (ListInstanceProfilesForRole,
 * RemoveRoleFromInstanceProfile), then DeleteRole, after keeping its trust policy
 * and role.json under .iamfs/removed/. Journaled, --dry-run and --read-only
 * honoured like a save; a role that still has inline or attached policies is
 * -ENOTEMPTY, a service-linked role (path /aws-service-role/) -EPERM, both with
 * nothing sent. Every refusal is recorded. res as cache_save's. 0 or -errno. */
int cache_delete_role(struct cache *c, const char *role, struct cache_save_result *res);

/* The .iamfs/removed/ folder: what removals took out of IAM, oldest first (free
 * with cache_rejected_list_cleanup). */
int cache_removed_list(struct cache *c, struct cache_rejected_list *out);

#endif
