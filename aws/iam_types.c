/*
 * Ownership of the plain IAM/STS data (iam_types.h): the cleanup functions
 * that free and zero every struct (wiping STS secrets), and the push helpers
 * that grow the caller-owned lists the parsers append to.
 */
#include "aws/iam_types.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/buf.h"

/* Room for one more element in a growable array: the new base, or NULL (v kept). */
static void *iam_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size)
		return NULL;
	p = realloc(v, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

static void iam_tag_cleanup(struct iam_tag *t)
{
	free(t->key);
	free(t->value);
}

void iam_inline_policy_cleanup(struct iam_inline_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->document);
	memset(p, 0, sizeof(*p));
}

void iam_attached_policy_cleanup(struct iam_attached_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->arn);
	memset(p, 0, sizeof(*p));
}

void iam_role_cleanup(struct iam_role *r)
{
	size_t i;

	if (!r)
		return;
	free(r->name);
	free(r->id);
	free(r->arn);
	free(r->path);
	free(r->create_date);
	free(r->description);
	free(r->trust_policy);
	free(r->boundary_arn);
	free(r->boundary_type);
	free(r->last_used_date);
	free(r->last_used_region);
	for (i = 0; i < r->ntags; i++)
		iam_tag_cleanup(&r->tags[i]);
	free(r->tags);
	for (i = 0; i < r->ninline; i++)
		iam_inline_policy_cleanup(&r->inline_policies[i]);
	free(r->inline_policies);
	for (i = 0; i < r->nattached; i++)
		iam_attached_policy_cleanup(&r->attached[i]);
	free(r->attached);
	memset(r, 0, sizeof(*r));
}

void iam_policy_version_cleanup(struct iam_policy_version *v)
{
	if (!v)
		return;
	free(v->version_id);
	free(v->create_date);
	free(v->document);
	memset(v, 0, sizeof(*v));
}

void iam_policy_cleanup(struct iam_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->id);
	free(p->arn);
	free(p->path);
	free(p->default_version_id);
	free(p->description);
	free(p->create_date);
	free(p->update_date);
	for (i = 0; i < p->nversions; i++)
		iam_policy_version_cleanup(&p->versions[i]);
	free(p->versions);
	memset(p, 0, sizeof(*p));
}

void iam_role_list_cleanup(struct iam_role_list *l)
{
	if (!l)
		return;
	while (l->n)
		iam_role_cleanup(&l->v[--l->n]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void iam_policy_list_cleanup(struct iam_policy_list *l)
{
	if (!l)
		return;
	while (l->n)
		iam_policy_cleanup(&l->v[--l->n]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void iam_version_list_cleanup(struct iam_version_list *l)
{
	if (!l)
		return;
	while (l->n)
		iam_policy_version_cleanup(&l->v[--l->n]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void iam_string_list_cleanup(struct iam_string_list *l)
{
	if (!l)
		return;
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void iam_attached_list_cleanup(struct iam_attached_list *l)
{
	if (!l)
		return;
	while (l->n)
		iam_attached_policy_cleanup(&l->v[--l->n]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void iam_gaad_cleanup(struct iam_gaad *g)
{
	if (!g)
		return;
	iam_role_list_cleanup(&g->roles);
	iam_policy_list_cleanup(&g->policies);
}

void iam_caller_identity_cleanup(struct iam_caller_identity *c)
{
	if (!c)
		return;
	free(c->account);
	free(c->arn);
	free(c->user_id);
	memset(c, 0, sizeof(*c));
}

void iam_account_summary_cleanup(struct iam_account_summary *s)
{
	if (!s)
		return;
	while (s->n)
		free(s->v[--s->n].key);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void iam_sts_credentials_cleanup(struct iam_sts_credentials *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	buf_str_wipe_free(c->secret_access_key);
	buf_str_wipe_free(c->session_token);
	free(c->expiration);
	free(c->assumed_role_arn);
	OPENSSL_cleanse(c, sizeof(*c));
}

void iam_page_cleanup(struct iam_page *p)
{
	if (!p)
		return;
	free(p->marker);
	memset(p, 0, sizeof(*p));
}

int iam_role_list_push(struct iam_role_list *l, struct iam_role *r)
{
	struct iam_role *v = iam_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

int iam_policy_list_push(struct iam_policy_list *l, struct iam_policy *p)
{
	struct iam_policy *v = iam_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

int iam_version_list_push(struct iam_version_list *l, struct iam_policy_version *pv)
{
	struct iam_policy_version *v = iam_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *pv;
	memset(pv, 0, sizeof(*pv));
	return 0;
}

int iam_string_list_push(struct iam_string_list *l, const char *s)
{
	char **v = iam_grow(l->v, &l->cap, l->n, sizeof(*v));
	char *copy;

	if (!v)
		return -ENOMEM;
	l->v = v;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	l->v[l->n++] = copy;
	return 0;
}

int iam_attached_list_push(struct iam_attached_list *l, struct iam_attached_policy *a)
{
	struct iam_attached_policy *v = iam_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *a;
	memset(a, 0, sizeof(*a));
	return 0;
}

int iam_account_summary_push(struct iam_account_summary *s, const char *key, long long value)
{
	struct iam_summary_entry *v = iam_grow(s->v, &s->cap, s->n, sizeof(*v));
	char *copy;

	if (!v)
		return -ENOMEM;
	s->v = v;
	copy = strdup(key);
	if (!copy)
		return -ENOMEM;
	s->v[s->n].key = copy;
	s->v[s->n++].value = value;
	return 0;
}
