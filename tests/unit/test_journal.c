/* Unit tests for the pending-save journal: round trip, leftovers after a crash,
 * permissions, hostile names, caps, damaged files, stale temporaries, threads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/journal.h"
#include "check.h"

#define MAX_SEEN 512

struct seen_entry {
	unsigned long long id;
	long long time;
	enum journal_kind kind;
	char role[JOURNAL_NAME_MAX + 1];
	char name[JOURNAL_NAME_MAX + 1];
	char *bytes;
	size_t len;
	int damaged;
	long pid;
};

struct seen {
	struct seen_entry e[MAX_SEEN];
	size_t n;
	int stop_after; /* 0: never */
};

static int collect(void *ctx, const struct journal_entry *e)
{
	struct seen *s = ctx;
	struct seen_entry *x;

	if (s->n >= MAX_SEEN)
		return -ENOSPC;
	x = &s->e[s->n++];
	x->id = e->id;
	x->time = e->time;
	x->kind = e->kind;
	snprintf(x->role, sizeof(x->role), "%s", e->role);
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	x->bytes = malloc(e->len + 1);
	memcpy(x->bytes, e->bytes, e->len);
	x->len = e->len;
	x->damaged = e->damaged;
	x->pid = e->pid;
	if (s->stop_after && (int)s->n >= s->stop_after)
		return 7;
	return 0;
}

static void seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].bytes);
	s->n = 0;
}

static long long fixed_clock(void *ctx)
{
	return *(long long *)ctx;
}

static char tmpdir[64];
static char cachedir[128];
static char jdir[160];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iamfs-journal-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	snprintf(cachedir, sizeof(cachedir), "%s/cache", tmpdir);
	snprintf(jdir, sizeof(jdir), "%s/journal", cachedir);
}

static void teardown(void)
{
	check_rm_tree(jdir);
	check_rm_tree(cachedir);
	check_rm_tree(tmpdir);
}

static size_t count_files(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(jdir);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static const struct {
	const char *role;
	enum journal_kind kind;
	const char *name;
	const char *bytes;
	size_t len;
} saves[] = {
	{"states-lambda-role", JOURNAL_TRUST, NULL, "{\"Statement\": {}}\n", 18},
	{"r", JOURNAL_INLINE, "../../etc/passwd", "{\"a\":1}", 7},
	{"a/b", JOURNAL_INLINE, "x/y/z", "bin\0ary\n\xff", 10},
	{"..", JOURNAL_MANAGED, "arn:aws:iam::123456789012:policy/p/a.b", "{}", 2},
	{".", JOURNAL_INLINE, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "{}", 2},
	{"line\nbreak\"quote\\", JOURNAL_INLINE_DELETE, "ctl\x01\x1f", NULL, 0},
	{"web", JOURNAL_ROLE, NULL, "{\"Tags\": []}", 12},
	{"doomed", JOURNAL_DETACH, "arn:aws:iam::aws:policy/service-role/AWSLambdaRole", NULL, 0},
	{"doomed", JOURNAL_ROLE_DELETE, NULL, NULL, 0},
	{"states-lambda-role", JOURNAL_ATTACH, "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
	 NULL, 0},
	{"states-lambda-role", JOURNAL_CREATE_POLICY, "queue-send", "{\"Statement\": []}", 17},
};
#define NSAVES (sizeof(saves) / sizeof(saves[0]))

static void test_round_trip_after_crash(void)
{
	unsigned long long ids[NSAVES];
	long long clock = 1700000000;
	struct journal *j = NULL;
	static struct seen s;
	struct stat st;
	size_t i;

	setup();
	CHECK_INT(journal_open(cachedir, fixed_clock, &clock, &j), 0);
	for (i = 0; i < NSAVES; i++) {
		clock++;
		CHECK_INT(journal_begin(j, saves[i].role, saves[i].kind, saves[i].name,
					saves[i].bytes, saves[i].len, &ids[i]),
			  0);
		if (i > 0)
			CHECK(ids[i] > ids[i - 1]);
	}
	/* Entries begun by this journal are not leftovers. */
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, 0);
	/* The daemon "dies": no end, no close of anything but the handle. */
	journal_close(j);

	CHECK_INT(stat(cachedir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(stat(jdir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(count_files(), NSAVES);

	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, NSAVES);
	for (i = 0; i < NSAVES && i < s.n; i++) {
		CHECK_INT(s.e[i].id, ids[i]);
		CHECK_INT(s.e[i].time, 1700000001 + (long long)i);
		CHECK_INT(s.e[i].kind, saves[i].kind);
		CHECK_STR(s.e[i].role, saves[i].role);
		CHECK_STR(s.e[i].name, saves[i].name ? saves[i].name : "");
		CHECK_INT(s.e[i].len, saves[i].len);
		CHECK(!memcmp(s.e[i].bytes, saves[i].bytes ? saves[i].bytes : "", saves[i].len));
		CHECK_INT(s.e[i].damaged, 0);
		CHECK_INT(s.e[i].pid, getpid());
	}
	/* A new id continues after the leftovers. */
	CHECK_INT(journal_begin(j, "r", JOURNAL_TRUST, NULL, "{}", 2, &ids[0]), 0);
	CHECK(ids[0] > s.e[NSAVES - 1].id);
	CHECK_INT(journal_end(j, ids[0]), 0);
	for (i = 0; i < s.n; i++)
		CHECK_INT(journal_discard(j, s.e[i].id), 0);
	CHECK_INT(journal_discard(j, s.e[0].id), -ENOENT);
	CHECK_INT(count_files(), 0);
	seen_free(&s);
	journal_close(j);

	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, 0);
	journal_close(j);
	teardown();
}

static void write_file_at(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, data, strlen(data)), (long long)strlen(data));
	close(fd);
}

