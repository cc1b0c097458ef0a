/*
 * Commit jobs of commit.h. A job snapshots the bytes on the dispatch thread (a
 * later write to the same open is a new edit), runs cache_save (an rm with
 * remove) on a saver, records what the open now edits (the saved
 * document's gen after a save or a same-value save), replies, then releases
 * the invalidations the cache reported while saving plus its own.
 */
#include "fs/commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/model.h"
#include "fs/attach.h"
#include "fs/edit.h"
#include "fs/helper.h"
#include "fs/log.h"
#include "fs/notify.h"
#include "fs/workers.h"

enum commit_what { COMMIT_OPEN, COMMIT_BYTES, COMMIT_DELETE };

#define COMMIT_GONE_WAIT_MS 2000 /* a refused attach waits this long for its name to go */

struct commit_job {
	struct fs *fs;
	fuse_req_t req;
	enum commit_what what;
	struct inode_node *node;
	struct fs_open *o;	/* COMMIT_OPEN: +1 ref */
	unsigned long long seq; /* COMMIT_OPEN: the edit the bytes reflect */
	char *bytes;
	size_t len;
	unsigned long long base_gen;
	unsigned long long jid; /* the journal entry made when the save was accepted */
	uint64_t from;		/* COMMIT_BYTES of a rename: the number renamed onto node */
	bool reply_attr;	/* a setattr: success is answered with the new attributes */
	char why[16];
	bool attach; /* a new attached/ name closed empty or linked: no bytes saved */
	char *arn;   /* ln -s: the ARN attached; success is answered with the entry */
};

static void commit_log(const struct commit_job *j, int r, const struct cache_save_result *res)
{
	char path[INODE_NAME_MAX * 2 + 32];

	inode_path(j->node, path, sizeof(path));
	if (!r) {
		log_msg(LOG_INFO, "%s of %s: %s", j->why, path,
			res->message[0] ? res->message : "saved");
		return;
	}
	log_msg(LOG_WARNING, "save of %s (%s, %s) refused: %s (%s)%s%s%s%s%s%s", path, j->why,
		res->action[0] ? res->action : "no call", res->message[0] ? res->message : "",
		strerror(-r), res->aws.code[0] ? ": " : "", res->aws.code,
		res->aws.message[0] ? ": " : "", res->aws.message,
		res->aws.request_id[0] ? " request id " : "", res->aws.request_id);
}

/* What the open edits after a commit of seq's bytes that ended with r. */
static void commit_settle_open(struct commit_job *j, int r, const struct cache_save_result *res)
{
	struct fs *fs = j->fs;

	pthread_mutex_lock(&fs->open_lock);
	if (!r && !res->dry_run && !j->attach)
		j->o->base_gen = res->shown_gen ? res->shown_gen : model_hash(j->bytes, j->len);
	j->o->created = false;
	pthread_mutex_unlock(&fs->open_lock);
}

/* After a save of j's bytes (IAM's document now reads back as them), saves through
 * the name are based on them; a refused or dry-run save leaves the name as it was. */
static void commit_settle_node(struct commit_job *j, int r, const struct cache_save_result *res)
{
	if (!r && !res->dry_run && j->what != COMMIT_DELETE && !j->attach)
		inode_table_saved(j->fs->inodes, j->node,
				  res->shown_gen ? res->shown_gen : model_hash(j->bytes, j->len));
}

static void commit_queue_inode(struct fs *fs, uint64_t ino)
{
	struct notify_action a = {.entry = false, .ino = ino};

	notify_queue_action(fs->notify, &a);
}

static void commit_queue_entry(struct fs *fs, uint64_t dir, const char *name)
{
	struct notify_action a = {.entry = true, .ino = dir};

	snprintf(a.name, sizeof(a.name), "%s", name);
	notify_queue_action(fs->notify, &a);
}

static void commit_save_of(const struct commit_job *j, struct cache_save *s)
{
	*s = (struct cache_save){.role = j->node->role,
				 .kind = CACHE_FILE_TRUST,
				 .name = j->node->policy,
				 .bytes = j->bytes,
				 .len = j->len,
				 .base_gen = j->base_gen,
				 .journal_id = j->jid,
				 .remove = j->what == COMMIT_DELETE,
				 .arn = j->arn};
	inode_file_kind(j->node->kind, &s->kind); /* commits are of policy files only */
}

static int commit_save(struct commit_job *j, struct cache_save_result *res)
{
	struct cache_save s;

	commit_save_of(j, &s);
	return cache_save(j->fs->cache, &s, res);
}

