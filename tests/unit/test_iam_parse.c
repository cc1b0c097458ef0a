/*
 * Unit tests of aws/iam_parse.c against real moto answers (data/moto_*.xml,
 * captured by data/capture_moto.py) and hand-written AWS shapes moto does not
 * produce (data/aws_*.xml, error bodies). Every parser's fields, paging,
 * document decoding both ways, every error shape and the all-or-nothing rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "aws/iam_parse.h"
#include "check.h"

#define TRUST                                                                                      \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "    \
	"{\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"
#define INLINE                                                                                     \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Logs\", \"Effect\": "           \
	"\"Allow\", "                                                                              \
	"\"Action\": [\"logs:CreateLogGroup\", \"logs:PutLogEvents\"], \"Resource\": \"*\"}]}"
#define DOC(n)                                                                                     \
	"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "       \
	"\"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket-" #n "/*\"}]}"
#define ACCT		"123456789012"
#define DATA_ACCESS_ARN "arn:aws:iam::" ACCT ":policy/team/data-access"

static void test_decode_document(void)
{
	struct {
		const char *in, *want;
	} cases[] = {
		{"{\"a\": \"100%25\"}", "{\"a\": \"100%25\"}"},
		{"%7B%22a%22%3A%22b%2Bc%22%7D", "{\"a\":\"b+c\"}"},
		{"%7B%22a+b%22%7D", "{\"a+b\"}"},
		{"%7B%22Sid%22%3A%22Caf%C3%A9%22%7D", "{\"Sid\":\"Caf\xc3\xa9\"}"},
		{"%7b%22x%22%7d", "{\"x\"}"},
		{"%7B%ZZ%7D", "{%ZZ}"},
		{"%7B%7", "{%7"},
		{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = iam_decode_document(cases[i].in);

		CHECK_STR(got, cases[i].want);
		free(got);
	}
	CHECK(iam_decode_document(NULL) == NULL);
}

static void check_app_role_basics(const struct iam_role *r)
{
	CHECK_STR(r->name, "app-role");
	CHECK_STR(r->id, "AROARZPUZDIKEPV4ATI5A");
	CHECK_STR(r->arn, "arn:aws:iam::" ACCT ":role/service/app/app-role");
	CHECK_STR(r->path, "/service/app/");
	CHECK_STR(r->create_date, "2026-11-23T11:32:22.810989Z");
	CHECK_INT(r->create_time, 1795433542LL);
	CHECK_STR(r->trust_policy, TRUST);
}

static void test_list_roles_paged(void)
{
	struct check_file p1 = check_load("moto_list_roles_page1.xml"),
			  p2 = check_load("moto_list_roles_page2.xml");
	struct iam_role_list l = {0};
	struct iam_page page = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_list_roles(p1.data, p1.len, &l, &page, &err), 0);
	CHECK_INT(l.n, 2);
	CHECK(page.is_truncated);
	CHECK_STR(page.marker, "2");
	if (l.n == 2) {
		CHECK_STR(l.v[0].name, "beta");
		CHECK_STR(l.v[0].path, "/");
		CHECK_INT(l.v[0].max_session_duration, 3600);
		CHECK(l.v[0].description == NULL);
		CHECK(l.v[0].boundary_arn == NULL);
		CHECK_INT(l.v[0].ntags, 0);
		CHECK(l.v[0].tags == NULL);
		check_app_role_basics(&l.v[1]);
		CHECK_STR(l.v[1].description, "Application role");
		CHECK_INT(l.v[1].max_session_duration, 7200);
	}
	CHECK_INT(iam_parse_list_roles(p2.data, p2.len, &l, &page, &err), 0);
	CHECK_INT(l.n, 4);
	CHECK(!page.is_truncated);
	CHECK(page.marker == NULL);
	if (l.n == 4) {
		CHECK_STR(l.v[2].name, "gamma");
		CHECK_STR(l.v[3].name, "alpha");
		CHECK_STR(l.v[3].arn, "arn:aws:iam::" ACCT ":role/alpha");
		CHECK_STR(l.v[3].trust_policy, TRUST);
	}
	CHECK_STR(err.code, "");
	/* page is optional */
	CHECK_INT(iam_parse_list_roles(p1.data, p1.len, &l, NULL, &err), 0);
	CHECK_INT(l.n, 6);
	iam_role_list_cleanup(&l);
	CHECK(l.v == NULL && l.n == 0 && l.cap == 0);
	iam_page_cleanup(&page);
	free(p1.data);
	free(p2.data);
}

