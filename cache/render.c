/*
 * A JSON printer matching Python's json.dumps(indent=4, ensure_ascii=False).
 * cJSON parses; this file prints, because cJSON_Print indents with tabs and
 * formats numbers its own way. Number nodes parsed from text are first turned
 * into cJSON_Raw nodes holding Python's spelling of the literal, so integers of
 * any size survive exactly and floats print as Python's repr.
 */
#include "cache/render.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest integer a double holds exactly. */
#define RENDER_EXACT_INT 9007199254740992.0
#define RENDER_NUM_MAX	 512

int render_string(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;
	int rc;

	if ((rc = buf_putc(out, '"')))
		return rc;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		esc[0] = '\\';
		switch (ch) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			n = 6;
		}
		if ((rc = buf_append(out, s + start, i - start)) || (rc = buf_append(out, esc, n)))
			return rc;
		start = i + 1;
	}
	if ((rc = buf_append(out, s + start, len - start)))
		return rc;
	return buf_putc(out, '"');
}

/* Shortest digits that read back as d (d finite, non-zero, positive): writes the
 * significant digits (no trailing zeros) and the decimal point position, so
 * d = 0.DIGITS * 10^decpt. */
static void render_shortest(double d, char *digits, size_t cap, int *decpt)
{
	char tmp[48];
	int prec, exp10 = 0;
	size_t n = 0;
	const char *p;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && n + 1 < cap)
			digits[n++] = *p;
	if (*p == 'e')
		exp10 = (int)strtol(p + 1, NULL, 10);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*decpt = exp10 + 1;
}

static int render_zeros(struct buf *out, int n)
{
	int rc = 0;

	while (n-- > 0 && !rc)
		rc = buf_putc(out, '0');
	return rc;
}

int render_double(struct buf *out, double d)
{
	char digits[32];
	int decpt, nd, rc;

	if (isnan(d))
		return buf_puts(out, "NaN");
	if (isinf(d))
		return buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
	if (signbit(d) && (rc = buf_putc(out, '-')))
		return rc;
	d = fabs(d);
	if (d == 0)
		return buf_puts(out, "0.0");
	render_shortest(d, digits, sizeof(digits), &decpt);
	nd = (int)strlen(digits);
	if (decpt <= -4 || decpt > 16) {
		int e = decpt - 1;

		if ((rc = buf_putc(out, digits[0])))
			return rc;
		if (nd > 1 && ((rc = buf_putc(out, '.')) || (rc = buf_puts(out, digits + 1))))
			return rc;
		return buf_printf(out, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	}
	if (decpt <= 0) {
		if ((rc = buf_puts(out, "0.")) || (rc = render_zeros(out, -decpt)))
			return rc;
		return buf_puts(out, digits);
	}
	if (decpt >= nd) {
		if ((rc = buf_puts(out, digits)) || (rc = render_zeros(out, decpt - nd)))
			return rc;
		return buf_puts(out, ".0");
	}
	return buf_printf(out, "%.*s.%s", decpt, digits, digits + decpt);
}

static int render_newline(struct buf *out, int depth)
{
	int rc = buf_putc(out, '\n');

	while (!rc && depth-- > 0)
		rc = buf_append(out, "    ", 4);
	return rc;
}

/* Python dict semantics for duplicate keys: first place, last value. */
static bool render_key_seen(const cJSON *first, const cJSON *c)
{
	for (; first != c; first = first->next)
		if (first->string && c->string && !strcmp(first->string, c->string))
			return true;
	return false;
}

static const cJSON *render_key_last(const cJSON *c)
{
	const cJSON *last = c, *n;

	for (n = c->next; n; n = n->next)
		if (n->string && c->string && !strcmp(n->string, c->string))
			last = n;
	return last;
}

static int render_container(const cJSON *v, int depth, struct buf *out)
{
	bool obj = cJSON_IsObject(v), first = true;
	const cJSON *c;
	int rc;

	if (!v->child)
		return buf_puts(out, obj ? "{}" : "[]");
	if ((rc = buf_putc(out, obj ? '{' : '[')))
		return rc;
	for (c = v->child; c; c = c->next) {
		const cJSON *val = c;

		if (obj && render_key_seen(v->child, c))
			continue;
		if (!first && (rc = buf_putc(out, ',')))
			return rc;
		first = false;
		if ((rc = render_newline(out, depth + 1)))
			return rc;
		if (obj) {
			const char *k = c->string ? c->string : "";

			if ((rc = render_string(out, k, strlen(k))) || (rc = buf_puts(out, ": ")))
				return rc;
			val = render_key_last(c);
		}
		if ((rc = render_value(val, depth + 1, out)))
			return rc;
	}
	if ((rc = render_newline(out, depth)))
		return rc;
	return buf_putc(out, obj ? '}' : ']');
}

int render_value(const cJSON *v, int depth, struct buf *out)
{
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return render_container(v, depth, out);
	if (cJSON_IsString(v))
		return render_string(out, v->valuestring, strlen(v->valuestring));
	if (cJSON_IsRaw(v))
		return buf_puts(out, v->valuestring);
	if (cJSON_IsTrue(v))
		return buf_puts(out, "true");
	if (cJSON_IsFalse(v))
		return buf_puts(out, "false");
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) <= RENDER_EXACT_INT)
			return buf_printf(out, "%lld", (long long)d);
		return render_double(out, d);
	}
	return buf_puts(out, "null");
}

