/* Unit tests for the pure parts of saving and the record of refusals: rejected
 * file names, errors lines, errno names, the inline size budget, the conflict
 * decisions, the choice of the version to prune, which refusals are retried and
 * how long (with plain elapsed times: nothing waits), and a record that survives
 * a reopen with private permissions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/model.h"
#include "cache/rejects.h"
#include "cache/save_int.h"
#include "cache/validate.h"
#include "check.h"

#define T0 1800000000LL /* 2027-01-15T08:00:00Z */

static void test_names(void)
{
	static const struct {
		const char *role, *path;
		unsigned seq;
		const char *want;
	} cases[] = {
		{"states-lambda-role", "trust.json", 1,
		 "20270115T080000Z-states-lambda-role-trust.json"},
		{"web", "inline/s3 read.json", 1, "20270115T080000Z-web-inline-s3_read.json"},
		{"web", "attached/cm.json", 2, "20270115T080000Z-web-attached-cm-2.json"},
		{"a+b=c,d@e.f", "trust.json", 12, "20270115T080000Z-a+b=c,d@e.f-trust-12.json"},
		{"x", "inline/../../etc.json", 1, "20270115T080000Z-x-inline-..-..-etc.json"},
		{"r", "inline/caf\xc3\xa9.json", 1, "20270115T080000Z-r-inline-caf__.json"},
	};
	char out[REJECTS_NAME_MAX + 1], big[600];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rejects_name(T0, cases[i].role, cases[i].path, cases[i].seq, out, sizeof(out));
		CHECK_STR(out, cases[i].want);
	}
	/* A long name is cut to fit but keeps its suffix and extension. */
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + sizeof(big) - 6, ".json", 5);
	rejects_name(T0, "role", big, 3, out, sizeof(out));
	CHECK_INT(strlen(out), REJECTS_NAME_MAX);
	CHECK(!strcmp(out + strlen(out) - 7, "-3.json"));
	CHECK(out[0] != '.');
	rejects_name(T0, "r", "trust.json", 1, out, 24);
	CHECK_INT(strlen(out), 23);
	CHECK(!strcmp(out + strlen(out) - 5, ".json"));
}

static void test_lines(void)
{
	char out[REJECTS_LINE_MAX], tmp[16];
	struct rejects_event a = {.time = T0,
				  .role = "states-lambda-role",
				  .path = "trust.json",
				  .err = -EINVAL,
				  .code = "MalformedPolicyDocument",
				  .message = "Invalid principal in policy",
				  .request_id = "req-1"};
	struct rejects_event b = {.time = T0 + 61,
				  .role = "web",
				  .path = "inline/p.json",
				  .err = EFBIG,
				  .message = "too\nbig\tnow"};

	rejects_line(&a, out, sizeof(out));
	CHECK_STR(out, "2027-01-15T08:00:00Z states-lambda-role/trust.json EINVAL "
		       "MalformedPolicyDocument: Invalid principal in policy (request id req-1)");
	rejects_line(&b, out, sizeof(out));
	CHECK_STR(out, "2027-01-15T08:01:01Z web/inline/p.json EFBIG local: too big now");
	rejects_line(&a, out, 40);
	CHECK_INT(strlen(out), 39);
	CHECK_STR(rejects_errno_name(-ESTALE, tmp, sizeof(tmp)), "ESTALE");
	CHECK_STR(rejects_errno_name(EDQUOT, tmp, sizeof(tmp)), "EDQUOT");
	CHECK_STR(rejects_errno_name(EKEYEXPIRED, tmp, sizeof(tmp)), "EKEYEXPIRED");
	CHECK_STR(rejects_errno_name(100000, tmp, sizeof(tmp)), "E100000");
}

