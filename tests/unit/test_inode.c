/*
 * Unit tests for fs/inode.c: classification of names under each kind of
 * folder, stable numbering keyed by (parent, name), identity fields, lookup
 * counting with forget, the keep_cache generation record, the packed storage
 * (slabs that never move, names held once and shared), and the kernel
 * invalidations (notify_plan) a cache change maps to.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fs/inode.h"
#include "fs/inode_store.h"
#include "fs/notify.h"

struct classify_case {
	enum inode_kind parent;
	const char *name;
	int ret;
	enum inode_kind kind;
	const char *policy; /* expected policy name, or NULL */
};

static const struct classify_case classify_cases[] = {
	{INODE_ROOT, ".iamfs", 0, INODE_CTL_DIR, NULL},
	{INODE_ROOT, "my-role", 0, INODE_ROLE, NULL},
	{INODE_ROOT, "a+b=c,d.e@f_g-h", 0, INODE_ROLE, NULL},
	{INODE_ROOT, "0123456789012345678901234567890123456789012345678901234567890123", 0,
	 INODE_ROLE, NULL},
	{INODE_ROOT, "01234567890123456789012345678901234567890123456789012345678901234", -ENOENT,
	 INODE_ROOT, NULL},
	{INODE_ROOT, "has space", -ENOENT, INODE_ROOT, NULL},
	{INODE_ROOT, "caf\xc3\xa9", -ENOENT, INODE_ROOT, NULL},
	{INODE_ROOT, "", -ENOENT, INODE_ROOT, NULL},
	{INODE_ROLE, "trust.json", 0, INODE_TRUST, NULL},
	{INODE_ROLE, "role.json", 0, INODE_ROLE_JSON, NULL},
	{INODE_ROLE, "inline", 0, INODE_INLINE_DIR, NULL},
	{INODE_ROLE, "attached", 0, INODE_ATTACHED_DIR, NULL},
	{INODE_ROLE, "trust.json.swp", -ENOENT, INODE_ROOT, NULL},
	{INODE_ROLE, ".iamfs", -ENOENT, INODE_ROOT, NULL},
	{INODE_INLINE_DIR, "s3-read.json", 0, INODE_INLINE, "s3-read"},
	{INODE_INLINE_DIR, "a.b.json", 0, INODE_INLINE, "a.b"},
	{INODE_INLINE_DIR, ".json", -ENOENT, INODE_ROOT, NULL},
	{INODE_INLINE_DIR, "x.txt", -ENOENT, INODE_ROOT, NULL},
	{INODE_INLINE_DIR, "x.json~", -ENOENT, INODE_ROOT, NULL},
	{INODE_ATTACHED_DIR, "AWSLambdaRole.json", 0, INODE_ATTACHED, "AWSLambdaRole"},
	{INODE_ATTACHED_DIR, "bad name.json", -ENOENT, INODE_ROOT, NULL},
	{INODE_CTL_DIR, "status", 0, INODE_CTL_STATUS, NULL},
	{INODE_CTL_DIR, "errors", 0, INODE_CTL_ERRORS, NULL},
	{INODE_CTL_DIR, "rejected", 0, INODE_CTL_REJECTED, NULL},
	{INODE_CTL_DIR, "refresh", 0, INODE_CTL_REFRESH, NULL},
	{INODE_CTL_DIR, "other", -ENOENT, INODE_ROOT, NULL},
	{INODE_CTL_REJECTED, "20261123T114407Z-r-trust.json", 0, INODE_CTL_REJECTED_FILE,
	 "20261123T114407Z-r-trust.json"},
	{INODE_CTL_REJECTED, ".hidden", -ENOENT, INODE_ROOT, NULL},
	{INODE_CTL_REJECTED, "", -ENOENT, INODE_ROOT, NULL},
	{INODE_CTL_DIR, "removed", 0, INODE_CTL_REMOVED, NULL},
	{INODE_CTL_REMOVED, "20261203T091716Z-r-inline-p.json", 0, INODE_CTL_REMOVED_FILE,
	 "20261203T091716Z-r-inline-p.json"},
	{INODE_CTL_REMOVED, ".tmp-1-0", -ENOENT, INODE_ROOT, NULL},
	{INODE_TRUST, "x", -ENOENT, INODE_ROOT, NULL},
};

