/* cache/policies.h: the name -> ARN lists, their file, the ARN checks, and the
 * AWS managed list's age on an injected clock (an offline client: any fetch
 * fails, so a resolve that succeeds used what was kept). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/policies.h"
#include "check.h"
#include "offline.h"

#define LAMBDA "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
#define TEAM   "arn:aws:iam::123456789012:policy/team/team-read"

static void test_list(void)
{
	struct policies_list l = {0};

	CHECK_INT(policies_list_add(&l, "zeta", "arn:aws:iam::aws:policy/zeta"), 0);
	CHECK_INT(policies_list_add(&l, "AWSLambdaRole", LAMBDA), 0);
	CHECK_INT(policies_list_add(&l, "", LAMBDA), -EINVAL);
	CHECK_INT(policies_list_add(&l, "a\tb", LAMBDA), -EINVAL);
	policies_list_sort(&l);
	CHECK_STR(policies_list_find(&l, "AWSLambdaRole"), LAMBDA);
	CHECK_STR(policies_list_find(&l, "zeta"), "arn:aws:iam::aws:policy/zeta");
	CHECK(policies_list_find(&l, "awslambdarole") == NULL);
	CHECK(policies_list_find(&l, "m") == NULL);
	CHECK(policies_list_find(NULL, "m") == NULL);
	policies_list_cleanup(&l);
	CHECK_INT(l.n, 0);
}

static void test_file(void)
{
	struct policies_list l = {0}, back = {0};
	struct buf b;
	long long t = 0;
	static const char *const bad[] = {
		"",
		"iamfs-aws-policies-2\n5\n",
		POLICIES_MAGIC "\n-5\n",
		POLICIES_MAGIC "\n5x\n",
		POLICIES_MAGIC "\n5\nAWSLambdaRole " LAMBDA "\n",
		POLICIES_MAGIC "\n5\nAWSLambdaRole\t" LAMBDA,
		POLICIES_MAGIC "\n5\nOther\t" LAMBDA "\n",
		POLICIES_MAGIC "\n5\nbad name\tarn:aws:iam::aws:policy/bad name\n",
		POLICIES_MAGIC "\n5\nx\tarn:aws:s3:::x\n",
	};

	buf_init(&b, 0);
	policies_list_add(&l, "AWSLambdaRole", LAMBDA);
	policies_list_add(&l, "team-read", TEAM);
	CHECK_INT(policies_format(&l, 1700000000, &b), 0);
	CHECK_INT(policies_parse(b.data, b.len, &back, &t), 0);
	CHECK_INT(t, 1700000000);
	CHECK_INT(back.n, 2);
	CHECK_STR(policies_list_find(&back, "team-read"), TEAM);
	policies_list_cleanup(&back);
	CHECK_INT(policies_parse(POLICIES_MAGIC "\n7\n", strlen(POLICIES_MAGIC) + 3, &back, &t), 0);
	CHECK_INT(back.n, 0);
	CHECK_INT(t, 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(policies_parse(bad[i], strlen(bad[i]), &back, &t), -EINVAL);
		CHECK_INT(back.n, 0);
	}
	/* A NUL inside a line is damage, not the end of the file. */
	CHECK_INT(policies_parse(POLICIES_MAGIC "\n5\na\0b\t" LAMBDA "\n",
				 strlen(POLICIES_MAGIC) + 3 + 4 + strlen(LAMBDA) + 1, &back, &t),
		  -EINVAL);
	buf_cleanup(&b);
	policies_list_cleanup(&l);
}

static void test_fresh(void)
{
	CHECK(policies_fresh(1000, 1000));
	CHECK(policies_fresh(1000, 1000 + POLICIES_MAX_AGE - 1));
	CHECK(!policies_fresh(1000, 1000 + POLICIES_MAX_AGE));
	CHECK(!policies_fresh(1000, 999)); /* from the future: not trusted */
}

