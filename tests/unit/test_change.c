/* Commit decisions of fs: a truncate by path hands the save the bytes together
 * with the document they were cut from, so a revalidation that lands between the
 * two is a conflict (the save's base check), never the old bytes saved over the
 * new document; and a close commits only when the closing process edited the
 * open file since its last commit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/lookup.h"
#include "cache/model.h"
#include "cache/save_int.h"
#include "check.h"
#include "fs/edit.h"

static struct cache_view *view_with_trust(const char *trust)
{
	struct cache_role *roles = calloc(1, sizeof(*roles));

	roles[0].name = strdup("web");
	roles[0].trust = model_doc_new(trust, strlen(trust), 1);
	roles[0].role_json = model_doc_new("{}\n", 3, 1);
	return model_view_new(roles, 1, 1);
}

static void test_truncated(void)
{
	struct cache_doc *d = model_doc_new("abcdef", 6, 1);
	struct edit_bytes b = {0};

	CHECK_INT(edit_truncated(d, 3, &b), 0);
	CHECK_INT(b.len, 3);
	CHECK(!memcmp(b.bytes, "abc", 3));
	CHECK(b.base_gen == d->gen);
	free(b.bytes);
	CHECK_INT(edit_truncated(d, 8, &b), 0);
	CHECK(!memcmp(b.bytes, "abcdef\0\0", 8));
	free(b.bytes);
	b.bytes = NULL;
	CHECK_INT(edit_truncated(d, -1, &b), -EFBIG);
	CHECK_INT(edit_truncated(d, (off_t)FS_POLICY_MAX + 1, &b), -EFBIG);
	CHECK(b.bytes == NULL);
	cache_doc_unref(d);
}

/* The interleaving: the truncate reads view 1, a revalidation publishes view 2
 * (someone changed trust.json in IAM), then the save checks its base. */
static void test_truncate_race(void)
{
	struct cache_view *v1 = view_with_trust("{\"old\": 1}\n"), *v2 = NULL;
	struct cache_doc *d2 = model_doc_new("{\"new\": 2}\n", 11, 2);
	struct edit_bytes b = {0};
	struct lookup l1, l2;

	CHECK_INT(lookup_doc(v1, "web", CACHE_FILE_TRUST, NULL, &l1), LOOKUP_FOUND);
	CHECK_INT(edit_truncated(l1.doc, 4, &b), 0);
	CHECK_INT(model_view_replace(v1, "web", CACHE_FILE_TRUST, NULL, d2, &v2), 0);
	CHECK_INT(lookup_doc(v2, "web", CACHE_FILE_TRUST, NULL, &l2), LOOKUP_FOUND);
	CHECK(l2.doc->gen != l1.doc->gen);
	/* The save's conflict check against what IAM has now: refused. */
	CHECK_INT(save_base_check(l2.doc, b.base_gen), -ESTALE);
	/* What a base taken from a second, later lookup did (the bug): old bytes pass. */
	CHECK_INT(save_base_check(l2.doc, l2.doc->gen), 0);
	free(b.bytes);
	cache_view_put(v2);
	cache_view_put(v1);
	cache_doc_unref(d2);
}

/* Which close commits (edit_by): a descriptor a forked child inherited, or a
 * shell's dup2-then-close before the first write, flushes without having edited. */
static void test_close_commits(void)
{
	struct fs fs;
	struct fs_open o;
	pid_t me = getpid(); /* a thread id whose process /proc names: this one */

	memset(&fs, 0, sizeof(fs));
	memset(&o, 0, sizeof(o));
	fs_init(&fs);
	wbuf_init(&o.buf, FS_POLICY_MAX);
	o.writable = true;
	o.wseq = 1; /* the O_TRUNC of its open: an edit that no process made */
	CHECK(!edit_by(&fs, &o, me));
	CHECK_INT(edit_write(&fs, &o, me, "{}", 2, 0), 2);
	CHECK(edit_by(&fs, &o, me));
	CHECK(!edit_by(&fs, &o, 1)); /* init never wrote here */
	/* A commit covers the edits: the next close of anyone commits nothing. */
	o.cseq = o.wseq;
	o.neditors = 0;
	CHECK(!edit_by(&fs, &o, me));
	CHECK_INT(edit_truncate(&fs, &o, me, 0), 0);
	CHECK(edit_by(&fs, &o, me));
	/* More editing processes than an open tells apart: any close commits. */
	for (pid_t p = 2; p < 2 + FS_OPEN_EDITORS + 1; p++) {
		o.last_tid = 0;
		CHECK_INT(edit_write(&fs, &o, 100000 + p, "x", 1, 0), 1);
	}
	CHECK(edit_by(&fs, &o, 1));
	wbuf_cleanup(&o.buf);
	fs_cleanup(&fs);
}

int main(void)
{
	test_truncated();
	test_truncate_race();
	test_close_commits();
	return check_done("change");
}
