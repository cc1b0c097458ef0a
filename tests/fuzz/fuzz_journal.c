/*
 * The journal reader (cache/journal.c): each input is left in a scratch
 * journal folder as the entry a daemon killed mid-save would leave, then the
 * journal is opened and listed as the next mount does.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/journal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ENTRY "00000000000000000001.entry"

static char fuzz_dir[128];
static char fuzz_entry[128];

static void fuzz_cleanup(void)
{
	char path[128];

	unlink(fuzz_entry);
	snprintf(path, sizeof(path), "%s/journal", fuzz_dir);
	rmdir(path);
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128];

	/* In memory when it can be: a file system write per input is the cost here. */
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/iamfs-fuzz-journal-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(path, sizeof(path), "%s/journal", fuzz_dir);
	if (mkdir(path, 0700))
		abort();
	snprintf(fuzz_entry, sizeof(fuzz_entry), "%s/%s", path, FUZZ_ENTRY);
	atexit(fuzz_cleanup);
	return 0;
}

/* Reads every byte the entry points at, so an entry pointing outside its file
 * is caught. */
static int fuzz_seen(void *ctx, const struct journal_entry *e)
{
	size_t *sum = ctx, i;

	*sum += strlen(e->role) + strlen(e->name) + strlen(journal_kind_name(e->kind));
	for (i = 0; i < e->len; i++)
		*sum += (unsigned char)e->bytes[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal *j = NULL;
	size_t sum = 0;
	int fd;

	fd = open(fuzz_entry, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (!journal_open(fuzz_dir, NULL, NULL, &j)) {
		journal_list(j, fuzz_seen, &sum);
		journal_close(j);
	}
	unlink(fuzz_entry);
	return 0;
}
