/*
 * Unit tests for fs/names.c: which names in a role folder, inline/ and
 * attached/ are policy files, fixed parts of the tree or editor helper files
 * (the names vim, emacs, nano, sed, rsync and IDEs really make), and the log
 * label each helper gets.
 */
#include <string.h>

#include "check.h"
#include "fs/names.h"

struct class_case {
	enum inode_kind parent;
	const char *name;
	enum names_class want;
	enum inode_kind kind; /* FIXED/POLICY only */
	const char *label;    /* HELPER only */
};

static const struct class_case cases[] = {
	{INODE_ROLE, "trust.json", NAMES_POLICY, INODE_TRUST, NULL},
	{INODE_ROLE, "role.json", NAMES_POLICY, INODE_ROLE_JSON, NULL},
	{INODE_ROLE, "inline", NAMES_FIXED, INODE_INLINE_DIR, NULL},
	{INODE_ROLE, "attached", NAMES_FIXED, INODE_ATTACHED_DIR, NULL},
	{INODE_ROLE, ".trust.json.swp", NAMES_HELPER, 0, "vim swap file"},
	{INODE_ROLE, ".trust.json.swx", NAMES_HELPER, 0, "vim swap file"},
	{INODE_ROLE, ".trust.json.swo", NAMES_HELPER, 0, "vim swap file"},
	{INODE_ROLE, "4913", NAMES_HELPER, 0, "vim probe"},
	{INODE_ROLE, "trust.json~", NAMES_HELPER, 0, "backup"},
	{INODE_ROLE, "#trust.json#", NAMES_HELPER, 0, "emacs autosave"},
	{INODE_ROLE, ".#trust.json", NAMES_HELPER, 0, "emacs lock"},
	{INODE_ROLE, "sedAb12Cd", NAMES_HELPER, 0, "sed temp file"},
	{INODE_ROLE, ".trust.json.Ab12Cd", NAMES_HELPER, 0, "rsync temp file"},
	{INODE_ROLE, ".trust.json.tmp", NAMES_HELPER, 0, "temp file"},
	{INODE_ROLE, "notes.txt", NAMES_HELPER, 0, "helper file"},
	{INODE_ROLE, "trust.JSON", NAMES_HELPER, 0, "helper file"},
	{INODE_INLINE_DIR, "s3-read.json", NAMES_POLICY, INODE_INLINE, NULL},
	{INODE_INLINE_DIR, "new.policy.json", NAMES_POLICY, INODE_INLINE, NULL},
	{INODE_INLINE_DIR, "s3-read.json~", NAMES_HELPER, 0, "backup"},
	{INODE_INLINE_DIR, ".s3-read.json.swp", NAMES_HELPER, 0, "vim swap file"},
	{INODE_INLINE_DIR, ".#s3-read.json", NAMES_HELPER, 0, "emacs lock"},
	{INODE_INLINE_DIR, "#s3-read.json#", NAMES_HELPER, 0, "emacs autosave"},
	{INODE_INLINE_DIR, "4913", NAMES_HELPER, 0, "vim probe"},
	{INODE_INLINE_DIR, ".json", NAMES_HELPER, 0, "helper file"},
	/* *.json in any case that IAM cannot take as a policy name: refused. */
	{INODE_INLINE_DIR, "bad name.json", NAMES_INVALID, 0, NULL},
	{INODE_INLINE_DIR, "\xc3\xa4.json", NAMES_INVALID, 0, NULL},
	{INODE_INLINE_DIR, "X.JSON", NAMES_INVALID, 0, NULL},
	{INODE_INLINE_DIR, "x.Json", NAMES_INVALID, 0, NULL},
	{INODE_INLINE_DIR, "a:b.json", NAMES_INVALID, 0, NULL},
	{INODE_ATTACHED_DIR, "a b.json", NAMES_INVALID, 0, NULL},
	/* ... but editors' helpers stay helpers, and the role folder holds no policies
	 * by name. */
	{INODE_INLINE_DIR, ".#bad name.json", NAMES_HELPER, 0, "emacs lock"},
	{INODE_INLINE_DIR, "#X.JSON#", NAMES_HELPER, 0, "emacs autosave"},
	{INODE_INLINE_DIR, ".X.JSON.swp", NAMES_HELPER, 0, "vim swap file"},
	{INODE_INLINE_DIR, "X.JSON~", NAMES_HELPER, 0, "backup"},
	{INODE_INLINE_DIR, "s3-read.json.~1~", NAMES_HELPER, 0, "backup"},
	{INODE_INLINE_DIR, ".hidden name.json", NAMES_HELPER, 0, "helper file"},
	{INODE_INLINE_DIR, "s3-read.json___jb_tmp___", NAMES_HELPER, 0, "helper file"},
	{INODE_INLINE_DIR, "s3-read.json.tmp", NAMES_HELPER, 0, "temp file"},
	{INODE_ROLE, "bad name.json", NAMES_HELPER, 0, "helper file"},
	{INODE_ATTACHED_DIR, "cust-ec2.json", NAMES_POLICY, INODE_ATTACHED, NULL},
	{INODE_ATTACHED_DIR, "sedXyZ123", NAMES_HELPER, 0, "sed temp file"},
	{INODE_ROOT, "4913", NAMES_NONE, 0, NULL},
	{INODE_ROOT, "my-role", NAMES_NONE, 0, NULL},
	{INODE_CTL_DIR, "x.swp", NAMES_NONE, 0, NULL},
	{INODE_TRUST, "x", NAMES_NONE, 0, NULL},
	{INODE_ROLE, "", NAMES_NONE, 0, NULL},
	{INODE_ROLE, ".", NAMES_NONE, 0, NULL},
	{INODE_ROLE, "..", NAMES_NONE, 0, NULL},
};

static void test_classes(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct class_case *c = &cases[i];
		enum inode_kind kind = INODE_ROOT;
		enum names_class got = names_class(c->parent, c->name, &kind);

		CHECK_INT(got, c->want);
		if (got != c->want)
			fprintf(stderr, "  name \"%s\"\n", c->name);
		if (c->want == NAMES_FIXED || c->want == NAMES_POLICY)
			CHECK_INT(kind, c->kind);
		if (c->label)
			CHECK_STR(names_helper_kind(c->name), c->label);
	}
}

/* IAM's policy names hold 1 to 128 characters. */
static void test_lengths(void)
{
	enum inode_kind kind;
	char name[200];

	memset(name, 'p', 128);
	memcpy(name + 128, ".json", 6);
	CHECK_INT(names_class(INODE_INLINE_DIR, name, &kind), NAMES_POLICY);
	memset(name, 'p', 129);
	memcpy(name + 129, ".json", 6);
	CHECK_INT(names_class(INODE_INLINE_DIR, name, &kind), NAMES_INVALID);
	CHECK_INT(names_class(INODE_ATTACHED_DIR, name, &kind), NAMES_INVALID);
}

static void test_holders(void)
{
	CHECK(names_holds_helpers(INODE_ROLE));
	CHECK(names_holds_helpers(INODE_INLINE_DIR));
	CHECK(names_holds_helpers(INODE_ATTACHED_DIR));
	CHECK(!names_holds_helpers(INODE_ROOT));
	CHECK(!names_holds_helpers(INODE_CTL_DIR));
	CHECK(!names_holds_helpers(INODE_CTL_REJECTED));
}

int main(void)
{
	test_classes();
	test_lengths();
	test_holders();
	return check_done("names");
}
