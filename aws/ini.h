/*
 * The AWS shared config and credentials files (INI), parsed the way the AWS CLI
 * (botocore's configparser) reads them: [section] headers, "key = value" or
 * "key: value", full-line '#' / ';' comments (no inline comments), indented lines
 * continuing the previous value, keys case-insensitive (stored lower case),
 * section names case-sensitive. Pure: bytes in, entries out; no I/O.
 */
#ifndef IAMFS_AWS_INI_H
#define IAMFS_AWS_INI_H

#include <stdbool.h>
#include <stddef.h>

#define INI_MAX_BYTES (1u << 20) /* larger files are refused */

struct ini_entry {
	char *section; /* as written between the brackets, spaces trimmed */
	char *key;     /* lower case */
	char *value;   /* trimmed; continuation lines joined with '\n' */
};

struct ini_file {
	struct ini_entry *v;
	size_t n, cap;
	char **sections; /* every section header seen, even empty ones */
	size_t nsections, sections_cap;
};

/* Embedded: ini_init / ini_cleanup (NULL-safe; wipes values, which may be secrets). */
void ini_init(struct ini_file *f);
void ini_cleanup(struct ini_file *f);
/* Parses len bytes into f (appending). A repeated key replaces the earlier value.
 * -EINVAL on a line that is neither a header, a comment, a key nor a continuation, on
 * a key before any header, or on a line (other than a comment) holding a NUL byte: *bad_line (may
 * be NULL) is then its 1-based number. -EFBIG above INI_MAX_BYTES, -ENOMEM. */
int ini_parse(struct ini_file *f, const char *text, size_t len, int *bad_line);
/* The value of key (case-insensitive) in section (exact), or NULL. */
const char *ini_get(const struct ini_file *f, const char *section, const char *key);
/* True when a header [section] appeared. */
bool ini_has_section(const struct ini_file *f, const char *section);
/* The section holding profile name in a config file: "profile NAME" (any run of
 * blanks between the words), or for "default" either "profile default" (preferred)
 * or "default". NULL when absent. The result points into f. */
const char *ini_config_section(const struct ini_file *f, const char *name);
/* The profile a config file section names: "default" for [default], NAME for
 * [profile NAME]; NULL for any other section ([sso-session X], [services X]). The
 * result points into section. */
const char *ini_config_profile_name(const char *section);

#endif
