/*
 * Unit tests for fs/opts.c: the iamfs command line (README, Using it) parsed from
 * tables of argv and environment, checking every field and every error.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fs/opts.h"

#define ARGV_MAX 16

struct env_pair {
	const char *name, *value;
};

static const char *env_lookup(void *ctx, const char *name)
{
	const struct env_pair *e = ctx;

	for (; e && e->name; e++) {
		if (!strcmp(e->name, name))
			return e->value;
	}
	return NULL;
}

static const struct env_pair env_home[] = {{"HOME", "/home/u"}, {NULL, NULL}};
static const struct env_pair env_xdg[] = {
	{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/x/cache"}, {NULL, NULL}};
static const struct env_pair env_xdg_relative[] = {
	{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "rel"}, {NULL, NULL}};
static const struct env_pair env_none[] = {{NULL, NULL}};

struct ok_case {
	const char *argv[ARGV_MAX];
	const struct env_pair *env;
	const char *mountpoint, *profile, *endpoint, *sts, *cache_dir, *fuse_opts;
	unsigned ttl;
	bool read_only, dry_run, prune, allow_delete, fg, debug, version, help;
	bool no_prefetch;
	bool no_cpu_latency;
};

#define HOMEC "/home/u/.cache/iamfs"

static const struct ok_case ok_cases[] = {
	{.argv = {"iamfs", "/mnt"},
	 .env = env_home,
	 .mountpoint = "/mnt",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "/mnt"},
	 .env = env_xdg,
	 .mountpoint = "/mnt",
	 .cache_dir = "/x/cache/iamfs",
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "/mnt"},
	 .env = env_xdg_relative,
	 .mountpoint = "/mnt",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "--profile", "dev", "--ttl", "5", "-f", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .profile = "dev",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 5,
	 .fg = true},
	{.argv = {"iamfs", "--profile=dev", "--ttl=0", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .profile = "dev",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 0},
	{.argv = {"iamfs", "--endpoint-url", "http://127.0.0.1:5000", "--sts-endpoint-url=http://s",
		  "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .endpoint = "http://127.0.0.1:5000",
	 .sts = "http://s",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "--cache-dir", "/tmp/c", "m"},
	 .env = env_none,
	 .mountpoint = "m",
	 .cache_dir = "/tmp/c",
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "--cache-dir=rel/c", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = "rel/c",
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "--allow-delete", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60,
	 .allow_delete = true},
	{.argv = {"iamfs", "--no-prefetch", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60,
	 .no_prefetch = true},
	{.argv = {"iamfs", "-o", "ro,no_prefetch", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "ro",
	 .ttl = 60,
	 .no_prefetch = true},
	{.argv = {"iamfs", "--no-cpu-latency", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60,
	 .no_cpu_latency = true},
	{.argv = {"iamfs", "-o", "no_cpu_latency,ro", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "ro",
	 .ttl = 60,
	 .no_cpu_latency = true},
	{.argv = {"iamfs", "--read-only", "--dry-run", "--prune-versions", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60,
	 .read_only = true,
	 .dry_run = true,
	 .prune = true},
	{.argv = {"iamfs", "-d", "m"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60,
	 .fg = true,
	 .debug = true},
	{.argv = {"iamfs", "-o", "allow_other", "-oro,noatime", "m", "-o", "x=1"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "allow_other,ro,noatime,x=1",
	 .ttl = 60},
	{.argv = {"iamfs", "m", "--ttl", "86400"},
	 .env = env_home,
	 .mountpoint = "m",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 86400},
	{.argv = {"iamfs", "--", "-odd"},
	 .env = env_home,
	 .mountpoint = "-odd",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	/* mount.fuse3 from /etc/fstab: SOURCE MOUNTPOINT -o OPTIONS. */
	{.argv = {"iamfs", "dev", "/mnt/iam", "-o",
		  "rw,nosuid,nodev,profile=ops,ttl=30,read_only,allow_other"},
	 .env = env_home,
	 .mountpoint = "/mnt/iam",
	 .profile = "ops",
	 .cache_dir = HOMEC,
	 .fuse_opts = "rw,nosuid,nodev,allow_other",
	 .ttl = 30,
	 .read_only = true},
	{.argv = {"iamfs", "dev", "/mnt/iam"},
	 .env = env_home,
	 .mountpoint = "/mnt/iam",
	 .profile = "dev",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "--profile", "cli", "dev", "/mnt/iam"},
	 .env = env_home,
	 .mountpoint = "/mnt/iam",
	 .profile = "cli",
	 .cache_dir = HOMEC,
	 .fuse_opts = "",
	 .ttl = 60},
	{.argv = {"iamfs", "-oendpoint_url=http://127.0.0.1:9,sts_endpoint_url=http://s:1", "-o",
		  "cache_dir=/c,dry_run,prune_versions,,x,allow_delete", "m"},
	 .env = env_none,
	 .mountpoint = "m",
	 .endpoint = "http://127.0.0.1:9",
	 .sts = "http://s:1",
	 .cache_dir = "/c",
	 .fuse_opts = "x",
	 .ttl = 60,
	 .dry_run = true,
	 .prune = true,
	 .allow_delete = true},
	{.argv = {"iamfs", "--version"},
	 .env = env_none,
	 .cache_dir = "",
	 .fuse_opts = "",
	 .ttl = 60,
	 .version = true},
	{.argv = {"iamfs", "--help", "m"},
	 .env = env_none,
	 .mountpoint = "m",
	 .cache_dir = "",
	 .fuse_opts = "",
	 .ttl = 60,
	 .help = true},
	{.argv = {"iamfs", "-h"},
	 .env = env_none,
	 .cache_dir = "",
	 .fuse_opts = "",
	 .ttl = 60,
	 .help = true},
};

