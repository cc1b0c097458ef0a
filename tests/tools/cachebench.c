/*
 * Measures the disk copy at bench scale without moto: "write DIR N" builds an
 * N-role view shaped like docs/performance.md's large-document fixture (trust 150-500 B, 1-2 inline
 * policies of 1-3 KB, 2 of 50 shared customer managed policies) and writes it;
 * "read DIR" times disk_read (best and median of 7) and reports RSS per role.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/disk.h"
#include "cache/model.h"

#define BENCH_POLS 50

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long bench_status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* A JSON-looking document of about len bytes (content varies with seed). */
static struct cache_doc *bench_doc(size_t len, unsigned seed, long long mtime)
{
	char *s = malloc(len + 1);
	size_t i;
	struct cache_doc *d;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++)
		s[i] = (char)('a' + (seed * 31 + i * 7) % 26);
	s[0] = '{';
	s[len - 2] = '}';
	s[len - 1] = '\n';
	s[len] = '\0';
	d = model_doc_new(s, len, mtime);
	free(s);
	return d;
}

static struct cache_view *bench_view(unsigned n)
{
	struct cache_role *roles = calloc(n, sizeof(*roles));
	struct cache_doc *pols[BENCH_POLS];
	char name[128], arn[256];
	unsigned i, k;

	for (k = 0; k < BENCH_POLS; k++)
		pols[k] = bench_doc(1500 + k * 20, k, 1000 + k);
	for (i = 0; roles && i < n; i++) {
		struct cache_role *r = &roles[i];

		snprintf(name, sizeof(name), "bench-role-%05u", i);
		r->name = strdup(name);
		r->mtime = 1700000000 + i;
		r->trust = bench_doc(150 + i % 350, i, r->mtime);
		r->role_json = bench_doc(400 + i % 100, i + 7, r->mtime);
		for (k = 0; k < 1 + i % 2; k++) {
			snprintf(name, sizeof(name), "inline-%u", k);
			model_role_add_inline(
				r, name, bench_doc(1000 + (i * 13 + k) % 2000, i + k, r->mtime));
		}
		for (k = 0; k < 2; k++) {
			unsigned p = (i + k * 17) % BENCH_POLS;

			snprintf(arn, sizeof(arn),
				 "arn:aws:iam::123456789012:policy/bench-pol-%02u", p);
			cache_doc_ref(pols[p]);
			model_role_add_attached(r, model_arn_name(arn), arn, pols[p]);
		}
		model_role_add_attached(r, "ReadOnlyAccess",
					"arn:aws:iam::aws:policy/ReadOnlyAccess", NULL);
	}
	for (k = 0; k < BENCH_POLS; k++)
		cache_doc_unref(pols[k]);
	return roles ? model_view_new(roles, n, 1) : NULL;
}

static int bench_write(const char *dir, unsigned n)
{
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/bench", 1};
	long base = bench_status_kib("VmRSS");
	struct cache_view *v = bench_view(n);
	long built = bench_status_kib("VmRSS");
	double t0;
	int rc;

	if (!v)
		return 1;
	t0 = bench_now();
	rc = disk_write(dir, v, NULL, 0, &meta);
	printf("write: %u roles, rc %d, %.1f ms; view RSS %.2f KiB/role; peak %ld KiB\n", n, rc,
	       (bench_now() - t0) * 1e3, (double)(built - base) / n, bench_status_kib("VmHWM"));
	cache_view_put(v);
	return rc != 0;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench_read(const char *dir)
{
	double t[7], first;
	long base = bench_status_kib("VmRSS"), rss = 0;
	size_t nroles = 0;
	int i;

	for (i = 0; i < 7; i++) {
		struct cache_view *v = NULL;
		struct disk_managed *m = NULL;
		struct disk_meta meta = {0};
		size_t nm = 0;
		char why[512] = "";
		double t0 = bench_now();
		int rc = disk_read(dir, &v, &m, &nm, &meta, why, sizeof(why));

		t[i] = bench_now() - t0;
		if (rc) {
			fprintf(stderr, "disk_read: %d %s\n", rc, why);
			return 1;
		}
		malloc_trim(0);
		nroles = v->nroles;
		if (i == 0)
			rss = bench_status_kib("VmRSS") - base;
		cache_view_put(v);
		disk_managed_free(m, nm);
		disk_meta_cleanup(&meta);
	}
	first = t[0];
	qsort(t, 7, sizeof(t[0]), bench_cmp);
	printf("read: %zu roles, first %.1f ms, best %.1f ms, median %.1f ms; view RSS %.2f "
	       "KiB/role; peak %ld "
	       "KiB\n",
	       nroles, first * 1e3, t[0] * 1e3, t[3] * 1e3,
	       (double)rss / (double)(nroles ? nroles : 1), bench_status_kib("VmHWM"));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "write"))
		return bench_write(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "read"))
		return bench_read(argv[2]);
	fprintf(stderr, "usage: cachebench write DIR N | read DIR\n");
	return 2;
}
