/*
 * The paging state of one listing chain: decides from each page's IsTruncated
 * and Marker whether the chain goes on, and refuses the answers that would
 * make it lie or loop: IsTruncated without a Marker (taking the pages so far
 * as the whole listing would hide the rest) and a Marker already answered in
 * this chain (a server that repeats one would be asked forever). Pure: no I/O.
 */
#ifndef IAMFS_AWS_PAGER_H
#define IAMFS_AWS_PAGER_H

#include <stddef.h>
#include <stdint.h>

#include "aws/awserr.h"
#include "aws/iam_types.h"

/* The error code of a refused page. */

struct pager {
	uint64_t *seen; /* open-addressed set of the markers' hashes, 0 = empty */
	size_t n, cap;	/* cap is 0 or a power of two */
};

void pager_init(struct pager *p);
/* Frees the set; p may be reused after pager_init. */
void pager_cleanup(struct pager *p);

/*
 * Looks at one page of action's chain. Returns 0 when the chain is complete
 * (not truncated), 1 when it goes on with page->marker (remembered), -EIO with
 * err set (code AWS_MALFORMED_RESPONSE) when truncated without a marker or when the marker
 * was seen before in this chain, -ENOMEM when it cannot be remembered.
 */
int pager_next(struct pager *p, const char *action, const struct iam_page *page,
	       struct aws_error *err);

#endif