static void test_end_and_permissions(void)
{
	struct journal *j = NULL;
	unsigned long long id = 0;
	char path[256];
	struct stat st;

	setup();
	/* A journal folder left with loose permissions is tightened. */
	CHECK_INT(mkdir(cachedir, 0700), 0);
	CHECK_INT(mkdir(jdir, 0755), 0);
	umask(0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	umask(022);
	CHECK_INT(stat(jdir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(journal_begin(j, "role", JOURNAL_INLINE, "p", "{}", 2, &id), 0);
	snprintf(path, sizeof(path), "%s/%020llu.entry", jdir, id);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(count_files(), 1); /* no temporary left behind */
	CHECK_INT(journal_end(j, id), 0);
	CHECK_INT(stat(path, &st), -1);
	CHECK_INT(journal_end(j, id), -ENOENT);
	CHECK_INT(count_files(), 0);
	journal_close(j);
	journal_close(NULL);
	teardown();
}

static void test_existing_folders(void)
{
	struct journal *j = NULL;
	char link[256], target[256];
	struct stat st;

	setup();
	/* The cache folder keeps the mode its owner chose, unless others may write it. */
	CHECK_INT(mkdir(cachedir, 0750), 0);
	CHECK_INT(chmod(cachedir, 0750), 0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	journal_close(j);
	CHECK_INT(stat(cachedir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0750);
	CHECK_INT(stat(jdir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(chmod(cachedir, 0770), 0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), -EPERM);
	CHECK_INT(chmod(cachedir, 0700), 0);
	CHECK_INT(chmod(jdir, 0702), 0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), -EPERM);
	CHECK_INT(chmod(jdir, 0700), 0);
	/* No symlink is followed: not to the cache folder, nor to the journal folder. */
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	CHECK_INT(symlink("cache", link), 0);
	CHECK_INT(journal_open(link, NULL, NULL, &j), -EPERM);
	unlink(link);
	rmdir(jdir);
	snprintf(target, sizeof(target), "%s/elsewhere", tmpdir);
	CHECK_INT(mkdir(target, 0700), 0);
	CHECK_INT(symlink(target, jdir), 0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), -EPERM);
	unlink(jdir);
	rmdir(target);
	write_file_at(jdir, "plain file");
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), -EPERM);
	unlink(jdir);
	teardown();
}

static void test_caps_and_errors(void)
{
	static char name[JOURNAL_NAME_MAX + 2];
	struct journal *j = NULL;
	unsigned long long id = 0;
	char *big = malloc(JOURNAL_DOC_MAX + 1);

	setup();
	memset(big, 'x', JOURNAL_DOC_MAX + 1);
	memset(name, 'n', JOURNAL_NAME_MAX + 1);
	CHECK_INT(journal_open("", NULL, NULL, &j), -EINVAL);
	CHECK_INT(journal_open("/proc/no/such/dir", NULL, NULL, &j), -ENOENT);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_begin(j, "", JOURNAL_TRUST, NULL, "{}", 2, &id), -EINVAL);
	CHECK_INT(journal_begin(j, NULL, JOURNAL_TRUST, NULL, "{}", 2, &id), -EINVAL);
	CHECK_INT(journal_begin(j, "r", JOURNAL_TRUST, NULL, NULL, 2, &id), -EINVAL);
	CHECK_INT(journal_begin(j, "r", (enum journal_kind)42, NULL, "{}", 2, &id), -EINVAL);
	CHECK_INT(journal_begin(j, name, JOURNAL_TRUST, NULL, "{}", 2, &id), -ENAMETOOLONG);
	CHECK_INT(journal_begin(j, "r", JOURNAL_INLINE, name, "{}", 2, &id), -ENAMETOOLONG);
	CHECK_INT(journal_begin(j, "r", JOURNAL_INLINE, "p", big, JOURNAL_DOC_MAX + 1, &id),
		  -EFBIG);
	CHECK_INT(count_files(), 0);
	name[JOURNAL_NAME_MAX] = '\0';
	CHECK_INT(journal_begin(j, name, JOURNAL_INLINE, name, big, JOURNAL_DOC_MAX, &id), 0);
	journal_close(j);

	{
		static struct seen s;

		CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
		CHECK_INT(journal_list(j, collect, &s), 0);
		CHECK_INT(s.n, 1);
		CHECK_STR(s.e[0].role, name);
		CHECK_STR(s.e[0].name, name);
		CHECK_INT(s.e[0].len, JOURNAL_DOC_MAX);
		CHECK_INT(s.e[0].damaged, 0);
		CHECK_INT(journal_discard(j, s.e[0].id), 0);
		seen_free(&s);
		journal_close(j);
	}
	CHECK_STR(journal_kind_name(JOURNAL_INLINE_DELETE), "inline-delete");
	CHECK_STR(journal_kind_name(JOURNAL_ROLE), "role");
	CHECK_STR(journal_kind_name(JOURNAL_DETACH), "detach");
	CHECK_STR(journal_kind_name(JOURNAL_ROLE_DELETE), "role-delete");
	CHECK_STR(journal_kind_name(JOURNAL_ATTACH), "attach");
	CHECK_STR(journal_kind_name(JOURNAL_CREATE_POLICY), "create-policy");
	CHECK_STR(journal_kind_name((enum journal_kind)42), "unknown");
	free(big);
	teardown();
}

static void write_file(const char *name, const char *data, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", jdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, data, len), (long long)len);
	close(fd);
}

static void test_damaged_and_stale(void)
{
	static const struct {
		const char *file;
		const char *data;
	} files[] = {
		{"00000000000000000003.entry", "not a journal entry"},
		{"00000000000000000004.entry",
		 "{\"iamfs_journal\":1,\"seq\":4,\"time\":5,\"kind\":\"inline\",\"role\":\"r\","
		 "\"name\":\"p\",\"length\":10}\n{\"a\":1}"},
		{"00000000000000000005.entry",
		 "{\"iamfs_journal\":1,\"seq\":5,\"time\":5,\"kind\":\"bogus\",\"role\":\"r\","
		 "\"name\":\"p\",\"length\":2}\n{}"},
		{"00000000000000000006.entry",
		 "{\"iamfs_journal\":1,\"seq\":6,\"time\":5,\"kind\":\"trust\",\"role\":\"r\","
		 "\"name\":\"\",\"length\":2}\n{}"},
		{"00000000000000000008.entry", NULL}, /* written by a live daemon: hidden */
		{"not-an-entry", "ignored"},
		{"0000000000000000009.entry", "ignored: 19 digits"},
	};
	struct journal *j = NULL;
	static struct seen s;
	char dead[64], alive[64], path[256];
	unsigned long long id = 0;
	struct stat st;
	pid_t pid;
	size_t i;

	setup();
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	journal_close(j);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char live[256];

		if (!files[i].data) {
			snprintf(live, sizeof(live),
				 "{\"iamfs_journal\":1,\"seq\":8,\"pid\":%ld,\"time\":5,\"kind\":"
				 "\"trust\",\"role\":\"r\",\"name\":\"\",\"length\":2}\n{}",
				 (long)getppid());
			write_file(files[i].file, live, strlen(live));
			continue;
		}
		write_file(files[i].file, files[i].data, strlen(files[i].data));
	}
	/* A temporary of a writer that is gone, and one of a live process (us via ppid). */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(dead, sizeof(dead), ".tmp-%ld-3", (long)pid);
	snprintf(alive, sizeof(alive), ".tmp-%ld-3", (long)getppid());
	write_file(dead, "x", 1);
	write_file(alive, "x", 1);

	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	snprintf(path, sizeof(path), "%s/%s", jdir, dead);
	CHECK_INT(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/%s", jdir, alive);
	CHECK_INT(stat(path, &st), 0);
	unlink(path);

	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, 4);
	if (s.n == 4) {
		CHECK_INT(s.e[0].id, 3);
		CHECK_INT(s.e[0].damaged, 1);
		CHECK_INT(s.e[0].len, strlen(files[0].data));
		CHECK(!memcmp(s.e[0].bytes, files[0].data, s.e[0].len));
		CHECK_STR(s.e[0].role, "");
		CHECK_INT(s.e[1].id, 4);
		CHECK_INT(s.e[1].damaged, 1); /* length says 10, 7 bytes follow */
		CHECK_INT(s.e[1].len, strlen(files[1].data));
		CHECK_INT(s.e[2].damaged, 1); /* unknown kind */
		CHECK_INT(s.e[3].id, 6);
		CHECK_INT(s.e[3].damaged, 0);
		CHECK_INT(s.e[3].kind, JOURNAL_TRUST);
		CHECK_INT(s.e[3].time, 5);
		CHECK_INT(s.e[3].len, 2);
		CHECK_INT(s.e[3].pid, 0);
	}
	seen_free(&s);
	/* The next id is past the highest entry, the live daemon's included. */
	CHECK_INT(journal_begin(j, "r", JOURNAL_TRUST, NULL, "{}", 2, &id), 0);
	CHECK_INT(id, 9);
	/* A callback's non-zero answer stops the walk and is returned. */
	s.stop_after = 2;
	CHECK_INT(journal_list(j, collect, &s), 7);
	CHECK_INT(s.n, 2);
	seen_free(&s);
	s.stop_after = 0;
	journal_close(j);
	teardown();
}