/* Finds the next number literal outside strings in [*p, end). */
static bool render_next_number(const char **p, const char *end, const char **lit, size_t *len)
{
	const char *s = *p;

	while (s < end) {
		if (*s == '"') {
			for (s++; s < end && *s != '"'; s++)
				if (*s == '\\')
					s++;
			s++;
			continue;
		}
		if (*s == '-' || (*s >= '0' && *s <= '9')) {
			const char *b = s;

			while (s < end && strchr("+-0123456789.eE", *s) && *s)
				s++;
			*lit = b;
			*len = (size_t)(s - b);
			*p = s;
			return true;
		}
		s++;
	}
	*p = s;
	return false;
}

/* Replaces one Number node by a Raw node holding Python's spelling of lit. */
static int render_fix_number(cJSON *n, const char *lit, size_t len)
{
	struct buf b;
	char tmp[RENDER_NUM_MAX];
	int rc = 0;

	buf_init(&b, RENDER_NUM_MAX * 2);
	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, lit, len);
	tmp[len] = '\0';
	if (strpbrk(tmp, ".eE"))
		rc = render_double(&b, strtod(tmp, NULL));
	else
		rc = buf_puts(&b, strcmp(tmp, "-0") ? tmp : "0");
	if (rc) {
		buf_cleanup(&b);
		return rc;
	}
	n->type = cJSON_Raw;
	n->valuestring = buf_steal(&b);
	return n->valuestring ? 0 : -ENOMEM;
}

/* Walks the tree in document order, pairing Number nodes with source literals. */
static int render_fix_numbers(cJSON *v, const char **p, const char *end)
{
	const char *lit;
	size_t len;
	cJSON *c;
	int rc;

	if (cJSON_IsNumber(v)) {
		if (!render_next_number(p, end, &lit, &len))
			return -EINVAL;
		return render_fix_number(v, lit, len);
	}
	for (c = v->child; c; c = c->next)
		if ((rc = render_fix_numbers(c, p, end)))
			return rc;
	return 0;
}

int render_json(const char *text, size_t len, struct buf *out)
{
	const char *end = NULL, *p = text;
	cJSON *root;
	size_t at = out->len;
	int rc;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root)
		return -EINVAL;
	while (end && end < text + len && strchr(" \t\r\n", *end) && *end)
		end++;
	rc = end == text + len ? 0 : -EINVAL;
	if (!rc)
		rc = render_fix_numbers(root, &p, text + len);
	if (!rc)
		rc = render_value(root, 0, out);
	if (!rc)
		rc = buf_putc(out, '\n');
	cJSON_Delete(root);
	if (rc) {
		out->len = at;
		if (out->data)
			out->data[at] = '\0';
	}
	return rc;
}

static int render_add_str(cJSON *o, const char *key, const char *val)
{
	if (!val)
		return 0;
	return cJSON_AddStringToObject(o, key, val) ? 0 : -ENOMEM;
}

