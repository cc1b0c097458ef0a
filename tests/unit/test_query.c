/*
 * http.c, query.c and iam.c against a scripted HTTP server on 127.0.0.1 in a
 * thread: keep-alive, the response cap, timeouts and dropped connections;
 * what a signed request carries; retries with an injected clock, sleep and
 * randomness (no real waiting); the expired-token retry and Marker paging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fakehttp.h"

#include "aws/http.h"
#include "aws/iam.h"
#include "aws/query.h"

/* ---- http.c ---- */

static void test_http(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 200, .body = "<ok/>"},
		{.status = 404, .body = "<missing/>"}, /* still an answer */
		{.status = 200, .big = 5000},	       /* over max_response */
		{.kind = FAKEHTTP_DROP},	       /* ConnectionError */
		{.kind = FAKEHTTP_HANG},	       /* Timeout */
	};
	struct http_options o = {.timeout_ms = 400, .max_response = 1000};
	const char *hdrs[] = {"X-Test: 1", NULL};
	struct fakehttp f;
	struct http_share *sh = NULL;
	struct http_conn *c = NULL;
	struct aws_error err;
	struct buf resp;
	char url[64];
	long status = 0;

	fakehttp_start(&f, steps, 5);
	fakehttp_url(&f, url, sizeof(url));
	buf_init(&resp, 0);
	CHECK_INT(http_share_new(&sh), 0);
	CHECK_INT(http_conn_new(sh, &o, &c), 0);
	aws_error_clear(&err);
	CHECK_INT(http_request(c, "POST", url, hdrs, "a=1", 3, &status, &resp, &err), 0);
	CHECK_INT(status, 200);
	CHECK_STR(resp.data, "<ok/>");
	CHECK(strstr(f.reqs[0], "POST / HTTP/1.1\r\n") == f.reqs[0]);
	CHECK(strstr(f.reqs[0], "\r\nX-Test: 1\r\n") != NULL);
	CHECK(strstr(f.reqs[0], "\r\n\r\na=1") != NULL);
	CHECK(strcasestr(f.reqs[0], "\r\nExpect:") == NULL);
	/* A non-2xx answer is still an answer: the caller reads status and body. */
	CHECK_INT(http_request(c, "GET", url, NULL, NULL, 0, &status, &resp, &err), 0);
	CHECK_INT(status, 404);
	CHECK_STR(resp.data, "<missing/>");
	CHECK(strstr(f.reqs[1], "GET / HTTP/1.1\r\n") == f.reqs[1]);
	CHECK_INT(f.connections, 1); /* keep-alive: one connection for both */
	CHECK_INT(http_request(c, "GET", url, NULL, NULL, 0, &status, &resp, &err), -EFBIG);
	CHECK_STR(err.code, "ResponseTooLarge");
	CHECK_INT(resp.len, 0);
	CHECK_INT(http_request(c, "POST", url, NULL, "b", 1, &status, &resp, &err), -EIO);
	CHECK_STR(err.code, "ConnectionError");
	CHECK_INT(err.http_status, 0);
	CHECK_INT(http_request(c, "POST", url, NULL, "c", 1, &status, &resp, &err), -ETIMEDOUT);
	CHECK_STR(err.code, "Timeout");
	CHECK_INT(f.served, 5);
	http_conn_free(c);
	http_share_free(sh);
	fakehttp_stop(&f);
	/* Nothing listens on the port any more: a refused connection. */
	CHECK_INT(http_conn_new(NULL, NULL, &c), 0);
	CHECK_INT(http_request(c, "GET", url, NULL, NULL, 0, &status, &resp, &err), -EIO);
	CHECK_STR(err.code, "ConnectionError");
	http_conn_free(c);
	buf_cleanup(&resp);
}

/* A big body must go out at once, without waiting for 100-continue. */
static void test_http_big_body(void)
{
	static const struct fakehttp_step steps[] = {{.status = 200, .body = "<ok/>"}};
	size_t n = 2u << 20;
	char *body = malloc(n);
	struct fakehttp f;
	struct http_conn *c = NULL;
	struct aws_error err;
	struct buf resp;
	char url[64];
	long status = 0;

	memset(body, 'a', n);
	fakehttp_start(&f, steps, 1);
	fakehttp_url(&f, url, sizeof(url));
	buf_init(&resp, 0);
	CHECK_INT(http_conn_new(NULL, NULL, &c), 0);
	CHECK_INT(http_request(c, "POST", url, NULL, body, n, &status, &resp, &err), 0);
	CHECK_INT(status, 200);
	CHECK(strcasestr(f.reqs[0], "\r\nExpect:") == NULL);
	CHECK(strstr(f.reqs[0], "\r\nContent-Length: 2097152\r\n") != NULL);
	http_conn_free(c);
	fakehttp_stop(&f);
	buf_cleanup(&resp);
	free(body);
}