static void test_list_roles_path(void)
{
	struct check_file f = check_load("moto_list_roles_path.xml");
	struct iam_role_list l = {0};
	struct iam_page page = {true, strdup("stale")};

	CHECK_INT(iam_parse_list_roles(f.data, f.len, &l, &page, NULL), 0);
	CHECK_INT(l.n, 1);
	if (l.n == 1)
		check_app_role_basics(&l.v[0]);
	CHECK(!page.is_truncated);
	CHECK(page.marker == NULL);
	iam_role_list_cleanup(&l);
	iam_page_cleanup(&page);
	free(f.data);
}

static void test_get_role_moto(void)
{
	struct check_file f = check_load("moto_get_role.xml");
	struct iam_role r = {0};

	CHECK_INT(iam_parse_get_role(f.data, f.len, &r, NULL, NULL), 0);
	/* moto URL-encodes this document; it decodes to exactly what was sent */
	check_app_role_basics(&r);
	CHECK_STR(r.description, "Application role");
	CHECK_INT(r.max_session_duration, 7200);
	CHECK_STR(r.boundary_arn, "arn:aws:iam::" ACCT ":policy/boundary");
	CHECK_STR(r.boundary_type, "PermissionsBoundaryPolicy");
	CHECK_INT(r.ntags, 2);
	if (r.ntags == 2) {
		CHECK_STR(r.tags[0].key, "team");
		CHECK_STR(r.tags[0].value, "core");
		CHECK_STR(r.tags[1].key, "env");
		CHECK_STR(r.tags[1].value, "prod");
	}
	CHECK(r.last_used_date == NULL);
	CHECK(r.last_used_region == NULL);
	CHECK_INT(r.ninline, 0);
	CHECK_INT(r.nattached, 0);
	iam_role_cleanup(&r);
	CHECK(r.name == NULL && r.tags == NULL && r.ntags == 0);
	iam_role_cleanup(NULL);
	free(f.data);
}

static void test_get_role_aws(void)
{
	struct check_file f = check_load("aws_get_role_encoded.xml");
	struct iam_role r = {0};

	CHECK_INT(iam_parse_get_role(f.data, f.len, &r, NULL, NULL), 0);
	CHECK_STR(r.name, "S3Access");
	CHECK_STR(r.path, "/application_abc/component_xyz/");
	CHECK_STR(r.arn, "arn:aws:iam::111122223333:role/application_abc/component_xyz/S3Access");
	CHECK_INT(r.max_session_duration, 43200);
	CHECK_STR(r.trust_policy,
		  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
		  "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":"
		  "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}}]}");
	CHECK_STR(r.description, "Caf%C3%A9 is not decoded here: only documents are");
	CHECK_STR(r.last_used_date, "2024-03-01T17:14:00Z");
	CHECK_STR(r.last_used_region, "eu-west-1");
	CHECK(r.boundary_arn == NULL);
	CHECK_INT(r.ntags, 2);
	if (r.ntags == 2) {
		CHECK_STR(r.tags[0].value, "Zo\xc3\xab M\xc3\xbcller");
		CHECK_STR(r.tags[1].key, "empty");
		CHECK_STR(r.tags[1].value, "");
	}
	iam_role_cleanup(&r);
	free(f.data);
}

static void test_role_policies(void)
{
	struct check_file f = check_load("moto_list_role_policies.xml");
	struct check_file e = check_load("moto_list_role_policies_empty.xml");
	struct check_file g = check_load("moto_get_role_policy.xml");
	struct check_file l1 = check_load("latin1_get_role_policy.xml");
	struct iam_string_list names = {0};
	struct iam_inline_policy p = {0};
	struct iam_page page = {0};

	CHECK_INT(iam_parse_list_role_policies(f.data, f.len, &names, &page, NULL), 0);
	CHECK_INT(names.n, 1);
	CHECK_STR(names.n ? names.v[0] : NULL, "logs");
	CHECK(!page.is_truncated);
	CHECK_INT(iam_parse_list_role_policies(e.data, e.len, &names, &page, NULL), 0);
	CHECK_INT(names.n, 1);
	iam_string_list_cleanup(&names);

	CHECK_INT(iam_parse_get_role_policy(g.data, g.len, &p, NULL, NULL), 0);
	CHECK_STR(p.name, "logs");
	CHECK_STR(p.document, INLINE);
	iam_inline_policy_cleanup(&p);
	CHECK(p.name == NULL && p.document == NULL);

	/* ISO-8859-1 answer: text arrives as UTF-8; the document's %C3%A9 too */
	CHECK_INT(iam_parse_get_role_policy(l1.data, l1.len, &p, NULL, NULL), 0);
	CHECK_STR(p.name, "r\xc3\xa9sum\xc3\xa9");
	CHECK_STR(p.document, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Caf\xc3\xa9\","
			      "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
			      "\"arn:aws:s3:::a+b/*\"}]}");
	iam_inline_policy_cleanup(&p);
	free(f.data);
	free(e.data);
	free(g.data);
	free(l1.data);
}

