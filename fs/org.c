/*
 * The accounts of --all-profiles (every profile of the AWS config and
 * credentials files) and of --org (every ACTIVE account of the organization).
 */
#include "fs/multi.h"

#include <errno.h>
#include <stdio.h>

int multi_build_more(struct router *r, const struct fs_opts *o, char *err, size_t cap)
{
	(void)r;
	snprintf(err, cap, "%s is not available in this build",
		 o->org ? "--org" : "--all-profiles");
	return -ENOTSUP;
}
