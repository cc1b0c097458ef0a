/*
 * Decoding the elements of IAM and STS answers into the structs of iam_types.h,
 * for the answer parsers of iam_parse.c. Entities and list appends are all or
 * nothing: on failure the entity is cleaned up and a list keeps exactly what it
 * held. Absent or empty elements read as NULL strings and 0 numbers.
 */
#ifndef IAMFS_AWS_IAM_DECODE_H
#define IAMFS_AWS_IAM_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/iam_types.h"

struct xml_node;

/* A string field of a struct, read from the child element at path. */
struct iam_decode_field {
	const char *path;
	size_t off;
};

/* Decodes a policy document as IAM sends it (URL-encoded by AWS, raw by moto: a
 * document always contains '{' and its encoded form never does); returns
 * malloc'ed text or NULL (ENOMEM). */
char *iam_decode_document(const char *s);

/* Copies the text at path into *dst (absent or empty: NULL). 0 or -ENOMEM. */
int iam_decode_take(const struct xml_node *n, const char *path, char **dst);
/* iam_decode_take for each of the nf fields of obj. */
int iam_decode_fields(const struct xml_node *n, void *obj, const struct iam_decode_field *f,
		      size_t nf);
/* True when the text at path is "true" (any case). */
bool iam_decode_bool(const struct xml_node *n, const char *path);

/* One entity from its element m into an empty obj: a struct iam_role (a ListRoles
 * member, GetRole's <Role>, a GAAD RoleDetail), iam_policy, iam_policy_version,
 * iam_inline_policy (GetRolePolicy's result), iam_caller_identity. 0, -EINVAL
 * (a required field missing or a bad number) or -ENOMEM. */
int iam_decode_role(const struct xml_node *m, void *obj);
int iam_decode_policy(const struct xml_node *m, void *obj);
int iam_decode_version(const struct xml_node *m, void *obj);
int iam_decode_inline(const struct xml_node *m, void *obj);
int iam_decode_identity(const struct xml_node *m, void *obj);

/* Appends the <member>s of list (may be NULL: nothing) to out: a struct
 * iam_role_list, iam_policy_list, iam_version_list, iam_string_list,
 * iam_attached_list; iam_decode_profile_names appends the InstanceProfileName of
 * each InstanceProfile member to a struct iam_string_list. Also the
 * roles and policies of a GAAD result to a struct iam_gaad, and the entries of a
 * SummaryMap to a struct iam_account_summary. */
int iam_decode_roles(const struct xml_node *list, void *out);
int iam_decode_policies(const struct xml_node *list, void *out);
int iam_decode_versions(const struct xml_node *list, void *out);
int iam_decode_strings(const struct xml_node *list, void *out);
int iam_decode_attached(const struct xml_node *list, void *out);
int iam_decode_profile_names(const struct xml_node *list, void *out);
int iam_decode_gaad(const struct xml_node *result, void *out);
int iam_decode_summary(const struct xml_node *map, void *out);

#endif
