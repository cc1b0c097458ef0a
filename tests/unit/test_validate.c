/* Unit tests for policy validation (exact messages, line and column, limits) and
 * for the same-JSON-value test. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/validate.h"
#include "check.h"

#define OK_DOC "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}"

struct vcase {
	const char *text;
	int want_rc;
	const char *want_msg;
	int line, column;
};

static void run_cases(const struct vcase *cases, size_t n)
{
	struct validate_result res;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = validate_policy(VALIDATE_TRUST, "trust.json", cases[i].text,
				     strlen(cases[i].text), VALIDATE_DEFAULT_BUDGET, &res);
		if (rc != cases[i].want_rc)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].text);
		CHECK_INT(rc, cases[i].want_rc);
		CHECK_STR(res.message, cases[i].want_msg);
		CHECK_INT(res.line, cases[i].line);
		CHECK_INT(res.column, cases[i].column);
	}
}

static void test_json_errors(void)
{
	static const struct vcase cases[] = {
		{OK_DOC, 0, "", 0, 0},
		{"{\n  \"Version\": \"2012-10-17\"\n  \"Statement\": {}\n}", -EINVAL,
		 "trust.json: line 3, column 3: the text is not valid JSON here: found '\"' (is a "
		 "comma missing before it?)",
		 3, 3},
		{"{\"Statement\": {\"Effect\": \"Allow\",}}", -EINVAL,
		 "trust.json: line 1, column 34: the text is not valid JSON here: found a comma "
		 "before '}' (trailing commas are not allowed in JSON)",
		 1, 34},
		{"{\"Statement\": [{}, ]}", -EINVAL,
		 "trust.json: line 1, column 20: the text is not valid JSON here: found a comma "
		 "before ']' (trailing commas are not allowed in JSON)",
		 1, 20},
		{"{\"Statement\": {\"Effect\": \"Allow\"},\n}\n", -EINVAL,
		 "trust.json: line 2, column 1: the text is not valid JSON here: found a comma "
		 "before '}' (trailing commas are not allowed in JSON)",
		 2, 1},
		{"{\"Statement\": {}, }", -EINVAL,
		 "trust.json: line 1, column 19: the text is not valid JSON here: found a comma "
		 "before '}' (trailing commas are not allowed in JSON)",
		 1, 19},
		{"{\"Statement\" {}}", -EINVAL,
		 "trust.json: line 1, column 14: the text is not valid JSON here: found '{' (is a "
		 "':' or a comma missing before it?)",
		 1, 14},
		{"{'Statement': {}}", -EINVAL,
		 "trust.json: line 1, column 2: the text is not valid JSON here: found ''' (JSON "
		 "strings need straight double quotes)",
		 1, 2},
		{"{\"Statement\": {\"Effect\": \"Allow\", 'Action': \"x\"}}", -EINVAL,
		 "trust.json: line 1, column 35: the text is not valid JSON here: found ''' (JSON "
		 "strings need straight double quotes)",
		 1, 35},
		{"{\"Statement\": {\"Effect\": \"Allow\", \"Action\": 'x'}}", -EINVAL,
		 "trust.json: line 1, column 45: the text is not valid JSON here: found ''' (JSON "
		 "strings need straight double quotes)",
		 1, 45},
		{"{\"Statement\": {\"E\": \xe2\x80\x9c"
		 "Allow\xe2\x80\x9d}}",
		 -EINVAL,
		 "trust.json: line 1, column 21: the text is not valid JSON here: found U+201C "
		 "(JSON strings need straight double quotes)",
		 1, 21},
		{"{\"Statement\": {\"Effect\": \"Allow\", \xe2\x80\x9c"
		 "Action\xe2\x80\x9d: \"x\"}}",
		 -EINVAL,
		 "trust.json: line 1, column 35: the text is not valid JSON here: found U+201C "
		 "(JSON strings need straight double quotes)",
		 1, 35},
		{"{Statement: {}}", -EINVAL,
		 "trust.json: line 1, column 2: the text is not valid JSON here: found 'S' "
		 "(strings need double quotes; the only bare words are true, false and null)",
		 1, 2},
		{"{\"Statement\": {\"E\": True}}", -EINVAL,
		 "trust.json: line 1, column 21: the text is not valid JSON here: found 'T' "
		 "(strings need double quotes; the only bare words are true, false and null)",
		 1, 21},
		{"{\"Statement\": }", -EINVAL,
		 "trust.json: line 1, column 15: the text is not valid JSON here: found '}' (a "
		 "value must follow ':')",
		 1, 15},
		{"{\"Statement\": [1 2]}", -EINVAL,
		 "trust.json: line 1, column 18: the text is not valid JSON here: found '2' (is a "
		 "comma missing before it?)",
		 1, 18},
		{"{\"Statement\": [{},{}x]}", -EINVAL,
		 "trust.json: line 1, column 21: the text is not valid JSON here: found 'x' (is a "
		 "comma missing before it?)",
		 1, 21},
		/* cJSON points one past a member name that is a number. */
		{"{\"Statement\": {}, 5}", -EINVAL,
		 "trust.json: line 1, column 20: the text is not valid JSON here: found '}'", 1,
		 20},
		/* Truncated files, with and without a final newline. */
		{"{\"Statement\": [", -EINVAL,
		 "trust.json: line 1, column 16: the file ends before the JSON value is complete",
		 1, 16},
		{"{\"Statement\": {}\n", -EINVAL,
		 "trust.json: line 2, column 1: the file ends before the JSON value is complete", 2,
		 1},
		{"{\"Statement\": {}", -EINVAL,
		 "trust.json: line 1, column 17: the file ends before the JSON value is complete",
		 1, 17},
		{"{\"Statement\": {\"Effect\": \"Allow\"", -EINVAL,
		 "trust.json: line 1, column 33: the file ends before the JSON value is complete",
		 1, 33},
		{"{\"Statement\": {\"Effect\": tr", -EINVAL,
		 "trust.json: line 1, column 26: the text is not valid JSON here: found 't' "
		 "(strings need double quotes; the only bare words are true, false and null)",
		 1, 26},
		{"{\"Statement\": {}}}", -EINVAL,
		 "trust.json: line 1, column 18: unexpected text after the end of the JSON value",
		 1, 18},
		{"{\"Statement\": {}}\n x", -EINVAL,
		 "trust.json: line 2, column 2: unexpected text after the end of the JSON value", 2,
		 2},
		{"{\"Statement\": {}} \n\t\r\n", 0, "", 0, 0},
		{"", -EINVAL, "trust.json: the file is empty", 0, 0},
		{" \n\t", -EINVAL, "trust.json: the file is empty", 0, 0},
		/* cJSON points just after the opening quote of a string never closed. */
		{"{\"Statement\": {\"Effect\": \"Allow}}\n", -EINVAL,
		 "trust.json: line 1, column 27: the text is not valid JSON here: found 'A' (is a "
		 "string not closed?)",
		 1, 27},
		{"{\"Statement\": {\"Effect\": \"Allo", -EINVAL,
		 "trust.json: line 1, column 27: the text is not valid JSON here: found 'A' (is a "
		 "string not closed?)",
		 1, 27},
		{"{\"Statement\": {\"Effect\": \"A\\qllow\"}}", -EINVAL,
		 "trust.json: line 1, column 28: the text is not valid JSON here: found '\\q' "
		 "(JSON "
		 "escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u)",
		 1, 28},
		{"{\"Statement\": {\"E\": \"\\uD800x\"}}", -EINVAL,
		 "trust.json: line 1, column 22: the text is not valid JSON here: found '\\u' (a "
		 "'\\u' escape of a surrogate needs its pair)",
		 1, 22},
		{"{\"Statement\": {\"E\": \"\\uDC00\"}}", -EINVAL,
		 "trust.json: line 1, column 22: the text is not valid JSON here: found '\\u' (a "
		 "'\\u' escape of a surrogate needs its pair)",
		 1, 22},
		{"{\"Statement\": {\"E\": -}}", -EINVAL,
		 "trust.json: line 1, column 21: the text is not valid JSON here: found '-'", 1,
		 21},
		{"{\"Statement\": {\"E\": 1e+}}", -EINVAL,
		 "trust.json: line 1, column 22: the text is not valid JSON here: found 'e'", 1,
		 22},
		/* What JSON forbids but cJSON accepts is left to IAM (MalformedPolicyDocument). */
		{"{\"Statement\": {\"E\": 012}}", 0, "", 0, 0},
		{"{\"Statement\": {\"E\": 1.}}", 0, "", 0, 0},
		{"{\"Statement\": {\"E\": \"\\u12G4\"}}", 0, "", 0, 0},
		/* ...except raw control characters, which the character check refuses. */
		{"{\"Statement\": {\"Effect\": \"Al\tlow\"}}", 0, "", 0, 0},
		{"{\"Statement\": {\"Effect\": \"Al\x01low\"}}", -EINVAL,
		 "trust.json: line 1, column 29: character U+0001 is not allowed in IAM policies "
		 "(only tab, LF, CR and U+0020-U+00FF)",
		 1, 29},
		/* ...and escapes that stand for them: a U+0000 would not come back from IAM. */
		{"{\"Statement\": {\"Effect\": \"nul\\u0000x\"}}", -EINVAL,
		 "trust.json: line 1, column 30: the escape \\u0000 stands for a control "
		 "character, which IAM policies may not hold (only tab, LF and CR)",
		 1, 30},
		{"{\"Statement\": {\"E\": \"\\u001F\"}}", -EINVAL,
		 "trust.json: line 1, column 22: the escape \\u001F stands for a control "
		 "character, which IAM policies may not hold (only tab, LF and CR)",
		 1, 22},
		{"{\"Statement\": {\"E\": \"a\\tb\\u0009\\u000a\\u000D\\u0020\\u00e9\"}}", 0, "", 0,
		 0},
		/* An escaped backslash before u0000 is text, not an escape. */
		{"{\"Statement\": {\"E\": \"\\\\u0000\"}}", 0, "", 0, 0},
		{"{\"Statement\": {}, \"\\u0000\": 1}", -EINVAL,
		 "trust.json: line 1, column 20: the escape \\u0000 stands for a control "
		 "character, which IAM policies may not hold (only tab, LF and CR)",
		 1, 20},
		{"{\"Statement\": {}\x01}", -EINVAL,
		 "trust.json: line 1, column 17: character U+0001 is not allowed in IAM policies "
		 "(only tab, LF, CR and U+0020-U+00FF)",
		 1, 17},
		/* Columns count characters: the e-acute before the error is one column. */
		{"{\"S\xc3\xa9\": 1,\n \"x\" 2}", -EINVAL,
		 "trust.json: line 2, column 6: the text is not valid JSON here: found '2' (is a "
		 "':' or a comma missing before it?)",
		 2, 6},
		{"\xef\xbb\xbf{\"Statement\": {}}", -EINVAL,
		 "trust.json: line 1, column 1: the file starts with a byte order mark (U+FEFF); "
		 "save it as UTF-8 without BOM",
		 1, 1},
		{"  \xef\xbb\xbf{\"Statement\": {}}", -EINVAL,
		 "trust.json: line 1, column 3: the file starts with a byte order mark (U+FEFF); "
		 "save it as UTF-8 without BOM",
		 1, 3},
		{"{\"Statement\": {}, \"n\": "
		 "1234567890123456789012345678901234567890123456789012345678901234}",
		 0, "", 0, 0},
		/* Valid JSON with a raw, non-IAM character: refused by the charset check. */
		{"{\"Statement\": {}, \"Sid\": \"it\xe2\x80\x99s\"}", -EINVAL,
		 "trust.json: line 1, column 29: character U+2019 is not allowed in IAM policies "
		 "(only tab, LF, CR and U+0020-U+00FF)",
		 1, 29},
		{"{\"Statement\": {},\n\n  \"Sid\": \"\xf0\x9f\x98\x80\"}", -EINVAL,
		 "trust.json: line 3, column 11: character U+1F600 is not allowed in IAM policies "
		 "(only tab, LF, CR and U+0020-U+00FF)",
		 3, 11},
		/* Latin-1 is fine, and so is an escaped character outside it. */
		{"{\"Statement\": {\"Sid\": \"caf\xc3\xa9 \xc3\xbf \xc2\xa0\"}}", 0, "", 0, 0},
		{"{\"Statement\": {\"Sid\": \"\\u2019\"}}", 0, "", 0, 0},
		/* Not UTF-8: Latin-1 bytes saved raw, an overlong form, a surrogate. */
		{"{\n\"Sid\": \"caf\xe9\"}", -EINVAL,
		 "trust.json: line 2, column 12: byte 0xE9 is not valid UTF-8 (save the file as "
		 "UTF-8)",
		 2, 12},
		{"{\"a\": \"\xc0\xaf\"}", -EINVAL,
		 "trust.json: line 1, column 8: byte 0xC0 is not valid UTF-8 (save the file as "
		 "UTF-8)",
		 1, 8},
		{"{\"a\": \"\xed\xa0\x80\"}", -EINVAL,
		 "trust.json: line 1, column 8: byte 0xED is not valid UTF-8 (save the file as "
		 "UTF-8)",
		 1, 8},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_shape_errors(void)
{
	static const struct vcase cases[] = {
		{"[]", -EINVAL,
		 "trust.json: the policy must be a JSON object ({ ... }), not an array", 0, 0},
		{"\"x\"", -EINVAL,
		 "trust.json: the policy must be a JSON object ({ ... }), not a string", 0, 0},
		{"{\"Version\": \"2012-10-17\"}", -EINVAL,
		 "trust.json: the policy has no \"Statement\"", 0, 0},
		{"{\"statement\": {}}", -EINVAL, "trust.json: the policy has no \"Statement\"", 0,
		 0},
		{"{\"Statement\": \"Allow\"}", -EINVAL,
		 "trust.json: \"Statement\" must be an object or an array of objects, not a string",
		 0, 0},
		{"{\"Statement\": null}", -EINVAL,
		 "trust.json: \"Statement\" must be an object or an array of objects, not null", 0,
		 0},
		{"{\"Statement\": []}", -EINVAL,
		 "trust.json: \"Statement\" is an empty array; a policy needs at least one "
		 "statement",
		 0, 0},
		{"{\"Statement\": [{}, {}, 7]}", -EINVAL,
		 "trust.json: statement 3 in \"Statement\" is a number; each statement must be an "
		 "object",
		 0, 0},
		{"{\"Statement\": {}}", 0, "", 0, 0},
		{"{\"Statement\": [{}, {}]}", 0, "", 0, 0},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Builds {"Statement":{"Sid":"xxx..."}} padded with whitespace so that its
 * counted size is exactly n (n >= 27). The caller frees. */
static char *doc_of_size(size_t n, size_t *len)
{
	static const char head[] = "{\n    \"Statement\": {\"Sid\": \"";
	static const char tail[] = "\"}\n}\n";
	size_t fixed = strlen("{\"Statement\":{\"Sid\":\"\"}}");
	size_t pad = n - fixed, hl = strlen(head), tl = strlen(tail);
	char *d = malloc(hl + pad + tl + 1);

	memcpy(d, head, hl);
	memset(d + hl, 'x', pad);
	memcpy(d + hl + pad, tail, tl + 1);
	*len = hl + pad + tl;
	return d;
}

static void test_limits(void)
{
	static const struct {
		enum validate_kind kind;
		size_t size, budget;
		int want_rc;
		const char *want_msg;
	} cases[] = {
		{VALIDATE_TRUST, 2048, VALIDATE_DEFAULT_BUDGET, 0, ""},
		{VALIDATE_TRUST, 2049, VALIDATE_DEFAULT_BUDGET, -EFBIG,
		 "p: 2,049 characters without whitespace, over IAM's 2,048 limit for trust "
		 "policies"},
		{VALIDATE_TRUST, 2391, VALIDATE_DEFAULT_BUDGET, -EFBIG,
		 "p: 2,391 characters without whitespace, over IAM's 2,048 limit for trust "
		 "policies"},
		{VALIDATE_TRUST, 4096, 4096, 0, ""},
		{VALIDATE_TRUST, 4097, 4096, -EFBIG,
		 "p: 4,097 characters without whitespace, over IAM's 4,096 limit for trust "
		 "policies"},
		{VALIDATE_MANAGED, 6144, VALIDATE_DEFAULT_BUDGET, 0, ""},
		{VALIDATE_MANAGED, 6145, VALIDATE_DEFAULT_BUDGET, -EFBIG,
		 "p: 6,145 characters without whitespace, over IAM's 6,144 limit for managed "
		 "policies"},
		{VALIDATE_INLINE, 10240, VALIDATE_DEFAULT_BUDGET, 0, ""},
		{VALIDATE_INLINE, 10241, VALIDATE_DEFAULT_BUDGET, -EFBIG,
		 "p: 10,241 characters without whitespace, over IAM's 10,240 limit for a role's "
		 "inline policies together"},
		{VALIDATE_INLINE, 7240, 7240, 0, ""},
		{VALIDATE_INLINE, 7241, 7240, -EFBIG,
		 "p: 7,241 characters without whitespace, over the 7,240 left of IAM's 10,240 "
		 "limit for a role's inline policies together"},
		{VALIDATE_INLINE, 30, 0, -EFBIG,
		 "p: 30 characters without whitespace, over the 0 left of IAM's 10,240 limit for "
		 "a role's inline policies together"},
	};
	struct validate_result res;
	size_t i, len;
	char *d;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = doc_of_size(cases[i].size, &len);
		CHECK_INT(validate_count_size(d, len), cases[i].size);
		rc = validate_policy(cases[i].kind, "p", d, len, cases[i].budget, &res);
		CHECK_INT(rc, cases[i].want_rc);
		CHECK_STR(res.message, cases[i].want_msg);
		CHECK_INT(res.size, cases[i].size);
		free(d);
	}
	CHECK_INT(validate_limit(VALIDATE_TRUST), 2048);
	CHECK_INT(validate_limit(VALIDATE_INLINE), 10240);
	CHECK_INT(validate_limit(VALIDATE_MANAGED), 6144);
}

static void test_count_size(void)
{
	static const struct {
		const char *text;
		size_t want;
	} cases[] = {
		{"", 0},
		{" \t\r\n", 0},
		{"{ \"a b\" : 1 }", 8},	 /* whitespace inside strings is not counted */
		{"\xc3\xa9\xc3\xbf", 2}, /* characters, not bytes */
		{"\xf0\x9f\x98\x80", 1},
		{"a\xe9z", 3},	 /* a stray byte counts one */
		{"\xc2\xa0", 1}, /* no-break space is not whitespace to IAM */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(validate_count_size(cases[i].text, strlen(cases[i].text)), cases[i].want);
}

static void test_no_label_and_huge(void)
{
	struct validate_result res;
	size_t len = VALIDATE_MAX_BYTES + 1;
	char *big = malloc(len);

	CHECK_INT(validate_policy(VALIDATE_MANAGED, NULL, "{\"Statement\" 1}", 15,
				  VALIDATE_DEFAULT_BUDGET, &res),
		  -EINVAL);
	CHECK_STR(res.message,
		  "line 1, column 14: the text is not valid JSON here: found '1' (is a "
		  "':' or a comma missing before it?)");
	CHECK_INT(
		validate_policy((enum validate_kind)9, "x", "{}", 2, VALIDATE_DEFAULT_BUDGET, &res),
		-EINVAL);
	CHECK_STR(res.message, "x: unknown kind of policy");
	memset(big, ' ', len);
	CHECK_INT(validate_policy(VALIDATE_MANAGED, "m.json", big, len, VALIDATE_DEFAULT_BUDGET,
				  &res),
		  -EFBIG);
	CHECK_STR(res.message,
		  "m.json: the file is 1,048,577 bytes, far over any IAM policy limit");
	free(big);
}

/* cJSON nests up to 1000 deep: 1000 arrays are JSON (and not a policy), 1001 are not. */
static void test_deep_nesting(void)
{
	static const struct {
		size_t n;
		const char *want_msg;
	} cases[] = {
		{1000, "t: the policy must be a JSON object ({ ... }), not an array"},
		{1001,
		 "t: line 1, column 1001: the text is not valid JSON here: found '[' (objects "
		 "and arrays can be nested at most 1000 deep)"},
	};
	struct validate_result res;
	size_t n, i, k, len;
	char *d;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		n = cases[k].n;
		len = 2 * n + 2;
		d = malloc(len + 1);
		for (i = 0; i < n; i++) {
			d[i] = '[';
			d[len - 1 - i] = ']';
		}
		d[n] = '1';
		d[n + 1] = ' ';
		d[len] = '\0';
		CHECK_INT(
			validate_policy(VALIDATE_TRUST, "t", d, len, VALIDATE_DEFAULT_BUDGET, &res),
			-EINVAL);
		CHECK_STR(res.message, cases[k].want_msg);
		free(d);
	}
}

static void test_same_value(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"{\"a\":1,\"b\":[1,2]}", "{ \"b\" : [ 1 , 2 ] ,\n \"a\" : 1 }\n", 1},
		{"{\"a\":1}", "{\"a\":1.0}", 1},
		{"{\"a\":1}", "{\"a\":1e0}", 1},
		{"{\"a\":100}", "{\"a\":1E2}", 1},
		{"{\"a\":-0}", "{\"a\":0}", 1},
		{"{\"a\":1}", "{\"a\":\"1\"}", 0},
		{"{\"a\":1}", "{\"a\":2}", 0},
		{"{\"b\":[1,2]}", "{\"b\":[2,1]}", 0},
		{"{\"b\":[1,2]}", "{\"b\":[1,2,3]}", 0},
		{"{\"a\":1}", "{\"a\":1,\"b\":1}", 0},
		{"{\"a\":1}", "{\"A\":1}", 0},
		{"{\"s\":\"x\"}", "{\"s\":\"\\u0078\"}", 1},
		{"{\"s\":\"\xc3\xa9\"}", "{\"s\":\"\\u00e9\"}", 1},
		{"{\"s\":\"x \"}", "{\"s\":\"x\"}", 0},
		{"{\"s\":true}", "{\"s\":false}", 0},
		{"{\"s\":null}", "{\"s\":false}", 0},
		{"{\"s\":null}", "{\"s\":null}", 1},
		{"{\"a\":{\"x\":[{\"y\":1,\"z\":2}]}}", "{\"a\":{\"x\":[{\"z\":2,\"y\":1.00}]}}",
		 1},
		{"{\"a\":1,\"a\":1}", "{\"a\":1,\"b\":1}", 0},
		{"{\"a\":9007199254740993}", "{\"a\":9007199254740992}", 0},
		{"{\"s\":\"a\\u0000b\"}", "{\"s\":\"a\\u0000c\"}", 0},
		{"[1]", "[1.0]", 1},
		{"{\"a\":1", "{\"a\":1}", -EINVAL},
		/* cJSON reads a leading zero; IAM refuses it when it is sent. */
		{"{\"a\":1}", "{\"a\":01}", 1},
		{"{\"a\":1}", "{\"a\":1}}", -EINVAL},
		{"{\"s\":\"a\\u0000b\"}", "{\"s\":\"a\\u0000b\"}", 0},
		{"{\"a\":1}", "", -EINVAL},
		{"{\"a\":\"\xe9\"}", "{\"a\":\"\xe9\"}", -EINVAL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = validate_same_value(cases[i].a, strlen(cases[i].a), cases[i].b,
					      strlen(cases[i].b));
		if (got != cases[i].want)
			fprintf(stderr, "same-value case %zu\n", i);
		CHECK_INT(got, cases[i].want);
		/* Symmetric. */
		CHECK_INT(validate_same_value(cases[i].b, strlen(cases[i].b), cases[i].a,
					      strlen(cases[i].a)),
			  cases[i].want);
	}
}

int main(void)
{
	test_json_errors();
	test_shape_errors();
	test_limits();
	test_count_size();
	test_no_label_and_huge();
	test_deep_nesting();
	test_same_value();
	return check_done("validate");
}
