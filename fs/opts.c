/*
 * Command-line parsing for iamfs (README, Using it). Pure: no I/O, no globals; the
 * environment comes through a getter so tests drive it with plain tables.
 * Long options take "--name VALUE" or "--name=VALUE"; -o takes "-o OPT" or
 * "-oOPT" and may repeat; exactly one mount point is required.
 */
#include "fs/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OPTS_TTL_MAX   (365u * 24 * 3600)
#define OPTS_LOADS_MAX 64

enum opts_arg { OPTS_NONE, OPTS_VALUE };

struct opts_spec {
	const char *name;
	enum opts_arg arg;
	int id;
};

enum {
	OPT_PROFILE,
	OPT_ENDPOINT,
	OPT_STS_ENDPOINT,
	OPT_CACHE_DIR,
	OPT_TTL,
	OPT_READ_ONLY,
	OPT_DRY_RUN,
	OPT_PRUNE,
	OPT_VERSION,
	OPT_HELP,
	OPT_ALLOW_DELETE,
	OPT_NO_PREFETCH,
	OPT_NO_CPU_LATENCY,
	OPT_ORG, /* this one and those after it: a mount of several accounts (opts_apply_multi) */
	OPT_ORG_ROLE,
	OPT_EXTERNAL_ID,
	OPT_PROFILES,
	OPT_ALL_PROFILES,
	OPT_MAX_LOADS,
};

static const struct opts_spec opts_long[] = {
	{"profile", OPTS_VALUE, OPT_PROFILE},
	{"endpoint-url", OPTS_VALUE, OPT_ENDPOINT},
	{"sts-endpoint-url", OPTS_VALUE, OPT_STS_ENDPOINT},
	{"cache-dir", OPTS_VALUE, OPT_CACHE_DIR},
	{"ttl", OPTS_VALUE, OPT_TTL},
	{"read-only", OPTS_NONE, OPT_READ_ONLY},
	{"dry-run", OPTS_NONE, OPT_DRY_RUN},
	{"prune-versions", OPTS_NONE, OPT_PRUNE},
	{"allow-delete", OPTS_NONE, OPT_ALLOW_DELETE},
	{"no-prefetch", OPTS_NONE, OPT_NO_PREFETCH},
	{"no-cpu-latency", OPTS_NONE, OPT_NO_CPU_LATENCY},
	{"org", OPTS_NONE, OPT_ORG},
	{"org-role", OPTS_VALUE, OPT_ORG_ROLE},
	{"external-id", OPTS_VALUE, OPT_EXTERNAL_ID},
	{"profiles", OPTS_VALUE, OPT_PROFILES},
	{"all-profiles", OPTS_NONE, OPT_ALL_PROFILES},
	{"max-loads", OPTS_VALUE, OPT_MAX_LOADS},
	{"version", OPTS_NONE, OPT_VERSION},
	{"help", OPTS_NONE, OPT_HELP},
};

