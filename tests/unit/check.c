/* The unit-test harness: counts checks, prints failures as they happen. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

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
