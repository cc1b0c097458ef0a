/*
 * Unit tests for the ISO 8601 parser: the forms IAM and STS send (a "Z" zone,
 * fractional seconds, numeric offsets) and the texts it must refuse rather than
 * read as 1970: missing zones, trailing text, out-of-range fields, NULL.
 */
#include <errno.h>

#include "aws/iso8601.h"
#include "check.h"

#define T0    1893456000LL /* 2030-01-01T00:00:00Z */
#define T1    1704164645LL /* 2024-01-02T03:04:05Z */
#define UNSET -42LL	   /* what a refused parse leaves in *out */

static void test_accepted(void)
{
	static const struct {
		const char *s;
		long long want;
	} cases[] = {
		{"2026-12-03T06:27:15Z", 1796279235LL},
		{"2024-01-02T03:04:05Z", T1},
		{"2024-01-02T03:04:05.123Z", T1},
		{"2024-01-02T03:04:05.123456Z", T1},
		{"2024-01-02T03:04:05+00:00", T1},
		{"2024-01-02T03:04:05.810989+00:00", T1},
		{"2024-01-02T05:04:05+02:00", T1},
		{"2024-01-01T22:04:05-05:00", T1},
		{"2030-01-01T00:00:00Z", T0},
		{"2030-01-01T01:02:03.456Z", T0 + 3723},
		{"2030-01-01T01:00:00+01:00", T0},
		{"2030-01-01T00:00:00-0130", T0 + 5400},
		{"2029-12-31 23:59:59Z", T0 - 1},
		{"2030-01-01t00:00:00z", T0},
		{"1970-01-01T00:00:00Z", 0},
		{"2024-02-29T00:00:00Z", 1709164800LL}, /* a leap day */
		{"2000-02-29T00:00:00Z", 951782400LL},	/* a century that is a leap year */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long got = UNSET;

		CHECK_INT(iso8601_parse(cases[i].s, &got), 0);
		CHECK_INT(got, cases[i].want);
	}
}

static void test_refused(void)
{
	static const char *const cases[] = {
		"",
		"garbage",
		"2030-01-01T00:00:00",	     /* no zone */
		"2030-01-01",		     /* no time */
		"2030-13-01T00:00:00Z",	     /* month */
		"2030-01-32T00:00:00Z",	     /* day */
		"2024-02-30T00:00:00Z",	     /* day past the month's end */
		"2023-02-29T00:00:00Z",	     /* not a leap year */
		"2100-02-29T00:00:00Z",	     /* a century that is not a leap year */
		"2030-04-31T00:00:00Z",	     /* April has 30 days */
		"2030-01-01T24:00:00Z",	     /* hour */
		"2030-01-01T00:60:00Z",	     /* minute */
		"2030-01-01T00:00Z",	     /* no seconds */
		"2030-01-01T00:00:00.Z",     /* empty fraction */
		"2030-01-01T00:00:00Zjunk",  /* trailing text */
		"2030-01-01T00:00:00+0100x", /* trailing text after an offset */
		"2030-01-01T00:00:00+24:00", /* offset hour */
		"2030-01-01T00:00:00+01",    /* short offset */
		"30-01-01T00:00:00Z",	     /* short year */
		"2030/01/01T00:00:00Z",	     /* separators */
		"2030-01-01X00:00:00Z",	     /* date-time separator */
		" 2030-01-01T00:00:00Z",     /* leading space */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long got = UNSET;

		CHECK_INT(iso8601_parse(cases[i], &got), -EINVAL);
		CHECK_INT(got, UNSET);
	}
	CHECK_INT(iso8601_parse(NULL, &(long long){0}), -EINVAL);
}

int main(void)
{
	test_accepted();
	test_refused();
	return check_done("iso8601");
}
