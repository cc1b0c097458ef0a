/* The layout table: each role entry's folder, name, mode and document kind, the
 * path formatter, and the tree's table built on it (fixed children in listing
 * order, modes, document kinds). */
#include <errno.h>
#include <sys/stat.h>

#include "cache/ident.h"
#include "cache/layout.h"
#include "check.h"
#include "fs/inode.h"

static void test_rows(void)
{
	const struct layout_row *r;

	CHECK(layout_row(LAYOUT_NENTRIES) == NULL);
	CHECK(layout_row(LAYOUT_ROLE_DIR) == NULL);
	r = layout_row(LAYOUT_ROLE_JSON);
	CHECK_STR(r->name, "role.json");
	CHECK_INT(r->mode, S_IFREG | 0644);
	CHECK_INT(r->parent, LAYOUT_ROLE_DIR);
	r = layout_row(LAYOUT_ATTACHED);
	CHECK(r->name == NULL);
	CHECK_INT(r->parent, LAYOUT_ATTACHED_DIR);
	CHECK_INT(r->mode, S_IFREG | 0644);
	CHECK(!layout_row(LAYOUT_INLINE_DIR)->has_file);
	CHECK_INT(layout_row(LAYOUT_INLINE_DIR)->mode, S_IFDIR | 0755);
	/* Every document kind has exactly the row that names it. */
	CHECK_INT(layout_of_file(CACHE_FILE_TRUST), LAYOUT_TRUST);
	CHECK_INT(layout_of_file(CACHE_FILE_ROLE), LAYOUT_ROLE_JSON);
	CHECK_INT(layout_of_file(CACHE_FILE_INLINE), LAYOUT_INLINE);
	CHECK_INT(layout_of_file(CACHE_FILE_ATTACHED), LAYOUT_ATTACHED);
	for (int e = 0; e < LAYOUT_NENTRIES; e++) {
		r = layout_row((enum layout_entry)e);
		if (r->has_file)
			CHECK_INT(layout_of_file(r->file), e);
		if (r->parent != LAYOUT_ROLE_DIR)
			CHECK(S_ISDIR(layout_row((enum layout_entry)r->parent)->mode));
	}
}

static void test_paths(void)
{
	char b[64];

	CHECK_STR(layout_path(LAYOUT_TRUST, NULL, NULL, b, sizeof(b)), "trust.json");
	CHECK_STR(layout_path(LAYOUT_TRUST, "web", NULL, b, sizeof(b)), "web/trust.json");
	CHECK_STR(layout_path(LAYOUT_INLINE, NULL, "p", b, sizeof(b)), "inline/p.json");
	CHECK_STR(layout_path(LAYOUT_ATTACHED, "web", "A", b, sizeof(b)), "web/attached/A.json");
	CHECK_STR(layout_path(LAYOUT_INLINE_DIR, NULL, NULL, b, sizeof(b)), "inline");
	CHECK_STR(layout_path(LAYOUT_ATTACHED_DIR, NULL, "X.JSON", b, sizeof(b)),
		  "attached/X.JSON");
	CHECK_STR(layout_path(LAYOUT_INLINE, "web", "p", b, 8), "web/inl");
	CHECK_STR(layout_path(LAYOUT_NENTRIES, "web", "p", b, sizeof(b)), "");
	layout_entry_name(LAYOUT_INLINE, "p", b, sizeof(b));
	CHECK_STR(b, "p.json");
}

