/*
 * Plain data parsed from IAM and STS answers. Every string is heap-owned,
 * NUL-terminated UTF-8, and NULL when IAM did not send the field; the dates the
 * cache compares also come parsed (iso8601.h) as unix seconds. Policy
 * documents are already decoded (URL-encoded or raw on the wire) and hold the
 * JSON text exactly as IAM sent it. Lists grow by *_push helpers in iam_parse.c.
 */
#ifndef IAMFS_AWS_IAM_TYPES_H
#define IAMFS_AWS_IAM_TYPES_H

#include <stdbool.h>
#include <stddef.h>

struct iam_tag {
	char *key;
	char *value;
};

/* An inline policy (GAAD RolePolicyList, GetRolePolicy). */
struct iam_inline_policy {
	char *name;
	char *document;
};

/* An attachment (AttachedManagedPolicies, ListAttachedRolePolicies). */
struct iam_attached_policy {
	char *name;
	char *arn;
};

struct iam_role {
	char *name;
	char *id;
	char *arn;
	char *path;
	char *create_date;     /* ISO 8601 as IAM sent it */
	long long create_time; /* create_date in unix seconds; 0 when absent or unreadable */
	char *description;
	int max_session_duration; /* 0 when not sent */
	char *trust_policy;	  /* AssumeRolePolicyDocument, decoded */
	char *boundary_arn;	  /* PermissionsBoundary, NULL when none */
	char *boundary_type;
	char *last_used_date; /* RoleLastUsed/LastUsedDate */
	char *last_used_region;
	struct iam_tag *tags;
	size_t ntags;
	struct iam_inline_policy *inline_policies; /* GAAD only */
	size_t ninline;
	struct iam_attached_policy *attached; /* GAAD only */
	size_t nattached;
};

struct iam_policy_version {
	char *version_id; /* "v3" */
	bool is_default;
	char *create_date;     /* ISO 8601 as IAM sent it */
	long long create_time; /* create_date in unix seconds; 0 when absent or unreadable */
	char *document;	       /* decoded; NULL in ListPolicyVersions */
};

struct iam_policy {
	char *name;
	char *id;
	char *arn;
	char *path;
	char *default_version_id;
	int attachment_count;
	bool is_attachable;
	char *description;
	char *create_date;
	char *update_date;
	struct iam_policy_version *versions; /* GAAD PolicyVersionList */
	size_t nversions;
};

struct iam_role_list {
	struct iam_role *v;
	size_t n, cap;
};

struct iam_policy_list {
	struct iam_policy *v;
	size_t n, cap;
};

struct iam_version_list {
	struct iam_policy_version *v;
	size_t n, cap;
};

struct iam_string_list {
	char **v;
	size_t n, cap;
};

struct iam_attached_list {
	struct iam_attached_policy *v;
	size_t n, cap;
};

/* GetAccountAuthorizationDetails: roles and customer managed policies. */
struct iam_gaad {
	struct iam_role_list roles;
	struct iam_policy_list policies;
};

struct iam_caller_identity {
	char *account;
	char *arn;
	char *user_id;
};

/* GetAccountSummary: the SummaryMap as key/value pairs. */
struct iam_summary_entry {
	char *key;
	long long value;
};

struct iam_account_summary {
	struct iam_summary_entry *v;
	size_t n, cap;
};

/* STS credentials from AssumeRole / AssumeRoleWithWebIdentity. Secrets are
 * wiped by iam_sts_credentials_cleanup. */
struct iam_sts_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;
	char *expiration; /* ISO 8601 */
	char *assumed_role_arn;
};

/* Paging state of one response page. marker is heap-owned, NULL when none. */
struct iam_page {
	bool is_truncated;
	char *marker;
};

/* Cleanup functions: free every member, leave the struct zeroed. NULL-safe. */
void iam_role_cleanup(struct iam_role *r);
void iam_policy_cleanup(struct iam_policy *p);
void iam_policy_version_cleanup(struct iam_policy_version *v);
void iam_role_list_cleanup(struct iam_role_list *l);
void iam_policy_list_cleanup(struct iam_policy_list *l);
void iam_version_list_cleanup(struct iam_version_list *l);
void iam_string_list_cleanup(struct iam_string_list *l);
void iam_attached_list_cleanup(struct iam_attached_list *l);
void iam_gaad_cleanup(struct iam_gaad *g);
void iam_caller_identity_cleanup(struct iam_caller_identity *c);
void iam_account_summary_cleanup(struct iam_account_summary *s);
void iam_sts_credentials_cleanup(struct iam_sts_credentials *c);
void iam_page_cleanup(struct iam_page *p);
void iam_inline_policy_cleanup(struct iam_inline_policy *p);
void iam_attached_policy_cleanup(struct iam_attached_policy *p);

/* Push helpers (iam_parse.c): 0 or -ENOMEM. The struct forms move *x into the
 * list and zero it on success (the caller keeps it on failure); the string and
 * summary forms copy their arguments. */
int iam_role_list_push(struct iam_role_list *l, struct iam_role *r);
int iam_policy_list_push(struct iam_policy_list *l, struct iam_policy *p);
int iam_version_list_push(struct iam_version_list *l, struct iam_policy_version *v);
int iam_string_list_push(struct iam_string_list *l, const char *s);
int iam_attached_list_push(struct iam_attached_list *l, struct iam_attached_policy *a);
int iam_account_summary_push(struct iam_account_summary *s, const char *key, long long value);

#endif
