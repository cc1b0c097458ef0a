/*
 * The router: which struct fs a FUSE request acts on. A mount of one account
 * has one struct fs and every request goes to it. A mount of several accounts
 * (--profiles, --all-profiles, --org) gives each account a whole struct fs (its
 * own cache, inode table, helper files, hidden entries and status) whose inode
 * numbers live in their own range: account k (from 1) has the numbers
 * (k << ROUTER_RANGE_SHIFT) | local, its table's root being its folder in the
 * mount root. Range 0 is the mount root itself (mountroot.c: the account
 * folders and .iamfs/accounts). The worker, saver and notify threads are the
 * mount's, shared by every account; loads run on the loaders' pool.
 *
 * An account is opened (its cache: the disk copy, else a load from IAM) when a
 * request first looks into its folder; that request goes to a loader thread,
 * which waits for the open and then runs it (the dispatch thread never waits).
 * At most max_loads whole-account loads run at once (router_gate, which every
 * account's cache calls around each load). An account nobody used for three
 * TTLs closes its cache (view and refresher thread) and opens again from its
 * disk copy when next looked into; its inode table stays (the kernel may still
 * hold its numbers).
 */
#ifndef IAMFS_FS_ROUTER_H
#define IAMFS_FS_ROUTER_H

#include "fs/fs.h"

#define ROUTER_RANGE_SHIFT   40
#define ROUTER_ACCOUNTS_MAX  4096
#define ROUTER_IDLE_MIN	     3 /* seconds an account stays open at least (--ttl 0) */
#define ROUTER_ROOT_CTL_INO  2 /* MOUNT/.iamfs/ */
#define ROUTER_ROOT_LIST_INO 3 /* MOUNT/.iamfs/accounts */

struct fs_opts;
struct iam_client;

enum account_state {
	ACCOUNT_NOT_LOADED,
	ACCOUNT_LOADING,
	ACCOUNT_ONLINE,
	ACCOUNT_OFFLINE,
	ACCOUNT_DENIED,
};

/* One account of a mount of several. */
struct account {
	struct fs fs;		/* fs.cache is NULL while the account is not open */
	struct router *r;	/* the mount */
	unsigned k;		/* its range */
	char id[32];		/* the account id ("" until a profile's first load) */
	char *name;		/* the account's name, or the profile */
	char *profile;		/* --profiles: the profile; NULL for --org */
	char *folder;		/* its entry in the mount root */
	char *cache_dir;	/* its own cache folder */
	struct iam_client *iam; /* made at the first open and kept; owned */
	char caller[512];	/* --org: the caller ARN AssumeRole gives ("" otherwise), so
				   loads need no GetCallerIdentity */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* an open finished */
	/* Under lock: */
	bool opening;
	char why[1152];	     /* why the account could not be opened at all ("" when it was) */
	long long last_load; /* its last good load as the cache last said (0: unknown) */
	long long last_used; /* unix seconds of the last request on it (atomic) */
};

/* What one account is told by the caller that builds the mount. */
struct account_spec {
	const char *id;	     /* account id, or NULL (a profile) */
	const char *name;    /* account name, or the profile */
	const char *profile; /* the profile, or NULL (an account of --org) */
};

struct router {
	bool multi;
	struct fs *single;	   /* one account: the mount's fs (borrowed) */
	struct fs *root;	   /* several: range 0 and the template of every account's fs
				      (uid, ttl, flags, workers, savers, notify, se); borrowed */
	struct account **accounts; /* account k is accounts[k - 1]; owned */
	size_t n;
	struct workers *loaders; /* the pool where opens run; owned by the caller */
	unsigned max_loads;
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	unsigned gate_in;		/* loads running now */
	unsigned long long gate_total;	/* loads that went through */
	const char *cache_dir;		/* the mount's cache folder (borrowed) */
	const char *endpoint_url;	/* borrowed, may be NULL */
	const char *sts_endpoint_url;	/* borrowed, may be NULL */
	const char *org_role;		/* --org: the role to assume in each account */
	const char *external_id;	/* --org: passed to AssumeRole, or NULL */
	struct iam_client *base;	/* --org: the caller's own client (borrowed) */
	long long idle_checked;		/* dispatch thread only */
	bool (*busy)(struct router *r); /* true while work may use a cache (fs's pools) */
	/* Makes account a's IAM client (its profile's chain, or AssumeRole into it
	 * with --org); err says why not. Called once per account, on a loader. */
	int (*make_client)(struct router *r, struct account *a, struct iam_client **out,
			   struct aws_error *err);
};