struct err_case {
	const char *argv[ARGV_MAX];
	const struct env_pair *env;
	const char *message;
};

static const struct err_case err_cases[] = {
	{{"iamfs"}, env_home, "no mount point given (usage: iamfs [options] [PROFILE] MOUNTPOINT)"},
	{{"iamfs", "a", "b", "c"},
	 env_home,
	 "too many arguments (\"a\", \"b\", then \"c\"; usage: iamfs [options] [PROFILE] "
	 "MOUNTPOINT)"},
	{{"iamfs", "-o", "ttl=x", "m"},
	 env_home,
	 "--ttl needs a whole number of seconds from 0 to 31536000, not \"x\""},
	{{"iamfs", "-o", "profile", "m"},
	 env_home,
	 "option -o profile needs a value (profile=...)"},
	{{"iamfs", "-o", "cache_dir=", "m"},
	 env_home,
	 "option -o cache_dir needs a value (cache_dir=...)"},
	{{"iamfs", "-o", "read_only=1", "m"}, env_home, "option -o read_only takes no value"},
	{{"iamfs", "-o", "allow_delete=yes", "m"},
	 env_home,
	 "option -o allow_delete takes no value"},
	{{"iamfs", "--bogus", "m"}, env_home, "unknown option \"--bogus\" (see iamfs --help)"},
	{{"iamfs", "-x", "m"}, env_home, "unknown option \"-x\" (see iamfs --help)"},
	{{"iamfs", "--ttl", "abc", "m"},
	 env_home,
	 "--ttl needs a whole number of seconds from 0 to 31536000, not \"abc\""},
	{{"iamfs", "--ttl", "-1", "m"},
	 env_home,
	 "--ttl needs a whole number of seconds from 0 to 31536000, not \"-1\""},
	{{"iamfs", "--ttl", "99999999999", "m"},
	 env_home,
	 "--ttl needs a whole number of seconds from 0 to 31536000, not \"99999999999\""},
	{{"iamfs", "m", "--ttl"}, env_home, "option --ttl needs a value"},
	{{"iamfs", "--profile=", "m"}, env_home, "option --profile needs a non-empty value"},
	{{"iamfs", "--read-only=yes", "m"}, env_home, "option --read-only takes no value"},
	{{"iamfs", "m", "-o"}, env_home, "option -o needs a value"},
	{{"iamfs", "m"}, env_none, "no cache folder: set --cache-dir, $XDG_CACHE_HOME or $HOME"},
	{{"iamfs", "--profile-list", "x", "m"},
	 env_home,
	 "unknown option \"--profile-list\" (see iamfs --help)"},
	{{"iamfs", "--org", "--profiles", "a", "m"},
	 env_home,
	 "--org, --profiles and --all-profiles choose the accounts in different ways: give one "
	 "of them"},
	{{"iamfs", "--profile", "p", "--all-profiles", "m"},
	 env_home,
	 "--profile names one account: it does not go with --all-profiles (with --org it names "
	 "the caller)"},
	{{"iamfs", "--org-role", "R", "m"}, env_home, "--org-role goes with --org only"},
	{{"iamfs", "-o", "external_id=x", "m"}, env_home, "--external-id goes with --org only"},
	{{"iamfs", "--max-loads", "2", "m"},
	 env_home,
	 "--max-loads goes with --org, --profiles or --all-profiles"},
	{{"iamfs", "--org", "--max-loads", "0", "m"},
	 env_home,
	 "--max-loads needs a whole number from 1 to 64, not \"0\""},
	{{"iamfs", "--profiles", "a,,b", "m"},
	 env_home,
	 "--profiles needs a comma list of profile names, not \"a,,b\""},
	{{"iamfs", "--profiles", "a::b", "m"},
	 env_home,
	 "--profiles needs a comma list of profile names, not \"a::b\""},
	{{"iamfs", "-o", "profiles=a:", "m"},
	 env_home,
	 "--profiles needs a comma list of profile names, not \"a:\""},
};

