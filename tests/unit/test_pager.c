/*
 * Unit tests of aws/pager.c: a listing chain ends on IsTruncated=false, goes
 * on with each new Marker, and is refused on IsTruncated without a Marker and
 * on a Marker given before in the same chain (right after, or pages later);
 * pager_follow asks each page with the marker before, stops at the first
 * failure and refuses a chain longer than its cap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A scripted chain: page i answers markers[i] (NULL: the last page), or fails
 * with -EACCES at fail_at; what each request carried is written down. */
struct script {
	const char *const *markers;
	int fail_at; /* -1: never */
	int asked;
	char seen[8][16]; /* the marker of each request, "-" for none */
};

static int script_page(void *ctx, const char *marker, struct iam_page *page, struct aws_error *err)
{
	struct script *s = ctx;
	const char *next = s->markers[s->asked];

	snprintf(s->seen[s->asked % 8], sizeof(s->seen[0]), "%s", marker ? marker : "-");
	page->is_truncated = next != NULL;
	page->marker = next ? strdup(next) : NULL;
	if (s->asked++ == s->fail_at) {
		aws_error_set(err, "AccessDenied", "page %d refused", s->fail_at);
		return -EACCES;
	}
	return 0;
}

static void test_follow(void)
{
	static const char *const chain[] = {"m1", "m2", NULL};
	static const char *const endless[] = {"a", "b", "c", "d", "e", "f", NULL};
	struct script s = {.markers = chain, .fail_at = -1};
	struct pager_chain pc = {"ListThings", 10, "Capped", script_page, &s};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(pager_follow(&pc, &err), 0);
	CHECK_INT(s.asked, 3);
	CHECK_STR(s.seen[0], "-");
	CHECK_STR(s.seen[1], "m1");
	CHECK_STR(s.seen[2], "m2");
	/* A failed page ends the chain with its own error (its marker freed). */
	s = (struct script){.markers = chain, .fail_at = 1};
	CHECK_INT(pager_follow(&pc, &err), -EACCES);
	CHECK_INT(s.asked, 2);
	CHECK_STR(err.code, "AccessDenied");
	/* More pages than the cap. */
	s = (struct script){.markers = endless, .fail_at = -1};
	pc.max_pages = 4;
	CHECK_INT(pager_follow(&pc, &err), -EIO);
	CHECK_INT(s.asked, 4);
	CHECK_STR(err.code, "Capped");
	CHECK_STR(err.message, "ListThings did not end after 4 pages");
	/* A repeated marker is refused by pager_next. */
	s = (struct script){.markers = (const char *const[]){"x", "x", NULL}, .fail_at = -1};
	pc.max_pages = 10;
	CHECK_INT(pager_follow(&pc, &err), -EIO);
	CHECK_INT(s.asked, 2);
	CHECK_STR(err.code, "MalformedResponse");
}

int main(void)
{
	test_ends();
	test_truncated_without_marker();
	test_repeats();
	test_follow();
	return check_done("pager");
}
