/*
 * The call machinery of aws/iam.c, shared with the other files of the IAM
 * client (iam_lifecycle.c); not for callers outside aws/. A call's parameters
 * are its kv pairs (NULL-terminated name, value list) followed by a copy of
 * own (built by iam_form.h; may be NULL).
 */
#ifndef IAMFS_AWS_IAM_REQUEST_H
#define IAMFS_AWS_IAM_REQUEST_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam.h"
#include "aws/iam_parse.h"
#include "aws/params.h"

/* An unpaginated IAM call, its answer read by parse into out (parse NULL: an
 * answer with no data). 0 or -errno with err filled. */
int iam_request(struct iam_conn *c, const char *action, const char *const *kv,
		const struct aws_params *own, iam_parser parse, void *out, struct aws_error *err);
/* A listing chain followed to the end, every page appended to list by parse. */
int iam_request_all(struct iam_conn *c, const char *action, const char *const *kv,
		    const struct aws_params *own, iam_parser parse, void *list,
		    struct aws_error *err);
/* A prepared request of another protocol (Organizations' JSON, org.c) sent to ep
 * with the client's credentials, retry policy, hooks and counters, once more after
 * an expired token. 0 with the 2xx body in resp, or -errno with err filled. */
int iam_request_send(struct iam_conn *c, const struct aws_endpoint *ep,
		     const struct query_request *rq, struct buf *resp, struct aws_error *err);
/* Moves every item of a list (v, n, cap of elem-sized items) to the end of
 * another; 0 or -ENOMEM (both lists as they were). */
int iam_request_move(void **dv, size_t *dn, size_t *dcap, void **sv, size_t *sn, size_t *scap,
		     size_t elem);

/* Defines static int fn(struct type *dst, struct type *src): iam_request_move
 * for a list type of iam_types.h. */
#define IAM_DEFINE_MOVE(fn, type)                                                                  \
	static int fn(struct type *d, struct type *s)                                              \
	{                                                                                          \
		void *dv = d->v, *sv = s->v;                                                       \
		int rc =                                                                           \
			iam_request_move(&dv, &d->n, &d->cap, &sv, &s->n, &s->cap, sizeof(*d->v)); \
		d->v = dv;                                                                         \
		s->v = sv;                                                                         \
		return rc;                                                                         \
	}

/* Defines static int fn(struct iam_conn *c, const char *action, const char *const *kv,
 * const struct aws_params *own, iam_parser parse, struct type *out, struct aws_error *err)
 * (and fn##_move): iam_request_all into a list of its own, whose items go to the end of
 * out only when the whole chain succeeded (out as it was otherwise). */
#define IAM_DEFINE_LIST(fn, type)                                                                  \
	IAM_DEFINE_MOVE(fn##_move, type)                                                           \
	static int fn(struct iam_conn *c, const char *action, const char *const *kv,               \
		      const struct aws_params *own, iam_parser parse, struct type *out,            \
		      struct aws_error *err)                                                       \
	{                                                                                          \
		struct type tmp = {0};                                                             \
		int rc = iam_request_all(c, action, kv, own, parse, &tmp, err);                    \
                                                                                                   \
		if (!rc)                                                                           \
			rc = fn##_move(out, &tmp);                                                 \
		type##_cleanup(&tmp);                                                              \
		return rc;                                                                         \
	}

#endif
