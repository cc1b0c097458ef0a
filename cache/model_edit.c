/*
 * Structural edits of a view (model.h, struct model_edit). Each is applied in
 * place to a view nobody else holds (a deep copy, or a load not yet published);
 * arrays stay sorted bytewise, so lookups keep working without a re-sort. Pure:
 * no I/O, no clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/model.h"

/* Replaces *slot by doc (borrowed; NULL leaves it as it is). */
static void model_edit_slot(struct cache_doc **slot, struct cache_doc *doc)
{
	if (!doc)
		return;
	cache_doc_ref(doc);
	cache_doc_unref(*slot);
	*slot = doc;
}

static struct cache_role *model_edit_role(struct cache_view *v, const char *role)
{
	return (struct cache_role *)cache_view_find(v, role);
}

/* The index where an attachment named name belongs (its position when present). */
static size_t model_edit_att_pos(const struct cache_role *r, const char *name, bool *found)
{
	size_t i;

	*found = false;
	for (i = 0; i < r->natt; i++) {
		int c = strcmp(r->att[i].name, name);

		if (!c)
			*found = true;
		if (c >= 0)
			break;
	}
	return i;
}

static int model_edit_attach(struct cache_role *r, const struct model_edit *e)
{
	struct cache_attached *a, fresh = {0};
	bool found;
	size_t i = model_edit_att_pos(r, e->name, &found);

	if (model_att_names(&fresh, e->name, e->arn))
		return -ENOMEM;
	if (found) {
		a = &r->att[i];
		model_att_clear(a);
	} else {
		a = realloc(r->att, (r->natt + 1) * sizeof(*a));
		if (!a) {
			model_att_clear(&fresh);
			return -ENOMEM;
		}
		r->att = a;
		memmove(&r->att[i + 1], &r->att[i], (r->natt - i) * sizeof(*a));
		r->natt++;
		a = &r->att[i];
	}
	*a = fresh;
	a->aws_managed = model_arn_is_aws_managed(a->arn);
	a->doc = e->doc;
	cache_doc_ref(e->doc);
	model_edit_slot(&r->role_json, e->role_json);
	return 0;
}

static int model_edit_detach(struct cache_role *r, const struct model_edit *e)
{
	bool found;
	size_t i = model_edit_att_pos(r, e->name, &found);

	if (!found)
		return -ENOENT;
	model_att_clear(&r->att[i]);
	memmove(&r->att[i], &r->att[i + 1], (r->natt - i - 1) * sizeof(*r->att));
	r->natt--;
	model_edit_slot(&r->role_json, e->role_json);
	return 0;
}

/* A fresh role made from e (name copied, documents referenced). */
static int model_edit_new_role(struct cache_role *r, const struct model_edit *e)
{
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(e->role)))
		return -ENOMEM;
	r->mtime = e->mtime;
	model_edit_slot(&r->trust, e->trust);
	model_edit_slot(&r->role_json, e->role_json);
	return 0;
}

static int model_edit_role_add(struct cache_view *v, const struct model_edit *e)
{
	struct cache_role fresh, *roles;
	size_t i;
	int rc = model_edit_new_role(&fresh, e);

	if (rc)
		return rc;
	for (i = 0; i < v->nroles && strcmp(v->roles[i].name, e->role) < 0; i++)
		;
	if (i < v->nroles && !strcmp(v->roles[i].name, e->role)) {
		model_role_cleanup(&v->roles[i]);
		v->roles[i] = fresh;
		return 0;
	}
	roles = realloc(v->roles, (v->nroles + 1) * sizeof(*roles));
	if (!roles) {
		model_role_cleanup(&fresh);
		return -ENOMEM;
	}
	v->roles = roles;
	memmove(&roles[i + 1], &roles[i], (v->nroles - i) * sizeof(*roles));
	roles[i] = fresh;
	v->nroles++;
	return 0;
}

static int model_edit_role_remove(struct cache_view *v, const char *role)
{
	struct cache_role *r = model_edit_role(v, role);
	size_t i;

	if (!r)
		return -ENOENT;
	i = (size_t)(r - v->roles);
	model_role_cleanup(r);
	memmove(&v->roles[i], &v->roles[i + 1], (v->nroles - i - 1) * sizeof(*v->roles));
	v->nroles--;
	return 0;
}

/* Whether e names everything its operation needs. */
static bool model_edit_valid(const struct model_edit *e)
{
	if (!e || (!e->role && !(e->op == MODEL_EDIT_DOC && e->kind == CACHE_FILE_ATTACHED)))
		return false;
	switch (e->op) {
	case MODEL_EDIT_DOC:
		return e->kind == CACHE_FILE_TRUST || e->kind == CACHE_FILE_ROLE || e->name;
	case MODEL_EDIT_ATTACH:
		return e->name && e->arn;
	case MODEL_EDIT_DETACH:
		return e->name != NULL;
	case MODEL_EDIT_ROLE_ADD:
	case MODEL_EDIT_ROLE_REMOVE:
		return true;
	}
	return false;
}

int model_view_apply_edit(struct cache_view *v, const struct model_edit *e)
{
	struct cache_role *r;

	if (!model_edit_valid(e))
		return -EINVAL;
	switch (e->op) {
	case MODEL_EDIT_DOC:
		return model_view_apply(v, e->role, e->kind, e->name, e->doc);
	case MODEL_EDIT_ROLE_ADD:
		return model_edit_role_add(v, e);
	case MODEL_EDIT_ROLE_REMOVE:
		return model_edit_role_remove(v, e->role);
	case MODEL_EDIT_ATTACH:
	case MODEL_EDIT_DETACH:
		if (!(r = model_edit_role(v, e->role)))
			return -ENOENT;
		return e->op == MODEL_EDIT_ATTACH ? model_edit_attach(r, e)
						  : model_edit_detach(r, e);
	}
	return -EINVAL;
}

int model_view_edit(const struct cache_view *v, const struct model_edit *e, struct cache_view **out)
{
	struct cache_role *roles;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!model_edit_valid(e))
		return -EINVAL;
	if (!(roles = calloc(v->nroles ? v->nroles : 1, sizeof(*roles))))
		return -ENOMEM;
	for (i = 0; !rc && i < v->nroles; i++)
		rc = model_role_copy(&roles[i], &v->roles[i]);
	if (rc) {
		while (i--)
			model_role_cleanup(&roles[i]);
		free(roles);
		return rc;
	}
	if (!(*out = model_view_new(roles, v->nroles, v->serial + 1)))
		return -ENOMEM;
	rc = model_view_apply_edit(*out, e);
	if (rc) {
		cache_view_put(*out);
		*out = NULL;
	}
	return rc;
}

int model_view_replace(const struct cache_view *v, const char *role, enum cache_file_kind kind,
		       const char *name, struct cache_doc *doc, struct cache_view **out)
{
	struct model_edit e = {
		.op = MODEL_EDIT_DOC, .role = role, .kind = kind, .name = name, .doc = doc};

	return model_view_edit(v, &e, out);
}
