/*
 * The paging state of one listing chain: decides from each page's IsTruncated
 * and Marker whether the chain goes on, and refuses the answers that would
 * make it lie or loop: IsTruncated without a Marker (taking the pages so far
 * as the whole listing would hide the rest) and a Marker already answered in
 * this chain (a server that repeats one would be asked forever). Pure: no I/O.
 * pager_follow is the loop every listing chain runs on that state, whatever
 * the protocol: the page requests themselves are its caller's.
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

/* A chain to follow: page asks for the page after marker (NULL: the first;
 * borrowed), hands what it holds to its consumer and fills page's is_truncated
 * and marker (the marker is then pager_follow's); 0 or -errno with err filled. */
struct pager_chain {
	const char *action;   /* names the chain in errors */
	int max_pages;	      /* a chain not ended after this many pages is refused */
	const char *cap_code; /* the error code of that refusal */
	int (*page)(void *ctx, const char *marker, struct iam_page *page, struct aws_error *err);
	void *ctx;
};

/*
 * Asks for page after page, each with the marker of the one before, until one
 * is not truncated. 0; the -errno of the first page that failed; pager_next's
 * refusal; or -EIO with err (code ch->cap_code) after ch->max_pages pages.
 */
int pager_follow(const struct pager_chain *ch, struct aws_error *err);

#endif
