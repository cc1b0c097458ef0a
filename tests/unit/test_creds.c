/*
 * Unit tests for the credentials chain: source selection from an injected
 * environment and temporary shared files, the JSON documents, and refresh
 * timing with an injected clock (credential_process as the source, so
 * no network is needed), and the one retry of a call refused with an expired
 * token. No test sleeps: the clock is a variable.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/creds_json.h"
#include "check.h"
#include "fakeenv.h"

#define T0 1893456000LL /* 2030-01-01T00:00:00Z */

static char dir[64];
static char cfg_var[128], cred_var[128], home_var[128];

static const char config_text[] = "[default]\n"
				  "region = eu-central-1\n"
				  "[profile cfgkeys]\n"
				  "aws_access_key_id = AKIDCONFIG\n"
				  "aws_secret_access_key = s\n"
				  "region = us-west-1\n"
				  "[profile both]\n"
				  "aws_access_key_id = AKIDBOTHCONFIG\n"
				  "aws_secret_access_key = s\n"
				  "[profile role]\n"
				  "role_arn = arn:aws:iam::123456789012:role/r\n"
				  "source_profile = both\n"
				  "external_id = ext\n"
				  "[profile chain2]\n"
				  "role_arn = arn:aws:iam::123456789012:role/r2\n"
				  "source_profile = role\n"
				  "[profile loop1]\n"
				  "role_arn = arn:aws:iam::123456789012:role/l1\n"
				  "source_profile = loop2\n"
				  "[profile loop2]\n"
				  "role_arn = arn:aws:iam::123456789012:role/l2\n"
				  "source_profile = loop1\n"
				  "[profile self]\n"
				  "role_arn = arn:aws:iam::123456789012:role/self\n"
				  "source_profile = self\n"
				  "aws_access_key_id = AKIDSELF\n"
				  "aws_secret_access_key = s\n"
				  "[profile envsrc]\n"
				  "role_arn = arn:aws:iam::123456789012:role/e\n"
				  "credential_source = Environment\n"
				  "[profile badsrc]\n"
				  "role_arn = arn:aws:iam::123456789012:role/e\n"
				  "credential_source = Moon\n"
				  "[profile nosrc]\n"
				  "role_arn = arn:aws:iam::123456789012:role/e\n"
				  "[profile missingsrc]\n"
				  "role_arn = arn:aws:iam::123456789012:role/e\n"
				  "source_profile = ghost\n"
				  "[profile proc]\n"
				  "credential_process = echo hi\n"
				  "[profile web]\n"
				  "role_arn = arn:aws:iam::123456789012:role/w\n"
				  "web_identity_token_file = /nonexistent/token\n"
				  "[profile half]\n"
				  "aws_access_key_id = AKIDHALF\n"
				  "[profile dur]\n"
				  "role_arn = arn:aws:iam::123456789012:role/d\n"
				  "source_profile = both\n"
				  "duration_seconds = 60\n"
				  "[profile imds]\n"
				  "role_arn = arn:aws:iam::123456789012:role/i\n"
				  "credential_source = Ec2InstanceMetadata\n"
				  "[credsonly]\n"
				  "region = nowhere\n";

static const char credentials_text[] = "[default]\n"
				       "aws_access_key_id = AKIDDEFAULT\n"
				       "aws_secret_access_key = s\n"
				       "[both]\n"
				       "aws_access_key_id = AKIDBOTHCRED\n"
				       "aws_secret_access_key = s\n"
				       "aws_session_token = tok\n"
				       "[credsonly]\n"
				       "aws_access_key_id = AKIDCREDSONLY\n"
				       "aws_secret_access_key = s\n";

struct chain_case {
	const char *profile; /* the option */
	const char *vars[6]; /* extra environment */
	int rc;		     /* of creds_provider_new */
	const char *source;  /* creds_provider_source */
	const char *akid;    /* for static sources: what get returns */
	const char *region;
	const char *message; /* a substring of err.message when rc != 0 */
};

