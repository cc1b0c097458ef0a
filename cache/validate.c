/*
 * Policy validation before a save (SPEC §4). cJSON builds the value; a small
 * recursive walk of the JSON grammar runs first so that a refusal can say what
 * was expected and where (line and column in characters), and so that what JSON
 * forbids but cJSON tolerates (leading zeros, raw control characters in strings,
 * text after the value) is refused too. Nothing here allocates except cJSON.
 */
#include "cache/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Deeper than this is refused; below cJSON's own nesting limit of 1000. */
#define SCAN_MAX_DEPTH	512
#define SCAN_MAX_NUMBER 63

struct scan {
	const unsigned char *s;
	size_t len;
	size_t pos;
	int depth;
	bool nul_escape; /* a \u0000 escape was seen: cJSON strings would be cut there */
	size_t err_pos;
	char err[256];
};

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

/* Describes the character at pos for an error message ("'x'", "U+2019"). */
static void scan_describe(const struct scan *sc, size_t pos, char *out, size_t cap)
{
	uint32_t cp = 0;

	if (pos >= sc->len)
		snprintf(out, cap, "the end of the file");
	else if (utf8_decode(sc->s + pos, sc->len - pos, &cp) && cp >= 0x21 && cp < 0x7F)
		snprintf(out, cap, "'%c'", (char)cp);
	else
		snprintf(out, cap, "U+%04X", (unsigned)cp);
}

/* Records "expected <what>" at pos, naming what was found there. */
static int scan_expected(struct scan *sc, size_t pos, const char *what)
{
	char found[32];
	uint32_t cp = 0;
	const char *hint = "";

	scan_describe(sc, pos, found, sizeof(found));
	if (pos < sc->len && utf8_decode(sc->s + pos, sc->len - pos, &cp) &&
	    (cp == '\'' || (cp >= 0x2018 && cp <= 0x201D)))
		hint = " (JSON strings need straight double quotes)";
	sc->err_pos = pos;
	snprintf(sc->err, sizeof(sc->err), "expected %s, found %s%s", what, found, hint);
	return -EINVAL;
}

static int scan_fail(struct scan *sc, size_t pos, const char *msg)
{
	sc->err_pos = pos;
	snprintf(sc->err, sizeof(sc->err), "%s", msg);
	return -EINVAL;
}

static void scan_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
				     sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the 4 hex digits after "\u" at pos; returns the unit or -1. */
