/*
 * attach.h: a new attached/ file closed empty, and whether its closer still holds
 * it open.
 */
#include "fs/attach.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool attach_empty(struct fs *fs, struct fs_open *o)
{
	bool empty;

	if (!o->node || o->node->kind != INODE_ATTACHED)
		return false;
	pthread_mutex_lock(&fs->open_lock);
	empty = o->writable && o->created && o->wseq == 0;
	pthread_mutex_unlock(&fs->open_lock);
	return empty;
}

/* Whether link (a /proc/PID/fd entry's target) ends with "/ROLE/attached/NAME". */
static bool attach_names(const char *link, const char *tail)
{
	size_t n = strlen(link), t = strlen(tail);

	return n > t && !strcmp(link + n - t, tail) && link[n - t - 1] == '/';
}

/* Whether thread tid's process has a descriptor open on the file tail names. */
static bool attach_still_open(pid_t tid, const char *tail)
{
	char dir[64], link[PATH_MAX + 1];
	struct dirent *de;
	bool found = false;
	ssize_t n;
	DIR *d;
	int dfd;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)tid);
	if (!(d = opendir(dir)))
		return false;
	dfd = dirfd(d);
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = attach_names(link, tail);
	}
	closedir(d);
	return found;
}

bool attach_flush_now(struct fs *fs, struct fs_open *o, pid_t tid)
{
	char tail[INODE_NAME_MAX * 2 + 32];

	if (!attach_empty(fs, o))
		return false;
	inode_path(o->node, tail, sizeof(tail));
	return !attach_still_open(tid, tail);
}
