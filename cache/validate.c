/*
 * Policy validation before a save: what IAM would refuse for its form is refused
 * here, before anything is sent. cJSON alone decides whether the text
 * is JSON (only whitespace may follow the value); where it stops, the bytes there
 * and just before give the line, column and a hint. What JSON forbids but cJSON
 * accepts (leading zeros, bad \u escapes, raw control characters in strings) is
 * not refused as JSON: the character check still refuses raw controls other than
 * tab, LF and CR, and IAM refuses the rest (MalformedPolicyDocument: EINVAL).
 */
#include "cache/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Decodes one UTF-8 sequence at s[0..n). Returns its length and sets *cp, or 0
 * when the bytes there are not UTF-8 (overlong forms and surrogates included). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t k, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		k = 2, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 3, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return k;
}

/* Line and column (both 1-based, column in code points) of byte offset off. */
static void text_position(const char *bytes, size_t len, size_t off, int *line, int *column)
{
	size_t i;
	int l = 1, c = 1;

	for (i = 0; i < off && i < len; i++) {
		if (bytes[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)bytes[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

/* 1234567 -> "1,234,567". */
static const char *fmt_count(size_t n, char *out, size_t cap)
{
	char digits[32];
	size_t nd, i, o = 0;

	nd = (size_t)snprintf(digits, sizeof(digits), "%zu", n);
	for (i = 0; i < nd && o + 2 < cap; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

__attribute__((format(printf, 5, 6))) static void result_set(struct validate_result *res,
							     const char *label, int line,
							     int column, const char *fmt, ...)
{
	char what[VALIDATE_MSG_MAX];
	char where[64] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof(where), "line %d, column %d: ", line, column);
	/* A label too long for the message is cut; the message stays a C string. */
	if (snprintf(res->message, sizeof(res->message), "%s%s%s%s", label ? label : "",
		     label ? ": " : "", where, what) >= (int)sizeof(res->message))
		res->message[sizeof(res->message) - 1] = '\0';
	res->line = line;
	res->column = column;
}

/* Why and where cJSON stopped: a byte offset (SIZE_MAX: no single place) and a sentence. */
struct json_error {
	size_t pos;
	char msg[256];
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_quote_like(uint32_t cp)
{
	return cp == '\'' || (cp >= 0x2018 && cp <= 0x201D);
}

/* Offset where the code point containing byte off starts (the text is UTF-8 by now). */
static size_t char_start(const char *s, size_t off)
{
	while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
		off--;
	return off;
}

/* Code point at off; 0 at or past the end. */
static uint32_t char_at(const char *s, size_t len, size_t off)
{
	uint32_t cp = 0;

	if (off >= len || !utf8_decode((const unsigned char *)s + off, len - off, &cp))
		return 0;
	return cp;
}

/* The nearest byte before off that is not JSON whitespace, or 0. */
static unsigned char byte_before(const char *s, size_t off)
{
	while (off > 0 && is_ws((unsigned char)s[off - 1]))
		off--;
	return off > 0 ? (unsigned char)s[off - 1] : 0;
}

/*
 * cJSON reports a member name that does not start with '"' one character after
 * its start. Step back onto it when the bytes show that case: a quote-like
 * character, a letter after '{' or ',', or a '}' or ']' right after a ','.
 */
static size_t json_error_place(const char *s, size_t len, size_t p)
{
	size_t q;
	uint32_t prev;
	unsigned char before;

	if (p == 0)
		return 0;
	q = char_start(s, p - 1);
	prev = char_at(s, len, q);
	before = byte_before(s, q);
	if (is_quote_like(prev) || ((prev == '}' || prev == ']') && before == ',') ||
	    (is_letter(prev) && (before == '{' || before == ',')))
		return q;
	return p;
}

/*
 * cJSON reports a failure caused by the end of the text at the last byte. When
 * that byte is not whitespace, parse a copy with one space appended: the failure
 * moves onto the space only if the text ended too early.
 */
static bool json_failed_at_end(const char *s, size_t len, size_t p)
{
	const char *end = NULL;
	char *copy;
	cJSON *root;
	bool at_end;

	if (p + 1 != len)
		return false;
	if (is_ws((unsigned char)s[p]))
		return true;
	copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, s, len);
	copy[len] = ' ';
	root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 0);
	at_end = !root && end == copy + len;
	cJSON_Delete(root);
	free(copy);
	return at_end;
}

/* A hint from the character c at the error and the non-space byte b before it. */
static const char *json_hint(const char *s, size_t len, size_t p, uint32_t c, unsigned char b)
{
	bool starts_value = c == '"' || c == '{' || c == '[' || c == '-' ||
			    is_digit((unsigned char)c) || is_letter(c);

	if (is_quote_like(c))
		return " (JSON strings need straight double quotes)";
	if (c == 0xFEFF)
		return " (a byte order mark; save the file as UTF-8 without BOM)";
	if (c == '\\')
		return p + 1 < len && s[p + 1] == 'u'
			       ? " (a '\\u' escape of a surrogate needs its pair)"
			       : " (JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u)";
	if ((c == '{' || c == '[') && (b == '[' || b == ':' || b == ','))
		return " (objects and arrays can be nested at most 1000 deep)";
	if (p > 0 && s[p - 1] == '"' && !memchr(s + p, '"', len - p))
		return " (is a string not closed?)";
	if (starts_value && b == '"' && c != '"')
		return " (is a ':' or a comma missing before it?)";
	if (starts_value &&
	    (b == '"' || b == '}' || b == ']' || (is_digit(b) && is_digit((unsigned char)c))))
		return " (is a comma missing before it?)";
	if (b == ':' && (c == '}' || c == ']' || c == ','))
		return " (a value must follow ':')";
	if (is_letter(c) && !is_digit(b))
		return " (strings need double quotes; the only bare words are true, false and "
		       "null)";
	return "";
}

/* Turns cJSON's failure offset p into a place and a sentence, from the bytes there. */
static void json_explain(const char *s, size_t len, size_t p, struct json_error *err)
{
	char found[48];
	size_t q;
	uint32_t c;
	unsigned char b;

	p = char_start(s, p);
	q = json_error_place(s, len, p);
	c = char_at(s, len, q);
	b = byte_before(s, q);
	err->pos = q;
	if ((c == '}' || c == ']') && b == ',') {
		snprintf(err->msg, sizeof(err->msg),
			 "the text is not valid JSON here: found a comma before '%c' (trailing "
			 "commas are not allowed in JSON)",
			 (char)c);
		return;
	}
	if (q == p && json_failed_at_end(s, len, p)) {
		err->pos = len;
		snprintf(err->msg, sizeof(err->msg),
			 "the file ends before the JSON value is complete");
		return;
	}
	if (c == '\\' && q + 1 < len && s[q + 1] > 0x20 && s[q + 1] < 0x7F)
		snprintf(found, sizeof(found), "'\\%c'", s[q + 1]);
	else if (c > 0x20 && c < 0x7F)
		snprintf(found, sizeof(found), "'%c'", (char)c);
	else
		snprintf(found, sizeof(found), "U+%04X", (unsigned)c);
	snprintf(err->msg, sizeof(err->msg), "the text is not valid JSON here: found %s%s", found,
		 json_hint(s, len, q, c, b));
}

/*
 * cJSON alone decides whether the text is JSON; only whitespace may follow the
 * value. Returns the tree or NULL with err set. The checks before cJSON are on
 * bytes only: an empty file, and a byte order mark (which cJSON would skip).
 */
static cJSON *parse_json(const char *bytes, size_t len, struct json_error *err)
{
	const char *end = NULL;
	size_t i = 0;
	cJSON *root;

	while (i < len && is_ws((unsigned char)bytes[i]))
		i++;
	err->pos = 0;
	if (i == len) {
		err->pos = SIZE_MAX;
		snprintf(err->msg, sizeof(err->msg), "the file is empty");
		return NULL;
	}
	if (len - i >= 3 && !memcmp(bytes + i, "\xef\xbb\xbf", 3)) {
		err->pos = i;
		snprintf(err->msg, sizeof(err->msg),
			 "the file starts with a byte order mark (U+FEFF); save it as UTF-8 "
			 "without BOM");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(bytes, len, &end, 0);
	if (!root) {
		json_explain(bytes, len, end ? (size_t)(end - bytes) : 0, err);
		return NULL;
	}
	for (i = (size_t)(end - bytes); i < len && is_ws((unsigned char)bytes[i]); i++)
		;
	if (i < len) {
		cJSON_Delete(root);
		err->pos = i;
		snprintf(err->msg, sizeof(err->msg),
			 "unexpected text after the end of the JSON value");
		return NULL;
	}
	return root;
}

/* A "\u0000" escape (any case of hex digits) anywhere in the bytes; cJSON cuts
 * strings there. A false match only makes two texts "not the same". */
static bool has_nul_escape(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 6 <= len; i++)
		if (s[i] == '\\' && s[i + 1] == 'u' && !memcmp(s + i + 2, "0000", 4))
			return true;
	return false;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The offset of the first \uXXXX escape inside a string of valid JSON that stands
 * for a control character IAM does not accept as text (U+0000-U+001F but tab, LF
 * and CR), with that character in *bad; len when there is none. */
static size_t escape_first_bad(const unsigned char *s, size_t len, uint32_t *bad)
{
	bool in_string = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			in_string = !in_string;
		} else if (in_string && s[i] == '\\' && i + 1 < len) {
			uint32_t cp = 0;
			size_t k;

			if (s[i + 1] != 'u' || i + 6 > len) {
				i++; /* a two-character escape */
				continue;
			}
			for (k = 2; k < 6 && hex_value(s[i + k]) >= 0; k++)
				cp = cp * 16 + (uint32_t)hex_value(s[i + k]);
			if (k == 6 && cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
				*bad = cp;
				return i;
			}
			i += 5;
		}
	}
	return len;
}

size_t validate_limit(enum validate_kind kind)
{
	switch (kind) {
	case VALIDATE_TRUST:
		return VALIDATE_TRUST_LIMIT;
	case VALIDATE_INLINE:
		return VALIDATE_INLINE_LIMIT;
	case VALIDATE_MANAGED:
		return VALIDATE_MANAGED_LIMIT;
	}
	return 0;
}

size_t validate_count_size(const char *bytes, size_t len)
{
	const unsigned char *s = (const unsigned char *)bytes;
	size_t i = 0, n = 0, k;
	uint32_t cp;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		if (k == 0) {
			k = 1;
			cp = 0xFFFD;
		}
		if (cp != ' ' && cp != '\t' && cp != '\n' && cp != '\r')
			n++;
		i += k;
	}
	return n;
}

/* First invalid UTF-8 byte offset, or len when all is UTF-8. */
static size_t utf8_first_invalid(const unsigned char *s, size_t len)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		if (k == 0)
			return i;
		i += k;
	}
	return len;
}

