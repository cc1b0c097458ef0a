/*
 * What the saving files share: the host's clock, log and change callback, the
 * counters and version ids kept in the saving state (under its mutex, never held
 * across a call), and the recording of every refusal: one errors line, the
 * bytes kept under rejected/, a log line, and on_change so the kernel drops the
 * errors file's size and rejected/'s listing.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cache/rejects.h"

const char *const save_action_names[SAVE_NACTIONS] = {
	"UpdateAssumeRolePolicy",
	"PutRolePolicy",
	"CreatePolicyVersion",
	"DeleteRolePolicy",
	"UpdateRole",
	"UntagRole",
	"TagRole",
	"PutRolePermissionsBoundary",
	"DeleteRolePermissionsBoundary",
	"DetachRolePolicy",
	"DeleteRole",
	"AttachRolePolicy",
	"CreatePolicy",
	"CreateRole",
};

void save_emit(struct save_state *st, const struct cache_change *ch)
{
	if (st->host.on_change)
		st->host.on_change(st->host.on_change_ctx, ch);
}

/* The recorded version id of arn when it names the document of that gen. */
bool save_version_get(struct save_state *st, const char *arn, unsigned long long gen, char *vid,
		      size_t cap)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nversions; i++) {
		if (!strcmp(st->versions[i].arn, arn)) {
			found = st->versions[i].gen == gen;
			if (found)
				snprintf(vid, cap, "%s", st->versions[i].vid);
			break;
		}
	}
	pthread_mutex_unlock(&st->mu);
	return found;
}

void save_version_put(struct save_state *st, const char *arn, const char *vid,
		      unsigned long long gen)
{
	char *v = vid ? strdup(vid) : NULL, *a = NULL;
	struct save_version *nv;
	size_t i;

	if (!v)
		return;
	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nversions && strcmp(st->versions[i].arn, arn); i++)
		;
	if (i < st->nversions) {
		free(st->versions[i].vid);
		st->versions[i].vid = v;
		st->versions[i].gen = gen;
		v = NULL;
	} else if ((a = strdup(arn)) &&
		   (nv = realloc(st->versions, (st->nversions + 1) * sizeof(*nv)))) {
		st->versions = nv;
		nv[st->nversions++] = (struct save_version){a, v, gen};
		a = v = NULL;
	}
	pthread_mutex_unlock(&st->mu);
	free(a);
	free(v);
}

void save_count(struct save_state *st, unsigned long *n)
{
	pthread_mutex_lock(&st->mu);
	(*n)++;
	pthread_mutex_unlock(&st->mu);
}

int save_record(struct save_state *st, const struct rejects_event *ev, char *kept, size_t cap)
{
	struct cache_change ch = {.what = CACHE_CHANGE_REJECTED, .role = ev->role};
	int rc;

	kept[0] = '\0';
	rc = rejects_add(st->rejects, ev, kept, cap);
	if (rc)
		hooks_log(&st->host.hooks, LOG_WARNING,
			  "cannot write the record of a refused save in the cache folder: %s",
			  strerror(-rc));
	/* The kernel may hold the errors file's size and rejected/'s listing. */
	ch.name = kept[0] ? kept : NULL;
	save_emit(st, &ch);
	return rc;
}

/* Records a refusal whose sentence is already in res->message; IAM's detail (when
 * from_iam) in res->aws. Returns rc. */
int save_refuse(struct save_ctx *x, int rc, bool from_iam)
{
	struct cache_save_result *res = x->res;
	struct rejects_event ev = {
		.time = hooks_now(&x->st->host.hooks),
		.role = x->role,
		.path = x->path,
		.bytes = x->bytes,
		.len = x->len,
		.err = rc,
		.code = from_iam ? res->aws.code : NULL,
		.message = res->message,
		.request_id = from_iam ? res->aws.request_id : NULL,
	};

	if (!from_iam)
		aws_error_clear(&res->aws);
	save_record_refusal(x->st, &ev);
	return rc;
}

int save_record_refusal(struct save_state *st, const struct rejects_event *ev)
{
	char line[REJECTS_LINE_MAX], kept[REJECTS_NAME_MAX + 1] = "";
	int rc;

	rejects_line(ev, line, sizeof(line));
	rc = save_record(st, ev, kept, sizeof(kept));
	hooks_log(&st->host.hooks, LOG_WARNING, "save refused: %s%s%s", line,
		  kept[0] ? "; the bytes are kept in .iamfs/rejected/" : "", kept);
	save_count(st, &st->refused);
	return rc;
}

/* An IAM call failed: words the sentence and records it. */
int save_iam_failed(struct save_ctx *x, const char *action, int rc)
{
	struct aws_error *e = &x->res->aws;

	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of %.200s/%.300s failed: %.100s: %.350s", action, x->role, x->path,
		 e->code[0] ? e->code : "error", e->message);
	return save_refuse(x, rc, true);
}

int save_kept_add(struct save_state *st, const char *file, unsigned long long jid)
{
	struct save_kept *v;
	char *f = strdup(file);

	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&st->mu);
	v = realloc(st->kept, (st->nkept + 1) * sizeof(*v));
	if (v) {
		st->kept = v;
		v[st->nkept++] = (struct save_kept){f, jid};
		f = NULL;
	}
	pthread_mutex_unlock(&st->mu);
	free(f);
	return v ? 0 : -ENOMEM;
}

unsigned long long save_kept_take(struct save_state *st, const char *file)
{
	unsigned long long jid = 0;
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nkept; i++) {
		if (!strcmp(st->kept[i].file, file)) {
			jid = st->kept[i].jid;
			free(st->kept[i].file);
			st->kept[i] = st->kept[--st->nkept];
			break;
		}
	}
	pthread_mutex_unlock(&st->mu);
	return jid;
}
