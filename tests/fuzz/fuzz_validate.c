/*
 * Policy validation (cache/validate.c) as a save sees it: any bytes, for each
 * kind, with the default and a small budget; and the "same JSON value" test on
 * the input split at its first NUL byte (or compared with itself).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct validate_result res;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t alen = nul ? (size_t)(nul - data) : size;
	char *x = malloc(size ? size : 1);

	if (!x)
		return 0;
	memcpy(x, data, size); /* exactly size bytes: an overread is caught */
	validate_policy(VALIDATE_TRUST, "trust.json", x, size, VALIDATE_DEFAULT_BUDGET, &res);
	validate_policy(VALIDATE_INLINE, NULL, x, size, 100, &res);
	validate_policy(VALIDATE_MANAGED, "attached/P.json", x, size, VALIDATE_DEFAULT_BUDGET,
			&res);
	validate_count_size(x, size);
	if (nul)
		validate_same_value(x, alen, x + alen + 1, size - alen - 1);
	else
		validate_same_value(x, size, x, size);
	free(x);
	return 0;
}
