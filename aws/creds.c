/*
 * The credentials provider: the chosen source (creds_chain.c) plus the current
 * credentials, refreshed when they expire within 5 minutes. One refresh runs at
 * a time and never under the mutex: other threads keep using still-valid
 * credentials meanwhile, or wait on the condition variable when none are valid.
 * A provider built on another (creds_provider_new_assumed) signs its AssumeRole
 * with the other's current credentials, so a chain of roles shares one cache.
 */
#include "aws/creds.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds_source.h"

#define CREDS_REFRESH_WINDOW 300 /* seconds before expiry when a refresh starts */
#define CREDS_RETRY_AFTER    10	 /* seconds between refreshes of still-valid credentials */

struct creds_provider {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct creds_chain_result chain;
	struct creds_env env;
	struct http_share *share;
	struct aws_creds cur;
	struct creds_provider *base; /* borrowed: signs the AssumeRole of chain.src */
	bool have, refreshing;
	long long next_try; /* no advisory refresh before this time */
	unsigned gen;	    /* counts finished refreshes */
	int last_rc;	    /* of the last refresh */
	struct aws_error last_err;
};

static long long real_now(void *ctx)
{
	return (long long)time(NULL);
}

static long long creds_now(const struct creds_provider *p)
{
	return p->env.now(p->env.ctx);
}

int creds_provider_new(const struct creds_options *o, struct creds_provider **out,
		       struct aws_error *err)
{
	struct creds_provider *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	rc = creds_chain_resolve(o, &p->chain, err);
	if (rc) {
		free(p);
		return rc;
	}
	if (o->env)
		p->env = *o->env;
	if (!p->env.now)
		p->env.now = real_now;
	p->share = o->share;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	*out = p;
	return 0;
}

void creds_provider_free(struct creds_provider *p)
{
	if (!p)
		return;
	aws_creds_cleanup(&p->cur);
	creds_chain_result_cleanup(&p->chain);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

static bool is_fresh(const struct aws_creds *c, long long t)
{
	return !c->expiration || c->expiration - t > CREDS_REFRESH_WINDOW;
}

static bool is_valid(const struct aws_creds *c, long long t)
{
	return !c->expiration || c->expiration > t;
}

/* What the AssumeRole of an assumed provider needs besides the base's credentials. */
struct assume_call {
	const struct creds_fetch_ctx *fc;
	const struct creds_source *src;
	struct aws_creds *got;
};

static int assume_call_run(void *ctx, const struct aws_creds *base, struct aws_error *err)
{
	const struct assume_call *a = ctx;

	return creds_fetch_assume(a->fc, a->src, base, a->got, err);
}

/* The AssumeRole of an assumed provider, signed with its base's credentials
 * (creds_provider_call: sent once more after an expired token). A failure names
 * the role. */
static int refresh_assumed(struct creds_provider *p, const struct creds_fetch_ctx *fc,
			   struct aws_creds *got, struct aws_error *err)
{
	struct assume_call a = {fc, p->chain.src, got};
	char why[sizeof(err->message)];
	int rc = creds_provider_call(p->base, assume_call_run, &a, err);

	if (rc) {
		snprintf(why, sizeof(why), "%s", err->message[0] ? err->message : err->code);
		snprintf(err->message, sizeof(err->message), "cannot assume role %.300s: %.600s",
			 p->chain.src->role_arn, why);
	}
	return rc;
}

/* Fetches without the lock; maps a failed metadata probe of last resort to -ENOENT. */
static int refresh(struct creds_provider *p, struct aws_creds *got, struct aws_error *err)
{
	struct creds_fetch_ctx fc = {
		.sts_url = p->chain.sts_url,
		.region = p->chain.region,
		.ca_bundle = p->chain.ca_bundle,
		.share = p->share,
		.now = creds_now(p),
	};
	const struct creds_source *s = p->chain.src;
	int rc = p->base ? refresh_assumed(p, &fc, got, err) : creds_fetch(&fc, s, got, err);

	if (rc && s->kind == CREDS_IMDS && s->fallback) {
		aws_error_set(err, "NoCredentials", "%s", p->chain.nocreds);
		rc = -ENOENT;
	}
	if (rc)
		aws_creds_cleanup(got);
	return rc;
}

/* Runs one refresh with the lock dropped; called and returns with the lock held. */
static int run_refresh(struct creds_provider *p, struct aws_error *err)
{
	struct aws_creds got = {0};
	struct aws_error e;
	int rc;

	p->refreshing = true;
	pthread_mutex_unlock(&p->lock);
	aws_error_clear(&e);
	rc = refresh(p, &got, &e);
	pthread_mutex_lock(&p->lock);
	p->refreshing = false;
	p->gen++;
	p->last_rc = rc;
	p->last_err = e;
	p->next_try = creds_now(p) + CREDS_RETRY_AFTER;
	if (!rc) {
		aws_creds_cleanup(&p->cur);
		p->cur = got;
		p->have = true;
	} else if (err) {
		*err = e;
	}
	pthread_cond_broadcast(&p->cond);
	return rc;
}

int creds_provider_get(struct creds_provider *p, struct aws_creds *out, struct aws_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		long long t = creds_now(p);
		bool usable = p->have && is_valid(&p->cur, t);

		if (p->have && is_fresh(&p->cur, t))
			break;
		if (p->refreshing && usable)
			break;
		if (p->refreshing) {
			unsigned gen = p->gen;

			while (p->refreshing && p->gen == gen)
				pthread_cond_wait(&p->cond, &p->lock);
			if (p->gen != gen && p->last_rc &&
			    !(p->have && is_valid(&p->cur, creds_now(p)))) {
				rc = p->last_rc;
				if (err)
					*err = p->last_err;
				goto out;
			}
			continue;
		}
		if (usable && t < p->next_try)
			break;
		rc = run_refresh(p, err);
		/* A failed early refresh still leaves valid credentials to use. */
		if (rc && !(p->have && is_valid(&p->cur, creds_now(p))))
			goto out;
		if (rc)
			aws_error_clear(err);
		rc = 0;
		break;
	}
	rc = aws_creds_copy(out, &p->cur);
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void creds_provider_expire(struct creds_provider *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->have && !p->refreshing) {
		aws_creds_cleanup(&p->cur);
		p->have = false;
	}
	p->next_try = 0;
	pthread_mutex_unlock(&p->lock);
}

