/* Unit tests for secret memory: after secret_harden the process is not dumpable
 * and a secret copy lives in pages marked MADV_DONTDUMP ("dd" in smaps); wiping
 * frees secure and ordinary copies alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <openssl/crypto.h>

#include "aws/buf.h"
#include "aws/secret.h"
#include "check.h"

/* Whether the mapping holding p has the VmFlag "dd" (not dumped). */
static int mapped_dontdump(const void *p)
{
	unsigned long a = (unsigned long)p, lo = 0, hi = 0;
	char line[512];
	int in = 0, dd = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			dd = strstr(line, " dd") != NULL;
	}
	fclose(f);
	return dd;
}

int main(void)
{
	char *before = secret_strdup("before-harden"), *s, *t;

	CHECK(before != NULL && !strcmp(before, "before-harden"));
	CHECK(!CRYPTO_secure_allocated(before));
	CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_INT(secret_harden(), 0);
	CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_INT(secret_harden(), 0); /* twice is harmless */
	s = secret_strdup("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	t = secret_strndup("token-and-more", 5);
	CHECK(s && t);
	CHECK_STR(t, "token");
	CHECK(CRYPTO_secure_allocated(s));
	CHECK(mapped_dontdump(s));
	CHECK(!mapped_dontdump(before));
	buf_str_wipe_free(s);
	buf_str_wipe_free(t);
	buf_str_wipe_free(before);
	buf_str_wipe_free(NULL);
	return check_done("secret");
}