/* Header numbers a long long or a pid cannot hold make the entry damaged, not
 * undefined behaviour (found with the journal fuzz target: "time":1e300 was cast). */
static void test_out_of_range_numbers(void)
{
	static const char *const heads[] = {
		"\"time\":1e300",
		"\"time\":-1e300",
		"\"time\":5,\"pid\":1e300",
		"\"time\":5,\"pid\":-7",
		"\"time\":5,\"pid\":4294967296",
		"\"time\":5,\"pid\":0",
	};
	struct journal *j = NULL;
	static struct seen s;
	char name[64], text[256];
	size_t i, n = sizeof(heads) / sizeof(heads[0]);

	setup();
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	journal_close(j);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%020zu.entry", i + 1);
		snprintf(text, sizeof(text),
			 "{\"iamfs_journal\":1,\"seq\":%zu,%s,\"kind\":\"trust\",\"role\":\"r\","
			 "\"name\":\"\",\"length\":2}\n{}",
			 i + 1, heads[i]);
		write_file(name, text, strlen(text));
	}
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, n);
	for (i = 0; i < s.n; i++) {
		CHECK_INT(s.e[i].damaged, (i + 1 < n));
		CHECK_INT(s.e[i].pid, 0);
		CHECK_INT(s.e[i].time, (i + 1 < n ? 0 : 5));
	}
	seen_free(&s);
	journal_close(j);
	teardown();
}

