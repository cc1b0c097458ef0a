/*
 * Parsers for every IAM and STS answer the product uses, one page at a time,
 * appending to caller-owned lists (iam_types.h); the elements inside an answer
 * are decoded by iam_decode.h (which also decodes policy documents). Pure: bytes
 * in, structs out.
 */
#ifndef IAMFS_AWS_IAM_PARSE_H
#define IAMFS_AWS_IAM_PARSE_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam_decode.h"
#include "aws/iam_types.h"

/* Error answers: XML <ErrorResponse><Error><Code/><Message/></Error><RequestId/>,
 * STS/other shapes, JSON {"__type"/"code","message"}, HTML or empty bodies. Fills
 * code (falls back on "HTTP<status>"), message and request_id; keeps http_status. */
void iam_parse_error(const char *body, size_t len, long http_status, struct aws_error *err);

/* Every answer parser of the IAM client has this one shape, so a call names its
 * parser and hands it its out-parameter. out points at the type named beside each
 * parser below: a list (appended to, all or nothing) or a struct (filled only on
 * success). page is NULL for unpaginated calls; when given, its marker is replaced
 * by the answer's (parsers of unpaginated answers leave it alone). Returns 0, or
 * -EINVAL (malformed/unexpected, err filled) or -ENOMEM. */
typedef int (*iam_parser)(const char *xml, size_t len, void *out, struct iam_page *page,
			  struct aws_error *err);

/* out: struct iam_role_list */
int iam_parse_list_roles(const char *xml, size_t len, void *out, struct iam_page *page,
			 struct aws_error *err);
/* out: struct iam_role */
int iam_parse_get_role(const char *xml, size_t len, void *out, struct iam_page *page,
		       struct aws_error *err);
/* out: struct iam_string_list */
int iam_parse_list_role_policies(const char *xml, size_t len, void *out, struct iam_page *page,
				 struct aws_error *err);
/* out: struct iam_inline_policy */
int iam_parse_get_role_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err);
/* out: struct iam_attached_list */
int iam_parse_list_attached_role_policies(const char *xml, size_t len, void *out,
					  struct iam_page *page, struct aws_error *err);
/* out: struct iam_policy */
int iam_parse_get_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			 struct aws_error *err);
/* out: struct iam_policy_version */
int iam_parse_get_policy_version(const char *xml, size_t len, void *out, struct iam_page *page,
				 struct aws_error *err);
/* out: struct iam_version_list */
int iam_parse_list_policy_versions(const char *xml, size_t len, void *out, struct iam_page *page,
				   struct aws_error *err);
/* out: struct iam_policy_version */
int iam_parse_create_policy_version(const char *xml, size_t len, void *out, struct iam_page *page,
				    struct aws_error *err);
/* out: struct iam_role (CreateRoleResult/Role) */
int iam_parse_create_role(const char *xml, size_t len, void *out, struct iam_page *page,
			  struct aws_error *err);
/* out: struct iam_policy (CreatePolicyResult/Policy) */
int iam_parse_create_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			    struct aws_error *err);
/* out: struct iam_policy_list */
int iam_parse_list_policies(const char *xml, size_t len, void *out, struct iam_page *page,
			    struct aws_error *err);
/* out: struct iam_string_list (the instance profiles' names) */
int iam_parse_list_instance_profiles_for_role(const char *xml, size_t len, void *out,
					      struct iam_page *page, struct aws_error *err);
/* out: struct iam_gaad (roles and policies) */
int iam_parse_gaad(const char *xml, size_t len, void *out, struct iam_page *page,
		   struct aws_error *err);
/* out: struct iam_account_summary */
int iam_parse_account_summary(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err);
/* out: struct iam_caller_identity */
int iam_parse_caller_identity(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err);
/* Answers with no data (UpdateAssumeRolePolicy, PutRolePolicy, DeleteRolePolicy,
 * DeletePolicyVersion, DeleteRole, RemoveRoleFromInstanceProfile, AttachRolePolicy,
 * DetachRolePolicy, UpdateRole, TagRole, UntagRole, PutRolePermissionsBoundary,
 * DeleteRolePermissionsBoundary): checks the answer is a well-formed *Response. */
int iam_parse_empty(const char *xml, size_t len, const char *action, struct aws_error *err);
/* AssumeRole and AssumeRoleWithWebIdentity (action names the result element). */
int iam_parse_sts_credentials(const char *xml, size_t len, const char *action,
			      struct iam_sts_credentials *out, struct aws_error *err);

#endif
