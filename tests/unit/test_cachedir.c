/* Unit tests for the cache folder's rule: the verdict on a folder's owner and
 * mode, the walk that refuses symlinks and folders others may write, exclusive
 * creation that steps over a planted symlink, and opens that never follow one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "check.h"

#define OTHER_UID 65534

static char root[] = "/tmp/iamfs-cachedir-XXXXXX";

static void test_judge(void)
{
	struct stat st = {.st_mode = S_IFDIR | 0700, .st_uid = 1000};

	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_OK);
	st.st_mode = S_IFDIR | 0755;
	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_OK);
	st.st_mode = S_IFDIR | 0775;
	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_WRITABLE);
	st.st_mode = S_IFDIR | 0702;
	CHECK_INT(cachedir_judge(&st, 1000, true), CACHEDIR_WRITABLE);
	/* A sticky parent (as /tmp) is fine; the folder itself must not be writable. */
	st.st_mode = S_IFDIR | S_ISVTX | 0777;
	CHECK_INT(cachedir_judge(&st, 1000, true), CACHEDIR_OK);
	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_WRITABLE);
	/* Parents may be root's; the folder itself only ours. */
	st.st_mode = S_IFDIR | 0755;
	st.st_uid = 0;
	CHECK_INT(cachedir_judge(&st, 1000, true), CACHEDIR_OK);
	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_NOT_OWNER);
	st.st_uid = 1001;
	CHECK_INT(cachedir_judge(&st, 1000, true), CACHEDIR_NOT_OWNER);
	st.st_mode = S_IFLNK | 0777;
	st.st_uid = 1000;
	CHECK_INT(cachedir_judge(&st, 1000, false), CACHEDIR_NOT_FOLDER);
}

static void test_open(void)
{
	char path[256], link[256], why[1024];
	int fd = -1;

	snprintf(path, sizeof(path), "%s/a/b/c", root);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), -ENOENT);
	CHECK_INT(cachedir_open(path, true, &fd, why, sizeof(why)), 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), 0);
	close(fd);
	/* Writable by others, here or above. */
	CHECK_INT(chmod(path, 0777), 0);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), -EPERM);
	CHECK(fd == -1);
	CHECK(strstr(why, "chmod go-w") && strstr(why, path));
	CHECK_INT(chmod(path, 0700), 0);
	snprintf(link, sizeof(link), "%s/a", root);
	CHECK_INT(chmod(link, 0777), 0);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), -EPERM);
	CHECK(strstr(why, link) != NULL);
	CHECK_INT(chmod(link, 01777), 0);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), 0);
	close(fd);
	CHECK_INT(chmod(link, 0700), 0);
	/* Another owner (root can make one). */
	if (geteuid() == 0) {
		CHECK_INT(chown(path, OTHER_UID, OTHER_UID), 0);
		CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), -EPERM);
		CHECK(strstr(why, "chown") != NULL);
		CHECK_INT(chown(path, 0, 0), 0);
	}
	/* A symlink anywhere on the way, even to a good folder. */
	snprintf(link, sizeof(link), "%s/a/l", root);
	CHECK_INT(symlink("b", link), 0);
	snprintf(path, sizeof(path), "%s/a/l/c", root);
	CHECK_INT(cachedir_open(path, true, &fd, why, sizeof(why)), -EPERM);
	CHECK(strstr(why, "symlink") != NULL);
	CHECK_INT(cachedir_openat(AT_FDCWD, link, link, false, &fd, why, sizeof(why)), -EPERM);
	snprintf(path, sizeof(path), "%s/a/../a", root);
	CHECK_INT(cachedir_open(path, false, &fd, why, sizeof(why)), -EINVAL);
}

static void test_files(void)
{
	char victim[256], planted[256], name[64], prefix[32];
	struct stat st;
	int dfd = -1, fd = -1, rc;
	unsigned long i;

	snprintf(victim, sizeof(victim), "%s/victim", root);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK_INT(write(fd, "keep", 4), 4);
	close(fd);
	CHECK_INT(cachedir_open(root, false, &dfd, NULL, 0), 0);
	/* Plant a symlink at the next names: creation steps over them. */
	snprintf(prefix, sizeof(prefix), ".t.");
	CHECK_INT(cachedir_create(dfd, prefix, name, sizeof(name), &fd), 0);
	close(fd);
	for (i = 0; i < 10; i++) {
		snprintf(planted, sizeof(planted), "%s/%s%lu", root, prefix,
			 strtoul(name + strlen(prefix), NULL, 10) + 1 + i);
		CHECK_INT(symlink(victim, planted), 0);
	}
	rc = cachedir_create(dfd, prefix, name, sizeof(name), &fd);
	CHECK_INT(rc, 0);
	CHECK_INT(write(fd, "new", 3), 3);
	close(fd);
	CHECK_INT(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK_INT(stat(victim, &st), 0);
	CHECK_INT(st.st_size, 4);
	/* Opens never follow a symlink, nor open anything but a regular file. */
	CHECK_INT(symlinkat(victim, dfd, "log"), 0);
	CHECK_INT(cachedir_open_file(dfd, "log", O_WRONLY | O_CREAT | O_APPEND, &fd), -ELOOP);
	CHECK_INT(cachedir_open_file(dfd, "log", O_RDONLY, &fd), -ELOOP);
	CHECK_INT(mkfifoat(dfd, "fifo", 0600), 0);
	CHECK_INT(cachedir_open_file(dfd, "fifo", O_RDONLY, &fd), -EINVAL);
	CHECK_INT(cachedir_open_file(dfd, "new", O_WRONLY | O_CREAT | O_APPEND, &fd), 0);
	close(fd);
	CHECK_INT(stat(victim, &st), 0);
	CHECK_INT(st.st_size, 4);
	close(dfd);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(root))
		return 1;
	test_judge();
	test_open();
	test_files();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
	return check_done("cachedir");
}
