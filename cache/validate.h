/*
 * Local checks of a policy document before it is sent to IAM, and the
 * "same JSON value" test that lets a save that changes nothing send nothing.
 * Pure: bytes in, verdict out; no I/O, no clock, no globals, safe from any thread.
 * cJSON alone decides whether the text is JSON; a refusal names the line and
 * column where cJSON stopped and what is found there.
 */
#ifndef IAMFS_CACHE_VALIDATE_H
#define IAMFS_CACHE_VALIDATE_H

#include <stddef.h>

enum validate_kind {
	VALIDATE_TRUST,	  /* AssumeRolePolicyDocument: 2,048 by default */
	VALIDATE_INLINE,  /* role inline policies: 10,240 for all of one role together */
	VALIDATE_MANAGED, /* customer managed policy version: 6,144 */
};

#define VALIDATE_TRUST_LIMIT   2048
#define VALIDATE_INLINE_LIMIT  10240
#define VALIDATE_MANAGED_LIMIT 6144
/* Documents longer than this (in bytes, whitespace included) are refused unread. */
#define VALIDATE_MAX_BYTES (1024 * 1024)
#define VALIDATE_MSG_MAX   512
/* budget for validate_policy meaning "IAM's default limit for the kind". */
#define VALIDATE_DEFAULT_BUDGET ((size_t)-1)

struct validate_result {
	int line;    /* 1-based; 0 when the problem has no single place */
	int column;  /* 1-based, in characters (code points), tab counts as one */
	size_t size; /* counted size (see validate_count_size); set once the text is UTF-8 */
	char message[VALIDATE_MSG_MAX]; /* one sentence; "" on success */
};

/* IAM's default limit for a kind. */
size_t validate_limit(enum validate_kind kind);

/*
 * The size IAM counts against its limits: every code point except space, tab,
 * LF and CR, wherever it is (inside strings too). IAM says it does not count
 * whitespace; counting none of it is the lenient reading, so a local check
 * never refuses a document IAM would accept. Bytes that are not UTF-8 count one each.
 */
size_t validate_count_size(const char *bytes, size_t len);

/*
 * Checks, in this order: UTF-8, JSON (nothing but whitespace after the value), a
 * JSON object with a "Statement" that is an object or a non-empty array of
 * objects, only tab/LF/CR/U+0020-U+00FF, and the size against budget. budget is
 * the characters this document may use: VALIDATE_DEFAULT_BUDGET means
 * validate_limit(kind) (a raised trust quota passes its own number); for an
 * inline policy pass VALIDATE_INLINE_LIMIT minus validate_count_size of the role's
 * other inline policies (0 when they use it all). label (may be NULL) prefixes the message, e.g.
 * the path "trust.json". Returns 0, -EINVAL (res says what and where) or -EFBIG (size). res is
 * always written.
 */
int validate_policy(enum validate_kind kind, const char *label, const char *bytes, size_t len,
		    size_t budget, struct validate_result *res);

/*
 * 1 when a and b are the same JSON value (object members compared as sets of
 * names regardless of order, arrays in order, numbers by value so 1 == 1.0 ==
 * 1e0, strings exactly after unescaping), 0 when not, -EINVAL when either is
 * not JSON.
 */
int validate_same_value(const char *a, size_t alen, const char *b, size_t blen);

struct cJSON;
/*
 * The JSON part of validate_policy alone, for files that are not policies: the size
 * cap (-EFBIG), UTF-8, then cJSON with only whitespace after the value, refused with
 * the same sentences, line and column. On success *out is the tree, owned by the
 * caller (cJSON_Delete). label as in validate_policy. 0, -EINVAL, -EFBIG, -ENOMEM;
 * res is always written.
 */
int validate_parse_json(const char *label, const char *bytes, size_t len, struct cJSON **out,
			struct validate_result *res);

#endif
