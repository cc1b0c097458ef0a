/*
 * Unit tests for fs/helper.c, the in-memory table of editor helper files: the
 * sequences editors really make (vim's 4913 probe, a swap file, a backup made
 * by rename, an emacs lock symlink, sed's temp file renamed away), numbers kept
 * across renames, lifetimes tied to kernel lookups, and extended attributes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "check.h"
#include "fs/helper.h"

#define DIR1 5
#define DIR2 9

static void test_vim_probe_and_swap(struct helper_table *t)
{
	struct helper_attr a, b;
	struct stat st;
	char buf[16];
	size_t n = 0;

	/* 4913: create exclusively, chown, stat, unlink; gone at once (no lookup held). */
	CHECK_INT(helper_create(t, DIR1, "4913", S_IFREG | 0600, 1000, 1000, NULL, 0, true, false,
				&a),
		  0);
	CHECK(helper_is_ino(a.ino));
	memset(&st, 0, sizeof(st));
	st.st_uid = 1000;
	st.st_gid = 1000;
	CHECK_INT(helper_setattr(t, a.ino, &st, FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID, &b), 0);
	CHECK_INT(helper_create(t, DIR1, "4913", S_IFREG | 0600, 0, 0, NULL, 0, true, false, &b),
		  -EEXIST);
	CHECK_INT(helper_unlink(t, DIR1, "4913"), 0);
	CHECK_INT(helper_getattr(t, a.ino, &b), -ENOENT);
	CHECK_INT(helper_unlink(t, DIR1, "4913"), -ENOENT);

	/* Swap file: the kernel holds it (one lookup), writes and reads it back. */
	CHECK_INT(helper_create(t, DIR1, ".trust.json.swp", S_IFREG | 0600, 0, 0, NULL, 0, true,
				true, &a),
		  0);
	CHECK_INT(helper_write(t, a.ino, 0, "b0VIM 9", 7), 0);
	CHECK_INT(helper_write(t, a.ino, 10, "x", 1), 0);
	CHECK_INT(helper_getattr(t, a.ino, &b), 0);
	CHECK_INT(b.size, 11);
	CHECK_INT(helper_total(t), 11);
	CHECK_INT(helper_write(t, a.ino, -1, "x", 1), -EINVAL);
	CHECK_INT(helper_read(t, a.ino, 0, sizeof(buf), buf, &n), 0);
	CHECK_INT(n, 11);
	CHECK(!memcmp(buf, "b0VIM 9\0\0\0x", 11));
	/* Unlinked while the kernel still knows it: readable until forgotten. */
	CHECK_INT(helper_unlink(t, DIR1, ".trust.json.swp"), 0);
	CHECK_INT(helper_lookup(t, DIR1, ".trust.json.swp", false, &b), -ENOENT);
	CHECK_INT(helper_getattr(t, a.ino, &b), 0);
	helper_forget(t, a.ino, 1);
	CHECK_INT(helper_getattr(t, a.ino, &b), -ENOENT);
	CHECK_INT(helper_total(t), 0);
}

static void test_renames(struct helper_table *t)
{
	struct helper_attr a, b, c;
	char *bytes = NULL;
	uint64_t ino = 0;
	size_t len = 0;
	char name[64];

	/* A backup by rename of a policy file: made with the old bytes. */
	CHECK_INT(helper_create(t, DIR1, "trust.json~", S_IFREG | 0644, 0, 0, "{old}", 5, false,
				false, &a),
		  0);
	CHECK_INT(helper_create(t, DIR1, "trust.json~", S_IFREG | 0644, 0, 0, "{older}", 7, true,
				false, &b),
		  -EEXIST);
	/* Replacing (no excl) keeps one entry with the new bytes. */
	CHECK_INT(helper_create(t, DIR1, "trust.json~", S_IFREG | 0644, 0, 0, "{v2}", 4, false,
				false, &b),
		  0);
	CHECK(b.ino != a.ino);
	CHECK_INT(helper_lookup(t, DIR1, "trust.json~", false, &c), 0);
	CHECK_INT(c.ino, b.ino);
	CHECK_INT(c.size, 4);

	/* sed's temp file: keeps its number across a rename, then is copied for a commit. */
	CHECK_INT(helper_create(t, DIR2, "sedAb12Cd", S_IFREG | 0600, 0, 0, "{new}", 5, true, true,
				&a),
		  0);
	CHECK_INT(helper_rename(t, DIR2, "sedAb12Cd", DIR1, "x.tmp", false), 0);
	CHECK_INT(helper_lookup(t, DIR1, "x.tmp", false, &c), 0);
	CHECK_INT(c.ino, a.ino);
	CHECK_INT(helper_rename(t, DIR1, "x.tmp", DIR1, "trust.json~", true), -EEXIST);
	CHECK_INT(helper_copy(t, DIR1, "x.tmp", &bytes, &len, &ino), 0);
	CHECK_INT(len, 5);
	CHECK_INT(ino, a.ino);
	CHECK(bytes && !memcmp(bytes, "{new}", 5));
	free(bytes);
	/* Committed onto a policy file: leaves the folder, stands for the file. */
	helper_detach(t, a.ino, 42);
	CHECK_INT(helper_lookup(t, DIR1, "x.tmp", false, &c), -ENOENT);
	CHECK_INT(helper_getattr(t, a.ino, &c), 0);
	CHECK_INT(c.alias, 42);
	helper_forget(t, a.ino, 1);
	CHECK_INT(helper_getattr(t, a.ino, &c), -ENOENT);

	/* Listing: only linked helpers of that folder. */
	CHECK_INT(helper_list(t, DIR1, 0, name, sizeof(name), &c), 0);
	CHECK_STR(name, "trust.json~");
	CHECK_INT(helper_list(t, DIR1, 1, name, sizeof(name), &c), -ENOENT);
	CHECK_INT(helper_list(t, DIR2, 0, name, sizeof(name), &c), -ENOENT);
	CHECK_INT(helper_unlink(t, DIR1, "trust.json~"), 0);
}