static int render_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int render_role_lists(const struct iam_role *r, cJSON *o)
{
	const char **arns = NULL;
	cJSON *tags, *att, *t;
	size_t i;

	if (r->ntags) {
		if (!(tags = cJSON_AddArrayToObject(o, "Tags")))
			return -ENOMEM;
		for (i = 0; i < r->ntags; i++) {
			if (!(t = cJSON_CreateObject()) || !cJSON_AddItemToArray(tags, t))
				return -ENOMEM;
			if (render_add_str(t, "Key", r->tags[i].key ? r->tags[i].key : "") ||
			    render_add_str(t, "Value", r->tags[i].value ? r->tags[i].value : ""))
				return -ENOMEM;
		}
	}
	if (!(att = cJSON_AddArrayToObject(o, "AttachedPolicies")))
		return -ENOMEM;
	if (r->nattached && !(arns = calloc(r->nattached, sizeof(*arns))))
		return -ENOMEM;
	for (i = 0; i < r->nattached; i++)
		arns[i] = r->attached[i].arn ? r->attached[i].arn : "";
	if (r->nattached)
		qsort(arns, r->nattached, sizeof(*arns), render_cmp_str);
	for (i = 0; i < r->nattached; i++) {
		if (!cJSON_AddItemToArray(att, cJSON_CreateString(arns[i]))) {
			free(arns);
			return -ENOMEM;
		}
	}
	free(arns);
	return 0;
}

int render_role(const struct iam_role *r, struct buf *out)
{
	cJSON *o = cJSON_CreateObject(), *pb;
	int rc = -ENOMEM;

	if (!o)
		return -ENOMEM;
	if (render_add_str(o, "RoleName", r->name) || render_add_str(o, "Arn", r->arn) ||
	    render_add_str(o, "RoleId", r->id) || render_add_str(o, "Path", r->path) ||
	    render_add_str(o, "CreateDate", r->create_date) ||
	    render_add_str(o, "Description", r->description))
		goto out;
	if (r->max_session_duration &&
	    !cJSON_AddNumberToObject(o, "MaxSessionDuration", r->max_session_duration))
		goto out;
	if (r->boundary_arn) {
		if (!(pb = cJSON_AddObjectToObject(o, "PermissionsBoundary")) ||
		    render_add_str(pb, "PermissionsBoundaryType",
				   r->boundary_type ? r->boundary_type : "Policy") ||
		    render_add_str(pb, "PermissionsBoundaryArn", r->boundary_arn))
			goto out;
	}
	if (render_role_lists(r, o))
		goto out;
	rc = render_value(o, 0, out);
	if (!rc)
		rc = buf_putc(out, '\n');
out:
	cJSON_Delete(o);
	return rc;
}

/* The ARNs of list (strings only) plus arn when add, minus it otherwise, sorted
 * bytewise without duplicates: a new array of n borrowed pointers. */
static int render_arns(const cJSON *list, const char *arn, bool add, const char ***out, size_t *n)
{
	size_t cap = (size_t)cJSON_GetArraySize(list) + 1, k = 0;
	const char **v = calloc(cap, sizeof(*v));
	const cJSON *it;

	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it))
			continue;
		if (strcmp(it->valuestring, arn))
			v[k++] = it->valuestring;
	}
	if (add)
		v[k++] = arn;
	qsort(v, k, sizeof(*v), render_cmp_str);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (!*n || strcmp(v[*n - 1], v[i]))
			v[(*n)++] = v[i];
	*out = v;
	return 0;
}

int render_role_attached(const char *role_json, size_t len, const char *arn, bool add,
			 struct buf *out)
{
	cJSON *o = cJSON_ParseWithLength(role_json, len), *list, *fresh = NULL;
	const char **arns = NULL;
	size_t n = 0, at = out->len;
	int rc = -EINVAL;

	list = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "AttachedPolicies") : NULL;
	if (!arn || !cJSON_IsArray(list))
		goto out;
	if ((rc = render_arns(list, arn, add, &arns, &n)))
		goto out;
	rc = -ENOMEM;
	if (!(fresh = cJSON_CreateArray()))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(fresh, cJSON_CreateString(arns[i])))
			goto out;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(o, "AttachedPolicies", fresh))
		goto out;
	fresh = NULL;
	rc = render_value(o, 0, out);
	if (!rc)
		rc = buf_putc(out, '\n');
out:
	if (rc && out->len > at) {
		out->len = at;
		out->data[at] = '\0';
	}
	cJSON_Delete(fresh);
	cJSON_Delete(o);
	free(arns);
	return rc;
}