static const char opts_usage_text[] =
	"usage: iamfs [options] [PROFILE] MOUNTPOINT\n"
	"\n"
	"Mounts an AWS account's IAM roles as a folder of JSON files.\n"
	"\n"
	"options:\n"
	"    --profile NAME           AWS profile (default: $AWS_PROFILE, else default)\n"
	"    --endpoint-url URL       IAM endpoint (default: $AWS_ENDPOINT_URL_IAM,\n"
	"                             $AWS_ENDPOINT_URL, else the partition's endpoint)\n"
	"    --sts-endpoint-url URL   STS endpoint (default: $AWS_ENDPOINT_URL_STS,\n"
	"                             $AWS_ENDPOINT_URL, else regional STS)\n"
	"    --cache-dir DIR          persistent cache (default: $XDG_CACHE_HOME/iamfs\n"
	"                             or ~/.cache/iamfs)\n"
	"    --ttl SECONDS            serve cached data this long before revalidating (60)\n"
	"    --read-only              refuse every change (EROFS)\n"
	"    --dry-run                validate saves and log the call; send no write call\n"
	"    --prune-versions         delete the oldest non-default managed policy version\n"
	"                             when five exist\n"
	"    --allow-delete           let rm and rmdir remove policies and roles from IAM\n"
	"                             (without it they answer EPERM)\n"
	"    --no-prefetch            fetch an AWS managed policy document only when it\n"
	"                             is first read, not ahead of reads\n"
	"    --no-cpu-latency         never ask idle CPUs to poll while requests come\n"
	"                             in a burst (the kernel's PM QoS CPU latency)\n"
	"    --org                    mount every ACTIVE account of the organization, one\n"
	"                             folder each (Organizations ListAccounts, then STS\n"
	"                             AssumeRole into each; --profile names the caller)\n"
	"    --org-role NAME          role --org assumes in each account\n"
	"                             (default: OrganizationAccountAccessRole)\n"
	"    --external-id ID         external ID --org passes to AssumeRole\n"
	"    --profiles A,B,...       mount these AWS profiles, one folder each (-o\n"
	"                             profiles=A:B:... in /etc/fstab)\n"
	"    --all-profiles           mount every profile of the AWS config and\n"
	"                             credentials files, one folder each\n"
	"    --max-loads N            accounts loading from IAM at once (8)\n"
	"    -f                       stay in the foreground, log to stderr\n"
	"    -d                       debug (implies -f)\n"
	"    -o OPT[,OPT...]          FUSE mount options (e.g. allow_other); also\n"
	"                             profile=, endpoint_url=, sts_endpoint_url=,\n"
	"                             cache_dir=, ttl=, read_only, dry_run,\n"
	"                             prune_versions, allow_delete, no_prefetch,\n"
	"                             no_cpu_latency, org, org_role=, external_id=,\n"
	"                             profiles=, all_profiles and max_loads=, as\n"
	"                             /etc/fstab gives them\n"
	"    --version                print the version\n"
	"    --help                   print this help\n"
	"\n"
	"Unmount with: fusermount3 -u MOUNTPOINT\n";

const char *opts_usage(void)
{
	return opts_usage_text;
}

static int opts_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int opts_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *opts_env(opts_getenv_fn getenv, void *ctx, const char *name)
{
	const char *v = getenv ? getenv(ctx, name) : NULL;

	return v && *v ? v : NULL;
}

/* Strict decimal: digits only, no sign, no overflow past max. */
static int opts_parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = (unsigned)v;
	return 0;
}

static int opts_apply(struct fs_opts *o, int id, const char *val, char *err, size_t errlen);

/* -o items iamfs takes itself (fstab), as "name" or "name=value". */
static const struct opts_spec opts_mount[] = {
	{"profile", OPTS_VALUE, OPT_PROFILE},
	{"endpoint_url", OPTS_VALUE, OPT_ENDPOINT},
	{"sts_endpoint_url", OPTS_VALUE, OPT_STS_ENDPOINT},
	{"cache_dir", OPTS_VALUE, OPT_CACHE_DIR},
	{"ttl", OPTS_VALUE, OPT_TTL},
	{"read_only", OPTS_NONE, OPT_READ_ONLY},
	{"dry_run", OPTS_NONE, OPT_DRY_RUN},
	{"prune_versions", OPTS_NONE, OPT_PRUNE},
	{"allow_delete", OPTS_NONE, OPT_ALLOW_DELETE},
	{"no_prefetch", OPTS_NONE, OPT_NO_PREFETCH},
	{"no_cpu_latency", OPTS_NONE, OPT_NO_CPU_LATENCY},
	{"org", OPTS_NONE, OPT_ORG},
	{"org_role", OPTS_VALUE, OPT_ORG_ROLE},
	{"external_id", OPTS_VALUE, OPT_EXTERNAL_ID},
	{"profiles", OPTS_VALUE, OPT_PROFILES},
	{"all_profiles", OPTS_NONE, OPT_ALL_PROFILES},
	{"max_loads", OPTS_VALUE, OPT_MAX_LOADS},
};

