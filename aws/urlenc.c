/*
 * Percent-encoding for form bodies (Python's urlencode rules) and SigV4
 * canonical URIs (RFC 3986 unreserved set), and the matching decoder. Each
 * encoder measures the exact output first, so an append either fits the
 * buffer's cap whole or fails with -EFBIG and leaves the buffer unchanged.
 */
#include "aws/urlenc.h"

#include <errno.h>

static const char urlenc_hex[] = "0123456789ABCDEF";

/* A-Za-z0-9 and _.~- : the bytes both encoders keep as they are. */
static bool urlenc_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '~' || c == '-';
}

/* Which of the two encodings applies, and whether '/' survives the URI one. */
enum urlenc_mode {
	URLENC_FORM,
	URLENC_URI,
	URLENC_URI_SLASH,
};

static bool urlenc_kept(unsigned char c, enum urlenc_mode mode)
{
	if (urlenc_unreserved(c))
		return true;
	return mode == URLENC_URI_SLASH && c == '/';
}

static int urlenc_encode(struct buf *out, const char *s, size_t n, enum urlenc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, need = 0;
	char *w;
	int rc;

	for (i = 0; i < n; i++) {
		if (urlenc_kept(p[i], mode) || (mode == URLENC_FORM && p[i] == ' '))
			need += 1;
		else
			need += 3;
	}
	rc = buf_reserve(out, need);
	if (rc)
		return rc;
	w = out->data + out->len;
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (urlenc_kept(c, mode)) {
			*w++ = (char)c;
		} else if (mode == URLENC_FORM && c == ' ') {
			*w++ = '+';
		} else {
			*w++ = '%';
			*w++ = urlenc_hex[c >> 4];
			*w++ = urlenc_hex[c & 0x0f];
		}
	}
	out->len += need;
	out->data[out->len] = '\0';
	return 0;
}

int urlenc_form(struct buf *out, const char *s, size_t n)
{
	return urlenc_encode(out, s, n, URLENC_FORM);
}

int urlenc_uri(struct buf *out, const char *s, size_t n, bool keep_slash)
{
	return urlenc_encode(out, s, n, keep_slash ? URLENC_URI_SLASH : URLENC_URI);
}

static int urlenc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int urlenc_decode(struct buf *out, const char *s, size_t n, bool plus_is_space)
{
	size_t i;
	int rc;

	/* Decoding never grows the text, so one reservation covers it. */
	rc = buf_reserve(out, n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int hi, lo;

		if (c == '%' && n - i >= 3 && (hi = urlenc_hexval(s[i + 1])) >= 0 &&
		    (lo = urlenc_hexval(s[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		out->data[out->len++] = c;
	}
	out->data[out->len] = '\0';
	return 0;
}
