/*
 * Unit tests of the calls of a role's life (aws/iam_lifecycle.c) that need no
 * network: their answer parsers (CreateRole, CreatePolicy, ListPolicies paged,
 * ListInstanceProfilesForRole, the empty answers) against AWS-shaped answers
 * (data/aws_*.xml), the exact parameters each request sends (aws/iam_form.c),
 * the errno of the error codes they bring, and which of them may be resent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "aws/iam_form.h"
#include "aws/iam_parse.h"
#include "aws/query.h"
#include "check.h"

#define ACCT "123456789012"

static void test_create_role(void)
{
	struct check_file f = check_load("aws_create_role.xml");
	struct iam_role r = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_create_role(f.data, f.len, &r, NULL, &err), 0);
	CHECK_STR(r.name, "S3Access");
	CHECK_STR(r.id, "AROADBQP57FF2AEXAMPLE");
	CHECK_STR(r.arn, "arn:aws:iam::" ACCT ":role/application_abc/component_xyz/S3Access");
	CHECK_STR(r.path, "/application_abc/component_xyz/");
	CHECK_STR(r.trust_policy, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
				  "\"Allow\",\"Principal\":{\"Service\":[\"ec2.amazonaws.com\"]},"
				  "\"Action\":[\"sts:AssumeRole\"]}]}");
	CHECK_STR(r.description, "Reads the S3 bucket");
	CHECK_INT(r.max_session_duration, 7200);
	CHECK_STR(r.boundary_arn, "arn:aws:iam::" ACCT ":policy/boundary");
	CHECK_STR(r.boundary_type, "Policy");
	CHECK_STR(r.create_date, "2012-05-08T23:34:01.495Z");
	CHECK_INT(r.create_time, 1336520041LL);
	CHECK_INT(r.ntags, 2);
	if (r.ntags == 2) {
		CHECK_STR(r.tags[0].key, "team");
		CHECK_STR(r.tags[0].value, "core");
		CHECK_STR(r.tags[1].key, "empty");
		CHECK_STR(r.tags[1].value, "");
	}
	iam_role_cleanup(&r);
	/* GetRole's answer is not CreateRole's: refused, out untouched */
	CHECK_INT(iam_parse_get_role(f.data, f.len, &r, NULL, &err), -EINVAL);
	CHECK_STR(err.code, "MalformedResponse");
	CHECK(r.name == NULL);
	free(f.data);
}

static void test_create_role_refused(void)
{
	static const char no_name[] =
		"<CreateRoleResponse><CreateRoleResult><Role><Arn>arn:aws:iam::" ACCT
		":role/x</Arn></Role></CreateRoleResult></CreateRoleResponse>";
	static const char no_role[] =
		"<CreateRoleResponse><CreateRoleResult/></CreateRoleResponse>";
	struct iam_role r = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_create_role(no_name, sizeof(no_name) - 1, &r, NULL, &err), -EINVAL);
	CHECK_STR(err.code, "MalformedResponse");
	CHECK(r.arn == NULL);
	aws_error_clear(&err);
	CHECK_INT(iam_parse_create_role(no_role, sizeof(no_role) - 1, &r, NULL, &err), -EINVAL);
	CHECK_STR(err.code, "MalformedResponse");
}

static void test_create_policy(void)
{
	struct check_file f = check_load("aws_create_policy.xml");
	struct iam_policy p = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_create_policy(f.data, f.len, &p, NULL, &err), 0);
	CHECK_STR(p.name, "S3-read-only-example-bucket");
	CHECK_STR(p.id, "AGPACKCEVSQ6C2EXAMPLE");
	CHECK_STR(p.arn, "arn:aws:iam::" ACCT ":policy/team/S3-read-only-example-bucket");
	CHECK_STR(p.path, "/team/");
	CHECK_STR(p.default_version_id, "v1");
	CHECK_INT(p.attachment_count, 0);
	CHECK(p.is_attachable);
	CHECK_STR(p.create_date, "2014-09-15T17:36:14.673Z");
	CHECK_INT(p.nversions, 0);
	iam_policy_cleanup(&p);
	free(f.data);
}