/* The buffer that keeps a -o value for option id, or NULL when opts_apply copies it. */
static char *opts_mount_buf(struct fs_opts *o, int id, size_t *cap)
{
	switch (id) {
	case OPT_PROFILE:
		*cap = sizeof(o->profile_buf);
		return o->profile_buf;
	case OPT_ENDPOINT:
		*cap = sizeof(o->endpoint_buf);
		return o->endpoint_buf;
	case OPT_STS_ENDPOINT:
		*cap = sizeof(o->sts_endpoint_buf);
		return o->sts_endpoint_buf;
	case OPT_ORG_ROLE:
		*cap = sizeof(o->org_role_buf);
		return o->org_role_buf;
	case OPT_EXTERNAL_ID:
		*cap = sizeof(o->external_id_buf);
		return o->external_id_buf;
	case OPT_PROFILES:
		*cap = sizeof(o->profiles_buf);
		return o->profiles_buf;
	default:
		return NULL;
	}
}

/* One -o item (n bytes at item). 1 when it is not iamfs's own (it goes to FUSE). */
static int opts_mount_item(struct fs_opts *o, const char *item, size_t n, char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', n);
	size_t klen = eq ? (size_t)(eq - item) : n, vlen = eq ? n - klen - 1 : 0, cap;
	char val[OPTS_PATH_MAX], *keep;

	for (size_t k = 0; k < sizeof(opts_mount) / sizeof(opts_mount[0]); k++) {
		const struct opts_spec *s = &opts_mount[k];

		if (strlen(s->name) != klen || strncmp(s->name, item, klen))
			continue;
		if (s->arg == OPTS_NONE)
			return eq ? opts_fail(err, errlen, "option -o %s takes no value", s->name)
				  : opts_apply(o, s->id, NULL, err, errlen);
		if (!eq || !vlen)
			return opts_fail(err, errlen, "option -o %s needs a value (%s=...)",
					 s->name, s->name);
		keep = opts_mount_buf(o, s->id, &cap);
		if (!keep) {
			keep = val;
			cap = sizeof(val);
		}
		if (vlen >= cap)
			return opts_fail(err, errlen, "the value of -o %s is too long", s->name);
		memcpy(keep, eq + 1, vlen);
		keep[vlen] = '\0';
		return opts_apply(o, s->id, keep, err, errlen);
	}
	return 1;
}

