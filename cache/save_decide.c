/*
 * The pure decisions of saving, driven by unit tests with plain values: how much
 * of a role's inline budget a policy may use, the local half of the conflict
 * check, whether IAM's text is the view's document, whether a managed policy's
 * default version is the one the view holds, which version to prune, which
 * refusals are retried for how long, and which actions remove something. No I/O,
 * no clock, no state.
 */
#include "cache/save_int.h"

#include <errno.h>
#include <string.h>

#include "cache/load.h"
#include "cache/model.h"
#include "cache/validate.h"

size_t save_inline_budget(const struct cache_role *r, const char *name)
{
	size_t used = 0, i;

	for (i = 0; r && i < r->ninl; i++)
		if (strcmp(r->inl[i].name, name) && r->inl[i].doc)
			used += validate_count_size(r->inl[i].doc->bytes, r->inl[i].doc->len);
	return used >= VALIDATE_INLINE_LIMIT ? 0 : VALIDATE_INLINE_LIMIT - used;
}

int save_base_check(const struct cache_doc *cur, unsigned long long base_gen)
{
	if (!base_gen)
		return 0;
	return cur && cur->gen == base_gen ? 0 : -ESTALE;
}

bool save_remote_same(const char *iam_text, const struct cache_doc *cur)
{
	struct cache_doc *d;
	bool same;

	if (!iam_text || !cur)
		return !iam_text && !cur;
	if (validate_same_value(iam_text, strlen(iam_text), cur->bytes, cur->len) == 1)
		return true;
	/* Text that is not JSON is served as sent: compare the served bytes. */
	d = load_render_doc(iam_text, 0);
	same = d && model_doc_same(d, cur);
	cache_doc_unref(d);
	return same;
}

bool save_managed_unchanged(const char *known_vid, const char *default_vid,
			    long long default_created, long long doc_mtime)
{
	if (!default_vid)
		return false;
	if (known_vid)
		return !strcmp(known_vid, default_vid);
	return default_created != 0 && default_created == doc_mtime;
}

static long save_version_number(const char *vid)
{
	long n = 0;

	if (!vid || (vid[0] != 'v' && vid[0] != 'V'))
		return 0;
	for (vid++; *vid >= '0' && *vid <= '9' && n < 100000000; vid++)
		n = n * 10 + (*vid - '0');
	return n;
}

long save_prune_choice(const struct iam_version_list *l)
{
	long best = -1;
	size_t i;

	for (i = 0; l && i < l->n; i++) {
		const struct iam_policy_version *v = &l->v[i], *b;
		long long t, bt;

		if (v->is_default || !v->version_id)
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		b = &l->v[best];
		t = v->create_time;
		bt = b->create_time;
		if (t < bt || (t == bt && save_version_number(v->version_id) <
						  save_version_number(b->version_id)))
			best = (long)i;
	}
	return best;
}

const struct iam_policy_version *save_default(const struct iam_version_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].is_default)
			return &l->v[i];
	return NULL;
}

bool save_retry_principal(const char *code, const char *message)
{
	static const char prefix[] = "Invalid principal";

	return code && message && !strcmp(code, "MalformedPolicyDocument") &&
	       !strncmp(message, prefix, sizeof(prefix) - 1);
}

long save_principal_delay_ms(int retries, long long waited_ms)
{
	long delay = SAVE_PRINCIPAL_FIRST_MS;

	if (retries < 0 || waited_ms < 0 || waited_ms >= SAVE_PRINCIPAL_WAIT_MS)
		return -1;
	while (retries-- > 0 && delay < SAVE_PRINCIPAL_STEP_MS)
		delay *= 2;
	if (delay > SAVE_PRINCIPAL_STEP_MS)
		delay = SAVE_PRINCIPAL_STEP_MS;
	if (waited_ms + delay > SAVE_PRINCIPAL_WAIT_MS)
		delay = (long)(SAVE_PRINCIPAL_WAIT_MS - waited_ms);
	return delay;
}

bool save_action_removes(enum save_action a)
{
	return a == SAVE_DELETE_INLINE || a == SAVE_DETACH || a == SAVE_DELETE_ROLE;
}
