/* The injected environment of fakeenv.h. */
#include "fakeenv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *fakeenv_getenv(void *ctx, const char *name)
{
	struct fakeenv *e = ctx;
	size_t n = strlen(name), i;

	for (i = 0; i < FAKEENV_VARS && e->vars[i]; i++)
		if (!strncmp(e->vars[i], name, n) && e->vars[i][n] == '=')
			return e->vars[i] + n + 1;
	return NULL;
}

long long fakeenv_now(void *ctx)
{
	return ((struct fakeenv *)ctx)->now;
}

void fakeenv_sleep(void *ctx, long ms)
{
	(void)ms;
	((struct fakeenv *)ctx)->slept++;
}

void fakeenv_set(struct fakeenv *e, int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->text[i], sizeof(e->text[i]), fmt, ap);
	va_end(ap);
	e->vars[i] = e->text[i];
}
