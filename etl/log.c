/*
 * log.c - leveled, journald-aware log lines.
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int threshold = WD_LOG_INFO;

void wd_log_set_level(const char *name)
{
    static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
    for (int i = 0; i < 5; i++)
        if (name && strcmp(name, names[i]) == 0)
            threshold = i;
}

void wd_log(enum wd_log_level level, const char *job, int64_t run, const char *file,
            const char *fmt, ...)
{
    if ((int)level > threshold)
        return;
    static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
    static const int priority[] = {3, 4, 5, 6, 7};
    char line[2048];
    size_t n = 0;
    if (getenv("JOURNAL_STREAM")) {
        n += (size_t)snprintf(line, sizeof(line), "<%d>", priority[level]);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        n += strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%s ", names[level]);
    }
    if (job && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, "job=%s ", job);
    if (run && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, "run=%lld ", (long long)run);
    if (file && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, "file=%s ", file);
    if (n < sizeof(line)) {
        va_list ap;
        va_start(ap, fmt);
        n += (size_t)vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        va_end(ap);
    }
    if (n >= sizeof(line) - 1)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    line[n] = '\0';
    fputs(line, stderr);
}
