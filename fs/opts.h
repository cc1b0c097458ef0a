/*
 * The daemon's command line (README, Using it), parsed without I/O: the caller passes
 * argv and an environment getter, and gets the settings or one sentence that
 * says what is wrong. Strings in struct fs_opts point into argv or into the
 * struct's own fixed buffers; nothing is allocated.
 */
#ifndef IAMFS_FS_OPTS_H
#define IAMFS_FS_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define OPTS_PATH_MAX 4096
#define OPTS_FUSE_MAX 2048
#define OPTS_ERR_MAX  512
/* What separates the names of a --profiles list: commas, or colons, which -o
 * profiles= needs (-o items are split at commas). The check and the mount split
 * at the same characters. */
#define OPTS_PROFILES_SEP ",:"

/* Copy with care: profile/endpoint_url/sts_endpoint_url may point into the struct's
 * own buffers (opts_parse re-points them in out). */
struct fs_opts {
	const char *profile;	  /* NULL: the AWS client's default chain */
	const char *endpoint_url; /* NULL: $AWS_ENDPOINT_URL_IAM, $AWS_ENDPOINT_URL, partition */
	const char *sts_endpoint_url; /* NULL: $AWS_ENDPOINT_URL_STS, ... */
	const char *mountpoint;
	char cache_dir[OPTS_PATH_MAX]; /* --cache-dir, else $XDG_CACHE_HOME/iamfs, ~/.cache/iamfs */
	unsigned ttl;		       /* seconds, default 60 */
	bool read_only;
	bool dry_run;
	bool prune_versions;
	bool allow_delete; /* --allow-delete: rm/rmdir may remove from IAM */
	/* --no-prefetch: AWS managed documents fetched only when read. */
	bool no_prefetch;
	/* --no-cpu-latency: the dispatch loop never holds a CPU latency limit (loop.h). */
	bool no_cpu_latency;
	/* A mount of several accounts: --org (every ACTIVE account of the
	 * organization, through AssumeRole of org_role), --profiles (a comma list)
	 * or --all-profiles; at most max_loads account loads at once. */
	bool org;
	const char *org_role;	 /* --org-role, default OrganizationAccountAccessRole */
	const char *external_id; /* --external-id, or NULL */
	const char *profiles;	 /* --profiles A,B,..., or NULL */
	bool all_profiles;
	unsigned max_loads; /* --max-loads, default 8 */
	bool foreground;    /* -f (or -d) */
	bool debug;	    /* -d */
	bool show_version;
	bool show_help;
	char fuse_opts[OPTS_FUSE_MAX]; /* the -o options for FUSE, comma-joined ("" when none) */
	/* Storage for values given as -o name=value (fstab); the pointers above may point here. */
	char profile_buf[256];
	char endpoint_buf[512];
	char sts_endpoint_buf[512];
	char org_role_buf[128];
	char external_id_buf[1280];
	char profiles_buf[2048];
};

/* Looks up an environment variable; NULL when unset. */
typedef const char *(*opts_getenv_fn)(void *ctx, const char *name);

/* Parses argv[1..argc) into out (defaults first). getenv may be NULL (no environment).
 * "iamfs [options] [PROFILE] MOUNTPOINT": a source before the mount point (as
 * mount.fuse3 passes it from /etc/fstab) names the profile unless --profile does.
 * -o items profile=, endpoint_url=, sts_endpoint_url=, cache_dir=, ttl=, read_only,
 * dry_run, prune_versions, allow_delete, no_prefetch, no_cpu_latency, org,
 * org_role=, external_id=, profiles=, all_profiles and max_loads= are iamfs's own;
 * the other -o items go to FUSE. Returns 0, or -EINVAL with one sentence in err
 * (no trailing newline). With
 * --version or --help, out->show_* is set and the mount point is not required. */
int opts_parse(int argc, char *const *argv, opts_getenv_fn getenv, void *ctx, struct fs_opts *out,
	       char *err, size_t errlen);

/* The --help text. */
const char *opts_usage(void);

#endif
