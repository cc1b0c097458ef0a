/*
 * credtool: resolves AWS credentials with the real environment and shared files
 * through the provider chain, prints what it found as one JSON object (never the
 * secret or the token), and with --call also asks STS GetCallerIdentity. On
 * failure it prints {"error", "errno", "message"} and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/creds.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/iam_types.h"
#include "aws/sts.h"

static int fail(int rc, const struct aws_error *e)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "error", e->code[0] ? e->code : "Error");
	cJSON_AddNumberToObject(o, "errno", -rc);
	cJSON_AddStringToObject(o, "message", e->message);
	s = cJSON_PrintUnformatted(o);
	printf("%s\n", s ? s : "{}");
	fprintf(stderr, "credtool: %s\n", e->message);
	free(s);
	cJSON_Delete(o);
	return 1;
}

static const char *pick_sts_url(const char *opt)
{
	const char *v = opt;

	if (!v || !*v)
		v = getenv("AWS_ENDPOINT_URL_STS");
	if (!v || !*v)
		v = getenv("AWS_ENDPOINT_URL");
	return v && *v ? v : NULL;
}

static int call_sts(struct creds_provider *p, const struct aws_creds *c, const char *url, cJSON *o,
		    struct aws_error *err)
{
	struct iam_caller_identity id = {0};
	struct http_conn *conn = NULL;
	struct aws_endpoint ep;
	int rc = endpoint_sts(pick_sts_url(url), creds_provider_region(p), &ep);

	if (rc) {
		aws_error_set(err, "InvalidConfig", "bad STS endpoint URL");
		return rc;
	}
	rc = http_conn_new(NULL, NULL, &conn);
	if (!rc)
		rc = sts_get_caller_identity(conn, &ep, c, NULL, &id, err);
	if (!rc) {
		cJSON_AddStringToObject(o, "arn", id.arn ? id.arn : "");
		cJSON_AddStringToObject(o, "account", id.account ? id.account : "");
	}
	iam_caller_identity_cleanup(&id);
	http_conn_free(conn);
	return rc;
}

int main(int argc, char **argv)
{
	struct creds_options opt = {0};
	struct creds_provider *p = NULL;
	struct aws_creds c = {0};
	struct aws_error err;
	bool call = false;
	cJSON *o = NULL;
	char *s = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
			opt.profile = argv[++i];
		} else if (!strcmp(argv[i], "--sts-endpoint-url") && i + 1 < argc) {
			opt.sts_endpoint_url = argv[++i];
		} else if (!strcmp(argv[i], "--call")) {
			call = true;
		} else {
			fprintf(stderr, "usage: credtool [--profile P] [--sts-endpoint-url U] "
					"[--call]\n");
			return 2;
		}
	}
	aws_error_clear(&err);
	http_global_init();
	rc = creds_provider_new(&opt, &p, &err);
	if (!rc)
		rc = creds_provider_get(p, &c, &err);
	if (!rc) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "source", c.source);
		cJSON_AddStringToObject(o, "access_key_id", c.access_key_id);
		cJSON_AddBoolToObject(o, "has_token", c.session_token != NULL);
		cJSON_AddNumberToObject(o, "expiration", (double)c.expiration);
		cJSON_AddStringToObject(o, "region", creds_provider_region(p));
		cJSON_AddStringToObject(o, "profile", creds_provider_profile(p));
		if (call)
			rc = call_sts(p, &c, opt.sts_endpoint_url, o, &err);
	}
	if (!rc) {
		s = cJSON_PrintUnformatted(o);
		printf("%s\n", s ? s : "{}");
	} else {
		rc = fail(rc, &err);
	}
	free(s);
	cJSON_Delete(o);
	aws_creds_cleanup(&c);
	creds_provider_free(p);
	http_global_cleanup();
	return rc ? 1 : 0;
}