static void test_list_policies_paged(void)
{
	struct check_file p1 = check_load("aws_list_policies_page1.xml"),
			  p2 = check_load("aws_list_policies_page2.xml");
	struct iam_policy_list l = {0};
	struct iam_page page = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_list_policies(p1.data, p1.len, &l, &page, &err), 0);
	CHECK_INT(l.n, 2);
	CHECK(page.is_truncated);
	CHECK(page.marker && !strncmp(page.marker, "EXAMPLEkakv9", 12));
	if (l.n == 2) {
		CHECK_STR(l.v[0].name, "ExamplePolicy");
		CHECK_STR(l.v[0].arn, "arn:aws:iam::" ACCT ":policy/ExamplePolicy");
		CHECK_STR(l.v[0].default_version_id, "v1");
		CHECK_INT(l.v[0].attachment_count, 2);
		CHECK_STR(l.v[1].name, "PowerUserAccess");
		CHECK_STR(l.v[1].arn, "arn:aws:iam::aws:policy/PowerUserAccess");
		CHECK_STR(l.v[1].default_version_id, "v5");
	}
	CHECK_INT(iam_parse_list_policies(p2.data, p2.len, &l, &page, &err), 0);
	CHECK_INT(l.n, 3);
	CHECK(!page.is_truncated);
	CHECK(page.marker == NULL);
	CHECK_STR(l.n == 3 ? l.v[2].name : NULL, "service-role-AWSLambdaRole");
	CHECK_STR(l.n == 3 ? l.v[2].path : NULL, "/service-role/");
	/* another action's answer adds nothing */
	CHECK_INT(iam_parse_list_roles(p2.data, p2.len, &(struct iam_role_list){0}, NULL, &err),
		  -EINVAL);
	iam_policy_list_cleanup(&l);
	iam_page_cleanup(&page);
	free(p1.data);
	free(p2.data);
}

static void test_list_policies_all_or_nothing(void)
{
	static const char bad[] =
		"<ListPoliciesResponse><ListPoliciesResult><IsTruncated>true</IsTruncated>"
		"<Marker>m2</Marker><Policies><member><Arn>arn:aws:iam::" ACCT
		":policy/a</Arn></member><member><PolicyName>b</PolicyName></member>"
		"</Policies></ListPoliciesResult></ListPoliciesResponse>";
	struct iam_policy_list l = {0};
	struct iam_page page = {true, NULL};
	struct aws_error err;

	page.marker = strdup("m1");
	aws_error_clear(&err);
	CHECK_INT(iam_parse_list_policies(bad, sizeof(bad) - 1, &l, &page, &err), -EINVAL);
	CHECK_STR(err.code, "MalformedResponse");
	CHECK_INT(l.n, 0);
	CHECK_STR(page.marker, "m1");
	iam_policy_list_cleanup(&l);
	iam_page_cleanup(&page);
}

static void test_instance_profiles(void)
{
	static const char unnamed[] =
		"<ListInstanceProfilesForRoleResponse><ListInstanceProfilesForRoleResult>"
		"<IsTruncated>false</IsTruncated><InstanceProfiles><member><Path>/</Path></member>"
		"</InstanceProfiles></ListInstanceProfilesForRoleResult>"
		"</ListInstanceProfilesForRoleResponse>";
	struct check_file f = check_load("aws_list_instance_profiles_for_role.xml");
	struct iam_string_list l = {0};
	struct iam_page page = {0};
	struct aws_error err;

	aws_error_clear(&err);
	CHECK_INT(iam_parse_list_instance_profiles_for_role(f.data, f.len, &l, &page, &err), 0);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.n == 2 ? l.v[0] : NULL, "Webserver");
	CHECK_STR(l.n == 2 ? l.v[1] : NULL, "Batch");
	CHECK(!page.is_truncated);
	CHECK_INT(iam_parse_list_instance_profiles_for_role(unnamed, sizeof(unnamed) - 1, &l, &page,
							    &err),
		  -EINVAL);
	CHECK_INT(l.n, 2);
	iam_string_list_cleanup(&l);
	iam_page_cleanup(&page);
	free(f.data);
}

