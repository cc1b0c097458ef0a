/*
 * The state one mount shares between the FUSE dispatch thread, the workers
 * and the notify thread, and the entry points of ops.c and control.c. The
 * dispatch thread never blocks on the network: work that may (a cold AWS
 * managed document, a refresh, a save) is handed to a worker with workers_hand
 * (fs/workers.h), which replies with the errno when it cannot be queued.
 */
#ifndef IAMFS_FS_FS_H
#define IAMFS_FS_FS_H

#define FUSE_USE_VERSION 314

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fuse_lowlevel.h>

#include "aws/buf.h"
#include "cache/cache.h"
#include "fs/inode.h"
#include "fs/wbuf.h"

#define FS_STATUS_MAX	    (1u << 20)
#define FS_REFRESH_FLUSH_MS 10000
#define FS_POLICY_MAX	    (1u << 20) /* bytes a policy file open for writing may hold */
#define FS_OPEN_EDITORS	    8	       /* editing processes an open file tells apart */

struct workers;
struct notify;
struct helper_table;

struct fs {
	struct cache *cache;	      /* owned by main */
	struct inode_table *inodes;   /* owned by main */
	struct workers *workers;      /* owned by main; NULL until started */
	struct workers *savers;	      /* owned by main: commits of saves, so reads never wait */
	struct helper_table *helpers; /* owned by main: editor helper files */
	struct notify *notify;	      /* owned by main; set before cache_start */
	struct fuse_session *se;
	uid_t uid;
	gid_t gid;
	double ttl; /* entry and attr timeouts, seconds */
	bool read_only;
	bool dry_run;	     /* --dry-run: for saving (validate, log, send nothing) */
	bool prune_versions; /* --prune-versions: for saving managed policy versions */
	bool allow_delete;   /* --allow-delete: rm and rmdir may remove from IAM */
	/* A single-account mount: AWS managed documents are fetched ahead of reads. */
	bool prefetch_managed;
	struct timespec mount_time;
	/* Every struct fs_open not released yet (freed at unmount if the kernel never did). */
	pthread_mutex_t open_lock;
	struct fs_open *opens;
	/* fs/remove.c: per role, the fixed entries (trust.json, role.json, inline/,
	 * attached/) rm -r hid locally with no call, as bits 1 << enum inode_kind. */
	pthread_mutex_t hide_lock;
	struct fs_hidden *hidden;
	size_t nhidden;
	/* The .iamfs/status text served to stat and to reads without an open. */
	pthread_mutex_t status_lock;
	struct buf status;
	struct timespec status_time;
};

/* One role's entries hidden by rm (fs/remove.c). */
struct fs_hidden {
	char *role;
	unsigned mask;
};

/* What one open file serves; fi->fh points at it. Policy files keep the
 * document they were opened on; control files the bytes generated at open.
 * A policy file open for writing holds its own copy of the bytes (buf); the
 * fields below buf are read and written under fs->open_lock. */
struct fs_open {
	struct inode_node *node; /* borrowed from the inode table (lives for the mount); NULL
				    for a helper file */
	uint64_t helper;	 /* helper files: the helper's number */
	int flags;		 /* open(2) flags */
	struct cache_doc *doc;	 /* +1 ref, or NULL */
	char *data;		 /* control files: malloc'ed bytes, or NULL */
	size_t len;
	bool writable; /* a policy file open for writing: buf is in use */
	bool created;  /* made by CREATE: not in IAM until a commit */
	struct wbuf buf;
	unsigned long long wseq;	/* edits so far (O_TRUNC counts as one) */
	unsigned long long cseq;	/* edits the last commit covered: dirty when != wseq */
	unsigned long long base_gen;	/* gen of the document this open edits (0: new file) */
	struct timespec wtime;		/* time of the last edit */
	pid_t editors[FS_OPEN_EDITORS]; /* processes that edited it since the last commit */
	unsigned neditors;		/* past FS_OPEN_EDITORS: more than fit */
	pid_t last_tid, last_pid;	/* the last caller's thread and process (dispatch thread) */
	int refs;			/* the kernel's, plus one per commit under way */
	struct fs_open *prev, *next;	/* in fs->opens, under fs->open_lock */
};

/* The identity a node stands for: kind, role and policy name (policy NULL when none). */
struct fs_ident {
	enum inode_kind kind;
	const char *role;
	const char *policy;
};

/* Returned by stat helpers when a worker must fetch a document first. */
#define FS_DEFER 1