static void test_attached(void)
{
	struct check_file f = check_load("moto_list_attached_role_policies.xml");
	struct iam_attached_list l = {0};
	struct iam_page page = {0};

	CHECK_INT(iam_parse_list_attached_role_policies(f.data, f.len, &l, &page, NULL), 0);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_STR(l.v[0].name, "ReadOnlyAccess");
		CHECK_STR(l.v[0].arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
		CHECK_STR(l.v[1].name, "data-access");
		CHECK_STR(l.v[1].arn, DATA_ACCESS_ARN);
	}
	CHECK(!page.is_truncated);
	iam_attached_list_cleanup(&l);
	free(f.data);
}

static void test_policy(void)
{
	struct check_file f = check_load("moto_get_policy.xml");
	struct iam_policy p = {0};

	CHECK_INT(iam_parse_get_policy(f.data, f.len, &p, NULL, NULL), 0);
	CHECK_STR(p.name, "data-access");
	CHECK_STR(p.id, "AQ94O4EG2G7YT4UTX4MJ4");
	CHECK_STR(p.arn, DATA_ACCESS_ARN);
	CHECK_STR(p.path, "/team/");
	CHECK_STR(p.default_version_id, "v3");
	CHECK_INT(p.attachment_count, 1);
	CHECK(p.is_attachable);
	CHECK_STR(p.description, "Data access");
	CHECK_STR(p.create_date, "2026-11-23T11:32:22.848840Z");
	CHECK_STR(p.update_date, "2026-11-23T11:32:22.848843Z");
	CHECK_INT(p.nversions, 0);
	iam_policy_cleanup(&p);
	free(f.data);
}

static void test_versions(void)
{
	const char *single[] = {"moto_get_policy_version.xml", "moto_create_policy_version.xml"};
	struct check_file l = check_load("moto_list_policy_versions.xml");
	struct iam_version_list vl = {0};
	struct iam_policy_version v = {0};
	size_t i;
	int rc;

	for (i = 0; i < 2; i++) {
		struct check_file f = check_load(single[i]);

		rc = i ? iam_parse_create_policy_version(f.data, f.len, &v, NULL, NULL)
		       : iam_parse_get_policy_version(f.data, f.len, &v, NULL, NULL);
		CHECK_INT(rc, 0);
		CHECK_STR(v.version_id, "v3");
		CHECK(v.is_default);
		CHECK_STR(v.create_date, "2026-11-23T11:32:22.880691Z");
		CHECK_INT(v.create_time, 1795433542LL);
		CHECK_STR(v.document, DOC(3));
		iam_policy_version_cleanup(&v);
		free(f.data);
	}
	CHECK_INT(iam_parse_list_policy_versions(l.data, l.len, &vl, NULL, NULL), 0);
	CHECK_INT(vl.n, 3);
	if (vl.n == 3) {
		CHECK_STR(vl.v[0].version_id, "v1");
		CHECK(!vl.v[0].is_default);
		CHECK_STR(vl.v[0].document, DOC(1));
		CHECK_STR(vl.v[1].version_id, "v2");
		CHECK(!vl.v[1].is_default);
		CHECK_STR(vl.v[1].create_date, "2026-11-23T11:32:22.856614Z");
		CHECK_INT(vl.v[1].create_time, 1795433542LL);
		CHECK_STR(vl.v[2].version_id, "v3");
		CHECK(vl.v[2].is_default);
	}
	iam_version_list_cleanup(&vl);
	free(l.data);
}

static void check_gaad_moto(const struct iam_gaad *g, size_t r0, size_t p0)
{
	const struct iam_role *app = &g->roles.v[r0], *alpha = &g->roles.v[r0 + 1];
	const struct iam_policy *b = &g->policies.v[p0], *d = &g->policies.v[p0 + 1];

	check_app_role_basics(app);
	/* GAAD carries neither Description nor MaxSessionDuration */
	CHECK(app->description == NULL);
	CHECK_INT(app->max_session_duration, 0);
	CHECK_STR(app->boundary_arn, "arn:aws:iam::" ACCT ":policy/boundary");
	CHECK_INT(app->ntags, 2);
	CHECK_INT(app->ninline, 1);
	if (app->ninline == 1) {
		CHECK_STR(app->inline_policies[0].name, "logs");
		CHECK_STR(app->inline_policies[0].document, INLINE);
	}
	CHECK_INT(app->nattached, 2);
	if (app->nattached == 2) {
		CHECK_STR(app->attached[0].name, "data-access");
		CHECK_STR(app->attached[0].arn, DATA_ACCESS_ARN);
		CHECK_STR(app->attached[1].name, "ReadOnlyAccess");
	}
	CHECK_STR(alpha->name, "alpha");
	CHECK(alpha->description == NULL);
	CHECK_INT(alpha->ninline + alpha->nattached + alpha->ntags, 0);
	CHECK(alpha->inline_policies == NULL && alpha->attached == NULL);
	CHECK_STR(g->roles.v[r0 + 3].name, "gamma");

	/* moto's entries have no PolicyName: the name comes from the ARN */
	CHECK_STR(b->name, "boundary");
	CHECK(b->description == NULL);
	CHECK(b->id == NULL);
	CHECK_INT(b->nversions, 1);
	CHECK_STR(b->nversions ? b->versions[0].document : NULL, DOC(0));
	CHECK_STR(d->name, "data-access");
	CHECK_STR(d->path, "/team/");
	CHECK_STR(d->default_version_id, "v3");
	CHECK_INT(d->attachment_count, 1);
	CHECK(d->is_attachable);
	CHECK_INT(d->nversions, 3);
	if (d->nversions == 3) {
		CHECK_STR(d->versions[0].document, DOC(1));
		CHECK(!d->versions[1].is_default);
		CHECK_STR(d->versions[2].version_id, "v3");
		CHECK(d->versions[2].is_default);
		CHECK_STR(d->versions[2].document, DOC(3));
	}
}

