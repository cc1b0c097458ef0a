/*
 * Turns IAM and STS answers (Query protocol XML, walked with aws/xml.h) into
 * the plain structs of iam_types.h (error bodies: iam_parse_error.c).
 * Fields are read through small offset tables; lists only grow when a whole
 * page parsed, so a failed parse leaves the caller's data as it was.
 */
#include "aws/iam_parse.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "aws/buf.h"
#include "aws/iso8601.h"
#include "aws/urlenc.h"
#include "aws/xml.h"

#define IAM_PARSE_CODE "MalformedResponse"

/* A string field of a struct, read from the child element at path. */
struct iam_field {
	const char *path;
	size_t off;
};

static void iam_bad(struct aws_error *err, const char *action, const char *what)
{
	aws_error_set(err, IAM_PARSE_CODE, "unexpected %s answer: %s", action, what);
}

static char **iam_field_ptr(void *obj, const struct iam_field *f)
{
	return (char **)((char *)obj + f->off);
}

/* Copies the text at path into *dst; absent or empty elements give NULL. */
static int iam_take(const struct xml_node *n, const char *path, char **dst)
{
	const char *t = xml_text(n, path);

	*dst = NULL;
	if (!t || !*t)
		return 0;
	*dst = strdup(t);
	return *dst ? 0 : -ENOMEM;
}

static int iam_take_fields(const struct xml_node *n, void *obj, const struct iam_field *f,
			   size_t nf)
{
	size_t i;
	int rc;

	for (i = 0; i < nf; i++) {
		rc = iam_take(n, f[i].path, iam_field_ptr(obj, &f[i]));
		if (rc)
			return rc;
	}
	return 0;
}

static int iam_take_document(const struct xml_node *n, const char *path, char **dst)
{
	const char *t = xml_text(n, path);

	*dst = NULL;
	if (!t || !*t)
		return 0;
	*dst = iam_decode_document(t);
	return *dst ? 0 : -ENOMEM;
}

