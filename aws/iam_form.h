/*
 * The pure stage of the IAM calls whose requests are more than fixed
 * name=value pairs: optional fields and the Query protocol's lists
 * (Tags.member.N.Key / .Value, TagKeys.member.N). Each function appends the
 * call's own parameters (not Action, Version, MaxItems or Marker) to p, in the
 * order IAM documents them. Returns 0, -EINVAL (a required field missing, an
 * empty tag key, a negative number), -E2BIG or -ENOMEM; on failure p may hold
 * a part (the caller drops it). Strings are borrowed; p keeps copies.
 */
#ifndef IAMFS_AWS_IAM_FORM_H
#define IAMFS_AWS_IAM_FORM_H

#include <stddef.h>

#include "aws/iam_types.h"
#include "aws/params.h"

/* CreateRole's request. Optional fields are NULL or 0 when not sent. */
struct iam_create_role_input {
	const char *name;	  /* RoleName, required */
	const char *trust_policy; /* AssumeRolePolicyDocument, required */
	const char *path;	  /* NULL: IAM's "/" */
	const char *description;
	int max_session_duration; /* seconds; 0: IAM's default */
	const char *boundary_arn; /* PermissionsBoundary */
	const struct iam_tag *tags;
	size_t ntags;
};

/* ListPolicies' Scope. */
enum iam_policy_scope {
	IAM_SCOPE_ALL,
	IAM_SCOPE_AWS,
	IAM_SCOPE_LOCAL,
};

/* Tags.member.N.Key and .Value for N = 1..n (a NULL value is sent empty). */
int iam_form_tags(struct aws_params *p, const struct iam_tag *tags, size_t n);
/* {list}.member.N = v[N-1] for N = 1..n (each non-empty). */
int iam_form_members(struct aws_params *p, const char *list, const char *const *v, size_t n);
/* TagRole: RoleName and 1..n tags. */
int iam_form_tag_role(struct aws_params *p, const char *role, const struct iam_tag *tags, size_t n);
/* UntagRole: RoleName and TagKeys.member.N for 1..n keys. */
int iam_form_untag_role(struct aws_params *p, const char *role, const char *const *keys, size_t n);
int iam_form_create_role(struct aws_params *p, const struct iam_create_role_input *in);
/* RoleName and the fields to change: description NULL and max_session_duration 0
 * leave them alone; at least one must change. */
int iam_form_update_role(struct aws_params *p, const char *role, const char *description,
			 int max_session_duration);
int iam_form_create_policy(struct aws_params *p, const char *name, const char *doc,
			   const char *path);
/* Scope (always sent) and PathPrefix (NULL: not sent). */
int iam_form_list_policies(struct aws_params *p, enum iam_policy_scope scope,
			   const char *path_prefix);

#endif
