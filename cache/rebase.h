/*
 * One representation of a loaded account: once a view built in memory (a bulk
 * load, a save) has been written to the disk copy, its documents are traded for
 * the equal ones of that copy, which point into its read-only mapping. The bytes
 * then live in the page cache (file-backed, reclaimable) instead of the heap, as
 * after a remount. Nothing a reader sees changes: same bytes, mtimes and gens.
 */
#ifndef IAMFS_CACHE_REBASE_H
#define IAMFS_CACHE_REBASE_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/model.h"

struct cache;

/* A copy of v (refs 1, v's serial) in which every document of a role (trust,
 * role.json, inline) and every customer managed document is replaced by from's
 * document for the same role and file (the same ARN for attached ones) when both
 * hold the same bytes and mtime; the rest keep v's documents. from is the copy's
 * own private view (refs 1, not published), and v's roles that it holds
 * identically (same mtime, flags, names, ARNs, and documents of the same bytes
 * and mtime) are taken out of it whole instead of copied: the result ends on the
 * copy's compact parse, as a remount does, and v's names and arrays can all go.
 * v is borrowed (references are taken on what the copy keeps); from keeps what
 * was not taken and the caller still puts it. *traded counts the documents
 * replaced. 0 or -ENOMEM (*out untouched). */
int rebase_view_take(const struct cache_view *v, struct cache_view *from, struct cache_view **out,
		     size_t *traded);

/* A view's heap documents are worth trading for the copy's when they hold at
 * least 1/REBASE_HEAP_SHARE of its documents' bytes (a load's, or many saves'):
 * a single save does not have the whole copy read back. */
#define REBASE_HEAP_SHARE 64
/* True when v holds heap documents worth a trade (the rule above). Pure. */
bool rebase_wanted(const struct cache_view *v);

/* After written (a view of c) was written to c's disk copy in folder: when
 * rebase_wanted(written), reads the copy back and, if written is
 * still c's current view, publishes in its place rebase_view_take(written, copy),
 * trades c's AWS managed documents for the copy's too (so one mapping serves
 * everything), and gives the freed heap back (malloc_trim). A view already all
 * in a mapping is left alone (an AWS managed document fetched since stays on the
 * heap until the next trade). A copy that cannot be read, or a view replaced
 * meanwhile, leaves everything as it was. Takes c->mu for the swap only; never
 * reports a change (the bytes are the same). */
void rebase_cache(struct cache *c, const struct cache_view *written, const char *folder);

/* Gives freed heap pages back to the system (glibc's malloc_trim): after a bulk
 * load, without it glibc keeps the peak, about twice the resident size of the
 * view. */
void rebase_trim(void);

#endif
