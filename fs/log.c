/*
 * syslog or stderr logging. The two settings are written once by log_open
 * before threads start and only read afterwards; each stderr line is written
 * with one call so lines from different threads do not interleave.
 */
#include "fs/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

static bool log_to_stderr = true;
static bool log_debug;

void log_open(bool to_stderr, bool debug)
{
	log_to_stderr = to_stderr;
	log_debug = debug;
	if (!to_stderr)
		openlog("iamfs", LOG_PID, LOG_DAEMON);
}

void log_close(void)
{
	if (!log_to_stderr)
		closelog();
}

static const char *log_level_name(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void log_write(int priority, const char *msg)
{
	char line[LOG_LINE_MAX + 64];
	struct timespec ts;
	struct tm tm;
	int n;

	if (priority >= LOG_DEBUG && !log_debug)
		return;
	if (!log_to_stderr) {
		syslog(priority, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "iamfs %04d-%02d-%02dT%02d:%02d:%02dZ %s: %s\n",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     log_level_name(priority), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void log_msg(int priority, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(priority, msg);
}

void log_cache_hook(void *ctx, int priority, const char *msg)
{
	log_write(priority, msg);
}