/* ---- query.c ---- */

/* An injected clock that moves only when the code sleeps. */
struct fake_clock {
	long long now;
	long slept[32];
	int nsleeps;
	int attempts;
	char last_action[64];
};

static long long fc_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->now;
}

static void fc_sleep(void *ctx, long ms)
{
	struct fake_clock *fc = ctx;

	if (fc->nsleeps < 32)
		fc->slept[fc->nsleeps++] = ms;
	fc->now += ms;
}

static unsigned fc_random(void *ctx)
{
	return 0xffffffffu; /* the top of every jitter range */
}

static void fc_attempt(void *ctx, const char *action)
{
	struct fake_clock *fc = ctx;

	fc->attempts++;
	snprintf(fc->last_action, sizeof(fc->last_action), "%s", action);
}

#define THROTTLE                                                                                   \
	"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"                         \
	"<Message>Rate exceeded</Message></Error><RequestId>rq-1</RequestId></ErrorResponse>"
#define MALFORMED                                                                                  \
	"<ErrorResponse><Error><Type>Sender</Type><Code>MalformedPolicyDocument</Code>"            \
	"<Message>Syntax errors in policy.</Message></Error><RequestId>rq-2</RequestId>"           \
	"</ErrorResponse>"
#define FAILURE                                                                                    \
	"<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code>"                   \
	"<Message>oops</Message></Error><RequestId>rq-3</RequestId></ErrorResponse>"
#define EMPTY_OK                                                                                   \
	"<PutRolePolicyResponse><ResponseMetadata><RequestId>ok</RequestId>"                       \
	"</ResponseMetadata></PutRolePolicyResponse>"

struct query_case {
	const char *name;
	struct fakehttp_step steps[6];
	int nsteps;
	int max_attempts;
	long budget_ms;
	int want_rc;
	int want_attempts;
	const char *want_code;
};

static const struct query_case query_cases[] = {
	{"ok", {{.status = 200, .body = EMPTY_OK}}, 1, 5, 5000, 0, 1, ""},
	{"two throttles",
	 {{.status = 400, .body = THROTTLE},
	  {.status = 400, .body = THROTTLE},
	  {.status = 200, .body = EMPTY_OK}},
	 3,
	 5,
	 5000,
	 0,
	 3,
	 ""},
	{"throttled to the attempt cap",
	 {{.status = 400, .body = THROTTLE}},
	 1,
	 4,
	 60000,
	 -EAGAIN,
	 4,
	 "Throttling"},
	{"5xx then ok",
	 {{.status = 503, .body = FAILURE}, {.status = 200, .body = EMPTY_OK}},
	 2,
	 5,
	 5000,
	 0,
	 2,
	 ""},
	{"429 without a code",
	 {{.status = 429, .body = ""}, {.status = 200, .body = EMPTY_OK}},
	 2,
	 5,
	 5000,
	 0,
	 2,
	 ""},
	{"persistent 500",
	 {{.status = 500, .body = FAILURE}},
	 1,
	 3,
	 60000,
	 -EIO,
	 3,
	 "ServiceFailure"},
	{"validation error not retried",
	 {{.status = 400, .body = MALFORMED}},
	 1,
	 5,
	 5000,
	 -EINVAL,
	 1,
	 "MalformedPolicyDocument"},
	{"drop then ok",
	 {{.kind = FAKEHTTP_DROP}, {.status = 200, .body = EMPTY_OK}},
	 2,
	 5,
	 5000,
	 0,
	 2,
	 ""},
};

static void query_endpoint(const struct fakehttp *f, struct aws_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	fakehttp_url(f, ep->url, sizeof(ep->url));
	snprintf(ep->host, sizeof(ep->host), "127.0.0.1:%d", f->port);
	snprintf(ep->path, sizeof(ep->path), "/");
	snprintf(ep->region, sizeof(ep->region), "us-east-1");
	snprintf(ep->service, sizeof(ep->service), "iam");
}

