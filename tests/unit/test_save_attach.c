/* Unit tests for attaching through a new attached/ name with no IAM to talk to (a
 * disk copy and a dead endpoint): a name attached meanwhile is done or EEXIST, a
 * link whose name is not the ARN's is EINVAL, --dry-run names the call and sends
 * nothing, --read-only refuses, an unreachable IAM is EIO with the journal left
 * empty; every refusal is in the errors text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
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

	offline_role(&roles[0], "web", DOC, "{\"r\"}\n");
	model_role_add_attached(&roles[0], "cust", CUST, model_doc_new(DOC, strlen(DOC), 13));
	offline_seed(dir, profile, roles, 1);
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
	struct cache *c = offline_cache(cl, dir, OFFLINE_READ_ONLY);

	if (!c)
		return;
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, NULL, &res), -EROFS);
	CHECK_INT(attach(c, "AWSLambdaRole", NULL, LAMBDA, &res), -EROFS);
	cache_close(c);
	c = offline_cache(cl, dir, OFFLINE_DRY_RUN);
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
	CHECK(offline_status_has(c, "dry-run calls AttachRolePolicy: 1\n"));
	CHECK_INT(iam_client_total_calls(cl), 0);
	cache_close(c);
}

static void test_refusals(struct iam_client *cl, const char *dir)
{
	struct cache_save_result res;
	struct cache *c = offline_cache(cl, dir, 0);
	char folder[700];

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
	CHECK_INT(offline_count_files(folder, "journal"), 0);
	cache_close(c);
}

int main(void)
{
	static void (*const tests[])(struct iam_client *, const char *) = {test_modes,
									   test_refusals, NULL};

	return offline_main(root, "save attach offline", seed, tests);
}
