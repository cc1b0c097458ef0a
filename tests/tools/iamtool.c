/*
 * iamtool: runs one call of aws/iam.h and prints the result as JSON with IAM's
 * field names (policy documents as strings), so pytest suites can compare the
 * C client with boto3. On failure prints the AWS error detail and the errno
 * name and exits 1. The requests sent per action go to stderr (and stdout's
 * object with --counts). Two actions work on the client rather than one call:
 * ListAccounts (Organizations, every page) and AssumedListRoles RoleArn=...
 * [ExternalId=...] (the roles and caller of an assumed-role client).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/http.h"
#include "aws/iam.h"
#include "aws/org.h"

#define IAMTOOL_MAX_KV	    16
#define IAMTOOL_MAX_FILTERS 8
#define IAMTOOL_MAX_TAGS    50

struct iamtool_args {
	struct iam_client_options o;
	const char *action;
	const char *keys[IAMTOOL_MAX_KV];
	const char *values[IAMTOOL_MAX_KV];
	int nkv;
	int counts;
};

static const char *arg(const struct iamtool_args *a, const char *key)
{
	int i;

	for (i = 0; i < a->nkv; i++)
		if (!strcmp(a->keys[i], key))
			return a->values[i];
	return NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *tags_json(const struct iam_tag *t, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		add_str(o, "Key", t[i].key);
		add_str(o, "Value", t[i].value);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *attached_json(const struct iam_attached_policy *p, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		add_str(o, "PolicyName", p[i].name);
		add_str(o, "PolicyArn", p[i].arn);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *inline_json(const struct iam_inline_policy *p, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		add_str(o, "PolicyName", p[i].name);
		add_str(o, "PolicyDocument", p[i].document);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *role_json(const struct iam_role *r, int gaad)
{
	cJSON *o = cJSON_CreateObject(), *b;

	add_str(o, "Path", r->path);
	add_str(o, "RoleName", r->name);
	add_str(o, "RoleId", r->id);
	add_str(o, "Arn", r->arn);
	add_str(o, "CreateDate", r->create_date);
	add_str(o, "AssumeRolePolicyDocument", r->trust_policy);
	add_str(o, "Description", r->description);
	if (r->max_session_duration)
		cJSON_AddNumberToObject(o, "MaxSessionDuration", r->max_session_duration);
	if (r->boundary_arn) {
		b = cJSON_AddObjectToObject(o, "PermissionsBoundary");
		add_str(b, "PermissionsBoundaryType", r->boundary_type);
		add_str(b, "PermissionsBoundaryArn", r->boundary_arn);
	}
	if (r->last_used_date || r->last_used_region) {
		b = cJSON_AddObjectToObject(o, "RoleLastUsed");
		add_str(b, "LastUsedDate", r->last_used_date);
		add_str(b, "Region", r->last_used_region);
	}
	cJSON_AddItemToObject(o, "Tags", tags_json(r->tags, r->ntags));
	if (gaad) {
		cJSON_AddItemToObject(o, "RolePolicyList",
				      inline_json(r->inline_policies, r->ninline));
		cJSON_AddItemToObject(o, "AttachedManagedPolicies",
				      attached_json(r->attached, r->nattached));
	}
	return o;
}

static cJSON *version_json(const struct iam_policy_version *v)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "Document", v->document);
	add_str(o, "VersionId", v->version_id);
	cJSON_AddBoolToObject(o, "IsDefaultVersion", v->is_default);
	add_str(o, "CreateDate", v->create_date);
	return o;
}

static cJSON *policy_json(const struct iam_policy *p)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;

	add_str(o, "PolicyName", p->name);
	add_str(o, "PolicyId", p->id);
	add_str(o, "Arn", p->arn);
	add_str(o, "Path", p->path);
	add_str(o, "DefaultVersionId", p->default_version_id);
	cJSON_AddNumberToObject(o, "AttachmentCount", p->attachment_count);
	cJSON_AddBoolToObject(o, "IsAttachable", p->is_attachable);
	add_str(o, "Description", p->description);
	add_str(o, "CreateDate", p->create_date);
	add_str(o, "UpdateDate", p->update_date);
	if (p->nversions) {
		a = cJSON_AddArrayToObject(o, "PolicyVersionList");
		for (i = 0; i < p->nversions; i++)
			cJSON_AddItemToArray(a, version_json(&p->versions[i]));
	}
	return o;
}

/* Collects GAAD pages into one answer. */
struct gaad_sink {
	cJSON *roles;
	cJSON *policies;
	int pages;
};

