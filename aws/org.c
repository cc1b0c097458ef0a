/*
 * Organizations ListAccounts over the JSON 1.1 protocol: a JSON body built and
 * read with cJSON, sent through the IAM client's credentials, retry policy and
 * counters (iam_request_send; error answers, JSON or XML, are read by
 * iam_parse_error like every other), paged with NextToken through pager.h (a token
 * repeated in one chain, or more than ORG_MAX_PAGES pages, ends it with -EIO).
 * The accounts are handed over only when the whole chain succeeded.
 */
#include "aws/org.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/iam_request.h"
#include "aws/pager.h"

#define ORG_TARGET	 "AWSOrganizationsV20161128.ListAccounts"
#define ORG_CONTENT_TYPE "application/x-amz-json-1.1"
#define ORG_MAX_TOKEN	 4096 /* bytes of a NextToken we send back */

void org_account_list_free(struct org_account_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static const char *org_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The refusals of ListAccounts itself that mean these credentials cannot list the
 * organization at all. A failure to get credentials (a refused AssumeRole of an
 * assumed client) sent no ListAccounts request (attempts 0) and keeps its own words. */
static void org_explain(struct aws_error *err)
{
	char why[sizeof(err->message)];

	if (err->attempts == 0)
		return;
	if (strcmp(err->code, "AccessDeniedException") && strcmp(err->code, "AccessDenied") &&
	    strcmp(err->code, "AWSOrganizationsNotInUseException"))
		return;
	snprintf(why, sizeof(why), "%s", err->message);
	snprintf(err->message, sizeof(err->message),
		 "these credentials cannot list the organization's accounts (%s: %.700s); use "
		 "the management account or a delegated administrator",
		 err->code, why);
}

/* {} or {"NextToken": token} into body. */
static int org_body(const char *token, struct buf *body)
{
	cJSON *o = cJSON_CreateObject();
	char *text;
	int rc = -ENOMEM;

	if (o && (!token || cJSON_AddStringToObject(o, "NextToken", token))) {
		text = cJSON_PrintUnformatted(o);
		rc = text ? buf_puts(body, text) : -ENOMEM;
		free(text);
	}
	cJSON_Delete(o);
	return rc;
}

/* One account object; -EINVAL when it has no valid Id. */
static int org_account_read(const cJSON *a, struct org_account *out)
{
	const char *id = org_str(a, "Id"), *name = org_str(a, "Name");
	const char *status = org_str(a, "Status");
	size_t i;

	if (!status)
		status = org_str(a, "State");
	if (!id || strlen(id) != 12)
		return -EINVAL;
	for (i = 0; i < 12; i++)
		if (id[i] < '0' || id[i] > '9')
			return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->id, id, 13);
	snprintf(out->status, sizeof(out->status), "%.23s", status ? status : "");
	out->name = strdup(name ? name : "");
	return out->name ? 0 : -ENOMEM;
}

/* Appends the page's accounts to l and takes its NextToken into page. */
static int org_page_read(const cJSON *doc, struct org_account_list *l, struct iam_page *page)
{
	const cJSON *accs = cJSON_GetObjectItemCaseSensitive(doc, "Accounts"), *a;
	const char *token = org_str(doc, "NextToken");
	struct org_account *nv;
	size_t n;
	int rc;

	if (!cJSON_IsObject(doc) || (accs && !cJSON_IsArray(accs)))
		return -EINVAL;
	n = (size_t)cJSON_GetArraySize(accs);
	if (n) {
		nv = realloc(l->items, (l->n + n) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->items = nv;
	}
	cJSON_ArrayForEach(a, accs)
	{
		rc = org_account_read(a, &l->items[l->n]);
		if (rc)
			return rc;
		l->n++;
	}
	page->is_truncated = token && *token;
	if (page->is_truncated && strlen(token) > ORG_MAX_TOKEN)
		return -EINVAL;
	page->marker = page->is_truncated ? strdup(token) : NULL;
	return page->is_truncated && !page->marker ? -ENOMEM : 0;
}

/* Where the pages of one chain go and come from. */
struct org_chain {
	struct iam_conn *conn;
	const struct aws_endpoint *ep;
	struct org_account_list *l;
};

/* Sends one page's request (token NULL: the first) and reads its answer (pager_chain.page). */
static int org_page(void *ctx, const char *token, struct iam_page *page, struct aws_error *err)
{
	struct org_chain *ch = ctx;
	struct query_request rq = {
		.action = "ListAccounts", .content_type = ORG_CONTENT_TYPE, .target = ORG_TARGET};
	struct buf body, resp;
	cJSON *doc = NULL;
	int rc;

	buf_init(&body, 2 * ORG_MAX_TOKEN);
	buf_init(&resp, ORG_MAX_RESPONSE);
	rc = org_body(token, &body);
	if (rc)
		aws_error_set(err, "InvalidInput", "cannot build the ListAccounts request");
	rq.body = body.data;
	rq.body_len = body.len;
	if (!rc)
		rc = iam_request_send(ch->conn, ch->ep, &rq, &resp, err);
	if (!rc) {
		doc = cJSON_ParseWithLength(resp.data ? resp.data : "", resp.len);
		rc = doc ? org_page_read(doc, ch->l, page) : -EINVAL;
		if (rc == -EINVAL)
			aws_error_set(
				err, AWS_MALFORMED_RESPONSE,
				"ListAccounts answered a document that is not an account list");
		if (rc)
			rc = rc == -EINVAL ? -EIO : rc;
	}
	org_explain(err);
	cJSON_Delete(doc);
	buf_cleanup(&body);
	buf_cleanup(&resp);
	return rc;
}

int iam_list_org_accounts(struct iam_client *c, struct org_account_list *out, struct aws_error *err)
{
	struct org_account_list l = {0};
	struct org_chain ch = {NULL, iam_client_org_endpoint(c), &l};
	const struct pager_chain pc = {"ListAccounts", ORG_MAX_PAGES, AWS_MALFORMED_RESPONSE,
				       org_page, &ch};
	int rc;

	aws_error_clear(err);
	rc = iam_conn_new(c, &ch.conn);
	if (rc) {
		aws_error_set(err, "ConnectionError", "cannot open an HTTP handle");
		return rc;
	}
	rc = pager_follow(&pc, err);
	iam_conn_free(ch.conn);
	if (rc) {
		org_account_list_free(&l);
		return rc;
	}
	*out = l;
	return 0;
}