/* Reads a decimal integer; absent gives 0, garbage gives -EINVAL. */
static int iam_take_ll(const struct xml_node *n, const char *path, long long *out)
{
	const char *t = xml_text(n, path);
	char *end;

	*out = 0;
	if (!t || !*t)
		return 0;
	errno = 0;
	*out = strtoll(t, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int iam_take_int(const struct xml_node *n, const char *path, int *out)
{
	long long v;
	int rc = iam_take_ll(n, path, &v);

	if (rc)
		return rc;
	if (v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static bool iam_take_bool(const struct xml_node *n, const char *path)
{
	const char *t = xml_text(n, path);

	return t && !strcasecmp(t, "true");
}

/* The unix time of an ISO 8601 text IAM sent; 0 when absent or unreadable. */
static long long iam_time_of(const char *text)
{
	long long t;

	return text && !iso8601_parse(text, &t) ? t : 0;
}

static size_t iam_count_members(const struct xml_node *list)
{
	const struct xml_node *c;
	size_t n = 0;

	for (c = list ? list->children : NULL; c; c = c->next)
		if (!strcmp(c->name, "member"))
			n++;
	return n;
}

char *iam_decode_document(const char *s)
{
	struct buf b;

	if (!s)
		return NULL;
	/* A document always holds '{'; its URL-encoded form never does. */
	if (strchr(s, '{'))
		return strdup(s);
	buf_init(&b, 0);
	if (urlenc_decode(&b, s, strlen(s), false)) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_steal(&b);
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
			aws_error_set(err, IAM_PARSE_CODE, "unexpected %s answer: root <%s>",
				      action, (*root)->name);
		goto fail;
	}
	if (!result)
		return 0;
	snprintf(want, sizeof(want), "%sResult", action);
	*result = xml_child(*root, want);
	if (*result)
		return 0;
	aws_error_set(err, IAM_PARSE_CODE, "unexpected %s answer: no <%s>", action, want);
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

/* ---- entities ---- */

/* The name of a policy from its ARN: the last path segment. */
static int iam_name_from_arn(const char *arn, char **dst)
{
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	*dst = NULL;
	if (!slash || !slash[1])
		return -EINVAL;
	*dst = strdup(slash + 1);
	return *dst ? 0 : -ENOMEM;
}

static int iam_parse_tags(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_count_members(list);
	const struct xml_node *c;
	struct iam_tag *t;

	if (!n)
		return 0;
	r->tags = calloc(n, sizeof(*r->tags));
	if (!r->tags)
		return -ENOMEM;
	for (c = list->children; c; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		t = &r->tags[r->ntags++];
		if (!xml_child(c, "Key") || !xml_text(c, "Key")[0])
			return -EINVAL;
		/* A tag's value may be empty, and empty is not absent. */
		t->key = strdup(xml_text(c, "Key"));
		t->value = strdup(xml_child(c, "Value") ? xml_text(c, "Value") : "");
		if (!t->key || !t->value)
			return -ENOMEM;
	}
	return 0;
}

static int iam_parse_inline_list(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_count_members(list);
	const struct xml_node *c;
	struct iam_inline_policy *p;
	int rc;

	if (!n)
		return 0;
	r->inline_policies = calloc(n, sizeof(*r->inline_policies));
	if (!r->inline_policies)
		return -ENOMEM;
	for (c = list->children; c; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		p = &r->inline_policies[r->ninline++];
		rc = iam_take(c, "PolicyName", &p->name);
		if (!rc)
			rc = iam_take_document(c, "PolicyDocument", &p->document);
		if (rc)
			return rc;
		if (!p->name || !p->document)
			return -EINVAL;
	}
	return 0;
}

static int iam_parse_attached(const struct xml_node *m, struct iam_attached_policy *a)
{
	int rc = iam_take(m, "PolicyArn", &a->arn);

	if (!rc)
		rc = iam_take(m, "PolicyName", &a->name);
	if (rc)
		return rc;
	if (!a->arn)
		return -EINVAL;
	return a->name ? 0 : iam_name_from_arn(a->arn, &a->name);
}

static int iam_parse_attached_array(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_count_members(list);
	const struct xml_node *c;
	int rc;

	if (!n)
		return 0;
	r->attached = calloc(n, sizeof(*r->attached));
	if (!r->attached)
		return -ENOMEM;
	for (c = list->children; c; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		rc = iam_parse_attached(c, &r->attached[r->nattached++]);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct iam_field iam_role_fields[] = {
	{"RoleName", offsetof(struct iam_role, name)},
	{"RoleId", offsetof(struct iam_role, id)},
	{"Arn", offsetof(struct iam_role, arn)},
	{"Path", offsetof(struct iam_role, path)},
	{"CreateDate", offsetof(struct iam_role, create_date)},
	{"Description", offsetof(struct iam_role, description)},
	{"PermissionsBoundary/PermissionsBoundaryArn", offsetof(struct iam_role, boundary_arn)},
	{"PermissionsBoundary/PermissionsBoundaryType", offsetof(struct iam_role, boundary_type)},
	{"RoleLastUsed/LastUsedDate", offsetof(struct iam_role, last_used_date)},
	{"RoleLastUsed/Region", offsetof(struct iam_role, last_used_region)},
};

/* One role from a ListRoles member, GetRole's <Role> or a GAAD RoleDetail.
 * On failure r holds what was read so far (the caller cleans it up). */
static int iam_parse_role(const struct xml_node *m, struct iam_role *r)
{
	int rc = iam_take_fields(m, r, iam_role_fields,
				 sizeof(iam_role_fields) / sizeof(iam_role_fields[0]));

	if (!rc)
		rc = iam_take_document(m, "AssumeRolePolicyDocument", &r->trust_policy);
	if (!rc)
		rc = iam_take_int(m, "MaxSessionDuration", &r->max_session_duration);
	if (!rc)
		rc = iam_parse_tags(xml_child(m, "Tags"), r);
	if (!rc)
		rc = iam_parse_inline_list(xml_child(m, "RolePolicyList"), r);
	if (!rc)
		rc = iam_parse_attached_array(xml_child(m, "AttachedManagedPolicies"), r);
	if (!rc && !r->name)
		rc = -EINVAL;
	r->create_time = iam_time_of(r->create_date);
	return rc;
}

static int iam_parse_version(const struct xml_node *m, struct iam_policy_version *v)
{
	int rc = iam_take(m, "VersionId", &v->version_id);

	if (!rc)
		rc = iam_take(m, "CreateDate", &v->create_date);
	if (!rc)
		rc = iam_take_document(m, "Document", &v->document);
	if (rc)
		return rc;
	v->is_default = iam_take_bool(m, "IsDefaultVersion");
	v->create_time = iam_time_of(v->create_date);
	return v->version_id ? 0 : -EINVAL;
}

static int iam_parse_version_array(const struct xml_node *list, struct iam_policy *p)
{
	size_t n = iam_count_members(list);
	const struct xml_node *c;
	int rc;

	if (!n)
		return 0;
	p->versions = calloc(n, sizeof(*p->versions));
	if (!p->versions)
		return -ENOMEM;
	for (c = list->children; c; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		rc = iam_parse_version(c, &p->versions[p->nversions++]);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct iam_field iam_policy_fields[] = {
	{"PolicyName", offsetof(struct iam_policy, name)},
	{"PolicyId", offsetof(struct iam_policy, id)},
	{"Arn", offsetof(struct iam_policy, arn)},
	{"Path", offsetof(struct iam_policy, path)},
	{"DefaultVersionId", offsetof(struct iam_policy, default_version_id)},
	{"Description", offsetof(struct iam_policy, description)},
	{"CreateDate", offsetof(struct iam_policy, create_date)},
	{"UpdateDate", offsetof(struct iam_policy, update_date)},
};

/* GetPolicy's <Policy> or a GAAD ManagedPolicyDetail (moto's lack PolicyName). */
static int iam_parse_policy(const struct xml_node *m, struct iam_policy *p)
{
	int rc = iam_take_fields(m, p, iam_policy_fields,
				 sizeof(iam_policy_fields) / sizeof(iam_policy_fields[0]));

	if (!rc)
		rc = iam_take_int(m, "AttachmentCount", &p->attachment_count);
	if (!rc)
		rc = iam_parse_version_array(xml_child(m, "PolicyVersionList"), p);
	if (rc)
		return rc;
	p->is_attachable = iam_take_bool(m, "IsAttachable");
	if (!p->arn)
		return -EINVAL;
	return p->name ? 0 : iam_name_from_arn(p->arn, &p->name);
}

/* ---- appending a page's members to caller lists (all or nothing) ---- */

static void iam_role_list_truncate(struct iam_role_list *l, size_t n)
{
	while (l->n > n)
		iam_role_cleanup(&l->v[--l->n]);
}

static int iam_append_roles(const struct xml_node *list, struct iam_role_list *out)
{
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_role r;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&r, 0, sizeof(r));
		rc = iam_parse_role(c, &r);
		if (!rc)
			rc = iam_role_list_push(out, &r);
		iam_role_cleanup(&r);
	}
	if (rc)
		iam_role_list_truncate(out, n0);
	return rc;
}

static int iam_append_policies(const struct xml_node *list, struct iam_policy_list *out)
{
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_policy p;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&p, 0, sizeof(p));
		rc = iam_parse_policy(c, &p);
		if (!rc)
			rc = iam_policy_list_push(out, &p);
		iam_policy_cleanup(&p);
	}
	while (rc && out->n > n0)
		iam_policy_cleanup(&out->v[--out->n]);
	return rc;
}

static int iam_append_versions(const struct xml_node *list, struct iam_version_list *out)
{
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_policy_version v;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&v, 0, sizeof(v));
		rc = iam_parse_version(c, &v);
		if (!rc)
			rc = iam_version_list_push(out, &v);
		iam_policy_version_cleanup(&v);
	}
	while (rc && out->n > n0)
		iam_policy_version_cleanup(&out->v[--out->n]);
	return rc;
}

static int iam_append_strings(const struct xml_node *list, struct iam_string_list *out)
{
	const struct xml_node *c;
	size_t n0 = out->n;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		rc = c->text[0] ? iam_string_list_push(out, c->text) : -EINVAL;
	}
	while (rc && out->n > n0)
		free(out->v[--out->n]);
	return rc;
}

static int iam_append_attached(const struct xml_node *list, struct iam_attached_list *out)
{
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_attached_policy a;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&a, 0, sizeof(a));
		rc = iam_parse_attached(c, &a);
		if (!rc)
			rc = iam_attached_list_push(out, &a);
		iam_attached_policy_cleanup(&a);
	}
	while (rc && out->n > n0)
		iam_attached_policy_cleanup(&out->v[--out->n]);
	return rc;
}

