/*
 * Repeated markers are found through a set of 64-bit FNV-1a hashes of the
 * markers seen, so a chain of any length costs 8 bytes a page and one probe a
 * page. Two different markers with the same hash would end a chain early with
 * an error, never make it loop or skip a page silently.
 */
#include "aws/pager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pager_init(struct pager *p)
{
	memset(p, 0, sizeof(*p));
}

void pager_cleanup(struct pager *p)
{
	free(p->seen);
	pager_init(p);
}

static uint64_t pager_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

/* Slot of h: where it is, or the empty slot where it belongs. cap > n. */
static size_t pager_slot(const uint64_t *v, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 32)) & (cap - 1);

	while (v[i] && v[i] != h)
		i = (i + 1) & (cap - 1);
	return i;
}

static int pager_grow(struct pager *p)
{
	size_t ncap = p->cap ? p->cap * 2 : 16, i;
	uint64_t *v = calloc(ncap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < p->cap; i++)
		if (p->seen[i])
			v[pager_slot(v, ncap, p->seen[i])] = p->seen[i];
	free(p->seen);
	p->seen = v;
	p->cap = ncap;
	return 0;
}

/* 1 when marker is new (and now remembered), 0 when seen before. */
static int pager_remember(struct pager *p, const char *marker)
{
	uint64_t h = pager_hash(marker);
	size_t i;

	if (2 * (p->n + 1) > p->cap && pager_grow(p))
		return -ENOMEM;
	i = pager_slot(p->seen, p->cap, h);
	if (p->seen[i])
		return 0;
	p->seen[i] = h;
	p->n++;
	return 1;
}

int pager_next(struct pager *p, const char *action, const struct iam_page *page,
	       struct aws_error *err)
{
	int rc;

	if (!page->is_truncated)
		return 0;
	if (!page->marker || !page->marker[0]) {
		aws_error_set(err, AWS_MALFORMED_RESPONSE,
			      "%s answered IsTruncated=true without a Marker after %zu pages; "
			      "the rest of the listing cannot be asked for",
			      action, p->n + 1);
		return -EIO;
	}
	rc = pager_remember(p, page->marker);
	if (rc == -ENOMEM)
		aws_error_set(err, "OutOfMemory", "out of memory following %s", action);
	else if (rc == 0) {
		aws_error_set(err, AWS_MALFORMED_RESPONSE,
			      "%s answered a Marker it had already given in this chain "
			      "(after %zu pages); the listing would never end",
			      action, p->n + 1);
		rc = -EIO;
	}
	return rc;
}

int pager_follow(const struct pager_chain *ch, struct aws_error *err)
{
	struct iam_page page = {0};
	struct pager pager;
	char *marker = NULL;
	int pages, rc = 0;

	pager_init(&pager);
	for (pages = 0; pages < ch->max_pages; pages++) {
		rc = ch->page(ch->ctx, marker, &page, err);
		free(marker);
		marker = NULL;
		if (!rc)
			rc = pager_next(&pager, ch->action, &page, err);
		if (rc <= 0)
			break;
		marker = page.marker;
		page.marker = NULL;
		page.is_truncated = false;
	}
	free(marker);
	pager_cleanup(&pager);
	iam_page_cleanup(&page);
	if (rc > 0) {
		aws_error_set(err, ch->cap_code, "%s did not end after %d pages", ch->action,
			      pages);
		rc = -EIO;
	}
	return rc;
}