static int gaad_page(void *ctx, struct iam_gaad *g)
{
	struct gaad_sink *s = ctx;
	size_t i;

	s->pages++;
	for (i = 0; i < g->roles.n; i++)
		cJSON_AddItemToArray(s->roles, role_json(&g->roles.v[i], 1));
	for (i = 0; i < g->policies.n; i++)
		cJSON_AddItemToArray(s->policies, policy_json(&g->policies.v[i]));
	return 0;
}

static int run_gaad(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
		    struct aws_error *err)
{
	char list[256];
	const char *filters[IAMTOOL_MAX_FILTERS + 1];
	const char *f = arg(a, "Filter");
	struct gaad_sink s = {0};
	char *tok, *comma;
	int n = 0, rc;

	snprintf(list, sizeof(list), "%s", f ? f : "Role,LocalManagedPolicy");
	for (tok = list; tok && *tok && n < IAMTOOL_MAX_FILTERS; tok = comma) {
		comma = strchr(tok, ',');
		if (comma)
			*comma++ = '\0';
		filters[n++] = tok;
	}
	filters[n] = NULL;
	s.roles = cJSON_AddArrayToObject(out, "RoleDetailList");
	s.policies = cJSON_AddArrayToObject(out, "Policies");
	rc = iam_get_account_authorization_details(c, filters, gaad_page, &s, err);
	cJSON_AddNumberToObject(out, "Pages", s.pages);
	return rc;
}

static int run_lists(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
		     struct aws_error *err)
{
	const char *role = arg(a, "RoleName"), *arn = arg(a, "PolicyArn");
	struct iam_role_list roles = {0};
	struct iam_string_list names = {0};
	struct iam_attached_list att = {0};
	struct iam_version_list vers = {0};
	cJSON *arr;
	size_t i;
	int rc = 1;

	if (!strcmp(a->action, "ListRoles") && !(rc = iam_list_roles(c, &roles, err))) {
		arr = cJSON_AddArrayToObject(out, "Roles");
		for (i = 0; i < roles.n; i++)
			cJSON_AddItemToArray(arr, role_json(&roles.v[i], 0));
	} else if (!strcmp(a->action, "ListRolePolicies") &&
		   !(rc = iam_list_role_policies(c, role, &names, err))) {
		arr = cJSON_AddArrayToObject(out, "PolicyNames");
		for (i = 0; i < names.n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(names.v[i]));
	} else if (!strcmp(a->action, "ListAttachedRolePolicies") &&
		   !(rc = iam_list_attached_role_policies(c, role, &att, err))) {
		cJSON_AddItemToObject(out, "AttachedPolicies", attached_json(att.v, att.n));
	} else if (!strcmp(a->action, "ListPolicyVersions") &&
		   !(rc = iam_list_policy_versions(c, arn, &vers, err))) {
		arr = cJSON_AddArrayToObject(out, "Versions");
		for (i = 0; i < vers.n; i++)
			cJSON_AddItemToArray(arr, version_json(&vers.v[i]));
	}
	iam_role_list_cleanup(&roles);
	iam_string_list_cleanup(&names);
	iam_attached_list_cleanup(&att);
	iam_version_list_cleanup(&vers);
	return rc;
}

static int run_gets(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
		    struct aws_error *err)
{
	const char *role = arg(a, "RoleName"), *arn = arg(a, "PolicyArn");
	const char *ver = arg(a, "VersionId"), *name = arg(a, "PolicyName");
	struct iam_role r = {0};
	struct iam_policy p = {0};
	struct iam_policy_version v = {0};
	struct iam_inline_policy ip = {0};
	int rc = 1;

