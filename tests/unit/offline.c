#include "offline.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

long long offline_clock = 1800000000;
char offline_changes[8][96];
int offline_nchanges;

long long offline_now(void *ctx)
{
	return offline_clock;
}

static const char *offline_getenv(void *ctx, const char *name)
{
	if (!strcmp(name, "AWS_ACCESS_KEY_ID"))
		return "AKIDEXAMPLE";
	if (!strcmp(name, "AWS_SECRET_ACCESS_KEY"))
		return "secret";
	if (!strcmp(name, "AWS_REGION"))
		return "us-east-1";
	return NULL;
}

void offline_on_change(void *ctx, const struct cache_change *ch)
{
	if (offline_nchanges < 8)
		snprintf(offline_changes[offline_nchanges++], sizeof(offline_changes[0]),
			 "%d %s %d %s", ch->what, ch->role, ch->kind, ch->name ? ch->name : "-");
}

struct iam_client *offline_client(void)
{
	static const struct creds_env env = {.getenv = offline_getenv, .now = offline_now};
	struct iam_client_options io = {
		.endpoint_url = OFFLINE_URL, .sts_endpoint_url = OFFLINE_URL, .env = &env};
	struct iam_client *cl = NULL;
	struct aws_error err;

	io.query.max_attempts = 1;
	CHECK_INT(iam_client_new(&io, &cl, &err), 0);
	return cl;
}
