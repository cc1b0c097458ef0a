/*
 * The elements of IAM and STS answers decoded into the structs of iam_types.h:
 * fields read through small offset tables, entities (roles, policies, versions,
 * inline policies, caller identities) and the lists a page appends to. Each
 * entity and each list append is all or nothing: a refused element leaves
 * nothing allocated and the caller's list as it was. Pure: XML nodes in.
 */
#include "aws/iam_decode.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/buf.h"
#include "aws/iso8601.h"
#include "aws/urlenc.h"
#include "aws/xml.h"

static char **iam_decode_field_ptr(void *obj, const struct iam_decode_field *f)
{
	return (char **)((char *)obj + f->off);
}

/* Copies the text at path into *dst; absent or empty elements give NULL. */
int iam_decode_take(const struct xml_node *n, const char *path, char **dst)
{
	const char *t = xml_text(n, path);

	*dst = NULL;
	if (!t || !*t)
		return 0;
	*dst = strdup(t);
	return *dst ? 0 : -ENOMEM;
}

int iam_decode_fields(const struct xml_node *n, void *obj, const struct iam_decode_field *f,
		      size_t nf)
{
	size_t i;
	int rc;

	for (i = 0; i < nf; i++) {
		rc = iam_decode_take(n, f[i].path, iam_decode_field_ptr(obj, &f[i]));
		if (rc)
			return rc;
	}
	return 0;
}

static int iam_decode_doc_at(const struct xml_node *n, const char *path, char **dst)
{
	const char *t = xml_text(n, path);

	*dst = NULL;
	if (!t || !*t)
		return 0;
	*dst = iam_decode_document(t);
	return *dst ? 0 : -ENOMEM;
}

/* Reads a decimal integer; absent gives 0, garbage gives -EINVAL. */
static int iam_decode_ll(const struct xml_node *n, const char *path, long long *out)
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

