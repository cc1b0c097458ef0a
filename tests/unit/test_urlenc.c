/*
 * Unit tests for percent-encoding and Query parameters. Expected strings were
 * produced by Python's urllib.parse (quote_plus with safe="", quote with
 * safe="-_.~" and safe="/~", unquote_plus), the rules AWS and moto use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/params.h"
#include "aws/urlenc.h"
#include "check.h"

static const struct {
	const char *in;
	const char *form;     /* quote_plus(in, safe="") */
	const char *uri;      /* quote(in, safe="-_.~") */
	const char *uri_path; /* quote(in, safe="/~") */
} enc_cases[] = {
	{"", "", "", ""},
	{"abcXYZ019", "abcXYZ019", "abcXYZ019", "abcXYZ019"},
	{"_.~-", "_.~-", "_.~-", "_.~-"},
	{" ", "+", "%20", "%20"},
	{"a b", "a+b", "a%20b", "a%20b"},
	{"+", "%2B", "%2B", "%2B"},
	{"/", "%2F", "%2F", "/"},
	{"=", "%3D", "%3D", "%3D"},
	{"&", "%26", "%26", "%26"},
	{"%", "%25", "%25", "%25"},
	{"*", "%2A", "%2A", "%2A"},
	{"'", "%27", "%27", "%27"},
	{"()!", "%28%29%21", "%28%29%21", "%28%29%21"},
	{"\xc3\xa9", "%C3%A9", "%C3%A9", "%C3%A9"},
	{"\xc3\xbf", "%C3%BF", "%C3%BF", "%C3%BF"},
	{"\xe2\x82\xac", "%E2%82%AC", "%E2%82%AC", "%E2%82%AC"},
	{"\xf0\x9f\x98\x80", "%F0%9F%98%80", "%F0%9F%98%80", "%F0%9F%98%80"},
	{"\t\n\r", "%09%0A%0D", "%09%0A%0D", "%09%0A%0D"},
	{"\x7f", "%7F", "%7F", "%7F"},
	{"\x01", "%01", "%01", "%01"},
	{"\xff", "%FF", "%FF", "%FF"},
	{"a+b c/d=e&f~g%h", "a%2Bb+c%2Fd%3De%26f~g%25h", "a%2Bb%20c%2Fd%3De%26f~g%25h",
	 "a%2Bb%20c/d%3De%26f~g%25h"},
	{"{\"Version\": \"2012-10-17\"}", "%7B%22Version%22%3A+%222012-10-17%22%7D",
	 "%7B%22Version%22%3A%20%222012-10-17%22%7D", "%7B%22Version%22%3A%20%222012-10-17%22%7D"},
};

static void test_encoders(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const char *in = enc_cases[i].in;

		buf_init(&b, 0);
		CHECK_INT(urlenc_form(&b, in, strlen(in)), 0);
		CHECK_STR(b.data ? b.data : "", enc_cases[i].form);
		buf_reset(&b);
		CHECK_INT(urlenc_uri(&b, in, strlen(in), false), 0);
		CHECK_STR(b.data ? b.data : "", enc_cases[i].uri);
		buf_reset(&b);
		CHECK_INT(urlenc_uri(&b, in, strlen(in), true), 0);
		CHECK_STR(b.data ? b.data : "", enc_cases[i].uri_path);
		buf_cleanup(&b);
	}
}

/* Every byte value: kept exactly when it is in A-Za-z0-9_.~-, ' ' -> '+', else %XX. */
static void test_every_byte(void)
{
	static const char keep[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
	char want[4], in;
	struct buf b;
	int c, bad = 0;

	buf_init(&b, 0);
	for (c = 1; c < 256; c++) {
		in = (char)c;
		if (c == ' ')
			memcpy(want, "+", 2);
		else if (strchr(keep, c))
			memcpy(want, (char[]){in, 0}, 2);
		else
			snprintf(want, sizeof(want), "%%%02X", c);
		buf_reset(&b);
		if (urlenc_form(&b, &in, 1) || strcmp(b.data, want))
			bad++;
	}
	CHECK_INT(bad, 0);
	/* An embedded NUL is a byte like any other when the length says so. */
	buf_reset(&b);
	CHECK_INT(urlenc_form(&b, "a\0b", 3), 0);
	CHECK_STR(b.data, "a%00b");
	buf_cleanup(&b);
}

static void test_decode(void)
{
	static const struct {
		const char *in;
		int plus;
		const char *want;
	} cases[] = {
		{"a+b%2Bc", 1, "a b+c"},
		{"a+b%2Bc", 0, "a+b+c"},
		{"%zz%4", 1, "%zz%4"},
		{"%", 1, "%"},
		{"%C3%A9%41%4a%4A", 1,
		 "\xc3\xa9"
		 "AJJ"},
		{"%7B%22Version%22%3A+%222012-10-17%22%7D", 1, "{\"Version\": \"2012-10-17\"}"},
		{"", 1, ""},
		{"100%", 0, "100%"},
		{"%2", 0, "%2"},
		{"%%41", 0, "%A"},
	};
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 0);
		CHECK_INT(urlenc_decode(&b, cases[i].in, strlen(cases[i].in), cases[i].plus), 0);
		CHECK_STR(b.data ? b.data : "", cases[i].want);
		buf_cleanup(&b);
	}
	/* Round trip of every byte through the form encoder. */
	{
		char all[255], *enc;
		struct buf d;
		int c;

		for (c = 1; c < 256; c++)
			all[c - 1] = (char)c;
		buf_init(&b, 0);
		buf_init(&d, 0);
		CHECK_INT(urlenc_form(&b, all, sizeof(all)), 0);
		enc = b.data;
		CHECK_INT(urlenc_decode(&d, enc, b.len, true), 0);
		CHECK_INT(d.len, sizeof(all));
		CHECK(d.len == sizeof(all) && !memcmp(d.data, all, sizeof(all)));
		buf_cleanup(&b);
		buf_cleanup(&d);
	}
}

