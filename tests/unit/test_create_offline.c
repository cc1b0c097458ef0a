/* Unit tests for pending roles through the cache with no IAM to talk to (a disk
 * copy and a dead endpoint): mkdir's names and letter-case clashes, a pending
 * role.json kept (no call) or refused by field, --read-only and --dry-run of a
 * create, a create whose CreateRole cannot reach IAM (unsettled: its journal
 * entry kept), pending folders across a reopen, and rmdir. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define TRUST	 "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"}]}\n"
#define SETTINGS "{\"Path\": \"/svc/\", \"MaxSessionDuration\": 7200}\n"

static char root[] = "/tmp/iamfs-test-createoff-XXXXXX";

static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));

	offline_role(&roles[0], "web", TRUST, "{\"r\"}\n");
	offline_seed(dir, profile, roles, 1);
}

static int save(struct cache *c, const char *role, enum cache_file_kind kind, const char *bytes,
		struct cache_save_result *res)
{
	struct cache_save s = {.role = role, .kind = kind, .bytes = bytes, .len = strlen(bytes)};

	return cache_save(c, &s, res);
}

static bool pending_in(struct cache *c, const char *role, bool *has_json)
{
	struct cache_view *v = cache_view_get(c);
	const struct cache_role *r = cache_view_find(v, role);
	bool p = r && r->pending;

	if (has_json)
		*has_json = r && r->role_json;
	cache_view_put(v);
	return p;
}

static void test_mkdir_and_json(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache_save inl = {.role = "new-role",
				 .kind = CACHE_FILE_INLINE,
				 .name = "p",
				 .bytes = TRUST,
				 .len = strlen(TRUST)};
	struct cache *c = offline_cache(cl, dir, 0);
	char msg[512];
	bool json;

	if (!c)
		return;
	CHECK_INT(cache_mkdir(c, "bad name", msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "role name") != NULL);
	CHECK_INT(cache_mkdir(c, ".iamfs", msg, sizeof(msg)), -EINVAL);
	CHECK_INT(cache_mkdir(c, "WEB", msg, sizeof(msg)), -EEXIST);
	CHECK(strstr(msg, "web") != NULL);
	CHECK_INT(cache_mkdir(c, "new-role", msg, sizeof(msg)), 0);
	CHECK_INT(cache_mkdir(c, "New-Role", msg, sizeof(msg)), -EEXIST);
	CHECK(pending_in(c, "new-role", &json) && !json);
	CHECK(cache_role_pending(c, "new-role") && !cache_role_pending(c, "web"));
	CHECK_INT(save(c, "new-role", CACHE_FILE_ROLE, "{\"Arn\": \"x\"}", &res), -EINVAL);
	CHECK(strstr(res.message, "Arn") != NULL);
	CHECK_INT(save(c, "new-role", CACHE_FILE_ROLE, SETTINGS, &res), 0);
	CHECK_INT(res.calls, 0);
	CHECK(pending_in(c, "new-role", &json) && json);
	/* A pending role has no inline policies: it is not in IAM yet. */
	CHECK_INT(cache_save(c, &inl, &res), -ENOENT);
	CHECK(offline_status_has(c, "pending roles: 1\npending role: new-role\n"));
	CHECK(offline_status_has(c, "roles: 1\n"));
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_modes(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, OFFLINE_READ_ONLY);
	char msg[512];

	if (!c)
		return;
	CHECK(pending_in(c, "new-role", NULL)); /* kept across a reopen */
	CHECK_INT(cache_mkdir(c, "another", msg, sizeof(msg)), -EROFS);
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), -EROFS);
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), -EROFS);
	cache_close(c);
	c = offline_cache(cl, dir, OFFLINE_DRY_RUN);
	if (!c)
		return;
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), 0);
	CHECK(res.dry_run);
	CHECK_STR(res.action, "CreateRole");
	CHECK(strstr(res.message, "would call CreateRole for new-role (path /svc/") != NULL);
	CHECK_INT(res.calls, 0);
	CHECK(pending_in(c, "new-role", NULL));
	CHECK(offline_status_has(c, "dry-run calls CreateRole: 1\n"));
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, "{\"Version\": \"x\"}", &res), -EINVAL);
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_unreachable(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, 0);
	char folder[700], msg[512];
	bool json;

	if (!c)
		return;
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), -EIO);
	CHECK_STR(res.action, "CreateRole");
	CHECK(res.calls >= 1);
	CHECK(pending_in(c, "new-role", NULL));
	/* Unsettled: compared with IAM at the next mount. */
	CHECK_INT(offline_count_files(folder, "journal"), 1);
	CHECK(pending_in(c, "new-role", &json) && json);
	CHECK_INT(cache_pending_unlink_json(c, "new-role", msg, sizeof(msg)), 0);
	CHECK(pending_in(c, "new-role", &json) && !json);
	CHECK_INT(cache_pending_unlink_json(c, "new-role", msg, sizeof(msg)), -ENOENT);
	CHECK_INT(cache_pending_unlink_json(c, "web", msg, sizeof(msg)), -ENOENT);
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), 0);
	CHECK(!pending_in(c, "new-role", NULL));
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), -ENOENT);
	CHECK_INT(offline_count_files(folder, "pending"), 0);
	CHECK(offline_status_has(c, "pending roles: 0\n"));
	cache_close(c);
}

int main(void)
{
	static void (*const tests[])(struct iam_client *, const char *) = {
		test_mkdir_and_json, test_modes, test_unreachable, NULL};

	return offline_main(root, "create offline", seed, tests);
}
