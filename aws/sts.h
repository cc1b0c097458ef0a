/*
 * STS calls: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity (unsigned).
 */
#ifndef IAMFS_AWS_STS_H
#define IAMFS_AWS_STS_H

#include "aws/iam_types.h"
#include "aws/query.h"

int sts_get_caller_identity(struct http_conn *c, const struct aws_endpoint *ep,
			    const struct aws_creds *creds, const struct query_config *cfg,
			    struct iam_caller_identity *out, struct aws_error *err);
/* external_id may be NULL; duration_s 0 leaves the default. */
int sts_assume_role(struct http_conn *c, const struct aws_endpoint *ep,
		    const struct aws_creds *creds, const struct query_config *cfg,
		    const char *role_arn, const char *session_name, const char *external_id,
		    int duration_s, struct iam_sts_credentials *out, struct aws_error *err);
int sts_assume_role_with_web_identity(struct http_conn *c, const struct aws_endpoint *ep,
				      const struct query_config *cfg, const char *role_arn,
				      const char *session_name, const char *token, int duration_s,
				      struct iam_sts_credentials *out, struct aws_error *err);

#endif
