/* Unit tests for the cache's life cycle with no IAM to talk to: a mount with a
 * disk copy serves it before any network call, goes offline (saying why) when
 * revalidation cannot reach IAM, revalidates on touch only after the ttl (the
 * clock is injected), publishes saves with on_change and keeps them on disk; a
 * corrupt copy is ignored with a warning and open fails in one sentence. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache_int.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"

static char root[256];
static char logged[2048];

static void on_log(void *ctx, int prio, const char *msg)
{
	snprintf(logged, sizeof(logged), "%s", msg);
}

/* A disk copy of one role, as a previous mount left it. */
static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));
	struct cache_view *v;
	struct disk_managed m = {RO, model_doc_new("{\n    \"RO\": 1\n}\n", 16, 50)};
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me",
				 offline_clock};
	char folder[600];

	roles[0].name = strdup("web");
	roles[0].mtime = 10;
	roles[0].trust = model_doc_new("{}\n", 3, 11);
	roles[0].role_json = model_doc_new("{\"r\"}\n", 6, 12);
	model_role_add_inline(&roles[0], "pol", model_doc_new("[]\n", 3, 13));
	model_role_add_attached(&roles[0], "ReadOnlyAccess", RO, NULL);
	v = model_view_new(roles, 1, 1);
	snprintf(folder, sizeof(folder), "%s/123456789012-x", dir);
	CHECK_INT(disk_write(folder, v, &m, 1, &meta), 0);
	CHECK_INT(disk_index_store(dir, profile, OFFLINE_URL, "123456789012-x"), 0);
	cache_view_put(v);
	cache_doc_unref(m.doc);
}