static void test_classify(void)
{
	for (size_t i = 0; i < sizeof(classify_cases) / sizeof(classify_cases[0]); i++) {
		const struct classify_case *c = &classify_cases[i];
		enum inode_kind kind = INODE_ROOT;
		const char *pol = NULL;
		size_t plen = 0;
		int r;

		r = inode_classify(c->parent, c->name, &kind, &pol, &plen);
		CHECK_INT(r, c->ret);
		if (r)
			continue;
		CHECK_INT(kind, c->kind);
		if (c->policy) {
			CHECK(pol != NULL);
			CHECK_INT(plen, strlen(c->policy));
			CHECK(pol && !strncmp(pol, c->policy, plen));
		} else {
			CHECK(pol == NULL);
		}
	}
	CHECK(inode_kind_is_dir(INODE_ROOT));
	CHECK(inode_kind_is_dir(INODE_ATTACHED_DIR));
	CHECK(inode_kind_is_dir(INODE_CTL_REJECTED));
	CHECK(!inode_kind_is_dir(INODE_TRUST));
	CHECK(!inode_kind_is_dir(INODE_CTL_REFRESH));
}

struct path_case {
	const char *path[4];
	enum inode_kind kind;
	const char *role, *policy;
};

static const struct path_case path_cases[] = {
	{{"r1"}, INODE_ROLE, "r1", NULL},
	{{"r1", "trust.json"}, INODE_TRUST, "r1", NULL},
	{{"r1", "role.json"}, INODE_ROLE_JSON, "r1", NULL},
	{{"r1", "inline", "p.json"}, INODE_INLINE, "r1", "p"},
	{{"r1", "attached", "AWSLambdaRole.json"}, INODE_ATTACHED, "r1", "AWSLambdaRole"},
	{{"r2", "inline", "p.json"}, INODE_INLINE, "r2", "p"},
	{{".iamfs", "status"}, INODE_CTL_STATUS, NULL, NULL},
	{{".iamfs", "rejected"}, INODE_CTL_REJECTED, NULL, NULL},
	{{".iamfs", "removed"}, INODE_CTL_REMOVED, NULL, NULL},
};

/* Walks path from the root, creating nodes; returns the last one. */
static struct inode_node *walk(struct inode_table *t, const char *const *path)
{
	uint64_t ino = INODE_ROOT_INO;
	struct inode_node *n = NULL;

	for (size_t i = 0; i < 4 && path[i]; i++) {
		if (inode_table_child(t, ino, path[i], &n))
			return NULL;
		ino = n->ino;
	}
	return n;
}

static void test_table(void)
{
	struct inode_table *t = NULL;
	struct inode_node *nodes[sizeof(path_cases) / sizeof(path_cases[0])];
	struct inode_node *root, *n;
	size_t count;

	CHECK_INT(inode_table_new(&t), 0);
	root = inode_table_get(t, INODE_ROOT_INO);
	CHECK(root && root->kind == INODE_ROOT && root->parent == 0);
	CHECK_INT(inode_table_nlookup(t, root), 1);
	CHECK(inode_table_get(t, 0) == NULL);
	CHECK(inode_table_get(t, 2) == NULL);
	for (size_t i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];

		n = nodes[i] = walk(t, c->path);
		CHECK(n != NULL);
		if (!n)
			continue;
		CHECK_INT(n->kind, c->kind);
		CHECK(c->role ? n->role && !strcmp(n->role, c->role) : !n->role);
		CHECK(c->policy ? n->policy && !strcmp(n->policy, c->policy) : !n->policy);
		CHECK(inode_table_get(t, n->ino) == n);
		CHECK_INT(inode_table_nlookup(t, n), 0);
		CHECK(!inode_table_known(t, n));
	}
	count = inode_table_count(t);
	/* root, r1, trust, role, inline, p, attached, AWSLambdaRole, r2, inline, p,
	 * .iamfs, status, rejected, removed */
	CHECK_INT(count, 15);
	/* The same path gives the same node and number; nothing new is made. */
	for (size_t i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++)
		CHECK(walk(t, path_cases[i].path) == nodes[i]);
	CHECK_INT(inode_table_count(t), count);
	CHECK(inode_table_find(t, INODE_ROOT_INO, "r1") == nodes[0]);
	CHECK(inode_table_find(t, INODE_ROOT_INO, "r3") == NULL);
	CHECK(nodes[3]->ino != nodes[5]->ino);
	/* Impossible names, parents that are files, unknown parents. */
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "bad name", &n), -ENOENT);
	CHECK_INT(inode_table_child(t, nodes[1]->ino, "x", &n), -ENOENT);
	CHECK_INT(inode_table_child(t, 9999, "x", &n), -ENOENT);
	CHECK_INT(inode_table_count(t), count);
	inode_table_free(t);
}

