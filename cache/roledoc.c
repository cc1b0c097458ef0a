/*
 * role.json parsing and IAM's rules for its editable fields (see roledoc.h).
 * validate.c decides what is JSON and words its refusals; this file only walks
 * the tree cJSON made.
 */
#include "cache/roledoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cache/ident.h"
#include "cache/validate.h"

static const char *const roledoc_names[ROLEDOC_FIELD_COUNT] = {
	[ROLEDOC_ROLE_NAME] = "RoleName",
	[ROLEDOC_ARN] = "Arn",
	[ROLEDOC_ROLE_ID] = "RoleId",
	[ROLEDOC_PATH] = "Path",
	[ROLEDOC_CREATE_DATE] = "CreateDate",
	[ROLEDOC_DESCRIPTION] = "Description",
	[ROLEDOC_MAX_SESSION_DURATION] = "MaxSessionDuration",
	[ROLEDOC_PERMISSIONS_BOUNDARY] = "PermissionsBoundary",
	[ROLEDOC_TAGS] = "Tags",
	[ROLEDOC_ATTACHED_POLICIES] = "AttachedPolicies",
};

/* Where refusals are written. */
struct roledoc_msg {
	char *buf;
	size_t cap;
};

const char *roledoc_field_name(enum roledoc_field f)
{
	return (unsigned)f < ROLEDOC_FIELD_COUNT ? roledoc_names[f] : "?";
}

__attribute__((format(printf, 2, 3))) static int roledoc_refuse(struct roledoc_msg *m,
								const char *fmt, ...)
{
	va_list ap;

	if (m->cap) {
		va_start(ap, fmt);
		vsnprintf(m->buf, m->cap, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The number of code points in a UTF-8 string. */
static size_t roledoc_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int roledoc_string(const cJSON *v, enum roledoc_field f, char **dst, struct roledoc_msg *m)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return roledoc_refuse(m, "\"%s\" must be a string", roledoc_names[f]);
	*dst = strdup(v->valuestring);
	return *dst ? 0 : -ENOMEM;
}

/* IAM's Description set: tab, LF, CR, U+0020-U+007E, U+00A1-U+00FF. */
static bool roledoc_description_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r' || (*p >= 0x20 && *p <= 0x7E))
			continue;
		/* U+00A1-U+00BF is C2 A1..BF, U+00C0-U+00FF is C3 80..BF. */
		if ((p[0] == 0xC2 && p[1] >= 0xA1 && p[1] <= 0xBF) ||
		    (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF)) {
			p++;
			continue;
		}
		return false;
	}
	return true;
}

static int roledoc_description(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	int rc = roledoc_string(v, ROLEDOC_DESCRIPTION, &d->description, m);

	if (rc)
		return rc;
	if (roledoc_chars(d->description) > ROLEDOC_DESCRIPTION_MAX)
		return roledoc_refuse(m, "\"Description\" is %zu characters, over IAM's %d",
				      roledoc_chars(d->description), ROLEDOC_DESCRIPTION_MAX);
	if (!roledoc_description_ok(d->description))
		return roledoc_refuse(m, "\"Description\" holds a character IAM does not accept "
					 "(only tab, LF, CR, U+0020-U+007E and U+00A1-U+00FF)");
	return 0;
}

static int roledoc_session(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	double x;

	if (!cJSON_IsNumber(v))
		return roledoc_refuse(m,
				      "\"MaxSessionDuration\" must be a number of seconds from "
				      "%d to %d",
				      ROLEDOC_SESSION_MIN, ROLEDOC_SESSION_MAX);
	x = v->valuedouble;
	if (!(x >= ROLEDOC_SESSION_MIN && x <= ROLEDOC_SESSION_MAX) || floor(x) != x)
		return roledoc_refuse(m,
				      "\"MaxSessionDuration\" must be a whole number of seconds "
				      "from %d to %d (1 to 12 hours), not %g",
				      ROLEDOC_SESSION_MIN, ROLEDOC_SESSION_MAX, x);
	d->max_session_duration = (int)x;
	return 0;
}