/* Waits (bounded) for the refresher thread to count n failed loads. */
static bool wait_failures(struct cache *c, unsigned long n)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i;

	for (i = 0; i < 1000; i++) {
		bool done;

		pthread_mutex_lock(&c->mu);
		done = c->failures >= n && !c->running;
		pthread_mutex_unlock(&c->mu);
		if (done)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_serve_disk_then_offline(void)
{
	struct iam_client *cl = offline_client();
	struct cache_options o = {.ttl = 60,
				  .iam = cl,
				  .now = offline_now,
				  .log = on_log,
				  .on_change = offline_on_change};
	struct cache *c = NULL;
	struct aws_error err;
	struct cache_view *v;
	struct cache_doc *d;
	char dir[512], folder[600];

	if (!cl)
		return;
	snprintf(dir, sizeof(dir), "%s/a", root);
	seed(dir, iam_client_profile(cl));
	o.dir = dir;
	CHECK_INT(cache_open(&o, &c, &err), 0);
	if (!c)
		goto out;
	CHECK_INT(iam_client_total_calls(cl), 0);
	v = cache_view_get(c);
	CHECK_INT(v->nroles, 1);
	CHECK_STR(v->roles[0].name, "web");
	CHECK_STR(v->roles[0].inl[0].doc->bytes, "[]\n");
	CHECK_INT(v->roles[0].inl[0].doc->mtime, 13);
	cache_view_put(v);
	d = cache_managed_doc(c, RO);
	CHECK(d && !strcmp(d->bytes, "{\n    \"RO\": 1\n}\n"));
	cache_doc_unref(d);
	CHECK(cache_managed_doc(c, "arn:aws:iam::aws:policy/Other") == NULL);
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	CHECK(strstr(folder, "/123456789012-x") != NULL);
	CHECK(!cache_offline(c));
	CHECK(offline_status_has(c, "account: 123456789012\n"));
	CHECK(offline_status_has(c, "roles: 1\n"));
	CHECK(offline_status_has(c, "mode: read-write\n"));
	/* cache_start revalidates at once; IAM is unreachable. */
	CHECK_INT(cache_start(c), 0);
	CHECK(wait_failures(c, 1));
	CHECK(cache_offline(c));
	CHECK(offline_status_has(c, "state: offline: cannot reach STS at " OFFLINE_URL));
	CHECK(strstr(logged, "serving the cached copy") != NULL);
	CHECK_INT(offline_nchanges, 0);
	/* No new chain before the ttl; one after it. */
	offline_clock += 30;
	cache_touch(c);
	CHECK(wait_failures(c, 1));
	pthread_mutex_lock(&c->mu);
	CHECK_INT(c->failures, 1);
	pthread_mutex_unlock(&c->mu);
	offline_clock += 31;
	cache_touch(c);
	CHECK(wait_failures(c, 2));
	CHECK_INT(cache_refresh(c, &err), -EIO);
	CHECK(strstr(err.message, "cannot reach STS") != NULL);
	v = cache_view_get(c);
	CHECK_INT(v->nroles, 1);
	cache_view_put(v);
out:
	cache_close(c);
	iam_client_free(cl);
}

static void test_publish_doc(void)
{
	struct iam_client *cl = offline_client();
	struct cache_options o = {
		.ttl = 60, .iam = cl, .now = offline_now, .on_change = offline_on_change};
	struct cache *c = NULL;
	struct aws_error err;
	struct cache_doc *d = model_doc_new("{\"saved\": 1}\n", 13, 99);
	struct cache_view *v;
	char dir[512];

	if (!cl)
		return;
	snprintf(dir, sizeof(dir), "%s/b", root);
	seed(dir, iam_client_profile(cl));
	o.dir = dir;
	offline_nchanges = 0;
	CHECK_INT(cache_open(&o, &c, &err), 0);
	if (!c)
		goto out;
	CHECK_INT(cache_publish_edit(c, &(struct model_edit){.op = MODEL_EDIT_DOC,
							     .role = "web",
							     .kind = CACHE_FILE_INLINE,
							     .name = "new",
							     .doc = d}),
		  0);
	CHECK_INT(cache_publish_edit(c, &(struct model_edit){.op = MODEL_EDIT_DOC,
							     .role = "nobody",
							     .kind = CACHE_FILE_TRUST,
							     .doc = d}),
		  -ENOENT);
	CHECK_INT(offline_nchanges, 1);
	CHECK_STR(offline_changes[0], "2 web 2 new");
	v = cache_view_get(c);
	CHECK_INT(v->serial, 2);
	CHECK(cache_role_find_inline(&v->roles[0], "new")->doc == d);
	cache_view_put(v);
	cache_close(c);
	c = NULL;
	/* The save is in the disk copy: a remount serves it. */
	CHECK_INT(cache_open(&o, &c, &err), 0);
	if (!c)
		goto out;
	v = cache_view_get(c);
	CHECK(cache_role_find_inline(&v->roles[0], "new") != NULL);
	CHECK_STR(cache_role_find_inline(&v->roles[0], "new")->doc->bytes, "{\"saved\": 1}\n");
	CHECK_INT(cache_role_find_inline(&v->roles[0], "new")->doc->mtime, 99);
	cache_view_put(v);
out:
	cache_doc_unref(d);
	cache_close(c);
	iam_client_free(cl);
}

static void test_corrupt_and_unreachable(void)
{
	struct iam_client *cl = offline_client();
	struct cache_options o = {.ttl = 60, .iam = cl, .now = offline_now, .log = on_log};
	struct cache *c = NULL;
	struct aws_error err;
	char dir[512], path[700];
	FILE *f;

	if (!cl)
		return;
	snprintf(dir, sizeof(dir), "%s/c", root);
	seed(dir, iam_client_profile(cl));
	snprintf(path, sizeof(path), "%s/123456789012-x/view.json", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("{\"format\": \"iamfs-cache-1\", \"roles\": [", f);
		fclose(f);
	}
	logged[0] = '\0';
	o.dir = dir;
	CHECK_INT(cache_open(&o, &c, &err), -EIO);
	CHECK(c == NULL);
	/* The rest is curl's own words ("Failed to connect to 127.0.0.1 port 1 ..."). */
	CHECK(!strncmp(err.message, "cannot reach STS at " OFFLINE_URL ": ",
		       strlen("cannot reach STS at " OFFLINE_URL ": ")));
	CHECK(strstr(err.message, "port 1") != NULL);
	CHECK(strstr(logged, "view.json is corrupt (not JSON); ignored") != NULL);
	iam_client_free(cl);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[400];

	snprintf(root, sizeof(root), "%s/iamfs-test-cache-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_serve_disk_then_offline();
	test_publish_doc();
	test_corrupt_and_unreachable();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return check_done("cache_open");
}
