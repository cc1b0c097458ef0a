/*
 * The profile names of the shared files (the implementation follows).
 */
#include "aws/creds.h"

#include <errno.h>
#include <stdlib.h>

int creds_profile_names(const struct creds_options *o, char ***names, size_t *n)
{
	(void)o;
	*names = NULL;
	*n = 0;
	return -ENOSYS;
}

void creds_profile_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}
