/*
 * The IAM client: endpoints and the credentials provider resolved once, an
 * HTTP share, and per-action request counters under a mutex (never held across
 * a network call). Every call takes fresh credentials, retries once after an
 * expired token, and listing calls follow Marker/IsTruncated to the end,
 * handing results to the caller only when the whole chain succeeded.
 */
#include "aws/iam.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam_parse.h"
#include "aws/iam_request.h"
#include "aws/pager.h"

#define IAM_VERSION	 "2010-05-08"
#define STS_VERSION	 "2011-06-15"
#define IAM_DEFAULT_PAGE 1000
#define IAM_MAX_PAGES	 100000
#define IAM_MAX_ACTIONS	 48
#define IAM_ACTION_MAX	 64
#define IAM_MAX_FILTERS	 8

struct iam_count {
	char action[IAM_ACTION_MAX];
	unsigned long n;
};

struct iam_client {
	struct aws_endpoint iam_ep;
	struct aws_endpoint sts_ep;
	struct aws_endpoint org_ep;
	struct creds_provider *creds;
	struct http_share *share;
	bool borrowed_share; /* an assumed client's: its base's */
	struct http_options http;
	char *ca_bundle;
	int page_size;
	struct query_config user; /* the caller's hooks, forwarded */
	pthread_mutex_t lock;	  /* guards counts */
	struct iam_count counts[IAM_MAX_ACTIONS];
	int ncounts;
};

struct iam_conn {
	struct iam_client *client;
	struct http_conn *http;
};

static const char *iam_getenv(const struct creds_env *env, const char *name)
{
	const char *v;

	v = env && env->getenv ? env->getenv(env->ctx, name) : getenv(name);
	return v && *v ? v : NULL;
}

static const char *iam_pick(const char *opt, const struct creds_env *env, const char *a,
			    const char *b)
{
	const char *v;

	if (opt && *opt)
		return opt;
	v = iam_getenv(env, a);
	return v ? v : iam_getenv(env, b);
}

static void iam_count(struct iam_client *c, const char *action)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ncounts; i++)
		if (!strcmp(c->counts[i].action, action))
			break;
	if (i == c->ncounts && c->ncounts < IAM_MAX_ACTIONS) {
		snprintf(c->counts[i].action, sizeof(c->counts[i].action), "%s", action);
		c->ncounts++;
	}
	if (i < c->ncounts)
		c->counts[i].n++;
	pthread_mutex_unlock(&c->lock);
}

/* Hooks handed to query_call: ctx is the client, the caller's hooks get their own ctx. */
static long long iam_hook_now(void *ctx)
{
	struct iam_client *c = ctx;

	return c->user.now_ms(c->user.ctx);
}

static void iam_hook_sleep(void *ctx, long ms)
{
	struct iam_client *c = ctx;

	c->user.sleep_ms(c->user.ctx, ms);
}

static unsigned iam_hook_random(void *ctx)
{
	struct iam_client *c = ctx;

	return c->user.random(c->user.ctx);
}

static void iam_hook_attempt(void *ctx, const char *action)
{
	struct iam_client *c = ctx;

	iam_count(c, action);
	if (c->user.on_attempt)
		c->user.on_attempt(c->user.ctx, action);
}

static void iam_query_config(struct iam_client *c, struct query_config *q)
{
	*q = c->user;
	q->ctx = c;
	q->now_ms = c->user.now_ms ? iam_hook_now : NULL;
	q->sleep_ms = c->user.sleep_ms ? iam_hook_sleep : NULL;
	q->random = c->user.random ? iam_hook_random : NULL;
	q->on_attempt = iam_hook_attempt;
}

/* AWS_MAX_ATTEMPTS from the injected environment, so query.c need not read the real one. */
static void iam_client_max_attempts(struct iam_client *c, const struct creds_env *env)
{
	if (c->user.max_attempts <= 0)
		c->user.max_attempts = query_attempts_of(iam_getenv(env, "AWS_MAX_ATTEMPTS"));
}

static int iam_client_endpoints(struct iam_client *c, const struct iam_client_options *o,
				struct aws_error *err)
{
	const char *region = creds_provider_region(c->creds);
	const char *url;
	int rc;

