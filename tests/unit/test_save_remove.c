/* Unit tests for removals with no IAM to talk to (a disk copy and a dead
 * endpoint): --read-only refuses a detach and a role's deletion; --dry-run sends
 * nothing, counts each call and keeps nothing under removed/; a service-linked
 * role is EPERM and a role with policies ENOTEMPTY, both with no call; an
 * unreachable IAM fails a detach as unsettled (its journal entry stays for the
 * next mount) after its copy was kept under removed/, and a role's deletion
 * with EIO after its trust.json and role.json were kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache_int.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define RO    "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define TRUST "{\n    \"Statement\": []\n}\n"
#define SVC_JSON                                                                                   \
	"{\n    \"RoleName\": \"svc\",\n    \"Path\": "                                            \
	"\"/aws-service-role/ecs.amazonaws.com/\"\n}\n"
#define BARE_JSON "{\n    \"RoleName\": \"bare\",\n    \"Path\": \"/\"\n}\n"

static char root[] = "/tmp/iamfs-test-saveremove-XXXXXX";

static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(3, sizeof(*roles));

	offline_role(&roles[0], "web", TRUST, "{\n    \"RoleName\": \"web\"\n}\n");
	model_role_add_attached(&roles[0], "ReadOnlyAccess", RO, NULL);
	offline_role(&roles[1], "svc", TRUST, SVC_JSON);
	offline_role(&roles[2], "bare", TRUST, BARE_JSON);
	offline_seed(dir, profile, roles, 3);
}

static int detach(struct cache *c, struct cache_save_result *res)
{
	struct cache_save s = {.role = "web",
			       .kind = CACHE_FILE_ATTACHED,
			       .name = "ReadOnlyAccess",
			       .remove = true};

	return cache_save(c, &s, res);
}

static void test_modes(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, OFFLINE_READ_ONLY | OFFLINE_ALLOW_DELETE);
	char folder[700];

	if (!c)
		return;
	CHECK_INT(detach(c, &res), -EROFS);
	CHECK_INT(cache_delete_role(c, "bare", &res), -EROFS);
	CHECK(strstr(res.message, "read-only") != NULL);
	cache_close(c);
	if (!(c = offline_cache(cl, dir, OFFLINE_DRY_RUN | OFFLINE_ALLOW_DELETE)))
		return;
	CHECK(offline_status_has(c, "mode: dry-run, deletes allowed\n"));
	offline_nchanges = 0;
	CHECK_INT(detach(c, &res), 0);
	CHECK(res.dry_run);
	CHECK_STR(res.action, "DetachRolePolicy");
	CHECK(strstr(res.message,
		     "would call DetachRolePolicy for web/attached/ReadOnlyAccess.json "
		     "on " RO) != NULL);
	/* The file comes back. */
	CHECK_INT(offline_nchanges, 1);
	CHECK_STR(offline_changes[0], "2 web 3 ReadOnlyAccess");
	CHECK_INT(cache_delete_role(c, "bare", &res), 0);
	CHECK(res.dry_run);
	CHECK_INT(res.calls, 0);
	CHECK(offline_status_has(c, "dry-run calls DetachRolePolicy: 1\n"));
	CHECK(offline_status_has(c, "dry-run calls DeleteRole: 1\n"));
	CHECK_INT(iam_client_total_calls(cl), 0);
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	CHECK_INT(offline_count_files(folder, "removed"), 0);
	CHECK_INT(offline_count_files(folder, "journal"), 0);
	cache_close(c);
}

static void test_refusals(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, OFFLINE_ALLOW_DELETE);
	char folder[700];
	struct buf b;

	if (!c)
		return;
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	CHECK(offline_status_has(c, "mode: read-write, deletes allowed\n"));
	CHECK_INT(cache_delete_role(c, "svc", &res), -EPERM);
	CHECK(strstr(res.message, "service-linked") != NULL);
	CHECK_INT(cache_delete_role(c, "web", &res), -ENOTEMPTY);
	CHECK(strstr(res.message, "0 inline and 1 attached") != NULL);
	CHECK_INT(cache_delete_role(c, "nope", &res), -ENOENT);
	CHECK_INT(iam_client_total_calls(cl), 0);
	/* IAM unreachable: the detach cannot be settled; its entry stays journaled. */
	CHECK_INT(detach(c, &res), -EIO);
	CHECK(strstr(res.message, "unsettled") != NULL);
	CHECK_INT(offline_count_files(folder, "journal"), 1);
	CHECK_INT(offline_count_files(folder, "removed"), 1);
	/* The deletion's listing fails: refused, the entry ended, the copies kept. */
	CHECK_INT(cache_delete_role(c, "bare", &res), -EIO);
	CHECK(strstr(res.message, "ListInstanceProfilesForRole of role bare failed") != NULL);
	CHECK(strstr(res.message, "landed before it: nothing") != NULL);
	CHECK_INT(offline_count_files(folder, "journal"), 1);
	CHECK_INT(offline_count_files(folder, "removed"), 3);
	CHECK(offline_status_has(c, "removed files: 3\n"));
	buf_init(&b, 0);
	CHECK_INT(cache_errors_text(c, &b), 0);
	CHECK(b.data && strstr(b.data, " svc/ EPERM local: "));
	CHECK(b.data && strstr(b.data, " web/ ENOTEMPTY local: "));
	CHECK(b.data && strstr(b.data, " web/attached/ReadOnlyAccess.json EIO ConnectionError: "));
	CHECK(b.data && strstr(b.data, " bare/ EIO ConnectionError: "));
	buf_cleanup(&b);
	cache_close(c);
}

int main(void)
{
	static void (*const tests[])(struct iam_client *, const char *) = {test_modes,
									   test_refusals, NULL};

	return offline_main(root, "save remove", seed, tests);
}
