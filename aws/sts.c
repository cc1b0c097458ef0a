/*
 * STS over the Query protocol: GetCallerIdentity and AssumeRole signed with the
 * caller's credentials, AssumeRoleWithWebIdentity unsigned (the token is the
 * proof). Parameters are wiped after the call: they may carry a token.
 */
#include "aws/sts.h"

#include <errno.h>
#include <string.h>

#include "aws/iam_parse.h"

#define STS_VERSION "2011-06-15"

/* Sends params and parses the answer with the parser for action. */
static int sts_call(struct http_conn *c, const struct aws_endpoint *ep,
		    const struct aws_creds *creds, const struct query_config *cfg,
		    struct aws_params *p, struct buf *resp, struct aws_error *err)
{
	struct query_config def = {0};

	return query_call(c, ep, creds, p, cfg ? cfg : &def, resp, err);
}

int sts_get_caller_identity(struct http_conn *c, const struct aws_endpoint *ep,
			    const struct aws_creds *creds, const struct query_config *cfg,
			    struct iam_caller_identity *out, struct aws_error *err)
{
	struct aws_params p;
	struct buf resp;
	int rc;

	aws_params_init(&p);
	buf_init(&resp, 1u << 20);
	rc = aws_params_add(&p, "Action", "GetCallerIdentity");
	if (!rc)
		rc = aws_params_add(&p, "Version", STS_VERSION);
	if (!rc)
		rc = sts_call(c, ep, creds, cfg, &p, &resp, err);
	if (!rc)
		rc = iam_parse_caller_identity(resp.data ? resp.data : "", resp.len, out, NULL,
					       err);
	aws_params_cleanup(&p);
	buf_cleanup(&resp);
	return rc;
}

/* Adds the parameters both AssumeRole calls share. */
static int add_role_params(struct aws_params *p, const char *action, const char *role_arn,
			   const char *session_name, int duration_s)
{
	int rc = aws_params_add(p, "Action", action);

	if (!rc)
		rc = aws_params_add(p, "Version", STS_VERSION);
	if (!rc)
		rc = aws_params_add(p, "RoleArn", role_arn);
	if (!rc)
		rc = aws_params_add(p, "RoleSessionName", session_name);
	if (!rc && duration_s > 0)
		rc = aws_params_addf(p, "DurationSeconds", "%d", duration_s);
	return rc;
}

int sts_assume_role(struct http_conn *c, const struct aws_endpoint *ep,
		    const struct aws_creds *creds, const struct query_config *cfg,
		    const char *role_arn, const char *session_name, const char *external_id,
		    int duration_s, struct iam_sts_credentials *out, struct aws_error *err)
{
	struct aws_params p;
	struct buf resp;
	int rc;

	aws_params_init(&p);
	buf_init(&resp, 1u << 20);
	rc = add_role_params(&p, "AssumeRole", role_arn, session_name, duration_s);
	if (!rc && external_id && *external_id)
		rc = aws_params_add(&p, "ExternalId", external_id);
	if (!rc)
		rc = sts_call(c, ep, creds, cfg, &p, &resp, err);
	if (!rc)
		rc = iam_parse_sts_credentials(resp.data ? resp.data : "", resp.len, "AssumeRole",
					       out, err);
	aws_params_cleanup(&p);
	buf_wipe(&resp);
	return rc;
}

int sts_assume_role_with_web_identity(struct http_conn *c, const struct aws_endpoint *ep,
				      const struct query_config *cfg, const char *role_arn,
				      const char *session_name, const char *token, int duration_s,
				      struct iam_sts_credentials *out, struct aws_error *err)
{
	struct aws_params p;
	struct buf resp;
	int rc;

	aws_params_init(&p);
	buf_init(&resp, 1u << 20);
	rc = add_role_params(&p, "AssumeRoleWithWebIdentity", role_arn, session_name, duration_s);
	if (!rc)
		rc = aws_params_add(&p, "WebIdentityToken", token);
	if (!rc)
		rc = sts_call(c, ep, NULL, cfg, &p, &resp, err);
	if (!rc)
		rc = iam_parse_sts_credentials(resp.data ? resp.data : "", resp.len,
					       "AssumeRoleWithWebIdentity", out, err);
	aws_params_cleanup(&p);
	buf_wipe(&resp);
	return rc;
}