	url = iam_pick(o->endpoint_url, o->env, "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL");
	rc = endpoint_iam(url, region, &c->iam_ep);
	if (rc < 0) {
		aws_error_set(err, "InvalidEndpoint", "bad IAM endpoint URL '%s'", url ? url : "");
		return rc;
	}
	url = iam_pick(o->sts_endpoint_url, o->env, "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL");
	rc = endpoint_sts(url, region, &c->sts_ep);
	if (rc < 0) {
		aws_error_set(err, "InvalidEndpoint", "bad STS endpoint URL '%s'", url ? url : "");
		return rc;
	}
	url = iam_pick(o->org_endpoint_url, o->env, "AWS_ENDPOINT_URL_ORGANIZATIONS",
		       "AWS_ENDPOINT_URL");
	rc = endpoint_organizations(url, region, &c->org_ep);
	if (rc < 0) {
		aws_error_set(err, "InvalidEndpoint", "bad Organizations endpoint URL '%s'",
			      url ? url : "");
		return rc;
	}
	return 0;
}

int iam_client_new(const struct iam_client_options *o, struct iam_client **out,
		   struct aws_error *err)
{
	struct creds_options co = {0};
	struct iam_client *c;
	const char *ca;
	int rc;

	aws_error_clear(err);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->user = o->query;
	iam_client_max_attempts(c, o->env);
	c->page_size = o->page_size > 0 ? o->page_size : IAM_DEFAULT_PAGE;
	ca = o->ca_bundle && *o->ca_bundle ? o->ca_bundle : iam_getenv(o->env, "AWS_CA_BUNDLE");
	rc = -ENOMEM;
	if (ca && !(c->ca_bundle = strdup(ca)))
		goto fail;
	c->http.ca_bundle = c->ca_bundle;
	rc = http_share_new(&c->share);
	if (rc < 0)
		goto fail;
	co.profile = o->profile;
	co.sts_endpoint_url = o->sts_endpoint_url;
	co.ca_bundle = c->ca_bundle;
	co.env = o->env;
	co.share = c->share;
	rc = creds_provider_new(&co, &c->creds, err);
	if (rc < 0)
		goto fail;
	rc = iam_client_endpoints(c, o, err);
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	iam_client_free(c);
	return rc;
}

void iam_client_free(struct iam_client *c)
{
	if (!c)
		return;
	creds_provider_free(c->creds);
	if (!c->borrowed_share)
		http_share_free(c->share);
	free(c->ca_bundle);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int iam_conn_new(struct iam_client *c, struct iam_conn **out)
{
	struct iam_conn *conn;
	int rc;

	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return -ENOMEM;
	conn->client = c;
	rc = http_conn_new(c->share, &c->http, &conn->http);
	if (rc < 0) {
		free(conn);
		return rc;
	}
	*out = conn;
	return 0;
}

struct iam_client *iam_conn_client(struct iam_conn *conn)
{
	return conn->client;
}

void iam_conn_free(struct iam_conn *conn)
{
	if (!conn)
		return;
	http_conn_free(conn->http);
	free(conn);
}

const struct aws_endpoint *iam_client_endpoint(const struct iam_client *c)
{
	return &c->iam_ep;
}

const struct aws_endpoint *iam_client_sts_endpoint(const struct iam_client *c)
{
	return &c->sts_ep;
}

const struct aws_endpoint *iam_client_org_endpoint(const struct iam_client *c)
{
	return &c->org_ep;
}

const char *iam_client_profile(const struct iam_client *c)
{
	return creds_provider_profile(c->creds);
}

void iam_client_each_count(struct iam_client *c,
			   void (*fn)(void *ctx, const char *action, unsigned long n), void *ctx)
{
	struct iam_count snap[IAM_MAX_ACTIONS];
	int i, n;

	/* Copy first: fn must not run under the lock. */
	pthread_mutex_lock(&c->lock);
	n = c->ncounts;
	memcpy(snap, c->counts, sizeof(snap[0]) * (size_t)n);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++)
		fn(ctx, snap[i].action, snap[i].n);
}

unsigned long iam_client_total_calls(struct iam_client *c)
{
	unsigned long total = 0;
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ncounts; i++)
		total += c->counts[i].n;
	pthread_mutex_unlock(&c->lock);
	return total;
}

