/*
 * A growable byte buffer with a hard cap, edited the way a file is: write at an
 * offset (a hole reads as zeros) and truncate to a size. Holds the bytes of a
 * policy file open for writing and of editor helper files. Pure: no I/O, no
 * clock, no globals; a zeroed struct is an empty buffer.
 */
#ifndef IAMFS_FS_WBUF_H
#define IAMFS_FS_WBUF_H

#include <stddef.h>
#include <sys/types.h>

struct wbuf {
	char *data; /* malloc'ed, or NULL when empty */
	size_t len;
	size_t cap; /* allocated */
	size_t max; /* hard cap on len */
};

/* An empty buffer whose length may never pass max. */
void wbuf_init(struct wbuf *b, size_t max);
/* Frees the bytes and leaves an empty buffer (max kept). NULL-safe. */
void wbuf_cleanup(struct wbuf *b);
/* Replaces the content with a copy of n bytes. 0, -EFBIG past max, -ENOMEM. */
int wbuf_set(struct wbuf *b, const void *p, size_t n);
/* Writes n bytes at off, growing the buffer (zeros fill a hole). 0, -EINVAL for a
 * negative offset, -EFBIG past max, -ENOMEM. */
int wbuf_write(struct wbuf *b, off_t off, const void *p, size_t n);
/* Sets the length to size: shorter drops the tail, longer adds zeros. */
int wbuf_truncate(struct wbuf *b, off_t size);
/* The bytes readable at off: *out points into the buffer (valid until the next
 * edit); returns how many, at most size (0 at or past the end). */
size_t wbuf_read(const struct wbuf *b, off_t off, size_t size, const char **out);

#endif
