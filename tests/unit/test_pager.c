/*
 * Unit tests of aws/pager.c: a listing chain ends on IsTruncated=false, goes
 * on with each new Marker, and is refused on IsTruncated without a Marker and
 * on a Marker given before in the same chain (right after, or pages later).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aws/pager.h"
#include "check.h"

static int step(struct pager *p, int truncated, const char *marker, struct aws_error *err)
{
	struct iam_page page = {.is_truncated = truncated, .marker = (char *)marker};

	aws_error_clear(err);
	return pager_next(p, "ListRoles", &page, err);
}

static void test_ends(void)
{
	struct pager p;
	struct aws_error err;

	pager_init(&p);
	CHECK_INT(step(&p, 1, "m1", &err), 1);
	CHECK_INT(step(&p, 1, "m2", &err), 1);
	CHECK_INT(step(&p, 0, "m2", &err), 0);
	CHECK_INT(step(&p, 0, NULL, &err), 0);
	pager_cleanup(&p);
}

static void test_truncated_without_marker(void)
{
	struct pager p;
	struct aws_error err;

	pager_init(&p);
	CHECK_INT(step(&p, 1, NULL, &err), -EIO);
	CHECK_STR(err.code, "MalformedResponse");
	CHECK(strstr(err.message, "ListRoles answered IsTruncated=true without a Marker") != NULL);
	CHECK_INT(step(&p, 1, "", &err), -EIO);
	CHECK_STR(err.code, "MalformedResponse");
	pager_cleanup(&p);
}

static void test_repeats(void)
{
	struct pager p;
	struct aws_error err;
	char m[32];
	int i, ok = 1;

	pager_init(&p);
	CHECK_INT(step(&p, 1, "same", &err), 1);
	CHECK_INT(step(&p, 1, "same", &err), -EIO);
	CHECK_STR(err.code, "MalformedResponse");
	CHECK(strstr(err.message, "already given") != NULL);
	pager_cleanup(&p);
	/* A cycle A B A, and a repeat 5,000 pages later. */
	pager_init(&p);
	CHECK_INT(step(&p, 1, "A", &err), 1);
	CHECK_INT(step(&p, 1, "B", &err), 1);
	CHECK_INT(step(&p, 1, "A", &err), -EIO);
	pager_cleanup(&p);
	pager_init(&p);
	for (i = 0; i < 5000; i++) {
		snprintf(m, sizeof(m), "marker-%d", i);
		ok &= step(&p, 1, m, &err) == 1;
	}
	CHECK(ok);
	CHECK_INT(step(&p, 1, "marker-17", &err), -EIO);
	CHECK_INT(step(&p, 1, "marker-5000", &err), 1);
	pager_cleanup(&p);
	pager_cleanup(&p);
}

int main(void)
{
	test_ends();
	test_truncated_without_marker();
	test_repeats();
	return check_done("pager");
}