static void test_counts(void)
{
	struct inode_table *t = NULL;
	struct inode_node *a, *root;

	CHECK_INT(inode_table_new(&t), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "role-a", &a), 0);
	inode_table_ref(t, a);
	inode_table_ref(t, a);
	inode_table_ref(t, a);
	CHECK_INT(inode_table_nlookup(t, a), 3);
	CHECK(inode_table_known(t, a));
	inode_table_forget(t, a->ino, 2);
	CHECK_INT(inode_table_nlookup(t, a), 1);
	inode_table_forget(t, a->ino, 5); /* more than held: clamps, never wraps */
	CHECK_INT(inode_table_nlookup(t, a), 0);
	CHECK(!inode_table_known(t, a));
	/* A forgotten node keeps its number when the name comes back. */
	CHECK(inode_table_find(t, INODE_ROOT_INO, "role-a") == a);
	inode_table_forget(t, 4242, 1); /* unknown: ignored */
	root = inode_table_get(t, INODE_ROOT_INO);
	inode_table_forget(t, INODE_ROOT_INO, 1); /* the root is always known */
	CHECK(inode_table_known(t, root));
	/* keep_cache: true only when the same generation is served again. */
	CHECK(!inode_table_serve(t, a, 77));
	CHECK(inode_table_serve(t, a, 77));
	CHECK(!inode_table_serve(t, a, 78));
	CHECK(inode_table_serve(t, a, 78));
	/* What was served is what a save is based on; a writer's open forgets the pages,
	 * not what the user saw; a save is seen and leaves the pages unknown. */
	CHECK_INT(inode_table_seen(t, a), 78);
	CHECK(!inode_table_serve(t, a, 0));
	CHECK_INT(inode_table_seen(t, a), 78);
	inode_table_saved(t, a, 99);
	CHECK_INT(inode_table_seen(t, a), 99);
	CHECK(!inode_table_serve(t, a, 99)); /* the kernel's pages are not known to hold it */
	CHECK(inode_table_serve(t, a, 99));
	inode_table_free(t);
	inode_table_free(NULL);
}

/* A policy file renamed onto another name: its number stands for what holds that
 * name, and its own name gets a new node (at once and vacated when renamed away). */