/* A child process begins a save and dies before the end: the parent sees it. */
static void test_crash_in_child(void)
{
	struct journal *j = NULL;
	static struct seen s;
	int status = -1;
	pid_t pid;

	setup();
	pid = fork();
	if (pid == 0) {
		unsigned long long id;

		if (journal_open(cachedir, NULL, NULL, &j) ||
		    journal_begin(j, "crash-role", JOURNAL_INLINE, "p", "{\"x\":1}", 7, &id))
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.e[0].role, "crash-role");
	CHECK_INT(s.e[0].len, 7);
	CHECK(!memcmp(s.e[0].bytes, "{\"x\":1}", 7));
	seen_free(&s);
	journal_close(j);
	teardown();
}

#define THREADS	   4
#define PER_THREAD 50

struct worker {
	struct journal *j;
	unsigned long long ids[PER_THREAD];
	int failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char doc[64];
	int i, n;

	for (i = 0; i < PER_THREAD; i++) {
		n = snprintf(doc, sizeof(doc), "{\"i\":%d}", i);
		if (journal_begin(w->j, "role", JOURNAL_INLINE, "p", doc, (size_t)n, &w->ids[i]))
			w->failures++;
	}
	/* End every other one, as finished saves would. */
	for (i = 0; i < PER_THREAD; i += 2)
		if (journal_end(w->j, w->ids[i]))
			w->failures++;
	return NULL;
}

