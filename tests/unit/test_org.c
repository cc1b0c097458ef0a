/*
 * Organizations ListAccounts and assumed-role clients against a scripted HTTP
 * server on 127.0.0.1 in a thread: the JSON request (target, content type,
 * body, signed headers), NextToken paging and its refusals, error answers,
 * throttling retried through the injected sleep, the endpoint rule from an
 * injected environment; the assumed provider's refresh on an injected clock
 * (cached, refreshed 5 minutes before expiry, one AssumeRole for many threads,
 * a refusal naming the role and no secret).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fakeenv.h"
#include "fakehttp.h"

#include "aws/creds.h"
#include "aws/http.h"
#include "aws/iam.h"
#include "aws/org.h"

#define T0     1893456000LL /* 2030-01-01T00:00:00Z */
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define ROLE   "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole"

/* ---- an injected environment and clock ---- */

/* Static keys, shared files that do not exist, and the fake server for every service
 * named in which ("org", "sts", "all" for AWS_ENDPOINT_URL). */
static void env_for(struct fakeenv *e, const struct fakehttp *f, const char *which)
{
	memset(e, 0, sizeof(*e));
	e->now = T0;
	fakeenv_set(e, 0, "AWS_ACCESS_KEY_ID=AKIDBASE");
	fakeenv_set(e, 1, "AWS_SECRET_ACCESS_KEY=" SECRET);
	fakeenv_set(e, 2, "AWS_CONFIG_FILE=/nonexistent/config");
	fakeenv_set(e, 3, "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/c");
	fakeenv_set(e, 4, "AWS_ENDPOINT_URL%s=http://127.0.0.1:%d/",
		    !strcmp(which, "all")   ? ""
		    : !strcmp(which, "sts") ? "_STS"
					    : "_ORGANIZATIONS",
		    f ? f->port : 1);
}

static struct iam_client *client_for(struct fakeenv *e)
{
	struct creds_env ce = {fakeenv_getenv, fakeenv_now, e};
	struct iam_client_options o = {0};
	struct iam_client *c = NULL;
	struct aws_error err;

	o.env = &ce;
	o.query.sleep_ms = fakeenv_sleep;
	o.query.ctx = e;
	CHECK_INT(iam_client_new(&o, &c, &err), 0);
	return c;
}

struct count_want {
	const char *action;
	unsigned long n;
};

static void count_one(void *ctx, const char *action, unsigned long n)
{
	struct count_want *w = ctx;

	if (!strcmp(w->action, action))
		w->n = n;
}

static unsigned long count_of(struct iam_client *c, const char *action)
{
	struct count_want w = {action, 0};

	iam_client_each_count(c, count_one, &w);
	return w.n;
}

/* ---- ListAccounts ---- */

#define ACC(id, name, st) "{\"Id\":\"" id "\",\"Name\":\"" name "\",\"Status\":\"" st "\"}"

static void test_paging(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 200,
		 .body = "{\"Accounts\":[" ACC("111111111111", "mgmt", "ACTIVE") "," ACC(
			 "222222222222", "dev", "SUSPENDED") "],\"NextToken\":\"t1\"}"},
		{.status = 200, .body = "{\"Accounts\":[],\"NextToken\":\"t2\"}"},
		{.status = 200,
		 .body = "{\"Accounts\":[{\"Id\":\"333333333333\",\"Name\":\"pr\\u00e9\",\"State\":"
			 "\"PENDING_CLOSURE\",\"Arn\":\"x\"}],\"NextToken\":null}"},
	};
	struct org_account_list l = {0};
	struct fakehttp f;
	struct fakeenv e;
	struct iam_client *c;
	struct aws_error err;

	fakehttp_start(&f, steps, 3);
	env_for(&e, &f, "org");
	c = client_for(&e);
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_STR(l.items[0].id, "111111111111");
		CHECK_STR(l.items[0].name, "mgmt");
		CHECK_STR(l.items[0].status, "ACTIVE");
		CHECK_STR(l.items[1].status, "SUSPENDED");
		CHECK_STR(l.items[2].name, "pr\xc3\xa9");
		CHECK_STR(l.items[2].status, "PENDING_CLOSURE");
	}
	CHECK_INT(f.served, 3);
	CHECK(strstr(f.reqs[0], "POST / HTTP/1.1\r\n") == f.reqs[0]);
	CHECK(strstr(f.reqs[0], "\r\nContent-Type: application/x-amz-json-1.1\r\n") != NULL);
	CHECK(strstr(f.reqs[0], "\r\nX-Amz-Target: AWSOrganizationsV20161128.ListAccounts\r\n"));
	CHECK(strstr(f.reqs[0], "/us-east-1/organizations/aws4_request, SignedHeaders=content-type;"
				"host;x-amz-date;x-amz-target, ") != NULL);
	CHECK_STR(fakehttp_body(f.reqs[0]), "{}");
	CHECK_STR(fakehttp_body(f.reqs[1]), "{\"NextToken\":\"t1\"}");
	CHECK_STR(fakehttp_body(f.reqs[2]), "{\"NextToken\":\"t2\"}");
	CHECK_INT(count_of(c, "ListAccounts"), 3);
	org_account_list_free(&l);
	CHECK_INT(l.n, 0);
	iam_client_free(c);
	fakehttp_stop(&f);
}