	if (!strcmp(a->action, "GetRole") && !(rc = iam_get_role(c, role, &r, err))) {
		cJSON_AddItemToObject(out, "Role", role_json(&r, 0));
	} else if (!strcmp(a->action, "GetPolicy") && !(rc = iam_get_policy(c, arn, &p, err))) {
		cJSON_AddItemToObject(out, "Policy", policy_json(&p));
	} else if (!strcmp(a->action, "GetPolicyVersion") &&
		   !(rc = iam_get_policy_version(c, arn, ver, &v, err))) {
		cJSON_AddItemToObject(out, "PolicyVersion", version_json(&v));
	} else if (!strcmp(a->action, "GetRolePolicy") &&
		   !(rc = iam_get_role_policy(c, role, name, &ip, err))) {
		add_str(out, "RoleName", role);
		add_str(out, "PolicyName", ip.name);
		add_str(out, "PolicyDocument", ip.document);
	}
	iam_role_cleanup(&r);
	iam_policy_cleanup(&p);
	iam_policy_version_cleanup(&v);
	free(ip.name);
	free(ip.document);
	return rc;
}

static int run_writes(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
		      struct aws_error *err)
{
	const char *role = arg(a, "RoleName"), *arn = arg(a, "PolicyArn");
	const char *doc = arg(a, "PolicyDocument"), *name = arg(a, "PolicyName");
	const char *ver = arg(a, "VersionId"), *def = arg(a, "SetAsDefault");
	struct iam_policy_version v = {0};
	int rc = 1;

	if (!strcmp(a->action, "UpdateAssumeRolePolicy"))
		rc = iam_update_assume_role_policy(c, role, doc, err);
	else if (!strcmp(a->action, "PutRolePolicy"))
		rc = iam_put_role_policy(c, role, name, doc, err);
	else if (!strcmp(a->action, "DeleteRolePolicy"))
		rc = iam_delete_role_policy(c, role, name, err);
	else if (!strcmp(a->action, "DeletePolicyVersion"))
		rc = iam_delete_policy_version(c, arn, ver, err);
	else if (!strcmp(a->action, "CreatePolicyVersion")) {
		rc = iam_create_policy_version(c, arn, doc, def && !strcmp(def, "true"), &v, err);
		if (!rc)
			cJSON_AddItemToObject(out, "PolicyVersion", version_json(&v));
		iam_policy_version_cleanup(&v);
	}
	return rc;
}

static int run_account(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
		       struct aws_error *err)
{
	struct iam_account_summary s = {0};
	struct iam_caller_identity id = {0};
	cJSON *m;
	size_t i;
	int rc = 1;

	if (!strcmp(a->action, "GetAccountSummary") &&
	    !(rc = iam_get_account_summary(c, &s, err))) {
		m = cJSON_AddObjectToObject(out, "SummaryMap");
		for (i = 0; i < s.n; i++)
			cJSON_AddNumberToObject(m, s.v[i].key, (double)s.v[i].value);
	} else if (!strcmp(a->action, "GetCallerIdentity") &&
		   !(rc = iam_get_caller_identity(c, &id, err))) {
		add_str(out, "UserId", id.user_id);
		add_str(out, "Account", id.account);
		add_str(out, "Arn", id.arn);
	} else if (!strcmp(a->action, "GetAccountAuthorizationDetails")) {
		rc = run_gaad(c, a, out, err);
	}
	iam_account_summary_cleanup(&s);
	iam_caller_identity_cleanup(&id);
	return rc;
}

/* Splits a "a,b,c" argument in place into at most max items; returns the count. */
static size_t split_list(char *s, char **items, size_t max)
{
	char *comma;
	size_t n = 0;

	for (; s && *s && n < max; s = comma) {
		comma = strchr(s, ',');
		if (comma)
			*comma++ = '\0';
		items[n++] = s;
	}
	return n;
}

/* Tags=k1=v1,k2=v2 (a copy in buf); returns the count. */
static size_t parse_tags(const char *arg_value, char *buf, size_t size, struct iam_tag *tags)
{
	char *items[IAMTOOL_MAX_TAGS], *eq;
	size_t i, n;

	snprintf(buf, size, "%s", arg_value ? arg_value : "");
	n = split_list(buf, items, IAMTOOL_MAX_TAGS);
	for (i = 0; i < n; i++) {
		eq = strchr(items[i], '=');
		if (eq)
			*eq++ = '\0';
		tags[i].key = items[i];
		tags[i].value = eq;
	}
	return n;
}

