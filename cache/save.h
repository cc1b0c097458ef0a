/*
 * Saving's entry points, the only ones cache.c calls: open and close with the
 * host (save_host.h), replay after a load, status lines, and the bodies of
 * cache.h's saving functions. cache.c owns the struct save_state; saving calls
 * back only through the host, so nothing here points up at cache.c. Every
 * refusal is recorded (rejects.h) before an entry point returns.
 */
#ifndef IAMFS_CACHE_SAVE_H
#define IAMFS_CACHE_SAVE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/buf.h"
#include "cache/rejects.h"
#include "cache/save_host.h"

struct save_state;

/* Opens saving for the account folder (NULL or "": unknown, saves are refused):
 * the journal and the record of refusals, and the leftover journal entries of a
 * killed daemon, kept for save_replay. Failures to use the folder are logged;
 * saving then refuses (-EIO) rather than sending without a journal. *out is
 * freed with save_close (NULL-safe). 0 or -ENOMEM. */
int save_open(const struct save_host *h, const char *folder, struct save_state **out);
void save_close(struct save_state *st);
/* After a load is published (any thread, no lock held; NULL-safe): reports the
 * leftover journal entries against IAM's documents now known. Cheap when none. */
void save_replay(struct save_state *st);
/* After a load is published: every customer managed policy it listed (load.h's
 * local, arns copied), so names in attached/ resolve without a call (NULL-safe). */
void save_local_policies(struct save_state *st, const char *const *arns, size_t n);
/* Whether a CreateRole of role was under way when the daemon stopped (a left-over
 * journal entry not replayed yet): IAM's role of that name may be its own. */
bool save_left_creates(struct save_state *st, const char *role);
/* Appends the saving lines of .iamfs/status (st NULL: none). */
int save_status(struct save_state *st, struct buf *out);

/* The bodies of cache_save, cache_save_accept, cache_save_abandon, cache_refuse,
 * cache_errors_text and cache_rejected_list (cache.h), with the same contracts;
 * st NULL: -EINVAL, nothing, nothing, -EINVAL, empty, empty. */
int save_file(struct save_state *st, const struct cache_save *s, struct cache_save_result *res);
void save_accept(struct save_state *st, const struct cache_save *s, unsigned long long *jid);
void save_abandon(struct save_state *st, unsigned long long jid);
int save_refusal(struct save_state *st, const struct cache_refusal *r);
int save_errors_text(struct save_state *st, struct buf *out);
int save_rejected_list(struct save_state *st, struct cache_rejected_list *out);
/* save_remove.c and save_life.c: the bodies of cache_delete_role and
 * cache_removed_list (cache.h), same contracts; st NULL: -EINVAL, empty. */
int save_delete_role(struct save_state *st, const char *role, struct cache_save_result *res);
int save_removed_list(struct save_state *st, struct cache_rejected_list *out);

#endif