/* First code point IAM refuses: returns its offset (or len) and sets *bad. */
static size_t charset_first_bad(const unsigned char *s, size_t len, uint32_t *bad)
{
	size_t i = 0, k;
	uint32_t cp = 0;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		if (cp != '\t' && cp != '\n' && cp != '\r' && (cp < 0x20 || cp > 0xFF)) {
			*bad = cp;
			return i;
		}
		i += k ? k : 1;
	}
	return len;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}

/* The shape IAM needs: an object with "Statement" = object or non-empty array of objects. */
static int check_shape(const cJSON *root, const char *label, struct validate_result *res)
{
	const cJSON *st, *el;
	int i = 0;

	if (!cJSON_IsObject(root)) {
		result_set(res, label, 0, 0, "the policy must be a JSON object ({ ... }), not %s",
			   json_type_name(root));
		return -EINVAL;
	}
	st = cJSON_GetObjectItemCaseSensitive(root, "Statement");
	if (!st) {
		result_set(res, label, 0, 0, "the policy has no \"Statement\"");
		return -EINVAL;
	}
	if (cJSON_IsObject(st))
		return 0;
	if (!cJSON_IsArray(st)) {
		result_set(res, label, 0, 0,
			   "\"Statement\" must be an object or an array of objects, not %s",
			   json_type_name(st));
		return -EINVAL;
	}
	if (!st->child) {
		result_set(
			res, label, 0, 0,
			"\"Statement\" is an empty array; a policy needs at least one statement");
		return -EINVAL;
	}
	cJSON_ArrayForEach(el, st)
	{
		i++;
		if (!cJSON_IsObject(el)) {
			result_set(res, label, 0, 0,
				   "statement %d in \"Statement\" is %s; each statement must be an "
				   "object",
				   i, json_type_name(el));
			return -EINVAL;
		}
	}
	return 0;
}

