/*
 * The inside of saving. Its files, top to bottom; each calls only files below it:
 *
 *   save.c            the commit of a policy save: dispatch by kind, validate, the
 *                     same-value no-op, the conflict read, publish;
 *   save_life.c       open, the replay of the journal, status;
 *   save_attach.c, save_create.c, save_delrole.c, save_remove.c, save_rolejson.c
 *                     attaching, a pending role's saves and CreateRole, rmdir of a
 *                     role, rm of a policy, role.json (save_delrole.c above
 *                     save_remove.c);
 *   save_write.c      the write: send, settle an ambiguous failure, the unknown
 *                     principal's retry, the room of a full managed policy;
 *   save_calls.c      each action's one IAM call and the read that settles it;
 *   save_step.c       the steps every save shares: in-flight marker, the host,
 *                     --dry-run, journal, the end of a save;
 *   save_record.c     counters, version ids, the recording of every refusal;
 *   save_decide.c     the pure decisions.
 *
 * Here: the saving state (the host it was handed, its own mutex, never held
 * across a network call), one save under way, the functions the files share,
 * grouped by the file that defines them, and the pure decisions unit tests drive
 * with plain values (inline size budget, conflict checks, which version to prune).
 * Nothing here sees struct cache.
 */
#ifndef IAMFS_CACHE_SAVE_INT_H
#define IAMFS_CACHE_SAVE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/buf.h"
#include "aws/iam.h"
#include "aws/iam_types.h"
#include "cache/journal.h"
#include "cache/save.h"

#define SAVE_PATH_MAX (JOURNAL_NAME_MAX + 16)
#define SAVE_KEY_MAX  (JOURNAL_NAME_MAX + 8) /* an in-flight marker or kept-entry key */

enum save_action {
	SAVE_UPDATE_TRUST,
	SAVE_PUT_INLINE,
	SAVE_CREATE_VERSION,
	SAVE_DELETE_INLINE,
	/* a role.json save: the calls of cache/roleplan.h, in its order */
	SAVE_UPDATE_ROLE,
	SAVE_UNTAG_ROLE,
	SAVE_TAG_ROLE,
	SAVE_PUT_BOUNDARY,
	SAVE_DELETE_BOUNDARY,
	SAVE_DETACH,	    /* rm of attached/X.json: DetachRolePolicy (save_remove.c) */
	SAVE_DELETE_ROLE,   /* rmdir of a role folder: DeleteRole (save_remove.c) */
	SAVE_ATTACH,	    /* AttachRolePolicy (save_attach.c) */
	SAVE_CREATE_POLICY, /* CreatePolicy, before its AttachRolePolicy (save_attach.c) */
	SAVE_CREATE_ROLE,   /* save_create.c */
	SAVE_NACTIONS
};

extern const char *const save_action_names[SAVE_NACTIONS];

/* The version id IAM gave the document a view holds (by gen), per ARN. */
struct save_version {
	char *arn;
	char *vid;
	unsigned long long gen;
};

struct save_leftover {
	unsigned long long id;
	long long time;
	enum journal_kind kind;
	bool damaged;
	char *role, *name, *bytes;
	size_t len;
};

/* The journal entry of an unsettled save, kept for the next mount, by file. */
struct save_kept {
	char *file;
	unsigned long long jid;
};

struct save_state {
	struct save_host host; /* set at open, then read-only */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	char **busy; /* keys of saves in flight */
	size_t nbusy, capbusy;
	struct journal *journal;
	struct rejects *rejects;
	struct save_version *versions;
	size_t nversions;
	struct save_leftover *left;
	size_t nleft;
	struct save_kept *kept; /* unsettled saves' journal entries (under mu) */
	size_t nkept;
	unsigned long ok, refused, noop, interrupted, landed;
	unsigned long dry[SAVE_NACTIONS];
	struct removed *removed; /* .iamfs/removed/ (removed.h) */
	struct policies *pol;	 /* names in attached/ -> ARNs (policies.h), own lock */
};

