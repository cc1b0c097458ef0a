/*
 * AWS Signature Version 4 in separately testable pure stages: canonical
 * request, string to sign, signing key, signature, Authorization header.
 * Signs content-type;host;x-amz-date (plus x-amz-security-token when a session
 * token is given, x-amz-target when a target is), never User-Agent. No I/O, no clock: the caller
 * passes the date. Keys and secrets are wiped from the stack after use.
 */
#ifndef IAMFS_AWS_SIGV4_H
#define IAMFS_AWS_SIGV4_H

#include <stddef.h>

#include "aws/buf.h"

struct sigv4_request {
	const char *method;	  /* "POST" */
	const char *host;	  /* Host header value: "iam.amazonaws.com", "127.0.0.1:5000" */
	const char *path;	  /* canonical URI path, already encoded: "/" */
	const char *query;	  /* canonical query string, already sorted/encoded: "" */
	const char *content_type; /* "application/x-www-form-urlencoded; charset=utf-8" */
	const char *body;
	size_t body_len;
	const char *amz_date;	   /* "20261123T112051Z" */
	const char *region;	   /* "us-east-1" */
	const char *service;	   /* "iam", "sts" */
	const char *session_token; /* NULL (or "") when none */
	const char *target;	   /* X-Amz-Target of the JSON protocols; NULL (or "") when none */
};
/* content_type NULL signs no content-type header (a GET); header values are
 * trimmed and inner whitespace runs collapsed, as SigV4 requires. */

#define SIGV4_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Appends the canonical request to out. -EINVAL when a field is missing or amz_date is
 * not YYYYMMDDTHHMMSSZ; on any failure nothing is appended. */
int sigv4_canonical_request(const struct sigv4_request *r, struct buf *out);
/* The signed header list, e.g. "content-type;host;x-amz-date". */
const char *sigv4_signed_headers(const struct sigv4_request *r);
/* Appends the string to sign for a canonical request to out. */
int sigv4_string_to_sign(const struct sigv4_request *r, const char *canonical, size_t len,
			 struct buf *out);
/* Derives the signing key for date (YYYYMMDD), region and service. */
void sigv4_signing_key(const char *secret, const char *date8, const char *region,
		       const char *service, unsigned char key[32]);
/* Hex HMAC-SHA256 of the string to sign under key (64 chars + NUL). */
void sigv4_signature(const unsigned char key[32], const char *sts, size_t len, char hex[65]);
/* Appends the whole Authorization header value to out:
 * "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
 * SignedHeaders=..., Signature=...". */
int sigv4_authorization(const struct sigv4_request *r, const char *access_key_id,
			const char *secret_access_key, struct buf *out);
/* Formats t (UTC seconds) as the x-amz-date value (17 bytes incl. NUL). */
void sigv4_amz_date(long long t, char out[17]);

#endif
