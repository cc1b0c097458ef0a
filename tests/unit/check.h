/*
 * A minimal harness for table-driven C unit tests: CHECK records a failure
 * with file and line and goes on; check_done prints "N passed, N failed" and
 * returns the exit status for main.
 */
#ifndef IAMFS_TESTS_CHECK_H
#define IAMFS_TESTS_CHECK_H

#include <stddef.h>

#include <stdio.h>
#include <string.h>

void check_record(int ok, const char *file, int line, const char *expr);
int check_done(const char *suite);

/* A file of tests/unit/data/ read whole and NUL-terminated (the tests run in
 * tests/unit). An unreadable file is a failed check and an empty body; the caller
 * frees data. */
struct check_file {
	char *data;
	size_t len;
};
struct check_file check_load(const char *name);

/* Removes path and everything below it (a test's scratch folder); what cannot be
 * removed is left. */
void check_rm_tree(const char *path);

/* Writes text as dir/name (a test's scratch file; the folders must exist); a file
 * that cannot be made is left out. */
void check_write_file(const char *dir, const char *name, const char *text);

#define CHECK(e) check_record(!!(e), __FILE__, __LINE__, #e)
#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		int check_ok_ = check_a_ && check_b_ && !strcmp(check_a_, check_b_);               \
		if (!check_ok_)                                                                    \
			fprintf(stderr, "  got \"%s\"\n  want \"%s\"\n",                           \
				check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");   \
		check_record(check_ok_, __FILE__, __LINE__, #a " == " #b);                         \
	} while (0)
#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
		if (check_a_ != check_b_)                                                          \
			fprintf(stderr, "  got %lld want %lld\n", check_a_, check_b_);             \
		check_record(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b);              \
	} while (0)

#endif
