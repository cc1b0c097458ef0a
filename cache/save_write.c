/*
 * The write call of a save, and settling it when it fails without proving that it
 * did not land (its answer lost, cut or garbled, a 5xx, throttling after retries):
 * the read the conflict check uses (GetRole, GetRolePolicy, ListPolicyVersions and
 * GetPolicyVersion of the default) tells whether IAM holds the saved document. If
 * it does, the save succeeded; if IAM still holds the old document, the call did
 * not land and is sent once more (never blindly: the read proved it safe); if the
 * read fails too, the outcome is unknown and the journal entry is kept so the next
 * mount compares it with IAM. The call and the read of each action are
 * save_calls.c's; this file decides what follows from them.
 *
 * A trust document may name a principal created seconds ago that IAM does not know
 * yet (save_retry_principal): that refusal is sent again with backoff for
 * SAVE_PRINCIPAL_WAIT_MS in all, on the saving thread with no lock held.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cache/model.h"

#define SAVE_VERSIONS_MAX 5 /* IAM's versions per managed policy */
#define SAVE_SENDS_MAX	  2 /* the first call and one resend after a read proved it safe */

static int save_full(struct save_ctx *x)
{
	snprintf(x->res->message, sizeof(x->res->message),
		 "%.200s/%.300s: the policy %.300s already has 5 versions (IAM's limit); delete "
		 "one or mount with --prune-versions",
		 x->role, x->path, x->arn);
	return save_refuse(x, -EDQUOT, x->res->aws.code[0] != '\0');
}

int save_make_room(struct save_ctx *x, struct iam_conn *conn, const struct iam_version_list *vl)
{
	long i;
	int rc;

	if (vl->n < SAVE_VERSIONS_MAX)
		return 0;
	aws_error_clear(&x->res->aws);
	if (!x->st->host.prune_versions || (i = save_prune_choice(vl)) < 0)
		return save_full(x);
	rc = iam_delete_policy_version(conn, x->arn, vl->v[i].version_id, &x->res->aws);
	x->res->calls++;
	if (rc)
		return save_iam_failed(x, "DeletePolicyVersion", rc);
	hooks_log(&x->st->host.hooks, LOG_NOTICE,
		  "deleted version %s of %s to make room (--prune-versions)", vl->v[i].version_id,
		  x->arn);
	return 0;
}

/* The failure does not prove that the call did not land. */
bool save_ambiguous(int rc, const struct aws_error *e)
{
	return e->maybe_applied || rc == -EAGAIN || rc == -EIO || rc == -ETIMEDOUT;
}

/* The settling read failed: nothing is known. The bytes stay in the journal (the
 * next mount compares them with IAM), not under rejected/. */
int save_unsettled(struct save_ctx *x, int rc)
{
	const char *bytes = x->bytes;
	struct aws_error *e = &x->res->aws;

	x->unsettled = true;
	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of %.150s/%.200s is unsettled: the call failed (%.60s: %.200s) and the "
		 "read that would tell whether it reached IAM failed too; the save stays in "
		 "the journal and the next mount compares it with IAM",
		 save_action_names[x->action], x->role, x->path, e->code[0] ? e->code : "error",
		 e->message);
	x->bytes = NULL;
	rc = save_refuse(x, rc == -EAGAIN ? rc : -EIO, true);
	x->bytes = bytes;
	return rc;
}

/* Sends, and settles an ambiguous failure: 0 (landed) or -errno (the call's, or
 * the recorded refusal of an unsettled save with x->unsettled set). */
static int save_send_settled(struct save_ctx *x, struct iam_conn *conn, const char *doc,
			     struct iam_policy_version *ver)
{
	/* What IAM holds once the call landed: the saved bytes, or nothing for a delete. */
	bool remove = save_action_removes(x->action);
	struct cache_doc *ours = remove ? NULL : model_doc_new(x->bytes, x->len, 0);
	int sends, found, rc = -ENOMEM;

	for (sends = 0; (ours || remove) && sends < SAVE_SENDS_MAX; sends++) {
		rc = save_call(x, conn, doc, ver);
		if (!rc || !save_ambiguous(rc, &x->res->aws))
			break;
		found = save_settle(x, conn, ours, ver);
		if (found == SAVE_FOUND_OURS) {
			aws_error_clear(&x->res->aws);
			rc = 0;
			break;
		}
		if (found < 0) {
			rc = save_unsettled(x, rc);
			break;
		}
		if (found != SAVE_FOUND_OLD)
			break;
	}
	cache_doc_unref(ours);
	return rc;
}

static long long save_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void save_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The calls whose document names principals (CreateRole's trust joins them). */
static bool save_names_principals(const struct save_ctx *x)
{
	return x->action == SAVE_UPDATE_TRUST || x->action == SAVE_CREATE_ROLE;
}

/* save_send_settled, sent again with backoff while IAM refuses a principal it may
 * not know yet; *retried tells whether it was. */
static int save_send_patient(struct save_ctx *x, struct iam_conn *conn, const char *doc,
			     struct iam_policy_version *ver, bool *retried)
{
	const struct aws_error *e = &x->res->aws;
	long long start = save_monotonic_ms();
	long delay;
	int rc, n;

	for (n = 0;; n++) {
		rc = save_send_settled(x, conn, doc, ver);
		if (!rc || x->unsettled || !save_names_principals(x) ||
		    !save_retry_principal(e->code, e->message))
			return rc;
		delay = save_principal_delay_ms(n, save_monotonic_ms() - start);
		if (delay < 0)
			return rc;
		*retried = true;
		hooks_log(&x->st->host.hooks, LOG_NOTICE,
			  "%s of %s/%s: IAM does not know a principal yet (%s); retrying in %ld ms",
			  save_action_names[x->action], x->role, x->path, e->message, delay);
		save_sleep_ms(delay);
	}
}

/* The refusal after retrying: IAM's words, and that the save waited for IAM. */
static int save_principal_failed(struct save_ctx *x, int rc)
{
	struct aws_error *e = &x->res->aws;

	snprintf(x->res->message, sizeof(x->res->message),
		 "%s of %.200s/%.300s refused: %.60s: %.350s; retried for %d s (IAM may not "
		 "know a principal created seconds ago yet)",
		 save_action_names[x->action], x->role, x->path, e->code, e->message,
		 SAVE_PRINCIPAL_WAIT_MS / 1000);
	return save_refuse(x, rc, true);
}

int save_write(struct save_ctx *x, struct iam_conn *conn, const char *doc, long long *mtime,
	       struct iam_policy_version *ver)
{
	bool retried = false;
	int rc;

	*mtime = hooks_now(&x->st->host.hooks);
	rc = save_send_patient(x, conn, doc, ver, &retried);
	if (x->unsettled)
		return rc;
	if (rc == -EDQUOT && x->kind == CACHE_FILE_ATTACHED)
		return save_full(x);
	if (rc && retried && save_retry_principal(x->res->aws.code, x->res->aws.message))
		return save_principal_failed(x, rc);
	if (rc)
		return save_iam_failed(x, save_action_names[x->action], rc);
	if (x->kind == CACHE_FILE_ATTACHED && ver->create_time)
		*mtime = ver->create_time;
	return 0;
}
