/*
 * A small read-only element tree built with expat, enough to walk IAM/STS
 * answers: element names without namespace prefix, concatenated text, and
 * children in document order. Pure: parses a buffer, no I/O.
 */
#ifndef IAMFS_AWS_XML_H
#define IAMFS_AWS_XML_H

#include <stddef.h>

struct xml_node {
	char *name; /* local name, namespace stripped */
	char *text; /* concatenated character data, "" when none */
	size_t text_len;
	struct xml_node *children; /* first child */
	struct xml_node *next;	   /* next sibling */
	struct xml_node *parent;
};

/* Parses len bytes; on success *out is the root element (free with xml_free).
 * -EINVAL on malformed XML, -EFBIG on documents larger than 64 MiB, nested
 * deeper than 64 levels, or whose tree would keep more than 64 MiB (each
 * element charged its node, name, text and allocation overhead). */
int xml_parse(const char *data, size_t len, struct xml_node **out);
void xml_free(struct xml_node *root);
/* First child element called name, or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* Walks a '/'-separated path of child names, e.g. "GetRoleResult/Role". */
const struct xml_node *xml_path(const struct xml_node *n, const char *path);
/* Text of the child at path, or NULL when absent. */
const char *xml_text(const struct xml_node *n, const char *path);

#endif
