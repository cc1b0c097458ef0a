#include "offline.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/disk.h"

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

void offline_role(struct cache_role *r, const char *name, const char *trust, const char *role_json)
{
	r->name = strdup(name);
	r->mtime = 10;
	r->trust = model_doc_new(trust, strlen(trust), 11);
	r->role_json = model_doc_new(role_json, strlen(role_json), 12);
}

void offline_seed(const char *dir, const char *profile, struct cache_role *roles, size_t n)
{
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me",
				 offline_clock};
	struct cache_view *v = model_view_new(roles, n, 1);
	char folder[600];

	CHECK(snprintf(folder, sizeof(folder), "%s/123456789012-x", dir) < (int)sizeof(folder));
	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	CHECK_INT(disk_index_store(dir, profile, OFFLINE_URL, "123456789012-x"), 0);
	cache_view_put(v);
}

struct cache *offline_cache(struct iam_client *cl, const char *dir, unsigned modes)
{
	struct cache_options o = {.dir = dir,
				  .ttl = 60,
				  .iam = cl,
				  .now = offline_now,
				  .on_change = offline_on_change,
				  .read_only = modes & OFFLINE_READ_ONLY,
				  .dry_run = modes & OFFLINE_DRY_RUN,
				  .allow_delete = modes & OFFLINE_ALLOW_DELETE};
	struct cache *c = NULL;
	struct aws_error err;

	CHECK_INT(cache_open(&o, &c, &err), 0);
	return c;
}

int offline_count_files(const char *folder, const char *sub)
{
	char path[800];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", folder, sub);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int offline_main(char *tmpl, const char *what, void (*seed)(const char *dir, const char *profile),
		 void (*const *tests)(struct iam_client *cl, const char *dir))
{
	struct iam_client *cl;
	char dir[600], cmd[700];

	if (!mkdtemp(tmpl))
		return 1;
	cl = offline_client();
	snprintf(dir, sizeof(dir), "%s/c", tmpl);
	if (cl) {
		seed(dir, iam_client_profile(cl));
		for (; *tests; tests++)
			(*tests)(cl, dir);
	}
	iam_client_free(cl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	CHECK_INT(system(cmd), 0);
	return check_done(what);
}

struct cache_view *offline_sample_view(const char *trust0)
{
	struct cache_role *roles = calloc(2, sizeof(*roles));
	struct cache_doc *shared = model_doc_new("{\n    \"S\": 1\n}\n", 15, 300);

	roles[0].name = strdup("zeta");
	roles[0].mtime = 100;
	roles[0].trust = model_doc_new(trust0, strlen(trust0), 101);
	roles[0].role_json = model_doc_new("{}\n", 3, 102);
	model_role_add_inline(&roles[0], "b", model_doc_new("[]\n", 3, 103));
	model_role_add_inline(&roles[0], "a", model_doc_new("[1]\n", 4, 104));
	cache_doc_ref(shared);
	model_role_add_attached(&roles[0], "Shared", OFFLINE_SHARED, shared);
	model_role_add_attached(&roles[0], "ReadOnlyAccess", OFFLINE_RO, NULL);
	roles[1].name = strdup("alpha");
	roles[1].mtime = 200;
	roles[1].trust = model_doc_new("{}\n", 3, 201);
	roles[1].role_json = model_doc_new("{\"x\"}\n", 6, 202);
	model_role_add_attached(&roles[1], "Shared", OFFLINE_SHARED, shared);
	return model_view_new(roles, 2, 7);
}

int offline_mapped(const char *folder)
{
	char line[1024], want[600];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	snprintf(want, sizeof(want), "%s/view.json", folder);
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return n;
}

bool offline_status_has(struct cache *c, const char *line)
{
	struct buf b;
	bool found;

	buf_init(&b, 0);
	CHECK_INT(cache_status(c, &b), 0);
	found = b.data && strstr(b.data, line);
	if (!found)
		fprintf(stderr, "status lacks \"%s\":\n%s", line, b.data ? b.data : "");
	buf_cleanup(&b);
	return found;
}
