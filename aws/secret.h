/*
 * Memory for secrets (secret keys, session tokens, credentials-file values) and
 * the process hardening that keeps them out of core dumps. secret_harden makes
 * the process non-dumpable (PR_SET_DUMPABLE 0: no core file, no ptrace by the
 * same uid) and sets up OpenSSL's secure heap, whose pages are locked in memory
 * where the limit allows and marked MADV_DONTDUMP. secret_strndup copies a
 * secret there (into ordinary memory before secret_harden, or when the secure
 * heap is full); buf_str_wipe_free (buf.h) wipes and frees either kind.
 */
#ifndef IAMFS_AWS_SECRET_H
#define IAMFS_AWS_SECRET_H

#include <stddef.h>

/* Bytes of the secure heap: room for every thread's copy of the credentials. */
#define SECRET_HEAP_SIZE (256u << 10)

/* Once, early in main, before credentials are read. 0 or -errno (the process
 * is non-dumpable even when the secure heap could not be set up). */
int secret_harden(void);

/* A NUL-terminated copy of the first n bytes of s (at most strlen(s)), or of all
 * of s; the caller frees it with buf_str_wipe_free. NULL on ENOMEM. */
char *secret_strndup(const char *s, size_t n);
char *secret_strdup(const char *s);

#endif