/* One signed request (a Query call's params, or a prepared rq of another
 * protocol); attempts counts the requests of both runs creds_provider_call may make. */
struct iam_sent {
	struct iam_conn *conn;
	const struct aws_endpoint *ep;
	const struct aws_params *p;
	const struct query_request *rq;
	struct buf *resp;
	struct query_config q;
	int attempts;
};

static int iam_sent_run(void *ctx, const struct aws_creds *creds, struct aws_error *err)
{
	struct iam_sent *s = ctx;
	int rc = s->p ? query_call(s->conn->http, s->ep, creds, s->p, &s->q, s->resp, err)
		      : query_send(s->conn->http, s->ep, creds, s->rq, &s->q, s->resp, err);

	s->attempts += err->attempts;
	return rc;
}

/* Sends with fresh credentials, once more after an expired token. */
static int iam_send_any(struct iam_conn *conn, const struct aws_endpoint *ep,
			const struct aws_params *p, const struct query_request *rq,
			struct buf *resp, struct aws_error *err)
{
	struct iam_sent s = {.conn = conn, .ep = ep, .p = p, .rq = rq, .resp = resp};
	int rc;

	iam_query_config(conn->client, &s.q);
	rc = creds_provider_call(conn->client->creds, iam_sent_run, &s, err);
	err->attempts = s.attempts;
	return rc;
}

static int iam_send(struct iam_conn *conn, const struct aws_endpoint *ep,
		    const struct aws_params *p, struct buf *resp, struct aws_error *err)
{
	return iam_send_any(conn, ep, p, NULL, resp, err);
}

int iam_request_send(struct iam_conn *conn, const struct aws_endpoint *ep,
		     const struct query_request *rq, struct buf *resp, struct aws_error *err)
{
	return iam_send_any(conn, ep, NULL, rq, resp, err);
}

/* Starts a parameter list with Action and Version. */
static int iam_params(struct aws_params *p, const char *action, const char *version)
{
	aws_params_init(p);
	if (aws_params_add(p, "Action", action) < 0 || aws_params_add(p, "Version", version) < 0)
		return -ENOMEM;
	return 0;
}

/* Adds name=value pairs from a NULL-terminated list, then a copy of own (may be NULL). */
static int iam_params_addv(struct aws_params *p, const char *const *kv,
			   const struct aws_params *own)
{
	size_t i;

	for (i = 0; kv && kv[i] && kv[i + 1]; i += 2)
		if (aws_params_add(p, kv[i], kv[i + 1]) < 0)
			return -ENOMEM;
	for (i = 0; own && i < own->n; i++)
		if (aws_params_add(p, own->v[i].name, own->v[i].value) < 0)
			return -ENOMEM;
	return 0;
}

/* Parses an answer with parse, or checks an answer with no data (parse NULL). */
static int iam_read_answer(iam_parser parse, const char *action, const struct buf *resp, void *out,
			   struct iam_page *page, struct aws_error *err)
{
	const char *xml = resp->data ? resp->data : "";

	return parse ? parse(xml, resp->len, out, page, err)
		     : iam_parse_empty(xml, resp->len, action, err);
}

/* The parameters of one call: its kv pairs, then its built ones (own, may be NULL). */
struct iam_args {
	const char *const *kv;
	const struct aws_params *own;
};

/* Sends action (with a's parameters) and parses the answer into out with parse (NULL:
 * an answer with no data). page is NULL for unpaginated calls. */