static int parse_int_arg(const struct iamtool_args *a, const char *key)
{
	const char *v = arg(a, key);
	char *end;
	long n;

	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1000000 ? -1 : (int)n;
}

static int run_create_role(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
			   struct aws_error *err)
{
	struct iam_tag tags[IAMTOOL_MAX_TAGS];
	struct iam_create_role_input in = {0};
	struct iam_role r = {0};
	char buf[4096];
	int rc;

	in.name = arg(a, "RoleName");
	in.trust_policy = arg(a, "AssumeRolePolicyDocument");
	in.path = arg(a, "Path");
	in.description = arg(a, "Description");
	in.max_session_duration = parse_int_arg(a, "MaxSessionDuration");
	in.boundary_arn = arg(a, "PermissionsBoundary");
	in.ntags = parse_tags(arg(a, "Tags"), buf, sizeof(buf), tags);
	in.tags = tags;
	rc = iam_create_role(c, &in, &r, err);
	if (!rc)
		cJSON_AddItemToObject(out, "Role", role_json(&r, 0));
	iam_role_cleanup(&r);
	return rc;
}

static int run_tags(struct iam_conn *c, const struct iamtool_args *a, struct aws_error *err)
{
	const char *role = arg(a, "RoleName");
	struct iam_tag tags[IAMTOOL_MAX_TAGS];
	char *keys[IAMTOOL_MAX_TAGS];
	char buf[4096];
	size_t n;

	if (!strcmp(a->action, "TagRole")) {
		n = parse_tags(arg(a, "Tags"), buf, sizeof(buf), tags);
		return iam_tag_role(c, role, tags, n, err);
	}
	snprintf(buf, sizeof(buf), "%s", arg(a, "TagKeys") ? arg(a, "TagKeys") : "");
	n = split_list(buf, keys, IAMTOOL_MAX_TAGS);
	return iam_untag_role(c, role, (const char *const *)keys, n, err);
}

static int run_policies(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
			struct aws_error *err)
{
	const char *scope = arg(a, "Scope");
	struct iam_policy_list l = {0};
	struct iam_policy p = {0};
	enum iam_policy_scope sc = IAM_SCOPE_ALL;
	cJSON *arr;
	size_t i;
	int rc;

	if (!strcmp(a->action, "CreatePolicy")) {
		rc = iam_create_policy(c, arg(a, "PolicyName"), arg(a, "PolicyDocument"),
				       arg(a, "Path"), &p, err);
		if (!rc)
			cJSON_AddItemToObject(out, "Policy", policy_json(&p));
		iam_policy_cleanup(&p);
		return rc;
	}
	if (scope && !strcmp(scope, "AWS"))
		sc = IAM_SCOPE_AWS;
	else if (scope && !strcmp(scope, "Local"))
		sc = IAM_SCOPE_LOCAL;
	rc = iam_list_policies(c, sc, arg(a, "PathPrefix"), &l, err);
	if (!rc) {
		arr = cJSON_AddArrayToObject(out, "Policies");
		for (i = 0; i < l.n; i++)
			cJSON_AddItemToArray(arr, policy_json(&l.v[i]));
	}
	iam_policy_list_cleanup(&l);
	return rc;
}

static int run_profiles(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
			struct aws_error *err)
{
	struct iam_string_list names = {0};
	cJSON *arr;
	size_t i;
	int rc = iam_list_instance_profiles_for_role(c, arg(a, "RoleName"), &names, err);

	if (!rc) {
		arr = cJSON_AddArrayToObject(out, "InstanceProfileNames");
		for (i = 0; i < names.n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(names.v[i]));
	}
	iam_string_list_cleanup(&names);
	return rc;
}

/* The calls of a role's life (iam_lifecycle.c). */
static int run_lifecycle(struct iam_conn *c, const struct iamtool_args *a, cJSON *out,
			 struct aws_error *err)
{
	const char *act = a->action, *role = arg(a, "RoleName"), *arn = arg(a, "PolicyArn");
	const char *boundary = arg(a, "PermissionsBoundary");

