/*
 * Unit tests for fs/progress.c: the progress line's text for each stage and
 * count, cut to the terminal's width (one column short) and to the buffer, and
 * a descriptor that is not a terminal drawing nothing.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fs/progress.h"

struct format_case {
	struct load_progress lp;
	long long ms;
	unsigned width;
	size_t cap;
	const char *want;
};

static const struct format_case cases[] = {
	{{"ListRoles", 0, 0},
	 250,
	 0,
	 160,
	 "iamfs: loading the account: 0 roles, 0 pages, 0.2s (ListRoles)"},
	{{"GetAccountAuthorizationDetails", 5000, 5},
	 4321,
	 200,
	 160,
	 "iamfs: loading the account: 5000 roles, 5 pages, 4.3s (GetAccountAuthorizationDetails)"},
	{{NULL, 0, 0}, 0, 0, 160, "iamfs: loading the account: 0 roles, 0 pages, 0.0s (starting)"},
	{{"the per-role scan", 12, 0},
	 61999,
	 0,
	 160,
	 "iamfs: loading the account: 12 roles, 0 pages, 61.9s (the per-role scan)"},
	/* An 80-column terminal gets 79 columns. */
	{{"GetAccountAuthorizationDetails", 123456, 124},
	 12345,
	 80,
	 160,
	 "iamfs: loading the account: 123456 roles, 124 pages, 12.3s (GetAccountAuthoriza"},
	{{"GetPolicy", 1, 1},
	 0,
	 1,
	 160,
	 "iamfs: loading the account: 1 roles, 1 pages, 0.0s (GetPolicy)"},
	/* The buffer caps it too. */
	{{"GetPolicy", 1, 1}, 0, 0, 13, "iamfs: loadi"},
};

static void test_format(void)
{
	char out[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct format_case *c = &cases[i];
		size_t n = progress_format(&c->lp, c->ms, c->width, out, c->cap);

		CHECK_STR(out, c->want);
		CHECK_INT(n, strlen(c->want));
	}
	CHECK_INT(progress_format(&cases[0].lp, 0, 0, out, 0), 0);
}

/* A pipe is not a terminal: nothing is drawn or erased. */
static void test_not_a_terminal(void)
{
	struct load_progress lp = {"ListRoles", 3, 1};
	struct progress p;
	char buf[64];
	int fds[2];

	CHECK(pipe(fds) == 0);
	CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	progress_init(&p, fds[1]);
	CHECK_INT(p.fd, -1);
	progress_on_load(&p, &lp);
	progress_end(&p);
	progress_on_load(&p, &lp);
	CHECK(read(fds[0], buf, sizeof(buf)) < 0);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	test_format();
	test_not_a_terminal();
	return check_done("progress");
}