static void test_empty_answers(void)
{
	static const char *const actions[] = {
		"DeleteRole",
		"RemoveRoleFromInstanceProfile",
		"AttachRolePolicy",
		"DetachRolePolicy",
		"UpdateRole",
		"TagRole",
		"UntagRole",
		"PutRolePermissionsBoundary",
		"DeleteRolePermissionsBoundary",
	};
	char xml[512];
	struct aws_error err;
	size_t i;
	int n;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		/* UpdateRole's answer holds an empty result; the others none */
		n = snprintf(xml, sizeof(xml),
			     "<%sResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
			     "  %s\n  <ResponseMetadata>\n    <RequestId>"
			     "11111111-2222-3333-4444-555555555555</RequestId>\n"
			     "  </ResponseMetadata>\n</%sResponse>\n",
			     actions[i],
			     strcmp(actions[i], "UpdateRole") ? "" : "<UpdateRoleResult/>",
			     actions[i]);
		aws_error_clear(&err);
		CHECK_INT(iam_parse_empty(xml, (size_t)n, actions[i], &err), 0);
		CHECK_STR(err.code, "");
		CHECK_INT(iam_parse_empty(xml, (size_t)n, "CreateRole", &err), -EINVAL);
		CHECK_STR(err.code, "MalformedResponse");
	}
}

static void test_error_codes(void)
{
	struct {
		const char *file, *code;
		int want;
	} cases[] = {
		{"aws_err_delete_conflict.xml", "DeleteConflict", -EBUSY},
		{"aws_err_entity_exists.xml", "EntityAlreadyExists", -EEXIST},
		{"aws_err_unmodifiable.xml", "UnmodifiableEntity", -EPERM},
		{"moto_err_no_such_entity.xml", "NoSuchEntity", -ENOENT},
	};
	struct aws_error err;
	struct check_file f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = check_load(cases[i].file);
		aws_error_clear(&err);
		iam_parse_error(f.data, f.len, 409, &err);
		CHECK_STR(err.code, cases[i].code);
		CHECK_INT(aws_error_errno(&err), cases[i].want);
		free(f.data);
	}
	/* a role-count quota keeps LimitExceeded's size mapping */
	aws_error_clear(&err);
	aws_error_set(&err, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000");
	CHECK_INT(aws_error_errno(&err), -EFBIG);
}

static void test_idempotent(void)
{
	static const char *const again[] = {
		"ListPolicies", "ListInstanceProfilesForRole", "UpdateRole", "TagRole",
		"UntagRole",	"PutRolePermissionsBoundary",
	};
	static const char *const once[] = {
		"CreateRole",
		"DeleteRole",
		"RemoveRoleFromInstanceProfile",
		"AttachRolePolicy",
		"DetachRolePolicy",
		"CreatePolicy",
		"DeleteRolePermissionsBoundary",
	};
	size_t i;

	for (i = 0; i < sizeof(again) / sizeof(again[0]); i++)
		CHECK(query_idempotent(again[i]));
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		CHECK(!query_idempotent(once[i]));
}

/* The parameters as "name=value&..." (form-encoded), or "" after a refusal. */
static void check_form(const struct aws_params *p, int rc, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK_INT(rc, 0);
	CHECK_INT(aws_params_encode(p, &b), 0);
	CHECK_STR(b.data ? b.data : "", want);
	buf_cleanup(&b);
}