static void test_budget(void)
{
	struct cache_role r = {0};
	const char *a = "{\"Statement\": [{\"Effect\": \"Allow\"}]}"; /* 34 counted */
	char big[VALIDATE_INLINE_LIMIT + 10];

	CHECK_INT(save_inline_budget(NULL, "x"), VALIDATE_INLINE_LIMIT);
	model_role_add_inline(&r, "a", model_doc_new(a, strlen(a), 1));
	CHECK_INT(validate_count_size(a, strlen(a)), 34);
	CHECK_INT(save_inline_budget(&r, "a"), VALIDATE_INLINE_LIMIT);
	CHECK_INT(save_inline_budget(&r, "b"), VALIDATE_INLINE_LIMIT - 34);
	model_role_add_inline(&r, "b", model_doc_new("{ \"k\" : 1 }\n", 12, 1)); /* 7 */
	CHECK_INT(save_inline_budget(&r, "c"), VALIDATE_INLINE_LIMIT - 41);
	CHECK_INT(save_inline_budget(&r, "b"), VALIDATE_INLINE_LIMIT - 34);
	memset(big, 'x', sizeof(big));
	model_role_add_inline(&r, "huge", model_doc_new(big, sizeof(big), 1));
	CHECK_INT(save_inline_budget(&r, "c"), 0);
	CHECK_INT(save_inline_budget(&r, "huge"), VALIDATE_INLINE_LIMIT - 41);
	model_role_cleanup(&r);
}

static void test_conflicts(void)
{
	struct cache_doc *d = model_doc_new("{\n    \"a\": 1,\n    \"b\": [1, 2]\n}\n", 31, 500);
	struct cache_doc *raw = model_doc_new("not json\n", 9, 1);

	/* The local half. */
	CHECK_INT(save_base_check(d, d->gen), 0);
	CHECK_INT(save_base_check(d, 0), 0);
	CHECK_INT(save_base_check(NULL, 0), 0);
	CHECK_INT(save_base_check(d, d->gen + 1), -ESTALE);
	CHECK_INT(save_base_check(NULL, 42), -ESTALE);
	/* IAM's text against the view's rendering. */
	CHECK(save_remote_same("{\"b\":[1,2.0],\"a\":1}", d));
	CHECK(save_remote_same("{\"a\": 1, \"b\": [1, 2]}", d));
	CHECK(!save_remote_same("{\"a\": 1, \"b\": [2, 1]}", d));
	CHECK(!save_remote_same("{\"a\": 2, \"b\": [1, 2]}", d));
	CHECK(!save_remote_same(NULL, d));
	CHECK(!save_remote_same("{}", NULL));
	CHECK(save_remote_same(NULL, NULL));
	CHECK(save_remote_same("not json", raw));
	CHECK(!save_remote_same("not jsom", raw));
	/* Managed: recorded version id first, else the default version's CreateDate. */
	CHECK(save_managed_unchanged("v3", "v3", 0, 0));
	CHECK(!save_managed_unchanged("v3", "v4", 500, 500));
	CHECK(save_managed_unchanged(NULL, "v4", 500, 500));
	CHECK(!save_managed_unchanged(NULL, "v4", 501, 500));
	CHECK(!save_managed_unchanged(NULL, "v4", 0, 0));
	CHECK(!save_managed_unchanged(NULL, NULL, 500, 500));
	cache_doc_unref(d);
	cache_doc_unref(raw);
}

static void test_prune(void)
{
	struct iam_policy_version v1[] = {
		{"v1", false, "2024-01-01T00:00:00Z", 1704067200LL, NULL},
		{"v2", true, "2024-01-02T00:00:00Z", 1704153600LL, NULL},
		{"v3", false, "2024-01-03T00:00:00Z", 1704240000LL, NULL},
		{"v4", false, "2024-01-04T00:00:00Z", 1704326400LL, NULL},
		{"v5", false, "2024-01-05T00:00:00Z", 1704412800LL, NULL},
	};
	/* Listed out of order; the default is the oldest; a tie goes to the lower number. */
	struct iam_policy_version v2[] = {
		{"v9", false, "2024-03-01T00:00:00Z", 1709251200LL, NULL},
		{"v1", true, "2023-01-01T00:00:00Z", 1672531200LL, NULL},
		{"v12", false, "2024-02-01T00:00:00Z", 1706745600LL, NULL},
		{"v10", false, "2024-02-01T00:00:00Z", 1706745600LL, NULL},
		{"v11", false, "2024-02-01T00:00:00+00:00", 1706745600LL, NULL},
	};
	struct iam_policy_version v3[] = {{"v1", true, "2024-01-01T00:00:00Z", 1704067200LL, NULL}};
	struct iam_version_list l1 = {v1, 5, 5}, l2 = {v2, 5, 5}, l3 = {v3, 1, 1}, l4 = {0};

	CHECK_INT(save_prune_choice(&l1), 0);
	CHECK_INT(save_prune_choice(&l2), 3);
	CHECK_INT(save_prune_choice(&l3), -1);
	CHECK_INT(save_prune_choice(&l4), -1);
	CHECK_INT(save_prune_choice(NULL), -1);
	v1[0].is_default = true;
	v1[1].is_default = false;
	CHECK_INT(save_prune_choice(&l1), 1);
}