static int roledoc_path(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	int rc = roledoc_string(v, ROLEDOC_PATH, &d->path, m);

	if (!rc && !ident_path_ok(d->path))
		return roledoc_refuse(m,
				      "\"Path\" must be \"/\" or start and end with \"/\", at most "
				      "%d printable ASCII characters",
				      IDENT_PATH_MAX);
	return rc;
}

/* arn:PARTITION:iam::ACCOUNT|aws:policy/[PATH/]NAME */
static bool roledoc_policy_arn_ok(const char *s)
{
	const char *p, *name;
	size_t n = strlen(s), i;

	if (n < 20 || n > ROLEDOC_ARN_MAX || strncmp(s, "arn:aws", 7))
		return false;
	for (p = s + 7; (*p >= 'a' && *p <= 'z') || *p == '-'; p++)
		;
	if (strncmp(p, ":iam::", 6))
		return false;
	p += 6;
	if (!strncmp(p, "aws:", 4)) {
		p += 4;
	} else {
		for (i = 0; i < 12; i++)
			if (p[i] < '0' || p[i] > '9')
				return false;
		if (p[12] != ':')
			return false;
		p += 13;
	}
	if (strncmp(p, "policy/", 7))
		return false;
	for (name = p += 7; *p; p++) {
		if (*p < 0x21 || *p > 0x7E)
			return false;
		if (*p == '/')
			name = p + 1;
	}
	return ident_policy_name_ok(name);
}

static int roledoc_boundary_object(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, v)
	{
		if (!strcmp(x->string, "PermissionsBoundaryType")) {
			if (!cJSON_IsString(x) ||
			    (strcmp(x->valuestring, "Policy") &&
			     strcmp(x->valuestring, "PermissionsBoundaryPolicy")))
				return roledoc_refuse(m, "\"PermissionsBoundary\": "
							 "\"PermissionsBoundaryType\" must be "
							 "\"PermissionsBoundaryPolicy\"");
		} else if (!strcmp(x->string, "PermissionsBoundaryArn")) {
			if (!cJSON_IsString(x))
				return roledoc_refuse(m, "\"PermissionsBoundary\": "
							 "\"PermissionsBoundaryArn\" must be a "
							 "string");
			free(d->boundary_arn);
			if (!(d->boundary_arn = strdup(x->valuestring)))
				return -ENOMEM;
		} else {
			return roledoc_refuse(
				m,
				"\"PermissionsBoundary\" has an unknown key \"%.64s\" "
				"(only PermissionsBoundaryType and "
				"PermissionsBoundaryArn)",
				x->string);
		}
	}
	if (!d->boundary_arn)
		return roledoc_refuse(m, "\"PermissionsBoundary\" needs a "
					 "\"PermissionsBoundaryArn\"");
	return 0;
}

static int roledoc_boundary(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	int rc;

	if (cJSON_IsString(v)) {
		if (!(d->boundary_arn = strdup(v->valuestring)))
			return -ENOMEM;
	} else if (cJSON_IsObject(v)) {
		if ((rc = roledoc_boundary_object(v, d, m)))
			return rc;
	} else {
		return roledoc_refuse(m, "\"PermissionsBoundary\" must be an object "
					 "{\"PermissionsBoundaryType\": \"Policy\", "
					 "\"PermissionsBoundaryArn\": ARN} or an ARN");
	}
	if (!roledoc_policy_arn_ok(d->boundary_arn))
		return roledoc_refuse(m,
				      "\"PermissionsBoundary\": \"%.128s\" is not a managed policy "
				      "ARN (arn:aws:iam::ACCOUNT:policy/NAME)",
				      d->boundary_arn);
	return 0;
}

/* IAM's tag set: letters, digits, spaces, _ . : / = + - @; non-ASCII is IAM's call. */
static bool roledoc_tag_chars_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x80 && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				   (*p >= '0' && *p <= '9') || strchr(" _.:/=+-@", *p)))
			return false;
	return true;
}

