/*
 * The role folder's layout table of layout.h. Rows are indexed by their entry,
 * a folder's row comes before its children's, and the fixed children of a folder
 * are listed in row order (readdir's order).
 */
#include "cache/layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct layout_row layout_rows[LAYOUT_NENTRIES] = {
	[LAYOUT_TRUST] = {LAYOUT_ROLE_DIR, "trust.json", S_IFREG | 0644, true, CACHE_FILE_TRUST},
	[LAYOUT_ROLE_JSON] = {LAYOUT_ROLE_DIR, "role.json", S_IFREG | 0644, true, CACHE_FILE_ROLE},
	[LAYOUT_INLINE_DIR] = {LAYOUT_ROLE_DIR, "inline", S_IFDIR | 0755, false, CACHE_FILE_TRUST},
	[LAYOUT_ATTACHED_DIR] = {LAYOUT_ROLE_DIR, "attached", S_IFDIR | 0755, false,
				 CACHE_FILE_TRUST},
	[LAYOUT_INLINE] = {LAYOUT_INLINE_DIR, NULL, S_IFREG | 0644, true, CACHE_FILE_INLINE},
	/* AWS managed ones are 0444: the lookup (cache/lookup.h) tells them apart. */
	[LAYOUT_ATTACHED] = {LAYOUT_ATTACHED_DIR, NULL, S_IFREG | 0644, true, CACHE_FILE_ATTACHED},
};

const struct layout_row *layout_row(enum layout_entry e)
{
	return e >= 0 && e < LAYOUT_NENTRIES ? &layout_rows[e] : NULL;
}

enum layout_entry layout_of_file(enum cache_file_kind kind)
{
	for (int e = 0; e < LAYOUT_NENTRIES; e++)
		if (layout_rows[e].has_file && layout_rows[e].file == kind)
			return (enum layout_entry)e;
	return LAYOUT_TRUST; /* not reached: every kind has a row */
}

/* "<policy>.json" with a policy name IAM takes. */
static bool layout_policy_file(const char *name, size_t *policy_len)
{
	size_t n = strlen(name);

	if (n <= 5 || strcmp(name + n - 5, ".json"))
		return false;
	if (!ident_chars_ok(name, n - 5, LAYOUT_POLICY_NAME_MAX))
		return false;
	*policy_len = n - 5;
	return true;
}

int layout_classify(int parent, const char *name, enum layout_entry *e, const char **policy,
		    size_t *policy_len)
{
	size_t plen;

	for (int i = 0; i < LAYOUT_NENTRIES; i++) {
		const struct layout_row *r = &layout_rows[i];

		if (r->parent != parent)
			continue;
		if (r->name ? !strcmp(r->name, name) : layout_policy_file(name, &plen)) {
			*e = (enum layout_entry)i;
			*policy = r->name ? NULL : name;
			*policy_len = r->name ? 0 : plen;
			return 0;
		}
	}
	return -ENOENT;
}

void layout_entry_name(enum layout_entry e, const char *name, char *buf, size_t cap)
{
	const struct layout_row *r = layout_row(e);

	if (!r)
		snprintf(buf, cap, "%s", "");
	else if (!r->name)
		snprintf(buf, cap, "%s.json", name ? name : "");
	else if (name && S_ISDIR(r->mode))
		snprintf(buf, cap, "%s/%s", r->name, name);
	else
		snprintf(buf, cap, "%s", r->name);
}

const char *layout_path(enum layout_entry e, const char *role, const char *name, char *buf,
			size_t cap)
{
	const struct layout_row *r = layout_row(e);
	size_t n = 0;
	int w;

	if (!cap)
		return buf;
	buf[0] = '\0';
	if (!r)
		return buf;
	if (role && (w = snprintf(buf, cap, "%s/", role)) > 0)
		n = (size_t)w < cap ? (size_t)w : cap - 1;
	if (r->parent != LAYOUT_ROLE_DIR &&
	    (w = snprintf(buf + n, cap - n, "%s/", layout_rows[r->parent].name)) > 0)
		n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
	layout_entry_name(e, name, buf + n, cap - n);
	return buf;
}
