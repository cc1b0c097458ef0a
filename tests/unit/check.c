/* The unit-test harness: counts checks, prints failures as they happen. */
#include "check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

void check_record(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
}

int check_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}

struct check_file check_load(const char *name)
{
	struct check_file f = {NULL, 0};
	char path[256];
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "data/%s", name);
	fp = fopen(path, "rb");
	CHECK(fp != NULL);
	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		if (fp)
			fclose(fp);
		f.data = calloc(1, 1);
		return f;
	}
	f.data = calloc(1, (size_t)n + 1);
	f.len = fread(f.data, 1, (size_t)n, fp);
	fclose(fp);
	return f;
}

void check_rm_tree(const char *path)
{
	char p[512];
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (unlink(p) < 0)
			check_rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

void check_write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}
