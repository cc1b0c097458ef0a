/*
 * A growable byte buffer with a hard size cap. data is always NUL-terminated
 * (the NUL is not counted in len), so text can be used as a C string. Every
 * append fails with -EFBIG rather than growing past max, or -ENOMEM.
 */
#ifndef IAMFS_AWS_BUF_H
#define IAMFS_AWS_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_MAX (64u << 20)

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Embedded: buf_init sets an empty buffer capped at max bytes (0: BUF_DEFAULT_MAX);
 * buf_cleanup frees data (NULL-safe). buf_wipe also overwrites the bytes first. */
void buf_init(struct buf *b, size_t max);
void buf_cleanup(struct buf *b);
void buf_wipe(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends all that fd has left to read (EINTR retried): 0, -errno, or -EFBIG past
 * max. The bytes pass through a stack chunk that is wiped (credentials files). */
int buf_read_fd(struct buf *b, int fd);
/* Overwrites a heap string's bytes, then frees it (NULL-safe): for secrets,
 * whether from malloc or secret.h's secure heap. */
void buf_str_wipe_free(char *s);
/* Returns the malloc'ed NUL-terminated contents (caller frees) and leaves b empty.
 * Returns NULL only on allocation failure of an empty buffer. */
char *buf_steal(struct buf *b);

#endif
