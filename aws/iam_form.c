/*
 * Builds the parameters of the IAM calls with optional fields and member
 * lists (iam_form.h). Pure: no I/O, so unit tests read the exact parameters a
 * call would send.
 */
#include "aws/iam_form.h"

#include <errno.h>
#include <stdio.h>

/* Room for "Tags.member.NNNNN.Value" and any list name IAM uses. */
#define IAM_FORM_NAME_MAX 96

static int iam_form_add_opt(struct aws_params *p, const char *name, const char *value)
{
	return value ? aws_params_add(p, name, value) : 0;
}

static int iam_form_required(const char *s)
{
	return s && *s ? 0 : -EINVAL;
}

int iam_form_tags(struct aws_params *p, const struct iam_tag *tags, size_t n)
{
	char name[IAM_FORM_NAME_MAX];
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		rc = iam_form_required(tags[i].key);
		if (rc)
			break;
		snprintf(name, sizeof(name), "Tags.member.%zu.Key", i + 1);
		rc = aws_params_add(p, name, tags[i].key);
		snprintf(name, sizeof(name), "Tags.member.%zu.Value", i + 1);
		if (!rc)
			rc = aws_params_add(p, name, tags[i].value ? tags[i].value : "");
	}
	return rc;
}

int iam_form_members(struct aws_params *p, const char *list, const char *const *v, size_t n)
{
	char name[IAM_FORM_NAME_MAX];
	size_t i;
	int rc = iam_form_required(list);

	for (i = 0; i < n && !rc; i++) {
		rc = iam_form_required(v[i]);
		if (rc)
			break;
		if (snprintf(name, sizeof(name), "%s.member.%zu", list, i + 1) >= (int)sizeof(name))
			return -EINVAL;
		rc = aws_params_add(p, name, v[i]);
	}
	return rc;
}

int iam_form_tag_role(struct aws_params *p, const char *role, const struct iam_tag *tags, size_t n)
{
	int rc;

	if (iam_form_required(role) || !n)
		return -EINVAL;
	rc = aws_params_add(p, "RoleName", role);
	return rc ? rc : iam_form_tags(p, tags, n);
}

int iam_form_untag_role(struct aws_params *p, const char *role, const char *const *keys, size_t n)
{
	int rc;

	if (iam_form_required(role) || !n)
		return -EINVAL;
	rc = aws_params_add(p, "RoleName", role);
	return rc ? rc : iam_form_members(p, "TagKeys", keys, n);
}

int iam_form_create_role(struct aws_params *p, const struct iam_create_role_input *in)
{
	int rc;

	if (iam_form_required(in->name) || iam_form_required(in->trust_policy) ||
	    in->max_session_duration < 0)
		return -EINVAL;
	rc = aws_params_add(p, "RoleName", in->name);
	if (!rc)
		rc = aws_params_add(p, "AssumeRolePolicyDocument", in->trust_policy);
	if (!rc)
		rc = iam_form_add_opt(p, "Path", in->path);
	if (!rc)
		rc = iam_form_add_opt(p, "Description", in->description);
	if (!rc && in->max_session_duration)
		rc = aws_params_addf(p, "MaxSessionDuration", "%d", in->max_session_duration);
	if (!rc)
		rc = iam_form_add_opt(p, "PermissionsBoundary", in->boundary_arn);
	if (!rc)
		rc = iam_form_tags(p, in->tags, in->ntags);
	return rc;
}

int iam_form_update_role(struct aws_params *p, const char *role, const char *description,
			 int max_session_duration)
{
	int rc;

	if (iam_form_required(role) || max_session_duration < 0 ||
	    (!description && !max_session_duration))
		return -EINVAL;
	rc = aws_params_add(p, "RoleName", role);
	if (!rc)
		rc = iam_form_add_opt(p, "Description", description);
	if (!rc && max_session_duration)
		rc = aws_params_addf(p, "MaxSessionDuration", "%d", max_session_duration);
	return rc;
}

int iam_form_create_policy(struct aws_params *p, const char *name, const char *doc,
			   const char *path)
{
	int rc;

	if (iam_form_required(name) || iam_form_required(doc))
		return -EINVAL;
	rc = aws_params_add(p, "PolicyName", name);
	if (!rc)
		rc = iam_form_add_opt(p, "Path", path);
	if (!rc)
		rc = aws_params_add(p, "PolicyDocument", doc);
	return rc;
}

int iam_form_list_policies(struct aws_params *p, enum iam_policy_scope scope,
			   const char *path_prefix)
{
	static const char *const names[] = {"All", "AWS", "Local"};
	int rc;

	if ((unsigned)scope >= sizeof(names) / sizeof(names[0]))
		return -EINVAL;
	rc = aws_params_add(p, "Scope", names[scope]);
	if (!rc)
		rc = iam_form_add_opt(p, "PathPrefix", path_prefix);
	return rc;
}