static int iam_call(struct iam_conn *conn, const struct aws_endpoint *ep, const char *action,
		    const char *version, const struct iam_args *a, const char *marker,
		    iam_parser parse, void *out, struct iam_page *page, struct aws_error *err)
{
	struct aws_params p;
	struct buf resp;
	int rc;

	buf_init(&resp, 0);
	rc = iam_params(&p, action, version);
	if (!rc)
		rc = iam_params_addv(&p, a ? a->kv : NULL, a ? a->own : NULL);
	if (!rc && page)
		rc = aws_params_addf(&p, "MaxItems", "%d", conn->client->page_size);
	if (!rc && marker)
		rc = aws_params_add(&p, "Marker", marker);
	if (rc < 0) {
		aws_error_set(err, "InvalidInput", "out of memory building %s", action);
		goto out;
	}
	rc = iam_send(conn, ep, &p, &resp, err);
	if (!rc)
		rc = iam_read_answer(parse, action, &resp, out, page, err);
	/* A 2xx answer that cannot be read: a write (no parser, or not idempotent) did
	 * happen, so it is marked as possibly applied and the caller settles it with a
	 * read rather than sending it again; an unpaginated read (whose parser fills
	 * nothing on failure) is asked once more. */
	if (rc < 0 && !err->http_status && !strcmp(err->code, AWS_MALFORMED_RESPONSE)) {
		if (!query_idempotent(action) || !parse)
			err->maybe_applied = 1;
		else if (!page && !(rc = iam_send(conn, ep, &p, &resp, err)))
			rc = iam_read_answer(parse, action, &resp, out, page, err);
	}
out:
	aws_params_cleanup(&p);
	buf_cleanup(&resp);
	return rc;
}

/* A listing chain: every page appended to list by parse, then handed to on_page
 * (may be NULL; a nonzero answer ends the chain). */
struct iam_chain {
	struct iam_conn *conn;
	const char *action;
	const struct iam_args *a;
	iam_parser parse;
	void *list;
	int (*on_page)(void *ctx, void *list);
	void *ctx;
};

static int iam_chain_page(void *ctx, const char *marker, struct iam_page *page,
			  struct aws_error *err)
{
	struct iam_chain *ch = ctx;
	int rc = iam_call(ch->conn, &ch->conn->client->iam_ep, ch->action, IAM_VERSION, ch->a,
			  marker, ch->parse, ch->list, page, err);

	return !rc && ch->on_page ? ch->on_page(ch->ctx, ch->list) : rc;
}

/* Follows a chain to the end (pager_follow): a page truncated without a Marker,
 * or repeating one, ends it with -EIO. */
static int iam_chain(struct iam_conn *conn, const char *action, const struct iam_args *a,
		     iam_parser parse, void *list, int (*on_page)(void *ctx, void *list), void *ctx,
		     struct aws_error *err)
{
	struct iam_chain ch = {conn, action, a, parse, list, on_page, ctx};
	const struct pager_chain pc = {action, IAM_MAX_PAGES, "InvalidInput", iam_chain_page, &ch};

	return pager_follow(&pc, err);
}

int iam_request_all(struct iam_conn *conn, const char *action, const char *const *kv,
		    const struct aws_params *own, iam_parser parse, void *list,
		    struct aws_error *err)
{
	const struct iam_args a = {kv, own};

	return iam_chain(conn, action, &a, parse, list, NULL, NULL, err);
}

int iam_request_move(void **dv, size_t *dn, size_t *dcap, void **sv, size_t *sn, size_t *scap,
		     size_t elem)
{
	char *nv;

	if (!*dn) {
		free(*dv);
		*dv = *sv;
		*dn = *sn;
		*dcap = *scap;
		*sv = NULL;
		*sn = *scap = 0;
		return 0;
	}
	if (!*sn)
		return 0;
	nv = realloc(*dv, (*dn + *sn) * elem);
	if (!nv)
		return -ENOMEM;
	memcpy(nv + *dn * elem, *sv, *sn * elem);
	*dv = nv;
	*dn += *sn;
	*dcap = *dn;
	free(*sv);
	*sv = NULL;
	*sn = *scap = 0;
	return 0;
}

IAM_DEFINE_LIST(iam_list_into_roles, iam_role_list)
IAM_DEFINE_LIST(iam_list_into_strings, iam_string_list)
IAM_DEFINE_LIST(iam_list_into_attached, iam_attached_list)
IAM_DEFINE_LIST(iam_list_into_versions, iam_version_list)

int iam_request(struct iam_conn *c, const char *action, const char *const *kv,
		const struct aws_params *own, iam_parser parse, void *out, struct aws_error *err)
{
	const struct iam_args a = {kv, own};

	return iam_call(c, &c->client->iam_ep, action, IAM_VERSION, &a, NULL, parse, out, NULL,
			err);
}

