/* The unit-test harness: counts checks, prints failures as they happen. */
#include "check.h"

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