/* The options of a mount of several accounts, and their defaults. */
static void test_multi(void)
{
	const char *org[] = {"iamfs", "--org", "--profile", "mgmt", "--external-id", "x1", "m"};
	const char *fstab[] = {"iamfs", "-o", "profiles=a:b,max_loads=3", "m"};
	const char *all[] = {"iamfs", "-o", "all_profiles", "m"};
	char err[OPTS_ERR_MAX] = "";
	struct fs_opts o;

	CHECK_INT(opts_parse(7, (char *const *)org, env_lookup, (void *)env_home, &o, err,
			     sizeof(err)),
		  0);
	CHECK(o.org && !o.profiles && !o.all_profiles);
	CHECK_STR(o.org_role, "OrganizationAccountAccessRole");
	CHECK_STR(o.external_id, "x1");
	CHECK_STR(o.profile, "mgmt");
	CHECK_INT(o.max_loads, 8);
	/* -o items are split at commas: -o profiles= separates names with colons. */
	CHECK_INT(opts_parse(4, (char *const *)fstab, env_lookup, (void *)env_home, &o, err,
			     sizeof(err)),
		  0);
	CHECK_STR(o.profiles, "a:b");
	CHECK(o.profiles == o.profiles_buf);
	CHECK_INT(o.max_loads, 3);
	CHECK_STR(o.fuse_opts, "");
	CHECK_INT(opts_parse(4, (char *const *)all, env_lookup, (void *)env_home, &o, err,
			     sizeof(err)),
		  0);
	CHECK(o.all_profiles && !o.org);
}

static int argc_of(const char *const *argv)
{
	int n = 0;

	while (n < ARGV_MAX && argv[n])
		n++;
	return n;
}

static void test_ok(void)
{
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		char err[OPTS_ERR_MAX] = "";
		struct fs_opts o;
		int r;

		r = opts_parse(argc_of(c->argv), (char *const *)c->argv, env_lookup, (void *)c->env,
			       &o, err, sizeof(err));
		CHECK_INT(r, 0);
		if (r) {
			fprintf(stderr, "  case %zu: %s\n", i, err);
			continue;
		}
		CHECK(c->mountpoint ? o.mountpoint && !strcmp(o.mountpoint, c->mountpoint)
				    : !o.mountpoint);
		CHECK(c->profile ? o.profile && !strcmp(o.profile, c->profile) : !o.profile);
		CHECK(c->endpoint ? o.endpoint_url && !strcmp(o.endpoint_url, c->endpoint)
				  : !o.endpoint_url);
		CHECK(c->sts ? o.sts_endpoint_url && !strcmp(o.sts_endpoint_url, c->sts)
			     : !o.sts_endpoint_url);
		CHECK_STR(o.cache_dir, c->cache_dir);
		CHECK_STR(o.fuse_opts, c->fuse_opts);
		CHECK_INT(o.ttl, c->ttl);
		CHECK_INT(o.read_only, c->read_only);
		CHECK_INT(o.dry_run, c->dry_run);
		CHECK_INT(o.prune_versions, c->prune);
		CHECK_INT(o.allow_delete, c->allow_delete);
		CHECK_INT(o.no_prefetch, c->no_prefetch);
		CHECK_INT(o.no_cpu_latency, c->no_cpu_latency);
		CHECK_INT(o.foreground, c->fg);
		CHECK_INT(o.debug, c->debug);
		CHECK_INT(o.show_version, c->version);
		CHECK_INT(o.show_help, c->help);
	}
}

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		char err[OPTS_ERR_MAX] = "";
		struct fs_opts o;

		memset(&o, 0x5a, sizeof(o));
		CHECK_INT(opts_parse(argc_of(c->argv), (char *const *)c->argv, env_lookup,
				     (void *)c->env, &o, err, sizeof(err)),
			  -EINVAL);
		CHECK_STR(err, c->message);
		/* out is written only on success */
		CHECK_INT(((unsigned char *)&o)[0], 0x5a);
	}
}

static void test_long_fuse_opts(void)
{
	static char big[OPTS_FUSE_MAX];
	const char *argv[] = {"iamfs", "-o", big, "-o", big, "m"};
	char err[OPTS_ERR_MAX] = "";
	struct fs_opts o;

	memset(big, 'a', sizeof(big) / 2 + 10);
	CHECK_INT(opts_parse(6, (char *const *)argv, env_lookup, (void *)env_home, &o, err,
			     sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "the -o options are too long");
	CHECK(strstr(opts_usage(), "--prune-versions") != NULL);
	CHECK(strstr(opts_usage(), "--allow-delete") != NULL);
	CHECK(strstr(opts_usage(), "--no-prefetch") != NULL);
	CHECK(strstr(opts_usage(), "--no-cpu-latency") != NULL);
	CHECK(strstr(opts_usage(), "usage: iamfs [options] [PROFILE] MOUNTPOINT") != NULL);
}

int main(void)
{
	test_ok();
	test_errors();
	test_multi();
	test_long_fuse_opts();
	return check_done("opts");
}
