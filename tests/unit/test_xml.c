/*
 * Unit tests of aws/xml.c: the tree's shape (local names, concatenated text,
 * document order, parents), path lookups, encodings, and the refusals:
 * malformed documents, DTDs, depth and size caps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "aws/xml.h"
#include "check.h"

static int parse_str(const char *s, struct xml_node **out)
{
	return xml_parse(s, strlen(s), out);
}

static void test_shape(void)
{
	const char *doc = "<?xml version=\"1.0\"?>\n"
			  "<p:Root xmlns:p=\"urn:x\" xmlns=\"urn:y\">\n"
			  "  <p:First a=\"1\">one</p:First>\n"
			  "  <Second><Inner>deep</Inner></Second>\n"
			  "  <First>two</First>\n"
			  "  <Empty/>\n"
			  "</p:Root>";
	struct xml_node *root = NULL;
	const struct xml_node *n;

	CHECK_INT(parse_str(doc, &root), 0);
	if (!root)
		return;
	CHECK_STR(root->name, "Root");
	CHECK(root->parent == NULL);
	n = root->children;
	CHECK_STR(n->name, "First");
	CHECK_STR(n->text, "one");
	CHECK(n->parent == root);
	CHECK_STR(n->next->name, "Second");
	CHECK_STR(n->next->next->name, "First");
	CHECK_STR(n->next->next->text, "two");
	CHECK_STR(n->next->next->next->name, "Empty");
	CHECK(n->next->next->next->next == NULL);
	/* xml_child finds the first of two same-named children. */
	CHECK_STR(xml_child(root, "First")->text, "one");
	CHECK_STR(xml_text(root, "Second/Inner"), "deep");
	CHECK(xml_path(root, "Second/Inner")->parent == xml_child(root, "Second"));
	CHECK_STR(xml_text(root, "Empty"), "");
	CHECK_INT(xml_child(root, "Empty")->text_len, 0);
	CHECK(xml_text(root, "Missing") == NULL);
	CHECK(xml_text(root, "Second/Missing") == NULL);
	CHECK(xml_text(root, "Missing/Inner") == NULL);
	CHECK(xml_child(root, "Fir") == NULL);
	CHECK(xml_child(NULL, "First") == NULL);
	CHECK(xml_path(root, "") == root);
	xml_free(root);
}

static void test_text(void)
{
	struct {
		const char *doc;
		const char *text;
		size_t len;
	} cases[] = {
		{"<r>a&amp;b<![CDATA[<c>]]>d</r>", "a&b<c>d", 7},
		{"<r>x<i>skip</i>y</r>", "xy", 2},
		{"<r>&#233;&#x20AC;</r>", "\xc3\xa9\xe2\x82\xac", 5},
		{"<r>Zo\xc3\xab</r>", "Zo\xc3\xab", 4},
		{"<r>&lt;&gt;&quot;&apos;</r>", "<>\"'", 4},
		{"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xe9</r>", "caf\xc3\xa9", 5},
		{"<r>  line\nbreak </r>", "  line\nbreak ", 13},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xml_node *root = NULL;

		CHECK_INT(parse_str(cases[i].doc, &root), 0);
		if (!root)
			continue;
		CHECK_STR(root->text, cases[i].text);
		CHECK_INT(root->text_len, cases[i].len);
		xml_free(root);
	}
}

static void test_malformed(void)
{
	const char *bad[] = {
		"",
		"   ",
		"not xml at all",
		"<a>",
		"<a></b>",
		"<a><b></a></b>",
		"<a/><b/>",
		"<a>&undefined;</a>",
		"<a x=\"1\" x=\"2\"/>",
		"<a>\x01</a>",
		"<a>\xff\xfe</a>",
		"{\"__type\":\"x\"}",
		"<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
		"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
		"<lolz>&lol2;</lolz>",
		"<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xml_node *root = (struct xml_node *)&root;

		CHECK_INT(parse_str(bad[i], &root), -EINVAL);
		/* out is written only on success */
		CHECK(root == (struct xml_node *)&root);
	}
	CHECK_INT(xml_parse(NULL, 0, NULL), -EINVAL);
}