/* An unpaginated IAM call. */
static int iam_one(struct iam_conn *c, const char *action, const char *const *kv, iam_parser parse,
		   void *out, struct aws_error *err)
{
	return iam_request(c, action, kv, NULL, parse, out, err);
}

static int iam_write(struct iam_conn *c, const char *action, const char *const *kv,
		     struct aws_error *err)
{
	return iam_one(c, action, kv, NULL, NULL, err);
}

int iam_list_roles(struct iam_conn *c, struct iam_role_list *out, struct aws_error *err)
{
	return iam_list_into_roles(c, "ListRoles", NULL, NULL, iam_parse_list_roles, out, err);
}

struct iam_role_pages {
	int (*cb)(void *ctx, struct iam_role_list *page);
	void *ctx;
};

static int iam_role_page(void *ctx, void *list)
{
	struct iam_role_pages *pp = ctx;
	int rc = pp->cb(pp->ctx, list);

	iam_role_list_cleanup(list);
	return rc;
}

int iam_list_roles_paged(struct iam_conn *c, int (*page_cb)(void *ctx, struct iam_role_list *page),
			 void *ctx, struct aws_error *err)
{
	struct iam_role_pages pp = {page_cb, ctx};
	struct iam_role_list l = {0};
	int rc;

	rc = iam_chain(c, "ListRoles", &(const struct iam_args){NULL, NULL}, iam_parse_list_roles,
		       &l, iam_role_page, &pp, err);
	iam_role_list_cleanup(&l);
	return rc;
}

int iam_get_role(struct iam_conn *c, const char *role, struct iam_role *out, struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_one(c, "GetRole", kv, iam_parse_get_role, out, err);
}

int iam_update_assume_role_policy(struct iam_conn *c, const char *role, const char *doc,
				  struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyDocument", doc, NULL};

	return iam_write(c, "UpdateAssumeRolePolicy", kv, err);
}

int iam_list_role_policies(struct iam_conn *c, const char *role, struct iam_string_list *out,
			   struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_list_into_strings(c, "ListRolePolicies", kv, NULL, iam_parse_list_role_policies,
				     out, err);
}

int iam_get_role_policy(struct iam_conn *c, const char *role, const char *name,
			struct iam_inline_policy *out, struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyName", name, NULL};

	return iam_one(c, "GetRolePolicy", kv, iam_parse_get_role_policy, out, err);
}

int iam_put_role_policy(struct iam_conn *c, const char *role, const char *name, const char *doc,
			struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyName", name, "PolicyDocument", doc, NULL};

	return iam_write(c, "PutRolePolicy", kv, err);
}

int iam_delete_role_policy(struct iam_conn *c, const char *role, const char *name,
			   struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, "PolicyName", name, NULL};

	return iam_write(c, "DeleteRolePolicy", kv, err);
}

int iam_list_attached_role_policies(struct iam_conn *c, const char *role,
				    struct iam_attached_list *out, struct aws_error *err)
{
	const char *kv[] = {"RoleName", role, NULL};

	return iam_list_into_attached(c, "ListAttachedRolePolicies", kv, NULL,
				      iam_parse_list_attached_role_policies, out, err);
}

int iam_get_policy(struct iam_conn *c, const char *arn, struct iam_policy *out,
		   struct aws_error *err)
{
	const char *kv[] = {"PolicyArn", arn, NULL};

	return iam_one(c, "GetPolicy", kv, iam_parse_get_policy, out, err);
}

int iam_get_policy_version(struct iam_conn *c, const char *arn, const char *version_id,
			   struct iam_policy_version *out, struct aws_error *err)
{
	const char *kv[] = {"PolicyArn", arn, "VersionId", version_id, NULL};

	return iam_one(c, "GetPolicyVersion", kv, iam_parse_get_policy_version, out, err);
}

int iam_list_policy_versions(struct iam_conn *c, const char *arn, struct iam_version_list *out,
			     struct aws_error *err)
{
	const char *kv[] = {"PolicyArn", arn, NULL};

	return iam_list_into_versions(c, "ListPolicyVersions", kv, NULL,
				      iam_parse_list_policy_versions, out, err);
}

