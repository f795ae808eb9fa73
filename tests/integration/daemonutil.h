/*
 * daemonutil.h - what the integration tests of `walidata daemon` share (test_daemon_files.c,
 * test_daemon_signals.c, test_daemon_jobs.c): a site (a fresh warehouse, its drop, archive,
 * failed and outbox folders, and a config naming them), the files a unit drops, the daemon as a
 * process whose log the tests wait on, waiting for a query's value, the receipt and archive of
 * an accepted file, and the teardown. Implemented in daemonutil.c, linked into every test.
 *
 * Each test program sets tu_on_failure to dump_logs, so that a failed query or status shows
 * what the daemons logged.
 */
#ifndef WD_DAEMONUTIL_H
#define WD_DAEMONUTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dbassert.h"

#define BEKASI_NAME "penempatan_2025-08_kota_bekasi.csv"
#define TABLE "walidata.penempatan_tenaga_kerja"
/* every drop folder of these tests is <inbox>/<unit>/penempatan */
#define DATASET_DIR "penempatan"

/* ---- time ---- */

/* The monotonic clock, in milliseconds. */
long now_ms(void);
/* The wall clock, in seconds. */
double wall_now(void);

/* ---- files ---- */

/* dir/name (new string; caller frees). */
char *path_join(const char *dir, const char *name);
/* Writes a whole file at once (a unit's upload that is complete when it appears). */
void put_file(const char *dir, const char *name, const char *data, size_t len);
/* A whole file (new string; caller frees); fails the test when it cannot be read. */
char *read_file(const char *path, size_t *len);
/* Whether path exists (a symlink counts, whatever it points to). */
bool exists(const char *path);
/* The SHA-256 of len bytes, as 64 hex digits and a NUL. */
void sha256_hex(const char *data, size_t len, char hex[65]);
/* The Bekasi sample (60 rows: 58 valid, 2 rejected) with its IDs' prefix "BKS2508-" replaced
 * by prefix (8 characters), so that the content differs. */
char *bekasi_variant(const char *prefix, size_t *len);
/* A placement extract of n valid rows with IDs <prefix>-000001...; *len gets its size. */
char *placement_rows(const char *prefix, int n, size_t *len);

/* ---- the warehouse and its folders ---- */

struct site {
    char *db, *cfg; /* the test's database (conninfo) and a config naming it and the folders */
    char *root, *inbox, *archive, *failed, *outbox;
};

/* Runs a command of the site that must exit with status (and without a sanitizer report). */
void site_expect_at(const char *file, int line, const struct site *s, int status, const char *arg,
                    ...);
#define site_expect(s, status, ...)                                                                \
    site_expect_at(__FILE__, __LINE__, (s), (status), __VA_ARGS__, NULL)

/* A fresh database, migrated, with the codes imported, and empty folders under
 * <tmp>/<name>: settle_seconds 1, log_level debug, and the other numbers given. */
void site_open(struct site *s, const char *name, int rescan, int shutdown_timeout, int workers);
/* Frees what site_open allocated (the database and the folders stay). */
void site_close(struct site *s);

/* Adds job name for <inbox>/<unit>/penempatan (made here); schedule NULL for @watch. Returns
 * the folder (caller frees). */
char *job_add(const struct site *s, const char *name, const char *unit, const char *schedule);

/* archive/<unit>/penempatan/YYYY/MM/<name> as the daemon names it today (new string; caller
 * frees). */
char *archive_path(const struct site *s, const char *unit, const char *name);
/* outbox/<unit>/<name><suffix> (new string; caller frees). */
char *outbox_path(const struct site *s, const char *unit, const char *name, const char *suffix);

/* ---- the daemon as a process ---- */

struct daemon_proc {
    pid_t pid;
    char log[PATH_MAX];
    double forked; /* wall-clock time of its fork */
    bool used, ended;
    int status; /* when ended: exit status, or 128 + signal */
};

