/*
 * IAM's identifier rules and the escape of network text into one line.
 */
#include "cache/ident.h"

#include <stdio.h>
#include <string.h>

bool ident_chars_ok(const char *s, size_t n, size_t max)
{
	if (!s || !n || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr("_+=,.@-", c))))
			return false;
	}
	return true;
}

/* [\w+=,.@-]{1,max}, NUL-terminated */
static bool ident_name_ok(const char *s, size_t max)
{
	return s && ident_chars_ok(s, strnlen(s, max + 1), max);
}

bool ident_account_ok(const char *s)
{
	size_t n;

	if (!s)
		return false;
	for (n = 0; s[n]; n++)
		if (n >= 12 || s[n] < '0' || s[n] > '9')
			return false;
	return n == 12;
}

bool ident_role_name_ok(const char *s)
{
	return ident_name_ok(s, IDENT_ROLE_MAX);
}

bool ident_policy_name_ok(const char *s)
{
	return ident_name_ok(s, IDENT_POLICY_MAX);
}

bool ident_path_ok(const char *s)
{
	size_t n;

	if (!s || s[0] != '/')
		return false;
	for (n = 0; s[n]; n++)
		if (n >= IDENT_PATH_MAX || s[n] < 0x21 || s[n] > 0x7e)
			return false;
	return s[n - 1] == '/';
}

const char *ident_role_problem(const char *name, const char *path)
{
	if (!ident_role_name_ok(name))
		return "is not a valid IAM role name";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "cannot be a folder name";
	if (!strcmp(name, ".iamfs"))
		return "collides with the control folder .iamfs";
	/* Path is optional in an answer (the fallback scan's ListRoles has it). */
	if (path && !ident_path_ok(path))
		return "has a path that is not a valid IAM path";
	return NULL;
}

const char *ident_policy_problem(const char *name)
{
	/* Any legal policy name round-trips as "<name>.json": the alphabet has no
	 * '/', and the ".json" suffix keeps "." and ".." apart from the folder's. */
	if (!ident_policy_name_ok(name))
		return "is not a valid IAM policy name";
	return NULL;
}

static size_t ident_escape_one(unsigned char c, char *esc)
{
	switch (c) {
	case '\n':
		memcpy(esc, "\\n", 3);
		return 2;
	case '\t':
		memcpy(esc, "\\t", 3);
		return 2;
	case '\r':
		memcpy(esc, "\\r", 3);
		return 2;
	case '\\':
		memcpy(esc, "\\\\", 3);
		return 2;
	default:
		if (c >= 0x20 && c != 0x7f) {
			esc[0] = (char)c;
			esc[1] = '\0';
			return 1;
		}
		snprintf(esc, 5, "\\x%02x", c);
		return 4;
	}
}

char *ident_escape(const char *s, char *out, size_t cap)
{
	char esc[5];
	size_t n = 0, k;

	if (!cap)
		return out;
	for (; s && *s; s++) {
		k = ident_escape_one((unsigned char)*s, esc);
		if (n + k >= cap)
			break;
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}
