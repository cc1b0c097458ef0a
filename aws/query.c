/*
 * One signed Query-protocol call with retries. Each attempt is signed afresh
 * (new X-Amz-Date), counted through on_attempt and sent on the caller's HTTP
 * handle. Throttling, 429, 5xx and transport failures are retried with
 * jittered exponential backoff, but never past the call's time budget; every
 * other error answer is final at once. A call that is not idempotent is sent
 * again only when the failure proves it was not sent (no connection); any other
 * failure ends the call, with err->maybe_applied when IAM may have applied it.
 */
#include "aws/query.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "aws/iam_parse.h"
#include "aws/sigv4.h"

#define QUERY_DEFAULT_ATTEMPTS	   5
#define QUERY_MAX_ATTEMPTS	   20
#define QUERY_DEFAULT_BUDGET_MS	   5000L
#define QUERY_DEFAULT_BASE_MS	   100L
#define QUERY_DEFAULT_MAX_DELAY_MS 2000L
#define QUERY_HEADER_MAX	   4096
#define QUERY_DEFAULT_UA	   "iamfs/" IAMFS_VERSION

/* The calls that may be sent again after a failure that does not prove they were
 * not applied: reads, and writes that set a whole value (applying one twice
 * leaves what applying it once does: a document, a role's fields, tags, a
 * boundary). Every other action (CreateRole, CreatePolicy, CreatePolicyVersion,
 * the attach, detach, remove and delete calls) is not idempotent: sent twice,
 * the second answers EntityAlreadyExists or NoSuchEntity for a call that worked. */
static const char *const query_idempotent_prefixes[] = {"Get", "List"};
static const char *const query_idempotent_actions[] = {
	"UpdateAssumeRolePolicy",
	"PutRolePolicy",
	"UpdateRole",
	"TagRole",
	"UntagRole",
	"PutRolePermissionsBoundary",
	"AssumeRole",
	"AssumeRoleWithWebIdentity",
};

bool query_idempotent(const char *action)
{
	size_t i;

	if (!action)
		return false;
	for (i = 0; i < sizeof(query_idempotent_prefixes) / sizeof(*query_idempotent_prefixes); i++)
		if (!strncmp(action, query_idempotent_prefixes[i],
			     strlen(query_idempotent_prefixes[i])))
			return true;
	for (i = 0; i < sizeof(query_idempotent_actions) / sizeof(*query_idempotent_actions); i++)
		if (!strcmp(action, query_idempotent_actions[i]))
			return true;
	return false;
}

/* The effective retry policy of one call, defaults filled in. */
struct query_policy {
	int max_attempts;
	long budget_ms;
	long base_ms;
	long max_delay_ms;
	const struct query_config *cfg;
};

