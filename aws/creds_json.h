/*
 * The JSON credential documents of three sources: credential_process output
 * (Version 1), the ECS container endpoint and the EC2 instance metadata
 * service. Pure: text in, struct aws_creds out; no I/O, no clock.
 */
#ifndef IAMFS_AWS_CREDS_JSON_H
#define IAMFS_AWS_CREDS_JSON_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/aws_creds.h"

enum creds_json_kind {
	CREDS_JSON_PROCESS,   /* Version 1, SessionToken, Expiration optional */
	CREDS_JSON_CONTAINER, /* ECS: Token, Expiration */
	CREDS_JSON_IMDS,      /* EC2: Code "Success", Token, Expiration */
};

/* Fills an empty out (written only on success; source left as is) from a document
 * of the given kind. -EINVAL with err (code "InvalidCredentials") saying which
 * field is missing or wrong; never quotes a secret. */
int creds_json_parse(const char *text, size_t len, enum creds_json_kind kind, struct aws_creds *out,
		     struct aws_error *err);

#endif
