/*
 * Parsers for every IAM and STS answer the product uses, one page at a time,
 * appending to caller-owned lists (iam_types.h). Policy documents are decoded
 * whether URL-encoded (AWS) or raw (moto): a document always contains '{' and
 * its encoded form never does. Pure: bytes in, structs out.
 */
#ifndef IAMFS_AWS_IAM_PARSE_H
#define IAMFS_AWS_IAM_PARSE_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam_types.h"

/* Decodes a policy document as IAM sends it; returns malloc'ed text or NULL (ENOMEM). */
char *iam_decode_document(const char *s);

/* Error answers: XML <ErrorResponse><Error><Code/><Message/></Error><RequestId/>,
 * STS/other shapes, JSON {"__type"/"code","message"}, HTML or empty bodies. Fills
 * code (falls back on "HTTP<status>"), message and request_id; keeps http_status. */
void iam_parse_error(const char *body, size_t len, long http_status, struct aws_error *err);

/* Each parser returns 0, or -EINVAL (malformed/unexpected, err filled) or -ENOMEM.
 * page may be NULL for unpaginated calls; when given, its marker is replaced. */
int iam_parse_list_roles(const char *xml, size_t len, struct iam_role_list *out,
			 struct iam_page *page, struct aws_error *err);
int iam_parse_get_role(const char *xml, size_t len, struct iam_role *out, struct aws_error *err);
int iam_parse_list_role_policies(const char *xml, size_t len, struct iam_string_list *out,
				 struct iam_page *page, struct aws_error *err);
int iam_parse_get_role_policy(const char *xml, size_t len, struct iam_inline_policy *out,
			      struct aws_error *err);
int iam_parse_list_attached_role_policies(const char *xml, size_t len,
					  struct iam_attached_list *out, struct iam_page *page,
					  struct aws_error *err);
int iam_parse_get_policy(const char *xml, size_t len, struct iam_policy *out,
			 struct aws_error *err);
int iam_parse_get_policy_version(const char *xml, size_t len, struct iam_policy_version *out,
				 struct aws_error *err);
int iam_parse_list_policy_versions(const char *xml, size_t len, struct iam_version_list *out,
				   struct iam_page *page, struct aws_error *err);
int iam_parse_create_policy_version(const char *xml, size_t len, struct iam_policy_version *out,
				    struct aws_error *err);
int iam_parse_gaad(const char *xml, size_t len, struct iam_gaad *out, struct iam_page *page,
		   struct aws_error *err);
int iam_parse_account_summary(const char *xml, size_t len, struct iam_account_summary *out,
			      struct aws_error *err);
/* Answers with no data (UpdateAssumeRolePolicy, PutRolePolicy, DeleteRolePolicy,
 * DeletePolicyVersion): checks the answer is a well-formed *Response. */
int iam_parse_empty(const char *xml, size_t len, const char *action, struct aws_error *err);
int iam_parse_caller_identity(const char *xml, size_t len, struct iam_caller_identity *out,
			      struct aws_error *err);
/* AssumeRole and AssumeRoleWithWebIdentity (action names the result element). */
int iam_parse_sts_credentials(const char *xml, size_t len, const char *action,
			      struct iam_sts_credentials *out, struct aws_error *err);

#endif