/* One request as the router sees it: the numbers it names and, for a request
 * that has to wait for its account to open, everything needed to run it again
 * (copied by the router; the pointers are the caller's until it returns). */
enum router_op {
	ROUTER_OTHER, /* needs no open account: forget, statfs, and requests on open files */
	ROUTER_LOOKUP,
	ROUTER_GETATTR,
	ROUTER_SETATTR,
	ROUTER_READDIR,
	ROUTER_READDIRPLUS,
	ROUTER_OPEN,
	ROUTER_READ,
	ROUTER_WRITE,
	ROUTER_UNLINK,
	ROUTER_RMDIR,
	ROUTER_MKDIR,
	ROUTER_MKNOD,
	ROUTER_CREATE,
	ROUTER_RENAME,
	ROUTER_SYMLINK,
	ROUTER_LINK,
	ROUTER_READLINK,
	ROUTER_RELEASE,
	ROUTER_STATFS,
};

struct router_call {
	enum router_op op;
	fuse_ino_t ino;	 /* the node, or the folder of name */
	fuse_ino_t ino2; /* rename and link: the new folder */
	const char *name, *name2;
	mode_t mode;
	dev_t rdev;
	unsigned flags;
	int to_set;
	struct stat attr;
	size_t size;
	off_t off;
	struct fuse_file_info fi;
	bool has_fi;
	const char *data; /* write: size bytes; symlink: the target (name2) */
};

/* Runs a request again once its account is open (ops.c's handlers). */
struct router_again {
	void (*run)(fuse_req_t req, const struct router_call *c);
};

/* The fs request c acts on; NULL when the router replied itself (an account
 * not open yet: the request was handed to a loader thread and runs again
 * through again->run there; a rename across accounts: EXDEV) or when the
 * request is the mount root's: then *at_root is true and the caller hands it to
 * mountroot_request (so the router never calls into mountroot.c). */
struct fs *router_fs(struct router *r, fuse_req_t req, const struct router_call *c,
		     const struct router_again *again, bool *at_root);
/* The fs whose table numbers ino (forget); NULL for the mount root's. */
struct fs *router_fs_of(struct router *r, uint64_t ino);
/* Whether the mount refuses every change (FUSE init). */
bool router_read_only(const struct router *r);

/* Sets up r's own locks (r otherwise filled by the caller); undone by
 * router_free_accounts. */
void router_init(struct router *r);
/* Builds the accounts of a mount of several from specs (n of them): their
 * folder names, inode and helper tables and cache folders. Each fs starts as a
 * copy of r->root's settings. 0 or -errno (-E2BIG past ROUTER_ACCOUNTS_MAX). */
int router_add_accounts(struct router *r, const struct account_spec *specs, size_t n);
/* Closes every account's cache and frees the accounts (after the threads stopped). */
void router_free_accounts(struct router *r);
/* The gate the caches call around each load (struct cache_options.gate; ctx: r). */
void router_gate(void *ctx, bool enter);
/* The state of account a now, when its last good load was (0: never) and, into
 * why (cap bytes), why it is not online (the open's failure or its cache's). */
enum account_state router_account_state(struct account *a, long long *last_load, char *why,
					size_t cap);
/* Opens account a now if it is not open (blocks: a loader thread). 0 or -errno. */
int router_open_account(struct account *a);
/* Closes the caches of accounts nobody used for three TTLs, when no work is
 * under way (dispatch thread: nothing else starts meanwhile). now: unix seconds. */
void router_release_idle(struct router *r, long long now);

/* account.c: folder names. Writes the file-safe form of name into out ("/"
 * and control characters become "_", ".", ".." and ".iamfs" get a "_" in
 * front). Pure. */
void accounts_safe_name(const char *name, char *out, size_t cap);
/* mountroot.c: the text of MOUNT/.iamfs/accounts into out (reset first). */
int accounts_text(struct router *r, struct buf *out);

/* mountroot.c: a request on the mount root's range (0): replies to it. */
void mountroot_request(struct router *r, fuse_req_t req, const struct router_call *c);
/* The account whose folder is name, or NULL. */
struct account *mountroot_find(struct router *r, const char *name);

#endif
