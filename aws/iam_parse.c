/*
 * Turns IAM and STS answers (Query protocol XML, walked with aws/xml.h) into
 * the plain structs of iam_types.h (error bodies: iam_parse_error.c; the
 * elements inside an answer: iam_decode.c). Each answer is described by a row
 * (action, element, decoder); lists only grow when a whole page parsed, so a
 * failed parse leaves the caller's data as it was.
 */
#include "aws/iam_parse.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/xml.h"

static void iam_bad(struct aws_error *err, const char *action, const char *what)
{
	aws_error_set(err, AWS_MALFORMED_RESPONSE, "unexpected %s answer: %s", action, what);
}

/* ---- the answer envelope ---- */

static bool iam_is_error_root(const char *name)
{
	return !strcmp(name, "ErrorResponse") || !strcmp(name, "Response") ||
	       !strcmp(name, "Error");
}

/* Parses an answer and finds <{action}Result> (when result is not NULL). An
 * error answer fills err from its <Error>; anything else unexpected says what. */
static int iam_open(const char *xml, size_t len, const char *action, struct xml_node **root,
		    const struct xml_node **result, struct aws_error *err)
{
	char want[128];
	int rc = xml_parse(xml, len, root);

	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		iam_bad(err, action,
			rc == -EFBIG ? "too large or too deep" : "not well-formed XML");
		return -EINVAL;
	}
	snprintf(want, sizeof(want), "%sResponse", action);
	if (strcmp((*root)->name, want)) {
		if (iam_is_error_root((*root)->name))
			iam_parse_error(xml, len, err ? err->http_status : 0, err);
		else
			aws_error_set(err, AWS_MALFORMED_RESPONSE,
				      "unexpected %s answer: root <%s>", action, (*root)->name);
		goto fail;
	}
	if (!result)
		return 0;
	snprintf(want, sizeof(want), "%sResult", action);
	*result = xml_child(*root, want);
	if (*result)
		return 0;
	aws_error_set(err, AWS_MALFORMED_RESPONSE, "unexpected %s answer: no <%s>", action, want);
fail:
	xml_free(*root);
	*root = NULL;
	return -EINVAL;
}

/* Maps a failed field read to the parser's return value and err. */
static int iam_finish(int rc, const char *action, const char *what, struct aws_error *err)
{
	if (rc == -EINVAL)
		iam_bad(err, action, what);
	else if (rc == -ENOMEM)
		aws_error_set(err, "NoMemory", "out of memory parsing the %s answer", action);
	return rc;
}

/* Reads IsTruncated and Marker into tmp; iam_page_commit hands them to page. */
static int iam_page_read(const struct xml_node *result, struct iam_page *tmp)
{
	tmp->is_truncated = iam_decode_bool(result, "IsTruncated");
	return iam_decode_take(result, "Marker", &tmp->marker);
}

static void iam_page_commit(struct iam_page *page, struct iam_page *tmp)
{
	if (!page) {
		free(tmp->marker);
		return;
	}
	free(page->marker);
	*page = *tmp;
}

/* ---- one parser per answer ---- */

/* An answer holding a list: the members under <{list}> of the result go to out by
 * append, all or nothing (list NULL: append reads the result itself). Its marker,
 * if any, goes to the caller's page. what: what a refused answer lacked. */
struct iam_listing {
	const char *action;
	const char *list;
	int (*append)(const struct xml_node *list, void *out);
	const char *what;
};

/* Appends a page to out (all or nothing); only then replaces page's marker. */
static int iam_parse_listing(const char *xml, size_t len, const struct iam_listing *k, void *out,
			     struct iam_page *page, struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, k->action, &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = k->append(k->list ? xml_child(res, k->list) : res, out);
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, k->action, k->what, err);
}

/* Any one of the structs an unpaginated answer fills. */
union iam_one {
	struct iam_role role;
	struct iam_inline_policy inline_policy;
	struct iam_policy policy;
	struct iam_policy_version version;
	struct iam_caller_identity identity;
};

/* An answer holding one struct: the one at <{elem}> of the result (elem NULL:
 * the result itself), read all or nothing by parse. */
struct iam_single {
	const char *action;
	const char *elem;
	int (*parse)(const struct xml_node *m, void *obj);
	size_t size; /* of the struct */
	const char *what;
};

/* Fills out (size bytes) only when the whole struct parsed. */
static int iam_parse_single(const char *xml, size_t len, const struct iam_single *k, void *out,
			    struct aws_error *err)
{
	union iam_one tmp;
	const struct xml_node *res, *m;
	struct xml_node *root;
	int rc = iam_open(xml, len, k->action, &root, &res, err);

	if (rc)
		return rc;
	memset(&tmp, 0, sizeof(tmp));
	m = k->elem ? xml_child(res, k->elem) : res;
	rc = m ? k->parse(m, &tmp) : -EINVAL;
	if (!rc)
		memcpy(out, &tmp, k->size);
	xml_free(root);
	return iam_finish(rc, k->action, k->what, err);
}

