/*
 * Saves into a pending role's folder (cache/pending.h): a role IAM does not have
 * yet. Its role.json holds the settings the role will be created with (Path,
 * Description, MaxSessionDuration, PermissionsBoundary, Tags): validated by
 * roledoc.h and kept in the pending store, no call. Its trust.json creates the
 * role: the trust policy validated as any trust save, the role.json fields read
 * back, --dry-run honoured, one CreateRole journaled before it is sent and sent
 * through save_write (an ambiguous failure settled with GetRole; an unknown
 * principal retried), then the real role published (MODEL_EDIT_ROLE_ADD) with
 * role.json rendered from IAM's answer; the pending folder is gone with it.
 * Every refusal is recorded with its bytes, and the folder stays pending.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/journal.h"
#include "cache/layout.h"
#include "cache/model.h"
#include "cache/roledoc.h"
#include "cache/validate.h"

/* What a pending role's role.json may hold: the settings CreateRole takes. */
#define SAVE_CREATE_FIELDS (ROLEDOC_EDITABLE | ROLEDOC_BIT(ROLEDOC_PATH))

bool save_role_pending(struct save_state *st, const char *role)
{
	struct cache_view *v = st->host.view_get(st->host.ctx);
	const struct cache_role *r = cache_view_find(v, role);
	bool pending = r && r->pending;

	cache_view_put(v);
	return pending;
}

/* The first field of d a pending role.json may not hold, or -1. */
static int save_create_extra(const struct roledoc *d)
{
	for (int f = 0; f < ROLEDOC_FIELD_COUNT; f++)
		if ((d->present & ROLEDOC_BIT(f)) && !(SAVE_CREATE_FIELDS & ROLEDOC_BIT(f)))
			return f;
	return -1;
}

/* Parses a pending role.json (bytes) and checks its fields: 0, or -EINVAL with the
 * sentence in msg. */
static int save_create_parse(const char *bytes, size_t len, struct roledoc *d, char *msg,
			     size_t cap)
{
	char why[ROLEDOC_MSG_MAX];
	int f, rc = roledoc_parse(bytes, len, d, why, sizeof(why));

	if (rc) {
		snprintf(msg, cap, "%s", rc == -ENOMEM ? "out of memory" : why);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if ((f = save_create_extra(d)) >= 0) {
		snprintf(msg, cap,
			 "%s is IAM's to set, not a setting of a role being created (role.json of "
			 "a new role may hold Path, Description, MaxSessionDuration, "
			 "PermissionsBoundary and Tags)",
			 roledoc_field_name((enum roledoc_field)f));
		return -EINVAL;
	}
	return 0;
}

/* role.json of a pending role: validated, then kept in the pending store (the
 * host's publication does that for a pending role), no call. */
static int save_pending_json(struct save_ctx *x)
{
	struct roledoc d;
	struct cache_doc *doc;
	char msg[ROLEDOC_MSG_MAX + 64];
	int rc = save_create_parse(x->bytes, x->len, &d, msg, sizeof(msg));

	roledoc_cleanup(&d);
	if (rc) {
		snprintf(x->res->message, sizeof(x->res->message), "%.200s/role.json: %s", x->role,
			 msg);
		return save_refuse(x, rc, false);
	}
	x->cur = x->r->role_json;
	if (x->cur && x->cur->len == x->len && !memcmp(x->cur->bytes, x->bytes, x->len)) {
		x->res->noop = true;
		return 0;
	}
	if (!(doc = model_doc_new(x->bytes, x->len, hooks_now(&x->st->host.hooks))))
		return -ENOMEM;
	rc = x->st->host.publish(x->st->host.ctx, x->role, CACHE_FILE_ROLE, NULL, doc);
	cache_doc_unref(doc);
	if (rc) {
		snprintf(x->res->message, sizeof(x->res->message),
			 "%.200s/role.json: cannot keep it in the cache folder (%s)", x->role,
			 strerror(-rc));
		return save_refuse(x, -EIO, false);
	}
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/role.json kept for the role's creation (nothing sent)", x->role);
	save_count(x->st, &x->st->ok);
	return 0;
}

int save_create(struct save_ctx *x)
{
	snprintf(x->res->message, sizeof(x->res->message), "%.200s: not yet", x->role);
	return save_refuse(x, -ENOSYS, false);
}

int save_pending_run(struct save_ctx *x)
{
	if (x->kind == CACHE_FILE_ROLE)
		return save_pending_json(x);
	if (x->kind == CACHE_FILE_TRUST)
		return save_create(x);
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s is not created yet: it has no inline or attached policies", x->role);
	return save_refuse(x, -ENOENT, false);
}