	if (!strcmp(act, "CreateRole"))
		return run_create_role(c, a, out, err);
	if (!strcmp(act, "DeleteRole"))
		return iam_delete_role(c, role, err);
	if (!strcmp(act, "ListInstanceProfilesForRole"))
		return run_profiles(c, a, out, err);
	if (!strcmp(act, "RemoveRoleFromInstanceProfile"))
		return iam_remove_role_from_instance_profile(c, arg(a, "InstanceProfileName"), role,
							     err);
	if (!strcmp(act, "AttachRolePolicy"))
		return iam_attach_role_policy(c, role, arn, err);
	if (!strcmp(act, "DetachRolePolicy"))
		return iam_detach_role_policy(c, role, arn, err);
	if (!strcmp(act, "CreatePolicy") || !strcmp(act, "ListPolicies"))
		return run_policies(c, a, out, err);
	if (!strcmp(act, "UpdateRole"))
		return iam_update_role(c, role, arg(a, "Description"),
				       parse_int_arg(a, "MaxSessionDuration"), err);
	if (!strcmp(act, "TagRole") || !strcmp(act, "UntagRole"))
		return run_tags(c, a, err);
	if (!strcmp(act, "PutRolePermissionsBoundary"))
		return iam_put_role_permissions_boundary(c, role, boundary, err);
	if (!strcmp(act, "DeleteRolePermissionsBoundary"))
		return iam_delete_role_permissions_boundary(c, role, err);
	return 1;
}

/* Returns 0 or -errno from the call, 1 when the action is unknown. */
static int run(struct iam_conn *c, const struct iamtool_args *a, cJSON *out, struct aws_error *err)
{
	int (*const runners[])(struct iam_conn *, const struct iamtool_args *, cJSON *,
			       struct aws_error *) = {run_lists, run_gets, run_writes, run_account,
						      run_lifecycle};
	size_t i;
	int rc = 1;

	for (i = 0; i < sizeof(runners) / sizeof(runners[0]) && rc == 1; i++)
		rc = runners[i](c, a, out, err);
	return rc;
}

static void add_count(void *ctx, const char *action, unsigned long n)
{
	cJSON_AddNumberToObject(ctx, action, (double)n);
}

static int run_org_accounts(struct iam_client *client, cJSON *out, struct aws_error *err)
{
	struct org_account_list l = {0};
	cJSON *arr, *o;
	size_t i;
	int rc = iam_list_org_accounts(client, &l, err);

	if (rc)
		return rc;
	arr = cJSON_AddArrayToObject(out, "Accounts");
	for (i = 0; i < l.n; i++) {
		o = cJSON_CreateObject();
		add_str(o, "Id", l.items[i].id);
		add_str(o, "Name", l.items[i].name);
		add_str(o, "Status", l.items[i].status);
		cJSON_AddItemToArray(arr, o);
	}
	org_account_list_free(&l);
	return 0;
}

/* The assumed client's caller and role names, and the calls it counted. */
static int run_assumed(struct iam_client *client, const struct iamtool_args *a, cJSON *out,
		       struct aws_error *err)
{
	struct iam_role_list roles = {0};
	struct iam_caller_identity who = {0};
	struct iam_client *ac = NULL;
	struct iam_conn *conn = NULL;
	cJSON *names;
	size_t i;
	int rc = iam_client_new_assumed(client, arg(a, "RoleArn"), arg(a, "ExternalId"),
					arg(a, "SessionName"), &ac, err);

	if (!rc)
		rc = iam_conn_new(ac, &conn);
	if (!rc)
		rc = iam_get_caller_identity(conn, &who, err);
	if (!rc)
		rc = iam_list_roles(conn, &roles, err);
	if (!rc) {
		add_str(out, "Account", who.account);
		add_str(out, "Arn", who.arn);
		names = cJSON_AddArrayToObject(out, "RoleNames");
		for (i = 0; i < roles.n; i++)
			cJSON_AddItemToArray(names, cJSON_CreateString(roles.v[i].name));
		iam_client_each_count(ac, add_count, cJSON_AddObjectToObject(out, "assumed_calls"));
	}
	iam_role_list_cleanup(&roles);
	iam_caller_identity_cleanup(&who);
	iam_conn_free(conn);
	iam_client_free(ac);
	return rc;
}

