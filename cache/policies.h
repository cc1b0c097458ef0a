/*
 * Which managed policy a name in attached/ means: this account's customer managed
 * policy of that name (the names the last load's GAAD LocalManagedPolicy pages
 * listed, every one of them, attached or not), else the AWS managed one at any
 * path. AWS managed names come from one ListPolicies (Scope AWS) chain, made only
 * when a name must be resolved and kept in the account's cache folder
 * (POLICIES_FILE, written whole to a fresh name and renamed, cachedir.h's rules)
 * for POLICIES_MAX_AGE seconds of the embedder's clock. The pure parts (the list,
 * its file format, the ARN checks) are separate from the state, which has its own
 * mutex, never held across a network call; one lock serializes fetches so two
 * saves never fetch the same list twice.
 */
#ifndef IAMFS_CACHE_POLICIES_H
#define IAMFS_CACHE_POLICIES_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "aws/iam.h"
#include "cache/hooks.h"

#define POLICIES_FILE	  "aws-policies"
#define POLICIES_MAX_AGE  86400	      /* seconds the AWS managed list is trusted */
#define POLICIES_FILE_MAX (16u << 20) /* bytes of the file read back */
#define POLICIES_ARN_MAX  2048	      /* IAM's limit on an ARN */
#define POLICIES_MAGIC	  "iamfs-aws-policies-1"

/* A name -> ARN list, sorted by name (bytewise) once policies_list_sort ran. Owns
 * its strings. */
struct policies_entry {
	char *name;
	char *arn;
};
struct policies_list {
	struct policies_entry *v;
	size_t n, cap;
};

/* Pure. add copies both strings (0, -ENOMEM, -EINVAL for an empty or too long
 * one); sort orders by name; find answers the ARN (borrowed) of name, or NULL,
 * on a sorted list; cleanup frees and zeroes (NULL-safe). */
int policies_list_add(struct policies_list *l, const char *name, const char *arn);
void policies_list_sort(struct policies_list *l);
const char *policies_list_find(const struct policies_list *l, const char *name);
void policies_list_cleanup(struct policies_list *l);

/* Pure: the file's text: POLICIES_MAGIC, the fetch time (unix seconds), then one
 * "NAME\tARN" line per entry. parse reads it back into out (sorted; out empty on
 * entry, filled only on success): 0, or -EINVAL for anything else (a damaged file
 * is then fetched again), -ENOMEM. */
int policies_format(const struct policies_list *l, long long fetched, struct buf *out);
int policies_parse(const char *bytes, size_t len, struct policies_list *out, long long *fetched);
/* Pure: a list fetched at fetched is still used at now (less than a day old, and
 * not from the future). */
bool policies_fresh(long long fetched, long long now);

/* Pure: arn is a managed policy's ARN ("arn:PARTITION:iam::ACCOUNT-or-aws:policy/
 * [PATH/]NAME") whose last part is name: 0, else -EINVAL with why (one sentence,
 * may be NULL) saying which. */
int policies_arn_check(const char *arn, const char *name, char *why, size_t cap);
/* Pure: the ARN a customer managed policy called name, at path "/", has in the
 * account and partition of the role whose role.json (bytes, len) is given (its
 * "Arn"): 0, -EINVAL (no role ARN there), -ENAMETOOLONG. */
int policies_arn_for(const char *role_json, size_t len, const char *name, char *out, size_t cap);

struct policies;

/* Opens the state for the account folder (NULL or "": nothing kept on disk) and
 * reads its list back when there is one. h is copied. *out is freed with
 * policies_close (NULL-safe). 0 or -ENOMEM. */
int policies_open(const char *folder, const struct hooks *h, struct policies **out);
void policies_close(struct policies *p);

/* The customer managed policies a load listed (arns copied; their names are the
 * ARNs' last parts): replaces what was known. -ENOMEM keeps the old list. */
int policies_set_local(struct policies *p, const char *const *arns, size_t n);
/* One customer managed policy created by this mount (arn copied; NULL-safe). */
void policies_add_local(struct policies *p, const char *arn);

/* What a name resolves to in each scope ("" when none). */
struct policies_match {
	char local[POLICIES_ARN_MAX];
	char aws[POLICIES_ARN_MAX];
};

/* Resolves name in both scopes through conn: the AWS list is fetched (and written
 * to the folder) when none younger than POLICIES_MAX_AGE is known; the customer
 * managed list with ListPolicies Scope Local when no load listed it, and once more
 * when the name is found in neither (a policy created since the last load).
 * *calls counts the ListPolicies chains sent (a chain may be several pages).
 * 0, or the failed call's -errno with err. */
int policies_resolve(struct policies *p, struct iam_conn *conn, const char *name,
		     struct policies_match *m, unsigned *calls, struct aws_error *err);

#endif
