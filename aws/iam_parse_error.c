/*
 * iam_parse_error: the code, message and request id of any failed answer.
 * IAM and STS send <ErrorResponse><Error>, other Query services
 * <Response><Errors><Error>, JSON services {"__type", "message"}; proxies and
 * load balancers send HTML or nothing, which becomes "HTTP<status>" with a
 * short excerpt of the body or the status's reason phrase.
 */
#include "aws/iam_parse.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws/xml.h"

#define IAM_EXCERPT_MAX 200

static const struct xml_node *iam_find_error(const struct xml_node *n)
{
	const struct xml_node *c, *e;

	if (!strcmp(n->name, "Error") && xml_child(n, "Code"))
		return n;
	for (c = n->children; c; c = c->next) {
		e = iam_find_error(c);
		if (e)
			return e;
	}
	return NULL;
}

static const char *iam_first_text(const struct xml_node *n, const char *const *paths)
{
	const char *t;

	for (; *paths; paths++) {
		t = xml_text(n, *paths);
		if (t && *t)
			return t;
	}
	return NULL;
}

/* Fills err from an <Error> anywhere in the tree; false when there is none. */
static bool iam_error_from_tree(const struct xml_node *root, struct aws_error *err)
{
	static const char *const msg_paths[] = {"Message", "message", NULL};
	static const char *const id_paths[] = {"RequestId", "RequestID",
					       "ResponseMetadata/RequestId", NULL};
	const struct xml_node *e = iam_find_error(root);
	const char *t;

	if (!e)
		return false;
	if (!err)
		return true;
	snprintf(err->code, sizeof(err->code), "%s", xml_text(e, "Code"));
	t = iam_first_text(e, msg_paths);
	snprintf(err->message, sizeof(err->message), "%s", t ? t : "");
	t = iam_first_text(root, id_paths);
	if (!t)
		t = iam_first_text(e, id_paths);
	snprintf(err->request_id, sizeof(err->request_id), "%s", t ? t : "");
	return true;
}

static const char *iam_reason(long status)
{
	static const struct {
		long status;
		const char *reason;
	} reasons[] = {
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{408, "Request Timeout"},
		{413, "Payload Too Large"},
		{429, "Too Many Requests"},
		{500, "Internal Server Error"},
		{502, "Bad Gateway"},
		{503, "Service Unavailable"},
		{504, "Gateway Timeout"},
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return NULL;
}

/* A one-line excerpt of a non-XML body: markup dropped, whitespace collapsed,
 * cut on a UTF-8 character boundary. */
static void iam_excerpt(const char *body, size_t len, char *out, size_t cap)
{
	size_t i, o = 0, max = cap - 1 < IAM_EXCERPT_MAX ? cap - 1 : IAM_EXCERPT_MAX;
	bool in_tag = false, space = false;

	for (i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '<' || c == '>') {
			in_tag = c == '<';
			space = o > 0;
			continue;
		}
		if (in_tag)
			continue;
		if (c <= ' ' || c == 0x7f) {
			space = o > 0;
			continue;
		}
		if (space && o + 1 < max)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)c;
	}
	if (i < len)
		while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
	if (i < len && o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = '\0';
}

/* Takes the code from "__type" ("ns#Code" or "Code:detail") or "code"/"Code". */
static bool iam_error_from_json(const char *body, size_t len, struct aws_error *err)
{
	static const char *const code_keys[] = {"__type", "code", "Code", NULL};
	static const char *const msg_keys[] = {"message", "Message", "errorMessage", NULL};
	cJSON *root = cJSON_ParseWithLength(body, len), *item;
	const char *code = NULL, *msg = NULL, *hash;
	const char *const *k;
	size_t n;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return false;
	}
	for (k = code_keys; *k && !code; k++)
		if (cJSON_IsString(item = cJSON_GetObjectItemCaseSensitive(root, *k)))
			code = item->valuestring;
	for (k = msg_keys; *k && !msg; k++)
		if (cJSON_IsString(item = cJSON_GetObjectItemCaseSensitive(root, *k)))
			msg = item->valuestring;
	if (code) {
		hash = strrchr(code, '#');
		code = hash ? hash + 1 : code;
		n = strcspn(code, ":");
		snprintf(err->code, sizeof(err->code), "%.*s", (int)n, code);
	}
	if (msg)
		snprintf(err->message, sizeof(err->message), "%s", msg);
	cJSON_Delete(root);
	return code || msg;
}

static bool iam_error_from_xml(const char *body, size_t len, struct aws_error *err)
{
	struct xml_node *root;
	bool found;

	if (xml_parse(body, len, &root))
		return false;
	found = iam_error_from_tree(root, err);
	xml_free(root);
	return found;
}

void iam_parse_error(const char *body, size_t len, long http_status, struct aws_error *err)
{
	const char *reason = iam_reason(http_status);
	size_t skip = 0;

	if (!err)
		return;
	err->code[0] = err->message[0] = err->request_id[0] = '\0';
	err->http_status = http_status;
	if (!body)
		len = 0;
	while (skip < len && (body[skip] == ' ' || (body[skip] >= '\t' && body[skip] <= '\r')))
		skip++;
	if (skip < len && body[skip] == '<' && iam_error_from_xml(body, len, err))
		return;
	if (skip < len && body[skip] == '{' && iam_error_from_json(body + skip, len - skip, err)) {
		if (!err->code[0])
			snprintf(err->code, sizeof(err->code), "HTTP%ld", http_status);
		return;
	}
	snprintf(err->code, sizeof(err->code), "HTTP%ld", http_status);
	if (len)
		iam_excerpt(body + skip, len - skip, err->message, sizeof(err->message));
	if (!err->message[0]) {
		if (reason)
			snprintf(err->message, sizeof(err->message), "%s", reason);
		else
			snprintf(err->message, sizeof(err->message), "HTTP status %ld with %s body",
				 http_status, len ? "an unreadable" : "an empty");
	}
}
