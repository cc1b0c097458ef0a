/*
 * Credential JSON documents and ISO 8601 times. The cJSON tree briefly holds
 * secrets, so every string in it is wiped before the tree is freed.
 */
#include "aws/creds_json.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "aws/secret.h"

/* Reads exactly n digits at *p into *out and advances. */
static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* Parses "Z", "+HH:MM", "+HHMM" (or '-') into seconds east of UTC. */
static int parse_offset(const char *p, long *off)
{
	int sign, hh, mm;

	if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -EINVAL;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh))
		return -EINVAL;
	if (*p == ':')
		p++;
	if (digits(&p, 2, &mm) || *p || hh > 23 || mm > 59)
		return -EINVAL;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int creds_json_time(const char *s, long long *out)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, se;
	long off;
	time_t t;

	if (!s)
		return -EINVAL;
	if (digits(&s, 4, &y) || expect(&s, '-') || digits(&s, 2, &mo) || expect(&s, '-') ||
	    digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
		return -EINVAL;
	s++;
	if (digits(&s, 2, &h) || expect(&s, ':') || digits(&s, 2, &mi) || expect(&s, ':') ||
	    digits(&s, 2, &se))
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (parse_offset(s, &off) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (long long)t - off;
	return 0;
}

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
	if ((exp && creds_json_time(exp, &when)) || (!exp && kind != CREDS_JSON_PROCESS)) {
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
