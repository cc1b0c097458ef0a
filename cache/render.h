/*
 * Rendering of JSON values to the bytes the tree serves: exactly what Python's
 * json.dumps(value, indent=4, ensure_ascii=False) prints, plus one newline (the
 * AWS CLI's style). Pure: no I/O, no clock, no globals. The same value always
 * renders to the same bytes; keys keep the order of the source text.
 */
#ifndef IAMFS_CACHE_RENDER_H
#define IAMFS_CACHE_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/buf.h"
#include "aws/iam_types.h"

/* Parses the JSON text (len bytes, need not be NUL-terminated) and appends its
 * rendering plus "\n" to out. Numbers are rendered from their source text as
 * Python reads them: integers exactly at any size ("-0" -> "0"), others as the
 * shortest repr of the double ("1E2" -> "100.0", "1e-5" -> "1e-05"). Duplicate
 * keys keep the first key's place and the last value, as a Python dict does.
 * Returns 0, -EINVAL when the text is not JSON, -EFBIG/-ENOMEM from out. */
int render_json(const char *text, size_t len, struct buf *out);

/* Appends the rendering of a cJSON tree (no trailing newline) at the given
 * indent depth. Number nodes hold doubles: integral values with magnitude up to
 * 2^53 render as integers, others as Python floats. cJSON_Raw nodes are copied
 * verbatim (render_json uses them to keep number literals exact). */
int render_value(const cJSON *v, int depth, struct buf *out);

/* Appends s (len bytes of UTF-8) as a JSON string literal with Python's escapes. */
int render_string(struct buf *out, const char *s, size_t len);

/* Appends Python's repr of a double as json.dumps prints it ("1.0", "1e+16",
 * "Infinity", "NaN"). */
int render_double(struct buf *out, double d);

/* Appends role.json for r (+ "\n"): RoleName, Arn, RoleId, Path, CreateDate,
 * Description (when set), MaxSessionDuration, PermissionsBoundary (when set),
 * Tags (when any) and AttachedPolicies (ARNs sorted bytewise). Nothing volatile. */
int render_role(const struct iam_role *r, struct buf *out);

/* Appends role.json (role_json, len bytes, as render_role made it) with arn added
 * to (add) or removed from its "AttachedPolicies" list, kept sorted bytewise and
 * without duplicates; everything else renders as before. 0, -EINVAL (not an
 * object with that list), -ENOMEM / -EFBIG from out (out as it was). */
int render_role_attached(const char *role_json, size_t len, const char *arn, bool add,
			 struct buf *out);

#endif