/* ln -s answered: the entry of a symlink, as the kernel requires of the reply,
 * never cached; the entry is invalidated after, so the next lookup shows the
 * attached policy's regular file under the same number. */
static void commit_reply_link(struct commit_job *j)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = j->node->ino;
	fs_stat_base(j->fs, j->node->ino, S_IFLNK | 0777, &e.attr);
	e.attr.st_size = (off_t)strlen(j->arn);
	inode_table_ref(j->fs->inodes, j->node);
	if (fuse_reply_entry(j->req, &e))
		inode_table_forget(j->fs->inodes, j->node->ino, 1);
}

static void commit_reply(struct commit_job *j, int r)
{
	struct cache_view *v;
	struct fs_ident id;
	struct stat st;

	if (!r && j->arn && !j->reply_attr) {
		commit_reply_link(j);
		return;
	}
	if (r || !j->reply_attr) {
		fuse_reply_err(j->req, -r);
		return;
	}
	attr_ident(j->node, &id);
	v = cache_view_get(j->fs->cache);
	r = attr_of(j->fs, v, &id, j->node->ino, true, &st, NULL);
	cache_view_put(v);
	if (r)
		fuse_reply_err(j->req, r < 0 ? -r : EIO);
	else
		fuse_reply_attr(j->req, &st, attr_timeout(j->fs, j->node->kind));
}

/* A rename onto node was saved: the kernel will show number from under node's name
 * until that entry is invalidated, so from stands for node from now on. */
static void commit_moved(struct fs *fs, uint64_t from, struct inode_node *node)
{
	struct inode_node *src;

	if (helper_is_ino(from))
		helper_detach(fs->helpers, from, node->ino);
	else if ((src = inode_table_get(fs->inodes, from)))
		inode_table_move(fs->inodes, src, node->ino, false);
}

/* Frees j and its bytes, dropping its reference on the open. */
static void commit_job_free(struct commit_job *j)
{
	if (j->o)
		fs_open_put(j->fs, j->o);
	free(j->bytes);
	free(j->arn);
	free(j);
}

/* A job no saver will run: its accepted journal entry has no outcome to wait for. */
static void commit_drop(void *arg)
{
	struct commit_job *j = arg;

	cache_save_abandon(j->fs->cache, j->jid);
	commit_job_free(j);
}

static void commit_run(void *arg)
{
	struct commit_job *j = arg;
	struct fs *fs = j->fs;
	struct cache_save_result *res = calloc(1, sizeof(*res));
	struct notify_capture cap;
	int r;

	notify_capture_begin(fs->notify, &cap);
	r = res ? commit_save(j, res) : -ENOMEM;
	if (res)
		commit_log(j, r, res);
	if (res)
		commit_settle_node(j, r, res);
	if (j->what == COMMIT_OPEN)
		commit_settle_open(j, r, res);
	if (!r && j->what == COMMIT_BYTES && j->from)
		commit_moved(fs, j->from, j->node);
	/* A close that did not attach: the name is gone before close returns (no
	 * folder lock is held across a close, so this cannot deadlock). */
	if (j->attach && !j->arn && (r || !res || res->dry_run)) {
		commit_queue_entry(fs, j->node->parent, j->node->name);
		notify_flush(fs->notify, COMMIT_GONE_WAIT_MS);
	}
	commit_reply(j, r);
	notify_capture_end(fs->notify, &cap);
	/* The kernel may hold the bytes just written (refused, or not what IAM now has). */
	commit_queue_inode(fs, j->node->ino);
	if (!r && j->what == COMMIT_BYTES && j->from)
		commit_queue_entry(fs, j->node->parent, j->node->name);
	/* A link's entry: the next lookup finds the attached policy's regular file. */
	if (j->arn)
		commit_queue_entry(fs, j->node->parent, j->node->name);
	free(res);
	commit_job_free(j);
}

/* Journals the save as soon as it is accepted (it may wait for a saver), then
 * queues it. */
static void commit_submit(struct fs *fs, struct commit_job *j)
{
	struct cache_save s;

	commit_save_of(j, &s);
	cache_save_accept(fs->cache, &s, &j->jid);
	workers_hand(fs->savers, j->req, commit_run, j, commit_drop);
}

static struct commit_job *commit_job_new(struct fs *fs, fuse_req_t req, enum commit_what what,
					 struct inode_node *n, const char *why)
{
	struct commit_job *j = calloc(1, sizeof(*j));

	if (!j) {
		fuse_reply_err(req, ENOMEM);
		return NULL;
	}
	j->fs = fs;
	j->req = req;
	j->what = what;
	j->node = n;
	snprintf(j->why, sizeof(j->why), "%s", why);
	return j;
}

