/*
 * creds_profile_names: every profile of the shared config and credentials
 * files, found where the injected environment says (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws), deduplicated and sorted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/creds.h"
#include "check.h"
#include "fakeenv.h"

static char dir[64];

/* The names as one comma-separated string (empty on failure). */
static int names_of(struct fakeenv *e, char *out, size_t cap)
{
	struct creds_env ce = {fakeenv_getenv, NULL, e};
	struct creds_options o = {.env = &ce};
	char **names = NULL;
	size_t n = 0, i, len = 0;
	int rc = creds_profile_names(&o, &names, &n);

	out[0] = '\0';
	for (i = 0; !rc && i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", names[i]);
	creds_profile_names_free(names, n);
	return rc;
}

static void test_names(void)
{
	struct fakeenv e = {0};
	char got[512];

	check_write_file(dir, "config",
			 "[default]\nregion = eu-west-1\n[profile zeta]\nregion = x\n"
			 "[profile   spaced name ]\n[profile dup]\n[sso-session corp]\n"
			 "sso_region = us-east-1\n[services local]\n[profile default]\n"
			 "[profile]\n");
	check_write_file(dir, "credentials",
			 "[dup]\naws_access_key_id = A\naws_secret_access_key = s\n"
			 "[Alpha]\n[default]\n");
	fakeenv_set(&e, 0, "AWS_CONFIG_FILE=%s/config", dir);
	fakeenv_set(&e, 1, "AWS_SHARED_CREDENTIALS_FILE=%s/credentials", dir);
	CHECK_INT(names_of(&e, got, sizeof(got)), 0);
	CHECK_STR(got, "Alpha,default,dup,spaced name,zeta");
	/* Without the variables: $HOME/.aws/config and $HOME/.aws/credentials. */
	fakeenv_set(&e, 0, "HOME=%s/home", dir);
	e.vars[1] = NULL;
	CHECK_INT(names_of(&e, got, sizeof(got)), 0);
	CHECK_STR(got, "");
	check_write_file(dir, "home/.aws/credentials", "[only]\n");
	CHECK_INT(names_of(&e, got, sizeof(got)), 0);
	CHECK_STR(got, "only");
	/* A file that cannot be parsed is an error, not an empty list. */
	check_write_file(dir, "home/.aws/config", "[profile a]\nthis is not ini\n");
	CHECK_INT(names_of(&e, got, sizeof(got)), -EINVAL);
}

int main(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/iamfs-test-profiles-XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/home", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/home/.aws", dir);
	mkdir(path, 0700);
	test_names();
	check_rm_tree(dir);
	return check_done("test_profiles");
}