static void check_gaad_aws(const struct iam_gaad *g)
{
	const struct iam_role *r = &g->roles.v[0];
	const struct iam_policy *p = &g->policies.v[0];

	CHECK_STR(r->name, "EC2role");
	CHECK_STR(r->trust_policy,
		  "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Sid\":\"\",\"Effect\":\"Allow\","
		  "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}"
		  "]}");
	CHECK_INT(r->ninline, 2);
	if (r->ninline == 2) {
		CHECK_STR(r->inline_policies[0].name, "ReadTable");
		CHECK_STR(r->inline_policies[1].name, "ListBuckets");
		CHECK_STR(r->inline_policies[1].document,
			  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
			  "\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]}");
	}
	CHECK_INT(r->nattached, 1);
	CHECK_STR(r->nattached ? r->attached[0].name : NULL, "AmazonS3FullAccess");
	CHECK_STR(r->last_used_date, "2019-11-18T05:38:00Z");
	CHECK_STR(r->last_used_region, "us-west-2");
	CHECK_STR(p->name, "create-update-delete-set-managed-policies");
	CHECK_STR(p->id, "ANPAJ2UCCR6DPCEXAMPLE");
	CHECK_INT(p->nversions, 1);
	CHECK_STR(p->nversions ? p->versions[0].document : NULL,
		  "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
		  "[\"iam:CreatePolicyVersion\"],\"Resource\":\"*\"}}");
}

static void test_gaad(void)
{
	struct check_file aws = check_load("aws_gaad_truncated.xml"),
			  moto = check_load("moto_gaad.xml");
	struct iam_gaad g;
	struct iam_page page = {0};

	memset(&g, 0, sizeof(g));
	/* page 1: truncated, users and groups ignored */
	CHECK_INT(iam_parse_gaad(aws.data, aws.len, &g, &page, NULL), 0);
	CHECK(page.is_truncated);
	CHECK_STR(page.marker, "EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl/"
			       "eeaCX3Jo94/bKqezEAg8TEVS99EKFLxm3jtbpl25FDWEXAMPLE");
	CHECK_INT(g.roles.n, 1);
	CHECK_INT(g.policies.n, 1);
	if (g.roles.n == 1 && g.policies.n == 1)
		check_gaad_aws(&g);
	/* page 2 appends */
	CHECK_INT(iam_parse_gaad(moto.data, moto.len, &g, &page, NULL), 0);
	CHECK(!page.is_truncated);
	CHECK(page.marker == NULL);
	CHECK_INT(g.roles.n, 5);
	CHECK_INT(g.policies.n, 3);
	if (g.roles.n == 5 && g.policies.n == 3)
		check_gaad_moto(&g, 1, 1);
	iam_gaad_cleanup(&g);
	CHECK(g.roles.n == 0 && g.policies.v == NULL);
	iam_page_cleanup(&page);
	free(aws.data);
	free(moto.data);
}

static long long summary_get(const struct iam_account_summary *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].key, key))
			return s->v[i].value;
	return -1;
}