static void test_move(void)
{
	struct inode_table *t = NULL;
	struct inode_node *ra, *rb, *ta, *tb, *again, *away;

	CHECK_INT(inode_table_new(&t), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "a", &ra), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "b", &rb), 0);
	CHECK_INT(inode_table_child(t, ra->ino, "trust.json", &ta), 0);
	CHECK_INT(inode_table_child(t, rb->ino, "trust.json", &tb), 0);
	CHECK_INT(inode_table_moved(t, ta->ino), ta->ino);
	/* mv a/trust.json b/trust.json */
	CHECK_INT(inode_table_move(t, ta, tb->ino, false), 0);
	CHECK_INT(inode_table_moved(t, ta->ino), tb->ino);
	CHECK(inode_table_find(t, ra->ino, "trust.json") == NULL);
	CHECK(inode_table_find(t, rb->ino, "trust.json") == tb);
	CHECK(inode_table_get(t, ta->ino) == ta); /* forget still finds it */
	CHECK_INT(inode_table_child(t, ra->ino, "trust.json", &again), 0);
	CHECK(again != ta && again->ino != ta->ino && again->ino != tb->ino);
	CHECK(!strcmp(again->role, "a") && again->kind == INODE_TRUST);
	CHECK(!inode_table_take_vacated(t, again));
	/* Moving again changes nothing. */
	CHECK_INT(inode_table_move(t, ta, 4242, false), 0);
	CHECK_INT(inode_table_moved(t, ta->ino), tb->ino);
	/* mv b/trust.json b/trust.json~ (a helper, number 1<<62 say): renamed away. */
	CHECK_INT(inode_table_move(t, tb, 1ull << 62, true), 0);
	CHECK_INT(inode_table_moved(t, tb->ino), 1ull << 62);
	away = inode_table_find(t, rb->ino, "trust.json");
	CHECK(away && away != tb && away->kind == INODE_TRUST && !strcmp(away->role, "b"));
	CHECK(away && inode_table_take_vacated(t, away));
	CHECK(away && !inode_table_take_vacated(t, away));
	/* The index survives growth with moved nodes left out of it. */
	for (int i = 0; i < 600; i++) {
		char name[16];
		struct inode_node *n;

		snprintf(name, sizeof(name), "r%d", i);
		CHECK_INT(inode_table_child(t, INODE_ROOT_INO, name, &n), 0);
	}
	CHECK(inode_table_find(t, rb->ino, "trust.json") == away);
	CHECK(inode_table_find(t, ra->ino, "trust.json") == again);
	inode_table_free(t);
}

static void test_many(void)
{
	struct inode_table *t = NULL;
	char name[32];
	int ok = 1;

	CHECK_INT(inode_table_new(&t), 0);
	for (int i = 0; i < 5000; i++) {
		struct inode_node *n;

		snprintf(name, sizeof(name), "role-%d", i);
		if (inode_table_child(t, INODE_ROOT_INO, name, &n) || n->ino != (uint64_t)i + 2)
			ok = 0;
	}
	CHECK(ok);
	for (int i = 0; i < 5000; i += 7) {
		struct inode_node *n;

		snprintf(name, sizeof(name), "role-%d", i);
		n = inode_table_find(t, INODE_ROOT_INO, name);
		if (!n || n->ino != (uint64_t)i + 2 || strcmp(n->name, name))
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(inode_table_count(t), 5001);
	inode_table_free(t);
}

/* Nodes under one role share its name; fixed names are static; policy file names
 * are held once for every role; a kept file's policy is its name. */
static void test_shared_names(void)
{
	struct inode_table *t = NULL;
	struct inode_node *ra, *rb, *ta, *tb, *ia, *ib, *xa, *xb, *ctl, *rej, *k, *again;

	CHECK_INT(inode_table_new(&t), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "role-a", &ra), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "role-b", &rb), 0);
	CHECK(ra->role == ra->name && !strcmp(ra->name, "role-a"));
	CHECK_INT(inode_table_child(t, ra->ino, "trust.json", &ta), 0);
	CHECK_INT(inode_table_child(t, rb->ino, "trust.json", &tb), 0);
	CHECK(ta->role == ra->name && tb->role == rb->name && ta->name == tb->name);
	CHECK_INT(inode_table_child(t, ra->ino, "inline", &ia), 0);
	CHECK_INT(inode_table_child(t, rb->ino, "inline", &ib), 0);
	CHECK_INT(inode_table_child(t, ia->ino, "s3-read.json", &xa), 0);
	CHECK_INT(inode_table_child(t, ib->ino, "s3-read.json", &xb), 0);
	CHECK(xa != xb && xa->name == xb->name && xa->policy == xb->policy);
	CHECK(!strcmp(xa->name, "s3-read.json") && !strcmp(xa->policy, "s3-read"));
	CHECK(xa->role == ra->name && xb->role == rb->name);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, ".iamfs", &ctl), 0);
	CHECK_INT(inode_table_child(t, ctl->ino, "rejected", &rej), 0);
	CHECK_INT(inode_table_child(t, rej->ino, "x.json", &k), 0);
	CHECK(k->policy == k->name && !strcmp(k->name, "x.json") && !k->role);
	/* A vacated name's new node shares the old one's names. */
	CHECK_INT(inode_table_move(t, xa, xb->ino, true), 0);
	again = inode_table_find(t, ia->ino, "s3-read.json");
	CHECK(again && again != xa && again->name == xa->name && again->policy == xa->policy);
	CHECK(again->role == ra->name && again->kind == INODE_INLINE);
	inode_table_free(t);
}

