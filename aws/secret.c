/*
 * Secrets in OpenSSL's secure heap (see secret.h): a well-kept allocator that
 * already mlocks, marks its pages MADV_DONTDUMP and clears on free.
 */
#include "aws/secret.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <openssl/crypto.h>

#define SECRET_MIN_BLOCK 32

int secret_harden(void)
{
	int rc = 0;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		rc = -errno;
	/* 1: set up; 2: set up but not locked in memory (RLIMIT_MEMLOCK); 0: failed. */
	if (!CRYPTO_secure_malloc_initialized() &&
	    !CRYPTO_secure_malloc_init(SECRET_HEAP_SIZE, SECRET_MIN_BLOCK) && !rc)
		rc = -ENOMEM;
	return rc;
}

char *secret_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = CRYPTO_secure_malloc_initialized() ? OPENSSL_secure_malloc(len + 1) : NULL;

	/* A full secure heap falls back to ordinary memory: still wiped when freed. */
	if (!p)
		p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *secret_strdup(const char *s)
{
	return secret_strndup(s, strlen(s));
}