static void test_summary_and_empty(void)
{
	struct {
		const char *file, *action;
	} empty[] = {
		{"moto_update_assume_role_policy.xml", "UpdateAssumeRolePolicy"},
		{"moto_put_role_policy.xml", "PutRolePolicy"},
		{"moto_delete_role_policy.xml", "DeleteRolePolicy"},
		{"moto_delete_policy_version.xml", "DeletePolicyVersion"},
	};
	struct check_file f = check_load("moto_account_summary.xml");
	struct iam_account_summary s = {0};
	struct aws_error err;
	size_t i;

	CHECK_INT(iam_parse_account_summary(f.data, f.len, &s, NULL, NULL), 0);
	CHECK_INT(s.n, 33);
	CHECK_STR(s.n ? s.v[0].key : NULL, "GroupPolicySizeQuota");
	CHECK_INT(summary_get(&s, "Roles"), 4);
	CHECK_INT(summary_get(&s, "Policies"), 2);
	CHECK_INT(summary_get(&s, "VersionsPerPolicyQuota"), 5);
	CHECK_INT(summary_get(&s, "RolePolicySizeQuota"), 10240);
	CHECK_INT(summary_get(&s, "AssumeRolePolicySizeQuota"), 2048);
	iam_account_summary_cleanup(&s);
	free(f.data);

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		f = check_load(empty[i].file);
		aws_error_clear(&err);
		CHECK_INT(iam_parse_empty(f.data, f.len, empty[i].action, &err), 0);
		CHECK_STR(err.code, "");
		/* the answer of another action is refused */
		CHECK_INT(iam_parse_empty(f.data, f.len, "CreateRole", &err), -EINVAL);
		CHECK_STR(err.code, "MalformedResponse");
		free(f.data);
	}
}

static void test_sts(void)
{
	struct check_file id = check_load("moto_get_caller_identity.xml");
	struct check_file ar = check_load("moto_assume_role.xml");
	struct check_file wi = check_load("moto_assume_role_web_identity.xml");
	struct iam_caller_identity ci = {0};
	struct iam_sts_credentials c = {0};

	CHECK_INT(iam_parse_caller_identity(id.data, id.len, &ci, NULL, NULL), 0);
	CHECK_STR(ci.account, ACCT);
	CHECK_STR(ci.arn, "arn:aws:sts::" ACCT ":user/moto");
	CHECK_STR(ci.user_id, "AKIAIOSFODNN7EXAMPLE");
	iam_caller_identity_cleanup(&ci);

	CHECK_INT(iam_parse_sts_credentials(ar.data, ar.len, "AssumeRole", &c, NULL), 0);
	CHECK_STR(c.access_key_id, "ASIARZPUZDIKJP3MQGH3");
	CHECK_STR(c.secret_access_key, "1w693pR0ouC2AKNORC4KFYb+BzH37e9QOe2ln1OR");
	CHECK(c.session_token && !strncmp(c.session_token, "FQoGZXIvYXdzEBYaDjT4pAWOv2GM", 28));
	CHECK_INT(c.session_token ? strlen(c.session_token) : 0, 356);
	CHECK_STR(c.expiration, "2026-11-23T12:32:23.053617Z");
	CHECK_STR(c.assumed_role_arn, "arn:aws:sts::" ACCT ":assumed-role/app-role/iamfs-test");
	iam_sts_credentials_cleanup(&c);
	CHECK(c.secret_access_key == NULL && c.session_token == NULL);

	CHECK_INT(iam_parse_sts_credentials(wi.data, wi.len, "AssumeRoleWithWebIdentity", &c, NULL),
		  0);
	CHECK_STR(c.access_key_id, "ASIARZPUZDIKIZOQALV2");
	CHECK_STR(c.secret_access_key, "iybOARfo05h3tjwTb1wTiZ/nviymq95gF5TcaCBa");
	CHECK_STR(c.assumed_role_arn, "arn:aws:sts::" ACCT ":assumed-role/alpha/web");
	iam_sts_credentials_cleanup(&c);
	/* the wrong action's answer is refused */
	CHECK_INT(iam_parse_sts_credentials(wi.data, wi.len, "AssumeRole", &c, NULL), -EINVAL);
	CHECK(c.access_key_id == NULL);
	free(id.data);
	free(ar.data);
	free(wi.data);
}

struct error_case {
	const char *file; /* fixture, or NULL to use body */
	const char *body;
	long status;
	const char *code, *message, *request_id;
	int err; /* aws_error_errno */
};