static const struct chain_case chain_cases[] = {
	{NULL, {NULL}, 0, "shared-credentials-file", "AKIDDEFAULT", "eu-central-1", NULL},
	{NULL,
	 {"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=x"},
	 0,
	 "env",
	 "AKIDENV",
	 "eu-central-1",
	 NULL},
	/* A profile named on the command line disables the environment keys... */
	{"cfgkeys",
	 {"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=x"},
	 0,
	 "config-file",
	 "AKIDCONFIG",
	 "us-west-1",
	 NULL},
	/* ...AWS_PROFILE does not. */
	{NULL,
	 {"AWS_PROFILE=cfgkeys", "AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=x"},
	 0,
	 "env",
	 "AKIDENV",
	 "us-west-1",
	 NULL},
	{NULL, {"AWS_PROFILE=cfgkeys"}, 0, "config-file", "AKIDCONFIG", "us-west-1", NULL},
	{"both", {NULL}, 0, "shared-credentials-file", "AKIDBOTHCRED", "", NULL},
	{"credsonly",
	 {"AWS_REGION=ap-east-1", "AWS_DEFAULT_REGION=x"},
	 0,
	 "shared-credentials-file",
	 "AKIDCREDSONLY",
	 "ap-east-1",
	 NULL},
	{"credsonly",
	 {"AWS_DEFAULT_REGION=sa-east-1"},
	 0,
	 "shared-credentials-file",
	 "AKIDCREDSONLY",
	 "sa-east-1",
	 NULL},
	/* [credsonly] in the config file is not a profile section: its region is unused. */
	{"credsonly", {NULL}, 0, "shared-credentials-file", "AKIDCREDSONLY", "", NULL},
	{"CFGKEYS", {NULL}, -EINVAL, NULL, NULL, NULL, "profile 'CFGKEYS' not found in"},
	{"role", {NULL}, 0, "assume-role", NULL, "", NULL},
	{"chain2", {NULL}, 0, "assume-role", NULL, "", NULL},
	{"self", {NULL}, 0, "assume-role", NULL, "", NULL},
	{"envsrc",
	 {"AWS_ACCESS_KEY_ID=A", "AWS_SECRET_ACCESS_KEY=B"},
	 0,
	 "assume-role",
	 NULL,
	 "",
	 NULL},
	{"imds", {NULL}, 0, "assume-role", NULL, "", NULL},
	{"proc", {NULL}, 0, "custom-process", NULL, "", NULL},
	{"web", {NULL}, 0, "assume-role-with-web-identity", NULL, "", NULL},
	{NULL,
	 {"AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn:aws:iam::1:role/x"},
	 0,
	 "assume-role-with-web-identity",
	 NULL,
	 "eu-central-1",
	 NULL},
	{"cfgkeys",
	 {"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/c"},
	 0,
	 "config-file",
	 "AKIDCONFIG",
	 "us-west-1",
	 NULL},
	{"nothing", {NULL}, -EINVAL, NULL, NULL, NULL, "profile 'nothing' not found in"},
	{"loop1", {NULL}, -EINVAL, NULL, NULL, NULL, "loop"},
	{"envsrc", {NULL}, -EINVAL, NULL, NULL, NULL, "AWS_ACCESS_KEY_ID is not set"},
	{"badsrc", {NULL}, -EINVAL, NULL, NULL, NULL, "credential_source 'Moon'"},
	{"nosrc", {NULL}, -EINVAL, NULL, NULL, NULL, "exactly one of source_profile"},
	{"missingsrc", {NULL}, -EINVAL, NULL, NULL, NULL, "source_profile 'ghost'"},
	{"half", {NULL}, -EINVAL, NULL, NULL, NULL, "no secret access key"},
	{"dur", {NULL}, -EINVAL, NULL, NULL, NULL, "duration_seconds '60'"},
	{"imds",
	 {"AWS_EC2_METADATA_DISABLED=TRUE"},
	 -EINVAL,
	 NULL,
	 NULL,
	 NULL,
	 "AWS_EC2_METADATA_DISABLED"},
	{NULL, {"AWS_ACCESS_KEY_ID=A"}, -EINVAL, NULL, NULL, NULL, "the environment has"},
	{NULL, {"AWS_WEB_IDENTITY_TOKEN_FILE=/t"}, -EINVAL, NULL, NULL, NULL, "no role ARN"},
	{NULL,
	 {"AWS_PROFILE=proc", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://evil.example.com/"},
	 0,
	 "custom-process",
	 NULL,
	 "",
	 NULL},
};

/* Runs one case with the sample files; the missing-files cases use other paths. */
static void run_chain_case(const struct chain_case *c)
{
	struct fakeenv fe = {.now = T0};
	struct creds_env env = {.getenv = fakeenv_getenv, .now = fakeenv_now, .ctx = &fe};
	struct creds_options o = {.profile = c->profile, .env = &env};
	struct creds_provider *p = NULL;
	struct aws_error err;
	struct aws_creds cr = {0};
	size_t i, n = 0;
	int rc;

	fe.vars[n++] = cfg_var;
	fe.vars[n++] = cred_var;
	fe.vars[n++] = home_var;
	for (i = 0; i < 6 && c->vars[i]; i++)
		fe.vars[n++] = c->vars[i];
	aws_error_clear(&err);
	rc = creds_provider_new(&o, &p, &err);
	CHECK_INT(rc, c->rc);
	if (rc) {
		CHECK(strstr(err.message, c->message) != NULL);
		if (!strstr(err.message, c->message))
			fprintf(stderr, "  message: %s\n", err.message);
		return;
	}
	CHECK_STR(creds_provider_source(p), c->source);
	CHECK_STR(creds_provider_region(p), c->region);
	if (c->akid) {
		CHECK_INT(creds_provider_get(p, &cr, &err), 0);
		CHECK_STR(cr.access_key_id, c->akid);
		CHECK_STR(cr.source, c->source);
		CHECK_INT(cr.expiration, 0);
		aws_creds_cleanup(&cr);
	}
	creds_provider_free(p);
}

static void test_chain(void)
{
	size_t i;

	for (i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++)
		run_chain_case(&chain_cases[i]);
}

/* No files, no environment keys: metadata of last resort, or nothing at all. */
static void test_nothing(void)
{
	static const struct {
		const char *vars[4];
		int rc;
		const char *source;
	} cases[] = {
		{{"AWS_EC2_METADATA_DISABLED=true"}, -ENOENT, NULL},
		{{"AWS_PROFILE=default"}, -EINVAL, NULL}, /* named: must exist, as in botocore */
		{{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://evil.example.com/"}, -EINVAL, NULL},
		{{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:1/c"}, 0, "container-role"},
		{{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/c"}, 0, "container-role"},
		{{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1"}, 0, "iam-role"},
	};
	char home[128];
	size_t i;

	snprintf(home, sizeof(home), "HOME=%s/empty", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fakeenv fe = {.vars = {home, cases[i].vars[0]}, .now = T0};
		struct creds_env env = {.getenv = fakeenv_getenv, .now = fakeenv_now, .ctx = &fe};
		struct creds_options o = {.env = &env};
		struct creds_provider *p = NULL;
		struct aws_creds cr = {0};
		struct aws_error err;
		int rc;

		aws_error_clear(&err);
		rc = creds_provider_new(&o, &p, &err);
		CHECK_INT(rc, cases[i].rc);
		if (rc == -ENOENT)
			CHECK(strstr(err.message, "no AWS credentials found for profile 'default' "
						  "(looked in the environment,") != NULL);
		if (rc)
			continue;
		CHECK_STR(creds_provider_source(p), cases[i].source);
		if (!strcmp(cases[i].source, "iam-role")) {
			/* Nothing listens: the probe of last resort fails as "no credentials". */
			CHECK_INT(creds_provider_get(p, &cr, &err), -ENOENT);
			CHECK(strstr(err.message, "no AWS credentials found") != NULL);
		}
		creds_provider_free(p);
	}
}

static void test_json(void)
{
	static const struct {
		enum creds_json_kind kind;
		const char *text;
		int rc;
		const char *akid, *token;
		long long exp;
		const char *message;
	} cases[] = {
		{CREDS_JSON_PROCESS,
		 "{\"Version\":1,\"AccessKeyId\":\"A1\",\"SecretAccessKey\":\"S\","
		 "\"SessionToken\":\"T\",\"Expiration\":\"2030-01-01T00:00:00Z\"}",
		 0, "A1", "T", T0, NULL},
		{CREDS_JSON_PROCESS,
		 "{\"Version\":1,\"AccessKeyId\":\"A2\",\"SecretAccessKey\":\"S\"}", 0, "A2", NULL,
		 0, NULL},
		{CREDS_JSON_PROCESS,
		 "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}", -EINVAL, NULL,
		 NULL, 0, "\"Version\": 1"},
		{CREDS_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A\"}", -EINVAL, NULL, NULL,
		 0, "lack SecretAccessKey"},
		{CREDS_JSON_PROCESS,
		 "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":"
		 "\"x\"}",
		 -EINVAL, NULL, NULL, 0, "malformed Expiration"},
		{CREDS_JSON_PROCESS, "not json", -EINVAL, NULL, NULL, 0, "not a JSON object"},
		{CREDS_JSON_CONTAINER,
		 "{\"AccessKeyId\":\"C1\",\"SecretAccessKey\":\"S\",\"Token\":\"T\","
		 "\"Expiration\":\"2030-01-01T00:00:00Z\",\"RoleArn\":\"arn\"}",
		 0, "C1", "T", T0, NULL},
		{CREDS_JSON_CONTAINER, "{\"AccessKeyId\":\"C1\",\"SecretAccessKey\":\"S\"}",
		 -EINVAL, NULL, NULL, 0, "no Expiration"},
		{CREDS_JSON_IMDS,
		 "{\"Code\":\"Success\",\"AccessKeyId\":\"I1\",\"SecretAccessKey\":\"S\","
		 "\"Token\":\"T\",\"Expiration\":\"2030-01-01T00:00:00Z\"}",
		 0, "I1", "T", T0, NULL},
		{CREDS_JSON_IMDS,
		 "{\"Code\":\"Failure\",\"AccessKeyId\":\"I1\",\"SecretAccessKey\":\"S\","
		 "\"Token\":\"T\",\"Expiration\":\"2030-01-01T00:00:00Z\"}",
		 -EINVAL, NULL, NULL, 0, "Code \"Failure\""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aws_creds c = {.source = "x"};
		struct aws_error err;
		int rc;

		aws_error_clear(&err);
		rc = creds_json_parse(cases[i].text, strlen(cases[i].text), cases[i].kind, &c,
				      &err);
		CHECK_INT(rc, cases[i].rc);
		if (rc) {
			CHECK(strstr(err.message, cases[i].message) != NULL);
			CHECK(c.access_key_id == NULL);
			continue;
		}
		CHECK_STR(c.access_key_id, cases[i].akid);
		CHECK_STR(c.secret_access_key, "S");
		if (cases[i].token)
			CHECK_STR(c.session_token, cases[i].token);
		else
			CHECK(c.session_token == NULL);
		CHECK_INT(c.expiration, cases[i].exp);
		CHECK_STR(c.source, "x");
		aws_creds_cleanup(&c);
	}
}

static const char script[] =
	"d=$(dirname \"$0\")\n"
	"[ -e \"$d/fail\" ] && { echo 'credential_process failing on purpose' >&2; exit 3; }\n"
	"[ -e \"$d/slow\" ] && sleep 0.3\n"
	"n=$(cat \"$d/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$d/count\"\n"
	"printf '{\"Version\":1,\"AccessKeyId\":\"AKID%s\",\"SecretAccessKey\":\"s\","
	"\"SessionToken\":\"t\",\"Expiration\":\"2030-01-01T0%s:00:00Z\"}' $n $n\n";

static const char process_config[] = "[profile slow]\n"
				     "credential_process = sleep 5\n"
				     "[profile big]\n"
				     "credential_process = head -c 100000 /dev/zero\n"
				     "[profile exit7]\n"
				     "credential_process = exit 7\n"
				     "[profile v2]\n"
				     "credential_process = echo '{\"Version\": 2}'\n";

static int count_runs(const char *sub)
{
	char path[256], line[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/count", dir, sub);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return (int)strtol(line, NULL, 10);
}

/* A provider for "credential_process = sh DIR/SUB/script.sh" (profile "p"). */
static int script_provider(const char *sub, struct fakeenv *fe, struct creds_env *env,
			   struct creds_provider **p)
{
	char cfg[512], path[256], var[300];
	static char cfgvar[300];
	struct creds_options o = {.profile = "p", .env = env};
	struct aws_error err;

	snprintf(path, sizeof(path), "%s/script.sh", sub);
	check_write_file(dir, path, script);
	snprintf(cfg, sizeof(cfg), "[profile p]\ncredential_process = sh %s/%s/script.sh\n", dir,
		 sub);
	snprintf(path, sizeof(path), "%s/config", sub);
	check_write_file(dir, path, cfg);
	snprintf(var, sizeof(var), "AWS_CONFIG_FILE=%s/%s/config", dir, sub);
	memcpy(cfgvar, var, sizeof(var));
	fe->vars[0] = cfgvar;
	fe->vars[1] = home_var;
	env->getenv = fakeenv_getenv;
	env->now = fakeenv_now;
	env->ctx = fe;
	return creds_provider_new(&o, p, &err);
}

static void make_dir(const char *sub)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0700);
}

static const char *get_akid(struct creds_provider *p, int *rc, char *out, size_t n)
{
	struct aws_creds c = {0};
	struct aws_error err;

	aws_error_clear(&err);
	*rc = creds_provider_get(p, &c, &err);
	snprintf(out, n, "%s", *rc ? err.message : c.access_key_id);
	aws_creds_cleanup(&c);
	return out;
}

static void test_refresh(void)
{
	static const struct {
		long long at;	  /* seconds after T0 */
		int expire_first; /* call creds_provider_expire before */
		int failing;	  /* the process fails */
		int rc;
		const char *want; /* access key id, or a substring of the message */
		int runs;	  /* process runs so far */
	} steps[] = {
		{0, 0, 0, 0, "AKID1", 1},    /* expires at 01:00 */
		{3000, 0, 0, 0, "AKID1", 1}, /* 10 minutes left: kept */
		{3299, 0, 0, 0, "AKID1", 1}, /* 5 minutes and 1 s left: kept */
		{3300, 0, 0, 0, "AKID2", 2}, /* 5 minutes left: refreshed, now 02:00 */
		{3305, 0, 0, 0, "AKID2", 2},
		{3306, 1, 0, 0, "AKID3", 3},		 /* after ExpiredToken: refreshed at once */
		{10700, 0, 1, 0, "AKID3", 3},		 /* refresh fails, still valid: kept */
		{10705, 0, 1, 0, "AKID3", 3},		 /* no retry within 10 s */
		{10801, 0, 1, -EIO, "exit status 3", 3}, /* expired and the refresh fails */
		{10802, 0, 0, 0, "AKID4", 4},
	};
	struct fakeenv fe = {.now = T0};
	struct creds_env env;
	struct creds_provider *p = NULL;
	char got[1024], fail[256];
	size_t i;
	int rc;

	make_dir("refresh");
	snprintf(fail, sizeof(fail), "%s/refresh/fail", dir);
	CHECK_INT(script_provider("refresh", &fe, &env, &p), 0);
	if (!p)
		return;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		fe.now = T0 + steps[i].at;
		if (steps[i].failing)
			check_write_file(dir, "refresh/fail", "");
		else
			unlink(fail);
		if (steps[i].expire_first)
			creds_provider_expire(p);
		get_akid(p, &rc, got, sizeof(got));
		CHECK_INT(rc, steps[i].rc);
		if (rc)
			CHECK(strstr(got, steps[i].want) != NULL);
		else
			CHECK_STR(got, steps[i].want);
		CHECK_INT(count_runs("refresh"), steps[i].runs);
	}
	creds_provider_free(p);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_process_limits(void)
{
	static const struct {
		const char *profile;
		int rc;
		const char *message;
	} cases[] = {
		{"slow", -ETIMEDOUT, "timed out"},
		{"big", -EFBIG, "more than 64 KiB"},
		{"exit7", -EIO, "exit status 7"},
		{"v2", -EINVAL, "\"Version\": 1"},
	};
	char cfgvar[300];
	size_t i;

	check_write_file(dir, "process_config", process_config);
	snprintf(cfgvar, sizeof(cfgvar), "AWS_CONFIG_FILE=%s/process_config", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fakeenv fe = {
			.vars = {cfgvar, home_var, "IAMFS_CREDENTIAL_PROCESS_TIMEOUT_MS=300"},
			.now = T0};
		struct creds_env env = {.getenv = fakeenv_getenv, .now = fakeenv_now, .ctx = &fe};
		struct creds_options o = {.profile = cases[i].profile, .env = &env};
		struct creds_provider *p = NULL;
		struct aws_creds c = {0};
		struct aws_error err;
		long long start = mono_ms();

		aws_error_clear(&err);
		CHECK_INT(creds_provider_new(&o, &p, &err), 0);
		if (!p)
			continue;
		CHECK_INT(creds_provider_get(p, &c, &err), cases[i].rc);
		CHECK(strstr(err.message, cases[i].message) != NULL);
		CHECK(mono_ms() - start < 3000);
		CHECK(c.access_key_id == NULL);
		creds_provider_free(p);
	}
}

struct getter {
	struct creds_provider *p;
	int rc;
	char akid[64];
};

static void *getter_main(void *arg)
{
	struct getter *g = arg;

	get_akid(g->p, &g->rc, g->akid, sizeof(g->akid));
	return NULL;
}

static void test_one_refresh_at_a_time(void)
{
	struct fakeenv fe = {.now = T0};
	struct creds_env env;
	struct creds_provider *p = NULL;
	struct getter g[4];
	pthread_t th[4];
	size_t i;

	make_dir("threads");
	check_write_file(dir, "threads/slow", "");
	CHECK_INT(script_provider("threads", &fe, &env, &p), 0);
	if (!p)
		return;
	for (i = 0; i < 4; i++) {
		g[i].p = p;
		pthread_create(&th[i], NULL, getter_main, &g[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(g[i].rc, 0);
		CHECK_STR(g[i].akid, "AKID1");
	}
	CHECK_INT(count_runs("threads"), 1);
	creds_provider_free(p);
}

/* creds_provider_call's call: answers[i] is the error code of run i (NULL: success). */
struct refusing {
	const char *const *answers;
	int runs;
	char akids[4][16]; /* the key each run was given */
};

static int refusing_call(void *ctx, const struct aws_creds *creds, struct aws_error *err)
{
	struct refusing *r = ctx;
	const char *code = r->answers[r->runs];

	snprintf(r->akids[r->runs++ % 4], sizeof(r->akids[0]), "%s", creds->access_key_id);
	if (!code)
		return 0;
	aws_error_set(err, code, "refused");
	return -EACCES;
}

static void test_call_expired(void)
{
	static const struct {
		const char *answers[3];
		int failing; /* the process fails (after the provider forgot its keys) */
		int rc, runs;
		const char *akids[2]; /* the keys of the runs */
		int process_runs;     /* so far */
	} cases[] = {
		{{"ExpiredToken", NULL}, 0, 0, 2, {"AKID1", "AKID2"}, 2},
		{{"AccessDenied"}, 0, -EACCES, 1, {"AKID2"}, 2},
		{{"ExpiredTokenException", "RequestExpired"}, 0, -EACCES, 2, {"AKID2", "AKID3"}, 3},
		{{NULL}, 1, -EIO, 0, {NULL}, 3},
	};
	struct fakeenv fe = {.now = T0};
	struct creds_env env;
	struct creds_provider *p = NULL;
	struct aws_error err;
	size_t i;
	int j;

	make_dir("call");
	CHECK_INT(script_provider("call", &fe, &env, &p), 0);
	for (i = 0; p && i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct refusing r = {.answers = cases[i].answers};

		if (cases[i].failing) {
			check_write_file(dir, "call/fail", "");
			creds_provider_expire(p);
		}
		CHECK_INT(creds_provider_call(p, refusing_call, &r, &err), cases[i].rc);
		CHECK_INT(r.runs, cases[i].runs);
		for (j = 0; j < r.runs && j < 2; j++)
			CHECK_STR(r.akids[j], cases[i].akids[j]);
		if (cases[i].runs)
			CHECK_STR(err.code, cases[i].rc ? cases[i].answers[r.runs - 1] : "");
		CHECK_INT(count_runs("call"), cases[i].process_runs);
	}
	creds_provider_free(p);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_creds.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	check_write_file(dir, "config", config_text);
	check_write_file(dir, "credentials", credentials_text);
	snprintf(cfg_var, sizeof(cfg_var), "AWS_CONFIG_FILE=%s/config", dir);
	snprintf(cred_var, sizeof(cred_var), "AWS_SHARED_CREDENTIALS_FILE=%s/credentials", dir);
	snprintf(home_var, sizeof(home_var), "HOME=%s", dir);
	test_chain();
	test_nothing();
	test_json();
	test_refresh();
	test_process_limits();
	test_one_refresh_at_a_time();
	test_call_expired();
	remove_tree();
	return check_done("creds");
}