static int roledoc_tag_check(const struct roledoc *d, size_t i, struct roledoc_msg *m)
{
	const struct iam_tag *t = &d->tags[i];
	size_t k = roledoc_chars(t->key), j;

	if (k < 1 || k > ROLEDOC_TAG_KEY_MAX)
		return roledoc_refuse(m, "\"Tags\" entry %zu: the key must be 1 to %d characters",
				      i + 1, ROLEDOC_TAG_KEY_MAX);
	if (roledoc_chars(t->value) > ROLEDOC_TAG_VALUE_MAX)
		return roledoc_refuse(m, "\"Tags\" entry %zu: the value is over %d characters",
				      i + 1, ROLEDOC_TAG_VALUE_MAX);
	if (!roledoc_tag_chars_ok(t->key) || !roledoc_tag_chars_ok(t->value))
		return roledoc_refuse(m,
				      "\"Tags\" entry %zu: keys and values may hold only letters, "
				      "digits, spaces and _ . : / = + - @",
				      i + 1);
	if (!strncmp(t->key, "aws:", 4) || !strncmp(t->key, "AWS:", 4))
		return roledoc_refuse(m,
				      "\"Tags\" entry %zu: keys starting with \"aws:\" are "
				      "reserved for AWS",
				      i + 1);
	for (j = 0; j < i; j++)
		if (!strcasecmp(d->tags[j].key, t->key))
			return roledoc_refuse(
				m,
				"\"Tags\" entry %zu: the key \"%.128s\" appears twice "
				"(IAM ignores case in role tag keys)",
				i + 1, t->key);
	return 0;
}

/* One {"Key": K, "Value": V} into d->tags[d->ntags]. */
static int roledoc_tag(const cJSON *t, struct roledoc *d, struct roledoc_msg *m)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
	struct iam_tag *x = &d->tags[d->ntags];
	size_t i = d->ntags + 1;

	if (!cJSON_IsObject(t) || cJSON_GetArraySize(t) != 2 || !cJSON_IsString(k) ||
	    !cJSON_IsString(v))
		return roledoc_refuse(m,
				      "\"Tags\" entry %zu must be {\"Key\": \"...\", \"Value\": "
				      "\"...\"} and nothing else",
				      i);
	x->key = strdup(k->valuestring);
	x->value = strdup(v->valuestring);
	d->ntags++;
	if (!x->key || !x->value)
		return -ENOMEM;
	return roledoc_tag_check(d, d->ntags - 1, m);
}

static int roledoc_tags(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	const cJSON *t;
	int n, rc;

	if (!cJSON_IsArray(v))
		return roledoc_refuse(m, "\"Tags\" must be an array of {\"Key\": \"...\", "
					 "\"Value\": \"...\"}");
	n = cJSON_GetArraySize(v);
	if (n > ROLEDOC_TAGS_MAX)
		return roledoc_refuse(m, "\"Tags\" holds %d tags, over IAM's %d per role", n,
				      ROLEDOC_TAGS_MAX);
	if (n && !(d->tags = calloc((size_t)n, sizeof(*d->tags))))
		return -ENOMEM;
	cJSON_ArrayForEach(t, v)
	{
		if ((rc = roledoc_tag(t, d, m)))
			return rc;
	}
	return 0;
}

static int roledoc_attached(const cJSON *v, struct roledoc *d, struct roledoc_msg *m)
{
	const cJSON *a;
	int n;

	if (!cJSON_IsArray(v))
		return roledoc_refuse(m, "\"AttachedPolicies\" must be an array of ARNs");
	n = cJSON_GetArraySize(v);
	if (n && !(d->attached = calloc((size_t)n, sizeof(*d->attached))))
		return -ENOMEM;
	cJSON_ArrayForEach(a, v)
	{
		if (!cJSON_IsString(a))
			return roledoc_refuse(m, "\"AttachedPolicies\" must be an array of ARNs");
		if (!(d->attached[d->nattached] = strdup(a->valuestring)))
			return -ENOMEM;
		d->nattached++;
	}
	return 0;
}

