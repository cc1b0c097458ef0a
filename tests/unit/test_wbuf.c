/*
 * Unit tests for fs/wbuf.c, the write buffer of policy files open for writing
 * and of helper files: writes at offsets (appends, overwrites, holes filled
 * with zeros), truncation both ways, reads at and past the end, and the hard
 * cap (EFBIG, nothing changed).
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fs/wbuf.h"

struct edit {
	char op; /* 'w' write, 't' truncate, 's' set */
	long long off;
	const char *data; /* write/set */
	int ret;
};

struct edit_case {
	size_t max;
	struct edit edits[6];
	size_t nedits;
	const char *want; /* bytes, with '0' standing for a NUL */
	size_t want_len;
};

static const struct edit_case cases[] = {
	{64, {{'w', 0, "hello", 0}}, 1, "hello", 5},
	{64, {{'w', 0, "hello", 0}, {'w', 5, " world", 0}}, 2, "hello world", 11},
	{64, {{'w', 0, "hello", 0}, {'w', 1, "EL", 0}}, 2, "hELlo", 5},
	{64, {{'w', 3, "x", 0}}, 1, "000x", 4},
	{64, {{'s', 0, "abcdef", 0}, {'t', 2, NULL, 0}}, 2, "ab", 2},
	{64, {{'s', 0, "ab", 0}, {'t', 4, NULL, 0}}, 2, "ab00", 4},
	{64, {{'s', 0, "{old}", 0}, {'t', 0, NULL, 0}, {'w', 0, "{new}", 0}}, 3, "{new}", 5},
	{8, {{'w', 0, "12345678", 0}, {'w', 8, "9", -EFBIG}}, 2, "12345678", 8},
	{8, {{'w', 0, "1234", 0}, {'t', 9, NULL, -EFBIG}}, 2, "1234", 4},
	{8, {{'s', 0, "123456789", -EFBIG}}, 1, "", 0},
	{8, {{'w', -1, "x", -EINVAL}, {'t', -1, NULL, -EINVAL}}, 2, "", 0},
	{1024, {{'w', 0, "a", 0}, {'w', 600, "b", 0}}, 2, NULL, 601},
};

static int apply(struct wbuf *b, const struct edit *e)
{
	switch (e->op) {
	case 'w':
		return wbuf_write(b, (off_t)e->off, e->data, strlen(e->data));
	case 't':
		return wbuf_truncate(b, (off_t)e->off);
	default:
		return wbuf_set(b, e->data, strlen(e->data));
	}
}

static void test_edits(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct edit_case *c = &cases[i];
		struct wbuf b;

		wbuf_init(&b, c->max);
		for (size_t k = 0; k < c->nedits; k++)
			CHECK_INT(apply(&b, &c->edits[k]), c->edits[k].ret);
		CHECK_INT(b.len, c->want_len);
		CHECK(b.len <= c->max);
		for (size_t k = 0; c->want && k < c->want_len && k < b.len; k++)
			CHECK_INT(b.data[k], c->want[k] == '0' ? 0 : c->want[k]);
		wbuf_cleanup(&b);
		CHECK_INT(b.len, 0);
	}
}

static void test_holes_and_reads(void)
{
	const char *p = NULL;
	struct wbuf b;
	size_t zeros = 0;

	wbuf_init(&b, 4096);
	CHECK_INT(wbuf_write(&b, 0, "a", 1), 0);
	CHECK_INT(wbuf_write(&b, 600, "b", 1), 0);
	for (size_t k = 1; k < 600; k++)
		zeros += b.data[k] == 0;
	CHECK_INT(zeros, 599);
	CHECK_INT(wbuf_read(&b, 0, 10, &p), 10);
	CHECK(p == b.data);
	CHECK_INT(wbuf_read(&b, 596, 100, &p), 5);
	CHECK_INT(p[4], 'b');
	CHECK_INT(wbuf_read(&b, 601, 10, &p), 0);
	CHECK(p == NULL);
	CHECK_INT(wbuf_read(&b, -1, 10, &p), 0);
	/* Shrinking then growing again reads zeros, not the old tail. */
	CHECK_INT(wbuf_truncate(&b, 1), 0);
	CHECK_INT(wbuf_truncate(&b, 601), 0);
	CHECK_INT(b.data[600], 0);
	wbuf_cleanup(&b);
	wbuf_cleanup(NULL);
}

int main(void)
{
	test_edits();
	test_holes_and_reads();
	return check_done("wbuf");
}