static int iam_decode_int(const struct xml_node *n, const char *path, int *out)
{
	long long v;
	int rc = iam_decode_ll(n, path, &v);

	if (rc)
		return rc;
	if (v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

bool iam_decode_bool(const struct xml_node *n, const char *path)
{
	const char *t = xml_text(n, path);

	return t && !strcasecmp(t, "true");
}

/* The unix time of an ISO 8601 text IAM sent; 0 when absent or unreadable. */
static long long iam_decode_time(const char *text)
{
	long long t;

	return text && !iso8601_parse(text, &t) ? t : 0;
}

static size_t iam_decode_count(const struct xml_node *list)
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

/* ---- entities ---- */

/* The name of a policy from its ARN: the last path segment. */
static int iam_decode_name_from_arn(const char *arn, char **dst)
{
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	*dst = NULL;
	if (!slash || !slash[1])
		return -EINVAL;
	*dst = strdup(slash + 1);
	return *dst ? 0 : -ENOMEM;
}

static int iam_decode_tags(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_decode_count(list);
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

static int iam_decode_inline_list(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_decode_count(list);
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
		rc = iam_decode_take(c, "PolicyName", &p->name);
		if (!rc)
			rc = iam_decode_doc_at(c, "PolicyDocument", &p->document);
		if (rc)
			return rc;
		if (!p->name || !p->document)
			return -EINVAL;
	}
	return 0;
}

static int iam_decode_attached_one(const struct xml_node *m, struct iam_attached_policy *a)
{
	int rc = iam_decode_take(m, "PolicyArn", &a->arn);

	if (!rc)
		rc = iam_decode_take(m, "PolicyName", &a->name);
	if (rc)
		return rc;
	if (!a->arn)
		return -EINVAL;
	return a->name ? 0 : iam_decode_name_from_arn(a->arn, &a->name);
}

static int iam_decode_attached_array(const struct xml_node *list, struct iam_role *r)
{
	size_t n = iam_decode_count(list);
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
		rc = iam_decode_attached_one(c, &r->attached[r->nattached++]);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct iam_decode_field iam_decode_role_fields[] = {
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

/* One role (obj) from a ListRoles member, GetRole's <Role> or a GAAD RoleDetail.
 * All or nothing: on failure obj is cleaned up. */
int iam_decode_role(const struct xml_node *m, void *obj)
{
	struct iam_role *r = obj;
	int rc = iam_decode_fields(m, r, iam_decode_role_fields,
				   sizeof(iam_decode_role_fields) /
					   sizeof(iam_decode_role_fields[0]));

	if (!rc)
		rc = iam_decode_doc_at(m, "AssumeRolePolicyDocument", &r->trust_policy);
	if (!rc)
		rc = iam_decode_int(m, "MaxSessionDuration", &r->max_session_duration);
	if (!rc)
		rc = iam_decode_tags(xml_child(m, "Tags"), r);
	if (!rc)
		rc = iam_decode_inline_list(xml_child(m, "RolePolicyList"), r);
	if (!rc)
		rc = iam_decode_attached_array(xml_child(m, "AttachedManagedPolicies"), r);
	if (!rc && !r->name)
		rc = -EINVAL;
	r->create_time = iam_decode_time(r->create_date);
	if (rc)
		iam_role_cleanup(r);
	return rc;
}

/* One policy version (obj); all or nothing. */
int iam_decode_version(const struct xml_node *m, void *obj)
{
	struct iam_policy_version *v = obj;
	int rc = iam_decode_take(m, "VersionId", &v->version_id);

	if (!rc)
		rc = iam_decode_take(m, "CreateDate", &v->create_date);
	if (!rc)
		rc = iam_decode_doc_at(m, "Document", &v->document);
	if (!rc && !v->version_id)
		rc = -EINVAL;
	v->is_default = iam_decode_bool(m, "IsDefaultVersion");
	v->create_time = iam_decode_time(v->create_date);
	if (rc)
		iam_policy_version_cleanup(v);
	return rc;
}

static int iam_decode_version_array(const struct xml_node *list, struct iam_policy *p)
{
	size_t n = iam_decode_count(list);
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
		rc = iam_decode_version(c, &p->versions[p->nversions++]);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct iam_decode_field iam_decode_policy_fields[] = {
	{"PolicyName", offsetof(struct iam_policy, name)},
	{"PolicyId", offsetof(struct iam_policy, id)},
	{"Arn", offsetof(struct iam_policy, arn)},
	{"Path", offsetof(struct iam_policy, path)},
	{"DefaultVersionId", offsetof(struct iam_policy, default_version_id)},
	{"Description", offsetof(struct iam_policy, description)},
	{"CreateDate", offsetof(struct iam_policy, create_date)},
	{"UpdateDate", offsetof(struct iam_policy, update_date)},
};

/* GetPolicy's <Policy> or a GAAD ManagedPolicyDetail (moto's lack PolicyName)
 * into obj; all or nothing. */
int iam_decode_policy(const struct xml_node *m, void *obj)
{
	struct iam_policy *p = obj;
	int rc = iam_decode_fields(m, p, iam_decode_policy_fields,
				   sizeof(iam_decode_policy_fields) /
					   sizeof(iam_decode_policy_fields[0]));

	if (!rc)
		rc = iam_decode_int(m, "AttachmentCount", &p->attachment_count);
	if (!rc)
		rc = iam_decode_version_array(xml_child(m, "PolicyVersionList"), p);
	if (!rc && !p->arn)
		rc = -EINVAL;
	if (!rc && !p->name)
		rc = iam_decode_name_from_arn(p->arn, &p->name);
	p->is_attachable = iam_decode_bool(m, "IsAttachable");
	if (rc)
		iam_policy_cleanup(p);
	return rc;
}

/* GetRolePolicy's result into obj (an inline policy); all or nothing. */
int iam_decode_inline(const struct xml_node *m, void *obj)
{
	struct iam_inline_policy *p = obj;
	int rc = iam_decode_take(m, "PolicyName", &p->name);

	if (!rc)
		rc = iam_decode_doc_at(m, "PolicyDocument", &p->document);
	if (!rc && (!p->name || !p->document))
		rc = -EINVAL;
	if (rc)
		iam_inline_policy_cleanup(p);
	return rc;
}

static const struct iam_decode_field iam_decode_identity_fields[] = {
	{"Account", offsetof(struct iam_caller_identity, account)},
	{"Arn", offsetof(struct iam_caller_identity, arn)},
	{"UserId", offsetof(struct iam_caller_identity, user_id)},
};

/* GetCallerIdentity's result into obj; all or nothing. */
int iam_decode_identity(const struct xml_node *m, void *obj)
{
	struct iam_caller_identity *id = obj;
	int rc = iam_decode_fields(m, id, iam_decode_identity_fields,
				   sizeof(iam_decode_identity_fields) /
					   sizeof(iam_decode_identity_fields[0]));

	if (!rc && (!id->account || !id->arn))
		rc = -EINVAL;
	if (rc)
		iam_caller_identity_cleanup(id);
	return rc;
}

/* ---- appending a page's members to caller lists (all or nothing) ---- */

static void iam_decode_roles_truncate(struct iam_role_list *l, size_t n)
{
	while (l->n > n)
		iam_role_cleanup(&l->v[--l->n]);
}

int iam_decode_roles(const struct xml_node *list, void *obj)
{
	struct iam_role_list *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_role r;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&r, 0, sizeof(r));
		rc = iam_decode_role(c, &r);
		if (!rc)
			rc = iam_role_list_push(out, &r);
		iam_role_cleanup(&r);
	}
	if (rc)
		iam_decode_roles_truncate(out, n0);
	return rc;
}

int iam_decode_policies(const struct xml_node *list, void *obj)
{
	struct iam_policy_list *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_policy p;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&p, 0, sizeof(p));
		rc = iam_decode_policy(c, &p);
		if (!rc)
			rc = iam_policy_list_push(out, &p);
		iam_policy_cleanup(&p);
	}
	while (rc && out->n > n0)
		iam_policy_cleanup(&out->v[--out->n]);
	return rc;
}

int iam_decode_versions(const struct xml_node *list, void *obj)
{
	struct iam_version_list *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_policy_version v;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&v, 0, sizeof(v));
		rc = iam_decode_version(c, &v);
		if (!rc)
			rc = iam_version_list_push(out, &v);
		iam_policy_version_cleanup(&v);
	}
	while (rc && out->n > n0)
		iam_policy_version_cleanup(&out->v[--out->n]);
	return rc;
}

