/* Shared by the cache tests that run with no IAM to talk to: an IAM client whose
 * endpoints refuse every connection, an injected clock and a recorder of the
 * cache's on_change calls. */
#ifndef IAMFS_TESTS_OFFLINE_H
#define IAMFS_TESTS_OFFLINE_H

#include "aws/iam.h"
#include "cache/cache.h"

/* Port 1 on loopback: nothing listens, connections are refused at once. */
#define OFFLINE_URL "http://127.0.0.1:1/"

extern long long offline_clock;	    /* what offline_now answers; tests move it */
extern char offline_changes[8][96]; /* "what role kind name" of each change seen */
extern int offline_nchanges;

/* A cache_options.now / creds clock answering offline_clock. */
long long offline_now(void *ctx);

/* A cache_options.on_change recording up to 8 changes in offline_changes. */
void offline_on_change(void *ctx, const struct cache_change *ch);

/* An IAM client for OFFLINE_URL (IAM and STS) with static keys, region
 * us-east-1, offline_now as its clock and one attempt per call; NULL (and a
 * failed check) when it cannot be made. */
struct iam_client *offline_client(void);

#endif
