/*
 * Credential JSON documents; their Expiration is read by iso8601.h. The cJSON
 * tree briefly holds secrets, so every string in it is wiped before the tree is
 * freed.
 */
#include "aws/creds_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "aws/iso8601.h"
#include "aws/secret.h"

static void wipe_tree(cJSON *n)
{
	for (; n; n = n->next) {
		if (n->valuestring)
			OPENSSL_cleanse(n->valuestring, strlen(n->valuestring));
		wipe_tree(n->child);
	}
}

/* The non-empty string member name, or NULL. */
static const char *member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static const char *kind_name(enum creds_json_kind kind)
{
	switch (kind) {
	case CREDS_JSON_PROCESS:
		return "credential_process output";
	case CREDS_JSON_CONTAINER:
		return "container credentials";
	default:
		return "instance metadata credentials";
	}
}

/* Checks the kind's own fields: Version 1, or Code "Success". */
static int check_header(const cJSON *root, enum creds_json_kind kind, struct aws_error *err)
{
	const cJSON *v;
	const char *code;

	if (kind == CREDS_JSON_PROCESS) {
		v = cJSON_GetObjectItemCaseSensitive(root, "Version");
		if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
			aws_error_set(err, "InvalidCredentials",
				      "credential_process output must have \"Version\": 1");
			return -EINVAL;
		}
	} else if (kind == CREDS_JSON_IMDS) {
		code = member(root, "Code");
		if (code && strcmp(code, "Success")) {
			aws_error_set(err, "InvalidCredentials",
				      "instance metadata credentials have Code \"%.64s\"", code);
			return -EINVAL;
		}
	}
	return 0;
}

static int fill(const cJSON *root, enum creds_json_kind kind, struct aws_creds *out,
		struct aws_error *err)
{
	const char *akid = member(root, "AccessKeyId"), *secret = member(root, "SecretAccessKey");
	const char *token = member(root, kind == CREDS_JSON_PROCESS ? "SessionToken" : "Token");
	const char *exp = member(root, "Expiration");
	struct aws_creds c = {0};
	long long when = 0;

	if (check_header(root, kind, err))
		return -EINVAL;
	if (!akid || !secret) {
		aws_error_set(err, "InvalidCredentials", "%s lack %s", kind_name(kind),
			      akid ? "SecretAccessKey" : "AccessKeyId");
		return -EINVAL;
	}
	if ((exp && iso8601_parse(exp, &when)) || (!exp && kind != CREDS_JSON_PROCESS)) {
		aws_error_set(err, "InvalidCredentials", "%s have %s Expiration", kind_name(kind),
			      exp ? "a malformed" : "no");
		return -EINVAL;
	}
	c.access_key_id = strdup(akid);
	c.secret_access_key = secret_strdup(secret);
	c.session_token = token ? secret_strdup(token) : NULL;
	c.expiration = when;
	if (!c.access_key_id || !c.secret_access_key || (token && !c.session_token)) {
		aws_creds_cleanup(&c);
		return -ENOMEM;
	}
	memcpy(c.source, out->source, sizeof(c.source));
	*out = c;
	return 0;
}

int creds_json_parse(const char *text, size_t len, enum creds_json_kind kind, struct aws_creds *out,
		     struct aws_error *err)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	int rc;

	if (!cJSON_IsObject(root)) {
		aws_error_set(err, "InvalidCredentials", "%s are not a JSON object",
			      kind_name(kind));
		rc = -EINVAL;
		goto out;
	}
	rc = fill(root, kind, out, err);
out:
	if (root)
		wipe_tree(root);
	cJSON_Delete(root);
	return rc;
}
