/*
 * The one ISO 8601 timestamp parser: the dates IAM sends (CreateDate), the
 * Expiration of STS answers and of credential documents. Strict: a text that is
 * not a whole, valid timestamp is refused, never read as 1970. Pure: no clock,
 * no locale, no global state.
 */
#ifndef IAMFS_AWS_ISO8601_H
#define IAMFS_AWS_ISO8601_H

/* Parses "2026-12-03T06:27:15Z" to unix seconds: the date and time separated by
 * 'T' (or 't' or ' '), optional fractional seconds (".123", dropped), then "Z",
 * "+HH:MM", "+HHMM" or the '-' forms. 0 with *out written, or -EINVAL (s NULL,
 * malformed, trailing text, a field out of range) with *out untouched. */
int iso8601_parse(const char *s, long long *out);

#endif
