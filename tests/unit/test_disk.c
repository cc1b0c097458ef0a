/* Unit tests for the disk copy: a round trip in a temporary folder keeps bytes,
 * mtimes, gens, sharing and managed documents; modes are 0700/0600; corrupt,
 * truncated, tampered and old-format (JSON) files are refused with a reason; the
 * index maps (profile, endpoint) to a folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/disk.h"
#include "cache/model.h"
#include "check.h"
#include "offline.h"

static char root[256];

static struct cache_view *make_view(void)
{
	static const char odd[] = "{\n    \"q\": \"\\\"\\u0001 caf\303\251 \\\\ /\"\n}\n";

	return offline_sample_view(odd);
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static bool same_doc(const struct cache_doc *a, const struct cache_doc *b)
{
	return a && b && model_doc_same(a, b) && a->mtime == b->mtime;
}

static void test_round_trip(void)
{
	char folder[512], path[600], why[512] = "";
	struct cache_view *v = make_view(), *r = NULL;
	struct disk_managed m[1], *rm = NULL;
	struct disk_meta meta = {"123456789012", "arn:aws:iam::123456789012:user/me", 1234};
	struct disk_meta rmeta = {0};
	size_t nrm = 0, i;
	const struct cache_role *z;

	m[0].arn = OFFLINE_RO;
	m[0].doc = model_doc_new("{\n    \"RO\": true\n}\n", 18, 400);
	snprintf(folder, sizeof(folder), "%s/cache/123456789012-abc", root);
	CHECK_INT(disk_read(folder, &r, &rm, &nrm, &rmeta, why, sizeof(why)), -ENOENT);
	CHECK_INT(disk_write(folder, v, m, 1, &meta), 0);
	CHECK_INT(mode_of(folder), 0700);
	snprintf(path, sizeof(path), "%s/cache", root);
	CHECK_INT(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/view.json", folder);
	CHECK_INT(mode_of(path), 0600);
	/* A second write replaces the file (atomically, no temp file left). */
	CHECK_INT(disk_write(folder, v, m, 1, &meta), 0);
	snprintf(path, sizeof(path), "%s/.view.json.tmp.%ld", folder, (long)getpid());
	CHECK(access(path, F_OK) != 0);
	CHECK_INT(disk_read(folder, &r, &rm, &nrm, &rmeta, why, sizeof(why)), 0);
	if (!r)
		goto out;
	CHECK_STR(rmeta.account, "123456789012");
	CHECK_STR(rmeta.caller_arn, "arn:aws:iam::123456789012:user/me");
	CHECK_INT(rmeta.last_load, 1234);
	CHECK_INT(r->nroles, 2);
	for (i = 0; i < 2 && i < r->nroles; i++) {
		const struct cache_role *a = &v->roles[i], *b = &r->roles[i];
		size_t j;

		CHECK_STR(b->name, a->name);
		CHECK_INT(b->mtime, a->mtime);
		CHECK(same_doc(a->trust, b->trust));
		CHECK(same_doc(a->role_json, b->role_json));
		CHECK_INT(b->ninl, a->ninl);
		for (j = 0; j < a->ninl && j < b->ninl; j++) {
			CHECK_STR(b->inl[j].name, a->inl[j].name);
			CHECK(same_doc(a->inl[j].doc, b->inl[j].doc));
		}
		CHECK_INT(b->natt, a->natt);
		for (j = 0; j < a->natt && j < b->natt; j++) {
			CHECK_STR(b->att[j].name, a->att[j].name);
			CHECK_STR(b->att[j].arn, a->att[j].arn);
			CHECK(b->att[j].aws_managed == a->att[j].aws_managed);
			CHECK(a->att[j].aws_managed ? !b->att[j].doc
						    : same_doc(a->att[j].doc, b->att[j].doc));
		}
	}
	z = cache_view_find(r, "zeta");
	CHECK(z && cache_role_find_attached(z, "Shared")->doc ==
			   cache_role_find_attached(cache_view_find(r, "alpha"), "Shared")->doc);
	CHECK_INT(nrm, 1);
	if (nrm == 1) {
		CHECK_STR(rm[0].arn, OFFLINE_RO);
		CHECK(same_doc(rm[0].doc, m[0].doc));
	}
out:
	cache_view_put(r);
	disk_managed_free(rm, nrm);
	disk_meta_cleanup(&rmeta);
	cache_doc_unref(m[0].doc);
	cache_view_put(v);
}

/* Documents read from the disk copy point into its mapping: they outlive
 * disk_read and a later rewrite of the copy (replaced by rename, the mapped file
 * stays as it was), and the mapping goes with the last of them. */