static const struct error_case error_cases[] = {
	{"moto_err_no_such_entity.xml", NULL, 404, "NoSuchEntity", "Role missing not found",
	 "7Ek1qb5LAW8uetb680JamSgY5FynUyX6UWFwWLKen6lGGSBTKhWy", -ENOENT},
	{"moto_err_malformed_policy.xml", NULL, 400, "MalformedPolicyDocument",
	 "Syntax errors in policy.", "eCMJg6hTnUd8Oj01YbDxvKHUwJs47gQhJOAOlQvfWDAjpKCgxUWS",
	 -EINVAL},
	{"moto_err_signature.xml", NULL, 403, "SignatureDoesNotMatch",
	 "The request signature we calculated does not match the signature you provided. Check "
	 "your AWS Secret Access Key and signing method. Consult the service documentation for "
	 "details.",
	 "", -EKEYEXPIRED},
	{"moto_err_access_denied.xml", NULL, 403, "AccessDenied",
	 "User: arn:aws:iam::123456789012:user/weak is not authorized to perform: iam:ListRoles",
	 "", -EACCES},
	{"moto_err_sts_signature.xml", NULL, 403, "SignatureDoesNotMatch", NULL, "", -EKEYEXPIRED},
	{"sts_err_expired.xml", NULL, 400, "ExpiredToken",
	 "The security token included in the request is expired",
	 "4a6d2e1c-8f7b-4c0e-9d1a-EXAMPLE00001", -EKEYEXPIRED},
	{"errors_response_shape.xml", NULL, 400, "Throttling", "Rate exceeded",
	 "ea966190-f9aa-478e-9ede-EXAMPLE00002", -EAGAIN},
	{"iam_err_version_quota.xml", NULL, 409, "LimitExceeded", NULL,
	 "7f3c9b1e-0d2a-4b5c-8e6f-EXAMPLE00003", -EDQUOT},
	{"json_err_type.json", NULL, 404, "NoSuchEntityException",
	 "The role with name ghost cannot be found.", "", -ENOENT},
	{"json_err_code.json", NULL, 400, "Throttling", "Rate exceeded", "", -EAGAIN},
	{"html_502.html", NULL, 502, "HTTP502", "502 Bad Gateway 502 Bad Gateway nginx", "", -EIO},
	{NULL, "", 503, "HTTP503", "Service Unavailable", "", -EIO},
	{NULL, " \r\n", 403, "HTTP403", "Forbidden", "", -EACCES},
	{NULL, "", 599, "HTTP599", "HTTP status 599 with an empty body", "", -EIO},
	{NULL,
	 "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
	 "<body>No server is available</body></html>",
	 503, "HTTP503", "503 Service Unavailable No server is available", "", -EIO},
	{NULL, "<html><p>well-formed, but <b>no</b> error</p></html>", 404, "HTTP404",
	 "well-formed, but no error", "", -ENOENT},
	{NULL, "upstream connect error", 500, "HTTP500", "upstream connect error", "", -EIO},
	{NULL, "<ErrorResponse><Error><Code>Throt", 400, "HTTP400", "Throt", "", -EINVAL},
	{NULL, "{\"message\":\"no code here\"}", 429, "HTTP429", "no code here", "", -EAGAIN},
	{NULL, "{not json", 400, "HTTP400", "{not json", "", -EINVAL},
	{NULL,
	 "<Error><Code>NoSuchEntity</Code><message>lower</message>"
	 "<RequestId>r-1</RequestId></Error>",
	 404, "NoSuchEntity", "lower", "r-1", -ENOENT},
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct check_file f = {NULL, 0};
		struct aws_error err;

		if (c->file)
			f = check_load(c->file);
		aws_error_clear(&err);
		err.attempts = 3;
		snprintf(err.code, sizeof(err.code), "stale");
		iam_parse_error(c->file ? f.data : c->body, c->file ? f.len : strlen(c->body),
				c->status, &err);
		CHECK_STR(err.code, c->code);
		if (c->message)
			CHECK_STR(err.message, c->message);
		else
			CHECK(strlen(err.message) > 20);
		CHECK_STR(err.request_id, c->request_id);
		CHECK_INT(err.http_status, c->status);
		CHECK_INT(err.attempts, 3);
		CHECK_INT(aws_error_errno(&err), c->err);
		free(f.data);
	}
}