int creds_provider_call(struct creds_provider *p,
			int (*call)(void *ctx, const struct aws_creds *creds,
				    struct aws_error *err),
			void *ctx, struct aws_error *err)
{
	struct aws_creds creds = {0};
	int tries, rc = 0;

	for (tries = 0; tries < 2; tries++) {
		aws_error_clear(err);
		rc = creds_provider_get(p, &creds, err);
		if (rc < 0)
			break;
		rc = call(ctx, &creds, err);
		aws_creds_cleanup(&creds);
		if (rc == 0 || !aws_code_is_expired_token(err->code))
			break;
		creds_provider_expire(p);
	}
	return rc;
}

const char *creds_provider_region(const struct creds_provider *p)
{
	return p->chain.region;
}

const char *creds_provider_profile(const struct creds_provider *p)
{
	return p->chain.profile;
}

const char *creds_provider_source(const struct creds_provider *p)
{
	return p->chain.src->name;
}

/* The source of an assumed provider: AssumeRole with no base source. */
static int assumed_source(const char *role_arn, const char *external_id, const char *session_name,
			  struct creds_source **out)
{
	struct creds_source *s = creds_source_new(CREDS_ASSUME_ROLE, "assume-role");

	if (!s)
		return -ENOMEM;
	s->role_arn = strdup(role_arn);
	s->session_name = strdup(session_name && *session_name ? session_name : "iamfs");
	if (external_id && *external_id)
		s->external_id = strdup(external_id);
	if (!s->role_arn || !s->session_name || (external_id && *external_id && !s->external_id)) {
		creds_source_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

/* The settings of base's chain an assumed provider keeps: profile, region, STS, CA. */
static int assumed_chain(const struct creds_chain_result *base, struct creds_chain_result *r)
{
	memcpy(r->profile, base->profile, sizeof(r->profile));
	memcpy(r->region, base->region, sizeof(r->region));
	if (base->sts_url && !(r->sts_url = strdup(base->sts_url)))
		return -ENOMEM;
	if (base->ca_bundle && !(r->ca_bundle = strdup(base->ca_bundle)))
		return -ENOMEM;
	return 0;
}

int creds_provider_new_assumed(struct creds_provider *base, const char *role_arn,
			       const char *external_id, const char *session_name,
			       struct creds_provider **out, struct aws_error *err)
{
	struct creds_provider *p;
	int rc;

	if (!base || !role_arn || !*role_arn) {
		aws_error_set(err, "InvalidInput", "no role ARN to assume");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = assumed_chain(&base->chain, &p->chain);
	if (!rc)
		rc = assumed_source(role_arn, external_id, session_name, &p->chain.src);
	if (rc) {
		creds_chain_result_cleanup(&p->chain);
		free(p);
		aws_error_set(err, "NoMemory", "out of memory");
		return rc;
	}
	p->base = base;
	p->env = base->env;
	p->share = base->share;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	*out = p;
	return 0;
}