/* Answers that cannot be believed end the chain with -EIO and leave out untouched. */
static void test_bad_answers(void)
{
	static const struct {
		struct fakehttp_step steps[2];
		int n;
	} cases[] = {
		{{{.status = 200, .body = "{\"Accounts\":[],\"NextToken\":\"same\"}"},
		  {.status = 200, .body = "{\"Accounts\":[],\"NextToken\":\"same\"}"}},
		 2},
		{{{.status = 200, .body = "not json"}}, 1},
		{{{.status = 200, .body = "{\"Accounts\":{}}"}}, 1},
		{{{.status = 200,
		   .body = "{\"Accounts\":[{\"Id\":\"12345\",\"Name\":\"short\"}]}"}},
		 1},
		{{{.status = 200, .body = "{\"Accounts\":[{\"Id\":\"12345678901x\"}]}"}}, 1},
		{{{.status = 200, .body = "[]"}}, 1},
	};
	struct org_account_list l = {(struct org_account *)&l, 7};
	struct fakehttp f;
	struct fakeenv e;
	struct iam_client *c;
	struct aws_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fakehttp_start(&f, cases[i].steps, cases[i].n);
		env_for(&e, &f, "all");
		c = client_for(&e);
		CHECK_INT(iam_list_org_accounts(c, &l, &err), -EIO);
		CHECK_STR(err.code, "MalformedResponse");
		CHECK(l.items == (struct org_account *)&l && l.n == 7);
		iam_client_free(c);
		fakehttp_stop(&f);
	}
}

static void test_errors(void)
{
	static const struct {
		struct fakehttp_step step;
		int rc;
		const char *code, *message;
	} cases[] = {
		{{.status = 400,
		  .body = "{\"__type\":\"AccessDeniedException\",\"Message\":\"You don't have "
			  "permissions\"}"},
		 -EACCES,
		 "AccessDeniedException",
		 "these credentials cannot list the organization's accounts "
		 "(AccessDeniedException: "
		 "You don't have permissions); use the management account or a delegated "
		 "administrator"},
		{{.status = 400,
		  .body = "{\"__type\":\"com.amazon#AWSOrganizationsNotInUseException\","
			  "\"message\":\"Your account is not a member of an organization.\"}"},
		 -EACCES,
		 "AWSOrganizationsNotInUseException",
		 "these credentials cannot list the organization's accounts "
		 "(AWSOrganizationsNotInUseException: Your account is not a member of an "
		 "organization.)"},
		{{.status = 403,
		  .body = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
			  "</Error></ErrorResponse>"},
		 -EACCES,
		 "AccessDenied",
		 "these credentials cannot list the organization's accounts (AccessDenied: no)"},
		{{.status = 400,
		  .body = "{\"__type\":\"InvalidInputException\",\"message\":\"bad token\"}"},
		 -EINVAL,
		 "InvalidInputException",
		 "bad token"},
	};
	struct org_account_list l = {0};
	struct fakehttp f;
	struct fakeenv e;
	struct iam_client *c;
	struct aws_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fakehttp_start(&f, &cases[i].step, 1);
		env_for(&e, &f, "org");
		c = client_for(&e);
		CHECK_INT(iam_list_org_accounts(c, &l, &err), cases[i].rc);
		CHECK_STR(err.code, cases[i].code);
		CHECK(strstr(err.message, cases[i].message) == err.message);
		CHECK_INT(f.served, 1); /* refusals are not retried */
		CHECK_INT(l.n, 0);
		iam_client_free(c);
		fakehttp_stop(&f);
	}
}

