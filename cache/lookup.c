/*
 * lookup.h: the lookup and its errno table. Where the uses differ they differ
 * on purpose: an attached policy that is not attached is missing to opening for
 * writing, stat and rename (creating it is the caller's to allow, as a new inline
 * policy) and is a new attachment to a save (save_attach.c; a save based on a
 * document served under that name finds it gone: ENOENT); an AWS managed one is
 * EACCES to open(2) for writing (a 0444 file) and EPERM to a save or rename.
 */
#include "cache/lookup.h"

#include <errno.h>

static const int lookup_errnos[LOOKUP_NRESULTS][LOOKUP_NUSES] = {
	/*			 OPEN_WRITE STAT     SAVE     RENAME */
	[LOOKUP_FOUND] = {0, 0, 0, 0},
	[LOOKUP_NO_ROLE] = {-ENOENT, -ENOENT, -ENOENT, -ENOENT},
	[LOOKUP_NO_FILE] = {-ENOENT, -ENOENT, 0, -ENOENT},
	[LOOKUP_NOT_ATTACHED] = {-ENOENT, -ENOENT, 0, -ENOENT},
	[LOOKUP_AWS_MANAGED] = {-EACCES, 0, -EPERM, -EPERM},
	[LOOKUP_NOT_FETCHED] = {-EIO, -EIO, -EIO, -EIO},
};

int lookup_errno(enum lookup_result res, enum lookup_use use)
{
	if (res < 0 || res >= LOOKUP_NRESULTS || use < 0 || use >= LOOKUP_NUSES)
		return -EINVAL;
	return lookup_errnos[res][use];
}

static enum lookup_result lookup_attached(const struct cache_role *r, const char *name,
					  struct lookup *out)
{
	out->att = cache_role_find_attached(r, name);
	if (!out->att)
		return LOOKUP_NOT_ATTACHED;
	if (out->att->aws_managed)
		return LOOKUP_AWS_MANAGED;
	out->doc = out->att->doc;
	return out->doc ? LOOKUP_FOUND : LOOKUP_NOT_FETCHED;
}

enum lookup_result lookup_doc(const struct cache_view *v, const char *role,
			      enum cache_file_kind kind, const char *name, struct lookup *out)
{
	const struct cache_inline *in;

	*out = (struct lookup){0};
	out->role = v && role ? cache_view_find(v, role) : NULL;
	if (!out->role)
		return LOOKUP_NO_ROLE;
	switch (kind) {
	case CACHE_FILE_TRUST:
		out->doc = out->role->trust;
		break;
	case CACHE_FILE_ROLE:
		out->doc = out->role->role_json;
		break;
	case CACHE_FILE_INLINE:
		in = name ? cache_role_find_inline(out->role, name) : NULL;
		out->doc = in ? in->doc : NULL;
		break;
	case CACHE_FILE_ATTACHED:
		return name ? lookup_attached(out->role, name, out) : LOOKUP_NOT_ATTACHED;
	}
	return out->doc ? LOOKUP_FOUND : LOOKUP_NO_FILE;
}