/* Reads IsTruncated and Marker into tmp; iam_page_commit hands them to page. */
static int iam_page_read(const struct xml_node *result, struct iam_page *tmp)
{
	tmp->is_truncated = iam_take_bool(result, "IsTruncated");
	return iam_take(result, "Marker", &tmp->marker);
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

int iam_parse_list_roles(const char *xml, size_t len, struct iam_role_list *out,
			 struct iam_page *page, struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "ListRoles", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = iam_append_roles(xml_child(res, "Roles"), out);
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, "ListRoles", "a role without RoleName or a bad number", err);
}

int iam_parse_get_role(const char *xml, size_t len, struct iam_role *out, struct aws_error *err)
{
	struct iam_role r = {0};
	const struct xml_node *res, *role;
	struct xml_node *root;
	int rc = iam_open(xml, len, "GetRole", &root, &res, err);

	if (rc)
		return rc;
	role = xml_child(res, "Role");
	rc = role ? iam_parse_role(role, &r) : -EINVAL;
	if (!rc)
		*out = r;
	else
		iam_role_cleanup(&r);
	xml_free(root);
	return iam_finish(rc, "GetRole", "no <Role> with a RoleName", err);
}

int iam_parse_list_role_policies(const char *xml, size_t len, struct iam_string_list *out,
				 struct iam_page *page, struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "ListRolePolicies", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = iam_append_strings(xml_child(res, "PolicyNames"), out);
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, "ListRolePolicies", "an empty policy name", err);
}