/* Whether o holds edits no commit covered yet. */
static bool commit_dirty(struct fs *fs, struct fs_open *o)
{
	bool dirty;

	pthread_mutex_lock(&fs->open_lock);
	dirty = o->writable && o->wseq != o->cseq;
	pthread_mutex_unlock(&fs->open_lock);
	return dirty;
}

void commit_flush(struct fs *fs, fuse_req_t req, struct fs_open *o)
{
	pid_t tid = fuse_req_ctx(req)->pid;

	if (edit_by(fs, o, tid))
		commit_open(fs, req, o, "close");
	else if (attach_flush_now(fs, o, tid))
		commit_empty(fs, req, o, "close");
	else
		fuse_reply_err(req, 0);
}

bool commit_release(struct fs *fs, fuse_req_t req, struct fs_open *o)
{
	if (commit_dirty(fs, o))
		commit_open(fs, req, o, "last close");
	else if (attach_empty(fs, o))
		commit_empty(fs, req, o, "last close");
	else
		return false;
	return true;
}

void commit_open(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *why)
{
	struct commit_job *j;

	if (!commit_dirty(fs, o)) {
		fuse_reply_err(req, 0);
		return;
	}
	j = commit_job_new(fs, req, COMMIT_OPEN, o->node, why);
	if (!j)
		return;
	/* Writes reach this open on the dispatch thread only, which runs this now. */
	j->bytes = malloc(o->buf.len ? o->buf.len : 1);
	if (!j->bytes) {
		free(j);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (o->buf.len)
		memcpy(j->bytes, o->buf.data, o->buf.len);
	j->len = o->buf.len;
	pthread_mutex_lock(&fs->open_lock);
	j->seq = o->wseq;
	o->cseq = o->wseq; /* a refused save is not sent again by a later flush */
	o->neditors = 0;
	j->base_gen = o->created ? 0 : o->base_gen;
	o->refs++;
	pthread_mutex_unlock(&fs->open_lock);
	j->o = o;
	commit_submit(fs, j);
}

/* A save of b as target (see commit_bytes); reply_attr: a setattr's. */
static void commit_given(struct fs *fs, fuse_req_t req, struct inode_node *target,
			 const struct edit_bytes *b, uint64_t from, const char *why,
			 bool reply_attr)
{
	struct commit_job *j = commit_job_new(fs, req, COMMIT_BYTES, target, why);

	if (!j) {
		free(b->bytes);
		return;
	}
	j->bytes = b->bytes;
	j->len = b->len;
	j->base_gen = b->base_gen; /* from the document the bytes were made against */
	j->from = from;
	j->reply_attr = reply_attr;
	commit_submit(fs, j);
}

void commit_bytes(struct fs *fs, fuse_req_t req, struct inode_node *target,
		  const struct edit_bytes *b, uint64_t from, const char *why)
{
	commit_given(fs, req, target, b, from, why, false);
}

void commit_truncate(struct fs *fs, fuse_req_t req, struct inode_node *n,
		     const struct edit_bytes *b)
{
	commit_given(fs, req, n, b, 0, "truncate", true);
}

void commit_delete(struct fs *fs, fuse_req_t req, struct inode_node *n)
{
	struct commit_job *j = commit_job_new(fs, req, COMMIT_DELETE, n, "rm");

	if (j)
		commit_submit(fs, j);
}

void commit_empty(struct fs *fs, fuse_req_t req, struct fs_open *o, const char *why)
{
	struct commit_job *j = commit_job_new(fs, req, COMMIT_OPEN, o->node, why);

	if (!j)
		return;
	if (!(j->bytes = malloc(1))) {
		free(j);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	j->attach = true;
	pthread_mutex_lock(&fs->open_lock);
	j->seq = o->wseq;
	o->cseq = o->wseq;
	o->neditors = 0;
	o->created = false; /* one attach per new name, however many closes follow */
	o->refs++;
	pthread_mutex_unlock(&fs->open_lock);
	j->o = o;
	commit_submit(fs, j);
}

void commit_link(struct fs *fs, fuse_req_t req, struct inode_node *n, const char *arn)
{
	struct commit_job *j = commit_job_new(fs, req, COMMIT_BYTES, n, "ln -s");

	if (!j)
		return;
	j->bytes = malloc(1);
	j->arn = strdup(arn);
	if (!j->bytes || !j->arn) {
		commit_job_free(j);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	j->attach = true;
	commit_submit(fs, j);
}
