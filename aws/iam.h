/*
 * The IAM client the cache uses. struct iam_client is shared and thread-safe
 * (endpoint, credentials provider, call counters); struct iam_conn is one per
 * thread (its own keep-alive HTTP handle). Every call signs with fresh
 * credentials and, on ExpiredToken, refreshes them and tries once more.
 * Listing calls follow Marker/IsTruncated to the end.
 */
#ifndef IAMFS_AWS_IAM_H
#define IAMFS_AWS_IAM_H

#include <stdbool.h>

#include "aws/awserr.h"
#include "aws/creds.h"
#include "aws/endpoint.h"
#include "aws/iam_form.h"
#include "aws/iam_types.h"
#include "aws/query.h"

struct iam_client_options {
	const char *profile;	  /* NULL: $AWS_PROFILE, else "default" */
	const char *endpoint_url; /* NULL: $AWS_ENDPOINT_URL_IAM, $AWS_ENDPOINT_URL, partition */
	const char *sts_endpoint_url; /* NULL: $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL, regional */
	const char *ca_bundle;	      /* NULL: $AWS_CA_BUNDLE */
	const struct creds_env *env;  /* NULL: real environment and clock */
	int page_size;		      /* MaxItems of listing calls; 0: 1000 */
	struct query_config query;    /* retry policy and hooks; zeroes: defaults */
	/* NULL: $AWS_ENDPOINT_URL_ORGANIZATIONS, $AWS_ENDPOINT_URL, the partition's global one */
	const char *org_endpoint_url;
};

struct iam_client;
struct iam_conn;

/* Resolves endpoints and the credential source (no network). err says why not. */
int iam_client_new(const struct iam_client_options *o, struct iam_client **out,
		   struct aws_error *err);
void iam_client_free(struct iam_client *c);
/* A client for the same IAM, STS and Organizations endpoints as base (same retry policy,
 * hooks and HTTP share; its own call counters), whose credentials come from STS AssumeRole of
 * role_arn signed with base's credentials (external_id may be NULL; session_name NULL or ""
 * means "iamfs"). The credentials are cached in memory, refreshed 5 minutes before expiry,
 * one refresh at a time, forgotten on ExpiredToken; never written to disk or logged. A
 * refused AssumeRole fails the call that needed it with an err naming role_arn (AccessDenied:
 * EACCES). base is borrowed and must outlive *out; free *out with iam_client_free. No network
 * here. 0, -EINVAL (empty role_arn) or -ENOMEM, with err filled. */
int iam_client_new_assumed(struct iam_client *base, const char *role_arn, const char *external_id,
			   const char *session_name, struct iam_client **out,
			   struct aws_error *err);
int iam_conn_new(struct iam_client *c, struct iam_conn **out);
void iam_conn_free(struct iam_conn *conn);

const struct aws_endpoint *iam_client_endpoint(const struct iam_client *c);
const struct aws_endpoint *iam_client_sts_endpoint(const struct iam_client *c);
const struct aws_endpoint *iam_client_org_endpoint(const struct iam_client *c);
const char *iam_client_profile(const struct iam_client *c);
/* Calls each (action, requests sent) pair, in first-use order. Thread-safe. */
void iam_client_each_count(struct iam_client *c,
			   void (*fn)(void *ctx, const char *action, unsigned long n), void *ctx);
unsigned long iam_client_total_calls(struct iam_client *c);

/* All return 0 or -errno (aws_error_errno), with err filled on failure.
 * Out-parameters are appended to (lists) or filled (structs) only on success. */
int iam_list_roles(struct iam_conn *c, struct iam_role_list *out, struct aws_error *err);
int iam_get_role(struct iam_conn *c, const char *role, struct iam_role *out, struct aws_error *err);
int iam_update_assume_role_policy(struct iam_conn *c, const char *role, const char *doc,
				  struct aws_error *err);
int iam_list_role_policies(struct iam_conn *c, const char *role, struct iam_string_list *out,
			   struct aws_error *err);
int iam_get_role_policy(struct iam_conn *c, const char *role, const char *name,
			struct iam_inline_policy *out, struct aws_error *err);
