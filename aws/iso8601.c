/*
 * ISO 8601 timestamps to unix seconds. Every character is accounted for: the
 * fixed-width fields, one optional fraction and one zone designator, then the
 * end of the text. The calendar arithmetic is timegm's (UTC, no locale).
 */
#include "aws/iso8601.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

static bool iso8601_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly n digits at *p into *out and advances. */
static int iso8601_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!iso8601_digit((*p)[i]))
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int iso8601_expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* Parses "Z", "+HH:MM", "+HHMM" (or '-') ending the text into seconds east of UTC. */
static int iso8601_offset(const char *p, long *off)
{
	int sign, hh, mm;

	if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -EINVAL;
	sign = *p++ == '-' ? -1 : 1;
	if (iso8601_digits(&p, 2, &hh))
		return -EINVAL;
	if (*p == ':')
		p++;
	if (iso8601_digits(&p, 2, &mm) || *p || hh > 23 || mm > 59)
		return -EINVAL;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

/* Days of month mo (1-12) of year y, leap years counted (2024-02-30 is refused,
 * not read as 1 March). */
static int iso8601_month_days(int y, int mo)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

/* Reads "YYYY-MM-DD<sep>hh:mm:ss" into tm and advances past it. */
static int iso8601_fields(const char **s, struct tm *tm)
{
	int y, mo, d, h, mi, se;

	if (iso8601_digits(s, 4, &y) || iso8601_expect(s, '-') || iso8601_digits(s, 2, &mo) ||
	    iso8601_expect(s, '-') || iso8601_digits(s, 2, &d))
		return -EINVAL;
	if (**s != 'T' && **s != 't' && **s != ' ')
		return -EINVAL;
	(*s)++;
	if (iso8601_digits(s, 2, &h) || iso8601_expect(s, ':') || iso8601_digits(s, 2, &mi) ||
	    iso8601_expect(s, ':') || iso8601_digits(s, 2, &se))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > iso8601_month_days(y, mo) || h > 23 || mi > 59 ||
	    se > 60)
		return -EINVAL;
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = se;
	return 0;
}

int iso8601_parse(const char *s, long long *out)
{
	struct tm tm = {0};
	long off;
	time_t t;

	if (!s || iso8601_fields(&s, &tm))
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (!iso8601_digit(*s))
			return -EINVAL;
		while (iso8601_digit(*s))
			s++;
	}
	if (iso8601_offset(s, &off))
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (long long)t - off;
	return 0;
}