static void test_query_cases(void)
{
	struct aws_creds creds = {.access_key_id = "AKIDEXAMPLE", .secret_access_key = "s3cr3t"};
	struct aws_params p;
	size_t i;

	aws_params_init(&p);
	aws_params_add(&p, "Action", "PutRolePolicy");
	aws_params_add(&p, "Version", "2010-05-08");
	for (i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
		const struct query_case *t = &query_cases[i];
		struct fake_clock fc = {.now = 1000};
		struct query_config cfg = {.max_attempts = t->max_attempts,
					   .budget_ms = t->budget_ms,
					   .now_ms = fc_now,
					   .sleep_ms = fc_sleep,
					   .random = fc_random,
					   .on_attempt = fc_attempt,
					   .ctx = &fc};
		struct fakehttp f;
		struct http_conn *c = NULL;
		struct aws_endpoint ep;
		struct aws_error err;
		struct buf resp;
		int rc;

		fprintf(stderr, "case %s\n", t->name);
		fakehttp_start(&f, t->steps, t->nsteps);
		query_endpoint(&f, &ep);
		buf_init(&resp, 0);
		http_conn_new(NULL, NULL, &c);
		rc = query_call(c, &ep, &creds, &p, &cfg, &resp, &err);
		CHECK_INT(rc, t->want_rc);
		CHECK_INT(err.attempts, t->want_attempts);
		CHECK_INT(fc.attempts, t->want_attempts);
		CHECK_INT(f.served, t->want_attempts);
		CHECK_STR(err.code, t->want_code);
		CHECK_STR(fc.last_action, "PutRolePolicy");
		CHECK_INT(fc.nsleeps, t->want_attempts - 1);
		if (rc == 0)
			CHECK_STR(resp.data, EMPTY_OK);
		http_conn_free(c);
		buf_cleanup(&resp);
		fakehttp_stop(&f);
	}
	aws_params_cleanup(&p);
}

/* Backoff doubles from base_delay (with jitter in its upper half), is capped at
 * max_delay, and never sleeps past the budget. */
static void test_query_backoff_and_budget(void)
{
	static const struct fakehttp_step steps[] = {{.status = 400, .body = THROTTLE}};
	struct aws_creds creds = {.access_key_id = "AKIDEXAMPLE", .secret_access_key = "s3cr3t"};
	struct fake_clock fc = {.now = 0};
	struct query_config cfg = {.max_attempts = 20,
				   .budget_ms = 1000,
				   .base_delay_ms = 100,
				   .max_delay_ms = 300,
				   .now_ms = fc_now,
				   .sleep_ms = fc_sleep,
				   .random = fc_random,
				   .ctx = &fc};
	struct fakehttp f;
	struct http_conn *c = NULL;
	struct aws_endpoint ep;
	struct aws_params p;
	struct aws_error err;
	struct buf resp;
	long total = 0;
	int i;

	fakehttp_start(&f, steps, 1);
	query_endpoint(&f, &ep);
	buf_init(&resp, 0);
	aws_params_init(&p);
	aws_params_add(&p, "Action", "GetRole");
	http_conn_new(NULL, NULL, &c);
	CHECK_INT(query_call(c, &ep, &creds, &p, &cfg, &resp, &err), -EAGAIN);
	/* random() is at its maximum, so each sleep is the whole step: 100, 200, 300, 300. */
	CHECK_INT(fc.nsleeps, 4);
	CHECK_INT(fc.slept[0], 100);
	CHECK_INT(fc.slept[1], 200);
	CHECK_INT(fc.slept[2], 300);
	CHECK_INT(fc.slept[3], 300);
	for (i = 0; i < fc.nsleeps; i++)
		total += fc.slept[i];
	CHECK(total < cfg.budget_ms);
	CHECK_INT(err.attempts, 5);
	CHECK_STR(err.request_id, "rq-1");
	http_conn_free(c);
	aws_params_cleanup(&p);
	buf_cleanup(&resp);
	fakehttp_stop(&f);
}