int iam_parse_list_roles(const char *xml, size_t len, void *out, struct iam_page *page,
			 struct aws_error *err)
{
	static const struct iam_listing k = {"ListRoles", "Roles", iam_decode_roles,
					     "a role without RoleName or a bad number"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_get_role(const char *xml, size_t len, void *out, struct iam_page *page,
		       struct aws_error *err)
{
	static const struct iam_single k = {"GetRole", "Role", iam_decode_role,
					    sizeof(struct iam_role), "no <Role> with a RoleName"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_list_role_policies(const char *xml, size_t len, void *out, struct iam_page *page,
				 struct aws_error *err)
{
	static const struct iam_listing k = {"ListRolePolicies", "PolicyNames", iam_decode_strings,
					     "an empty policy name"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_get_role_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err)
{
	static const struct iam_single k = {"GetRolePolicy", NULL, iam_decode_inline,
					    sizeof(struct iam_inline_policy),
					    "no PolicyName or PolicyDocument"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_list_attached_role_policies(const char *xml, size_t len, void *out,
					  struct iam_page *page, struct aws_error *err)
{
	static const struct iam_listing k = {"ListAttachedRolePolicies", "AttachedPolicies",
					     iam_decode_attached,
					     "an attachment without PolicyArn"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_get_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			 struct aws_error *err)
{
	static const struct iam_single k = {"GetPolicy", "Policy", iam_decode_policy,
					    sizeof(struct iam_policy), "no <Policy> with an Arn"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_get_policy_version(const char *xml, size_t len, void *out, struct iam_page *page,
				 struct aws_error *err)
{
	static const struct iam_single k = {"GetPolicyVersion", "PolicyVersion", iam_decode_version,
					    sizeof(struct iam_policy_version),
					    "no <PolicyVersion> with a VersionId"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_create_policy_version(const char *xml, size_t len, void *out, struct iam_page *page,
				    struct aws_error *err)
{
	static const struct iam_single k = {"CreatePolicyVersion", "PolicyVersion",
					    iam_decode_version, sizeof(struct iam_policy_version),
					    "no <PolicyVersion> with a VersionId"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_list_policy_versions(const char *xml, size_t len, void *out, struct iam_page *page,
				   struct aws_error *err)
{
	static const struct iam_listing k = {"ListPolicyVersions", "Versions", iam_decode_versions,
					     "a version without VersionId"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_create_role(const char *xml, size_t len, void *out, struct iam_page *page,
			  struct aws_error *err)
{
	static const struct iam_single k = {"CreateRole", "Role", iam_decode_role,
					    sizeof(struct iam_role), "no <Role> with a RoleName"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_create_policy(const char *xml, size_t len, void *out, struct iam_page *page,
			    struct aws_error *err)
{
	static const struct iam_single k = {"CreatePolicy", "Policy", iam_decode_policy,
					    sizeof(struct iam_policy), "no <Policy> with an Arn"};

	return iam_parse_single(xml, len, &k, out, err);
}

int iam_parse_list_policies(const char *xml, size_t len, void *out, struct iam_page *page,
			    struct aws_error *err)
{
	static const struct iam_listing k = {"ListPolicies", "Policies", iam_decode_policies,
					     "a policy without Arn or a bad number"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_list_instance_profiles_for_role(const char *xml, size_t len, void *out,
					      struct iam_page *page, struct aws_error *err)
{
	static const struct iam_listing k = {"ListInstanceProfilesForRole", "InstanceProfiles",
					     iam_decode_profile_names,
					     "an instance profile without InstanceProfileName"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_gaad(const char *xml, size_t len, void *out, struct iam_page *page,
		   struct aws_error *err)
{
	static const struct iam_listing k = {
		"GetAccountAuthorizationDetails", NULL, iam_decode_gaad,
		"a role without RoleName, a policy without Arn or a bad number"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_account_summary(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err)
{
	static const struct iam_listing k = {"GetAccountSummary", "SummaryMap", iam_decode_summary,
					     "an entry without key or a bad value"};

	return iam_parse_listing(xml, len, &k, out, page, err);
}

int iam_parse_empty(const char *xml, size_t len, const char *action, struct aws_error *err)
{
	struct xml_node *root;
	int rc = iam_open(xml, len, action, &root, NULL, err);

	if (rc)
		return rc;
	xml_free(root);
	return 0;
}

int iam_parse_caller_identity(const char *xml, size_t len, void *out, struct iam_page *page,
			      struct aws_error *err)
{
	static const struct iam_single k = {"GetCallerIdentity", NULL, iam_decode_identity,
					    sizeof(struct iam_caller_identity),
					    "no Account or Arn"};

	return iam_parse_single(xml, len, &k, out, err);
}

static const struct iam_decode_field iam_credential_fields[] = {
	{"Credentials/AccessKeyId", offsetof(struct iam_sts_credentials, access_key_id)},
	{"Credentials/SecretAccessKey", offsetof(struct iam_sts_credentials, secret_access_key)},
	{"Credentials/SessionToken", offsetof(struct iam_sts_credentials, session_token)},
	{"Credentials/Expiration", offsetof(struct iam_sts_credentials, expiration)},
	{"AssumedRoleUser/Arn", offsetof(struct iam_sts_credentials, assumed_role_arn)},
};

/* Overwrites the secret texts in the tree before it is freed. */
static void iam_wipe_credentials(const struct xml_node *res)
{
	const struct xml_node *creds = xml_child(res, "Credentials"), *c;

	for (c = creds ? creds->children : NULL; c; c = c->next)
		OPENSSL_cleanse(c->text, c->text_len);
}

int iam_parse_sts_credentials(const char *xml, size_t len, const char *action,
			      struct iam_sts_credentials *out, struct aws_error *err)
{
	struct iam_sts_credentials cr = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, action, &root, &res, err);

	if (rc)
		return rc;
	rc = iam_decode_fields(res, &cr, iam_credential_fields,
			       sizeof(iam_credential_fields) / sizeof(iam_credential_fields[0]));
	if (!rc && (!cr.access_key_id || !cr.secret_access_key))
		rc = -EINVAL;
	if (!rc)
		*out = cr;
	else
		iam_sts_credentials_cleanup(&cr);
	iam_wipe_credentials(res);
	xml_free(root);
	return iam_finish(rc, action, "no Credentials with AccessKeyId and SecretAccessKey", err);
}
