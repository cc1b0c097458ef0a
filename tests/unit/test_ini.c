/* Unit tests for the shared config/credentials file parser (aws/ini.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ini.h"
#include "check.h"

static const char sample[] = "\xef\xbb\xbf# a comment\n"
			     "; another comment\n"
			     "[default]\n"
			     "aws_access_key_id = AKIDDEFAULT\n"
			     "AWS_Secret_Access_Key=secret with spaces  \n"
			     "\n"
			     "[ profile   dev ]\n"
			     "region: eu-west-1\n"
			     "role_arn = arn:aws:iam::123456789012:role/x # not a comment\n"
			     "s3 =\n"
			     "    max_concurrent_requests = 10\n"
			     "    addressing_style = path\n"
			     "[Dev]\n"
			     "region = us-west-2\n"
			     "[empty]  \r\n"
			     "[profile default]\r\n"
			     "region = ap-south-1\r\n"
			     "region = ap-south-2\r\n";

static void test_lookup(void)
{
	static const struct {
		const char *section, *key, *want;
	} cases[] = {
		{"default", "aws_access_key_id", "AKIDDEFAULT"},
		{"default", "AWS_ACCESS_KEY_ID", "AKIDDEFAULT"},
		{"default", "aws_secret_access_key", "secret with spaces"},
		{"profile   dev", "region", "eu-west-1"},
		{"profile   dev", "role_arn", "arn:aws:iam::123456789012:role/x # not a comment"},
		{"profile   dev", "s3", "\nmax_concurrent_requests = 10\naddressing_style = path"},
		{"profile   dev", "max_concurrent_requests", NULL},
		{"Dev", "region", "us-west-2"},
		{"dev", "region", NULL},
		{"profile default", "region", "ap-south-2"},
		{"default", "region", NULL},
		{"nope", "region", NULL},
	};
	struct ini_file f;
	size_t i;
	int line = 0;

	ini_init(&f);
	CHECK_INT(ini_parse(&f, sample, sizeof(sample) - 1, &line), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ini_get(&f, cases[i].section, cases[i].key);

		if (cases[i].want)
			CHECK_STR(got, cases[i].want);
		else
			CHECK(got == NULL);
	}
	CHECK(ini_has_section(&f, "empty"));
	CHECK(!ini_has_section(&f, "profile dev"));
	CHECK_STR(ini_config_section(&f, "dev"), "profile   dev");
	CHECK_STR(ini_config_section(&f, "default"), "profile default");
	CHECK(ini_config_section(&f, "Dev") == NULL);
	CHECK(ini_config_section(&f, "empty") == NULL);
	ini_cleanup(&f);
	ini_cleanup(NULL);
}

static void test_default_sections(void)
{
	static const char text[] = "[default]\nregion = r1\n[profilex]\nregion = r2\n";
	struct ini_file f;

	ini_init(&f);
	CHECK_INT(ini_parse(&f, text, strlen(text), NULL), 0);
	CHECK_STR(ini_config_section(&f, "default"), "default");
	CHECK(ini_config_section(&f, "x") == NULL);
	ini_cleanup(&f);
}

static void test_errors(void)
{
	static const struct {
		const char *text;
		int rc, line;
	} cases[] = {
		{"key = before any section\n", -EINVAL, 1},
		{"[ok]\n\njust words\n", -EINVAL, 3},
		{"[ok]\n[unclosed\n", -EINVAL, 2},
		{"[ok]\n = no key\n", -EINVAL, 2}, /* indented after a header: a key line */
		{"[ok]\n=v\n", -EINVAL, 2},
		{"", 0, 0},
		{"[ok]\nk=v", 0, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ini_file f;
		int line = 0, rc;

		ini_init(&f);
		rc = ini_parse(&f, cases[i].text, strlen(cases[i].text), &line);
		CHECK_INT(rc, cases[i].rc);
		CHECK_INT(line, cases[i].line);
		ini_cleanup(&f);
	}
}

/* A NUL byte cannot be part of a C string key, value or section name: the line
 * holding it is refused (found by fuzz_ini: a key "k\0x" overflowed its copy). */
static void test_nul_bytes(void)
{
	static const struct {
		const char *text;
		size_t len;
		int line;
	} cases[] = {
		{"[s]\nk\0x = 1\n", 12, 2},	 {"[s]\nthis line\0\0ke\xbf = ]\n", 23, 2},
		{"[s\0t]\nk = 1\n", 12, 1},	 {"[s]\nk = v\0w\n", 12, 2},
		{"[s]\nk = v\n  a\0b\n", 16, 3},
	};
	static const char comment[] = "[s]\n# a comment may hold \0\nk = v\n";
	struct ini_file f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = 0;

		ini_init(&f);
		CHECK_INT(ini_parse(&f, cases[i].text, cases[i].len, &line), -EINVAL);
		CHECK_INT(line, cases[i].line);
		ini_cleanup(&f);
	}
	ini_init(&f);
	CHECK_INT(ini_parse(&f, comment, sizeof(comment) - 1, NULL), 0);
	CHECK_STR(ini_get(&f, "s", "k"), "v");
	ini_cleanup(&f);
}

static void test_too_big(void)
{
	struct ini_file f;
	char *big = calloc(1, INI_MAX_BYTES + 2);

	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, '#', INI_MAX_BYTES + 1);
	ini_init(&f);
	CHECK_INT(ini_parse(&f, big, INI_MAX_BYTES + 1, NULL), -EFBIG);
	ini_cleanup(&f);
	free(big);
}

int main(void)
{
	test_lookup();
	test_default_sections();
	test_errors();
	test_nul_bytes();
	test_too_big();
	return check_done("ini");
}