/* The actions on the client itself; 1 when the action is not one of them. */
static int run_client(struct iam_client *client, const struct iamtool_args *a, cJSON *out,
		      struct aws_error *err)
{
	if (!strcmp(a->action, "ListAccounts"))
		return run_org_accounts(client, out, err);
	if (!strcmp(a->action, "AssumedListRoles"))
		return run_assumed(client, a, out, err);
	return 1;
}

static void print_json(FILE *f, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s)
		fprintf(f, "%s\n", s);
	free(s);
}

static void print_calls(const cJSON *calls)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "calls", cJSON_Duplicate(calls, 1));
	print_json(stderr, o);
	cJSON_Delete(o);
}

static void print_error(const struct aws_error *err, int rc)
{
	cJSON *o = cJSON_CreateObject();
	const char *name = strerrorname_np(-rc);

	cJSON_AddStringToObject(o, "error", err->code);
	cJSON_AddStringToObject(o, "message", err->message);
	cJSON_AddStringToObject(o, "request_id", err->request_id);
	cJSON_AddNumberToObject(o, "http_status", (double)err->http_status);
	cJSON_AddNumberToObject(o, "attempts", err->attempts);
	cJSON_AddStringToObject(o, "errno", name ? name : "EUNKNOWN");
	print_json(stdout, o);
	cJSON_Delete(o);
}

static int usage(void)
{
	fprintf(stderr, "usage: iamtool [--endpoint-url U] [--sts-endpoint-url U] [--profile P]\n"
			"               [--page-size N] [--max-attempts N] [--budget-ms N] "
			"[--counts]\n"
			"               ACTION [Key=value ...]\n");
	return 2;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse_option(struct iamtool_args *a, const char *opt, const char *val)
{
	long n = 0;

	if (!strcmp(opt, "--endpoint-url"))
		a->o.endpoint_url = val;
	else if (!strcmp(opt, "--sts-endpoint-url"))
		a->o.sts_endpoint_url = val;
	else if (!strcmp(opt, "--profile"))
		a->o.profile = val;
	else if (parse_long(val, &n) < 0 || n < 0 || n > 100000000)
		return -EINVAL;
	else if (!strcmp(opt, "--page-size"))
		a->o.page_size = (int)n;
	else if (!strcmp(opt, "--max-attempts"))
		a->o.query.max_attempts = (int)n;
	else if (!strcmp(opt, "--budget-ms"))
		a->o.query.budget_ms = n;
	else
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct iamtool_args *a)
{
	char *eq;
	int i;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--counts")) {
			a->counts = 1;
			continue;
		}
		if (i + 1 >= argc || parse_option(a, argv[i], argv[i + 1]) < 0)
			return -EINVAL;
		i++;
	}
	if (i >= argc)
		return -EINVAL;
	a->action = argv[i++];
	for (; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (!eq || a->nkv == IAMTOOL_MAX_KV)
			return -EINVAL;
		*eq = '\0';
		a->keys[a->nkv] = argv[i];
		a->values[a->nkv++] = eq + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct iamtool_args a = {0};
	struct iam_client *client = NULL;
	struct iam_conn *conn = NULL;
	struct aws_error err;
	cJSON *out = cJSON_CreateObject(), *calls = cJSON_CreateObject();
	int rc;

	aws_error_clear(&err);
	if (parse_args(argc, argv, &a) < 0) {
		cJSON_Delete(out);
		cJSON_Delete(calls);
		return usage();
	}
	rc = http_global_init();
	if (!rc)
		rc = iam_client_new(&a.o, &client, &err);
	if (!rc)
		rc = run_client(client, &a, out, &err);
	if (rc == 1)
		rc = iam_conn_new(client, &conn);
	if (!rc && conn)
		rc = run(conn, &a, out, &err);
	if (rc == 1) {
		fprintf(stderr, "iamtool: unknown action %s\n", a.action);
		rc = 2;
		goto out;
	}
	if (client)
		iam_client_each_count(client, add_count, calls);
	print_calls(calls);
	if (rc < 0) {
		print_error(&err, rc);
		rc = 1;
		goto out;
	}
	if (a.counts) {
		cJSON_AddItemToObject(out, "calls", calls);
		calls = NULL;
	}
	print_json(stdout, out);
out:
	cJSON_Delete(out);
	cJSON_Delete(calls);
	iam_conn_free(conn);
	iam_client_free(client);
	http_global_cleanup();
	return rc;
}