int iam_create_policy_version(struct iam_conn *c, const char *arn, const char *doc,
			      bool set_default, struct iam_policy_version *out,
			      struct aws_error *err)
{
	const char *kv[] = {"PolicyArn",
			    arn,
			    "PolicyDocument",
			    doc,
			    "SetAsDefault",
			    set_default ? "true" : "false",
			    NULL};
	struct iam_policy_version tmp = {0}; /* the answer when the caller wants none */
	int rc = iam_one(c, "CreatePolicyVersion", kv, iam_parse_create_policy_version,
			 out ? out : &tmp, err);

	iam_policy_version_cleanup(&tmp);
	return rc;
}

int iam_delete_policy_version(struct iam_conn *c, const char *arn, const char *version_id,
			      struct aws_error *err)
{
	const char *kv[] = {"PolicyArn", arn, "VersionId", version_id, NULL};

	return iam_write(c, "DeletePolicyVersion", kv, err);
}

/* Filter.member.N parameters, NULL-terminated name/value pairs in kv (2*IAM_MAX_FILTERS+1). */
static int iam_gaad_filters(const char *const *filters, char names[][24], const char **kv)
{
	int i, n = 0;

	for (i = 0; filters && filters[i]; i++) {
		if (i == IAM_MAX_FILTERS)
			return -EINVAL;
		snprintf(names[i], 24, "Filter.member.%d", i + 1);
		kv[n++] = names[i];
		kv[n++] = filters[i];
	}
	kv[n] = NULL;
	return 0;
}

/* GAAD pages go to the caller's callback one at a time, then are freed. */
struct iam_gaad_pages {
	int (*cb)(void *ctx, struct iam_gaad *page);
	void *ctx;
};

static int iam_gaad_page(void *ctx, void *list)
{
	struct iam_gaad_pages *pp = ctx;
	int rc = pp->cb(pp->ctx, list);

	iam_gaad_cleanup(list);
	return rc;
}

int iam_get_account_authorization_details(struct iam_conn *c, const char *const *filters,
					  int (*page_cb)(void *ctx, struct iam_gaad *page),
					  void *ctx, struct aws_error *err)
{
	char names[IAM_MAX_FILTERS][24];
	const char *kv[2 * IAM_MAX_FILTERS + 1];
	struct iam_gaad_pages pp = {page_cb, ctx};
	struct iam_gaad g = {0};
	int rc;

	aws_error_clear(err);
	rc = iam_gaad_filters(filters, names, kv);
	if (rc < 0) {
		aws_error_set(err, "InvalidInput", "more than %d GAAD filters", IAM_MAX_FILTERS);
		return rc;
	}
	rc = iam_chain(c, "GetAccountAuthorizationDetails", &(const struct iam_args){kv, NULL},
		       iam_parse_gaad, &g, iam_gaad_page, &pp, err);
	iam_gaad_cleanup(&g);
	return rc;
}

int iam_get_account_summary(struct iam_conn *c, struct iam_account_summary *out,
			    struct aws_error *err)
{
	return iam_one(c, "GetAccountSummary", NULL, iam_parse_account_summary, out, err);
}

int iam_get_caller_identity(struct iam_conn *c, struct iam_caller_identity *out,
			    struct aws_error *err)
{
	return iam_call(c, &c->client->sts_ep, "GetCallerIdentity", STS_VERSION, NULL, NULL,
			iam_parse_caller_identity, out, NULL, err);
}

int iam_client_new_assumed(struct iam_client *base, const char *role_arn, const char *external_id,
			   const char *session_name, struct iam_client **out, struct aws_error *err)
{
	struct iam_client *c;
	int rc;

	aws_error_clear(err);
	if (!base) {
		aws_error_set(err, "InvalidInput", "no client to assume the role with");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->iam_ep = base->iam_ep;
	c->sts_ep = base->sts_ep;
	c->org_ep = base->org_ep;
	c->user = base->user;
	c->page_size = base->page_size;
	c->http = base->http;
	c->share = base->share;
	c->borrowed_share = true;
	rc = -ENOMEM;
	if (base->ca_bundle && !(c->ca_bundle = strdup(base->ca_bundle)))
		goto fail;
	c->http.ca_bundle = c->ca_bundle;
	rc = creds_provider_new_assumed(base->creds, role_arn, external_id, session_name, &c->creds,
					err);
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	iam_client_free(c);
	return rc;
}