static void test_query_signed_request(void)
{
	static const struct fakehttp_step steps[] = {{.status = 200, .body = EMPTY_OK}};
	struct aws_creds creds = {.access_key_id = "AKIDEXAMPLE",
				  .secret_access_key = "s3cr3t",
				  .session_token = "TOKEN/abc="};
	struct query_config cfg = {.user_agent = "iamfs-test/1"};
	struct fakehttp f;
	struct http_conn *c = NULL;
	struct aws_endpoint ep;
	struct aws_params p;
	struct aws_error err;
	struct buf resp;
	const char *r;
	char host[64];

	fakehttp_start(&f, steps, 1);
	query_endpoint(&f, &ep);
	buf_init(&resp, 0);
	aws_params_init(&p);
	aws_params_add(&p, "Action", "GetRole");
	aws_params_add(&p, "Version", "2010-05-08");
	aws_params_add(&p, "RoleName", "a b+c");
	http_conn_new(NULL, NULL, &c);
	CHECK_INT(query_call(c, &ep, &creds, &p, &cfg, &resp, &err), 0);
	r = f.reqs[0];
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%d\r\n", f.port);
	CHECK(strstr(r, host) != NULL);
	CHECK(strstr(r, "\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"));
	CHECK(strstr(r, "\r\nX-Amz-Date: 20") != NULL);
	CHECK(strstr(r, "\r\nX-Amz-Security-Token: TOKEN/abc=\r\n") != NULL);
	CHECK(strstr(r, "\r\nUser-Agent: iamfs-test/1\r\n") != NULL);
	CHECK(strstr(r, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") != NULL);
	CHECK(strstr(r, "/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
			"x-amz-security-token, Signature=") != NULL);
	CHECK(strstr(r, "\r\n\r\nAction=GetRole&Version=2010-05-08&RoleName=a+b%2Bc") != NULL);
	CHECK(strstr(r, "s3cr3t") == NULL);
	/* Unsigned (AssumeRoleWithWebIdentity): no Authorization, no token. */
	CHECK_INT(query_call(c, &ep, NULL, &p, &cfg, &resp, &err), 0);
	CHECK(strstr(f.reqs[1], "Authorization") == NULL);
	CHECK(strstr(f.reqs[1], "X-Amz-Security-Token") == NULL);
	http_conn_free(c);
	aws_params_cleanup(&p);
	buf_cleanup(&resp);
	fakehttp_stop(&f);
}

/* ---- iam.c ---- */

static const char *fake_env_get(void *ctx, const char *name)
{
	static const char *const vars[][2] = {
		{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
		{"AWS_SECRET_ACCESS_KEY", "s3cr3t"},
		{"AWS_REGION", "us-east-1"},
		{"AWS_CONFIG_FILE", "/nonexistent/config"},
		{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
		{"AWS_EC2_METADATA_DISABLED", "true"},
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(name, vars[i][0]))
			return vars[i][1];
	return NULL;
}

#define ROLE_XML(n)                                                                                \
	"<member><Path>/</Path><RoleName>" n "</RoleName><RoleId>AROA" n "</RoleId>"               \
	"<Arn>arn:aws:iam::123456789012:role/" n "</Arn>"                                          \
	"<CreateDate>2024-01-01T00:00:00Z</CreateDate>"                                            \
	"<AssumeRolePolicyDocument>%7B%22Statement%22%3A%5B%5D%7D</AssumeRolePolicyDocument>"      \
	"</member>"
#define LIST_PAGE(trunc, marker, roles)                                                            \
	"<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult>" \
	"<IsTruncated>" trunc "</IsTruncated>" marker "<Roles>" roles "</Roles>"                   \
	"</ListRolesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"          \
	"</ListRolesResponse>"
#define EXPIRED                                                                                    \
	"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"                       \
	"<Message>The security token included in the request is expired</Message></Error>"         \
	"<RequestId>rq-9</RequestId></ErrorResponse>"

static void iam_setup(struct fakehttp *f, struct iam_client **cl, struct iam_conn **conn)
{
	static const struct creds_env env = {.getenv = fake_env_get};
	static char url[64];
	struct iam_client_options o = {.env = &env, .page_size = 2};
	struct aws_error err;

	fakehttp_url(f, url, sizeof(url));
	o.endpoint_url = url;
	o.sts_endpoint_url = url;
	CHECK_INT(iam_client_new(&o, cl, &err), 0);
	CHECK_INT(iam_conn_new(*cl, conn), 0);
}

static void count_cb(void *ctx, const char *action, unsigned long n)
{
	char *out = ctx;
	size_t len = strlen(out);

	snprintf(out + len, 256 - len, "%s=%lu;", action, n);
}

static void test_iam_paging_and_expiry(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 403, .body = EXPIRED},
		{.status = 200,
		 .body = LIST_PAGE("true", "<Marker>m+1</Marker>", ROLE_XML("a") ROLE_XML("b"))},
		{.status = 200, .body = LIST_PAGE("false", "", ROLE_XML("c"))},
		{.status = 200, .body = LIST_PAGE("true", "<Marker>m2</Marker>", ROLE_XML("d"))},
		{.status = 400, .body = MALFORMED},
	};
	struct iam_role_list roles = {0};
	struct iam_client *cl = NULL;
	struct iam_conn *conn = NULL;
	struct fakehttp f;
	struct aws_error err;
	char counts[256] = "";

	fakehttp_start(&f, steps, 5);
	iam_setup(&f, &cl, &conn);
	CHECK_STR(iam_client_endpoint(cl)->region, "us-east-1");
	CHECK_STR(iam_client_endpoint(cl)->service, "iam");
	CHECK_STR(iam_client_sts_endpoint(cl)->service, "sts");
	/* ExpiredToken, then the same call again, then page 2 with the Marker. */
	CHECK_INT(iam_list_roles(conn, &roles, &err), 0);
	CHECK_INT(roles.n, 3);
	if (roles.n == 3) {
		CHECK_STR(roles.v[0].name, "a");
		CHECK_STR(roles.v[2].name, "c");
		CHECK_STR(roles.v[1].trust_policy, "{\"Statement\":[]}");
	}
	CHECK(strstr(f.reqs[0], "Action=ListRoles&Version=2010-05-08&MaxItems=2") != NULL);
	CHECK(strstr(f.reqs[1], "Action=ListRoles&Version=2010-05-08&MaxItems=2") != NULL);
	CHECK(strstr(f.reqs[2], "&MaxItems=2&Marker=m%2B1") != NULL);
	/* A chain that fails on page 2 leaves the output untouched. */
	CHECK_INT(iam_list_roles(conn, &roles, &err), -EINVAL);
	CHECK_INT(roles.n, 3);
	CHECK_STR(err.code, "MalformedPolicyDocument");
	iam_client_each_count(cl, count_cb, counts);
	CHECK_STR(counts, "ListRoles=5;");
	CHECK_INT(iam_client_total_calls(cl), 5);
	iam_role_list_cleanup(&roles);
	iam_conn_free(conn);
	iam_client_free(cl);
	fakehttp_stop(&f);
}

static const char *env_two_attempts(void *ctx, const char *name)
{
	return !strcmp(name, "AWS_MAX_ATTEMPTS") ? "2" : fake_env_get(ctx, name);
}

/* The client forwards the caller's hooks with the caller's ctx, counts every
 * request, and takes AWS_MAX_ATTEMPTS from the injected environment. */
static void test_iam_hooks_and_env_attempts(void)
{
	static const struct fakehttp_step steps[] = {{.status = 400, .body = THROTTLE}};
	static const struct creds_env env = {.getenv = env_two_attempts};
	struct fake_clock fc = {.now = 0};
	struct iam_client_options o = {.env = &env};
	struct iam_client *cl = NULL;
	struct iam_conn *conn = NULL;
	struct iam_role role = {0};
	struct fakehttp f;
	struct aws_error err;
	char url[64], counts[256] = "";

	fakehttp_start(&f, steps, 1);
	fakehttp_url(&f, url, sizeof(url));
	o.endpoint_url = url;
	o.query.now_ms = fc_now;
	o.query.sleep_ms = fc_sleep;
	o.query.random = fc_random;
	o.query.on_attempt = fc_attempt;
	o.query.ctx = &fc;
	CHECK_INT(iam_client_new(&o, &cl, &err), 0);
	CHECK_INT(iam_conn_new(cl, &conn), 0);
	CHECK_INT(iam_get_role(conn, "r", &role, &err), -EAGAIN);
	CHECK(role.name == NULL);
	CHECK_INT(err.attempts, 2);
	CHECK_INT(fc.attempts, 2);
	CHECK_STR(fc.last_action, "GetRole");
	CHECK_INT(fc.nsleeps, 1);
	CHECK_INT(fc.slept[0], 100);
	CHECK(strstr(f.reqs[0], "Action=GetRole&Version=2010-05-08&RoleName=r") != NULL);
	CHECK(strstr(f.reqs[0], "MaxItems") == NULL);
	iam_client_each_count(cl, count_cb, counts);
	CHECK_STR(counts, "GetRole=2;");
	iam_conn_free(conn);
	iam_client_free(cl);
	fakehttp_stop(&f);
}

int main(void)
{
	http_global_init();
	test_http();
	test_http_big_body();
	test_query_cases();
	test_query_backoff_and_budget();
	test_query_signed_request();
	test_iam_paging_and_expiry();
	test_iam_hooks_and_env_attempts();
	http_global_cleanup();
	return check_done("query");
}