static int opts_add_fuse(struct fs_opts *o, const char *opt, char *err, size_t errlen)
{
	if (!*opt)
		return opts_fail(err, errlen, "option -o needs a value");
	for (const char *p = opt; *p;) {
		size_t n = strcspn(p, ","), have = strlen(o->fuse_opts);
		int r = n ? opts_mount_item(o, p, n, err, errlen) : 0;

		if (r < 0)
			return r;
		if (r == 1) {
			if (have + n + 2 > sizeof(o->fuse_opts))
				return opts_fail(err, errlen, "the -o options are too long");
			if (have)
				o->fuse_opts[have++] = ',';
			memcpy(o->fuse_opts + have, p, n);
			o->fuse_opts[have + n] = '\0';
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int opts_set_cache_dir(struct fs_opts *o, const char *dir, const char *suffix, char *err,
			      size_t errlen)
{
	int n = snprintf(o->cache_dir, sizeof(o->cache_dir), "%s%s", dir, suffix);

	if (n < 0 || (size_t)n >= sizeof(o->cache_dir))
		return opts_fail(err, errlen, "the cache folder path is too long");
	return 0;
}

/* The options of a mount of several accounts. */
static int opts_apply_multi(struct fs_opts *o, int id, const char *val, char *err, size_t errlen)
{
	switch (id) {
	case OPT_ORG:
		o->org = true;
		break;
	case OPT_ORG_ROLE:
		o->org_role = val;
		break;
	case OPT_EXTERNAL_ID:
		o->external_id = val;
		break;
	case OPT_PROFILES:
		o->profiles = val;
		break;
	case OPT_ALL_PROFILES:
		o->all_profiles = true;
		break;
	case OPT_MAX_LOADS:
		if (opts_parse_uint(val, OPTS_LOADS_MAX, &o->max_loads) || !o->max_loads)
			return opts_fail(
				err, errlen,
				"--max-loads needs a whole number from 1 to %u, not \"%s\"",
				OPTS_LOADS_MAX, val);
		break;
	}
	return 0;
}

static int opts_apply(struct fs_opts *o, int id, const char *val, char *err, size_t errlen)
{
	int r;

	if (id >= OPT_ORG && id <= OPT_MAX_LOADS)
		return opts_apply_multi(o, id, val, err, errlen);
	switch (id) {
	case OPT_PROFILE:
		o->profile = val;
		break;
	case OPT_ENDPOINT:
		o->endpoint_url = val;
		break;
	case OPT_STS_ENDPOINT:
		o->sts_endpoint_url = val;
		break;
	case OPT_CACHE_DIR:
		return opts_set_cache_dir(o, val, "", err, errlen);
	case OPT_TTL:
		r = opts_parse_uint(val, OPTS_TTL_MAX, &o->ttl);
		if (r)
			return opts_fail(err, errlen,
					 "--ttl needs a whole number of seconds from 0 to %u, not "
					 "\"%s\"",
					 OPTS_TTL_MAX, val);
		break;
	case OPT_READ_ONLY:
		o->read_only = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case OPT_PRUNE:
		o->prune_versions = true;
		break;
	case OPT_ALLOW_DELETE:
		o->allow_delete = true;
		break;
	case OPT_NO_PREFETCH:
		o->no_prefetch = true;
		break;
	case OPT_NO_CPU_LATENCY:
		o->no_cpu_latency = true;
		break;
	case OPT_VERSION:
		o->show_version = true;
		break;
	case OPT_HELP:
		o->show_help = true;
		break;
	}
	return 0;
}

/* One "--name[=value]" argument; *i advances past a separate value. */
static int opts_long_arg(struct fs_opts *o, int argc, char *const *argv, int *i, char *err,
			 size_t errlen)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

	for (size_t k = 0; k < sizeof(opts_long) / sizeof(opts_long[0]); k++) {
		const struct opts_spec *s = &opts_long[k];
		const char *val = NULL;

		if (strlen(s->name) != n || strncmp(s->name, arg, n))
			continue;
		if (s->arg == OPTS_NONE && eq)
			return opts_fail(err, errlen, "option --%s takes no value", s->name);
		if (s->arg == OPTS_VALUE) {
			if (eq) {
				val = eq + 1;
			} else if (*i + 1 < argc) {
				val = argv[++*i];
			} else {
				return opts_fail(err, errlen, "option --%s needs a value", s->name);
			}
			if (!*val)
				return opts_fail(err, errlen, "option --%s needs a non-empty value",
						 s->name);
		}
		return opts_apply(o, s->id, val, err, errlen);
	}
	return opts_fail(err, errlen, "unknown option \"%s\" (see iamfs --help)", argv[*i]);
}

/* One "-x" argument (-f, -d, -o OPT, -oOPT, -h, -V). */
static int opts_short_arg(struct fs_opts *o, int argc, char *const *argv, int *i, char *err,
			  size_t errlen)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-f")) {
		o->foreground = true;
	} else if (!strcmp(a, "-d")) {
		o->debug = true;
		o->foreground = true;
	} else if (!strcmp(a, "-h")) {
		o->show_help = true;
	} else if (!strcmp(a, "-V")) {
		o->show_version = true;
	} else if (!strncmp(a, "-o", 2)) {
		if (a[2])
			return opts_add_fuse(o, a + 2, err, errlen);
		if (*i + 1 >= argc)
			return opts_fail(err, errlen, "option -o needs a value");
		return opts_add_fuse(o, argv[++*i], err, errlen);
	} else {
		return opts_fail(err, errlen, "unknown option \"%s\" (see iamfs --help)", a);
	}
	return 0;
}

static int opts_default_cache_dir(struct fs_opts *o, opts_getenv_fn getenv, void *ctx, char *err,
				  size_t errlen)
{
	const char *xdg = opts_env(getenv, ctx, "XDG_CACHE_HOME");
	const char *home = opts_env(getenv, ctx, "HOME");

	if (xdg && xdg[0] == '/')
		return opts_set_cache_dir(o, xdg, "/iamfs", err, errlen);
	if (home)
		return opts_set_cache_dir(o, home, "/.cache/iamfs", err, errlen);
	return opts_fail(err, errlen, "no cache folder: set --cache-dir, $XDG_CACHE_HOME or $HOME");
}