static void test_form_create_role(void)
{
	const struct iam_tag tags[] = {{"team", "core"}, {"cost center", "a&b=c"}, {"k", NULL}};
	struct iam_create_role_input in = {"app", "{\"V\": 1}", NULL, NULL, 0, NULL, NULL, 0};
	struct aws_params p;

	aws_params_init(&p);
	check_form(&p, iam_form_create_role(&p, &in),
		   "RoleName=app&AssumeRolePolicyDocument=%7B%22V%22%3A+1%7D");
	aws_params_cleanup(&p);
	in.path = "/svc/";
	in.description = "Runs the app";
	in.max_session_duration = 7200;
	in.boundary_arn = "arn:aws:iam::" ACCT ":policy/b";
	in.tags = tags;
	in.ntags = 3;
	check_form(&p, iam_form_create_role(&p, &in),
		   "RoleName=app&AssumeRolePolicyDocument=%7B%22V%22%3A+1%7D&Path=%2Fsvc%2F"
		   "&Description=Runs+the+app&MaxSessionDuration=7200"
		   "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A" ACCT "%3Apolicy%2Fb"
		   "&Tags.member.1.Key=team&Tags.member.1.Value=core"
		   "&Tags.member.2.Key=cost+center&Tags.member.2.Value=a%26b%3Dc"
		   "&Tags.member.3.Key=k&Tags.member.3.Value=");
	aws_params_cleanup(&p);
	in.trust_policy = NULL;
	CHECK_INT(iam_form_create_role(&p, &in), -EINVAL);
	in.trust_policy = "{}";
	in.max_session_duration = -1;
	CHECK_INT(iam_form_create_role(&p, &in), -EINVAL);
	aws_params_cleanup(&p);
}

static void test_form_tags(void)
{
	const struct iam_tag tags[] = {{"env", "prod"}, {"", "x"}};
	const char *keys[] = {"env", "team", ""};
	struct aws_params p;

	aws_params_init(&p);
	check_form(&p, iam_form_tag_role(&p, "r", tags, 1),
		   "RoleName=r&Tags.member.1.Key=env&Tags.member.1.Value=prod");
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_tag_role(&p, "r", tags, 2), -EINVAL); /* an empty key */
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_tag_role(&p, "r", tags, 0), -EINVAL);
	CHECK_INT(iam_form_tag_role(&p, NULL, tags, 1), -EINVAL);
	check_form(&p, iam_form_untag_role(&p, "r", keys, 2),
		   "RoleName=r&TagKeys.member.1=env&TagKeys.member.2=team");
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_untag_role(&p, "r", keys, 3), -EINVAL);
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_untag_role(&p, "r", keys, 0), -EINVAL);
}

static void test_form_others(void)
{
	struct aws_params p;

	aws_params_init(&p);
	check_form(&p, iam_form_update_role(&p, "r", "new text", 0),
		   "RoleName=r&Description=new+text");
	aws_params_cleanup(&p);
	check_form(&p, iam_form_update_role(&p, "r", NULL, 43200),
		   "RoleName=r&MaxSessionDuration=43200");
	aws_params_cleanup(&p);
	check_form(&p, iam_form_update_role(&p, "r", "", 3600),
		   "RoleName=r&Description=&MaxSessionDuration=3600");
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_update_role(&p, "r", NULL, 0), -EINVAL);
	check_form(&p, iam_form_create_policy(&p, "p", "{}", NULL),
		   "PolicyName=p&PolicyDocument=%7B%7D");
	aws_params_cleanup(&p);
	check_form(&p, iam_form_create_policy(&p, "p", "{}", "/team/"),
		   "PolicyName=p&Path=%2Fteam%2F&PolicyDocument=%7B%7D");
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_create_policy(&p, "p", NULL, NULL), -EINVAL);
	check_form(&p, iam_form_list_policies(&p, IAM_SCOPE_ALL, NULL), "Scope=All");
	aws_params_cleanup(&p);
	check_form(&p, iam_form_list_policies(&p, IAM_SCOPE_AWS, "/service-role/"),
		   "Scope=AWS&PathPrefix=%2Fservice-role%2F");
	aws_params_cleanup(&p);
	check_form(&p, iam_form_list_policies(&p, IAM_SCOPE_LOCAL, NULL), "Scope=Local");
	aws_params_cleanup(&p);
	CHECK_INT(iam_form_list_policies(&p, (enum iam_policy_scope)7, NULL), -EINVAL);
	aws_params_cleanup(&p);
}

int main(void)
{
	test_create_role();
	test_create_role_refused();
	test_create_policy();
	test_list_policies_paged();
	test_list_policies_all_or_nothing();
	test_instance_profiles();
	test_empty_answers();
	test_error_codes();
	test_idempotent();
	test_form_create_role();
	test_form_tags();
	test_form_others();
	return check_done("iam_lifecycle");
}
