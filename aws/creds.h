/*
 * AWS credentials and the provider chain, in the AWS CLI's order: environment;
 * the profile in the shared config/credentials files (static keys,
 * credential_process, role_arn + source_profile/credential_source through STS
 * AssumeRole); AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN; ECS container
 * credentials; EC2 instance metadata (IMDSv2). Temporary credentials are
 * refreshed before they expire. Secrets are wiped when freed and never logged.
 * The environment, clock and HTTP share are injected so tests need no sleeping.
 * The credential values and options are in aws_creds.h; this is the provider.
 */
#ifndef IAMFS_AWS_CREDS_H
#define IAMFS_AWS_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/aws_creds.h"

struct creds_provider;

/* Finds the first source in the chain that is configured and reads its settings
 * (no network yet). -ENOENT with a clear err->message when no source is configured,
 * -EINVAL for a broken profile (named in the message). Free with creds_provider_free. */
int creds_provider_new(const struct creds_options *o, struct creds_provider **out,
		       struct aws_error *err);
void creds_provider_free(struct creds_provider *p);
/* A provider whose credentials come from STS AssumeRole of role_arn, signed with base's
 * current credentials (base is borrowed and must outlive *out). external_id may be NULL;
 * session_name NULL or "" means "iamfs". Region, STS endpoint, CA bundle, environment, clock
 * and HTTP share are base's. Refreshed like any temporary credentials (5 minutes before
 * expiry, one refresh at a time); an AssumeRole refused names role_arn in err->message.
 * No network here. 0, -EINVAL (empty role_arn) or -ENOMEM with err filled. */
int creds_provider_new_assumed(struct creds_provider *base, const char *role_arn,
			       const char *external_id, const char *session_name,
			       struct creds_provider **out, struct aws_error *err);
/* A deep copy of the current credentials into an empty out, fetched or refreshed
 * when missing or expiring within 5 minutes. Thread-safe; one refresh at a time. */
int creds_provider_get(struct creds_provider *p, struct aws_creds *out, struct aws_error *err);
/* Forgets cached temporary credentials (after ExpiredToken) so the next get refreshes. */
void creds_provider_expire(struct creds_provider *p);
/* Runs call(ctx, creds, err) with a copy of p's current credentials (borrowed by call,
 * wiped after it). A call refused with an expired-token code (aws_code_is_expired_token)
 * is run once more: p forgets its credentials first, so the second run gets fresh ones.
 * err is cleared before each run. 0, the -errno of getting credentials (no call run, no
 * retry), or the -errno of call's last run, with err filled. Thread-safe as get is. */
int creds_provider_call(struct creds_provider *p,
			int (*call)(void *ctx, const struct aws_creds *creds,
				    struct aws_error *err),
			void *ctx, struct aws_error *err);
/* The region of the profile or environment (AWS_REGION, AWS_DEFAULT_REGION, the
 * profile's region), or "" when none is set. */
const char *creds_provider_region(const struct creds_provider *p);
/* The profile name in use. */
const char *creds_provider_profile(const struct creds_provider *p);
/* The name of the chosen source ("env", "shared-credentials-file", "config-file",
 * "custom-process", "assume-role", "assume-role-with-web-identity",
 * "container-role", "iam-role"), as aws_creds.source will say. */
const char *creds_provider_source(const struct creds_provider *p);

/* Every profile named in the shared config file ([default], [profile X]) and the
 * credentials file ([X]), as o->env says where they are (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, HOME): deduplicated and sorted (byte order). Missing files
 * are empty. *names (each string and the array) is the caller's: free it with
 * creds_profile_names_free. 0, -EINVAL (a file that cannot be parsed) or -ENOMEM. */
int creds_profile_names(const struct creds_options *o, char ***names, size_t *n);
void creds_profile_names_free(char **names, size_t n);

#endif
