/*
 * The detail of a failed AWS call, carried in a caller-owned struct beside the
 * -errno that every function returns. One table (awserr.c) maps IAM and STS
 * error codes and transport failures to the errno the filesystem reports:
 * AccessDenied EACCES, NoSuchEntity ENOENT, expired or invalid credentials
 * EKEYEXPIRED, throttling EAGAIN, ... (the table in README.md, "Errors").
 */
#ifndef IAMFS_AWS_AWSERR_H
#define IAMFS_AWS_AWSERR_H

/* The code iamfs gives an answer it cannot read or believe (cut, garbled, a
 * listing that cannot go on): never one of IAM's own codes. */
#define AWS_MALFORMED_RESPONSE "MalformedResponse"

struct aws_error {
	long http_status;     /* 0 when no HTTP answer was received */
	char code[128];	      /* IAM's code, e.g. "NoSuchEntity"; or a local one */
	char message[1024];   /* IAM's message, or a local sentence */
	char request_id[128]; /* "" when none */
	int attempts;	      /* HTTP requests sent for this call, retries included */
	int maybe_applied;    /* the call failed but IAM may have applied it: the request
				 was sent and the answer was lost, cut, garbled or a 5xx */
};

/* Sets every field to empty. NULL-safe. */
void aws_error_clear(struct aws_error *e);
/* Fills code and message (printf-style) for a failure detected locally. NULL-safe. */
void aws_error_set(struct aws_error *e, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The errno for a failed call, as a negative value: from the code, the message
 * where one code covers two quotas (LimitExceeded: EFBIG for a size, EDQUOT for
 * PolicyVersionsPerPolicy), then the HTTP status class. */
int aws_error_errno(const struct aws_error *e);
/* True for codes that mean the credentials expired or are invalid. */
int aws_code_is_expired_token(const char *code);
/* True for throttling codes (retried with backoff). */
int aws_code_is_throttling(const char *code);

#endif
