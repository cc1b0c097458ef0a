/*
 * iamfs: make the process non-dumpable, parse the command line, resolve credentials, open the cache
 * (the first bulk load happens here, before daemonizing, so failures reach the terminal as one
 * sentence), mount, daemonize, then start threads and serve with one dispatch thread until
 * unmounted or signalled.
 */
#include "fs/fs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/http.h"
#include "aws/iam.h"
#include "aws/secret.h"
#include "fs/helper.h"
#include "fs/log.h"
#include "fs/loop.h"
#include "fs/multi.h"
#include "fs/notify.h"
#include "fs/opts.h"
#include "fs/progress.h"
#include "fs/workers.h"

#define MAIN_WORKERS	  4
#define MAIN_SAVERS	  4
#define MAIN_FUSE_LOG_MAX 512

/* libfuse's messages during startup are kept to be folded into our one sentence. */
static char main_fuse_msg[MAIN_FUSE_LOG_MAX];
static bool main_started;

static void main_fuse_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	char msg[MAIN_FUSE_LOG_MAX];
	size_t n, have;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!main_started) {
		/* libfuse may build one message from several calls: join them, one line. */
		have = strlen(main_fuse_msg);
		snprintf(main_fuse_msg + have, sizeof(main_fuse_msg) - have, "%s",
			 strncmp(msg, "fuse: ", 6) ? msg : msg + 6);
		for (char *p = main_fuse_msg; *p; p++) {
			if (*p == '\n')
				*p = ' ';
		}
		return;
	}
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_msg(level <= FUSE_LOG_ERR ? LOG_ERR : (int)level, "fuse: %s", msg);
}

static const char *main_getenv(void *ctx, const char *name)
{
	return getenv(name);
}

static int main_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int main_fail(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	fprintf(stderr, "iamfs: %s%s\n", msg, n && msg[n - 1] == '.' ? "" : ".");
	return 1;
}

/* The mount point must be an existing, empty folder. */
static int main_check_mountpoint(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int entries = 0;

	if (stat(path, &st))
		return main_fail("cannot use mount point %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return main_fail("mount point %s is not a folder", path);
	d = opendir(path);
	if (!d)
		return main_fail("cannot read mount point %s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			entries++;
	}
	closedir(d);
	if (entries)
		return main_fail("mount point %s is not empty", path);
	return 0;
}

/* Makes the cache folder absolute (daemonizing changes to /) and creates its parents. */
static int main_prepare_cache_dir(struct fs_opts *o)
{
	char cwd[PATH_MAX], abs[OPTS_PATH_MAX];
	int n;

	if (o->cache_dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return main_fail("cannot resolve the cache folder: %s", strerror(errno));
		n = snprintf(abs, sizeof(abs), "%s/%s", cwd, o->cache_dir);
		if (n < 0 || (size_t)n >= sizeof(abs))
			return main_fail("the cache folder path is too long");
		memcpy(o->cache_dir, abs, (size_t)n + 1);
	}
	for (char *p = o->cache_dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(o->cache_dir, 0700) && errno != EEXIST) {
			int e = errno;

			*p = '/';
			return main_fail("cannot create the cache folder %s: %s", o->cache_dir,
					 strerror(e));
		}
		*p = '/';
	}
	return 0;
}

static void main_on_change(void *ctx, const struct cache_change *ch)
{
	struct fs *fs = ctx;

	if (fs->notify)
		notify_on_change(fs->notify, ch);
}

/* prog draws the first load's progress on a terminal; it is erased before any
 * failure is reported. */
static int main_open_cache(struct fs *fs, const struct fs_opts *o, struct iam_client *iam,
			   struct progress *prog)
{
	struct cache_options co;
	struct aws_error err;
	int r;

	fs_cache_options(fs, &co);
	co.dir = o->cache_dir;
	co.iam = iam;
	co.on_change = main_on_change;
	co.on_change_ctx = fs;
	co.log = log_cache_hook;
	co.progress = progress_on_load;
	co.progress_ctx = prog;
	aws_error_clear(&err);
	r = cache_open(&co, &fs->cache, &err);
	progress_end(prog);
	if (r)
		return main_fail("%s", err.message[0] ? err.message : strerror(-r));
	return 0;
}