/* Builds n nested <d> elements with "x" in the innermost. */
static int nested(struct buf *b, int n)
{
	int i, rc = 0;

	buf_reset(b);
	for (i = 0; i < n && !rc; i++)
		rc = buf_puts(b, "<d>");
	if (!rc)
		rc = buf_puts(b, "x");
	for (i = 0; i < n && !rc; i++)
		rc = buf_puts(b, "</d>");
	return rc;
}

static void test_caps(void)
{
	struct xml_node *root = NULL;
	const struct xml_node *n;
	struct buf b;
	int depth = 0;

	buf_init(&b, 0);
	CHECK_INT(nested(&b, 64), 0);
	CHECK_INT(xml_parse(b.data, b.len, &root), 0);
	for (n = root; n && n->children; n = n->children)
		depth++;
	CHECK_INT(depth, 63);
	CHECK_STR(n ? n->text : NULL, "x");
	xml_free(root);
	root = NULL;
	CHECK_INT(nested(&b, 65), 0);
	CHECK_INT(xml_parse(b.data, b.len, &root), -EFBIG);
	CHECK(root == NULL);
	CHECK_INT(nested(&b, 1000), 0);
	CHECK_INT(xml_parse(b.data, b.len, &root), -EFBIG);
	/* The size cap is checked before a byte is read. */
	CHECK_INT(xml_parse("<a/>", (size_t)65 << 20, &root), -EFBIG);
	buf_cleanup(&b);
}

/* Many tiny elements: 12 MiB of "<a/>" is far below the byte cap, but its tree
 * would keep over 300 MiB; the parse stops at the kept-bytes cap instead. A
 * large document of few elements still parses. */
static void test_kept_cap(void)
{
	struct xml_node *root = NULL;
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, 0);
	rc = buf_puts(&b, "<R>");
	for (i = 0; i < (size_t)3 << 20 && !rc; i++)
		rc = buf_append(&b, "<a/>", 4);
	if (!rc)
		rc = buf_puts(&b, "</R>");
	CHECK_INT(rc, 0);
	CHECK_INT(xml_parse(b.data, b.len, &root), -EFBIG);
	CHECK(root == NULL);
	buf_reset(&b);
	rc = buf_puts(&b, "<R><Doc>");
	for (i = 0; i < (size_t)16 << 10 && !rc; i++)
		rc = buf_append(&b,
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				1024);
	for (i = 0; i < 100000 && !rc; i++)
		rc = buf_puts(&b, "<m>x</m>");
	if (!rc)
		rc = buf_puts(&b, "</Doc></R>");
	CHECK_INT(rc, 0);
	CHECK_INT(xml_parse(b.data, b.len, &root), 0);
	CHECK(root && root->children && root->children->text_len == (size_t)16 << 20);
	xml_free(root);
	buf_cleanup(&b);
}

static void test_many_siblings(void)
{
	struct xml_node *root = NULL;
	const struct xml_node *c;
	struct buf b;
	int i, n = 0, ok = 1;

	buf_init(&b, 0);
	buf_puts(&b, "<Roles>");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "<member>%d</member>", i);
	buf_puts(&b, "</Roles>");
	CHECK_INT(xml_parse(b.data, b.len, &root), 0);
	for (c = root ? root->children : NULL; c; c = c->next, n++) {
		char want[16];

		snprintf(want, sizeof(want), "%d", n);
		ok &= !strcmp(c->text, want) && c->parent == root;
	}
	CHECK_INT(n, 5000);
	CHECK(ok);
	xml_free(root);
	buf_cleanup(&b);
	xml_free(NULL);
}

int main(void)
{
	test_shape();
	test_text();
	test_malformed();
	test_caps();
	test_many_siblings();
	test_kept_cap();
	return check_done("xml");
}
