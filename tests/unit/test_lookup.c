/* The one document lookup (cache/lookup.h) over a small view, and its errno
 * table for each use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/lookup.h"
#include "cache/model.h"
#include "check.h"

#define MANAGED	 "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define CUSTOMER "arn:aws:iam::1:policy/cust"

static struct cache_view *view(void)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));

	roles[0].name = strdup("web");
	roles[0].trust = model_doc_new("{}\n", 3, 1);
	roles[0].role_json = model_doc_new("{\"r\": 1}\n", 9, 1);
	model_role_add_inline(&roles[0], "p", model_doc_new("{\"p\": 1}\n", 9, 1));
	model_role_add_attached(&roles[0], "ReadOnlyAccess", MANAGED, NULL);
	model_role_add_attached(&roles[0], "cust", CUSTOMER, model_doc_new("{\"c\": 1}\n", 9, 1));
	model_role_add_attached(&roles[0], "nodoc", "arn:aws:iam::1:policy/nodoc", NULL);
	return model_view_new(roles, 1, 1);
}

static void test_lookup(void)
{
	struct cache_view *v = view();
	struct lookup l;

	CHECK_INT(lookup_doc(v, "nobody", CACHE_FILE_TRUST, NULL, &l), LOOKUP_NO_ROLE);
	CHECK(l.role == NULL && l.doc == NULL);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_TRUST, NULL, &l), LOOKUP_FOUND);
	CHECK(l.doc == v->roles[0].trust);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_ROLE, NULL, &l), LOOKUP_FOUND);
	CHECK(l.doc == v->roles[0].role_json);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_INLINE, "p", &l), LOOKUP_FOUND);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_INLINE, "new", &l), LOOKUP_NO_FILE);
	CHECK(l.role == &v->roles[0] && l.doc == NULL);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_ATTACHED, "cust", &l), LOOKUP_FOUND);
	CHECK_STR(l.att->arn, CUSTOMER);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_ATTACHED, "ReadOnlyAccess", &l),
		  LOOKUP_AWS_MANAGED);
	CHECK_STR(l.att->arn, MANAGED);
	CHECK(l.doc == NULL);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_ATTACHED, "other", &l), LOOKUP_NOT_ATTACHED);
	CHECK_INT(lookup_doc(v, "web", CACHE_FILE_ATTACHED, "nodoc", &l), LOOKUP_NOT_FETCHED);
	CHECK_INT(lookup_doc(NULL, "web", CACHE_FILE_TRUST, NULL, &l), LOOKUP_NO_ROLE);
	cache_view_put(v);
}

/* The answers the suites and the README hold each use to. */
static void test_errnos(void)
{
	static const struct {
		enum lookup_result res;
		int open_write, stat, save, rename;
	} t[] = {
		{LOOKUP_FOUND, 0, 0, 0, 0},
		{LOOKUP_NO_ROLE, -ENOENT, -ENOENT, -ENOENT, -ENOENT},
		/* A new inline policy: a save makes it; open and rename decide themselves. */
		{LOOKUP_NO_FILE, -ENOENT, -ENOENT, 0, -ENOENT},
		/* Writing attached/X.json for a policy not attached: attaching is not a save. */
		{LOOKUP_NOT_ATTACHED, -ENOENT, -ENOENT, 0, -ENOENT},
		/* 0444: open(2) for writing is EACCES, a save or a rename EPERM; stat fetches. */
		{LOOKUP_AWS_MANAGED, -EACCES, 0, -EPERM, -EPERM},
		{LOOKUP_NOT_FETCHED, -EIO, -EIO, -EIO, -EIO},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_INT(lookup_errno(t[i].res, LOOKUP_OPEN_WRITE), t[i].open_write);
		CHECK_INT(lookup_errno(t[i].res, LOOKUP_STAT), t[i].stat);
		CHECK_INT(lookup_errno(t[i].res, LOOKUP_SAVE), t[i].save);
		CHECK_INT(lookup_errno(t[i].res, LOOKUP_RENAME), t[i].rename);
	}
	CHECK_INT(sizeof(t) / sizeof(t[0]), LOOKUP_NRESULTS);
	CHECK_INT(lookup_errno(LOOKUP_NRESULTS, LOOKUP_STAT), -EINVAL);
	CHECK_INT(lookup_errno(LOOKUP_FOUND, LOOKUP_NUSES), -EINVAL);
}

int main(void)
{
	test_lookup();
	test_errnos();
	return check_done("lookup");
}
