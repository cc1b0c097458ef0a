/*
 * The bulk load of one account: caller identity, then at once one ListRoles
 * chain (for Description and MaxSessionDuration, on its own connection and
 * thread) and one GetAccountAuthorizationDetails chain whose pages are rendered
 * and freed as they arrive; when GAAD is denied, a per-role scan instead. The result is a set of
 * unsorted roles ready for model_view_new. Only rendered bytes are kept.
 */
#ifndef IAMFS_CACHE_LOAD_H
#define IAMFS_CACHE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam.h"
#include "cache/model.h"

/* Room for the names of the roles and policies a load leaves out. */
#define LOAD_SKIPPED_MAX 1024

/* How far a running load has got, for a progress display. */
struct load_progress {
	const char *stage; /* the chain waited for: "GetAccountAuthorizationDetails" (with
			      ListRoles beside it), "ListRoles" (once GAAD is done), "the
			      per-role scan", "GetPolicy" (static text) */
	size_t roles;	   /* roles rendered so far */
	size_t pages;	   /* GAAD and ListRoles pages received so far */
};

struct load_result {
	struct cache_role *roles; /* unsorted; attached customer docs resolved */
	size_t nroles, cap;
	char *account;
	char *caller_arn;
	bool fallback; /* GAAD was denied: per-role scan */
	/* Roles and policies the answers named but the tree cannot show (a name
	 * outside IAM's rules, or one of the tree's own names): how many, and
	 * "role \"NAME\": why; ..." with every name escaped (ident_escape), cut
	 * with "..." when it does not fit. */
	size_t nskipped;
	char skipped[LOAD_SKIPPED_MAX];
	/* Set by the caller (borrowed, a ref held for the load; may be NULL): the view
	 * being revalidated. A rendered document whose bytes equal the same file's
	 * there is dropped at once for that one, so a revalidation never holds two
	 * copies of an unchanged account (what model_settle would decide anyway). */
	const struct cache_view *old;
	/* Set by the caller (may be NULL): told how far the load has got when a chain
	 * starts, after each GAAD page and after each role of a per-role scan, on the
	 * loading thread, and after each ListRoles page, on the ListRoles thread; never
	 * two calls at once. p is valid for the call only. */
	void (*progress)(void *ctx, const struct load_progress *p);
	void *progress_ctx;
	/* Every customer managed policy GAAD's LocalManagedPolicy pages listed,
	 * attached or not (their ARNs, owned); local_known when GAAD ran (not the
	 * per-role scan, which cannot list them). */
	char **local;
	size_t nlocal, caplocal;
	bool local_known;
	/* Set by the caller (borrowed; may be NULL): the account id and caller ARN
	 * the credentials are known to have (an account of an organization reached
	 * by AssumeRole), so GetCallerIdentity is not called. */
	const char *known_account;
	const char *known_caller;
};

/* Loads the whole account through conn (and, for ListRoles, a connection of its
 * own from conn's client, freed before the return), reporting to out->progress. On success fills
 * out, empty but for old and progress (free with
 * load_result_cleanup); on failure returns -errno with err from the failed call as
 * IAM sent it and *failed naming that call's action (the caller words the sentence). */
int load_account(struct iam_conn *conn, struct load_result *out, const char **failed,
		 struct aws_error *err);
void load_result_cleanup(struct load_result *r);

/* GetPolicy + GetPolicyVersion of the default version: the rendered document
 * (refs = 1, mtime = that version's CreateDate). */
int load_policy_doc(struct iam_conn *conn, const char *arn, struct cache_doc **out,
		    struct aws_error *err);

/* Renders a policy document (render_json; text that is not JSON is kept as sent,
 * plus "\n") into a new doc (refs = 1). NULL text renders as "{}\n". */
struct cache_doc *load_render_doc(const char *text, long long mtime);

/* Turns one role as IAM described it (trust, inline policies, attachments; extra
 * Description/MaxSessionDuration already merged) into a cache_role appended to
 * out. Attached docs are left NULL. A role, inline or attached policy whose
 * name or path ident.h refuses is left out and recorded in out->skipped. Pure. */
int load_add_role(struct load_result *out, const struct iam_role *r);

/* Pure: the roles of GAAD pages already in memory (no ListRoles extras, no
 * fetching: -ENOENT when an attached customer managed policy is not in the pages;
 * out->old is honoured as by load_account).
 * Pages are left for the caller to clean up. */
int load_gaad_pages(struct iam_gaad *pages, size_t n, struct load_result *out,
		    struct aws_error *err);

#endif
