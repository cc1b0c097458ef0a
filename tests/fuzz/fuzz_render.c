/*
 * Rendering (cache/render.c): any text to Python json.dumps(indent=4) bytes. A
 * rendering must itself render to the same bytes (the tree serves one form).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "cache/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf once, twice;
	char *x = malloc(size ? size : 1);

	if (!x)
		return 0;
	memcpy(x, data, size); /* exactly size bytes: an overread is caught */
	buf_init(&once, 0);
	buf_init(&twice, 0);
	if (!render_json(x, size, &once) && !render_json(once.data, once.len, &twice) &&
	    (once.len != twice.len || memcmp(once.data, twice.data, once.len)))
		abort(); /* rendering is not a fixed point */
	buf_cleanup(&once);
	buf_cleanup(&twice);
	free(x);
	return 0;
}
