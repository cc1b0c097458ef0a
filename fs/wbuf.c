/*
 * The write buffer of wbuf.h. Capacity grows by doubling so a file written in
 * many small pieces costs amortized O(1) a byte; the cap is checked before any
 * allocation so a runaway writer gets EFBIG, never an unbounded heap.
 */
#include "fs/wbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void wbuf_init(struct wbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void wbuf_cleanup(struct wbuf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Makes room for need bytes. */
static int wbuf_reserve(struct wbuf *b, size_t need)
{
	size_t cap;
	char *p;

	if (need > b->max)
		return -EFBIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int wbuf_set(struct wbuf *b, const void *p, size_t n)
{
	int r = wbuf_reserve(b, n);

	if (r)
		return r;
	if (n)
		memcpy(b->data, p, n);
	b->len = n;
	return 0;
}

int wbuf_write(struct wbuf *b, off_t off, const void *p, size_t n)
{
	size_t end;
	int r;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off > b->max || n > b->max - (size_t)off)
		return -EFBIG;
	end = (size_t)off + n;
	r = wbuf_reserve(b, end);
	if (r)
		return r;
	if ((size_t)off > b->len)
		memset(b->data + b->len, 0, (size_t)off - b->len);
	if (n)
		memcpy(b->data + off, p, n);
	if (end > b->len)
		b->len = end;
	return 0;
}

int wbuf_truncate(struct wbuf *b, off_t size)
{
	int r;

	if (size < 0)
		return -EINVAL;
	if ((size_t)size > b->max)
		return -EFBIG;
	if ((size_t)size <= b->len) {
		b->len = (size_t)size;
		return 0;
	}
	r = wbuf_reserve(b, (size_t)size);
	if (r)
		return r;
	memset(b->data + b->len, 0, (size_t)size - b->len);
	b->len = (size_t)size;
	return 0;
}

size_t wbuf_read(const struct wbuf *b, off_t off, size_t size, const char **out)
{
	if (off < 0 || (size_t)off >= b->len) {
		*out = NULL;
		return 0;
	}
	if (size > b->len - (size_t)off)
		size = b->len - (size_t)off;
	*out = b->data + off;
	return size;
}
