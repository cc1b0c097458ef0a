/*
 * One signed Query-protocol call (POST form body, XML answer) with retries:
 * throttling, 5xx and connection failures are retried with jittered exponential
 * backoff inside a total time budget; 4xx errors other than throttling never.
 * Clock, sleep and randomness are injectable for tests; on_attempt counts every
 * HTTP request sent (for .iamfs/status). A call that is not idempotent
 * (query_idempotent) is never resent after it may have reached IAM: only a
 * connection that could not be made is tried again; err->maybe_applied tells the
 * caller when the failed call may have been applied.
 */
#ifndef IAMFS_AWS_QUERY_H
#define IAMFS_AWS_QUERY_H

#include <stdbool.h>

#include "aws/awserr.h"
#include "aws/buf.h"
#include "aws/aws_creds.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/params.h"

struct query_config {
	int max_attempts;		      /* 0: $AWS_MAX_ATTEMPTS or 5 */
	long budget_ms;			      /* total time for all attempts; 0: 5000 */
	long base_delay_ms;		      /* first backoff; 0: 100 */
	long max_delay_ms;		      /* cap of one backoff; 0: 2000 */
	long long (*now_ms)(void *ctx);	      /* NULL: CLOCK_MONOTONIC */
	void (*sleep_ms)(void *ctx, long ms); /* NULL: nanosleep */
	unsigned (*random)(void *ctx);	      /* NULL: a thread-safe PRNG */
	void (*on_attempt)(void *ctx, const char *action);
	void *ctx;
	const char *user_agent; /* not signed */
};

/* True when action may be sent twice with the effect of once (reads, and the
 * writes that set a whole document). */
bool query_idempotent(const char *action);

/* The attempts an AWS_MAX_ATTEMPTS value asks for: 5 when s is NULL, empty or not
 * a positive integer, at most 20. */
int query_attempts_of(const char *s);

/* One prepared request of any AWS protocol for query_send: what is signed and sent.
 * All borrowed for the call. */
struct query_request {
	const char *action;	  /* counted through on_attempt; decides query_idempotent */
	const char *content_type; /* NULL: the Query protocol's form type */
	const char *target;	  /* X-Amz-Target (signed); NULL for none */
	const char *body;
	size_t body_len; /* error answers, XML or JSON, are read by iam_parse_error */
};

/* The retrying core of query_call for any protocol: rq signed with creds (NULL:
 * unsigned) and sent to ep under cfg's retry policy. Same results as query_call. */
int query_send(struct http_conn *c, const struct aws_endpoint *ep, const struct aws_creds *creds,
	       const struct query_request *rq, const struct query_config *cfg, struct buf *resp,
	       struct aws_error *err);

/* Sends params (Action first) to ep, signed with creds (NULL: unsigned, for
 * AssumeRoleWithWebIdentity). Returns 0 with the 2xx body in resp, or -errno
 * (aws_error_errno) with err filled from the error answer or transport failure;
 * err->attempts counts requests sent. */
int query_call(struct http_conn *c, const struct aws_endpoint *ep, const struct aws_creds *creds,
	       const struct aws_params *params, const struct query_config *cfg, struct buf *resp,
	       struct aws_error *err);

#endif