int iam_decode_strings(const struct xml_node *list, void *obj)
{
	struct iam_string_list *out = obj;
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

int iam_decode_attached(const struct xml_node *list, void *obj)
{
	struct iam_attached_list *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	struct iam_attached_policy a;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		memset(&a, 0, sizeof(a));
		rc = iam_decode_attached_one(c, &a);
		if (!rc)
			rc = iam_attached_list_push(out, &a);
		iam_attached_policy_cleanup(&a);
	}
	while (rc && out->n > n0)
		iam_attached_policy_cleanup(&out->v[--out->n]);
	return rc;
}

int iam_decode_profile_names(const struct xml_node *list, void *obj)
{
	struct iam_string_list *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	const char *name;
	int rc = 0;

	for (c = list ? list->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "member"))
			continue;
		name = xml_child(c, "InstanceProfileName") ? xml_text(c, "InstanceProfileName")
							   : "";
		rc = name[0] ? iam_string_list_push(out, name) : -EINVAL;
	}
	while (rc && out->n > n0)
		free(out->v[--out->n]);
	return rc;
}

/* A GAAD result's roles and policies, into obj (a struct iam_gaad). */
int iam_decode_gaad(const struct xml_node *res, void *obj)
{
	struct iam_gaad *out = obj;
	size_t nroles = out->roles.n;
	int rc = iam_decode_roles(xml_child(res, "RoleDetailList"), &out->roles);

	if (!rc) {
		rc = iam_decode_policies(xml_child(res, "Policies"), &out->policies);
		if (rc)
			iam_decode_roles_truncate(&out->roles, nroles);
	}
	return rc;
}

/* The entries of a SummaryMap, into obj (a struct iam_account_summary). */
int iam_decode_summary(const struct xml_node *map, void *obj)
{
	struct iam_account_summary *out = obj;
	const struct xml_node *c;
	size_t n0 = out->n;
	long long value;
	int rc = 0;

	for (c = map ? map->children : NULL; c && !rc; c = c->next) {
		if (strcmp(c->name, "entry"))
			continue;
		rc = iam_decode_ll(c, "value", &value);
		if (!rc && (!xml_child(c, "key") || !xml_text(c, "key")[0]))
			rc = -EINVAL;
		if (!rc)
			rc = iam_account_summary_push(out, xml_text(c, "key"), value);
	}
	while (rc && out->n > n0)
		free(out->v[--out->n].key);
	return rc;
}