/* Set while a test has the test cluster stopped: the teardown starts it again. */
extern bool cluster_stopped;

/* Forgets a daemon that has ended or been killed: the teardown and dump_logs skip it. */
void procs_forget(struct daemon_proc *d);

/* Prints the last lines of every daemon's log, for a failure's message. */
void dump_logs(void);

#define fail_logs(...)                                                                             \
    do {                                                                                           \
        dump_logs();                                                                               \
        fail_msg(__VA_ARGS__);                                                                     \
    } while (0)

/* The daemon's log so far (new string; caller frees). */
char *log_text(const struct daemon_proc *d);
/* How many times needle occurs in text. */
int count_in(const char *text, const char *needle);
/* How many times needle occurs in the daemon's log. */
int log_count(const struct daemon_proc *d, const char *needle);

/* Whether the daemon has ended (reaping it). */
bool daemon_ended(struct daemon_proc *d);

/* Waits until needle occurs at least n times in the daemon's log; returns the milliseconds
 * waited. Fails when the daemon ends first or after timeout_ms. */
long wait_log_at(const char *file, int line, struct daemon_proc *d, const char *needle, int n,
                 long timeout_ms);
#define wait_log(d, needle, n, timeout_ms)                                                         \
    wait_log_at(__FILE__, __LINE__, (d), (needle), (n), (timeout_ms))

/* Starts `walidata --config CFG daemon`, with WALIDATA_FAULT=fault unless NULL, and waits
 * for its first line. */
struct daemon_proc *daemon_start(const struct site *s, const char *fault);

/* Sends SIGTERM and waits for the daemon to end; returns its status, *ms the time it took.
 * Fails (killing it) after timeout_ms. */
int daemon_term(struct daemon_proc *d, long timeout_ms, long *ms);

/* SIGTERM with nothing running: exit status 0 within 10 s, the loop closed cleanly. */
void daemon_stop_at(const char *file, int line, struct daemon_proc *d);
#define daemon_stop(d) daemon_stop_at(__FILE__, __LINE__, (d))

/* ---- the warehouse, queried ---- */

/* Waits until a formatted query's first value is expected; returns the milliseconds waited,
 * fails after timeout_ms showing the last value and the daemons' logs. */
long wait_sql_at(const char *file, int line, const char *db, long timeout_ms, const char *expected,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define wait_sql(db, timeout_ms, expected, ...)                                                    \
    wait_sql_at(__FILE__, __LINE__, (db), (timeout_ms), (expected), __VA_ARGS__)

/* Each run of a job as name:state:rows_published, by file name. */
#define RUNS_OF_JOB                                                                                \
    "SELECT coalesce(string_agg(s.name || ':' || r.state || ':' || "                               \
    "coalesce(r.rows_published, 0), ',' ORDER BY s.name, r.run_id), '') FROM etl.run r "           \
    "JOIN etl.source_item s USING (run_id) WHERE r.job = '%s'"

/* The receipt of an accepted file: its run, counts and SHA-256 as the warehouse has them. */
void assert_receipt(const struct site *s, const char *unit, const char *name, const char *sha,
                    long long rows, long long valid, long long rejected);

/* The file is in the archive, gzip-compressed, holding exactly content. */
void assert_archived(const struct site *s, const char *unit, const char *name, const char *content,
                     size_t len);

/* ---- teardown ---- */

/* The test cluster's folder (WALIDATA_TEST_CLUSTER, or build/pg-test) and port
 * (WALIDATA_PG_PORT, or 54328). */
void cluster_paths(char *dir, size_t cap, const char **port);
/* Runs tests/pg-cluster verb (start or stop) on the test cluster, as tests/with-pg starts it;
 * returns its exit status. */
int cluster_ctl(const char *verb);
/* The teardown of every daemon test: kills the daemons a test left running, and starts the
 * test cluster again when a test left it stopped. Returns 0, or -1 when it could not. */
int teardown(void **state);

#endif
