/* Unit tests for attaching through a new attached/ name with no IAM to talk to (a
 * disk copy and a dead endpoint): a name attached meanwhile is done or EEXIST, a
 * link whose name is not the ARN's is EINVAL, --dry-run names the call and sends
 * nothing, --read-only refuses, an unreachable IAM is EIO with the journal left
 * empty; every refusal is in the errors text. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

#define LAMBDA "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
#define CUST   "arn:aws:iam::123456789012:policy/cust"
#define DOC    "{\n    \"Statement\": []\n}\n"

static char root[] = "/tmp/iamfs-test-saveatt-XXXXXX";

static void seed(const char *dir, const char *profile)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));
	struct cache_view *v;
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me",
				 offline_clock};
	char folder[600];

	roles[0].name = strdup("web");
	roles[0].mtime = 10;
	roles[0].trust = model_doc_new(DOC, strlen(DOC), 11);
	roles[0].role_json = model_doc_new("{\"r\"}\n", 6, 12);
	model_role_add_attached(&roles[0], "cust", CUST, model_doc_new(DOC, strlen(DOC), 13));
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

/* A new attached/NAME.json of role web: closed with bytes (NULL: empty), or
 * linked to arn. */
static int attach(struct cache *c, const char *name, const char *bytes, const char *arn,
		  struct cache_save_result *res)
{
	struct cache_save s = {.role = "web",
			       .kind = CACHE_FILE_ATTACHED,
			       .name = name,
			       .bytes = bytes,
			       .len = bytes ? strlen(bytes) : 0,
			       .arn = arn};

	return cache_save(c, &s, res);
}

static bool errors_have(struct cache *c, const char *s)
{
	struct buf b;
	bool found;

	buf_init(&b, 0);
	found = !cache_errors_text(c, &b) && b.data && strstr(b.data, s);
	buf_cleanup(&b);
	return found;
}

static void test_modes(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = open_cache(cl, dir, true, false);
	struct buf b;

	if (!c)
		return;
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, NULL, &res), -EROFS);
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, LAMBDA, &res), -EROFS);
	cache_close(c);
	c = open_cache(cl, dir, false, true);
	if (!c)
		return;
	offline_nchanges = 0;
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, LAMBDA, &res), 0);
	CHECK(res.dry_run);
	CHECK_INT(res.calls, 0);
	CHECK_STR(res.action, "AttachRolePolicy");
	CHECK(strstr(res.message, "would call AttachRolePolicy on " LAMBDA) != NULL);
	CHECK_INT(offline_nchanges, 1);
	CHECK_STR(offline_changes[0], "3 web 3 AWSLambdaRole"); /* the new name goes away */
	buf_init(&b, 0);
	CHECK_INT(cache_status(c, &b), 0);
	CHECK(b.data && strstr(b.data, "dry-run calls AttachRolePolicy: 1\n"));
	buf_cleanup(&b);
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_refusals(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = open_cache(cl, dir, false, false);
	char folder[700], path[800];
	DIR *d;
	int n = 0;

	if (!c)
		return;
	/* Attached meanwhile: the same policy is done, another is EEXIST. */
	CHECK_INT(attach(c, "cust", NULL, NULL, &res), 0);
	CHECK(res.noop);
	CHECK_INT(attach(c, "cust", NULL, CUST, &res), 0);
	CHECK_INT(attach(c, "cust", "{\"Statement\": []}", NULL, &res), 0);
	CHECK_INT(attach(c, "cust", NULL, "arn:aws:iam::123456789012:policy/x/cust", &res),
		  -EEXIST);
	CHECK_INT(attach(c, "cust", "{\"Statement\": [{}]}", NULL, &res), -EEXIST);
	CHECK_INT(res.calls, 0);
	/* A link whose name is not the ARN's, or that is no policy's ARN. */
	CHECK_INT(attach(c, "Lambda", NULL, LAMBDA, &res), -EINVAL);
	CHECK_INT(attach(c, "web", NULL, "arn:aws:iam::123456789012:role/web", &res), -EINVAL);
	CHECK_INT(res.calls, 0);
	/* A document that is not a policy is refused before anything is sent. */
	CHECK_INT(attach(c, "new", "{\"Statement\": ", NULL, &res), -EINVAL);
	CHECK_INT(res.calls, 0);
	/* IAM unreachable: the name cannot be resolved. */
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, NULL, &res), -EIO);
	CHECK_INT(res.calls, 1);
	CHECK(errors_have(c, " web/attached/cust.json EEXIST local: "));
	CHECK(errors_have(c, "the file is named \"Lambda.json\""));
	CHECK(errors_have(c, " web/attached/AWSLambdaRole.json EIO ConnectionError: ListPolicies"));
	CHECK_INT(cache_folder(c, folder, sizeof(folder)), 0);
	snprintf(path, sizeof(path), "%s/journal", folder);
	if ((d = opendir(path))) {
		struct dirent *e;

		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
	}
	CHECK_INT(n, 0);
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
		test_modes(cl, dir);
		test_refusals(cl, dir);
	}
	iam_client_free(cl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return check_done("save attach offline");
}