static void test_symlink(struct helper_table *t)
{
	struct helper_attr a;
	char buf[64];
	size_t n = 0;

	CHECK_INT(helper_create(t, DIR1, ".#trust.json", S_IFLNK | 0777, 0, 0, "me@host.1:1", 11,
				true, true, &a),
		  0);
	CHECK(S_ISLNK(a.mode));
	CHECK_INT(helper_read(t, a.ino, 0, sizeof(buf), buf, &n), 0);
	CHECK_INT(n, 11);
	CHECK_INT(helper_unlink(t, DIR1, ".#trust.json"), 0);
	CHECK_INT(helper_getattr(t, a.ino, &a), 0);
}

/* Every helper's bytes count against one cap; a file the kernel still holds
 * counts until it is forgotten. */
static void test_cap(void)
{
	struct helper_table *t = NULL;
	struct helper_attr a;
	char v[600];

	memset(v, 'v', sizeof(v));
	CHECK_INT(helper_table_new_capped(1000, &t), 0);
	if (!t)
		return;
	CHECK_INT(helper_create(t, DIR1, "x.swp", S_IFREG | 0600, 0, 0, v, 100, true, true, &a), 0);
	CHECK_INT(helper_write(t, a.ino, 100, v, 500), 0);
	CHECK_INT(helper_total(t), 600);
	CHECK_INT(helper_create(t, DIR1, "y.swp", S_IFREG | 0600, 0, 0, v, 400, true, false, &a),
		  0);
	CHECK_INT(helper_total(t), 1000);
	CHECK_INT(helper_write(t, a.ino, 400, "x", 1), -ENOSPC);
	CHECK_INT(helper_unlink(t, DIR1, "x.swp"), 0);
	CHECK_INT(helper_total(t), 1000); /* the kernel still holds it */
	helper_forget(t, a.ino - 1, 1);
	CHECK_INT(helper_total(t), 400);
	CHECK_INT(helper_write(t, a.ino, 400, "x", 1), 0);
	helper_table_free(t);
}

/* Listing n helpers of a folder in order costs about n steps, not n * n: 20,000
 * in each of two folders, each listed whole, with a hole made mid-way. */
static void test_list_many(void)
{
	enum { N = 20000 };
	struct helper_table *t = NULL;
	struct helper_attr a;
	char name[64], want[64];
	static bool seen[N];
	size_t i, found = 0;
	unsigned long long cost;

	CHECK_INT(helper_table_new(&t), 0);
	if (!t)
		return;
	for (i = 0; i < 2 * N; i++) {
		snprintf(name, sizeof(name), "f%zu.tmp", i / 2);
		if (helper_create(t, i % 2 ? DIR2 : DIR1, name, S_IFREG | 0600, 0, 0, NULL, 0, true,
				  false, &a))
			break;
	}
	CHECK_INT(i, 2 * N);
	cost = helper_list_cost(t);
	for (i = 0; !helper_list(t, DIR2, i, name, sizeof(name), &a); i++) {
		unsigned long k = strtoul(name + 1, NULL, 10);

		if (k < N && !seen[k]) {
			seen[k] = true;
			found++;
		}
		if (i == N / 2) { /* the same entry again, as readdir asks after a full buffer */
			CHECK_INT(helper_list(t, DIR2, i, want, sizeof(want), &a), 0);
			CHECK_STR(want, name);
		}
	}
	cost = helper_list_cost(t) - cost;
	CHECK_INT(i, N);
	CHECK_INT(found, N);
	/* Linear: at most two looks per helper of the table (60,001 for these 40,000;
	 * a scan from the start for every entry would look at about 4 * 10^8). */
	fprintf(stderr, "  listing %d of %d helpers looked at %llu\n", N, 2 * N, cost);
	CHECK(cost <= 4 * (unsigned long long)N);
	/* Changes between calls: the listing still sees every other entry. */
	CHECK_INT(helper_list(t, DIR1, 5, name, sizeof(name), &a), 0);
	CHECK_INT(helper_unlink(t, DIR1, name), 0);
	for (i = 0; !helper_list(t, DIR1, i, name, sizeof(name), &a); i++)
		;
	CHECK_INT(i, N - 1);
	CHECK_INT(helper_lookup(t, DIR2, "f19999.tmp", false, &a), 0);
	CHECK_INT(helper_lookup(t, DIR1, "f19999.tmp", false, &a), 0);
	CHECK_INT(helper_lookup(t, DIR1, "f20000.tmp", false, &a), -ENOENT);
	helper_table_free(t);
}

int main(void)
{
	struct helper_table *t = NULL;

	CHECK_INT(helper_table_new(&t), 0);
	test_vim_probe_and_swap(t);
	test_renames(t);
	test_symlink(t);
	test_cap();
	helper_table_free(t);
	test_list_many();
	helper_table_free(NULL);
	return check_done("helper");
}