static struct fuse_session *main_new_session(struct router *rt, const struct fs_opts *o)
{
	char mopts[OPTS_FUSE_MAX + 128];
	char *argv[5];
	int argc = 0;
	struct fuse_args args;
	struct fuse_lowlevel_ops ops;
	struct fuse_session *se;

	snprintf(mopts, sizeof(mopts), "fsname=iamfs,subtype=iamfs,default_permissions%s%s",
		 o->fuse_opts[0] ? "," : "", o->fuse_opts);
	argv[argc++] = (char *)"iamfs";
	argv[argc++] = (char *)"-o";
	argv[argc++] = mopts;
	if (o->debug)
		argv[argc++] = (char *)"-d";
	argv[argc] = NULL;
	args.argc = argc;
	args.argv = argv;
	args.allocated = 0;
	ops_init(&ops);
	se = fuse_session_new(&args, &ops, sizeof(ops), rt);
	fuse_opt_free_args(&args);
	return se;
}

static int main_usage_or_version(const struct fs_opts *o)
{
	if (o->show_help)
		fputs(opts_usage(), stdout);
	else
		printf("iamfs %s (libfuse %s)\n", IAMFS_VERSION, fuse_pkgversion());
	return 0;
}

/* The dispatch loop's CPU latency request (loop.h), unless --no-cpu-latency.
 * Without the device (not root, no udev rule) the loop runs as before. */
static void main_latency_open(const struct fs_opts *o, struct loop_latency *lat)
{
	int r;

	if (o->no_cpu_latency)
		return;
	r = loop_latency_open(lat);
	if (r)
		log_msg(LOG_INFO,
			"idle CPUs are not asked to poll during bursts of requests: "
			"/dev/cpu_dma_latency: %s",
			strerror(-r));
}

/* Threads start only here, after the fork. The threads of a mount of several
 * accounts are the mount's, whatever the number of accounts (router.h). */
static int main_serve(struct fs *fs, struct router *rt, const struct fs_opts *o)
{
	struct loop_latency lat = {.fd = -1};
	int r;

	r = workers_start(MAIN_WORKERS, &fs->workers);
	if (!r)
		r = workers_start(MAIN_SAVERS, &fs->savers);
	if (!r)
		r = notify_start(fs->se, fs->inodes, &fs->notify);
	if (!r)
		r = rt->multi ? multi_start(rt) : cache_start(fs->cache);
	if (r) {
		log_msg(LOG_ERR, "cannot start threads: %s", strerror(-r));
		return 1;
	}
	log_msg(LOG_INFO, "serving");
	main_latency_open(o, &lat);
	r = loop_serve(fs->se, LOOP_SPIN_US, &lat);
	loop_latency_close(&lat);
	log_msg(LOG_INFO, "unmounting");
	return r < 0 ? 1 : 0;
}

static void main_shutdown(struct fs *fs, struct router *rt, bool mounted)
{
	/* Workers use the cache and the refresher uses notify: stop them in that order. */
	if (rt->multi)
		multi_stop(rt);
	workers_stop(fs->workers);
	fs->workers = NULL;
	workers_stop(fs->savers);
	fs->savers = NULL;
	fs_release_all(fs);
	cache_close(fs->cache);
	fs->cache = NULL;
	if (rt->multi)
		router_free_accounts(rt);
	notify_stop(fs->notify);
	fs->notify = NULL;
	if (fs->se) {
		if (mounted)
			fuse_session_unmount(fs->se);
		fuse_remove_signal_handlers(fs->se);
		fuse_session_destroy(fs->se);
	}
	inode_table_free(fs->inodes);
	helper_table_free(fs->helpers);
}

/* A mount of several accounts: the list of accounts (with --org, the one call
 * that lists them) before daemonizing; each account opens when first used. */
static int main_start_multi(struct fs *fs, struct router *rt, const struct fs_opts *o,
			    struct iam_client *iam)
{
	char err[1024];

	if (multi_build(rt, fs, o, iam, err, sizeof(err)))
		return main_fail("%s", err);
	return 0;
}

static int main_start(struct fs *fs, struct router *rt, struct fs_opts *o, struct iam_client **iam,
		      struct progress *prog)
{
	struct iam_client_options io;
	struct aws_error err;
	bool multi = o->org || o->profiles || o->all_profiles;
	int r;

