/*
 * log.h - the daemon's log: one line per event, naming the job, run and file it is about.
 *
 * Lines go to stderr. Under systemd (JOURNAL_STREAM set) each line starts with its syslog
 * priority (<3> error ... <7> debug) so journald files it at the right level; otherwise
 * with a UTC timestamp and the level's name. Lines below the configured level are dropped.
 * A line is written with one call, so lines from worker threads do not interleave.
 */
#ifndef WD_LOG_H
#define WD_LOG_H

#include <stdint.h>

enum wd_log_level { WD_LOG_ERROR, WD_LOG_WARNING, WD_LOG_NOTICE, WD_LOG_INFO, WD_LOG_DEBUG };

/* Sets the threshold from a config value (debug, info, notice, warning, error). */
void wd_log_set_level(const char *name);

/* Logs a line: job, file may be NULL; run 0 when there is none. */
void wd_log(enum wd_log_level level, const char *job, int64_t run, const char *file,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
