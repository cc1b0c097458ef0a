/*
 * Unit tests for the pieces of a mount of several accounts that need no
 * session: inode and helper numbers in an account's own range (router.h), the
 * file-safe folder names, and folder names that clash getting the id appended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/helper.h"
#include "fs/inode.h"
#include "fs/router.h"

static void test_ranges(void)
{
	uint64_t base = 3ull << ROUTER_RANGE_SHIFT;
	struct inode_table *t = NULL;
	struct helper_table *h = NULL;
	struct inode_node *n = NULL, *root;
	struct helper_attr a;

	CHECK_INT(inode_table_new_at(base, INODE_ROOT_INO, &t), 0);
	CHECK(inode_table_root(t) == base + 1);
	root = inode_table_get(t, base + 1);
	CHECK(root && root->kind == INODE_ROOT && root->parent == INODE_ROOT_INO);
	CHECK(inode_table_get(t, 1) == NULL);	     /* another range's number */
	CHECK(inode_table_get(t, base) == NULL);     /* below the root */
	CHECK(inode_table_get(t, base + 2) == NULL); /* not made yet */
	CHECK_INT(inode_table_child(t, base + 1, "role-a", &n), 0);
	CHECK(n && n->ino == base + 2 && n->parent == base + 1);
	CHECK(inode_table_find(t, base + 1, "role-a") == n);
	CHECK(!helper_is_ino(n->ino));
	inode_table_free(t);

	CHECK_INT(helper_table_new_at(base, &h), 0);
	CHECK_INT(
		helper_create(h, base + 2, "x.swp", S_IFREG | 0600, 0, 0, NULL, 0, true, false, &a),
		0);
	CHECK(a.ino >> ROUTER_RANGE_SHIFT == 3);
	CHECK(helper_is_ino(a.ino));
	helper_table_free(h);

	CHECK_INT(inode_table_new(&t), 0);
	CHECK(inode_table_root(t) == INODE_ROOT_INO);
	inode_table_free(t);
}

static void test_safe_names(void)
{
	static const char *const cases[][2] = {
		{"prod", "prod"},
		{"a/b", "a_b"},
		{".", "_."},
		{"..", "_.."},
		{".iamfs", "_.iamfs"},
		{"", "_"},
		{"tab\there", "tab_here"},
		{"Team A (eu)", "Team A (eu)"},
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		accounts_safe_name(cases[i][0], out, sizeof(out));
		CHECK_STR(out, cases[i][1]);
	}
	accounts_safe_name("abcdef", out, 4);
	CHECK_STR(out, "abc");
}

/* Two accounts whose names clash get their ids; the others keep their names. */
static void test_folders(void)
{
	struct account_spec specs[] = {
		{.id = "111111111111", .name = "dev"},
		{.id = "222222222222", .name = "dev"},
		{.id = "333333333333", .name = "a/b"},
		{.id = "444444444444", .name = "prod"},
	};
	struct fs root;
	struct router r;

	memset(&root, 0, sizeof(root));
	memset(&r, 0, sizeof(r));
	r.multi = true;
	r.root = &root;
	r.cache_dir = "/nonexistent";
	router_init(&r);
	CHECK_INT(router_add_accounts(&r, specs, 4), 0);
	CHECK_INT((int)r.n, 4);
	CHECK_STR(r.accounts[0]->folder, "dev-111111111111");
	CHECK_STR(r.accounts[1]->folder, "dev-222222222222");
	CHECK_STR(r.accounts[2]->folder, "a_b");
	CHECK_STR(r.accounts[3]->folder, "prod");
	CHECK_STR(r.accounts[3]->cache_dir, "/nonexistent/accounts/444444444444");
	CHECK(inode_table_root(r.accounts[3]->fs.inodes) == (4ull << ROUTER_RANGE_SHIFT) + 1);
	CHECK(r.accounts[3]->fs.cache == NULL);
	router_free_accounts(&r);
}

int main(void)
{
	test_ranges();
	test_safe_names();
	test_folders();
	return check_done("router");
}
