/* Shared by the credentials and client tests: an injected environment, clock and
 * sleep for a struct creds_env (getenv = fakeenv_getenv, now = fakeenv_now, ctx =
 * the struct fakeenv) and a query_config (sleep_ms = fakeenv_sleep). */
#ifndef IAMFS_TESTS_FAKEENV_H
#define IAMFS_TESTS_FAKEENV_H

#define FAKEENV_VARS 32
#define FAKEENV_TEXT 320

struct fakeenv {
	const char *vars[FAKEENV_VARS];	       /* "NAME=value", up to the first NULL; borrowed */
	char text[FAKEENV_VARS][FAKEENV_TEXT]; /* what fakeenv_set wrote */
	long long now;			       /* what fakeenv_now answers */
	int slept;			       /* calls of fakeenv_sleep */
};

/* The value of name in the struct fakeenv ctx (a pointer into its vars), or NULL. */
const char *fakeenv_getenv(void *ctx, const char *name);

/* The now of the struct fakeenv ctx. */
long long fakeenv_now(void *ctx);

/* Counts the call in the struct fakeenv ctx; sleeps not at all. */
void fakeenv_sleep(void *ctx, long ms);

/* Formats "NAME=value" into e->text[i] (cut at FAKEENV_TEXT - 1 bytes) and points
 * e->vars[i] at it; i < FAKEENV_VARS. */
void fakeenv_set(struct fakeenv *e, int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