static void test_classify(void)
{
	enum layout_entry e;
	const char *pol;
	size_t plen;

	CHECK_INT(layout_classify(LAYOUT_ROLE_DIR, "role.json", &e, &pol, &plen), 0);
	CHECK_INT(e, LAYOUT_ROLE_JSON);
	CHECK(pol == NULL);
	CHECK_INT(layout_classify(LAYOUT_ROLE_DIR, "x.json", &e, &pol, &plen), -ENOENT);
	CHECK_INT(layout_classify(LAYOUT_INLINE_DIR, "a@b.json", &e, &pol, &plen), 0);
	CHECK_INT(e, LAYOUT_INLINE);
	CHECK_INT(plen, 3);
	CHECK_INT(layout_classify(LAYOUT_ATTACHED_DIR, "a b.json", &e, &pol, &plen), -ENOENT);
	CHECK_INT(layout_classify(LAYOUT_INLINE, "a.json", &e, &pol, &plen), -ENOENT);
	CHECK(ident_chars_ok("a-b", 3, 3));
	CHECK(!ident_chars_ok("a-bc", 4, 3));
	CHECK(!ident_chars_ok("", 0, 3));
}

/* The tree's table: what readdir lists, modes, links and document kinds. */
static void test_tree(void)
{
	static const char *const role[] = {"trust.json", "role.json", "inline", "attached", NULL};
	static const char *const ctl[] = {"status",  "errors",	"rejected",
					  "refresh", "removed", NULL};
	struct inode_row row;
	enum cache_file_kind f;
	size_t i;

	for (i = 0; role[i]; i++)
		CHECK_STR(inode_fixed_child(INODE_ROLE, i), role[i]);
	CHECK(inode_fixed_child(INODE_ROLE, i) == NULL);
	for (i = 0; ctl[i]; i++)
		CHECK_STR(inode_fixed_child(INODE_CTL_DIR, i), ctl[i]);
	CHECK(inode_fixed_child(INODE_CTL_DIR, i) == NULL);
	CHECK_STR(inode_fixed_child(INODE_ROOT, 0), ".iamfs");
	CHECK(inode_fixed_child(INODE_ROOT, 1) == NULL);
	CHECK(inode_fixed_child(INODE_INLINE_DIR, 0) == NULL);
	inode_row(INODE_ROLE_JSON, &row);
	CHECK_INT(row.mode, S_IFREG | 0644);
	CHECK_INT(row.parent, INODE_ROLE);
	inode_row(INODE_ROLE, &row);
	CHECK_INT(row.nlink, 4);
	inode_row(INODE_CTL_REFRESH, &row);
	CHECK_INT(row.mode, S_IFREG | 0644);
	CHECK(inode_kind_is_dir(INODE_CTL_REJECTED));
	CHECK(!inode_kind_is_dir(INODE_CTL_REJECTED_FILE));
	CHECK(inode_kind_is_dir(INODE_CTL_REMOVED));
	CHECK(!inode_kind_is_dir(INODE_CTL_REMOVED_FILE));
	CHECK(inode_file_kind(INODE_ATTACHED, &f) && f == CACHE_FILE_ATTACHED);
	CHECK(inode_file_kind(INODE_ROLE_JSON, &f) && f == CACHE_FILE_ROLE);
	CHECK(!inode_file_kind(INODE_INLINE_DIR, &f));
	CHECK(!inode_file_kind(INODE_CTL_STATUS, &f));
	CHECK(inode_kind_savable(INODE_TRUST) && inode_kind_savable(INODE_INLINE) &&
	      inode_kind_savable(INODE_ATTACHED) && inode_kind_savable(INODE_ROLE_JSON));
	CHECK(!inode_kind_savable(INODE_CTL_REFRESH) && !inode_kind_savable(INODE_INLINE_DIR));
}

static void test_node_path(void)
{
	struct inode_node n = {
		.kind = INODE_INLINE, .role = "web", .policy = "p", .name = "p.json"};
	char b[64];

	CHECK_STR(inode_path(&n, b, sizeof(b)), "web/inline/p.json");
	n = (struct inode_node){.kind = INODE_TRUST, .role = "web", .name = "trust.json"};
	CHECK_STR(inode_path(&n, b, sizeof(b)), "web/trust.json");
}

int main(void)
{
	test_rows();
	test_paths();
	test_classify();
	test_tree();
	test_node_path();
	return check_done("layout");
}