/* An append that would pass the cap fails whole and leaves the buffer as it was. */
static void test_caps(void)
{
	struct buf b;

	buf_init(&b, 8);
	CHECK_INT(urlenc_form(&b, "ab", 2), 0);
	CHECK_INT(urlenc_form(&b, "   / ", 5), -EFBIG);
	CHECK_STR(b.data, "ab");
	CHECK_INT(urlenc_form(&b, "/ ", 2), 0);
	CHECK_STR(b.data, "ab%2F+");
	CHECK_INT(urlenc_uri(&b, "/", 1, false), -EFBIG);
	CHECK_INT(urlenc_uri(&b, "/", 1, true), 0);
	CHECK_STR(b.data, "ab%2F+/");
	CHECK_INT(urlenc_decode(&b, "%41%42", 6, false), -EFBIG);
	CHECK_STR(b.data, "ab%2F+/");
	buf_cleanup(&b);
}

static void test_params(void)
{
	struct aws_params p;
	struct buf b;
	int rc;

	aws_params_init(&p);
	buf_init(&b, 0);
	CHECK_INT(aws_params_add(&p, "Action", "PutRolePolicy"), 0);
	CHECK_INT(aws_params_add(&p, "Version", "2010-05-08"), 0);
	CHECK_INT(aws_params_addf(&p, "MaxItems", "%d", 1000), 0);
	CHECK_INT(aws_params_add(&p, "PolicyDocument", "{\"a\": \"b c+d\"}"), 0);
	CHECK_INT(aws_params_add(&p, "Empty", ""), 0);
	CHECK_INT(aws_params_add(&p, "Na me", "\xc3\xa9"), 0);
	CHECK_INT(aws_params_add(&p, "", "x"), -EINVAL);
	CHECK_INT(aws_params_add(&p, "X", NULL), -EINVAL);
	CHECK_INT(p.n, 6);
	CHECK_STR(aws_params_get(&p, "MaxItems"), "1000");
	CHECK_STR(aws_params_get(&p, "Empty"), "");
	CHECK(aws_params_get(&p, "Missing") == NULL);
	CHECK_INT(aws_params_encode(&p, &b), 0);
	CHECK_STR(b.data, "Action=PutRolePolicy&Version=2010-05-08&MaxItems=1000&PolicyDocument="
			  "%7B%22a%22%3A+%22b+c%2Bd%22%7D&Empty=&Na+me=%C3%A9");
	buf_cleanup(&b);
	/* A body that does not fit its buffer leaves the buffer as it was. */
	buf_init(&b, 20);
	CHECK_INT(buf_puts(&b, "keep"), 0);
	rc = aws_params_encode(&p, &b);
	CHECK_INT(rc, -EFBIG);
	CHECK_STR(b.data, "keep");
	buf_cleanup(&b);
	aws_params_cleanup(&p);
	CHECK(p.n == 0 && p.v == NULL);
	aws_params_cleanup(NULL);
	/* Many parameters grow the array; the first duplicate wins in get. */
	aws_params_init(&p);
	for (rc = 0; rc < 100; rc++)
		CHECK_INT(aws_params_addf(&p, rc % 2 ? "Odd" : "Even", "%d", rc), 0);
	CHECK_INT(p.n, 100);
	CHECK_STR(aws_params_get(&p, "Odd"), "1");
	aws_params_cleanup(&p);
	/* No parameters: an empty body. */
	buf_init(&b, 0);
	CHECK_INT(aws_params_encode(&p, &b), 0);
	CHECK_INT(b.len, 0);
	buf_cleanup(&b);
}

int main(void)
{
	test_encoders();
	test_every_byte();
	test_decode();
	test_caps();
	test_params();
	return check_done("test_urlenc");
}