/* Slots across slab boundaries keep their address; names across blocks stay whole;
 * interning answers one copy per distinct string. */
static void test_store(void)
{
	struct inode_store s = {0};
	struct inode_node *first[3] = {0};
	const size_t n = 5 * INODE_STORE_FIRST_SLAB + 3;
	const char *names[200], *a, *b;
	char name[128];
	int ok = 1;

	for (size_t i = 0; i < n; i++) {
		struct inode_node *node = inode_store_add(&s);

		if (!node || inode_store_get(&s, i) != node || node->ino)
			ok = 0;
		else
			node->ino = i + 1;
		if (i == 0 || i == INODE_STORE_FIRST_SLAB - 1 || i == INODE_STORE_FIRST_SLAB)
			first[i ? i == INODE_STORE_FIRST_SLAB ? 2 : 1 : 0] = node;
	}
	CHECK(ok);
	CHECK(inode_store_get(&s, n) == NULL);
	CHECK(first[0] == inode_store_get(&s, 0) && first[1] == inode_store_get(&s, 63));
	CHECK(first[2] == inode_store_get(&s, INODE_STORE_FIRST_SLAB));
	for (size_t i = 0; i < n; i++)
		if (inode_store_get(&s, i)->ino != i + 1)
			ok = 0;
	CHECK(ok);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%0120d", i);
		names[i] = inode_store_name(&s, name, strlen(name));
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%0120d", i);
		if (!names[i] || strcmp(names[i], name))
			ok = 0;
	}
	CHECK(ok);
	a = inode_store_intern(&s, "policy.json", 6);
	b = inode_store_intern(&s, "policy", 6);
	CHECK(a && a == b && !strcmp(a, "policy"));
	CHECK(inode_store_intern(&s, "policy.json", 11) != a);
	for (int i = 0; i < 1000; i++) { /* grows the set */
		snprintf(name, sizeof(name), "p-%d", i % 500);
		if (!inode_store_intern(&s, name, strlen(name)))
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(s.set_n, 502);
	inode_store_free(&s);
	CHECK(s.n == 0 && !s.block && !s.set);
}

struct plan_case {
	int what;
	const char *role;
	enum cache_file_kind kind;
	const char *name;
	const char *want; /* "E<parent>/<name> I<ino> ...", with node names for numbers */
};

/* Renders a plan as text with node paths instead of numbers. */
static void plan_text(struct inode_table *t, const struct notify_action *a, size_t n, char *out,
		      size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++) {
		const struct inode_node *node = inode_table_get(t, a[i].ino);
		const struct inode_node *parent = node ? inode_table_get(t, node->parent) : NULL;
		const char *pname = parent && parent->parent ? parent->name : "";

		len += (size_t)snprintf(out + len, cap - len, "%s%c%s%s%s%s", i ? " " : "",
					a[i].entry ? 'E' : 'I', node->parent ? pname : "/",
					node->parent && parent && parent->parent ? "/" : "",
					node->parent ? node->name : "", a[i].entry ? ":" : "");
		if (a[i].entry && len < cap)
			len += (size_t)snprintf(out + len, cap - len, "%s", a[i].name);
	}
}