static long scan_hex4(const struct scan *sc, size_t pos)
{
	long v = 0;
	int i, h;

	if (pos + 4 > sc->len)
		return -1;
	for (i = 0; i < 4; i++) {
		h = hexval(sc->s[pos + (size_t)i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* One escape sequence at sc->pos (the backslash); advances past it. */
static int scan_escape(struct scan *sc)
{
	size_t at = sc->pos;
	long u, lo;
	char msg[64];

	if (at + 1 >= sc->len)
		return scan_fail(sc, at, "the file ends inside an escape sequence");
	if (!strchr("\"\\/bfnrtu", sc->s[at + 1]) || sc->s[at + 1] == '\0') {
		snprintf(msg, sizeof(msg), "invalid escape sequence '\\%c' in a string",
			 sc->s[at + 1] >= 0x20 && sc->s[at + 1] < 0x7F ? sc->s[at + 1] : '?');
		return scan_fail(sc, at, msg);
	}
	if (sc->s[at + 1] != 'u') {
		sc->pos = at + 2;
		return 0;
	}
	u = scan_hex4(sc, at + 2);
	if (u < 0)
		return scan_fail(sc, at, "'\\u' must be followed by four hexadecimal digits");
	sc->pos = at + 6;
	if (u == 0)
		sc->nul_escape = true;
	if (u >= 0xDC00 && u <= 0xDFFF)
		return scan_fail(sc, at, "unpaired surrogate in a '\\u' escape");
	if (u >= 0xD800 && u <= 0xDBFF) {
		lo = (sc->pos + 1 < sc->len && sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u')
			     ? scan_hex4(sc, sc->pos + 2)
			     : -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return scan_fail(sc, at, "unpaired surrogate in a '\\u' escape");
		sc->pos += 6;
	}
	return 0;
}

/* A string starting at sc->pos (the opening quote). */
static int scan_string(struct scan *sc)
{
	size_t start = sc->pos;
	unsigned char c;
	char msg[96];
	int rc;

	sc->pos++;
	while (sc->pos < sc->len) {
		c = sc->s[sc->pos];
		if (c == '"') {
			sc->pos++;
			return 0;
		}
		if (c == '\\') {
			rc = scan_escape(sc);
			if (rc)
				return rc;
			continue;
		}
		if (c == '\n' || c == '\r')
			return scan_fail(sc, start,
					 "the string that starts here is not closed "
					 "before the end of the line");
		if (c < 0x20) {
			snprintf(msg, sizeof(msg),
				 "control character U+%04X must be escaped inside a string%s", c,
				 c == '\t' ? " (write \\t)" : "");
			return scan_fail(sc, sc->pos, msg);
		}
		sc->pos++;
	}
	return scan_fail(sc, start, "the string that starts here is never closed");
}

static bool is_digit(const struct scan *sc, size_t pos)
{
	return pos < sc->len && sc->s[pos] >= '0' && sc->s[pos] <= '9';
}

/* A number as JSON defines it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number_text(struct scan *sc)
{
	size_t start = sc->pos;

	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (!is_digit(sc, sc->pos))
		return scan_fail(sc, start, "invalid number: a digit must follow '-'");
	if (sc->s[sc->pos] == '0' && is_digit(sc, sc->pos + 1))
		return scan_fail(sc, start, "invalid number: JSON does not allow leading zeros");
	while (is_digit(sc, sc->pos))
		sc->pos++;
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (!is_digit(sc, sc->pos))
			return scan_fail(sc, start, "invalid number: a digit must follow '.'");
		while (is_digit(sc, sc->pos))
			sc->pos++;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (!is_digit(sc, sc->pos))
			return scan_fail(sc, start,
					 "invalid number: a digit must follow the exponent");
		while (is_digit(sc, sc->pos))
			sc->pos++;
	}
	return 0;
}

/* A number that cJSON can also read. */
static int scan_number(struct scan *sc)
{
	size_t start = sc->pos;
	int rc = scan_number_text(sc);

	/* cJSON reads at most 63 characters of a number and then fails. */
	if (!rc && sc->pos - start > SCAN_MAX_NUMBER)
		return scan_fail(sc, start, "a number longer than 63 characters cannot be read");
	return rc;
}

/* true, false or null; anything else word-like is named in the message. */
static int scan_word(struct scan *sc)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t start = sc->pos, n = 0, i;
	char msg[128];

	while (start + n < sc->len && n < 24 &&
	       ((sc->s[start + n] >= 'a' && sc->s[start + n] <= 'z') ||
		(sc->s[start + n] >= 'A' && sc->s[start + n] <= 'Z') ||
		(sc->s[start + n] >= '0' && sc->s[start + n] <= '9') || sc->s[start + n] == '_'))
		n++;
	for (i = 0; i < 3; i++) {
		if (strlen(words[i]) == n && !memcmp(sc->s + start, words[i], n)) {
			sc->pos += n;
			return 0;
		}
	}
	snprintf(msg, sizeof(msg),
		 "unknown word '%.*s' (a value is true, false, null, a number, or a string in "
		 "double quotes)",
		 (int)n, (const char *)sc->s + start);
	return scan_fail(sc, start, msg);
}

static int scan_value(struct scan *sc, const char *what);

static int scan_object(struct scan *sc)
{
	size_t comma = 0;
	int rc;

	sc->pos++;
	scan_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		if (sc->pos >= sc->len || sc->s[sc->pos] != '"') {
			if (comma && sc->pos < sc->len && sc->s[sc->pos] == '}')
				return scan_fail(sc, comma,
						 "a ',' must be followed by another "
						 "member (JSON does not allow a "
						 "trailing comma)");
			return scan_expected(sc, sc->pos,
					     comma ? "a member name in double quotes after ','"
						   : "a member name in double quotes or '}'");
		}
		rc = scan_string(sc);
		if (rc)
			return rc;
		scan_ws(sc);
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
			return scan_expected(sc, sc->pos, "':' after a member name");
		sc->pos++;
		rc = scan_value(sc, "a value after ':'");
		if (rc)
			return rc;
		scan_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
			sc->pos++;
			return 0;
		}
		if (sc->pos >= sc->len || sc->s[sc->pos] != ',')
			return scan_expected(sc, sc->pos, "',' or '}' after an object member");
		comma = sc->pos++;
		scan_ws(sc);
	}
}

static int scan_array(struct scan *sc)
{
	size_t comma = 0;
	int rc;

	sc->pos++;
	scan_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		if (comma && sc->pos < sc->len && sc->s[sc->pos] == ']')
			return scan_fail(sc, comma,
					 "a ',' must be followed by another element "
					 "(JSON does not allow a trailing comma)");
		rc = scan_value(sc, comma ? "a value after ','" : "a value or ']'");
		if (rc)
			return rc;
		scan_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
			sc->pos++;
			return 0;
		}
		if (sc->pos >= sc->len || sc->s[sc->pos] != ',')
			return scan_expected(sc, sc->pos, "',' or ']' after an array element");
		comma = sc->pos++;
		scan_ws(sc);
	}
}

