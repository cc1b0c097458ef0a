/*
 * A mount of several accounts, as main.c starts and stops it: multi_build
 * (before daemonizing: the list of accounts, and with --org the call that
 * lists them), multi_start (after: the loaders' pool, and the mount's pools
 * handed to every account), multi_stop (before the accounts are freed).
 */
#ifndef IAMFS_FS_MULTI_H
#define IAMFS_FS_MULTI_H

#include <stddef.h>

#include "fs/opts.h"
#include "fs/router.h"

/* Fills r for the accounts o chooses; root is the template fs (borrowed, it
 * outlives r), base the caller's own client for --org (borrowed, may be NULL
 * otherwise). 0, or -errno with one sentence in err. */
int multi_build(struct router *r, struct fs *root, const struct fs_opts *o, struct iam_client *base,
		char *err, size_t cap);
/* org.c: the accounts of --all-profiles and --org (multi_build's other cases). */
int multi_build_more(struct router *r, const struct fs_opts *o, char *err, size_t cap);
/* Starts the loaders' pool and shares root's pools with every account. 0 or -errno. */
int multi_start(struct router *r);
/* Stops the loaders' pool (every queued open runs first). */
void multi_stop(struct router *r);

#endif