static void test_error_edges(void)
{
	char big[4096];
	struct aws_error err;

	/* a long HTML page gives a short excerpt, cut on a character boundary */
	memset(big, 0, sizeof(big));
	memcpy(big, "<html><body><p>", 15);
	memset(big + 15, 'a', 150);
	for (size_t i = 165; i + 2 < 600; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	iam_parse_error(big, strlen(big), 500, &err);
	CHECK_STR(err.code, "HTTP500");
	CHECK(strlen(err.message) <= 200 && strlen(err.message) >= 198);
	CHECK(((unsigned char)err.message[strlen(err.message) - 1] & 0xc0) == 0x80);
	/* NULL body and NULL err are safe */
	iam_parse_error(NULL, 10, 504, &err);
	CHECK_STR(err.code, "HTTP504");
	CHECK_STR(err.message, "Gateway Timeout");
	iam_parse_error("x", 1, 500, NULL);
	/* a very long code or message is cut to the struct's size */
	{
		char body[3000];
		int n = snprintf(body, sizeof(body),
				 "<ErrorResponse><Error><Code>%0200d</Code>"
				 "<Message>%02000d</Message></Error></ErrorResponse>",
				 7, 9);

		iam_parse_error(body, (size_t)n, 400, &err);
		CHECK_INT(strlen(err.code), sizeof(err.code) - 1);
		CHECK_INT(strlen(err.message), sizeof(err.message) - 1);
	}
}

/* A parser given an error answer fills err from it; given junk, says so. */
static void test_parsers_refuse(void)
{
	struct check_file nse = check_load("moto_err_no_such_entity.xml");
	struct check_file roles = check_load("moto_list_roles_page1.xml");
	struct iam_role_list l = {0};
	struct iam_page page = {true, NULL};
	struct iam_role r = {0};
	struct aws_error err;
	const char *junk[] = {
		"",
		"<ListRolesResponse><ListRolesResult><Roles>",
		"<ListRolesResponse/>",
		"<GetRoleResponse><GetRoleResult/></GetRoleResponse>",
		"<ListRolesResponse><ListRolesResult><Roles><member><RoleName>a</RoleName></member>"
		"<member><Path>/</Path></member></Roles></ListRolesResult></ListRolesResponse>",
		"<ListRolesResponse><ListRolesResult><Roles><member><RoleName>a</RoleName>"
		"<MaxSessionDuration>12x</MaxSessionDuration></member></Roles></ListRolesResult>"
		"</ListRolesResponse>",
		"<ListRolesResponse><ListRolesResult><Roles><member><RoleName>a</RoleName>"
		"<MaxSessionDuration>99999999999</MaxSessionDuration></member></Roles>"
		"</ListRolesResult></ListRolesResponse>",
		"<ListRolesResponse><ListRolesResult><Roles><member><RoleName>a</RoleName><Tags>"
		"<member><Value>v</Value></member></Tags></member></Roles></ListRolesResult>"
		"</ListRolesResponse>",
	};
	size_t i;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_get_role(nse.data, nse.len, &r, NULL, &err), -EINVAL);
	CHECK_STR(err.code, "NoSuchEntity");
	CHECK_STR(err.message, "Role missing not found");
	CHECK(r.name == NULL);
	/* a good page first, then junk: the list and page keep the good page */
	CHECK_INT(iam_parse_list_roles(roles.data, roles.len, &l, &page, NULL), 0);
	CHECK_INT(l.n, 2);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		aws_error_clear(&err);
		if (i == 3)
			CHECK_INT(iam_parse_get_role(junk[i], strlen(junk[i]), &r, NULL, &err),
				  -EINVAL);
		else
			CHECK_INT(iam_parse_list_roles(junk[i], strlen(junk[i]), &l, &page, &err),
				  -EINVAL);
		CHECK_STR(err.code, "MalformedResponse");
		CHECK(strstr(err.message, i == 3 ? "GetRole" : "ListRoles") != NULL);
		CHECK_INT(l.n, 2);
		CHECK(page.is_truncated);
		CHECK_STR(page.marker, "2");
	}
	CHECK(r.name == NULL);
	iam_role_list_cleanup(&l);
	iam_page_cleanup(&page);
	free(nse.data);
	free(roles.data);
}

/* A CreateDate that is no timestamp keeps its text and gives no time, and
 * a role without one has none: neither is read as 1970 nor refused. */
static void test_dates(void)
{
	static const struct {
		const char *date;
		long long want;
	} cases[] = {
		{"<CreateDate>2024-01-02T03:04:05Z</CreateDate>", 1704164645LL},
		{"<CreateDate>2024-01-02T05:04:05+02:00</CreateDate>", 1704164645LL},
		{"<CreateDate>yesterday</CreateDate>", 0},
		{"<CreateDate>2024-01-02T03:04:05Zjunk</CreateDate>", 0},
		{"", 0},
	};
	char xml[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iam_role r = {0};

		snprintf(xml, sizeof(xml),
			 "<GetRoleResponse><GetRoleResult><Role><RoleName>a</RoleName>%s</Role>"
			 "</GetRoleResult></GetRoleResponse>",
			 cases[i].date);
		CHECK_INT(iam_parse_get_role(xml, strlen(xml), &r, NULL, NULL), 0);
		CHECK_INT(r.create_time, cases[i].want);
		CHECK(cases[i].date[0] ? r.create_date != NULL : r.create_date == NULL);
		iam_role_cleanup(&r);
	}
}

