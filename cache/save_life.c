/*
 * Saving's life cycle: the journal and the record of refusals opened beside the
 * disk copy, the replay of journal entries a killed daemon left (compared with
 * IAM's documents once a load has published them, then reported or dropped), the
 * record's texts for .iamfs/ and refusals decided outside a save, and the saving
 * lines of .iamfs/status.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/layout.h"
#include "cache/model.h"
#include "cache/policies.h"
#include "cache/rejects.h"
#include "cache/removed.h"
#include "cache/validate.h"

static void save_leftover_free(struct save_leftover *l)
{
	free(l->role);
	free(l->name);
	free(l->bytes);
}

static int save_collect(void *ctx, const struct journal_entry *e)
{
	struct save_state *st = ctx;
	struct save_leftover *v = realloc(st->left, (st->nleft + 1) * sizeof(*v)), *l;

	if (!v)
		return -ENOMEM;
	st->left = v;
	l = &v[st->nleft];
	memset(l, 0, sizeof(*l));
	l->id = e->id;
	l->time = e->time;
	l->kind = e->kind;
	l->damaged = e->damaged;
	l->len = e->len;
	l->role = strdup(e->role);
	l->name = strdup(e->name);
	if ((l->bytes = malloc(e->len + 1))) {
		memcpy(l->bytes, e->bytes, e->len);
		l->bytes[e->len] = '\0';
	}
	if (!l->role || !l->name || !l->bytes) {
		save_leftover_free(l);
		return -ENOMEM;
	}
	st->nleft++;
	return 0;
}

static bool save_same_doc(const struct save_leftover *l, const struct cache_doc *d)
{
	return d && validate_same_value(l->bytes, l->len, d->bytes, d->len) == 1;
}

/* Pure over the view: did the interrupted save reach IAM? */
static bool save_landed(const struct cache_view *v, const struct save_leftover *l)
{
	const struct cache_role *r = cache_view_find(v, l->role);
	const struct cache_inline *in = cache_role_find_inline(r, l->name);
	size_t i, j;

	if (l->damaged)
		return false;
	if (l->kind == JOURNAL_TRUST || l->kind == JOURNAL_CREATE_ROLE)
		return r && !r->pending && save_same_doc(l, r->trust);
	if (l->kind == JOURNAL_INLINE)
		return in && save_same_doc(l, in->doc);
	if (l->kind == JOURNAL_INLINE_DELETE)
		return !in;
	if (l->kind == JOURNAL_ROLE)
		return r && save_role_json_landed(l->bytes, l->len, r->role_json);
	if (l->kind == JOURNAL_ROLE_DELETE)
		return !r;
	if (l->kind == JOURNAL_DETACH) {
		for (i = 0; r && i < r->natt; i++)
			if (!strcmp(r->att[i].arn, l->name))
				return false;
		return true;
	}
	if (l->kind == JOURNAL_ATTACH) {
		const struct cache_attached *a =
			cache_role_find_attached(r, model_arn_name(l->name));

		return a && !strcmp(a->arn, l->name);
	}
	for (i = 0; v && i < v->nroles; i++)
		for (j = 0; j < v->roles[i].natt; j++)
			if (l->kind == JOURNAL_CREATE_POLICY
				    ? !strcmp(v->roles[i].att[j].name, l->name) &&
					      !v->roles[i].att[j].aws_managed
				    : !strcmp(v->roles[i].att[j].arn, l->name))
				return save_same_doc(l, v->roles[i].att[j].doc);
	return false;
}

/* What the next mount says of each kind of journaled call it finds unfinished:
 * the file it is about (a layout entry, or the role folder), whether that
 * entry's name is the last part of the journaled ARN, whether the journaled
 * bytes are kept under rejected/, and the sentence. */
struct save_kind_row {
	int entry; /* enum layout_entry; LAYOUT_ROLE_DIR: the folder itself */
	bool by_arn;
	bool keep_bytes;
	const char *message;
};

#define SAVE_MSG_SAVE                                                                              \
	"interrupted save: the daemon stopped before IAM confirmed it; the bytes are kept here"
#define SAVE_MSG_REMOVAL                                                                           \
	"interrupted removal: the daemon stopped before IAM confirmed it; what it removes is "     \
	"still in IAM (and kept under .iamfs/removed/)"
#define SAVE_MSG_ATTACH                                                                            \
	"interrupted attach: the daemon stopped before IAM confirmed it; the role does not "       \
	"attach the policy"

