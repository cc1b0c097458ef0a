/*
 * Credentials as values, and the settings that say where to look for them:
 * what every credentials file (the provider, the chain, the fetchers, the JSON
 * documents) and every signed call shares. Nothing here reaches the network,
 * the environment or the clock. Secrets are wiped when freed and never logged.
 */
#ifndef IAMFS_AWS_AWS_CREDS_H
#define IAMFS_AWS_AWS_CREDS_H

struct http_share;

struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;  /* NULL when none */
	long long expiration; /* unix seconds; 0 when they do not expire */
	char source[48];      /* "env", "shared-credentials-file", "assume-role", ... */
};

/* Wipes and frees every member (NULL-safe); leaves the struct zeroed. */
void aws_creds_cleanup(struct aws_creds *c);
/* Deep copy into an empty dst (written only on success). 0 or -ENOMEM. */
int aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src);

/* The process environment and clock, injectable. NULL members mean the real ones. */
struct creds_env {
	const char *(*getenv)(void *ctx, const char *name);
	long long (*now)(void *ctx); /* unix seconds */
	void *ctx;
};

struct creds_options {
	const char *profile;	      /* NULL: $AWS_PROFILE, else "default" */
	const char *sts_endpoint_url; /* NULL: $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL, regional */
	const char *ca_bundle;	      /* NULL: $AWS_CA_BUNDLE, else the system store */
	const struct creds_env *env;  /* NULL: the real environment and clock */
	struct http_share *share;     /* may be NULL */
};

#endif
