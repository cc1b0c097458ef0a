/*
 * AWS Organizations, as far as a mount of every account needs it: the
 * accounts of the organization (ListAccounts, all pages). Organizations speaks
 * the JSON 1.1 protocol (POST /, X-Amz-Target, a JSON body), signed with
 * SigV4 for service "organizations" at the partition's global endpoint, or at
 * $AWS_ENDPOINT_URL_ORGANIZATIONS / $AWS_ENDPOINT_URL (iam_client_org_endpoint).
 * Calls go through the client's credentials, retry policy and call counters.
 */
#ifndef IAMFS_AWS_ORG_H
#define IAMFS_AWS_ORG_H

#include <stddef.h>

#include "aws/awserr.h"
#include "aws/iam.h"

#define ORG_MAX_PAGES	 1000	    /* a longer ListAccounts chain is refused (-EIO) */
#define ORG_MAX_RESPONSE (4u << 20) /* bytes of one ListAccounts answer */

struct org_account {
	char id[16];	 /* twelve digits */
	char *name;	 /* as the organization spells it (may be any UTF-8) */
	char status[24]; /* "ACTIVE", "SUSPENDED", "PENDING_CLOSURE" */
};

/* Owned by its holder: items (and each name) freed with org_account_list_free. */
struct org_account_list {
	struct org_account *items;
	size_t n;
};

/* Frees every item and leaves l empty (NULL-safe). */
void org_account_list_free(struct org_account_list *l);

/* Every account of the organization the client's credentials can list (all pages), in API
 * order, into an empty *out (filled only on success; the caller frees it with
 * org_account_list_free). 0 or -errno with err filled: AccessDeniedException and
 * AWSOrganizationsNotInUseException get a clear sentence ("these credentials cannot list the
 * organization's accounts (...)"); an answer that cannot be read, a chain longer than
 * ORG_MAX_PAGES or one that repeats a NextToken is -EIO (code MalformedResponse). Thread-safe:
 * each call uses its own HTTP handle on the client's share. */
int iam_list_org_accounts(struct iam_client *c, struct org_account_list *out,
			  struct aws_error *err);

#endif