static int check_size(enum validate_kind kind, const char *label, size_t budget,
		      struct validate_result *res)
{
	static const char *const what[] = {
		[VALIDATE_TRUST] = "trust policies",
		[VALIDATE_INLINE] = "a role's inline policies together",
		[VALIDATE_MANAGED] = "managed policies",
	};
	size_t limit = validate_limit(kind);
	char n[32], b[32], l[32];

	if (res->size <= budget)
		return 0;
	fmt_count(res->size, n, sizeof(n));
	fmt_count(budget, b, sizeof(b));
	fmt_count(limit, l, sizeof(l));
	if (kind == VALIDATE_INLINE && budget < limit)
		result_set(res, label, 0, 0,
			   "%s characters without whitespace, over the %s left of IAM's %s "
			   "limit for %s",
			   n, b, l, what[kind]);
	else
		result_set(res, label, 0, 0,
			   "%s characters without whitespace, over IAM's %s limit for %s", n, b,
			   what[kind]);
	return -EFBIG;
}

/* -EINVAL for character cp found at offset off: raw text (escape false) or the
 * \\uXXXX escape that stands for it. */
static int refuse_char(struct validate_result *res, const char *label, const char *bytes,
		       size_t len, size_t off, bool escape, uint32_t cp)
{
	int line = 0, col = 0;

	text_position(bytes, len, off, &line, &col);
	if (escape)
		result_set(res, label, line, col,
			   "the escape \\u%04X stands for a control character, which IAM policies "
			   "may not hold (only tab, LF and CR)",
			   (unsigned)cp);
	else
		result_set(res, label, line, col,
			   "character U+%04X is not allowed in IAM policies (only tab, LF, CR and "
			   "U+0020-U+00FF)",
			   (unsigned)cp);
	return -EINVAL;
}