int iam_parse_get_role_policy(const char *xml, size_t len, struct iam_inline_policy *out,
			      struct aws_error *err)
{
	struct iam_inline_policy p = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "GetRolePolicy", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_take(res, "PolicyName", &p.name);
	if (!rc)
		rc = iam_take_document(res, "PolicyDocument", &p.document);
	if (!rc && (!p.name || !p.document))
		rc = -EINVAL;
	if (!rc)
		*out = p;
	else
		iam_inline_policy_cleanup(&p);
	xml_free(root);
	return iam_finish(rc, "GetRolePolicy", "no PolicyName or PolicyDocument", err);
}

int iam_parse_list_attached_role_policies(const char *xml, size_t len,
					  struct iam_attached_list *out, struct iam_page *page,
					  struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "ListAttachedRolePolicies", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = iam_append_attached(xml_child(res, "AttachedPolicies"), out);
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, "ListAttachedRolePolicies", "an attachment without PolicyArn", err);
}

int iam_parse_get_policy(const char *xml, size_t len, struct iam_policy *out, struct aws_error *err)
{
	struct iam_policy p = {0};
	const struct xml_node *res, *pol;
	struct xml_node *root;
	int rc = iam_open(xml, len, "GetPolicy", &root, &res, err);

	if (rc)
		return rc;
	pol = xml_child(res, "Policy");
	rc = pol ? iam_parse_policy(pol, &p) : -EINVAL;
	if (!rc)
		*out = p;
	else
		iam_policy_cleanup(&p);
	xml_free(root);
	return iam_finish(rc, "GetPolicy", "no <Policy> with an Arn", err);
}

/* GetPolicyVersion and CreatePolicyVersion: <{action}Result><PolicyVersion>. */
static int iam_parse_one_version(const char *xml, size_t len, const char *action,
				 struct iam_policy_version *out, struct aws_error *err)
{
	struct iam_policy_version v = {0};
	const struct xml_node *res, *pv;
	struct xml_node *root;
	int rc = iam_open(xml, len, action, &root, &res, err);

