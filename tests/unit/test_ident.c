/*
 * Unit tests of cache/ident.c: IAM's rules for account ids, role and policy
 * names and paths; the names a legal role cannot take in the tree; and the
 * one-line escape of network text.
 */
#include <string.h>

#include "cache/ident.h"
#include "check.h"

static void test_account(void)
{
	CHECK(ident_account_ok("123456789012"));
	CHECK(!ident_account_ok("12345678901"));
	CHECK(!ident_account_ok("1234567890123"));
	CHECK(!ident_account_ok("../../../etc"));
	CHECK(!ident_account_ok("12345678901\n"));
	CHECK(!ident_account_ok("12345678901a"));
	CHECK(!ident_account_ok(""));
	CHECK(!ident_account_ok(NULL));
}

static void test_names(void)
{
	char n64[65], n65[66], n129[130];

	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	memset(n129, 'b', 129);
	n129[129] = '\0';
	CHECK(ident_role_name_ok("states-lambda-role"));
	CHECK(ident_role_name_ok("A_b+c=d,e.f@g-1"));
	CHECK(ident_role_name_ok(n64));
	CHECK(!ident_role_name_ok(n65));
	CHECK(ident_policy_name_ok(n65));
	n129[128] = '\0';
	CHECK(ident_policy_name_ok(n129));
	n129[128] = 'b';
	CHECK(!ident_policy_name_ok(n129));
	CHECK(!ident_role_name_ok(""));
	CHECK(!ident_role_name_ok("a/b"));
	CHECK(!ident_role_name_ok("../x"));
	CHECK(!ident_role_name_ok("a\nb"));
	CHECK(!ident_role_name_ok("caf\xc3\xa9"));
	CHECK(!ident_role_name_ok("a b"));
	CHECK(!ident_policy_name_ok("x/../../y"));
	CHECK(!ident_policy_name_ok(NULL));
}

static void test_paths(void)
{
	char p[600];

	CHECK(ident_path_ok("/"));
	CHECK(ident_path_ok("/service/app/"));
	CHECK(ident_path_ok("/a!~b/"));
	CHECK(!ident_path_ok(""));
	CHECK(!ident_path_ok("service/"));
	CHECK(!ident_path_ok("/service"));
	CHECK(!ident_path_ok("/a b/"));
	CHECK(!ident_path_ok("/a\n/"));
	CHECK(!ident_path_ok("/caf\xc3\xa9/"));
	memset(p, 'x', sizeof(p));
	p[0] = '/';
	p[511] = '/';
	p[512] = '\0';
	CHECK(ident_path_ok(p));
	p[512] = '/';
	p[511] = 'x';
	p[513] = '\0';
	CHECK(!ident_path_ok(p));
}

static void test_problems(void)
{
	CHECK(ident_role_problem("ok", "/") == NULL);
	CHECK(ident_role_problem("ok", NULL) == NULL);
	CHECK_STR(ident_role_problem(".iamfs", "/"), "collides with the control folder .iamfs");
	CHECK_STR(ident_role_problem(".", "/"), "cannot be a folder name");
	CHECK_STR(ident_role_problem("..", "/"), "cannot be a folder name");
	CHECK_STR(ident_role_problem("a\nb", "/"), "is not a valid IAM role name");
	CHECK_STR(ident_role_problem(NULL, "/"), "is not a valid IAM role name");
	CHECK(ident_role_problem("ok", "/../") == NULL); /* legal, and never a file path */
	CHECK_STR(ident_role_problem("ok", "no-slash"), "has a path that is not a valid IAM path");
	CHECK(ident_policy_problem(".") == NULL);
	CHECK(ident_policy_problem("x.json") == NULL);
	CHECK_STR(ident_policy_problem("a/b"), "is not a valid IAM policy name");
}

static void test_escape(void)
{
	char out[32], tiny[6];

	CHECK_STR(ident_escape("plain", out, sizeof(out)), "plain");
	CHECK_STR(ident_escape("a\nstate: x", out, sizeof(out)), "a\\nstate: x");
	CHECK_STR(ident_escape("t\tr\rb\\e\x1b\x7f", out, sizeof(out)), "t\\tr\\rb\\\\e\\x1b\\x7f");
	CHECK_STR(ident_escape("caf\xc3\xa9", out, sizeof(out)), "caf\xc3\xa9");
	CHECK_STR(ident_escape(NULL, out, sizeof(out)), "");
	/* Cut whole escapes only. */
	CHECK_STR(ident_escape("abc\x01", tiny, sizeof(tiny)), "abc");
	CHECK_STR(ident_escape("abcdefgh", tiny, sizeof(tiny)), "abcde");
	CHECK(strchr(ident_escape("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", out, sizeof(out)), '\n') ==
	      NULL);
}

int main(void)
{
	test_account();
	test_names();
	test_paths();
	test_problems();
	test_escape();
	return check_done("ident");
}