static int roledoc_member(const cJSON *v, enum roledoc_field f, struct roledoc *d,
			  struct roledoc_msg *m)
{
	switch (f) {
	case ROLEDOC_ROLE_NAME:
		return roledoc_string(v, f, &d->role_name, m);
	case ROLEDOC_ARN:
		return roledoc_string(v, f, &d->arn, m);
	case ROLEDOC_ROLE_ID:
		return roledoc_string(v, f, &d->role_id, m);
	case ROLEDOC_PATH:
		return roledoc_path(v, d, m);
	case ROLEDOC_CREATE_DATE:
		return roledoc_string(v, f, &d->create_date, m);
	case ROLEDOC_DESCRIPTION:
		return roledoc_description(v, d, m);
	case ROLEDOC_MAX_SESSION_DURATION:
		return roledoc_session(v, d, m);
	case ROLEDOC_PERMISSIONS_BOUNDARY:
		return roledoc_boundary(v, d, m);
	case ROLEDOC_TAGS:
		return roledoc_tags(v, d, m);
	default:
		return roledoc_attached(v, d, m);
	}
}

static int roledoc_key(const char *key)
{
	int f;

	for (f = 0; f < ROLEDOC_FIELD_COUNT; f++)
		if (!strcmp(key, roledoc_names[f]))
			return f;
	return -1;
}

static int roledoc_walk(const cJSON *root, struct roledoc *d, struct roledoc_msg *m)
{
	const unsigned nullable = ROLEDOC_BIT(ROLEDOC_DESCRIPTION) |
				  ROLEDOC_BIT(ROLEDOC_PERMISSIONS_BOUNDARY) |
				  ROLEDOC_BIT(ROLEDOC_TAGS);
	const cJSON *v;
	int f, rc;

	if (!cJSON_IsObject(root))
		return roledoc_refuse(m, "role.json must be a JSON object");
	cJSON_ArrayForEach(v, root)
	{
		f = roledoc_key(v->string);
		if (f < 0)
			return roledoc_refuse(
				m, "unknown key \"%.64s\" (role.json holds only %s)", v->string,
				"RoleName, Arn, RoleId, Path, CreateDate, Description, "
				"MaxSessionDuration, PermissionsBoundary, Tags and "
				"AttachedPolicies");
		if (d->present & ROLEDOC_BIT(f))
			return roledoc_refuse(m, "\"%s\" appears twice", roledoc_names[f]);
		if (cJSON_IsNull(v) && (nullable & ROLEDOC_BIT(f)))
			continue;
		if ((rc = roledoc_member(v, (enum roledoc_field)f, d, m)))
			return rc;
		d->present |= ROLEDOC_BIT(f);
	}
	return 0;
}

int roledoc_parse(const char *bytes, size_t len, struct roledoc *out, char *msg, size_t cap)
{
	struct roledoc_msg m = {msg, cap};
	struct validate_result vr;
	cJSON *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cap)
		msg[0] = '\0';
	rc = validate_parse_json(NULL, bytes, len, &root, &vr);
	if (rc) {
		if (cap)
			snprintf(msg, cap, "%s", vr.message);
		return rc;
	}
	rc = roledoc_walk(root, out, &m);
	cJSON_Delete(root);
	return rc;
}

void roledoc_cleanup(struct roledoc *d)
{
	size_t i;

	if (!d)
		return;
	free(d->role_name);
	free(d->arn);
	free(d->role_id);
	free(d->path);
	free(d->create_date);
	free(d->description);
	free(d->boundary_arn);
	for (i = 0; i < d->ntags; i++) {
		free(d->tags[i].key);
		free(d->tags[i].value);
	}
	free(d->tags);
	for (i = 0; i < d->nattached; i++)
		free(d->attached[i]);
	free(d->attached);
	memset(d, 0, sizeof(*d));
}