/* Skips whitespace, then one value of any kind; what says what was expected. */
static int scan_value(struct scan *sc, const char *what)
{
	unsigned char c;
	int rc;

	scan_ws(sc);
	if (sc->pos >= sc->len)
		return scan_expected(sc, sc->pos, what);
	c = sc->s[sc->pos];
	if (c == '{' || c == '[') {
		if (sc->depth >= SCAN_MAX_DEPTH)
			return scan_fail(sc, sc->pos, "objects and arrays are nested too deeply");
		sc->depth++;
		rc = c == '{' ? scan_object(sc) : scan_array(sc);
		sc->depth--;
		return rc;
	}
	if (c == '"')
		return scan_string(sc);
	if (c == '-' || (c >= '0' && c <= '9'))
		return scan_number(sc);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return scan_word(sc);
	return scan_expected(sc, sc->pos, what);
}

/* The whole text: one value and nothing but whitespace after it. */
static int scan_document(struct scan *sc, const char *bytes, size_t len)
{
	int rc;

	memset(sc, 0, sizeof(*sc));
	sc->s = (const unsigned char *)bytes;
	sc->len = len;
	scan_ws(sc);
	if (sc->pos >= sc->len)
		return scan_fail(sc, SIZE_MAX, "the file is empty");
	if (sc->len - sc->pos >= 3 && !memcmp(sc->s + sc->pos, "\xef\xbb\xbf", 3))
		return scan_fail(sc, sc->pos,
				 "the file starts with a byte order mark (U+FEFF); "
				 "save it as UTF-8 without BOM");
	rc = scan_value(sc, "a JSON value");
	if (rc)
		return rc;
	scan_ws(sc);
	if (sc->pos < sc->len)
		return scan_fail(sc, sc->pos, "unexpected text after the end of the JSON value");
	return 0;
}

/* Grammar walk, then cJSON. Returns the tree or NULL with *err_pos/msg set. */
static cJSON *parse_json(const char *bytes, size_t len, struct scan *sc, bool *nul_escape)
{
	const char *end = NULL;
	cJSON *root;

	if (scan_document(sc, bytes, len))
		return NULL;
	*nul_escape = sc->nul_escape;
	root = cJSON_ParseWithLengthOpts(bytes, len, &end, 0);
	if (!root) {
		sc->err_pos = end ? (size_t)(end - bytes) : 0;
		snprintf(sc->err, sizeof(sc->err), "the JSON parser could not read the text here");
	}
	return root;
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

int validate_policy(enum validate_kind kind, const char *label, const char *bytes, size_t len,
		    size_t budget, struct validate_result *res)
{
	const unsigned char *s = (const unsigned char *)bytes;
	struct scan sc;
	cJSON *root = NULL;
	bool nul_escape = false;
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
	root = parse_json(bytes, len, &sc, &nul_escape);
	if (!root) {
		if (sc.err_pos != SIZE_MAX)
			text_position(bytes, len, sc.err_pos, &line, &col);
		result_set(res, label, line, col, "%s", sc.err);
		return -EINVAL;
	}
	rc = check_shape(root, label, res);
	cJSON_Delete(root);
	if (rc)
		return rc;
	off = charset_first_bad(s, len, &bad);
	if (off < len) {
		text_position(bytes, len, off, &line, &col);
		result_set(res, label, line, col,
			   "character U+%04X is not allowed in IAM policies (only tab, LF, CR and "
			   "U+0020-U+00FF)",
			   (unsigned)bad);
		return -EINVAL;
	}
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
	struct scan sc;
	cJSON *ja = NULL, *jb = NULL;
	bool nul_a = false, nul_b = false;
	int rc = -EINVAL;

	if (alen > VALIDATE_MAX_BYTES || blen > VALIDATE_MAX_BYTES)
		goto out;
	if (utf8_first_invalid((const unsigned char *)a, alen) < alen ||
	    utf8_first_invalid((const unsigned char *)b, blen) < blen)
		goto out;
	ja = parse_json(a, alen, &sc, &nul_a);
	if (!ja)
		goto out;
	jb = parse_json(b, blen, &sc, &nul_b);
	if (!jb)
		goto out;
	/* cJSON cuts strings at \u0000: such documents are never called the same. */
	rc = !nul_a && !nul_b && same_node(ja, jb);
out:
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return rc;
}
