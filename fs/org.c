/*
 * The accounts of --all-profiles (every profile of the AWS config and
 * credentials files) and of --org (every ACTIVE account of the organization:
 * one ListAccounts chain at mount time, kept in the cache folder so a remount
 * with Organizations unreachable still lists them; each account is reached by
 * AssumeRole of --org-role, the credentials in memory only).
 */
#include "fs/multi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/iam.h"
#include "aws/org.h"
#include "cache/cachedir.h"
#include "fs/log.h"

#define ORG_LIST_FILE "org-accounts" /* in the cache folder: "id<TAB>name" lines */
#define ORG_LIST_MAX  (8u << 20)

/* The partition of the base client's IAM endpoint (for the role ARNs). */
static const char *org_partition(struct iam_client *base)
{
	const char *url = iam_client_endpoint(base)->url;

	if (strstr(url, ".amazonaws.com.cn"))
		return "aws-cn";
	if (strstr(url, "us-gov"))
		return "aws-us-gov";
	return "aws";
}

/* An account of --org: AssumeRole of --org-role into it with the caller's credentials. */
static int org_client(struct router *r, struct account *a, struct iam_client **out,
		      struct aws_error *err)
{
	char arn[512];

	const char *name = strrchr(r->org_role, '/');

	snprintf(arn, sizeof(arn), "arn:%s:iam::%s:role/%s", org_partition(r->base), a->id,
		 r->org_role);
	/* What GetCallerIdentity would answer for these credentials (a role's path is
	 * not part of its assumed-role ARN). */
	snprintf(a->caller, sizeof(a->caller), "arn:%s:sts::%s:assumed-role/%s/iamfs",
		 org_partition(r->base), a->id, name ? name + 1 : r->org_role);
	return iam_client_new_assumed(r->base, arn, r->external_id, "iamfs", out, err);
}

static int org_add(struct router *r, const struct org_account_list *l, char *err, size_t cap)
{
	struct account_spec *specs = calloc(l->n ? l->n : 1, sizeof(*specs));
	size_t n = 0;
	int rc;

	if (!specs) {
		snprintf(err, cap, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].status, "ACTIVE"))
			continue;
		specs[n].id = l->items[i].id;
		specs[n++].name = l->items[i].name ? l->items[i].name : l->items[i].id;
	}
	rc = n ? router_add_accounts(r, specs, n) : -ENOENT;
	if (rc == -ENOENT)
		snprintf(err, cap, "the organization has no ACTIVE account");
	else if (rc)
		snprintf(err, cap, "cannot set up the accounts of the organization: %s",
			 strerror(-rc));
	free(specs);
	return rc;
}

/* Keeps the ACTIVE accounts of l in the cache folder (0600, replaced whole,
 * under cachedir.h's rule like every file there). */
static void org_save(struct router *r, const struct org_account_list *l)
{
	struct buf b;
	struct iovec iov;
	char why[512] = "";
	int fd = -1, rc;

	buf_init(&b, ORG_LIST_MAX);
	rc = cachedir_open(r->cache_dir, true, &fd, why, sizeof(why));
	for (size_t i = 0; !rc && i < l->n; i++) {
		const char *name = l->items[i].name ? l->items[i].name : "";

		if (strcmp(l->items[i].status, "ACTIVE"))
			continue;
		rc = buf_printf(&b, "%s\t", l->items[i].id);
		for (const char *p = name; !rc && *p; p++)
			rc = buf_putc(&b, (unsigned char)*p < 0x20 ? ' ' : *p);
		if (!rc)
			rc = buf_putc(&b, '\n');
	}
	iov.iov_base = b.data;
	iov.iov_len = b.len;
	if (!rc)
		rc = cachedir_replace(fd, ORG_LIST_FILE, ".org-accounts-", &iov, 1);
	if (rc)
		log_msg(LOG_WARNING, "cannot keep the list of accounts in %s: %s", r->cache_dir,
			why[0] ? why : strerror(-rc));
	if (fd >= 0)
		close(fd);
	buf_cleanup(&b);
}

/* One "id<TAB>name" line of the kept list appended to l. */
static int org_add_line(struct org_account_list *l, char *line)
{
	char *tab = strchr(line, '\t');
	struct org_account *v;

	if (!tab || tab == line || (size_t)(tab - line) >= sizeof(v->id))
		return 0;
	*tab = '\0';
	v = realloc(l->items, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->items = v;
	memset(&v[l->n], 0, sizeof(*v));
	snprintf(v[l->n].id, sizeof(v[l->n].id), "%s", line);
	snprintf(v[l->n].status, sizeof(v[l->n].status), "ACTIVE");
	v[l->n].name = strdup(tab + 1);
	return v[l->n++].name ? 0 : -ENOMEM;
}

/* The list org_save kept: 0, or -errno (-ENOENT when there is none). */
static int org_load_saved(struct router *r, struct org_account_list *l)
{
	char *text = NULL, *line, *nl;
	size_t len;
	int fd, rc = cachedir_open(r->cache_dir, false, &fd, NULL, 0);

	if (rc)
		return rc;
	rc = cachedir_read_file(fd, ORG_LIST_FILE, ORG_LIST_MAX, &text, &len, NULL);
	close(fd);
	for (line = text; !rc && line && *line; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		rc = org_add_line(l, line);
	}
	free(text);
	return rc ? rc : l->n ? 0 : -ENOENT;
}

static int multi_org(struct router *r, char *err, size_t cap)
{
	struct org_account_list l = {0};
	struct aws_error e;
	int rc;

	aws_error_clear(&e);
	r->make_client = org_client;
	rc = iam_list_org_accounts(r->base, &l, &e);
	if (!rc) {
		org_save(r, &l);
	} else if (!org_load_saved(r, &l)) {
		log_msg(LOG_WARNING,
			"cannot list the organization's accounts (%s); using the list "
			"kept from the last mount",
			e.message);
	} else {
		snprintf(err, cap, "%s", e.message[0] ? e.message : strerror(-rc));
		return rc;
	}
	rc = org_add(r, &l, err, cap);
	org_account_list_free(&l);
	return rc;
}

static int multi_all_profiles(struct router *r, char *err, size_t cap)
{
	struct creds_options co = {0};
	struct account_spec *specs;
	char **names = NULL;
	size_t n = 0;
	int rc = creds_profile_names(&co, &names, &n);

	if (rc || !n) {
		snprintf(err, cap, "%s",
			 rc ? "cannot read the profiles of the AWS config and credentials files"
			    : "--all-profiles found no profile in the AWS config and credentials "
			      "files");
		creds_profile_names_free(names, n);
		return rc ? rc : -ENOENT;
	}
	specs = calloc(n, sizeof(*specs));
	rc = specs ? 0 : -ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		specs[i].name = names[i];
		specs[i].profile = names[i];
	}
	if (!rc)
		rc = router_add_accounts(r, specs, n);
	if (rc)
		snprintf(err, cap, "cannot set up the accounts of --all-profiles: %s",
			 strerror(-rc));
	free(specs);
	creds_profile_names_free(names, n);
	return rc;
}

int multi_build_more(struct router *r, const struct fs_opts *o, char *err, size_t cap)
{
	return o->org ? multi_org(r, err, cap) : multi_all_profiles(r, err, cap);
}
