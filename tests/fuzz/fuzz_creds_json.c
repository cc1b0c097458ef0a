/*
 * The JSON credential documents (aws/creds_json.c): credential_process output,
 * the ECS container endpoint's and IMDS's answers, and the one ISO 8601 parser
 * (aws/iso8601.c) their timestamps go through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds_json.h"
#include "aws/iso8601.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum creds_json_kind kinds[] = {CREDS_JSON_PROCESS, CREDS_JSON_CONTAINER,
						     CREDS_JSON_IMDS};
	struct aws_creds c;
	struct aws_error err;
	long long t;
	size_t i;
	char *x = malloc(size ? size : 1), *s = malloc(size + 1);

	if (!x || !s)
		goto out;
	memcpy(x, data, size); /* exactly size bytes: an overread is caught */
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(&c, 0, sizeof(c));
		aws_error_clear(&err);
		if (!creds_json_parse(x, size, kinds[i], &c, &err))
			aws_creds_cleanup(&c);
	}
	iso8601_parse(s, &t);
out:
	free(x);
	free(s);
	return 0;
}