/* ops.c: fills ops with iamfs's low-level handlers. userdata for fuse_session_new is the
 * struct router (router.h), which says which struct fs each request acts on.
 */
void ops_init(struct fuse_lowlevel_ops *ops);

/* The cache options every account's cache shares, from fs's settings (ttl,
 * read_only, dry_run, prune_versions, allow_delete, prefetch_managed); the rest
 * of co zeroed. */
void fs_cache_options(const struct fs *fs, struct cache_options *co);

/* fs_init / fs_cleanup: the embedded status buffer and its lock. */
void fs_init(struct fs *fs);
void fs_cleanup(struct fs *fs);
/* Frees the open files the kernel did not release (unmounted while open). Call
 * after the session loop and the workers have stopped. */
void fs_release_all(struct fs *fs);

/* control.c: the .iamfs/ folder. */
/* stat of a control node; regenerates the status snapshot for INODE_CTL_STATUS. */
void control_stat(struct fs *fs, const struct inode_node *n, struct stat *st);
/* Fills o->data/len for an open of a control file. -EACCES for writes to status
 * or errors. */
int control_open(struct fs *fs, const struct inode_node *n, int flags, struct fs_open *o);
/* .iamfs/rejected/ or .iamfs/removed/, chosen by dir (the folder's kind or its
 * files'): the document of file name (+1 ref), its stat (doc may be NULL), and the
 * name of entry i (-ENOENT past the end). */
int control_kept_doc(struct fs *fs, enum inode_kind dir, const char *name, struct cache_doc **out);
int control_kept_stat(struct fs *fs, enum inode_kind dir, const char *name, uint64_t ino,
		      struct stat *st, struct cache_doc **doc);
int control_kept_entry(struct fs *fs, enum inode_kind dir, size_t i, char *name, size_t cap);
/* Reply to a read of a control file opened without an open (no_open). */
void control_read(struct fs *fs, fuse_req_t req, const struct inode_node *n, size_t size,
		  off_t off);
/* A write to .iamfs/refresh: refreshes on a worker and replies after it. */
void control_write_refresh(struct fs *fs, fuse_req_t req, size_t size);

/* fs.c: open files. fs_open_add links o into fs->opens, fs_open_remove unlinks it;
 * fs_open_free drops its document and bytes and frees it (NULL-safe). */
void fs_open_add(struct fs *fs, struct fs_open *o);
void fs_open_remove(struct fs *fs, struct fs_open *o);
void fs_open_free(struct fs_open *o);
/* Reference counting for commits that outlive a release (a commit takes its
 * reference under open_lock with its sequence numbers): fs_open_put frees at 0. */
void fs_open_put(struct fs *fs, struct fs_open *o);
/* The size and mtime of node n while an open for writing holds edits not yet
 * committed, or a created file not in IAM yet: true and st filled. */
bool fs_open_pending_attr(struct fs *fs, const struct inode_node *n, struct stat *st);

/* The common attributes of every node (owner, mount time, nlink 1), and those of a
 * folder of kind (fs_stat_base with the tree table's mode and links). */
void fs_stat_base(const struct fs *fs, uint64_t ino, mode_t mode, struct stat *st);
void fs_stat_dir(const struct fs *fs, uint64_t ino, enum inode_kind kind, struct stat *st);

/* The process (thread group) of thread tid, as the kernel names a request's caller
 * by its thread; tid itself when /proc does not say (it has exited). */
pid_t fs_process_of(pid_t tid);

/* attr.c: node attributes. */
/* The identity of node n (pointers into n, which lives for the mount). */
void attr_ident(const struct inode_node *n, struct fs_ident *id);
/* stat of identity id (numbered ino) in view v: 0, -ENOENT, -errno, or FS_DEFER when
 * an AWS managed document must be fetched first and !on_worker (on a worker it is
 * fetched here). doc (may be NULL) receives a policy file's document (+1 ref). */
int attr_of(struct fs *fs, struct cache_view *v, const struct fs_ident *id, uint64_t ino,
	    bool on_worker, struct stat *st, struct cache_doc **doc);
/* Overlays the size and time of uncommitted edits of policy file n (an open for
 * writing) on st; r is attr_of's answer (-ENOENT: a created file not in IAM yet
 * then gets whole attributes). Returns the new answer. */
int attr_pending(struct fs *fs, const struct inode_node *n, int r, struct stat *st);
/* Entry and attribute timeout for a node kind: --ttl, 0 for .iamfs/status. */
double attr_timeout(const struct fs *fs, enum inode_kind kind);

#endif
