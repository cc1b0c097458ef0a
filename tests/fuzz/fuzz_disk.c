/*
 * The disk cache reader (cache/disk.c): disk_read maps folder/view.json, so each
 * input is written to a scratch folder first. An input whose first byte is even
 * is a body: the rest gets a valid header (magic, length, checksum) so that the
 * fuzzer reaches the body's parser; an odd first byte means the rest is the
 * whole file, header included. The same bytes are also read as the index file.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/disk.h"
#include "cache/model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[128];

static void fuzz_cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/view.json", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.json", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* In memory when it can be: a file system write per input is the cost here. */
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/iamfs-fuzz-disk-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(fuzz_dir))
		abort();
	atexit(fuzz_cleanup);
	return 0;
}

static void fuzz_put_le(unsigned char *p, unsigned long long v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void fuzz_write(const char *name, const uint8_t *head, size_t hlen, const uint8_t *data,
		       size_t size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, head, hlen) != (ssize_t)hlen ||
	    write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char head[DISK_HEAD_LEN] = {0};
	struct cache_view *v = NULL;
	struct disk_managed *m = NULL;
	struct disk_meta meta = {0};
	size_t nm = 0, hlen = 0;
	char why[512], *folder = NULL;

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		memcpy(head, DISK_FORMAT "\n", sizeof(DISK_FORMAT));
		fuzz_put_le(head + DISK_MAGIC_LEN, size - 1);
		fuzz_put_le(head + DISK_MAGIC_LEN + 8, disk_checksum(data + 1, size - 1));
		hlen = sizeof(head);
	}
	fuzz_write("view.json", head, hlen, data + 1, size - 1);
	if (!disk_read(fuzz_dir, &v, &m, &nm, &meta, why, sizeof(why))) {
		cache_view_put(v);
		disk_managed_free(m, nm);
		disk_meta_cleanup(&meta);
	}
	fuzz_write("index.json", head, 0, data + 1, size - 1);
	if (!disk_index_lookup(fuzz_dir, "default", "https://iam.amazonaws.com", &folder))
		free(folder);
	return 0;
}
