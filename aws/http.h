/*
 * HTTP over libcurl. One struct http_conn per thread (a curl easy handle with
 * keep-alive and TCP_NODELAY), all sharing one struct http_share (DNS, TLS
 * sessions, connections). TLS is always verified (AWS_CA_BUNDLE honoured via
 * options). Responses are capped. No retries here: see query.h.
 */
#ifndef IAMFS_AWS_HTTP_H
#define IAMFS_AWS_HTTP_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/buf.h"

struct http_share;
struct http_conn;

struct http_options {
	long connect_timeout_ms; /* 0: 3000 */
	long timeout_ms;	 /* whole request; 0: 15000 */
	size_t max_response;	 /* 0: 256 MiB */
	const char *ca_bundle;	 /* NULL: system store */
};

/* Process-wide curl_global_init; call once from main before threads start. */
int http_global_init(void);
void http_global_cleanup(void);

/* http_share_new/free: the share handle (NULL-safe free). */
int http_share_new(struct http_share **out);
void http_share_free(struct http_share *s);
/* http_conn_new/free: one per thread; s may be NULL. Copies options. */
int http_conn_new(struct http_share *s, const struct http_options *o, struct http_conn **out);
void http_conn_free(struct http_conn *c);

/* The next http_request on c goes over a new connection and is never resent by
 * libcurl (which otherwise sends a request again when a reused connection dies
 * before any answer): for calls that must not be applied twice. */
void http_conn_fresh_next(struct http_conn *c);

/* One request. headers is a NULL-terminated array of "Name: value" (may be NULL).
 * On a received answer returns 0 with *status set and the body in resp (whatever
 * the status). Transport failures return -EIO (code "ConnectionError"), -ETIMEDOUT
 * (code "Timeout") or -EFBIG (code "ResponseTooLarge") with err filled;
 * err->maybe_applied is set unless the failure proves the request was never sent
 * (the connection could not be made or the host not resolved). */
int http_request(struct http_conn *c, const char *method, const char *url,
		 const char *const *headers, const char *body, size_t body_len, long *status,
		 struct buf *resp, struct aws_error *err);

#endif
