/*
 * The IAM calls of a role's life, from CreateRole to DeleteRole: creating
 * roles and customer managed policies, changing a role's fields, tags and
 * permissions boundary, attaching and detaching managed policies, and the
 * listings a deletion needs first (instance profiles) or an attachment picks
 * from (ListPolicies). Requests with optional fields or member lists are
 * built by iam_form.c and sent through iam.c's machinery (iam_request.h).
 */
#include <errno.h>
#include <stddef.h>

#include "aws/iam.h"
#include "aws/iam_form.h"
#include "aws/iam_parse.h"
#include "aws/iam_request.h"

IAM_DEFINE_LIST(iam_lifecycle_list_policies, iam_policy_list)
IAM_DEFINE_LIST(iam_lifecycle_list_strings, iam_string_list)

/* Fills err for a request iam_form.c refused (nothing was sent). */
static int iam_lifecycle_refused(int rc, const char *action, struct aws_error *err)
{
	aws_error_clear(err);
	if (rc == -ENOMEM)
		aws_error_set(err, "NoMemory", "out of memory building %s", action);
	else
		aws_error_set(err, "InvalidInput", "%s: a required field is missing or bad",
			      action);
	return rc == -ENOMEM ? rc : -EINVAL;
}

/* Sends action with the parameters in own (the form stage's rc: refused when < 0). */
static int iam_lifecycle_send(struct iam_conn *c, const char *action, int rc,
			      struct aws_params *own, iam_parser parse, void *out,
			      struct aws_error *err)
{
	if (rc < 0)
		rc = iam_lifecycle_refused(rc, action, err);
	else
		rc = iam_request(c, action, NULL, own, parse, out, err);
	aws_params_cleanup(own);
	return rc;
}

static int iam_lifecycle_write(struct iam_conn *c, const char *action, const char *const *kv,
			       struct aws_error *err)
{
	return iam_request(c, action, kv, NULL, NULL, NULL, err);
}

int iam_create_role(struct iam_conn *c, const struct iam_create_role_input *in,
		    struct iam_role *out, struct aws_error *err)
{
	struct iam_role tmp = {0}; /* the answer when the caller wants none */
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_create_role(&own, in);
	rc = iam_lifecycle_send(c, "CreateRole", rc, &own, iam_parse_create_role, out ? out : &tmp,
				err);
	iam_role_cleanup(&tmp);
	return rc;
}

int iam_delete_role(struct iam_conn *c, const char *role, struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_lifecycle_write(c, "DeleteRole", kv, err);
}

int iam_list_instance_profiles_for_role(struct iam_conn *c, const char *role,
					struct iam_string_list *out, struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_lifecycle_list_strings(c, "ListInstanceProfilesForRole", kv, NULL,
					  iam_parse_list_instance_profiles_for_role, out, err);
}

int iam_remove_role_from_instance_profile(struct iam_conn *c, const char *profile, const char *role,
					  struct aws_error *err)
{
	const char *kv[] = {"InstanceProfileName", profile, "RoleName", role, NULL};

	return iam_lifecycle_write(c, "RemoveRoleFromInstanceProfile", kv, err);
}

int iam_attach_role_policy(struct iam_conn *c, const char *role, const char *arn,
			   struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyArn", arn, NULL};

	return iam_lifecycle_write(c, "AttachRolePolicy", kv, err);
}

int iam_detach_role_policy(struct iam_conn *c, const char *role, const char *arn,
			   struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyArn", arn, NULL};

	return iam_lifecycle_write(c, "DetachRolePolicy", kv, err);
}

int iam_create_policy(struct iam_conn *c, const char *name, const char *doc, const char *path,
		      struct iam_policy *out, struct aws_error *err)
{
	struct iam_policy tmp = {0}; /* the answer when the caller wants none */
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_create_policy(&own, name, doc, path);
	rc = iam_lifecycle_send(c, "CreatePolicy", rc, &own, iam_parse_create_policy,
				out ? out : &tmp, err);
	iam_policy_cleanup(&tmp);
	return rc;
}

int iam_list_policies(struct iam_conn *c, enum iam_policy_scope scope, const char *path_prefix,
		      struct iam_policy_list *out, struct aws_error *err)
{
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_list_policies(&own, scope, path_prefix);
	if (rc < 0)
		rc = iam_lifecycle_refused(rc, "ListPolicies", err);
	else
		rc = iam_lifecycle_list_policies(c, "ListPolicies", NULL, &own,
						 iam_parse_list_policies, out, err);
	aws_params_cleanup(&own);
	return rc;
}

int iam_update_role(struct iam_conn *c, const char *role, const char *description,
		    int max_session_duration, struct aws_error *err)
{
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_update_role(&own, role, description, max_session_duration);
	return iam_lifecycle_send(c, "UpdateRole", rc, &own, NULL, NULL, err);
}

int iam_tag_role(struct iam_conn *c, const char *role, const struct iam_tag *tags, size_t ntags,
		 struct aws_error *err)
{
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_tag_role(&own, role, tags, ntags);
	return iam_lifecycle_send(c, "TagRole", rc, &own, NULL, NULL, err);
}

int iam_untag_role(struct iam_conn *c, const char *role, const char *const *keys, size_t nkeys,
		   struct aws_error *err)
{
	struct aws_params own;
	int rc;

	aws_params_init(&own);
	rc = iam_form_untag_role(&own, role, keys, nkeys);
	return iam_lifecycle_send(c, "UntagRole", rc, &own, NULL, NULL, err);
}

int iam_put_role_permissions_boundary(struct iam_conn *c, const char *role, const char *arn,
				      struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PermissionsBoundary", arn, NULL};

	return iam_lifecycle_write(c, "PutRolePermissionsBoundary", kv, err);
}

int iam_delete_role_permissions_boundary(struct iam_conn *c, const char *role,
					 struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_lifecycle_write(c, "DeleteRolePermissionsBoundary", kv, err);
}
