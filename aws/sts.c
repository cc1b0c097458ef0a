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

/* A request under way: its parameters (which may carry a token) and its answer. */
struct sts_req {
	struct aws_params p;
	struct buf resp;
};

/* Starts a request holding Action and Version. 0 or -ENOMEM (end it either way). */
static int sts_begin(struct sts_req *r, const char *action)
{
	int rc;

	aws_params_init(&r->p);
	buf_init(&r->resp, 1u << 20);
	rc = aws_params_add(&r->p, "Action", action);
	if (!rc)
		rc = aws_params_add(&r->p, "Version", STS_VERSION);
	return rc;
}

/* Sends the request, signed with creds (NULL: unsigned). */
static int sts_send(struct sts_req *r, struct http_conn *c, const struct aws_endpoint *ep,
		    const struct aws_creds *creds, const struct query_config *cfg,
		    struct aws_error *err)
{
	struct query_config def = {0};

	return query_call(c, ep, creds, &r->p, cfg ? cfg : &def, &r->resp, err);
}

/* Wipes and frees the parameters and the answer; passes rc through. */
static int sts_end(struct sts_req *r, int rc)
{
	aws_params_cleanup(&r->p);
	buf_wipe(&r->resp);
	return rc;
}

static const char *sts_body(const struct sts_req *r)
{
	return r->resp.data ? r->resp.data : "";
}

int sts_get_caller_identity(struct http_conn *c, const struct aws_endpoint *ep,
			    const struct aws_creds *creds, const struct query_config *cfg,
			    struct iam_caller_identity *out, struct aws_error *err)
{
	struct sts_req r;
	int rc = sts_begin(&r, "GetCallerIdentity");

	if (!rc)
		rc = sts_send(&r, c, ep, creds, cfg, err);
	if (!rc)
		rc = iam_parse_caller_identity(sts_body(&r), r.resp.len, out, NULL, err);
	return sts_end(&r, rc);
}

/* Both AssumeRole calls: the role parameters plus one of their own (skipped when
 * value is NULL), then the credentials of the answer. */
static int sts_assume(struct http_conn *c, const struct aws_endpoint *ep,
		      const struct aws_creds *creds, const struct query_config *cfg,
		      const char *action, const char *role_arn, const char *session_name,
		      int duration_s, const char *name, const char *value,
		      struct iam_sts_credentials *out, struct aws_error *err)
{
	struct sts_req r;
	int rc = sts_begin(&r, action);

	if (!rc)
		rc = aws_params_add(&r.p, "RoleArn", role_arn);
	if (!rc)
		rc = aws_params_add(&r.p, "RoleSessionName", session_name);
	if (!rc && duration_s > 0)
		rc = aws_params_addf(&r.p, "DurationSeconds", "%d", duration_s);
	if (!rc && value)
		rc = aws_params_add(&r.p, name, value);
	if (!rc)
		rc = sts_send(&r, c, ep, creds, cfg, err);
	if (!rc)
		rc = iam_parse_sts_credentials(sts_body(&r), r.resp.len, action, out, err);
	return sts_end(&r, rc);
}

int sts_assume_role(struct http_conn *c, const struct aws_endpoint *ep,
		    const struct aws_creds *creds, const struct query_config *cfg,
		    const char *role_arn, const char *session_name, const char *external_id,
		    int duration_s, struct iam_sts_credentials *out, struct aws_error *err)
{
	return sts_assume(c, ep, creds, cfg, "AssumeRole", role_arn, session_name, duration_s,
			  "ExternalId", external_id && *external_id ? external_id : NULL, out, err);
}

int sts_assume_role_with_web_identity(struct http_conn *c, const struct aws_endpoint *ep,
				      const struct query_config *cfg, const char *role_arn,
				      const char *session_name, const char *token, int duration_s,
				      struct iam_sts_credentials *out, struct aws_error *err)
{
	return sts_assume(c, ep, NULL, cfg, "AssumeRoleWithWebIdentity", role_arn, session_name,
			  duration_s, "WebIdentityToken", token, out, err);
}