/* One save under way (every saving file). */
struct save_ctx {
	struct save_state *st;
	const char *role, *name;
	enum cache_file_kind kind;
	const char *bytes; /* what to keep when refused (NULL: nothing) */
	size_t len;
	struct cache_save_result *res;
	struct cache_view *v;
	const struct cache_role *r;
	struct cache_doc *cur; /* the view's document, borrowed from v */
	const char *arn;       /* ATTACHED: the policy ARN, in v */
	char path[SAVE_PATH_MAX];
	enum save_action action;
	bool unsettled; /* the outcome is unknown: the journal entry stays for the next mount */
	unsigned long long jid; /* the journal entry made at acceptance, until ended; 0: none */
	const char *attach_arn; /* ATTACHED, ln -s: the ARN to attach (cache_save.arn) */
	/* SAVE_CREATE_ROLE: what CreateRole sends, and IAM's role once it landed (its
	 * answer, or the settling GetRole's); both the caller's. */
	const struct iam_create_role_input *create;
	struct iam_role *created;
};

/* save_attach.c: a new file in attached/ (x->arn NULL: the role attaches no policy
 * of that name): closed empty, attach the managed policy of that name; with
 * x->attach_arn, attach that ARN; with a document, create the policy when the
 * account has none of that name, then attach. Every refusal recorded. */
int save_attach(struct save_ctx *x);
/* save_attach.c: the same when the role attached a policy of that name meanwhile
 * (another close, a load): that ARN again, or the same JSON value, is done,
 * sending nothing; another ARN or document is EEXIST. */
int save_attach_present(struct save_ctx *x);

/* save_create.c: saves into a pending role's folder (cache/pending.h). Whether role
 * is pending in the host's view now; the save of x (its role pending in x->v, the
 * role's in-flight marker held): role.json kept, trust.json creates the role
 * (save_create), other files -ENOENT. Every refusal recorded. */
bool save_role_pending(struct save_state *st, const char *role);
int save_pending_run(struct save_ctx *x);
int save_create(struct save_ctx *x);

/* save_remove.c: rm of inline/X.json (DeleteRolePolicy) or attached/X.json
 * (DetachRolePolicy) for x (role, kind, name, jid set): what goes is kept under
 * removed/ first, journaled, settled by a read when ambiguous, published. Every
 * refusal recorded. 0 or -errno. */
int save_remove(struct save_ctx *x);
/* save_remove.c: after a failed removal (rc) of x's role, one more errors line
 * naming the removals of that role that landed earlier in this mount, if any. */
void save_remove_note(struct save_ctx *x, int rc);
/* save_remove.c: keeps what x removes under .iamfs/removed/ before its first call
 * (what: its name there, bytes: its content); a copy that cannot be kept refuses
 * x (recorded, EIO) with nothing sent. 0 or that refusal. */
int save_keep_removed(struct save_ctx *x, const char *what, const char *bytes, size_t len);

/* save_rolejson.c: the save of role.json once save.c has the role to itself and x->v
 * holds the view: validate, read-only fields, the same-value no-op, --dry-run,
 * journal, the GetRole conflict read, the calls of roleplan.h, publication of the
 * re-rendered role.json. Every refusal recorded. */
int save_role_json(struct save_ctx *x, unsigned long long base_gen);
/* save_rolejson.c, for the replay of a journaled role.json save: whether bytes (the
 * saved role.json) hold the same editable fields as the view's role.json cur. */
bool save_role_json_landed(const char *bytes, size_t len, const struct cache_doc *cur);

/* save_write.c: the failure does not prove that the call did not land. */
bool save_ambiguous(int rc, const struct aws_error *e);
/* save_write.c: the settling read failed too: recorded as unsettled (-EIO, or
 * -EAGAIN when throttled), the bytes left in the journal. */
int save_unsettled(struct save_ctx *x, int rc);
/* save_write.c: with --prune-versions, deletes the oldest non-default version when
 * vl is full; else refuses a full policy with -EDQUOT. 0 or the refusal. */