int validate_policy(enum validate_kind kind, const char *label, const char *bytes, size_t len,
		    size_t budget, struct validate_result *res)
{
	const unsigned char *s = (const unsigned char *)bytes;
	struct json_error err;
	cJSON *root = NULL;
	uint32_t bad = 0;
	size_t off;
	int line = 0, col = 0, rc;
	char n[32];

	memset(res, 0, sizeof(*res));
	if (validate_limit(kind) == 0) {
		result_set(res, label, 0, 0, "unknown kind of policy");
		return -EINVAL;
	}
	if (budget == VALIDATE_DEFAULT_BUDGET)
		budget = validate_limit(kind);
	if (len > VALIDATE_MAX_BYTES) {
		result_set(res, label, 0, 0, "the file is %s bytes, far over any IAM policy limit",
			   fmt_count(len, n, sizeof(n)));
		return -EFBIG;
	}
	off = utf8_first_invalid(s, len);
	if (off < len) {
		text_position(bytes, len, off, &line, &col);
		result_set(res, label, line, col,
			   "byte 0x%02X is not valid UTF-8 (save the file as UTF-8)", s[off]);
		return -EINVAL;
	}
	res->size = validate_count_size(bytes, len);
	root = parse_json(bytes, len, &err);
	if (!root) {
		if (err.pos != SIZE_MAX)
			text_position(bytes, len, err.pos, &line, &col);
		result_set(res, label, line, col, "%s", err.msg);
		return -EINVAL;
	}
	rc = check_shape(root, label, res);
	cJSON_Delete(root);
	if (rc)
		return rc;
	off = charset_first_bad(s, len, &bad);
	if (off < len)
		return refuse_char(res, label, bytes, len, off, false, bad);
	/* An escape hides the same character from the check above, and a U+0000 cannot
	 * come back from IAM whole: its answers would read as another document. */
	off = escape_first_bad(s, len, &bad);
	if (off < len)
		return refuse_char(res, label, bytes, len, off, true, bad);
	return check_size(kind, label, budget, res);
}