static long long query_now_ms(const struct query_policy *p)
{
	struct timespec ts;

	if (p->cfg && p->cfg->now_ms)
		return p->cfg->now_ms(p->cfg->ctx);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void query_sleep_ms(const struct query_policy *p, long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	if (p->cfg && p->cfg->sleep_ms) {
		p->cfg->sleep_ms(p->cfg->ctx, ms);
		return;
	}
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static unsigned query_random(const struct query_policy *p)
{
	unsigned r = 0;

	if (p->cfg && p->cfg->random)
		return p->cfg->random(p->cfg->ctx);
	/* OpenSSL's generator is thread-safe; a failure only loses the jitter. */
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return r;
}

int query_attempts_of(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return QUERY_DEFAULT_ATTEMPTS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1)
		return QUERY_DEFAULT_ATTEMPTS;
	return v > QUERY_MAX_ATTEMPTS ? QUERY_MAX_ATTEMPTS : (int)v;
}

static void query_policy_init(struct query_policy *p, const struct query_config *cfg)
{
	p->cfg = cfg;
	p->max_attempts = cfg && cfg->max_attempts > 0
				  ? cfg->max_attempts
				  : query_attempts_of(getenv("AWS_MAX_ATTEMPTS"));
	if (p->max_attempts > QUERY_MAX_ATTEMPTS)
		p->max_attempts = QUERY_MAX_ATTEMPTS;
	p->budget_ms = cfg && cfg->budget_ms > 0 ? cfg->budget_ms : QUERY_DEFAULT_BUDGET_MS;
	p->base_ms = cfg && cfg->base_delay_ms > 0 ? cfg->base_delay_ms : QUERY_DEFAULT_BASE_MS;
	p->max_delay_ms =
		cfg && cfg->max_delay_ms > 0 ? cfg->max_delay_ms : QUERY_DEFAULT_MAX_DELAY_MS;
}

/* "Equal jitter": half the exponential step fixed, half scaled by a random
 * fraction, so a retry always waits a little and concurrent clients spread out. */
static long query_backoff_ms(const struct query_policy *p, int attempt)
{
	long step = p->base_ms, half;
	int i;

	for (i = 1; i < attempt && step < p->max_delay_ms; i++)
		step *= 2;
	if (step > p->max_delay_ms)
		step = p->max_delay_ms;
	half = step / 2;
	return half + (long)((unsigned long long)query_random(p) *
			     (unsigned long long)(step - half) / UINT_MAX);
}

/* Header lines live in one capped buffer each, wiped afterwards (token, signature). */
struct query_headers {
	struct buf lines[7];
	const char *v[8];
	int n;
};

static int query_header_add(struct query_headers *h, const char *name, const char *value)
{
	struct buf *l = &h->lines[h->n];
	int rc;

	buf_init(l, QUERY_HEADER_MAX);
	rc = buf_printf(l, "%s: %s", name, value);
	if (rc < 0)
		return rc;
	h->v[h->n++] = l->data;
	h->v[h->n] = NULL;
	return 0;
}

static void query_headers_wipe(struct query_headers *h)
{
	int i;

	for (i = 0; i < h->n; i++)
		buf_wipe(&h->lines[i]);
	h->n = 0;
}

static int query_sign(const struct aws_endpoint *ep, const struct aws_creds *creds,
		      const struct query_request *rq, const char *ua, struct query_headers *h)
{
	const char *ctype = rq->content_type ? rq->content_type : SIGV4_CONTENT_TYPE;
	struct sigv4_request r = {0};
	char date[17];
	struct buf auth;
	int rc;

	sigv4_amz_date((long long)time(NULL), date);
	rc = query_header_add(h, "Content-Type", ctype);
	if (!rc && rq->target)
		rc = query_header_add(h, "X-Amz-Target", rq->target);
	if (!rc)
		rc = query_header_add(h, "Host", ep->host);
	if (!rc)
		rc = query_header_add(h, "X-Amz-Date", date);
	if (!rc)
		rc = query_header_add(h, "User-Agent", ua);
	if (rc || !creds)
		return rc;
	if (creds->session_token)
		rc = query_header_add(h, "X-Amz-Security-Token", creds->session_token);
	if (rc)
		return rc;
	r.method = "POST";
	r.host = ep->host;
	r.path = ep->path[0] ? ep->path : "/";
	r.query = "";
	r.content_type = ctype;
	r.target = rq->target;
	r.body = rq->body ? rq->body : "";
	r.body_len = rq->body_len;
	r.amz_date = date;
	r.region = ep->region;
	r.service = ep->service;
	r.session_token = creds->session_token;
	buf_init(&auth, QUERY_HEADER_MAX);
	rc = sigv4_authorization(&r, creds->access_key_id, creds->secret_access_key, &auth);
	if (!rc)
		rc = query_header_add(h, "Authorization", auth.data);
	buf_wipe(&auth);
	return rc;
}

/* Whether a failed attempt may be sent again: always for an idempotent action,
 * otherwise only when the request provably never left (err->maybe_applied clear
 * after a transport failure). A 5xx answer may come after the call was applied. */
static int query_retry_or_final(const char *action, bool answered, struct aws_error *err)
{
	if (answered)
		err->maybe_applied = err->http_status >= 500;
	if (query_idempotent(action) || (!answered && !err->maybe_applied))
		return 1;
	return aws_error_errno(err);
}

/* One request. Returns 0 on a 2xx answer, 1 when the failure may be retried,
 * or -errno when it is final. err is filled on every failure. */
static int query_attempt(struct http_conn *c, const struct aws_endpoint *ep,
			 const struct aws_creds *creds, const struct query_request *rq,
			 const struct query_config *cfg, struct buf *resp, struct aws_error *err)
{
	struct query_headers h = {.n = 0};
	const char *action = rq->action ? rq->action : "Unknown";
	long status = 0;
	int attempts = err->attempts;
	int rc;

	rc = query_sign(ep, creds, rq, cfg && cfg->user_agent ? cfg->user_agent : QUERY_DEFAULT_UA,
			&h);
	if (rc < 0) {
		aws_error_set(err, "SigningError", "cannot sign the %s request", action);
		goto out;
	}
	if (cfg && cfg->on_attempt)
		cfg->on_attempt(cfg->ctx, action);
	err->attempts = attempts + 1;
	err->maybe_applied = 0;
	if (!query_idempotent(action))
		http_conn_fresh_next(c);
	rc = http_request(c, "POST", ep->url, h.v, rq->body, rq->body_len, &status, resp, err);
	if (rc == -EIO || rc == -ETIMEDOUT) {
		rc = query_retry_or_final(action, false, err);
		goto out;
	}
	if (rc < 0)
		goto out;
	if (status >= 200 && status < 300)
		goto out;
	iam_parse_error(resp->data, resp->len, status, err);
	err->attempts = attempts + 1;
	if (aws_code_is_throttling(err->code) || status == 429 || status >= 500)
		rc = query_retry_or_final(action, true, err);
	else
		rc = aws_error_errno(err);
out:
	query_headers_wipe(&h);
	return rc;
}

int query_send(struct http_conn *c, const struct aws_endpoint *ep, const struct aws_creds *creds,
	       const struct query_request *rq, const struct query_config *cfg, struct buf *resp,
	       struct aws_error *err)
{
	struct query_policy pol;
	long long start, now;
	long delay;
	int attempt, sent, rc = 0;

	aws_error_clear(err);
	query_policy_init(&pol, cfg);
	start = query_now_ms(&pol);
	for (attempt = 1;; attempt++) {
		rc = query_attempt(c, ep, creds, rq, cfg, resp, err);
		if (rc == 0) {
			sent = err->attempts;
			aws_error_clear(err);
			err->attempts = sent;
			break;
		}
		if (rc < 0)
			break;
		rc = aws_error_errno(err);
		if (attempt >= pol.max_attempts)
			break;
		delay = query_backoff_ms(&pol, attempt);
		now = query_now_ms(&pol);
		if (now + delay >= start + pol.budget_ms)
			break;
		query_sleep_ms(&pol, delay);
	}
	if (rc < 0)
		buf_reset(resp);
	return rc;
}

int query_call(struct http_conn *c, const struct aws_endpoint *ep, const struct aws_creds *creds,
	       const struct aws_params *params, const struct query_config *cfg, struct buf *resp,
	       struct aws_error *err)
{
	struct query_request rq = {0};
	struct buf body;
	int rc;

	aws_error_clear(err);
	buf_init(&body, 0);
	rc = aws_params_encode(params, &body);
	if (rc < 0) {
		aws_error_set(err, "InvalidInput", "request parameters too large to encode");
		buf_reset(resp);
	} else {
		rq.action = aws_params_get(params, "Action");
		rq.action = rq.action ? rq.action : "Unknown";
		rq.body = body.data ? body.data : "";
		rq.body_len = body.len;
		rc = query_send(c, ep, creds, &rq, cfg, resp, err);
	}
	/* Form bodies carry policy text, not secrets, but may carry a web identity token. */
	buf_wipe(&body);
	return rc;
}
