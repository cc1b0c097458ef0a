/*
 * The ordered name=value parameters of one Query-protocol request (Action,
 * Version, then the call's own), owned copies. Encoded to a form body in
 * insertion order.
 */
#ifndef IAMFS_AWS_PARAMS_H
#define IAMFS_AWS_PARAMS_H

#include <stddef.h>

#include "aws/buf.h"

struct aws_param {
	char *name;
	char *value;
};

struct aws_params {
	struct aws_param *v;
	size_t n, cap;
};

/* Embedded: aws_params_init / aws_params_cleanup (NULL-safe, wipes values). */
void aws_params_init(struct aws_params *p);
void aws_params_cleanup(struct aws_params *p);
/* Adds a copy of name and value. */
int aws_params_add(struct aws_params *p, const char *name, const char *value);
int aws_params_addf(struct aws_params *p, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of the first parameter called name, or NULL. */
const char *aws_params_get(const struct aws_params *p, const char *name);
/* Appends name=value&... with urlenc_form on both sides. */
int aws_params_encode(const struct aws_params *p, struct buf *out);

#endif