static bool same_node(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	if (cJSON_IsNumber(a))
		/* Beyond 2^53 two different texts may share a double: call them different. */
		return a->valuedouble == b->valuedouble && a->valuedouble < 9007199254740992.0 &&
		       a->valuedouble > -9007199254740992.0;
	if (cJSON_IsString(a))
		return !strcmp(a->valuestring, b->valuestring);
	if (cJSON_IsArray(a)) {
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!same_node(x, y))
				return false;
		return !x && !y;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		cJSON_ArrayForEach(x, a)
		{
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !same_node(x, y))
				return false;
		}
		/* Both ways, so duplicate names cannot make different objects look equal. */
		cJSON_ArrayForEach(y, b)
		{
			x = cJSON_GetObjectItemCaseSensitive(a, y->string);
			if (!x || !same_node(x, y))
				return false;
		}
	}
	return true;
}

int validate_same_value(const char *a, size_t alen, const char *b, size_t blen)
{
	struct json_error err;
	cJSON *ja = NULL, *jb = NULL;
	int rc = -EINVAL;

	if (alen > VALIDATE_MAX_BYTES || blen > VALIDATE_MAX_BYTES)
		goto out;
	if (utf8_first_invalid((const unsigned char *)a, alen) < alen ||
	    utf8_first_invalid((const unsigned char *)b, blen) < blen)
		goto out;
	ja = parse_json(a, alen, &err);
	if (!ja)
		goto out;
	jb = parse_json(b, blen, &err);
	if (!jb)
		goto out;
	/* cJSON cuts strings at \u0000: such documents are never called the same. */
	rc = !has_nul_escape(a, alen) && !has_nul_escape(b, blen) && same_node(ja, jb);
out:
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return rc;
}

int validate_parse_json(const char *label, const char *bytes, size_t len, struct cJSON **out,
			struct validate_result *res)
{
	struct json_error err;
	size_t off;
	int line = 0, col = 0;
	char n[32];

	memset(res, 0, sizeof(*res));
	*out = NULL;
	if (len > VALIDATE_MAX_BYTES) {
		result_set(res, label, 0, 0, "the file is %s bytes, far too long",
			   fmt_count(len, n, sizeof(n)));
		return -EFBIG;
	}
	off = utf8_first_invalid((const unsigned char *)bytes, len);
	if (off < len) {
		text_position(bytes, len, off, &line, &col);
		result_set(res, label, line, col,
			   "byte 0x%02X is not valid UTF-8 (save the file as UTF-8)",
			   (unsigned char)bytes[off]);
		return -EINVAL;
	}
	*out = parse_json(bytes, len, &err);
	if (*out)
		return 0;
	if (err.pos != SIZE_MAX)
		text_position(bytes, len, err.pos, &line, &col);
	result_set(res, label, line, col, "%s", err.msg);
	return -EINVAL;
}