int save_make_room(struct save_ctx *x, struct iam_conn *conn, const struct iam_version_list *vl);
/* save_write.c: the write call. When it fails in a way that does not prove it did
 * not land, settles it with a read: IAM holds doc → 0; IAM still holds the old
 * document → sent once more (safe now, not blind); the read fails → x->unsettled
 * and -EIO. Refusals are recorded. On success *mtime and ver (managed) describe
 * the new document. */
int save_write(struct save_ctx *x, struct iam_conn *conn, const char *doc, long long *mtime,
	       struct iam_policy_version *ver);

/* save_calls.c: what a settling read found. */
enum save_found { SAVE_FOUND_OURS, SAVE_FOUND_OLD, SAVE_FOUND_OTHER };
/* save_calls.c: the one IAM call of x->action (doc: the document it sends; ver, for
 * CreatePolicyVersion, takes IAM's answer; x->created, for CreateRole); 0 or
 * -errno with x->res->aws set. */
int save_call(struct save_ctx *x, struct iam_conn *conn, const char *doc,
	      struct iam_policy_version *ver);
/* save_calls.c: reads what IAM holds for x's file after an ambiguous failure: a
 * save_found (ours: the saved document ours, NULL for a removal; a managed one
 * found ours goes to ver, a created role to x->created), or -errno when the read
 * failed. */
int save_settle(struct save_ctx *x, struct iam_conn *conn, const struct cache_doc *ours,
		struct iam_policy_version *ver);
/* save_calls.c: the call of a removal action and the read that settles it
 * (1: what it removes is gone, 0: still there, -errno: the read failed). */
int save_remove_call(struct save_ctx *x, struct iam_conn *conn);
int save_remove_settle(struct save_ctx *x, struct iam_conn *conn);

/* save_step.c, shared by every kind of save: the in-flight marker of key (waits
 * while another save holds it; -ENOMEM) and its release; this thread's connection
 * and the current view (+1 ref) from the host; publication of one document;
 * telling the host how the last call went; --dry-run (log, count, the file
 * reverts); journaling a save before its first call (refused and recorded when it
 * cannot); the end of journal entry jid (x->jid cleared when it is that one; a
 * failure only logged); and the end of a save that sent (its journal entry ends
 * or stays). */
int save_busy_enter(struct save_state *st, const char *key);
void save_busy_leave(struct save_state *st, const char *key);
struct iam_conn *save_conn(struct save_state *st);
struct cache_view *save_view(struct save_state *st);
int save_publish(struct save_state *st, const char *role, enum cache_file_kind kind,
		 const char *name, struct cache_doc *doc);
void save_called(struct save_ctx *x);
int save_dry_run(struct save_ctx *x);
int save_begin(struct save_ctx *x, unsigned long long *jid);
void save_end(struct save_ctx *x, unsigned long long jid);
void save_finish(struct save_ctx *x, unsigned long long jid, int rc);
/* save_step.c: journals the call of x->action (kind, name, bytes) before it is sent;
 * a failure is recorded as a refusal (nothing was sent). 0 or that refusal. */
int save_journal(struct save_ctx *x, enum journal_kind kind, const char *name, const char *bytes,
		 size_t len, unsigned long long *jid);

/* save_record.c, shared by every saving file: counts one (under st->mu). */
void save_count(struct save_state *st, unsigned long *n);
/* An unsettled save's journal entry jid stays for the next mount, recorded under
 * file (a key naming the role's file); a later save of that file that lands takes
 * it back (0 when none is left) and ends it, since IAM then holds newer bytes. */
int save_kept_add(struct save_state *st, const char *file, unsigned long long jid);
unsigned long long save_kept_take(struct save_state *st, const char *file);
/* Records one refusal (ev) in .iamfs/errors and rejected/ (kept: the file's name, ""
 * when none) and tells on_change, so the kernel drops the errors file's size and
 * rejected/'s listing. Every refusal goes through here. 0 or rejects_add's -errno. */
