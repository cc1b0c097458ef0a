/*
 * role.json as a user may write it: parsed into its fields and checked
 * against what IAM accepts for the editable ones, so a save (or a role being
 * created) refuses a bad value before anything is sent. Pure: bytes in,
 * fields out; no I/O, no clock, no globals, safe from any thread.
 *
 * Keys are those render_role writes; any other key is refused. A key may be
 * absent (its bit in present is then clear). The read-only fields (RoleName,
 * Arn, RoleId, Path, CreateDate, AttachedPolicies) are only checked for their
 * JSON type (Path also against IAM's path rule) and kept as strings so a caller
 * can compare them with the role's. The editable ones are checked as IAM does:
 *   Description          a string of at most 1000 characters of IAM's set
 *                        (tab, LF, CR, U+0020-U+007E, U+00A1-U+00FF)
 *   MaxSessionDuration   an integer from 3600 to 43200
 *   PermissionsBoundary  {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
 *                        "PermissionsBoundaryArn": ARN} as role.json shows it
 *                        (the type may be left out or written "Policy"), or
 *                        the ARN alone as a string; the ARN is an IAM managed
 *                        policy ARN
 *   Tags                 an array of at most 50 {"Key": K, "Value": V}, keys
 *                        1-128 and values 0-256 characters of IAM's tag set
 *                        (letters, digits, spaces, _ . : / = + - @; any
 *                        non-ASCII character is left for IAM to judge), no key
 *                        twice (IAM compares role tag keys ignoring case), no
 *                        key starting with "aws:" (reserved)
 * A JSON null for Description, PermissionsBoundary or Tags counts as the key
 * being absent.
 */
#ifndef IAMFS_CACHE_ROLEDOC_H
#define IAMFS_CACHE_ROLEDOC_H

#include <stddef.h>

#include "aws/iam_types.h"

enum roledoc_field {
	ROLEDOC_ROLE_NAME,
	ROLEDOC_ARN,
	ROLEDOC_ROLE_ID,
	ROLEDOC_PATH,
	ROLEDOC_CREATE_DATE,
	ROLEDOC_DESCRIPTION,
	ROLEDOC_MAX_SESSION_DURATION,
	ROLEDOC_PERMISSIONS_BOUNDARY,
	ROLEDOC_TAGS,
	ROLEDOC_ATTACHED_POLICIES,
	ROLEDOC_FIELD_COUNT
};

#define ROLEDOC_BIT(f) (1u << (f))
/* The fields IAM's role-editing calls change. */
#define ROLEDOC_EDITABLE                                                                           \
	(ROLEDOC_BIT(ROLEDOC_DESCRIPTION) | ROLEDOC_BIT(ROLEDOC_MAX_SESSION_DURATION) |            \
	 ROLEDOC_BIT(ROLEDOC_PERMISSIONS_BOUNDARY) | ROLEDOC_BIT(ROLEDOC_TAGS))

#define ROLEDOC_DESCRIPTION_MAX 1000
#define ROLEDOC_SESSION_MIN	3600
#define ROLEDOC_SESSION_MAX	43200
#define ROLEDOC_TAGS_MAX	50
#define ROLEDOC_TAG_KEY_MAX	128
#define ROLEDOC_TAG_VALUE_MAX	256
#define ROLEDOC_ARN_MAX		2048
#define ROLEDOC_MSG_MAX		512

/* Every string heap-owned, NULL when its key is absent. */
struct roledoc {
	unsigned present; /* ROLEDOC_BIT(field) for each key present (and not null) */
	char *role_name;
	char *arn;
	char *role_id;
	char *path;
	char *create_date;
	char *description;
	int max_session_duration; /* 0 when absent */
	char *boundary_arn;	  /* PermissionsBoundaryArn */
	struct iam_tag *tags;	  /* in the file's order; keys and values never NULL */
	size_t ntags;
	char **attached; /* AttachedPolicies, in the file's order */
	size_t nattached;
};

/* The key as role.json spells it ("MaxSessionDuration"); "?" out of range. Static. */
const char *roledoc_field_name(enum roledoc_field f);

/*
 * Parses len bytes (need not be NUL-terminated) into *out (overwritten; clean it
 * with roledoc_cleanup even on failure). 0; -EINVAL with one sentence in msg
 * (cap bytes, always NUL-terminated when cap > 0) naming the field, or the line
 * and column for text that is not JSON; -EFBIG for a file far too long; -ENOMEM.
 */
int roledoc_parse(const char *bytes, size_t len, struct roledoc *out, char *msg, size_t cap);

/* Frees every member and zeroes *d. NULL-safe. */
void roledoc_cleanup(struct roledoc *d);

#endif
