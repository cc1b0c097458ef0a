/*
 * The daemon's log, the only place iamfs writes diagnostics: syslog when
 * daemonized, stderr with -f. Set up once in main before any thread starts;
 * after that the functions are thread-safe. Callers never pass secrets.
 */
#ifndef IAMFS_FS_LOG_H
#define IAMFS_FS_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* to_stderr: -f; debug: also emit LOG_DEBUG lines. Call before threads start. */
void log_open(bool to_stderr, bool debug);
void log_close(void);
/* priority is a syslog level (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The cache's log hook (struct cache_options.log); ctx unused. */
void log_cache_hook(void *ctx, int priority, const char *msg);

#endif
