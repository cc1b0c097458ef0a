/*
 * What a role.json save asks of IAM: the read-only fields it may not change,
 * and the calls that take the role from one set of editable fields (have) to
 * another (want), in the fixed order they are sent. Pure: roledoc values in,
 * decisions out; no I/O.
 *
 * What an absent key means in want (the file the user saved):
 *   RoleName, Arn, RoleId, Path, CreateDate, AttachedPolicies: unchanged
 *   MaxSessionDuration: unchanged (a role always has one)
 *   Description: none (cleared with UpdateRole and an empty Description; "" and
 *                absent are the same)
 *   PermissionsBoundary: none (DeleteRolePermissionsBoundary)
 *   Tags: no tags (UntagRole of every key)
 * Tag keys are matched exactly, so a key whose case changed is removed and added.
 */
#ifndef IAMFS_CACHE_ROLEPLAN_H
#define IAMFS_CACHE_ROLEPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/roledoc.h"

/* The calls, in the order they are sent. */
enum roleplan_step {
	ROLEPLAN_UPDATE,	  /* UpdateRole: Description and/or MaxSessionDuration */
	ROLEPLAN_UNTAG,		  /* UntagRole: the keys removed */
	ROLEPLAN_TAG,		  /* TagRole: the tags added or changed */
	ROLEPLAN_PUT_BOUNDARY,	  /* PutRolePermissionsBoundary */
	ROLEPLAN_DELETE_BOUNDARY, /* DeleteRolePermissionsBoundary */
	ROLEPLAN_NSTEPS
};

/* Strings borrowed from the want and have documents given to roleplan_make, which
 * must outlive the plan; the arrays are the plan's. */
struct roleplan {
	bool step[ROLEPLAN_NSTEPS];
	/* UPDATE sends both fields, the unchanged one with its current value (an
	 * implementation may reset a field UpdateRole leaves out, as moto does). */
	const char *description;  /* UPDATE: the Description ("" clears); NULL: no UPDATE */
	int max_session_duration; /* UPDATE: the value; 0: not known, left out */
	const char **untag;	  /* UNTAG: keys */
	size_t nuntag;
	struct iam_tag *tag; /* TAG: tags (key and value borrowed) */
	size_t ntag;
	const char *boundary; /* PUT_BOUNDARY: the ARN */
};

/* "UpdateRole", "UntagRole", ...; "?" out of range. Static. */
const char *roleplan_step_name(enum roleplan_step s);

/* The first field want holds that cannot be changed through role.json (RoleName,
 * Arn, RoleId, Path, CreateDate, AttachedPolicies) whose value differs from have's;
 * ROLEDOC_FIELD_COUNT when none. AttachedPolicies is compared as a set. */
enum roledoc_field roleplan_read_only_change(const struct roledoc *want,
					     const struct roledoc *have);

/* The calls from have to want (see above). *out is overwritten; free it with
 * roleplan_cleanup. 0 or -ENOMEM. */
int roleplan_make(const struct roledoc *want, const struct roledoc *have, struct roleplan *out);
/* No call at all. */
bool roleplan_empty(const struct roleplan *p);
void roleplan_cleanup(struct roleplan *p); /* NULL-safe */

/* Whether IAM's role (iam, parsed from role.json rendered from GetRole) shows the
 * effect of step s of p: how a call whose answer was lost is settled. */
bool roleplan_step_landed(const struct roleplan *p, enum roleplan_step s,
			  const struct roledoc *iam);

/* Whether a and b hold the same editable fields (tags as a set; MaxSessionDuration
 * only when both hold one): the conflict check between IAM and the view, and the
 * test of a journaled save against IAM at the next mount. */
bool roleplan_same_editable(const struct roledoc *a, const struct roledoc *b);

#endif
