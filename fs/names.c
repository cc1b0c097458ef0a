/*
 * Name classes of names.h. The policy grammar is inode_classify's; anything a
 * role folder could hold that it rejects is a helper, except policy-looking names
 * in inline/ and attached/, which are refused. names_helper_kind only
 * labels log lines: every helper is handled the same way.
 */
#include "fs/names.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

bool names_holds_helpers(enum inode_kind parent)
{
	return parent == INODE_ROLE || parent == INODE_INLINE_DIR || parent == INODE_ATTACHED_DIR;
}

/* In a policy folder, a name that is not a policy name but looks like one: it ends
 * in ".json" in any letter case and is not hidden (editors' hidden helpers, such as
 * emacs's ".#x.json" lock, start with a dot). */
static bool names_bad_policy(enum inode_kind parent, const char *name)
{
	size_t n = strlen(name);

	if (parent != INODE_INLINE_DIR && parent != INODE_ATTACHED_DIR)
		return false;
	return name[0] != '.' && n > 5 && !strcasecmp(name + n - 5, ".json");
}

enum names_class names_class(enum inode_kind parent, const char *name, enum inode_kind *kind)
{
	const char *pol;
	size_t plen;

	if (!names_holds_helpers(parent))
		return NAMES_NONE;
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return NAMES_NONE;
	if (inode_classify(parent, name, kind, &pol, &plen))
		return names_bad_policy(parent, name) ? NAMES_INVALID : NAMES_HELPER;
	return inode_kind_savable(*kind) ? NAMES_POLICY : NAMES_FIXED;
}

static bool names_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* ".name.sw?" (vim swap: .swp, .swo, ..., .swa) */
static bool names_vim_swap(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '.' && n > 5 && s[n - 4] == '.' && s[n - 3] == 's' &&
	       (s[n - 2] == 'w' || s[n - 2] == 'v') && s[n - 1] >= 'a' && s[n - 1] <= 'z';
}

/* "sed" and six characters (sed -i's mkostemp name). */
static bool names_sed_temp(const char *s)
{
	return !strncmp(s, "sed", 3) && strlen(s) == 9;
}

/* ".name.XXXXXX" (rsync's temp: a dot, the name, a dot, six characters). */
static bool names_rsync_temp(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '.' && n > 8 && s[n - 7] == '.' && !strchr(s + n - 6, '.');
}

const char *names_helper_kind(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "4913"))
		return "vim probe";
	if (names_vim_swap(name))
		return "vim swap file";
	if (!strncmp(name, ".#", 2))
		return "emacs lock";
	if (n > 2 && name[0] == '#' && name[n - 1] == '#')
		return "emacs autosave";
	if (n > 1 && name[n - 1] == '~')
		return "backup";
	if (names_sed_temp(name))
		return "sed temp file";
	if (names_ends(name, ".tmp") || names_ends(name, ".temp"))
		return "temp file";
	if (names_rsync_temp(name))
		return "rsync temp file";
	return "helper file";
}