static void test_threads(void)
{
	static struct worker w[THREADS];
	pthread_t t[THREADS];
	struct journal *j = NULL;
	static struct seen s;
	size_t i;
	int k;

	setup();
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	for (k = 0; k < THREADS; k++) {
		w[k].j = j;
		CHECK_INT(pthread_create(&t[k], NULL, worker_run, &w[k]), 0);
	}
	for (k = 0; k < THREADS; k++) {
		pthread_join(t[k], NULL);
		CHECK_INT(w[k].failures, 0);
	}
	journal_close(j);
	CHECK_INT(count_files(), THREADS * PER_THREAD / 2);
	CHECK_INT(journal_open(cachedir, NULL, NULL, &j), 0);
	CHECK_INT(journal_list(j, collect, &s), 0);
	CHECK_INT(s.n, THREADS * PER_THREAD / 2);
	for (i = 1; i < s.n; i++)
		CHECK(s.e[i].id > s.e[i - 1].id);
	for (i = 0; i < s.n; i++)
		CHECK_INT(s.e[i].damaged, 0);
	seen_free(&s);
	journal_close(j);
	teardown();
}

int main(void)
{
	test_round_trip_after_crash();
	test_end_and_permissions();
	test_existing_folders();
	test_caps_and_errors();
	test_damaged_and_stale();
	test_out_of_range_numbers();
	test_crash_in_child();
	test_threads();
	return check_done("journal");
}