/* Throttling and 5xx are retried through the injected sleep; the page is asked again. */
static void test_throttled(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 400,
		 .body = "{\"__type\":\"TooManyRequestsException\",\"message\":\"slow down\"}"},
		{.status = 503, .body = "{\"__type\":\"ServiceException\",\"message\":\"later\"}"},
		{.status = 200, .body = "{\"Accounts\":[" ACC("444444444444", "a", "ACTIVE") "]}"},
	};
	struct org_account_list l = {0};
	struct fakehttp f;
	struct fakeenv e;
	struct iam_client *c;
	struct aws_error err;

	fakehttp_start(&f, steps, 3);
	env_for(&e, &f, "org");
	c = client_for(&e);
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	CHECK_INT(l.n, 1);
	CHECK_INT(e.slept, 2);
	CHECK_INT(f.served, 3);
	CHECK_INT(count_of(c, "ListAccounts"), 3);
	CHECK_STR(fakehttp_body(f.reqs[2]), "{}");
	org_account_list_free(&l);
	iam_client_free(c);
	fakehttp_stop(&f);
}

/* AWS_ENDPOINT_URL_ORGANIZATIONS, then AWS_ENDPOINT_URL, then the partition's endpoint;
 * the option wins over both. */
static void test_endpoint_rule(void)
{
	struct creds_env ce;
	struct iam_client_options o = {0};
	struct iam_client *c = NULL;
	struct aws_error err;
	struct fakeenv e;

	env_for(&e, NULL, "org");
	fakeenv_set(&e, 5, "AWS_ENDPOINT_URL=http://all.test:1/");
	ce = (struct creds_env){fakeenv_getenv, fakeenv_now, &e};
	o.env = &ce;
	CHECK_INT(iam_client_new(&o, &c, &err), 0);
	CHECK_STR(iam_client_org_endpoint(c)->url, "http://127.0.0.1:1/");
	CHECK_STR(iam_client_org_endpoint(c)->region, "us-east-1");
	CHECK_STR(iam_client_org_endpoint(c)->service, "organizations");
	CHECK_STR(iam_client_endpoint(c)->url, "http://all.test:1/");
	iam_client_free(c);
	e.vars[4] = e.vars[5];
	e.vars[5] = NULL;
	CHECK_INT(iam_client_new(&o, &c, &err), 0);
	CHECK_STR(iam_client_org_endpoint(c)->url, "http://all.test:1/");
	iam_client_free(c);
	fakeenv_set(&e, 4, "AWS_REGION=cn-north-1");
	CHECK_INT(iam_client_new(&o, &c, &err), 0);
	CHECK_STR(iam_client_org_endpoint(c)->url,
		  "https://organizations.cn-northwest-1.amazonaws.com.cn/");
	CHECK_STR(iam_client_org_endpoint(c)->region, "cn-northwest-1");
	iam_client_free(c);
	o.org_endpoint_url = "http://opt.test/";
	CHECK_INT(iam_client_new(&o, &c, &err), 0);
	CHECK_STR(iam_client_org_endpoint(c)->url, "http://opt.test/");
	iam_client_free(c);
	o.org_endpoint_url = "ftp://bad/";
	CHECK_INT(iam_client_new(&o, &c, &err), -EINVAL);
	CHECK_STR(err.code, "InvalidEndpoint");
}

/* ---- assumed-role clients ---- */

#define ASSUMED(akid, exp)                                                                         \
	"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" akid                    \
	"</AccessKeyId><SecretAccessKey>assumedsecret</SecretAccessKey><SessionToken>"             \
	"assumedtoken-" akid "</SessionToken><Expiration>" exp "</Expiration></Credentials>"       \
	"</AssumeRoleResult></AssumeRoleResponse>"
