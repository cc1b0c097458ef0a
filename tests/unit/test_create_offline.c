/* Unit tests for pending roles through the cache with no IAM to talk to (a disk
 * copy and a dead endpoint): mkdir's names and letter-case clashes, a pending
 * role.json kept (no call) or refused by field, --read-only and --dry-run of a
 * create, a create whose CreateRole cannot reach IAM (unsettled: its journal
 * entry kept), pending folders across a reopen, and rmdir. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define TRUST	 "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"}]}\n"
#define SETTINGS "{\"Path\": \"/svc/\", \"MaxSessionDuration\": 7200}\n"

static char root[] = "/tmp/iamfs-test-createoff-XXXXXX";

static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me",
				 offline_clock};
	struct cache_view *v;
	char folder[600];

	roles[0].name = strdup("web");
	roles[0].mtime = 10;
	roles[0].trust = model_doc_new(TRUST, strlen(TRUST), 11);
	roles[0].role_json = model_doc_new("{\"r\"}\n", 6, 12);
	v = model_view_new(roles, 1, 1);
	CHECK(snprintf(folder, sizeof(folder), "%s/123456789012-x", dir) < (int)sizeof(folder));
	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	CHECK_INT(disk_index_store(dir, profile, OFFLINE_URL, "123456789012-x"), 0);
	cache_view_put(v);
}

static struct cache *open_cache(struct iam_client *cl, const char *dir, bool ro, bool dry)
{
	struct cache_options o = {.dir = dir,
				  .ttl = 60,
				  .iam = cl,
				  .now = offline_now,
				  .on_change = offline_on_change,
				  .read_only = ro,
				  .dry_run = dry};
	struct cache *c = NULL;
	struct aws_error err;

	CHECK_INT(cache_open(&o, &c, &err), 0);
	return c;
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

static bool status_has(struct cache *c, const char *line)
{
	struct buf b;
	bool has;

	buf_init(&b, 0);
	CHECK_INT(cache_status(c, &b), 0);
	has = b.data && strstr(b.data, line);
	if (!has)
		fprintf(stderr, "status lacks \"%s\":\n%s", line, b.data ? b.data : "");
	buf_cleanup(&b);
	return has;
}

static int count_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_mkdir_and_json(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache_save inl = {.role = "new-role",
				 .kind = CACHE_FILE_INLINE,
				 .name = "p",
				 .bytes = TRUST,
				 .len = strlen(TRUST)};
	struct cache *c = open_cache(cl, dir, false, false);
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
	CHECK(status_has(c, "pending roles: 1\npending role: new-role\n"));
	CHECK(status_has(c, "roles: 1\n"));
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_modes(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = open_cache(cl, dir, true, false);
	char msg[512];

	if (!c)
		return;
	CHECK(pending_in(c, "new-role", NULL)); /* kept across a reopen */
	CHECK_INT(cache_mkdir(c, "another", msg, sizeof(msg)), -EROFS);
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), -EROFS);
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), -EROFS);
	cache_close(c);
	c = open_cache(cl, dir, false, true);
	if (!c)
		return;
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), 0);
	CHECK(res.dry_run);
	CHECK_STR(res.action, "CreateRole");
	CHECK(strstr(res.message, "would call CreateRole for new-role (path /svc/") != NULL);
	CHECK_INT(res.calls, 0);
	CHECK(pending_in(c, "new-role", NULL));
	CHECK(status_has(c, "dry-run calls CreateRole: 1\n"));
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, "{\"Version\": \"x\"}", &res), -EINVAL);
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_unreachable(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = open_cache(cl, dir, false, false);
	char folder[700], path[800], msg[512];
	bool json;

	if (!c)
		return;
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	CHECK_INT(save(c, "new-role", CACHE_FILE_TRUST, TRUST, &res), -EIO);
	CHECK_STR(res.action, "CreateRole");
	CHECK(res.calls >= 1);
	CHECK(pending_in(c, "new-role", NULL));
	snprintf(path, sizeof(path), "%s/journal", folder);
	CHECK_INT(count_files(path), 1); /* unsettled: compared with IAM at the next mount */
	CHECK(pending_in(c, "new-role", &json) && json);
	CHECK_INT(cache_pending_unlink_json(c, "new-role", msg, sizeof(msg)), 0);
	CHECK(pending_in(c, "new-role", &json) && !json);
	CHECK_INT(cache_pending_unlink_json(c, "new-role", msg, sizeof(msg)), -ENOENT);
	CHECK_INT(cache_pending_unlink_json(c, "web", msg, sizeof(msg)), -ENOENT);
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), 0);
	CHECK(!pending_in(c, "new-role", NULL));
	CHECK_INT(cache_rmdir_pending(c, "new-role", msg, sizeof(msg)), -ENOENT);
	snprintf(path, sizeof(path), "%s/pending", folder);
	CHECK_INT(count_files(path), 0);
	CHECK(status_has(c, "pending roles: 0\n"));
	cache_close(c);
}

int main(void)
{
	struct iam_client *cl;
	char dir[600], cmd[700];

	if (!mkdtemp(root))
		return 1;
	cl = offline_client();
	snprintf(dir, sizeof(dir), "%s/c", root);
	if (cl) {
		seed(dir, iam_client_profile(cl));
		test_mkdir_and_json(cl, dir);
		test_modes(cl, dir);
		test_unreachable(cl, dir);
	}
	iam_client_free(cl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return check_done("create offline");
}