static const struct save_kind_row save_kinds[] = {
	[JOURNAL_TRUST] = {LAYOUT_TRUST, false, true, SAVE_MSG_SAVE},
	[JOURNAL_INLINE] = {LAYOUT_INLINE, false, true, SAVE_MSG_SAVE},
	[JOURNAL_INLINE_DELETE] = {LAYOUT_INLINE, false, false, SAVE_MSG_REMOVAL},
	[JOURNAL_MANAGED] = {LAYOUT_ATTACHED, true, true, SAVE_MSG_SAVE},
	[JOURNAL_ROLE] = {LAYOUT_ROLE_JSON, false, true, SAVE_MSG_SAVE},
	[JOURNAL_DETACH] = {LAYOUT_ATTACHED, true, false, SAVE_MSG_REMOVAL},
	[JOURNAL_ROLE_DELETE] = {LAYOUT_ROLE_DIR, false, false, SAVE_MSG_REMOVAL},
	[JOURNAL_ATTACH] = {LAYOUT_ATTACHED, true, false, SAVE_MSG_ATTACH},
	[JOURNAL_CREATE_POLICY] = {LAYOUT_ATTACHED, false, true, SAVE_MSG_SAVE},
	[JOURNAL_CREATE_ROLE] = {LAYOUT_TRUST, false, true, SAVE_MSG_SAVE},
};

static void save_report(struct save_state *st, const struct save_leftover *l)
{
	char path[SAVE_PATH_MAX], kept[REJECTS_NAME_MAX + 1] = "";
	struct rejects_event ev = {.time = hooks_now(&st->host.hooks), .err = EINTR, .len = l->len};
	const struct save_kind_row *k = (size_t)l->kind < sizeof(save_kinds) / sizeof(save_kinds[0])
						? &save_kinds[l->kind]
						: &save_kinds[JOURNAL_TRUST];
	int rc;

	path[0] = '\0';
	if (l->damaged) {
		snprintf(path, sizeof(path), "journal-entry-%llu", l->id);
		ev.role = "unknown";
	} else {
		if (k->entry != LAYOUT_ROLE_DIR)
			layout_path((enum layout_entry)k->entry, NULL,
				    k->by_arn ? model_arn_name(l->name) : l->name, path,
				    sizeof(path));
		ev.role = l->role;
	}
	ev.path = path;
	ev.bytes = k->keep_bytes ? l->bytes : NULL;
	ev.message = k->message;
	rc = save_record(st, &ev, kept, sizeof(kept));
	hooks_log(&st->host.hooks, LOG_WARNING, "%s/%s: %s%s%s", ev.role, path, ev.message,
		  kept[0] ? ": .iamfs/rejected/" : "", kept);
	if (!rc)
		journal_discard(st->journal, l->id);
}

bool save_left_creates(struct save_state *st, const char *role)
{
	bool found = false;

	if (!st)
		return false;
	pthread_mutex_lock(&st->mu);
	for (size_t i = 0; i < st->nleft && !found; i++)
		found = st->left[i].kind == JOURNAL_CREATE_ROLE && !st->left[i].damaged &&
			!strcmp(st->left[i].role, role);
	pthread_mutex_unlock(&st->mu);
	return found;
}

int save_refusal(struct save_state *st, const struct cache_refusal *r)
{
	struct rejects_event ev = {.role = r->role,
				   .path = r->path,
				   .bytes = r->bytes,
				   .len = r->len,
				   .err = r->err,
				   .message = r->message};

	if (!st)
		return -EINVAL;
	ev.time = hooks_now(&st->host.hooks);
	return save_record_refusal(st, &ev);
}

int save_errors_text(struct save_state *st, struct buf *out)
{
	return st ? rejects_errors_text(st->rejects, out) : 0;
}

int save_rejected_list(struct save_state *st, struct cache_rejected_list *out)
{
	if (!st) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return rejects_list(st->rejects, out);
}

int save_removed_list(struct save_state *st, struct cache_rejected_list *out)
{
	if (!st) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return removed_list(st->removed, out);
}

void save_replay(struct save_state *st)
{
	struct save_leftover *left;
	struct cache_view *v;
	size_t n, i;

	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	left = st->left;
	n = st->nleft;
	st->left = NULL;
	st->nleft = 0;
	pthread_mutex_unlock(&st->mu);
	if (!n)
		return;
	v = st->host.view_get(st->host.ctx);
	for (i = 0; i < n; i++) {
		if (save_landed(v, &left[i])) {
			hooks_log(&st->host.hooks, LOG_NOTICE,
				  "an interrupted %s save of role %s (%s) reached IAM",
				  journal_kind_name(left[i].kind), left[i].role,
				  left[i].name[0]		 ? left[i].name
				  : left[i].kind == JOURNAL_ROLE ? "role.json"
								 : "trust.json");
			journal_discard(st->journal, left[i].id);
			save_count(st, &st->landed);
		} else {
			save_report(st, &left[i]);
			save_count(st, &st->interrupted);
		}
		save_leftover_free(&left[i]);
	}
	cache_view_put(v);
	free(left);
}

