/*
 * Internal to the credentials provider: the tree of sources a profile resolves
 * to (an assume-role source holds the source of its base credentials), how it
 * is chosen from the environment and shared files (creds_chain.c, no network),
 * and how each kind fetches credentials (creds_fetch.c, network and processes).
 */
#ifndef IAMFS_AWS_CREDS_SOURCE_H
#define IAMFS_AWS_CREDS_SOURCE_H

#include <stdbool.h>

#include "aws/awserr.h"
#include "aws/aws_creds.h"

enum creds_kind {
	CREDS_STATIC,	    /* fixed keys: env, shared-credentials-file, config-file */
	CREDS_PROCESS,	    /* credential_process */
	CREDS_ASSUME_ROLE,  /* STS AssumeRole with base's credentials */
	CREDS_WEB_IDENTITY, /* STS AssumeRoleWithWebIdentity (unsigned) */
	CREDS_CONTAINER,    /* ECS container endpoint */
	CREDS_IMDS,	    /* EC2 instance metadata, IMDSv2 */
};

struct creds_source {
	enum creds_kind kind;
	char name[48];		   /* copied to aws_creds.source */
	struct aws_creds fixed;	   /* CREDS_STATIC */
	char *command;		   /* CREDS_PROCESS */
	long timeout_ms;	   /* CREDS_PROCESS: bound on the whole run */
	struct creds_source *base; /* CREDS_ASSUME_ROLE; NULL when a provider gives the base */
	char *role_arn;		   /* CREDS_ASSUME_ROLE, CREDS_WEB_IDENTITY */
	char *external_id;	   /* CREDS_ASSUME_ROLE, NULL when none */
	char *session_name;	   /* NULL: "iamfs-<unix time>" */
	int duration_s;		   /* 0: STS default */
	char *token_file;	   /* CREDS_WEB_IDENTITY; CREDS_CONTAINER auth token file */
	char *url;		   /* CREDS_CONTAINER full URL; CREDS_IMDS endpoint */
	char *auth_token;	   /* CREDS_CONTAINER, NULL when none */
	bool fallback;		   /* CREDS_IMDS: chosen only because nothing else was */
};

/* A zeroed source of kind named name (cut to fit); the caller owns it (creds_source_free).
 * NULL when out of memory. */
struct creds_source *creds_source_new(enum creds_kind kind, const char *name);
/* Frees a source tree, wiping fixed keys and tokens (NULL-safe). */
void creds_source_free(struct creds_source *s);

/* What creds_chain_resolve found: the source tree and the settings around it. */
struct creds_chain_result {
	struct creds_source *src;
	char profile[256];
	char region[64];
	char *sts_url;	    /* NULL: regional STS */
	char *ca_bundle;    /* NULL: the system store */
	char nocreds[1024]; /* the sentence for "no credentials at all" */
};

/* Reads the environment (o->env) and the shared files and picks the source.
 * Returns 0 with out filled (free with creds_chain_result_cleanup), -ENOENT when
 * nothing is configured, -EINVAL for a broken or missing profile, with err filled. */
int creds_chain_resolve(const struct creds_options *o, struct creds_chain_result *out,
			struct aws_error *err);
void creds_chain_result_cleanup(struct creds_chain_result *r);

/* Everything a fetch needs besides the source. */
struct creds_fetch_ctx {
	const char *sts_url;
	const char *region;
	const char *ca_bundle;
	struct http_share *share;
	long long now; /* unix seconds, for default session names */
};

/* Fetches fresh credentials from s into an empty out (source name set).
 * Returns 0 or -errno with err filled. */
int creds_fetch(const struct creds_fetch_ctx *fc, const struct creds_source *s,
		struct aws_creds *out, struct aws_error *err);

/* STS AssumeRole of s (CREDS_ASSUME_ROLE: role_arn, external_id, session name,
 * duration) signed with base, into an empty out (source name set). The fetch of
 * a profile's role chain and of a provider built on another provider. */
int creds_fetch_assume(const struct creds_fetch_ctx *fc, const struct creds_source *s,
		       const struct aws_creds *base, struct aws_creds *out, struct aws_error *err);

#endif