static void test_arns(void)
{
	char why[512], out[128];
	static const char rj[] = "{\n    \"RoleName\": \"r\",\n    \"Arn\": "
				 "\"arn:aws-cn:iam::123456789012:role/svc/r\"\n}\n";

	CHECK_INT(policies_arn_check(LAMBDA, "AWSLambdaRole", why, sizeof(why)), 0);
	CHECK_INT(policies_arn_check(TEAM, "team-read", why, sizeof(why)), 0);
	CHECK_INT(policies_arn_check(TEAM, NULL, NULL, 0), 0);
	CHECK_INT(policies_arn_check(LAMBDA, "Lambda", why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "the file is named \"Lambda.json\"") != NULL);
	CHECK_INT(policies_arn_check("AWSLambdaRole", "AWSLambdaRole", why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "is not an ARN") != NULL);
	CHECK_INT(policies_arn_check("arn:aws:iam::123456789012:role/r", "r", why, sizeof(why)),
		  -EINVAL);
	CHECK(strstr(why, "is not a managed policy's ARN") != NULL);
	CHECK_INT(policies_arn_check("arn:aws:iam::12345:policy/x", "x", why, sizeof(why)),
		  -EINVAL);
	CHECK_INT(policies_arn_check("arn:aws:s3:::policy/x", "x", why, sizeof(why)), -EINVAL);
	CHECK_INT(policies_arn_check("arn:aws:iam::aws:policy/", "", why, sizeof(why)), -EINVAL);
	CHECK_INT(policies_arn_check("arn::iam::aws:policy/x", "x", why, sizeof(why)), -EINVAL);
	CHECK_INT(policies_arn_for(rj, strlen(rj), "mine", out, sizeof(out)), 0);
	CHECK_STR(out, "arn:aws-cn:iam::123456789012:policy/mine");
	CHECK_INT(policies_arn_for("{}", 2, "mine", out, sizeof(out)), -EINVAL);
	CHECK_INT(policies_arn_for(rj, strlen(rj), "mine", out, 10), -ENAMETOOLONG);
}

/* Writes DIR/aws-policies (0600) holding one policy, fetched at t. */
static void put_list(const char *dir, long long t)
{
	struct policies_list l = {0};
	char path[256];
	struct buf b;
	int fd;

	buf_init(&b, 0);
	policies_list_add(&l, "AWSLambdaRole", LAMBDA);
	policies_format(&l, t, &b);
	snprintf(path, sizeof(path), "%s/%s", dir, POLICIES_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, b.data, b.len) == (ssize_t)b.len);
	close(fd);
	buf_cleanup(&b);
	policies_list_cleanup(&l);
}

/* The list kept on disk is used while younger than a day by the injected clock,
 * and fetched again (here: refused, offline) once a day old. */
static void test_age(void)
{
	char dir[] = "/tmp/iamfs-policies-XXXXXX";
	const char *local[] = {TEAM};
	struct hooks h = {.now = offline_now};
	struct iam_client *cl = offline_client();
	struct iam_conn *conn = NULL;
	struct policies_match m;
	struct policies *p = NULL;
	struct aws_error err = {0};
	unsigned calls = 0;

	if (!cl || !mkdtemp(dir) || iam_conn_new(cl, &conn)) {
		CHECK(0);
		return;
	}
	offline_clock = 1700000000;
	put_list(dir, offline_clock);
	CHECK_INT(policies_open(dir, &h, &p), 0);
	CHECK_INT(policies_set_local(p, local, 1), 0);
	offline_clock += POLICIES_MAX_AGE - 1;
	CHECK_INT(policies_resolve(p, conn, "AWSLambdaRole", &m, &calls, &err), 0);
	CHECK_STR(m.aws, LAMBDA);
	CHECK_STR(m.local, "");
	CHECK_INT(policies_resolve(p, conn, "team-read", &m, &calls, &err), 0);
	CHECK_STR(m.local, TEAM);
	CHECK_INT(calls, 0);
	offline_clock += 1; /* a day old now */
	CHECK(policies_resolve(p, conn, "AWSLambdaRole", &m, &calls, &err) < 0);
	CHECK_INT(calls, 1);
	policies_add_local(p, "arn:aws:iam::123456789012:policy/made-here");
	policies_close(p);
	/* A damaged file is ignored (fetched again), never half used. */
	{
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, POLICIES_FILE);
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(fd >= 0 && write(fd, "garbage\n", 8) == 8);
		close(fd);
		CHECK_INT(policies_open(dir, &h, &p), 0);
		calls = 0;
		CHECK(policies_resolve(p, conn, "AWSLambdaRole", &m, &calls, &err) < 0);
		CHECK_INT(calls, 1);
		policies_close(p);
		unlink(path);
	}
	rmdir(dir);
	iam_conn_free(conn);
	iam_client_free(cl);
}

int main(void)
{
	test_list();
	test_file();
	test_fresh();
	test_arns();
	test_age();
	return check_done("policies");
}