	if (rc)
		return rc;
	pv = xml_child(res, "PolicyVersion");
	rc = pv ? iam_parse_version(pv, &v) : -EINVAL;
	if (!rc)
		*out = v;
	else
		iam_policy_version_cleanup(&v);
	xml_free(root);
	return iam_finish(rc, action, "no <PolicyVersion> with a VersionId", err);
}

int iam_parse_get_policy_version(const char *xml, size_t len, struct iam_policy_version *out,
				 struct aws_error *err)
{
	return iam_parse_one_version(xml, len, "GetPolicyVersion", out, err);
}

int iam_parse_create_policy_version(const char *xml, size_t len, struct iam_policy_version *out,
				    struct aws_error *err)
{
	return iam_parse_one_version(xml, len, "CreatePolicyVersion", out, err);
}

int iam_parse_list_policy_versions(const char *xml, size_t len, struct iam_version_list *out,
				   struct iam_page *page, struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "ListPolicyVersions", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = iam_append_versions(xml_child(res, "Versions"), out);
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, "ListPolicyVersions", "a version without VersionId", err);
}

int iam_parse_gaad(const char *xml, size_t len, struct iam_gaad *out, struct iam_page *page,
		   struct aws_error *err)
{
	struct iam_page tmp = {0};
	const struct xml_node *res;
	struct xml_node *root;
	size_t nroles = out->roles.n;
	int rc = iam_open(xml, len, "GetAccountAuthorizationDetails", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_page_read(res, &tmp);
	if (!rc)
		rc = iam_append_roles(xml_child(res, "RoleDetailList"), &out->roles);
	if (!rc) {
		rc = iam_append_policies(xml_child(res, "Policies"), &out->policies);
		if (rc)
			iam_role_list_truncate(&out->roles, nroles);
	}
	if (!rc)
		iam_page_commit(page, &tmp);
	else
		free(tmp.marker);
	xml_free(root);
	return iam_finish(rc, "GetAccountAuthorizationDetails",
			  "a role without RoleName, a policy without Arn or a bad number", err);
}

int iam_parse_account_summary(const char *xml, size_t len, struct iam_account_summary *out,
			      struct aws_error *err)
{
	const struct xml_node *res, *c;
	struct xml_node *root;
	size_t n0 = out->n;
	long long value;
	int rc = iam_open(xml, len, "GetAccountSummary", &root, &res, err);

	if (rc)
		return rc;
	c = xml_child(res, "SummaryMap");
	for (c = c ? c->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "entry"))
			continue;
		rc = iam_take_ll(c, "value", &value);
		if (!rc && (!xml_child(c, "key") || !xml_text(c, "key")[0]))
			rc = -EINVAL;
		if (!rc)
			rc = iam_account_summary_push(out, xml_text(c, "key"), value);
	}
	while (rc && out->n > n0)
		free(out->v[--out->n].key);
	xml_free(root);
	return iam_finish(rc, "GetAccountSummary", "an entry without key or a bad value", err);
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

static const struct iam_field iam_identity_fields[] = {
	{"Account", offsetof(struct iam_caller_identity, account)},
	{"Arn", offsetof(struct iam_caller_identity, arn)},
	{"UserId", offsetof(struct iam_caller_identity, user_id)},
};

int iam_parse_caller_identity(const char *xml, size_t len, struct iam_caller_identity *out,
			      struct aws_error *err)
{
	struct iam_caller_identity id = {0};
	const struct xml_node *res;
	struct xml_node *root;
	int rc = iam_open(xml, len, "GetCallerIdentity", &root, &res, err);

	if (rc)
		return rc;
	rc = iam_take_fields(res, &id, iam_identity_fields,
			     sizeof(iam_identity_fields) / sizeof(iam_identity_fields[0]));
	if (!rc && (!id.account || !id.arn))
		rc = -EINVAL;
	if (!rc)
		*out = id;
	else
		iam_caller_identity_cleanup(&id);
	xml_free(root);
	return iam_finish(rc, "GetCallerIdentity", "no Account or Arn", err);
}

static const struct iam_field iam_credential_fields[] = {
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
	rc = iam_take_fields(res, &cr, iam_credential_fields,
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
