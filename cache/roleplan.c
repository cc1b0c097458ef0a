/*
 * The calls a role.json save makes (roleplan.h): plain comparisons of two
 * parsed role.json documents.
 */
#include "cache/roleplan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const roleplan_names[ROLEPLAN_NSTEPS] = {
	[ROLEPLAN_UPDATE] = "UpdateRole",
	[ROLEPLAN_UNTAG] = "UntagRole",
	[ROLEPLAN_TAG] = "TagRole",
	[ROLEPLAN_PUT_BOUNDARY] = "PutRolePermissionsBoundary",
	[ROLEPLAN_DELETE_BOUNDARY] = "DeleteRolePermissionsBoundary",
};

const char *roleplan_step_name(enum roleplan_step s)
{
	return (unsigned)s < ROLEPLAN_NSTEPS ? roleplan_names[s] : "?";
}

static bool roleplan_same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool roleplan_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool roleplan_same_set(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (!roleplan_has(b, nb, a[i]))
			return false;
	for (i = 0; i < nb; i++)
		if (!roleplan_has(a, na, b[i]))
			return false;
	return true;
}

enum roledoc_field roleplan_read_only_change(const struct roledoc *want, const struct roledoc *have)
{
	const char *w[] = {want->role_name, want->arn, want->role_id, want->path,
			   want->create_date};
	const char *h[] = {have->role_name, have->arn, have->role_id, have->path,
			   have->create_date};
	int f;

	for (f = ROLEDOC_ROLE_NAME; f <= ROLEDOC_CREATE_DATE; f++)
		if ((want->present & ROLEDOC_BIT(f)) && !roleplan_same_str(w[f], h[f]))
			return (enum roledoc_field)f;
	if ((want->present & ROLEDOC_BIT(ROLEDOC_ATTACHED_POLICIES)) &&
	    !roleplan_same_set(want->attached, want->nattached, have->attached, have->nattached))
		return ROLEDOC_ATTACHED_POLICIES;
	return ROLEDOC_FIELD_COUNT;
}

/* The tag of d with exactly key, or NULL. */
static const struct iam_tag *roleplan_tag(const struct roledoc *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->ntags; i++)
		if (!strcmp(d->tags[i].key, key))
			return &d->tags[i];
	return NULL;
}

static int roleplan_tags(const struct roledoc *want, const struct roledoc *have, struct roleplan *p)
{
	const struct iam_tag *t;
	size_t i;

	if (have->ntags && !(p->untag = calloc(have->ntags, sizeof(*p->untag))))
		return -ENOMEM;
	if (want->ntags && !(p->tag = calloc(want->ntags, sizeof(*p->tag))))
		return -ENOMEM;
	for (i = 0; i < have->ntags; i++)
		if (!roleplan_tag(want, have->tags[i].key))
			p->untag[p->nuntag++] = have->tags[i].key;
	for (i = 0; i < want->ntags; i++) {
		t = roleplan_tag(have, want->tags[i].key);
		if (!t || strcmp(t->value, want->tags[i].value))
			p->tag[p->ntag++] = want->tags[i];
	}
	p->step[ROLEPLAN_UNTAG] = p->nuntag > 0;
	p->step[ROLEPLAN_TAG] = p->ntag > 0;
	return 0;
}

int roleplan_make(const struct roledoc *want, const struct roledoc *have, struct roleplan *out)
{
	memset(out, 0, sizeof(*out));
	if (!roleplan_same_str(want->description, have->description)) {
		out->description = want->description ? want->description : "";
		out->step[ROLEPLAN_UPDATE] = true;
	}
	if ((want->present & ROLEDOC_BIT(ROLEDOC_MAX_SESSION_DURATION)) &&
	    want->max_session_duration != have->max_session_duration) {
		out->max_session_duration = want->max_session_duration;
		out->step[ROLEPLAN_UPDATE] = true;
	}
	if (out->step[ROLEPLAN_UPDATE]) {
		/* Both, the unchanged one as it is: moto resets a field UpdateRole leaves out. */
		out->description = want->description ? want->description : "";
		if (!out->max_session_duration)
			out->max_session_duration = have->max_session_duration;
	}
	if (want->boundary_arn && !roleplan_same_str(want->boundary_arn, have->boundary_arn)) {
		out->boundary = want->boundary_arn;
		out->step[ROLEPLAN_PUT_BOUNDARY] = true;
	} else if (!want->boundary_arn && have->boundary_arn) {
		out->step[ROLEPLAN_DELETE_BOUNDARY] = true;
	}
	if (roleplan_tags(want, have, out)) {
		roleplan_cleanup(out);
		return -ENOMEM;
	}
	return 0;
}

bool roleplan_empty(const struct roleplan *p)
{
	int s;

	for (s = 0; s < ROLEPLAN_NSTEPS; s++)
		if (p->step[s])
			return false;
	return true;
}

void roleplan_cleanup(struct roleplan *p)
{
	if (!p)
		return;
	free(p->untag);
	free(p->tag);
	memset(p, 0, sizeof(*p));
}

bool roleplan_step_landed(const struct roleplan *p, enum roleplan_step s, const struct roledoc *iam)
{
	const struct iam_tag *t;
	size_t i;

	switch (s) {
	case ROLEPLAN_UPDATE:
		return (!p->description || roleplan_same_str(p->description, iam->description)) &&
		       (!p->max_session_duration ||
			p->max_session_duration == iam->max_session_duration);
	case ROLEPLAN_UNTAG:
		for (i = 0; i < p->nuntag; i++)
			if (roleplan_tag(iam, p->untag[i]))
				return false;
		return true;
	case ROLEPLAN_TAG:
		for (i = 0; i < p->ntag; i++)
			if (!(t = roleplan_tag(iam, p->tag[i].key)) ||
			    strcmp(t->value, p->tag[i].value))
				return false;
		return true;
	case ROLEPLAN_PUT_BOUNDARY:
		return roleplan_same_str(p->boundary, iam->boundary_arn);
	case ROLEPLAN_DELETE_BOUNDARY:
		return !iam->boundary_arn;
	default:
		return false;
	}
}

bool roleplan_same_editable(const struct roledoc *a, const struct roledoc *b)
{
	size_t i;
	const struct iam_tag *t;

	if (!roleplan_same_str(a->description, b->description) ||
	    !roleplan_same_str(a->boundary_arn, b->boundary_arn) || a->ntags != b->ntags)
		return false;
	if (a->max_session_duration && b->max_session_duration &&
	    a->max_session_duration != b->max_session_duration)
		return false;
	for (i = 0; i < a->ntags; i++)
		if (!(t = roleplan_tag(b, a->tags[i].key)) || strcmp(t->value, a->tags[i].value))
			return false;
	return true;
}
