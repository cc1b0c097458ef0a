/*
 * Identifiers an IAM or STS answer supplies, checked once where they enter
 * the cache, before any becomes a path, a file name or a status line; and the
 * one escape every network-supplied text goes through on its way to a line
 * of .iamfs/status or the log. Pure: no I/O, no globals.
 *
 * IAM's rules: role names [\w+=,.@-]{1,64}, policy names [\w+=,.@-]{1,128}
 * (\w = ASCII letters, digits, underscore), paths "/" or "/" + U+0021-U+007E
 * + "/" of at most 512, account ids exactly 12 ASCII digits.
 */
#ifndef IAMFS_CACHE_IDENT_H
#define IAMFS_CACHE_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#define IDENT_ROLE_MAX	 64
#define IDENT_POLICY_MAX 128
#define IDENT_PATH_MAX	 512

/* True for 1 to max characters of IAM's name alphabet [A-Za-z0-9_+=,.@-] in the n
 * bytes of s (which need not end there). */
bool ident_chars_ok(const char *s, size_t n, size_t max);
/* Each takes NULL (false). */
bool ident_account_ok(const char *s);
bool ident_role_name_ok(const char *s);
bool ident_policy_name_ok(const char *s);
bool ident_path_ok(const char *s);

/*
 * Why a role as IAM described it cannot be a folder of the tree, or NULL when
 * it can: a name outside IAM's rules, a path outside them, or a legal name
 * that is one of the tree's own ("." "..", ".iamfs"). A static sentence.
 */
const char *ident_role_problem(const char *name, const char *path);

/* Why a policy name cannot be "<name>.json" in inline/ or attached/, or NULL. */
const char *ident_policy_problem(const char *name);

/*
 * Copies s (NULL as "") into out (cap > 0, always NUL-terminated) with every
 * byte below 0x20, 0x7f and the backslash written as a C escape (\n, \t, \\,
 * \xNN), so the text is one line that cannot forge another. Cut at cap - 1
 * bytes, never inside an escape. Returns out.
 */
char *ident_escape(const char *s, char *out, size_t cap);

#endif
