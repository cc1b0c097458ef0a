/*
 * The element tree behind every IAM/STS answer, built with expat. Names keep
 * only their local part, each element's character data is concatenated into
 * one NUL-terminated string, children stay in document order. Documents are
 * capped in size (XML_MAX_BYTES) and depth (XML_MAX_DEPTH); a DOCTYPE is
 * refused so that no entity can expand. What the tree keeps is capped too
 * (XML_MAX_KEPT): every element is charged its node, its name, its text and
 * the allocator's overhead, so a small answer of many tiny elements cannot
 * grow into a tree many times its size.
 */
#include "aws/xml.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"

#define XML_MAX_DEPTH 64
#define XML_MAX_BYTES (64u << 20)
/* The bytes one parse may keep: as much as the largest answer it accepts. */
#define XML_MAX_KEPT ((size_t)XML_MAX_BYTES)
/* What malloc adds to each of an element's three blocks (node, name, text). */
#define XML_ALLOC_OVERHEAD (3 * 16)

/* One open element: its node, its last child (for O(1) appends) and its text. */
struct xml_frame {
	struct xml_node *node;
	struct xml_node *last_child;
	struct buf text;
};

struct xml_parse_state {
	XML_Parser parser;
	struct xml_node *root;
	struct xml_frame stack[XML_MAX_DEPTH];
	int depth;
	size_t kept; /* bytes charged so far, against XML_MAX_KEPT */
	int err;     /* first failure seen by a handler; 0 when none */
};

static void xml_fail(struct xml_parse_state *st, int err)
{
	if (!st->err)
		st->err = err;
	XML_StopParser(st->parser, XML_FALSE);
}

/* Charges n more kept bytes; false (and the parse fails) past XML_MAX_KEPT. */
static bool xml_charge(struct xml_parse_state *st, size_t n)
{
	if (n > XML_MAX_KEPT - st->kept) {
		xml_fail(st, -EFBIG);
		return false;
	}
	st->kept += n;
	return true;
}

static const char *xml_local_name(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

static void xml_on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_parse_state *st = data;
	struct xml_node *n;
	struct xml_frame *f;

	if (st->err)
		return;
	if (st->depth >= XML_MAX_DEPTH) {
		xml_fail(st, -EFBIG);
		return;
	}
	name = xml_local_name(name);
	if (!xml_charge(st, sizeof(*n) + strlen(name) + 1 + XML_ALLOC_OVERHEAD))
		return;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name))) {
		free(n);
		xml_fail(st, -ENOMEM);
		return;
	}
	if (st->depth == 0) {
		st->root = n;
	} else {
		f = &st->stack[st->depth - 1];
		n->parent = f->node;
		if (f->last_child)
			f->last_child->next = n;
		else
			f->node->children = n;
		f->last_child = n;
	}
	f = &st->stack[st->depth++];
	f->node = n;
	f->last_child = NULL;
	buf_init(&f->text, XML_MAX_BYTES);
}

static void xml_on_end(void *data, const XML_Char *name)
{
	struct xml_parse_state *st = data;
	struct xml_frame *f;

	/* expat may still report the end of an element whose start we refused. */
	if (st->err)
		return;
	f = &st->stack[--st->depth];
	f->node->text_len = f->text.len;
	f->node->text = buf_steal(&f->text);
	if (!f->node->text)
		xml_fail(st, -ENOMEM);
}

static void xml_on_text(void *data, const XML_Char *s, int len)
{
	struct xml_parse_state *st = data;
	int rc;

	if (st->err || st->depth == 0 || !xml_charge(st, (size_t)len))
		return;
	rc = buf_append(&st->stack[st->depth - 1].text, s, (size_t)len);
	if (rc)
		xml_fail(st, rc);
}

static void xml_on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
			   const XML_Char *pubid, int has_internal_subset)
{
	/* No AWS answer carries a DTD; refusing it rules out entity expansion. */
	xml_fail(data, -EINVAL);
}

/* Frees the open frames' text buffers after a failed parse. */
static void xml_unwind(struct xml_parse_state *st)
{
	while (st->depth > 0)
		buf_cleanup(&st->stack[--st->depth].text);
}

int xml_parse(const char *data, size_t len, struct xml_node **out)
{
	struct xml_parse_state st;
	enum XML_Status status;
	int rc = 0;

	if (!data || !out)
		return -EINVAL;
	if (len > XML_MAX_BYTES || len > INT_MAX)
		return -EFBIG;
	memset(&st, 0, sizeof(st));
	st.parser = XML_ParserCreate(NULL); /* honours encoding="ISO-8859-1" */
	if (!st.parser)
		return -ENOMEM;
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, xml_on_start, xml_on_end);
	XML_SetCharacterDataHandler(st.parser, xml_on_text);
	XML_SetStartDoctypeDeclHandler(st.parser, xml_on_doctype);
	status = XML_Parse(st.parser, data, (int)len, XML_TRUE);
	if (st.err)
		rc = st.err;
	else if (status != XML_STATUS_OK || !st.root)
		rc = -EINVAL;
	XML_ParserFree(st.parser);
	if (rc) {
		xml_unwind(&st);
		xml_free(st.root);
		return rc;
	}
	*out = st.root;
	return 0;
}

void xml_free(struct xml_node *root)
{
	struct xml_node *n = root, *next;

	/* Iterative post-order walk: depth is capped, but keep the stack flat anyway. */
	while (n) {
		if (n->children) {
			next = n->children;
			n->children = NULL;
			n = next;
			continue;
		}
		next = n->next ? n->next : n->parent;
		if (n == root)
			next = NULL;
		free(n->name);
		free(n->text);
		free(n);
		n = next;
	}
}

static const struct xml_node *xml_child_n(const struct xml_node *n, const char *name, size_t len)
{
	const struct xml_node *c;

	if (!n)
		return NULL;
	for (c = n->children; c; c = c->next)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

const struct xml_node *xml_child(const struct xml_node *n, const char *name)
{
	if (!name)
		return NULL;
	return xml_child_n(n, name, strlen(name));
}

const struct xml_node *xml_path(const struct xml_node *n, const char *path)
{
	const char *p = path, *slash;

	if (!path)
		return NULL;
	while (n && *p) {
		slash = strchr(p, '/');
		if (!slash)
			return xml_child_n(n, p, strlen(p));
		n = xml_child_n(n, p, (size_t)(slash - p));
		p = slash + 1;
	}
	return n;
}

const char *xml_text(const struct xml_node *n, const char *path)
{
	const struct xml_node *c = xml_path(n, path);

	return c ? c->text : NULL;
}
