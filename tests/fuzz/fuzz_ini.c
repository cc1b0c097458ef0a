/*
 * The shared config and credentials files (aws/ini.c), then the look-ups the
 * credential chain makes on what parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ini_file f;
	int bad = 0;
	char *x = malloc(size ? size : 1);

	if (!x)
		return 0;
	memcpy(x, data, size); /* exactly size bytes: an overread is caught */
	ini_init(&f);
	if (!ini_parse(&f, x, size, &bad)) {
		ini_get(&f, "default", "aws_access_key_id");
		ini_get(&f, "profile dev", "ROLE_ARN");
		ini_has_section(&f, "default");
		ini_config_section(&f, "default");
		ini_config_section(&f, "dev");
		if (f.nsections)
			ini_config_section(&f, f.sections[f.nsections - 1]);
		if (f.n)
			ini_get(&f, f.v[0].section, f.v[0].key);
	}
	ini_cleanup(&f);
	free(x);
	return 0;
}
