/*
 * Percent-encoding. Form bodies are encoded exactly as Python's
 * urllib.parse.urlencode does (space -> '+', everything outside
 * A-Za-z0-9_.~- -> %XX uppercase), which AWS accepts and moto verifies
 * signatures against. Pure functions: no I/O, no globals.
 */
#ifndef IAMFS_AWS_URLENC_H
#define IAMFS_AWS_URLENC_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/buf.h"

/* Appends s[0..n) encoded for a form body (quote_plus with safe=""). */
int urlenc_form(struct buf *out, const char *s, size_t n);
/* Appends s[0..n) encoded per RFC 3986 as SigV4 canonical URIs and queries
 * want: unreserved kept, '/' kept when keep_slash, all else %XX uppercase. */
int urlenc_uri(struct buf *out, const char *s, size_t n, bool keep_slash);
/* Appends the decoding of s[0..n): %XX -> byte, '+' -> ' ' when plus_is_space.
 * A malformed escape is copied as is. */
int urlenc_decode(struct buf *out, const char *s, size_t n, bool plus_is_space);

#endif