/* A bad GAAD policy after good roles leaves both lists as they were. */
static void test_gaad_all_or_nothing(void)
{
	const char *bad = "<GetAccountAuthorizationDetailsResponse>"
			  "<GetAccountAuthorizationDetailsResult><RoleDetailList><member>"
			  "<RoleName>r1</RoleName></member></RoleDetailList><Policies><member>"
			  "<PolicyName>p</PolicyName></member></Policies>"
			  "<IsTruncated>true</IsTruncated><Marker>m2</Marker>"
			  "</GetAccountAuthorizationDetailsResult>"
			  "</GetAccountAuthorizationDetailsResponse>";
	struct iam_page page = {false, strdup("m1")};
	struct iam_gaad g;
	struct aws_error err;

	memset(&g, 0, sizeof(g));
	CHECK_INT(iam_parse_gaad(bad, strlen(bad), &g, &page, &err), -EINVAL);
	CHECK_INT(g.roles.n, 0);
	CHECK_INT(g.policies.n, 0);
	CHECK_STR(page.marker, "m1");
	CHECK(!page.is_truncated);
	iam_gaad_cleanup(&g);
	iam_page_cleanup(&page);
}

static void test_push_and_cleanup(void)
{
	struct iam_string_list sl = {0};
	struct iam_account_summary s = {0};
	struct iam_role_list rl = {0};
	struct iam_role r = {0};
	char name[16];
	int i, ok = 1;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ok &= iam_string_list_push(&sl, name) == 0;
		ok &= iam_account_summary_push(&s, name, i * 1000LL) == 0;
	}
	CHECK(ok);
	CHECK_INT(sl.n, 100);
	CHECK(sl.cap >= 100);
	CHECK_STR(sl.v[99], "p99");
	CHECK_INT(s.v[42].value, 42000);
	r.name = strdup("moved");
	CHECK_INT(iam_role_list_push(&rl, &r), 0);
	CHECK(r.name == NULL);
	CHECK_STR(rl.v[0].name, "moved");
	iam_string_list_cleanup(&sl);
	iam_account_summary_cleanup(&s);
	iam_role_list_cleanup(&rl);
	iam_string_list_cleanup(NULL);
	iam_gaad_cleanup(NULL);
	iam_page_cleanup(NULL);
	iam_sts_credentials_cleanup(NULL);
	iam_policy_cleanup(NULL);
	iam_policy_version_cleanup(NULL);
	iam_version_list_cleanup(NULL);
	iam_attached_list_cleanup(NULL);
	iam_policy_list_cleanup(NULL);
	iam_caller_identity_cleanup(NULL);
	iam_account_summary_cleanup(NULL);
	iam_inline_policy_cleanup(NULL);
	CHECK(sl.v == NULL && s.v == NULL && rl.v == NULL);
}

/* A full page (1,000 roles, each with an encoded inline policy) parses whole. */
static void test_gaad_big_page(void)
{
	struct iam_page page = {0};
	struct iam_gaad g;
	struct buf b;
	int i, rc = 0, ok = 1;

	memset(&g, 0, sizeof(g));
	buf_init(&b, 0);
	rc |= buf_puts(&b, "<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetails"
			   "Result><RoleDetailList>");
	for (i = 0; i < 1000; i++)
		rc |= buf_printf(
			&b,
			"<member><RoleName>role-%04d</RoleName><Path>/p%d/</Path>"
			"<RolePolicyList><member><PolicyName>in%d</PolicyName>"
			"<PolicyDocument>%%7B%%22Sid%%22%%3A%%22s%d%%22%%7D</PolicyDocument>"
			"</member></RolePolicyList></member>",
			i, i, i, i);
	rc |= buf_puts(&b, "</RoleDetailList><IsTruncated>true</IsTruncated><Marker>next</Marker>"
			   "</GetAccountAuthorizationDetailsResult>"
			   "</GetAccountAuthorizationDetailsResponse>");
	CHECK_INT(rc, 0);
	CHECK_INT(iam_parse_gaad(b.data, b.len, &g, &page, NULL), 0);
	CHECK_INT(g.roles.n, 1000);
	CHECK_INT(g.policies.n, 0);
	for (i = 0; i < (int)g.roles.n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "{\"Sid\":\"s%d\"}", i);
		ok &= g.roles.v[i].ninline == 1 &&
		      !strcmp(g.roles.v[i].inline_policies[0].document, want);
	}
	CHECK(ok);
	CHECK_STR(g.roles.n ? g.roles.v[999].name : NULL, "role-0999");
	CHECK_STR(g.roles.n ? g.roles.v[999].path : NULL, "/p999/");
	CHECK_STR(page.marker, "next");
	iam_gaad_cleanup(&g);
	iam_page_cleanup(&page);
	buf_cleanup(&b);
}

int main(void)
{
	test_decode_document();
	test_list_roles_paged();
	test_list_roles_path();
	test_get_role_moto();
	test_get_role_aws();
	test_role_policies();
	test_attached();
	test_policy();
	test_versions();
	test_gaad();
	test_summary_and_empty();
	test_sts();
	test_errors();
	test_error_edges();
	test_parsers_refuse();
	test_dates();
	test_gaad_all_or_nothing();
	test_gaad_big_page();
	test_push_and_cleanup();
	return check_done("iam_parse");
}
