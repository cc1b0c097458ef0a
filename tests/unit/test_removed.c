/*
 * The store of what removals took out of IAM (cache/removed.c): files named by
 * time, role and what, 0600 in a 0700 folder, never overwritten, read back by a
 * later open (a remount), temporaries of a killed writer swept, no store without
 * a folder, and the marks of this mount's landed removals per role.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/removed.h"
#include "check.h"

#define T0 1764753436LL /* 2025-12-03T09:17:16Z */

static char tmpdir[64];
static char folder[128];

static void test_add_list_reopen(void)
{
	struct cache_rejected_list l;
	struct removed *r = NULL;
	char name[REJECTS_NAME_MAX + 1], path[512], live[512];
	struct stat st;
	pid_t pid;
	int fd;

	CHECK_INT(removed_open(folder, &r), 0);
	CHECK_INT(removed_add(r, T0, "doomed", "inline/logs.json", "{}\n", 3, name, sizeof(name)),
		  0);
	CHECK_STR(name, "20251203T091716Z-doomed-inline-logs.json");
	/* The same second, the same what: a new name, never an overwrite. */
	CHECK_INT(removed_add(r, T0, "doomed", "inline/logs.json", "{ }\n", 4, name, sizeof(name)),
		  0);
	CHECK_STR(name, "20251203T091716Z-doomed-inline-logs-2.json");
	CHECK_INT(removed_add(r, T0 + 1, "doomed", "detached-p.txt", "arn:x\n", 6, name,
			      sizeof(name)),
		  0);
	CHECK_INT(removed_count(r), 3);
	snprintf(path, sizeof(path), "%s/removed", folder);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/removed/%s", folder, name);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	removed_close(r);

	/* A killed writer's temporary is swept, a live one's (our parent's) kept; the
	 * files are read back in name order. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(live, sizeof(live), "%s/removed/.tmp-%ld-0", folder, (long)getppid());
	fd = open(live, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/removed/.tmp-%ld-0", folder, (long)pid);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK_INT(removed_open(folder, &r), 0);
	CHECK_INT(removed_list(r, &l), 0);
	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_STR(l.v[0].name, "20251203T091716Z-doomed-inline-logs-2.json");
		CHECK_STR(l.v[1].name, "20251203T091716Z-doomed-inline-logs.json");
		CHECK_STR(l.v[2].name, "20251203T091717Z-doomed-detached-p.txt");
		CHECK_INT(l.v[1].doc->len, 3);
		CHECK(!memcmp(l.v[1].doc->bytes, "{}\n", 3));
	}
	cache_rejected_list_cleanup(&l);
	CHECK(access(path, F_OK) != 0);
	CHECK_INT(access(live, F_OK), 0);
	unlink(live);
	removed_close(r);
}

static void test_marks(void)
{
	struct removed *r = NULL;
	char out[64];

	CHECK_INT(removed_open(folder, &r), 0);
	removed_marks(r, "a", out, sizeof(out));
	CHECK_STR(out, "");
	removed_mark(r, "a", "inline/x.json");
	removed_mark(r, "b", "inline/y.json");
	removed_mark(r, "a", "attached/p.json");
	removed_marks(r, "a", out, sizeof(out));
	CHECK_STR(out, "inline/x.json, attached/p.json");
	removed_marks(r, "a", out, 20); /* cut, never overrun */
	CHECK_INT(strlen(out), 19);
	removed_forget(r, "a");
	removed_marks(r, "a", out, sizeof(out));
	CHECK_STR(out, "");
	removed_marks(r, "b", out, sizeof(out));
	CHECK_STR(out, "inline/y.json");
	removed_close(r);
}

static void test_no_folder(void)
{
	struct cache_rejected_list l;
	struct removed *r = NULL;
	char name[REJECTS_NAME_MAX + 1] = "x";

	CHECK_INT(removed_open("", &r), 0);
	CHECK(r != NULL);
	CHECK_INT(removed_add(r, T0, "r", "trust.json", "{}", 2, name, sizeof(name)), -EROFS);
	CHECK_STR(name, "");
	CHECK_INT(removed_list(r, &l), 0);
	CHECK_INT(l.n, 0);
	removed_close(r);
	removed_close(NULL);
	CHECK_INT(removed_list(NULL, &l), 0);
	CHECK_INT(removed_count(NULL), 0);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iamfs-removed-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(folder, sizeof(folder), "%s/acct", tmpdir);
	if (mkdir(folder, 0700))
		return 1;
	test_add_list_reopen();
	test_marks();
	test_no_folder();
	check_rm_tree(tmpdir);
	return check_done("removed");
}
