/* Unit tests for pending roles: the names a mkdir may make, the pure merge of
 * pending roles into a view (letter-case clashes with IAM's roles, stripping for
 * the disk copy), and the store in a scratch cache folder (round trip across a
 * reopen, case-insensitive duplicates, damaged files left alone). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/journal.h"
#include "cache/pending.h"
#include "check.h"

static char root[] = "/tmp/iamfs-test-pending-XXXXXX";

static void test_names(void)
{
	static const char *const good[] = {
		"states-lambda-role", "a", "x+=,.@_-Y9",
		"0123456789012345678901234567890123456789012345678901234567890123"};
	static const char *const bad[] = {
		"bad name", "",
		".",	    "..",
		".iamfs",   "caf\xc3\xa9",
		"a:b",	    "01234567890123456789012345678901234567890123456789012345678901234"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(pending_name_problem(good[i]) == NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pending_name_problem(bad[i]) != NULL);
	CHECK_STR(journal_kind_name(JOURNAL_CREATE_ROLE), "create-role");
}

static struct cache_view *iam_view(void)
{
	struct cache_role *roles = calloc(2, sizeof(*roles));

	roles[0].name = strdup("Beta");
	roles[0].trust = model_doc_new("{}\n", 3, 5);
	roles[0].role_json = model_doc_new("{\"b\"}\n", 6, 5);
	roles[1].name = strdup("alpha");
	roles[1].trust = model_doc_new("{}\n", 3, 7);
	roles[1].role_json = model_doc_new("{\"a\"}\n", 6, 7);
	return model_view_new(roles, 2, 41);
}

struct clashes {
	int n;
	char name[64], iam[64];
};

static void on_clash(void *ctx, const struct pending_role *pr, const char *iam)
{
	struct clashes *c = ctx;

	c->n++;
	snprintf(c->name, sizeof(c->name), "%s", pr->name);
	snprintf(c->iam, sizeof(c->iam), "%s", iam);
}

static void test_merge(void)
{
	struct cache_view *v = iam_view(), *m = NULL, *s = NULL;
	struct pending_role pr[2] = {{.name = "beta", .created = 100},
				     {.name = "gamma", .created = 200}};
	struct clashes c = {0};
	const struct cache_role *g;

	pr[1].role_json = model_doc_new("{\"Description\": \"d\"}\n", 21, 300);
	CHECK(!pending_in_view(v));
	CHECK_INT(pending_merge(v, pr, 2, on_clash, &c, &m), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.name, "beta");
	CHECK_STR(c.iam, "Beta");
	CHECK_INT(m->nroles, 3);
	CHECK_INT(m->serial, 42);
	CHECK(pending_in_view(m));
	g = cache_view_find(m, "gamma");
	CHECK(g && g->pending && !g->trust && g->role_json == pr[1].role_json);
	CHECK(g && g->mtime == 200 && g->ninl == 0 && g->natt == 0);
	CHECK(cache_view_find(m, "beta") == NULL);
	CHECK(cache_view_find(m, "Beta") && !cache_view_find(m, "Beta")->pending);
	CHECK(cache_view_find(m, "alpha")->trust == cache_view_find(v, "alpha")->trust);
	/* The disk copy's view: no pending role left; a merge replaces old pending ones. */
	CHECK_INT(pending_merge(m, NULL, 0, NULL, NULL, &s), 0);
	CHECK_INT(s->nroles, 2);
	CHECK(!pending_in_view(s));
	cache_view_put(s);
	CHECK_INT(pending_merge(m, pr + 1, 1, NULL, NULL, &s), 0);
	CHECK_INT(s->nroles, 3);
	cache_view_put(s);
	cache_view_put(m);
	cache_view_put(v);
	cache_doc_unref(pr[1].role_json);
}

static void test_store(void)
{
	char folder[256], path[512];
	struct hooks h = {0};
	struct pending *p;
	struct pending_role *snap;
	struct cache_doc *d = model_doc_new("{\"Path\": \"/x/\"}\n", 16, 1234), *got;
	struct buf b;
	size_t n;
	int fd;

	snprintf(folder, sizeof(folder), "%s/acct", root);
	CHECK_INT(mkdir(folder, 0700), 0);
	CHECK_INT(pending_open(folder, &h, &p), 0);
	CHECK_INT(pending_add(p, "new-role", 77), 0);
	CHECK_INT(pending_add(p, "NEW-ROLE", 78), -EEXIST);
	CHECK_INT(pending_add(p, "bad name", 78), -EINVAL);
	CHECK_INT(pending_add(p, "other", 79), 0);
	CHECK_INT(pending_set_json(p, "new-role", d), 0);
	CHECK_INT(pending_set_json(p, "nobody", d), -ENOENT);
	CHECK(pending_has(p, "new-role") && !pending_has(p, "New-Role"));
	buf_init(&b, 0);
	CHECK_INT(pending_status(p, &b), 0);
	CHECK_STR(b.data, "pending roles: 2\npending role: new-role\npending role: other\n");
	buf_cleanup(&b);
	pending_close(p);
	/* A damaged file is left alone and skipped. */
	snprintf(path, sizeof(path), "%s/pending/role-damaged", folder);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, "garbage", 7) == 7);
	close(fd);
	CHECK_INT(pending_open(folder, &h, &p), 0);
	CHECK_INT(pending_snapshot(p, &snap, &n), 0);
	CHECK_INT(n, 2);
	CHECK_STR(snap[0].name, "new-role");
	CHECK_INT(snap[0].created, 77);
	CHECK(snap[0].role_json && snap[0].role_json->len == d->len &&
	      !memcmp(snap[0].role_json->bytes, d->bytes, d->len) &&
	      snap[0].role_json->mtime == 1234);
	CHECK(snap[1].role_json == NULL && snap[1].created == 79);
	pending_snapshot_free(snap, n);
	CHECK_INT(pending_remove(p, "new-role", &got), 0);
	CHECK(got && got->len == d->len);
	cache_doc_unref(got);
	CHECK_INT(pending_remove(p, "new-role", NULL), -ENOENT);
	pending_close(p);
	CHECK_INT(pending_open(folder, &h, &p), 0);
	CHECK(!pending_has(p, "new-role") && pending_has(p, "other"));
	CHECK(access(path, F_OK) == 0);
	pending_close(p);
	/* No folder: memory only. */
	CHECK_INT(pending_open("", &h, &p), 0);
	CHECK_INT(pending_add(p, "mem", 1), 0);
	CHECK(pending_has(p, "mem"));
	pending_close(p);
	cache_doc_unref(d);
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(root, 0700);
	test_names();
	test_merge();
	test_store();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", root);
	}
	return check_done("pending");
}
