/*
 * Organizations ListAccounts (the implementation follows).
 */
#include "aws/org.h"

#include <errno.h>
#include <stdlib.h>

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

int iam_list_org_accounts(struct iam_client *c, struct org_account_list *out, struct aws_error *err)
{
	(void)c;
	(void)out;
	aws_error_set(err, "NotImplemented", "ListAccounts is not implemented yet");
	return -ENOSYS;
}