int save_open(const struct save_host *h, const char *folder, struct save_state **out)
{
	struct save_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	st->host = *h;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cond, NULL);
	if (!folder)
		folder = "";
	rc = rejects_open(folder, &st->rejects);
	if (!st->rejects) {
		pthread_cond_destroy(&st->cond);
		pthread_mutex_destroy(&st->mu);
		free(st);
		return -ENOMEM;
	}
	if (rc)
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "cannot keep refused saves in %s: %s (kept in memory)", folder,
			  strerror(-rc));
	if (removed_open(folder, &st->removed) && st->removed)
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "cannot keep what removals take out of IAM in %s/removed: removals "
			  "will be refused",
			  folder);
	rc = folder[0] ? journal_open(folder, h->hooks.now, h->hooks.now_ctx, &st->journal)
		       : -ENOENT;
	if (rc)
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "cannot open the save journal in %s: %s; saves will be "
			  "refused",
			  folder, strerror(-rc));
	else if ((rc = journal_list(st->journal, save_collect, st)))
		hooks_log(&st->host.hooks, LOG_WARNING, "cannot read the save journal in %s: %s",
			  folder, strerror(-rc));
	if (policies_open(folder, &st->host.hooks, &st->pol))
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "out of memory: names in attached/ cannot be resolved");
	if (st->nleft)
		hooks_log(&st->host.hooks, LOG_NOTICE,
			  "%zu saves were under way when the daemon stopped; they are "
			  "checked against IAM after the first load",
			  st->nleft);
	*out = st;
	return 0;
}

void save_close(struct save_state *st)
{
	size_t i;

	if (!st)
		return;
	journal_close(st->journal);
	rejects_close(st->rejects);
	removed_close(st->removed);
	policies_close(st->pol);
	for (i = 0; i < st->nbusy; i++)
		free(st->busy[i]);
	free(st->busy);
	for (i = 0; i < st->nversions; i++) {
		free(st->versions[i].arn);
		free(st->versions[i].vid);
	}
	free(st->versions);
	for (i = 0; i < st->nkept; i++)
		free(st->kept[i].file); /* their entries stay in the journal on disk */
	free(st->kept);
	for (i = 0; i < st->nleft; i++)
		save_leftover_free(&st->left[i]);
	free(st->left);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

int save_status(struct save_state *st, struct buf *out)
{
	unsigned long ok, refused, noop, interrupted, landed, dry[SAVE_NACTIONS], total = 0;
	size_t pending, i;
	int rc;

	if (!st)
		return 0;
	pthread_mutex_lock(&st->mu);
	ok = st->ok;
	refused = st->refused;
	noop = st->noop;
	interrupted = st->interrupted;
	landed = st->landed;
	pending = st->nleft;
	memcpy(dry, st->dry, sizeof(dry));
	pthread_mutex_unlock(&st->mu);
	rc = buf_printf(out,
			"saves ok: %lu\nsaves refused: %lu\nsaves no-op: %lu\n"
			"rejected files: %zu\ninterrupted saves reported: %lu\n"
			"interrupted saves that reached IAM: %lu\n",
			ok, refused, noop, rejects_count(st->rejects), interrupted, landed);
	if (!rc && removed_count(st->removed))
		rc = buf_printf(out, "removed files: %zu\n", removed_count(st->removed));
	if (!rc && pending)
		rc = buf_printf(out, "interrupted saves awaiting the first load: %zu\n", pending);
	if (!rc && !st->journal)
		rc = buf_puts(out,
			      "warning: the save journal cannot be written; saves are refused\n");
	for (i = 0; i < SAVE_NACTIONS; i++)
		total += dry[i];
	if (!rc && (st->host.dry_run || total))
		rc = buf_printf(out, "dry-run calls: %lu\n", total);
	for (i = 0; !rc && i < SAVE_NACTIONS; i++)
		if (dry[i])
			rc = buf_printf(out, "dry-run calls %s: %lu\n", save_action_names[i],
					dry[i]);
	return rc;
}