static bool text_has(struct rejects *r, const char *s)
{
	struct buf b;
	bool found;

	buf_init(&b, 0);
	CHECK_INT(rejects_errors_text(r, &b), 0);
	found = b.data && strstr(b.data, s);
	buf_cleanup(&b);
	return found;
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 0777);
}

static void test_record(void)
{
	char dir[] = "/tmp/iamfs-test-save-XXXXXX", path[256], kept[REJECTS_NAME_MAX + 1];
	struct rejects_event ev = {.time = T0,
				   .role = "web",
				   .path = "trust.json",
				   .bytes = "{bad",
				   .len = 4,
				   .err = EINVAL,
				   .message = "line 1, column 5: bad"};
	struct cache_rejected_list l;
	struct rejects *r = NULL;

	if (!mkdtemp(dir))
		return;
	CHECK_INT(rejects_open(dir, &r), 0);
	CHECK_INT(rejects_add(r, &ev, kept, sizeof(kept)), 0);
	CHECK_STR(kept, "20270115T080000Z-web-trust.json");
	CHECK_INT(rejects_add(r, &ev, kept, sizeof(kept)), 0);
	CHECK_STR(kept, "20270115T080000Z-web-trust-2.json");
	ev.bytes = NULL; /* a refused delete keeps no bytes */
	ev.err = -EACCES;
	ev.code = "AccessDenied";
	ev.request_id = "r-9";
	CHECK_INT(rejects_add(r, &ev, kept, sizeof(kept)), 0);
	CHECK_STR(kept, "");
	CHECK_INT(rejects_count(r), 2);
	rejects_close(r);
	snprintf(path, sizeof(path), "%s/rejected", dir);
	CHECK_INT(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/rejected/20270115T080000Z-web-trust-2.json", dir);
	CHECK_INT(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/errors.log", dir);
	CHECK_INT(mode_of(path), 0600);
	/* A remount reads both back. */
	r = NULL;
	CHECK_INT(rejects_open(dir, &r), 0);
	CHECK_INT(rejects_count(r), 2);
	CHECK(text_has(
		r, "2027-01-15T08:00:00Z web/trust.json EINVAL local: line 1, column 5: bad\n"));
	CHECK(text_has(
		r, "web/trust.json EACCES AccessDenied: line 1, column 5: bad (request id r-9)\n"));
	CHECK_INT(rejects_list(r, &l), 0);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_STR(l.v[0].name, "20270115T080000Z-web-trust-2.json");
		CHECK_STR(l.v[1].name, "20270115T080000Z-web-trust.json");
		CHECK_INT(l.v[1].doc->len, 4);
		CHECK(!memcmp(l.v[1].doc->bytes, "{bad", 4));
	}
	cache_rejected_list_cleanup(&l);
	/* Names stay unique across mounts. */
	ev.bytes = "x";
	ev.len = 1;
	CHECK_INT(rejects_add(r, &ev, kept, sizeof(kept)), 0);
	CHECK_STR(kept, "20270115T080000Z-web-trust-3.json");
	rejects_close(r);
	/* Memory only. */
	r = NULL;
	CHECK_INT(rejects_open(NULL, &r), 0);
	CHECK_INT(rejects_add(r, &ev, kept, sizeof(kept)), 0);
	CHECK_STR(kept, "20270115T080000Z-web-trust.json");
	CHECK(text_has(r, "EACCES AccessDenied"));
	rejects_close(r);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
}

/* An unsettled save's journal entry, kept by file until a later save of that file
 * lands and takes it back. */
static void test_kept(void)
{
	struct save_state st;

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.mu, NULL);
	CHECK_INT(save_kept_take(&st, "0/web/"), 0);
	CHECK_INT(save_kept_add(&st, "0/web/", 7), 0);
	CHECK_INT(save_kept_add(&st, "1/web/p", 8), 0);
	CHECK_INT(save_kept_add(&st, "0/web/", 9), 0);
	CHECK_INT(save_kept_take(&st, "2/web/p"), 0);
	CHECK_INT(save_kept_take(&st, "1/web/p"), 8);
	CHECK_INT(save_kept_take(&st, "1/web/p"), 0);
	/* Every entry of the file comes back, one per call, then none. */
	{
		unsigned long long a = save_kept_take(&st, "0/web/"),
				   b = save_kept_take(&st, "0/web/");

		CHECK(a + b == 16 && a != b);
	}
	CHECK_INT(save_kept_take(&st, "0/web/"), 0);
	CHECK_INT(st.nkept, 0);
	free(st.kept);
	pthread_mutex_destroy(&st.mu);
}