static const struct plan_case plan_cases[] = {
	/* The root is always known: a role's entry and the root listing. */
	{CACHE_CHANGE_ROLE_ADDED, "new-role", CACHE_FILE_TRUST, NULL, "E/:new-role I/"},
	{CACHE_CHANGE_ROLE_REMOVED, "r1", CACHE_FILE_TRUST, NULL, "E/:r1 I/"},
	/* Known file: its pages and attributes. */
	{CACHE_CHANGE_FILE_CHANGED, "r1", CACHE_FILE_TRUST, NULL, "Ir1/trust.json"},
	{CACHE_CHANGE_FILE_CHANGED, "r1", CACHE_FILE_INLINE, "p", "Iinline/p.json"},
	/* Never looked up (role.json) or forgotten: nothing to tell. */
	{CACHE_CHANGE_FILE_CHANGED, "r1", CACHE_FILE_ROLE, NULL, ""},
	{CACHE_CHANGE_FILE_CHANGED, "r1", CACHE_FILE_INLINE, "gone", ""},
	/* A new policy: its (maybe negative) entry and the folder listing. */
	{CACHE_CHANGE_FILE_ADDED, "r1", CACHE_FILE_INLINE, "q", "Er1/inline:q.json Ir1/inline"},
	{CACHE_CHANGE_FILE_REMOVED, "r1", CACHE_FILE_INLINE, "p",
	 "Iinline/p.json Er1/inline:p.json Ir1/inline"},
	/* Folders the kernel does not know (attached/ never listed), unknown roles. */
	{CACHE_CHANGE_FILE_ADDED, "r1", CACHE_FILE_ATTACHED, "A", ""},
	{CACHE_CHANGE_FILE_CHANGED, "r9", CACHE_FILE_TRUST, NULL, ""},
	{CACHE_CHANGE_FILE_ADDED, "r9", CACHE_FILE_INLINE, "x", ""},
};

static void test_notify_plan(void)
{
	struct inode_table *t = NULL;
	struct inode_node *r1, *trust, *inl, *p, *gone;
	struct notify_action acts[NOTIFY_PLAN_MAX];
	char text[512];

	CHECK_INT(inode_table_new(&t), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, "r1", &r1), 0);
	CHECK_INT(inode_table_child(t, r1->ino, "trust.json", &trust), 0);
	CHECK_INT(inode_table_child(t, r1->ino, "inline", &inl), 0);
	CHECK_INT(inode_table_child(t, inl->ino, "p.json", &p), 0);
	CHECK_INT(inode_table_child(t, inl->ino, "gone.json", &gone), 0);
	inode_table_ref(t, r1);
	inode_table_ref(t, trust);
	inode_table_ref(t, inl);
	inode_table_ref(t, p);
	for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
		const struct plan_case *c = &plan_cases[i];
		struct cache_change ch = {
			.what = c->what, .role = c->role, .kind = c->kind, .name = c->name};
		size_t n = notify_plan(t, &ch, acts);

		CHECK(n <= NOTIFY_PLAN_MAX);
		plan_text(t, acts, n, text, sizeof(text));
		CHECK_STR(text, c->want);
	}
	inode_table_free(t);
}

/* A recorded refusal: errors' size and rejected/'s listing, once the kernel knows them. */
static void test_notify_plan_rejected(void)
{
	struct cache_change ch = {.what = CACHE_CHANGE_REJECTED, .role = "r1", .name = "k.json"};
	struct inode_node *ctl, *errors, *rej;
	struct notify_action acts[NOTIFY_PLAN_MAX];
	struct inode_table *t = NULL;
	char text[512];

	CHECK_INT(inode_table_new(&t), 0);
	CHECK_INT((int)notify_plan(t, &ch, acts), 0);
	CHECK_INT(inode_table_child(t, INODE_ROOT_INO, ".iamfs", &ctl), 0);
	CHECK_INT(inode_table_child(t, ctl->ino, "errors", &errors), 0);
	CHECK_INT(inode_table_child(t, ctl->ino, "rejected", &rej), 0);
	CHECK_INT((int)notify_plan(t, &ch, acts), 0);
	inode_table_ref(t, ctl);
	inode_table_ref(t, errors);
	inode_table_ref(t, rej);
	plan_text(t, acts, notify_plan(t, &ch, acts), text, sizeof(text));
	CHECK_STR(text, "I.iamfs/errors E.iamfs/rejected:k.json I.iamfs/rejected");
	ch.name = NULL; /* nothing kept (a refused delete) */
	ch.role = NULL;
	plan_text(t, acts, notify_plan(t, &ch, acts), text, sizeof(text));
	CHECK_STR(text, "I.iamfs/errors");
	inode_table_free(t);
}

int main(void)
{
	test_classify();
	test_table();
	test_counts();
	test_move();
	test_many();
	test_shared_names();
	test_store();
	test_notify_plan();
	test_notify_plan_rejected();
	return check_done("inode");
}