#define ONE_ACCOUNT "{\"Accounts\":[" ACC("210987654321", "member", "ACTIVE") "]}"

/* Calls go out with the assumed keys, AssumeRole only when they near expiry. */
static void test_assumed_refresh(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 200, .body = ASSUMED("ASIAFIRST", "2030-01-01T01:00:00Z")},
		{.status = 200, .body = ONE_ACCOUNT},
		{.status = 200, .body = ONE_ACCOUNT},
		{.status = 200, .body = ASSUMED("ASIASECOND", "2030-01-01T02:00:00Z")},
		{.status = 200, .body = ONE_ACCOUNT},
	};
	struct org_account_list l = {0};
	struct iam_client *base, *c = NULL;
	struct fakehttp f;
	struct fakeenv e;
	struct aws_error err;

	fakehttp_start(&f, steps, 5);
	env_for(&e, &f, "all");
	base = client_for(&e);
	CHECK_INT(iam_client_new_assumed(base, ROLE, "ext-1", NULL, &c, &err), 0);
	CHECK_INT(f.served, 0); /* no network when made */
	CHECK_STR(iam_client_org_endpoint(c)->url, iam_client_org_endpoint(base)->url);
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	org_account_list_free(&l);
	CHECK(strstr(f.reqs[0], "Action=AssumeRole&") != NULL);
	CHECK(strstr(f.reqs[0], "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2F") != NULL);
	CHECK(strstr(f.reqs[0], "RoleSessionName=iamfs") != NULL);
	CHECK(strstr(f.reqs[0], "ExternalId=ext-1") != NULL);
	CHECK(strstr(f.reqs[0], "Credential=AKIDBASE/") != NULL);
	CHECK(strstr(f.reqs[1], "Credential=ASIAFIRST/") != NULL);
	CHECK(strstr(f.reqs[1], "\r\nX-Amz-Security-Token: assumedtoken-ASIAFIRST\r\n") != NULL);
	/* Still fresh 54 minutes later: no AssumeRole. */
	e.now = T0 + 54 * 60;
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	org_account_list_free(&l);
	CHECK(strstr(f.reqs[2], "Credential=ASIAFIRST/") != NULL);
	/* Less than 5 minutes left: refreshed before the call. */
	e.now = T0 + 56 * 60;
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	org_account_list_free(&l);
	CHECK(strstr(f.reqs[3], "Action=AssumeRole&") != NULL);
	CHECK(strstr(f.reqs[4], "Credential=ASIASECOND/") != NULL);
	CHECK_INT(f.served, 5);
	CHECK_INT(count_of(c, "ListAccounts"), 3);
	CHECK_INT(count_of(base, "ListAccounts"), 0); /* each client counts its own calls */
	iam_client_free(c);
	iam_client_free(base);
	fakehttp_stop(&f);
}

struct getter {
	struct creds_provider *p;
	int rc;
	char akid[32];
};

static void *getter_main(void *arg)
{
	struct getter *g = arg;
	struct aws_creds got = {0};
	struct aws_error err;

	g->rc = creds_provider_get(g->p, &got, &err);
	if (!g->rc)
		snprintf(g->akid, sizeof(g->akid), "%s", got.access_key_id);
	aws_creds_cleanup(&got);
	return NULL;
}

/* A provider of e's static keys (*base) and one assuming ROLE through it with
 * session name session (NULL: the default); the caller frees both. */
static void assumed_for(struct fakeenv *e, const char *session, struct creds_provider **base,
			struct creds_provider **p)
{
	struct creds_env ce = {fakeenv_getenv, fakeenv_now, e};
	struct creds_options o = {.env = &ce};
	struct aws_error err;

	CHECK_INT(creds_provider_new(&o, base, &err), 0);
	CHECK_INT(creds_provider_new_assumed(*base, ROLE, NULL, session, p, &err), 0);
}