int iam_put_role_policy(struct iam_conn *c, const char *role, const char *name, const char *doc,
			struct aws_error *err);
int iam_delete_role_policy(struct iam_conn *c, const char *role, const char *name,
			   struct aws_error *err);
int iam_list_attached_role_policies(struct iam_conn *c, const char *role,
				    struct iam_attached_list *out, struct aws_error *err);
int iam_get_policy(struct iam_conn *c, const char *arn, struct iam_policy *out,
		   struct aws_error *err);
int iam_get_policy_version(struct iam_conn *c, const char *arn, const char *version_id,
			   struct iam_policy_version *out, struct aws_error *err);
int iam_list_policy_versions(struct iam_conn *c, const char *arn, struct iam_version_list *out,
			     struct aws_error *err);
int iam_create_policy_version(struct iam_conn *c, const char *arn, const char *doc,
			      bool set_default, struct iam_policy_version *out,
			      struct aws_error *err);
int iam_delete_policy_version(struct iam_conn *c, const char *arn, const char *version_id,
			      struct aws_error *err);
/* A role's life (iam_lifecycle.c). None is resent once it may have reached IAM
 * except the listings, UpdateRole, TagRole, UntagRole and
 * PutRolePermissionsBoundary (query_idempotent). A request iam_form.h refuses
 * fails with -EINVAL and err code "InvalidInput", nothing sent. out may be NULL
 * for the create calls (the answer is then dropped). */
int iam_create_role(struct iam_conn *c, const struct iam_create_role_input *in,
		    struct iam_role *out, struct aws_error *err);
int iam_delete_role(struct iam_conn *c, const char *role, struct aws_error *err);
/* Appends the names of the instance profiles that hold role. */
int iam_list_instance_profiles_for_role(struct iam_conn *c, const char *role,
					struct iam_string_list *out, struct aws_error *err);
int iam_remove_role_from_instance_profile(struct iam_conn *c, const char *profile, const char *role,
					  struct aws_error *err);
int iam_attach_role_policy(struct iam_conn *c, const char *role, const char *arn,
			   struct aws_error *err);
int iam_detach_role_policy(struct iam_conn *c, const char *role, const char *arn,
			   struct aws_error *err);
/* path NULL: IAM's "/". */
int iam_create_policy(struct iam_conn *c, const char *name, const char *doc, const char *path,
		      struct iam_policy *out, struct aws_error *err);
/* Appends the managed policies in scope (under path_prefix when not NULL). */
int iam_list_policies(struct iam_conn *c, enum iam_policy_scope scope, const char *path_prefix,
		      struct iam_policy_list *out, struct aws_error *err);
/* description NULL and max_session_duration 0 leave that field alone. */
int iam_update_role(struct iam_conn *c, const char *role, const char *description,
		    int max_session_duration, struct aws_error *err);
int iam_tag_role(struct iam_conn *c, const char *role, const struct iam_tag *tags, size_t ntags,
		 struct aws_error *err);
int iam_untag_role(struct iam_conn *c, const char *role, const char *const *keys, size_t nkeys,
		   struct aws_error *err);
int iam_put_role_permissions_boundary(struct iam_conn *c, const char *role, const char *arn,
				      struct aws_error *err);
int iam_delete_role_permissions_boundary(struct iam_conn *c, const char *role,
					 struct aws_error *err);
/* GAAD with the given filters (e.g. {"Role", "LocalManagedPolicy", NULL}). Each page
 * is handed to page_cb, which owns the page's contents (it may move items out and
 * must leave the rest for iam_gaad_cleanup, which is called after it returns). A
 * non-zero return from page_cb stops the chain and is returned. */
int iam_get_account_authorization_details(struct iam_conn *c, const char *const *filters,
					  int (*page_cb)(void *ctx, struct iam_gaad *page),
					  void *ctx, struct aws_error *err);
int iam_get_account_summary(struct iam_conn *c, struct iam_account_summary *out,
			    struct aws_error *err);
/* STS GetCallerIdentity with the client's credentials and STS endpoint. */
int iam_get_caller_identity(struct iam_conn *c, struct iam_caller_identity *out,
			    struct aws_error *err);

#endif