/* MOUNTPOINT, or SOURCE MOUNTPOINT (mount.fuse3 passes the fstab source first). */
static int opts_positional(struct fs_opts *o, const char **source, const char *a, char *err,
			   size_t errlen)
{
	if (*source)
		return opts_fail(err, errlen,
				 "too many arguments (\"%s\", \"%s\", then \"%s\"; usage: iamfs "
				 "[options] [PROFILE] MOUNTPOINT)",
				 *source, o->mountpoint, a);
	if (o->mountpoint)
		*source = o->mountpoint;
	o->mountpoint = a;
	return 0;
}

/* Copies src to dst, re-pointing strings held in src's own buffers at dst's. */
static void opts_copy(struct fs_opts *dst, const struct fs_opts *src)
{
	*dst = *src;
	if (src->profile == src->profile_buf)
		dst->profile = dst->profile_buf;
	if (src->endpoint_url == src->endpoint_buf)
		dst->endpoint_url = dst->endpoint_buf;
	if (src->sts_endpoint_url == src->sts_endpoint_buf)
		dst->sts_endpoint_url = dst->sts_endpoint_buf;
	if (src->org_role == src->org_role_buf)
		dst->org_role = dst->org_role_buf;
	if (src->external_id == src->external_id_buf)
		dst->external_id = dst->external_id_buf;
	if (src->profiles == src->profiles_buf)
		dst->profiles = dst->profiles_buf;
}

/* Each item of a --profiles list is a non-empty name (OPTS_PROFILES_SEP). */
static int opts_check_profiles(const char *list, char *err, size_t errlen)
{
	for (const char *p = list;;) {
		size_t n = strcspn(p, OPTS_PROFILES_SEP);

		if (!n)
			return opts_fail(
				err, errlen,
				"--profiles needs a comma list of profile names, not \"%s\"", list);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The options of a mount of several accounts go together as they make sense. */
static int opts_check_multi(struct fs_opts *o, char *err, size_t errlen)
{
	int kinds = (int)o->org + (o->profiles != NULL) + (int)o->all_profiles;

	if (kinds > 1)
		return opts_fail(err, errlen,
				 "--org, --profiles and --all-profiles choose the accounts in "
				 "different ways: give one of them");
	if ((o->profiles || o->all_profiles) && o->profile)
		return opts_fail(err, errlen,
				 "--profile names one account: it does not go with %s (with "
				 "--org it names the caller)",
				 o->profiles ? "--profiles" : "--all-profiles");
	if (!o->org && (o->org_role || o->external_id))
		return opts_fail(err, errlen, "%s goes with --org only",
				 o->org_role ? "--org-role" : "--external-id");
	if (!kinds && o->max_loads)
		return opts_fail(err, errlen,
				 "--max-loads goes with --org, --profiles or --all-profiles");
	if (o->profiles && opts_check_profiles(o->profiles, err, errlen))
		return -EINVAL;
	if (!o->org_role)
		o->org_role = "OrganizationAccountAccessRole";
	if (!o->max_loads)
		o->max_loads = 8;
	return 0;
}

int opts_parse(int argc, char *const *argv, opts_getenv_fn getenv, void *ctx, struct fs_opts *out,
	       char *err, size_t errlen)
{
	const char *source = NULL;
	struct fs_opts o;
	bool only_args = false;
	int r;

	memset(&o, 0, sizeof(o));
	o.ttl = 60;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!only_args && !strcmp(a, "--")) {
			only_args = true;
			continue;
		}
		if (!only_args && a[0] == '-' && a[1] == '-')
			r = opts_long_arg(&o, argc, argv, &i, err, errlen);
		else if (!only_args && a[0] == '-' && a[1])
			r = opts_short_arg(&o, argc, argv, &i, err, errlen);
		else
			r = opts_positional(&o, &source, a, err, errlen);
		if (r)
			return r;
	}
	if (o.show_help || o.show_version) {
		opts_copy(out, &o);
		return 0;
	}
	if (!o.mountpoint)
		return opts_fail(
			err, errlen,
			"no mount point given (usage: iamfs [options] [PROFILE] MOUNTPOINT)");
	if (source && !o.profile)
		o.profile = source;
	if ((r = opts_check_multi(&o, err, errlen)))
		return r;
	if (!o.cache_dir[0]) {
		r = opts_default_cache_dir(&o, getenv, ctx, err, errlen);
		if (r)
			return r;
	}
	opts_copy(out, &o);
	return 0;
}