/* Eight threads wanting credentials at once: one AssumeRole serves them all. */
static void test_assumed_one_refresh(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 200,
		 .body = ASSUMED("ASIAONCE", "2030-01-01T01:00:00Z"),
		 .delay_ms = 200},
		{.status = 200, .body = ASSUMED("ASIATWICE", "2030-01-01T01:00:00Z")},
	};
	struct creds_provider *base = NULL, *p = NULL;
	struct getter g[8];
	pthread_t t[8];
	struct fakehttp f;
	struct fakeenv e;
	int i;

	fakehttp_start(&f, steps, 2);
	env_for(&e, &f, "sts");
	assumed_for(&e, "s1", &base, &p);
	CHECK_STR(creds_provider_source(p), "assume-role");
	for (i = 0; i < 8; i++) {
		g[i] = (struct getter){.p = p};
		pthread_create(&t[i], NULL, getter_main, &g[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(g[i].rc, 0);
		CHECK_STR(g[i].akid, "ASIAONCE");
	}
	CHECK_INT(f.served, 1);
	CHECK(strstr(f.reqs[0], "RoleSessionName=s1") != NULL);
	CHECK(strstr(f.reqs[0], "ExternalId") == NULL);
	creds_provider_free(p);
	creds_provider_free(base);
	fakehttp_stop(&f);
}

/* A refused AssumeRole: EACCES, the role named, no key or token in the message; the
 * next call asks again rather than remembering the refusal forever. */
static void test_assumed_denied(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 403,
		 .body = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: "
			 "arn:aws:iam::111111111111:user/ops is not authorized to perform: "
			 "sts:AssumeRole</Message></Error></ErrorResponse>"},
		{.status = 200, .body = ASSUMED("ASIALATER", "2030-01-01T01:00:00Z")},
		{.status = 200, .body = ONE_ACCOUNT},
	};
	struct org_account_list l = {0};
	struct iam_client *base, *c = NULL;
	struct fakehttp f;
	struct fakeenv e;
	struct aws_error err;

	fakehttp_start(&f, steps, 3);
	env_for(&e, &f, "all");
	base = client_for(&e);
	CHECK_INT(iam_client_new_assumed(base, ROLE, NULL, NULL, &c, &err), 0);
	CHECK_INT(iam_list_org_accounts(c, &l, &err), -EACCES);
	CHECK_STR(err.code, "AccessDenied");
	CHECK(strstr(err.message, "cannot assume role " ROLE ": User: arn:aws:iam::111111111111:"
				  "user/ops is not authorized") == err.message);
	CHECK(strstr(err.message, SECRET) == NULL && strstr(err.message, "AKIDBASE") == NULL);
	CHECK_INT(f.served, 1);
	e.now = T0 + 11; /* past the pause between refreshes */
	CHECK_INT(iam_list_org_accounts(c, &l, &err), 0);
	CHECK_INT(l.n, 1);
	org_account_list_free(&l);
	CHECK_INT(iam_client_new_assumed(base, "", NULL, NULL, &c, &err), -EINVAL);
	iam_client_free(c);
	iam_client_free(base);
	fakehttp_stop(&f);
}

/* Base credentials found expired by STS: the base forgets them and AssumeRole goes once more. */
static void test_assumed_base_expired(void)
{
	static const struct fakehttp_step steps[] = {
		{.status = 400,
		 .body = "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>The security "
			 "token included in the request is expired</Message></Error>"
			 "</ErrorResponse>"},
		{.status = 200, .body = ASSUMED("ASIAAGAIN", "2030-01-01T01:00:00Z")},
	};
	struct creds_provider *base = NULL, *p = NULL;
	struct aws_creds got = {0};
	struct fakehttp f;
	struct fakeenv e;
	struct aws_error err;

	fakehttp_start(&f, steps, 2);
	env_for(&e, &f, "sts");
	assumed_for(&e, NULL, &base, &p);
	CHECK_INT(creds_provider_get(p, &got, &err), 0);
	CHECK_STR(got.access_key_id, "ASIAAGAIN");
	CHECK_INT(got.expiration, T0 + 3600);
	CHECK_INT(f.served, 2);
	aws_creds_cleanup(&got);
	creds_provider_free(p);
	creds_provider_free(base);
	fakehttp_stop(&f);
}

int main(void)
{
	if (http_global_init())
		return 2;
	test_paging();
	test_bad_answers();
	test_errors();
	test_throttled();
	test_endpoint_rule();
	test_assumed_refresh();
	test_assumed_one_refresh();
	test_assumed_denied();
	test_assumed_base_expired();
	http_global_cleanup();
	return check_done("test_org");
}