static void test_read_keeps_mapping(void)
{
	char folder[512], why[512] = "";
	struct cache_view *v = make_view(), *r = NULL;
	struct disk_meta meta = {"1", "a", 1}, rmeta = {0};
	struct disk_managed *rm = NULL;
	struct cache_doc *keep;
	size_t nrm = 0;

	snprintf(folder, sizeof(folder), "%s/map", root);
	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	CHECK_INT(disk_read(folder, &r, &rm, &nrm, &rmeta, why, sizeof(why)), 0);
	if (!r) {
		cache_view_put(v);
		return;
	}
	CHECK_INT(offline_mapped(folder), 1);
	keep = cache_view_find(r, "zeta")->trust;
	cache_doc_ref(keep);
	CHECK(keep->backing != NULL);
	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0); /* a new file renamed over */
	cache_view_put(r);
	disk_managed_free(rm, nrm);
	disk_meta_cleanup(&rmeta);
	CHECK_INT(offline_mapped(folder), 1);
	CHECK(model_doc_same(keep, cache_view_find(v, "zeta")->trust));
	CHECK(keep->bytes[keep->len] == '\0');
	cache_doc_unref(keep);
	CHECK_INT(offline_mapped(folder), 0);
	cache_view_put(v);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Writes the good copy of make_view, then damages byte at (from the end when
 * negative) or cuts the file to len bytes. */
static void damage(const char *folder, long at, long cut)
{
	struct cache_view *v = make_view();
	struct disk_meta meta = {"1", "a", 1};
	char path[600];
	struct stat st;
	int fd;

	CHECK_INT(disk_write(folder, v, NULL, 0, &meta), 0);
	cache_view_put(v);
	snprintf(path, sizeof(path), "%s/view.json", folder);
	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		CHECK(false);
		return;
	}
	if (cut >= 0) {
		CHECK_INT(ftruncate(fd, cut), 0);
	} else {
		unsigned char c = 0;
		off_t off = at < 0 ? st.st_size + at : at;

		CHECK_INT(pread(fd, &c, 1, off), 1);
		c ^= 0x20;
		CHECK_INT(pwrite(fd, &c, 1, off), 1);
	}
	close(fd);
}

static void test_bad_files(void)
{
	static const struct {
		const char *text;
		const char *why;
		size_t len; /* 0: strlen(text) */
	} cases[] = {
		{"{\"format\":\"iamfs", "not JSON", 0},
		{"", "not JSON", 0},
		{"{\"format\":\"iamfs-cache-0\",\"roles\":[]}", "unknown format (iamfs-cache-0)",
		 0},
		/* Format 1 (JSON) is old: ignored, the next load refetches. */
		{"{\"format\":\"iamfs-cache-1\",\"account\":\"1\",\"caller_arn\":\"a\","
		 "\"last_load\":1,\"roles\":[],\"policies\":[],\"managed\":[]}",
		 "unknown format (iamfs-cache-1)", 0},
		{"[1,2]", "unknown format (none)", 0},
		{"iamfs-cache-9\n\0\0xxxxxxxxxxxxxxxx", "unknown format (none)", 32},
		{"iamfs-cache-2\n\0\0xxxxxxx", "truncated", 23},
	};
	static const struct {
		long at, cut;
		const char *why;
	} hurts[] = {
		{-1, 40, "truncated"},	       /* cut inside the body */
		{-1, 20, "truncated"},	       /* cut inside the header */
		{-3, -1, "checksum mismatch"}, /* a byte of the last document */
		{40, -1, "checksum mismatch"}, /* a byte near the start of the body */
		{20, -1, "truncated"},	       /* the body length */
		{26, -1, "checksum mismatch"}, /* the checksum itself */
	};
	char folder[512], path[600], why[512];
	size_t i;

	snprintf(folder, sizeof(folder), "%s/bad", root);
	CHECK_INT(cachedir_mkdirs(folder), 0);
	snprintf(path, sizeof(path), "%s/view.json", folder);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]) + sizeof(hurts) / sizeof(hurts[0]); i++) {
		struct cache_view *v = NULL;
		struct disk_managed *m = NULL;
		struct disk_meta meta = {0};
		size_t nm = 0, nc = sizeof(cases) / sizeof(cases[0]);
		const char *want = i < nc ? cases[i].why : hurts[i - nc].why;

		why[0] = '\0';
		if (i < nc && cases[i].len) {
			FILE *f = fopen(path, "w");

			if (f) {
				fwrite(cases[i].text, 1, cases[i].len, f);
				fclose(f);
			}
		} else if (i < nc) {
			put_file(path, cases[i].text);
		} else {
			damage(folder, hurts[i - nc].at, hurts[i - nc].cut);
		}
		CHECK_INT(disk_read(folder, &v, &m, &nm, &meta, why, sizeof(why)), -EINVAL);
		CHECK(v == NULL && m == NULL && meta.account == NULL);
		if (!strstr(why, want))
			fprintf(stderr, "case %zu: want \"%s\" in \"%s\"\n", i, want, why);
		CHECK(strstr(why, want) != NULL);
		CHECK(strstr(why, "view.json") != NULL);
	}
}

