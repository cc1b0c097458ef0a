/*
 * sigv4tool: the signing oracle's counterpart for tests/py/test_sigv4_botocore.py.
 * Reads one JSON request per stdin line ({"params": [[name, value], ...], "host"
 * or "url", "path", "region", "service", "amz_date", "key", "secret", "token"})
 * and prints one JSON line with our form body, canonical request, string to
 * sign and Authorization header. A test tool: it prints what it signs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/buf.h"
#include "aws/endpoint.h"
#include "aws/params.h"
#include "aws/sigv4.h"
#include "aws/urlenc.h"

#define SIGV4TOOL_MAX_LINE (16u << 20)

struct sigv4tool_out {
	struct buf body, canonical, sts, auth;
};

static const char *sigv4tool_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int sigv4tool_params(const cJSON *arr, struct aws_params *p)
{
	const cJSON *pair;
	int rc;

	if (!cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(pair, arr)
	{
		const cJSON *n = cJSON_GetArrayItem(pair, 0), *v = cJSON_GetArrayItem(pair, 1);

		if (!cJSON_IsString(n) || !cJSON_IsString(v))
			return -EINVAL;
		rc = aws_params_add(p, n->valuestring, v->valuestring);
		if (rc)
			return rc;
	}
	return 0;
}

/* Host and encoded path either from "url" (through endpoint_parse_url) or "host" + "path". */
static int sigv4tool_target(const cJSON *in, struct aws_endpoint *ep, struct buf *path)
{
	const char *url = sigv4tool_str(in, "url"), *host = sigv4tool_str(in, "host");
	const char *raw = sigv4tool_str(in, "path");
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (url) {
		rc = endpoint_parse_url(url, ep);
		if (rc)
			return rc;
		return buf_puts(path, ep->path);
	}
	if (!host || strlen(host) >= sizeof(ep->host))
		return -EINVAL;
	memcpy(ep->host, host, strlen(host) + 1);
	if (!raw || !*raw)
		raw = "/";
	return urlenc_uri(path, raw, strlen(raw), true);
}

static int sigv4tool_sign(const cJSON *in, struct sigv4tool_out *o)
{
	struct aws_params params;
	struct aws_endpoint ep;
	struct sigv4_request r;
	struct buf path;
	const char *key = sigv4tool_str(in, "key"), *secret = sigv4tool_str(in, "secret");
	int rc;

	aws_params_init(&params);
	buf_init(&path, 4096);
	rc = sigv4tool_params(cJSON_GetObjectItemCaseSensitive(in, "params"), &params);
	if (!rc)
		rc = aws_params_encode(&params, &o->body);
	if (!rc)
		rc = sigv4tool_target(in, &ep, &path);
	if (rc)
		goto out;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.host = ep.host;
	r.path = path.data;
	r.query = "";
	r.content_type = SIGV4_CONTENT_TYPE;
	r.body = o->body.data;
	r.body_len = o->body.len;
	r.amz_date = sigv4tool_str(in, "amz_date");
	r.region = sigv4tool_str(in, "region");
	r.service = sigv4tool_str(in, "service");
	r.session_token = sigv4tool_str(in, "token");
	rc = sigv4_canonical_request(&r, &o->canonical);
	if (!rc)
		rc = sigv4_string_to_sign(&r, o->canonical.data, o->canonical.len, &o->sts);
	if (!rc)
		rc = sigv4_authorization(&r, key, secret, &o->auth);
out:
	aws_params_cleanup(&params);
	buf_cleanup(&path);
	return rc;
}

/* Prints the answer for one input line, or {"error": -errno}. */
static int sigv4tool_line(const char *line)
{
	struct sigv4tool_out o;
	cJSON *in = cJSON_Parse(line), *res = cJSON_CreateObject();
	char *text = NULL;
	int rc = -EINVAL;

	buf_init(&o.body, 0);
	buf_init(&o.canonical, 0);
	buf_init(&o.sts, 0);
	buf_init(&o.auth, 0);
	if (!res)
		goto out;
	if (in)
		rc = sigv4tool_sign(in, &o);
	if (rc) {
		cJSON_AddNumberToObject(res, "error", rc);
	} else {
		cJSON_AddStringToObject(res, "body", o.body.data);
		cJSON_AddStringToObject(res, "canonical", o.canonical.data);
		cJSON_AddStringToObject(res, "string_to_sign", o.sts.data);
		cJSON_AddStringToObject(res, "authorization", o.auth.data);
	}
	text = cJSON_PrintUnformatted(res);
	if (text && puts(text) >= 0)
		rc = 0;
	else
		rc = -EIO;
out:
	free(text);
	cJSON_Delete(res);
	cJSON_Delete(in);
	buf_cleanup(&o.body);
	buf_cleanup(&o.canonical);
	buf_cleanup(&o.sts);
	buf_cleanup(&o.auth);
	return rc;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (!rc && (n = getline(&line, &cap, stdin)) >= 0) {
		if ((size_t)n > SIGV4TOOL_MAX_LINE) {
			rc = -E2BIG;
			break;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0])
			rc = sigv4tool_line(line);
	}
	free(line);
	if (fflush(stdout))
		rc = -EIO;
	return rc ? 1 : 0;
}