static void test_retry_principal(void)
{
	static const char bad[] = "MalformedPolicyDocument";
	long long waited = 0;
	long d;
	int n = 0;

	CHECK(save_retry_principal(bad, "Invalid principal in policy: \"AWS\":\"arn:x\""));
	CHECK(save_retry_principal(bad, "Invalid principal"));
	CHECK(!save_retry_principal(bad, "Invalid policy: Statement must not be empty"));
	CHECK(!save_retry_principal(bad, "Has prohibited field Principal"));
	CHECK(!save_retry_principal(bad, "invalid principal in policy"));
	CHECK(!save_retry_principal(bad, " Invalid principal in policy"));
	CHECK(!save_retry_principal(bad, ""));
	CHECK(!save_retry_principal(bad, NULL));
	CHECK(!save_retry_principal("AccessDenied", "Invalid principal in policy"));
	CHECK(!save_retry_principal("MalformedPolicyDocumentX", "Invalid principal"));
	CHECK(!save_retry_principal("", "Invalid principal"));
	CHECK(!save_retry_principal(NULL, "Invalid principal"));
	/* Doubling from the first wait up to the step, each call taking no time. */
	CHECK_INT(save_principal_delay_ms(0, 0), SAVE_PRINCIPAL_FIRST_MS);
	CHECK_INT(save_principal_delay_ms(1, 500), 1000);
	CHECK_INT(save_principal_delay_ms(2, 1500), SAVE_PRINCIPAL_STEP_MS);
	CHECK_INT(save_principal_delay_ms(40, 1500), SAVE_PRINCIPAL_STEP_MS);
	/* Cut at the end of the budget, then none. */
	CHECK_INT(save_principal_delay_ms(5, 9500), 500);
	CHECK_INT(save_principal_delay_ms(0, 9999), 1);
	CHECK_INT(save_principal_delay_ms(6, SAVE_PRINCIPAL_WAIT_MS), -1);
	CHECK_INT(save_principal_delay_ms(0, SAVE_PRINCIPAL_WAIT_MS + 1), -1);
	CHECK_INT(save_principal_delay_ms(-1, 0), -1);
	CHECK_INT(save_principal_delay_ms(0, -1), -1);
	/* A whole run with calls of 100 ms each: bounded, the last call near 10 s. */
	for (;;) {
		waited += 100; /* the call */
		if ((d = save_principal_delay_ms(n, waited)) < 0)
			break;
		waited += d;
		n++;
	}
	CHECK_INT(n, 6); /* 7 calls: at 0, 0.6, 1.7, 3.8, 5.9, 8.0 and 10.0 s */
	CHECK(waited >= SAVE_PRINCIPAL_WAIT_MS && waited <= SAVE_PRINCIPAL_WAIT_MS + 100);
}

int main(void)
{
	test_names();
	test_lines();
	test_budget();
	test_conflicts();
	test_prune();
	test_retry_principal();
	test_record();
	test_kept();
	return check_done("save");
}
