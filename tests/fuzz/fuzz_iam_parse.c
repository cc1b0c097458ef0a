/*
 * Every IAM and STS answer parser (aws/iam_parse.c, aws/iam_parse_error.c,
 * aws/xml.c) over the same bytes, as an HTTP body arrives: not NUL-terminated.
 * Roles that parse are rendered to role.json too, as a load would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "aws/iam_parse.h"
#include "cache/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_render_role(const struct iam_role *r)
{
	struct buf out;

	buf_init(&out, 0);
	render_role(r, &out);
	buf_cleanup(&out);
}

static void fuzz_roles(const char *x, size_t n, struct aws_error *err)
{
	struct iam_role_list roles = {0};
	struct iam_role role = {0};
	struct iam_gaad gaad = {0};
	struct iam_page page = {0};
	size_t i;

	if (!iam_parse_list_roles(x, n, &roles, &page, err))
		for (i = 0; i < roles.n; i++)
			fuzz_render_role(&roles.v[i]);
	if (!iam_parse_get_role(x, n, &role, NULL, err))
		fuzz_render_role(&role);
	if (!iam_parse_gaad(x, n, &gaad, &page, err))
		for (i = 0; i < gaad.roles.n; i++)
			fuzz_render_role(&gaad.roles.v[i]);
	iam_role_list_cleanup(&roles);
	iam_role_cleanup(&role);
	iam_gaad_cleanup(&gaad);
	iam_page_cleanup(&page);
}

static void fuzz_policies(const char *x, size_t n, struct aws_error *err)
{
	struct iam_string_list names = {0};
	struct iam_inline_policy inl = {0};
	struct iam_attached_list att = {0};
	struct iam_policy pol = {0};
	struct iam_policy_version ver = {0}, created = {0};
	struct iam_version_list vers = {0};
	struct iam_page page = {0};

	iam_parse_list_role_policies(x, n, &names, &page, err);
	iam_parse_get_role_policy(x, n, &inl, NULL, err);
	iam_parse_list_attached_role_policies(x, n, &att, NULL, err);
	iam_parse_get_policy(x, n, &pol, NULL, err);
	iam_parse_get_policy_version(x, n, &ver, NULL, err);
	iam_parse_list_policy_versions(x, n, &vers, &page, err);
	iam_parse_create_policy_version(x, n, &created, NULL, err);
	iam_string_list_cleanup(&names);
	iam_inline_policy_cleanup(&inl);
	iam_attached_list_cleanup(&att);
	iam_policy_cleanup(&pol);
	iam_policy_version_cleanup(&ver);
	iam_policy_version_cleanup(&created);
	iam_version_list_cleanup(&vers);
	iam_page_cleanup(&page);
}

/* The answers of a role's life: CreateRole, CreatePolicy, ListPolicies,
 * ListInstanceProfilesForRole. */
static void fuzz_lifecycle(const char *x, size_t n, struct aws_error *err)
{
	struct iam_role role = {0};
	struct iam_policy pol = {0};
	struct iam_policy_list pols = {0};
	struct iam_string_list profiles = {0};
	struct iam_page page = {0};

	if (!iam_parse_create_role(x, n, &role, NULL, err))
		fuzz_render_role(&role);
	iam_parse_create_policy(x, n, &pol, NULL, err);
	iam_parse_list_policies(x, n, &pols, &page, err);
	iam_parse_list_instance_profiles_for_role(x, n, &profiles, &page, err);
	iam_role_cleanup(&role);
	iam_policy_cleanup(&pol);
	iam_policy_list_cleanup(&pols);
	iam_string_list_cleanup(&profiles);
	iam_page_cleanup(&page);
}

static void fuzz_misc(const char *x, size_t n, struct aws_error *err)
{
	struct iam_account_summary sum = {0};
	struct iam_caller_identity who = {0};
	struct iam_sts_credentials sts = {0}, web = {0};

	iam_parse_account_summary(x, n, &sum, NULL, err);
	iam_parse_empty(x, n, "UpdateAssumeRolePolicy", err);
	iam_parse_empty(x, n, "PutRolePolicy", err);
	iam_parse_caller_identity(x, n, &who, NULL, err);
	iam_parse_sts_credentials(x, n, "AssumeRole", &sts, err);
	iam_parse_sts_credentials(x, n, "AssumeRoleWithWebIdentity", &web, err);
	iam_account_summary_cleanup(&sum);
	iam_caller_identity_cleanup(&who);
	iam_sts_credentials_cleanup(&sts);
	iam_sts_credentials_cleanup(&web);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_error err;
	char *x = malloc(size ? size : 1), *s = malloc(size + 1), *doc;

	if (!x || !s)
		goto out;
	memcpy(x, data, size); /* exactly size bytes: an overread is caught */
	memcpy(s, data, size);
	s[size] = '\0';
	aws_error_clear(&err);
	fuzz_roles(x, size, &err);
	fuzz_policies(x, size, &err);
	fuzz_lifecycle(x, size, &err);
	fuzz_misc(x, size, &err);
	aws_error_clear(&err);
	err.http_status = 400;
	iam_parse_error(x, size, 400, &err);
	doc = iam_decode_document(s);
	free(doc);
out:
	free(x);
	free(s);
	return 0;
}
