/*
 * Path and name classification (fs/inode.c inode_classify, fs/names.c): the
 * input is a path the kernel could look up, split at '/' and classified one
 * component at a time from the root, as a walk of LOOKUPs would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/inode.h"
#include "fs/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Classifies name under every kind of parent; returns the kind under parent. */
static int fuzz_name(enum inode_kind parent, const char *name, enum inode_kind *kind)
{
	enum inode_kind k, other;
	const char *pol = NULL;
	size_t plen = 0;
	int rc, p;

	for (p = INODE_ROOT; p <= INODE_CTL_REJECTED_FILE; p++) {
		if (!inode_classify((enum inode_kind)p, name, &k, &pol, &plen) && pol &&
		    (pol < name || pol + plen > name + strlen(name)))
			abort(); /* the policy name must point into name */
		names_class((enum inode_kind)p, name, &other);
	}
	names_helper_kind(name);
	rc = inode_classify(parent, name, kind, &pol, &plen);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum inode_kind kind = INODE_ROOT, next;
	char *s = malloc(size + 1), *p, *slash;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = s; p; p = slash ? slash + 1 : NULL) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (fuzz_name(kind, p, &next) || !inode_kind_is_dir(next))
			break;
		kind = next;
	}
	free(s);
	return 0;
}