struct rejects_event;
int save_record(struct save_state *st, const struct rejects_event *ev, char *kept, size_t cap);
/* A refusal: its errors line, its record (save_record), a warning in the log and
 * the refused count. 0 or save_record's -errno. */
int save_record_refusal(struct save_state *st, const struct rejects_event *ev);
/* save_record.c: on_change of one change (nothing when the host has none). */
void save_emit(struct save_state *st, const struct cache_change *ch);
/* save_record.c: records a refusal whose sentence is in x->res->message (IAM's detail in
 * x->res->aws when from_iam): errors line, bytes under rejected/. Returns rc. */
int save_refuse(struct save_ctx *x, int rc, bool from_iam);
/* save_record.c: words "ACTION of PATH failed: CODE: MESSAGE" and records it. Returns rc. */
int save_iam_failed(struct save_ctx *x, const char *action, int rc);
/* save_record.c: the version id recorded for arn's document of gen, and recording one. */
bool save_version_get(struct save_state *st, const char *arn, unsigned long long gen, char *vid,
		      size_t cap);
void save_version_put(struct save_state *st, const char *arn, const char *vid,
		      unsigned long long gen);

/* save_decide.c: the default version of a listing, or NULL (borrowed from l). */
const struct iam_policy_version *save_default(const struct iam_version_list *l);
/* save_decide.c, pure: whether action a removes something (DeleteRolePolicy,
 * DetachRolePolicy, DeleteRole). */
bool save_action_removes(enum save_action a);
/* save_decide.c, pure: the characters an inline policy named name may use: IAM's 10,240 for a
 * role minus validate_count_size of the role's other inline documents (0 when they
 * use it all). r may be NULL. */
size_t save_inline_budget(const struct cache_role *r, const char *name);

/* Pure: the local half of the conflict check. 0 when the document the open served
 * (base_gen; 0: a new file or no base) is still the view's document cur (NULL: the
 * file is not in the view), -ESTALE when the view has moved on since. */
int save_base_check(const struct cache_doc *cur, unsigned long long base_gen);

/* Pure: true when IAM's document text (as IAM sent it) holds the same JSON value
 * as the view's document cur (or renders to the same bytes). */
bool save_remote_same(const char *iam_text, const struct cache_doc *cur);

/* Pure: whether a customer managed policy's default version, as ListPolicyVersions
 * tells it, is still the one the view holds without fetching its document. true:
 * known_vid (the version id recorded for the view's document, or NULL) equals
 * default_vid, or, with none recorded, the default version's CreateDate equals the
 * view document's mtime. false: the document must be fetched and compared. */
bool save_managed_unchanged(const char *known_vid, const char *default_vid,
			    long long default_created, long long doc_mtime);

/* How long a refusal of an unknown principal is retried in all, the first wait and
 * the longest one (save_principal_delay_ms). */
#define SAVE_PRINCIPAL_WAIT_MS	10000
#define SAVE_PRINCIPAL_FIRST_MS 500
#define SAVE_PRINCIPAL_STEP_MS	2000

/* Pure: whether IAM's refusal (code, message) may be IAM not knowing yet a principal
 * created seconds ago (MalformedPolicyDocument, "Invalid principal..."): worth
 * sending again for a while. Any other refusal is final. NULL-safe. */
bool save_retry_principal(const char *code, const char *message);

/* Pure: the wait before retry number retries (0 for the first) when waited_ms have
 * passed since the first call: doubling from SAVE_PRINCIPAL_FIRST_MS up to
 * SAVE_PRINCIPAL_STEP_MS, cut so the last call goes out at SAVE_PRINCIPAL_WAIT_MS;
 * -1 once that much time has passed (give up). */
long save_principal_delay_ms(int retries, long long waited_ms);

/* Pure: the index of the version to delete to make room (the oldest non-default
 * one by CreateDate, then by version number), or -1 when there is none. */
long save_prune_choice(const struct iam_version_list *l);

#endif
