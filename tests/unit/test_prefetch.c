/* Unit tests for the prefetch of AWS managed documents with no IAM to talk to:
 * after cache_start, only the attached AWS managed ARNs missing from the managed
 * table are fetched, each once however many roles attach it; their failure is
 * one log line for the batch and nothing else (the table stays as it was, a read
 * fetches again); without the option nothing starts; cache_close joins the
 * threads (the sanitizer build checks that nothing leaks). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache_int.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define OTHER	"arn:aws:iam::aws:policy/Other"
#define PREFIX	"fetching AWS managed policy documents ahead of reads: "
#define ONE_BAD PREFIX "1 of 1 failed (the first: " OTHER ": ConnectionError: "

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int nprefetch_lines;
static char prefetch_line[2304];

static void on_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	if (strncmp(msg, PREFIX, strlen(PREFIX)))
		return;
	pthread_mutex_lock(&log_mu);
	nprefetch_lines++;
	snprintf(prefetch_line, sizeof(prefetch_line), "%s", msg);
	pthread_mutex_unlock(&log_mu);
}

static int prefetch_lines(void)
{
	int n;

	pthread_mutex_lock(&log_mu);
	n = nprefetch_lines;
	pthread_mutex_unlock(&log_mu);
	return n;
}

/* Two roles attaching ReadOnlyAccess (in the disk copy's managed table) and Other
 * (not in it). */
static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(2, sizeof(*roles));
	struct disk_managed m = {OFFLINE_RO, model_doc_new("{\n    \"RO\": 1\n}\n", 16, 50)};
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me",
				 offline_clock};
	struct cache_view *v;
	char folder[600];

	offline_role(&roles[0], "api", "{}\n", "{\"r\"}\n");
	offline_role(&roles[1], "web", "{}\n", "{\"r\"}\n");
	for (int i = 0; i < 2; i++) {
		model_role_add_attached(&roles[i], "Other", OTHER, NULL);
		model_role_add_attached(&roles[i], "ReadOnlyAccess", OFFLINE_RO, NULL);
	}
	v = model_view_new(roles, 2, 1);
	CHECK(snprintf(folder, sizeof(folder), "%s/123456789012-x", dir) < (int)sizeof(folder));
	CHECK_INT(disk_write(folder, v, &m, 1, &meta), 0);
	CHECK_INT(disk_index_store(dir, profile, OFFLINE_URL, "123456789012-x"), 0);
	cache_view_put(v);
	cache_doc_unref(m.doc);
}

static struct cache *open_cache(struct iam_client *cl, const char *dir, bool prefetch)
{
	struct cache_options o = {.dir = dir,
				  .ttl = 60,
				  .iam = cl,
				  .now = offline_now,
				  .log = on_log,
				  .prefetch_managed = prefetch};
	struct cache *c = NULL;
	struct aws_error err;

	CHECK_INT(cache_open(&o, &c, &err), 0);
	return c;
}

/* Waits (bounded) until the refresher has counted a failed revalidation and the
 * prefetch has no thread left. */
static bool wait_settled(struct cache *c)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		bool done;

		pthread_mutex_lock(&c->mu);
		done = c->failures >= 1 && !c->running && !c->fetching;
		pthread_mutex_unlock(&c->mu);
		if (done && (!c->o.prefetch_managed || prefetch_lines()))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_only_missing_fetched_once_failure_logged(struct iam_client *cl, const char *dir)
{
	struct cache *c = open_cache(cl, dir, true);
	struct cache_doc *d;

	if (!c)
		return;
	CHECK_INT(cache_start(c), 0);
	CHECK(wait_settled(c));
	/* One line for the batch: one ARN tried (Other, once for both roles), and
	 * ReadOnlyAccess, in the table, not fetched again. */
	CHECK_INT(prefetch_lines(), 1);
	CHECK(!strncmp(prefetch_line, ONE_BAD, strlen(ONE_BAD)));
	CHECK(cache_managed_doc(c, OTHER) == NULL);
	d = cache_managed_doc(c, OFFLINE_RO);
	CHECK(d && !strcmp(d->bytes, "{\n    \"RO\": 1\n}\n"));
	cache_doc_unref(d);
	/* The read that needs it fetches again and gets its own error. */
	{
		struct aws_error err;

		d = NULL;
		CHECK(cache_fetch_managed(c, OTHER, &d, &err) < 0);
		CHECK_STR(err.code, "ConnectionError");
		CHECK(d == NULL);
	}
	CHECK_INT(prefetch_lines(), 1);
	cache_close(c);
}

static void test_off_starts_nothing(struct iam_client *cl, const char *dir)
{
	struct cache *c = open_cache(cl, dir, false);

	if (!c)
		return;
	pthread_mutex_lock(&log_mu);
	nprefetch_lines = 0;
	pthread_mutex_unlock(&log_mu);
	CHECK_INT(cache_start(c), 0);
	CHECK(wait_settled(c));
	pthread_mutex_lock(&c->mu);
	CHECK(c->prefetch == NULL);
	pthread_mutex_unlock(&c->mu);
	CHECK_INT(prefetch_lines(), 0);
	cache_close(c);
}

/* Closed at once after cache_start: the threads are joined, nothing is left. */
static void test_close_right_after_start(struct iam_client *cl, const char *dir)
{
	struct cache *c = open_cache(cl, dir, true);

	if (!c)
		return;
	CHECK_INT(cache_start(c), 0);
	cache_close(c);
}

int main(void)
{
	static void (*const tests[])(struct iam_client *, const char *) = {
		test_only_missing_fetched_once_failure_logged,
		test_off_starts_nothing,
		test_close_right_after_start,
		NULL,
	};
	const char *tmp = getenv("TMPDIR");
	char tmpl[400];

	snprintf(tmpl, sizeof(tmpl), "%s/iamfs-test-prefetch-XXXXXX", tmp ? tmp : "/tmp");
	return offline_main(tmpl, "prefetch", seed, tests);
}