	/* FUSE options are checked first: a typo should not wait for the network. */
	fs->se = main_new_session(rt, o);
	if (!fs->se)
		return main_fail("bad FUSE options \"%s\": %s", o->fuse_opts,
				 main_fuse_msg[0] ? main_fuse_msg : "rejected by libfuse");
	memset(&io, 0, sizeof(io));
	io.profile = o->profile;
	io.endpoint_url = o->endpoint_url;
	io.sts_endpoint_url = o->sts_endpoint_url;
	aws_error_clear(&err);
	r = multi && !o->org ? 0 : iam_client_new(&io, iam, &err);
	if (r)
		return main_fail("%s", err.message[0] ? err.message : strerror(-r));
	if (multi ? main_start_multi(fs, rt, o, *iam) : main_open_cache(fs, o, *iam, prog))
		return 1;
	if (!multi && (inode_table_new(&fs->inodes) || helper_table_new(&fs->helpers)))
		return main_fail("out of memory");
	if (fuse_set_signal_handlers(fs->se))
		return main_fail("cannot install signal handlers");
	if (fuse_session_mount(fs->se, o->mountpoint))
		return main_fail("cannot mount on %s: %s", o->mountpoint,
				 main_fuse_msg[0] ? main_fuse_msg : "the mount failed");
	return 0;
}

/* Threads share this many malloc arenas. glibc's default is 8 per core, and
 * each arena keeps some resident pages after its threads end: the prefetch's
 * 16 short threads alone left about 0.35 MiB (1,000 roles: RssAnon 2.04 KiB a
 * role instead of 1.69). The daemon's threads mostly wait on the network, so
 * sharing costs no measurable contention. */
#define MAIN_ARENAS 4

/* Freed memory goes back to the system. glibc raises its trim threshold after
 * each large buffer it frees (up to 64 MiB), and the free top of a thread's
 * arena is then never returned: after a revalidation, megabytes of its garbage
 * stay resident. A fixed threshold (glibc's default, 128 KiB) stops that. */
static void main_malloc_policy(void)
{
#ifdef __GLIBC__
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, MAIN_ARENAS);
#endif
}

int main(int argc, char *argv[])
{
	char err[OPTS_ERR_MAX];
	struct iam_client *iam = NULL;
	struct progress prog; /* outlives the cache, which keeps a pointer to it */
	struct fs_opts o;
	struct fs fs;
	struct router rt; /* which fs a request acts on (router.h) */
	int r;

	/* First, before any credential is read: no core dumps, secrets in the secure heap. */
	r = secret_harden();
	if (r)
		return main_fail("cannot keep secrets out of core dumps: %s", strerror(-r));
	main_malloc_policy();
	if (opts_parse(argc, argv, main_getenv, NULL, &o, err, sizeof(err)))
		return main_fail("%s", err);
	if (o.show_help || o.show_version)
		return main_usage_or_version(&o);
	if (main_check_mountpoint(o.mountpoint) || main_prepare_cache_dir(&o))
		return 1;
	memset(&fs, 0, sizeof(fs));
	memset(&rt, 0, sizeof(rt));
	rt.single = &fs;
	fs_init(&fs);
	fs.uid = getuid();
	fs.gid = getgid();
	fs.ttl = o.ttl;
	fs.read_only = o.read_only;
	fs.dry_run = o.dry_run;
	fs.prune_versions = o.prune_versions;
	fs.allow_delete = o.allow_delete;
	/* Per account of several, the calls stay the load's (AssumeRole, GAAD, ListRoles). */
	fs.prefetch_managed = !o.no_prefetch && !(o.org || o.profiles || o.all_profiles);
	clock_gettime(CLOCK_REALTIME, &fs.mount_time);
	fs.mount_time.tv_nsec = 0;
	fuse_set_log_func(main_fuse_log);
	log_open(o.foreground, o.debug);
	if (http_global_init()) {
		r = main_fail("cannot initialise libcurl");
		goto out;
	}
	progress_init(&prog, STDERR_FILENO);
	r = main_start(&fs, &rt, &o, &iam, &prog);
	if (r) {
		main_shutdown(&fs, &rt, false);
		goto out_http;
	}
	main_started = true;
	if (fuse_daemonize(o.foreground)) {
		main_shutdown(&fs, &rt, true);
		r = 1;
		goto out_http;
	}
	r = main_serve(&fs, &rt, &o);
	main_shutdown(&fs, &rt, true);
out_http:
	iam_client_free(iam);
	http_global_cleanup();
out:
	fs_cleanup(&fs);
	log_close();
	return r;
}