static void put_le(unsigned char *p, unsigned long long v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes path as a well-formed file (header, length, checksum) around body. */
static void put_body(const char *path, const unsigned char *body, size_t len)
{
	unsigned char head[DISK_HEAD_LEN] = {0};
	FILE *f = fopen(path, "w");

	memcpy(head, DISK_FORMAT "\n", sizeof(DISK_FORMAT));
	put_le(head + DISK_MAGIC_LEN, len, 8);
	put_le(head + DISK_MAGIC_LEN + 8, disk_checksum(body, len), 8);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(fwrite(head, 1, sizeof(head), f), sizeof(head));
	CHECK_INT(fwrite(body, 1, len, f), len);
	fclose(f);
}

/* Appends a little-endian number of n bytes, or a length-prefixed string. */
static unsigned char *add_le(unsigned char *p, unsigned long long v, int n)
{
	put_le(p, v, n);
	return p + n;
}

static unsigned char *add_str(unsigned char *p, const char *s)
{
	size_t n = strlen(s) + 1;

	p = add_le(p, n - 1, 4);
	memcpy(p, s, n);
	return p + n;
}

/* A document: present, mtime, gen, bytes. */
static unsigned char *add_doc(unsigned char *p, const char *s)
{
	p = add_le(p, 1, 1);
	p = add_le(p, 0, 8);
	p = add_le(p, 0, 8);
	return add_str(p, s);
}

/* A body whose checksum is right but whose counts claim more entries than it
 * has bytes for is refused as corrupt, without allocating for the claim (found
 * by fuzz_disk: a role's inline count of 4 billion asked calloc for 64 GB). */
static void test_huge_counts(void)
{
	unsigned char body[256], *p = body;
	char folder[512], path[600], why[512] = "";
	struct cache_view *v = NULL;
	struct disk_managed *m = NULL;
	struct disk_meta meta = {0};
	size_t nm = 0;

	p = add_str(p, "1");	       /* account */
	p = add_str(p, "a");	       /* caller */
	p = add_le(p, 1, 8);	       /* last load */
	p = add_le(p, 0, 4);	       /* no customer managed policies */
	p = add_le(p, 0, 4);	       /* no AWS managed documents */
	p = add_le(p, 1, 4);	       /* one role: */
	p = add_str(p, "r");	       /* its name */
	p = add_le(p, 1, 8);	       /* its mtime */
	p = add_doc(p, "{}");	       /* trust.json */
	p = add_doc(p, "{}");	       /* role.json */
	p = add_le(p, 0xffffffffu, 4); /* "4 billion inline policies" */
	snprintf(folder, sizeof(folder), "%s/huge", root);
	CHECK_INT(cachedir_mkdirs(folder), 0);
	snprintf(path, sizeof(path), "%s/view.json", folder);
	put_body(path, body, (size_t)(p - body));
	CHECK_INT(disk_read(folder, &v, &m, &nm, &meta, why, sizeof(why)), -EINVAL);
	CHECK(v == NULL && m == NULL && meta.account == NULL);
	CHECK(strstr(why, "bad or missing fields") != NULL);
}

static void test_index(void)
{
	char dir[512], *f = NULL, path[600];

	snprintf(dir, sizeof(dir), "%s/idx", root);
	CHECK_INT(disk_index_lookup(dir, "default", "http://127.0.0.1:5000/", &f), -ENOENT);
	CHECK_INT(disk_index_store(dir, "default", "http://127.0.0.1:5000/", "111-aa"), 0);
	CHECK_INT(disk_index_store(dir, "prod", "https://iam.amazonaws.com/", "222-bb"), 0);
	CHECK_INT(disk_index_store(dir, "default", "http://127.0.0.1:5000/", "333-cc"), 0);
	CHECK_INT(disk_index_store(dir, "x", "y", "../evil"), -EINVAL);
	CHECK_INT(disk_index_lookup(dir, "default", "http://127.0.0.1:5000/", &f), 0);
	CHECK_STR(f, "333-cc");
	free(f);
	f = NULL;
	CHECK_INT(disk_index_lookup(dir, "prod", "https://iam.amazonaws.com/", &f), 0);
	CHECK_STR(f, "222-bb");
	free(f);
	f = NULL;
	CHECK_INT(disk_index_lookup(dir, "prod", "http://127.0.0.1:5000/", &f), -ENOENT);
	snprintf(path, sizeof(path), "%s/index.json", dir);
	CHECK_INT(mode_of(path), 0600);
	/* A corrupt index is ignored, then rewritten. */
	put_file(path, "{\"format\":\"iamfs-index-1\",\"entries\":[{\"profile\":\"p\",\"endpo");
	CHECK_INT(disk_index_lookup(dir, "prod", "https://iam.amazonaws.com/", &f), -ENOENT);
	CHECK_INT(disk_index_store(dir, "p", "e", "f"), 0);
	CHECK_INT(disk_index_lookup(dir, "p", "e", &f), 0);
	CHECK_STR(f, "f");
	free(f);
}

static void cleanup(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/iamfs-test-disk-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip();
	test_read_keeps_mapping();
	test_huge_counts();
	test_bad_files();
	test_index();
	cleanup();
	return check_done("disk");
}
