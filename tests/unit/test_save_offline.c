/* Unit tests for cache_save with no IAM to talk to (a disk copy and a dead
 * endpoint): --read-only refuses, validation and conflicts by generation refuse
 * without a call, a save of the same value sends nothing and reads back as
 * saved, --dry-run reverts the file, AWS managed and role.json are EPERM, an
 * unreachable IAM is EIO; every refusal is in the errors text and rejected/,
 * and the journal is left empty. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache_int.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define TRUST                                                                                      \
	"{\n    \"Statement\": [\n        {\n            \"Effect\": \"Allow\"\n        }\n    "   \
	"]\n}\n"

#define ROLE_JSON "{\n    \"RoleName\": \"web\",\n    \"RoleId\": \"AROAWEB\"\n}\n"

static char root[] = "/tmp/iamfs-test-saveoff-XXXXXX";

static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));

	offline_role(&roles[0], "web", TRUST, ROLE_JSON);
	model_role_add_attached(&roles[0], "ReadOnlyAccess", RO, NULL);
	offline_seed(dir, profile, roles, 1);
}

static unsigned long long trust_gen(struct cache *c, long long *mtime, char *bytes, size_t cap)
{
	struct cache_view *v = cache_view_get(c);
	const struct cache_role *r = cache_view_find(v, "web");
	unsigned long long g = r ? r->trust->gen : 0;

	if (r && mtime)
		*mtime = r->trust->mtime;
	if (r && bytes)
		snprintf(bytes, cap, "%s", r->trust->bytes);
	cache_view_put(v);
	return g;
}

static int save(struct cache *c, enum cache_file_kind kind, const char *name, const char *bytes,
		unsigned long long base, struct cache_save_result *res)
{
	struct cache_save s = {.role = "web",
			       .kind = kind,
			       .name = name,
			       .bytes = bytes,
			       .len = strlen(bytes),
			       .base_gen = base};

	return cache_save(c, &s, res);
}

/* rm of inline/<name>.json of role web. */
static int remove_inline(struct cache *c, const char *name, struct cache_save_result *res)
{
	struct cache_save s = {
		.role = "web", .kind = CACHE_FILE_INLINE, .name = name, .remove = true};

	return cache_save(c, &s, res);
}

static void test_modes(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, OFFLINE_READ_ONLY);
	struct buf b;
	const char *same = "{\"Statement\": [{\"Effect\": \"Allow\"}]}";

	if (!c)
		return;
	CHECK_INT(save(c, CACHE_FILE_TRUST, NULL, "{}", 0, &res), -EROFS);
	CHECK(strstr(res.message, "read-only") != NULL);
	CHECK_INT(remove_inline(c, "p", &res), -EROFS);
	cache_close(c);
	c = offline_cache(cl, dir, OFFLINE_DRY_RUN);
	if (!c)
		return;
	offline_nchanges = 0;
	CHECK_INT(save(c, CACHE_FILE_TRUST, NULL, "{\"Statement\": {\"Effect\": \"Deny\"}}",
		       trust_gen(c, NULL, NULL, 0), &res),
		  0);
	CHECK(res.dry_run);
	CHECK_INT(res.calls, 0);
	CHECK_STR(res.action, "UpdateAssumeRolePolicy");
	CHECK_INT(offline_nchanges, 1);
	CHECK_STR(offline_changes[0], "4 web 0 -");
	CHECK_INT(save(c, CACHE_FILE_INLINE, "new", "{\"Statement\": []}", 0, &res), -EINVAL);
	/* The refusal: its kept file, for rejected/'s listing (a refusal has no file kind). */
	CHECK_STR(offline_changes[1], "5 web 0 20270115T080000Z-web-inline-new.json");
	CHECK_INT(save(c, CACHE_FILE_INLINE, "new", same, 0, &res), 0);
	CHECK_STR(offline_changes[2], "3 web 2 new");
	buf_init(&b, 0);
	CHECK_INT(cache_status(c, &b), 0);
	CHECK(b.data && strstr(b.data, "dry-run calls: 2\n"));
	CHECK(b.data && strstr(b.data, "dry-run calls PutRolePolicy: 1\n"));
	CHECK(b.data && strstr(b.data, "saves refused: 1\n"));
	buf_cleanup(&b);
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_refusals(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, 0);
	const char *same = "{\"Statement\": [{\"Effect\": \"Allow\"}]}";
	char folder[700], bytes[256];
	unsigned long long g;
	long long mtime;
	struct buf b;

	if (!c)
		return;
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	g = trust_gen(c, &mtime, NULL, 0);
	/* Same value: nothing sent, the saved bytes read back, mtime moves. */
	offline_clock += 5;
	CHECK_INT(save(c, CACHE_FILE_TRUST, NULL, same, g, &res), 0);
	CHECK(res.noop);
	CHECK_INT(res.calls, 0);
	CHECK(trust_gen(c, &mtime, bytes, sizeof(bytes)) == model_hash(same, strlen(same)));
	CHECK_STR(bytes, same);
	CHECK_INT(mtime, offline_clock);
	/* The view moved on since the file was opened. */
	CHECK_INT(save(c, CACHE_FILE_TRUST, NULL, "{\"Statement\": {}}", g, &res), -ESTALE);
	CHECK(strstr(res.message, "changed in IAM since it was read") != NULL);
	CHECK_INT(save(c, CACHE_FILE_ATTACHED, "ReadOnlyAccess", same, 0, &res), -EPERM);
	/* role.json: a read-only field changed is refused; leaving it out changes nothing. */
	CHECK_INT(save(c, CACHE_FILE_ROLE, NULL, "{\"RoleId\": \"AROAOTHER\"}", 0, &res), -EPERM);
	CHECK(strstr(res.message, "\"RoleId\" cannot be changed") != NULL);
	CHECK_INT(save(c, CACHE_FILE_ROLE, NULL, "{}", 0, &res), 0);
	CHECK(res.noop);
	CHECK_INT(res.calls, 0);
	CHECK_INT(save(c, CACHE_FILE_TRUST, NULL, "{\"Statement\": {}} x", 0, &res), -EINVAL);
	/* IAM unreachable: the conflict read fails. */
	CHECK_INT(
		save(c, CACHE_FILE_TRUST, NULL, "{\"Statement\": {\"Effect\": \"Deny\"}}", 0, &res),
		-EIO);
	CHECK_INT(res.calls, 1);
	CHECK_STR(res.aws.code, "ConnectionError");
	CHECK_INT(remove_inline(c, "nope", &res), -ENOENT);
	buf_init(&b, 0);
	CHECK_INT(cache_errors_text(c, &b), 0);
	CHECK(b.data && strstr(b.data, " web/trust.json ESTALE local: "));
	CHECK(b.data && strstr(b.data, " web/attached/ReadOnlyAccess.json EPERM local: "));
	CHECK(b.data && strstr(b.data, " web/role.json EPERM local: "));
	CHECK(b.data && strstr(b.data, " web/trust.json EIO ConnectionError: GetRole of "));
	buf_cleanup(&b);
	/* Five here and the one refused during the dry-run mount. */
	CHECK_INT(offline_count_files(folder, "rejected"), 6);
	CHECK_INT(offline_count_files(folder, "journal"), 0);
	cache_close(c);
}

int main(void)
{
	static void (*const tests[])(struct iam_client *, const char *) = {test_modes,
									   test_refusals, NULL};

	return offline_main(root, "save offline", seed, tests);
}
