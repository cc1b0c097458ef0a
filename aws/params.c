/*
 * Ordered Query-protocol parameters: owned copies of names and values, kept
 * in insertion order and encoded as a form body. Values may hold policy
 * documents or tokens, so cleanup wipes them. The count and each value's
 * size have hard caps.
 */
#include "aws/params.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "aws/urlenc.h"

/* Far above any IAM call (GAAD's filters, a few policy fields). */
#define PARAMS_MAX_COUNT 4096
/* IAM documents are at most tens of KiB; leave generous room. */
#define PARAMS_MAX_VALUE (1u << 20)
#define PARAMS_MAX_NAME	 256

void aws_params_init(struct aws_params *p)
{
	p->v = NULL;
	p->n = 0;
	p->cap = 0;
}

void aws_params_cleanup(struct aws_params *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		buf_str_wipe_free(p->v[i].name);
		buf_str_wipe_free(p->v[i].value);
	}
	free(p->v);
	aws_params_init(p);
}

static int params_grow(struct aws_params *p)
{
	struct aws_param *v;
	size_t ncap;

	if (p->n < p->cap)
		return 0;
	if (p->n >= PARAMS_MAX_COUNT)
		return -E2BIG;
	ncap = p->cap ? p->cap * 2 : 16;
	if (ncap > PARAMS_MAX_COUNT)
		ncap = PARAMS_MAX_COUNT;
	v = realloc(p->v, ncap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->v = v;
	p->cap = ncap;
	return 0;
}

/* Takes ownership of value (wiped and freed on failure). */
static int params_add_owned(struct aws_params *p, const char *name, char *value)
{
	char *n = NULL;
	int rc = -EINVAL;

	if (!name || !*name || strnlen(name, PARAMS_MAX_NAME + 1) > PARAMS_MAX_NAME)
		goto out;
	rc = params_grow(p);
	if (rc)
		goto out;
	n = strdup(name);
	if (!n) {
		rc = -ENOMEM;
		goto out;
	}
	p->v[p->n].name = n;
	p->v[p->n].value = value;
	p->n++;
	return 0;
out:
	buf_str_wipe_free(value);
	return rc;
}

int aws_params_add(struct aws_params *p, const char *name, const char *value)
{
	size_t len;
	char *v;

	if (!value)
		return -EINVAL;
	len = strnlen(value, PARAMS_MAX_VALUE + 1);
	if (len > PARAMS_MAX_VALUE)
		return -E2BIG;
	v = malloc(len + 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, value, len + 1);
	return params_add_owned(p, name, v);
}

int aws_params_addf(struct aws_params *p, const char *name, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	char *v;
	int rc;

	buf_init(&b, PARAMS_MAX_VALUE);
	va_start(ap, fmt);
	rc = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc) {
		buf_wipe(&b);
		return rc == -EFBIG ? -E2BIG : rc;
	}
	v = buf_steal(&b);
	if (!v)
		return -ENOMEM;
	return params_add_owned(p, name, v);
}

const char *aws_params_get(const struct aws_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->v[i].name, name))
			return p->v[i].value;
	}
	return NULL;
}

int aws_params_encode(const struct aws_params *p, struct buf *out)
{
	size_t i, start = out->len;
	int rc = 0;

	for (i = 0; i < p->n && !rc; i++) {
		if (i)
			rc = buf_putc(out, '&');
		if (!rc)
			rc = urlenc_form(out, p->v[i].name, strlen(p->v[i].name));
		if (!rc)
			rc = buf_putc(out, '=');
		if (!rc)
			rc = urlenc_form(out, p->v[i].value, strlen(p->v[i].value));
	}
	if (rc) {
		/* Leave no half-encoded body behind. */
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return rc;
}
