/*
 * What saving and its host share: the structs a save is asked and answered with
 * (fs fills them in through cache.h), and struct save_host, the narrow interface
 * saving is handed at open. It is the only way saving reaches the rest of the
 * cache (clock, log, connections, the view, publication); saving never sees
 * struct cache. Types only.
 */
#ifndef IAMFS_CACHE_SAVE_HOST_H
#define IAMFS_CACHE_SAVE_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam.h"
#include "cache/hooks.h"
#include "cache/model.h"

/* One save: see cache_save in cache.h. */
struct cache_save {
	const char *role;
	enum cache_file_kind kind; /* TRUST, INLINE or ATTACHED */
	const char *name;	   /* INLINE/ATTACHED: the policy name */
	const char *bytes;
	size_t len;
	unsigned long long base_gen;   /* gen of the document this open served; 0: a new file */
	unsigned long long journal_id; /* from cache_save_accept (the save owns it); 0: none */
	bool remove;	 /* rm of the file (bytes unused): INLINE DeleteRolePolicy, ATTACHED
			    DetachRolePolicy (fs allows it only with --allow-delete) */
	const char *arn; /* ATTACHED, a new name made by ln -s: the ARN to attach (bytes unused) */
};

struct cache_save_result {
	unsigned calls;	      /* IAM requests sent for this save */
	bool noop;	      /* same JSON value as IAM's: nothing sent */
	bool dry_run;	      /* --dry-run: validated and logged, not sent */
	char action[48];      /* the write call made or that would be made */
	char message[1024];   /* one sentence: why refused, or what dry-run would do */
	struct aws_error aws; /* IAM's detail when IAM refused */
	/* gen of the document the file now shows when it is not the saved bytes' (a
	 * role.json is shown re-rendered); 0: model_hash of the bytes */
	unsigned long long shown_gen;
};

/* A change refused before any save could start: see cache_refuse in cache.h. */
struct cache_refusal {
	const char *role;
	const char *path;
	const char *bytes; /* may be NULL */
	size_t len;
	int err; /* errno, positive */
	const char *message;
};

/* What saving may ask of the cache. Copied at save_open; the callbacks run on the
 * saving thread with no saving lock held. */
struct save_host {
	bool read_only;	     /* --read-only: every save is refused with EROFS */
	bool dry_run;	     /* --dry-run: validated and logged, not sent */
	bool prune_versions; /* --prune-versions */
	/* The embedder's clock and log, and its change callback (may be NULL):
	 * saves call on_change from the saving thread. */
	struct hooks hooks;
	void (*on_change)(void *ctx, const struct cache_change *ch);
	void *on_change_ctx;
	/* The cache's side, each called with ctx: this thread's IAM connection
	 * (NULL on ENOMEM); the current view (+1 ref, never NULL); publication of
	 * one replaced document (model_view_replace's arguments, doc borrowed;
	 * reports the change through on_change); and, after a save that sent
	 * calls, the last call's error (cleared when it succeeded), so the cache
	 * knows whether IAM answered. */
	void *ctx;
	struct iam_conn *(*conn)(void *ctx);
	struct cache_view *(*view_get)(void *ctx);
	int (*publish)(void *ctx, const char *role, enum cache_file_kind kind, const char *name,
		       struct cache_doc *doc);
	void (*called)(void *ctx, const struct aws_error *last);
	/* Publication of one structural edit (model.h: a policy attached or
	 * detached, a role created or deleted; documents borrowed), reported
	 * through on_change as the differences it makes (model_diff) and replayed
	 * onto a load in flight like a saved document. 0, -ENOENT, -EINVAL, -ENOMEM. */
	int (*publish_edit)(void *ctx, const struct model_edit *e);
};

#endif
