/*
 * test_daemon_signals.c - `walidata daemon` stopped by signals, as a process against a real
 * PostgreSQL (tests/with-pg exports WALIDATA_TEST_DB):
 *
 *  1. SIGTERM during a long run: exit 0 soon after shutdown_timeout, nothing published, the
 *     file still in the inbox;
 *  2. kill -9 during a run (WALIDATA_FAULT=stop-in-copy), then a restart: loaded once;
 *  3. the loop closes cleanly on SIGTERM (exit 0, no "did not close cleanly"), with nothing
 *     done and after a run.
 *
 * (Closing cleanly after the LISTEN connection was lost: test_daemon_jobs.c.)
 *
 * Each test has its own database (wd_daemon_<test>) and folders, and starts the walidata binary
 * (WALIDATA_BIN) with fork and exec, its stdout and stderr going to a log file that the test
 * reads for the daemon's one line per event (and prints when an assertion fails); daemonutil.c
 * holds these helpers. The teardown kills whatever daemon a failed test left running.
 * WALIDATA_TEST_FILTER=pattern runs only the tests whose names match.
 */
#include "daemonutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ---- the daemon as a process ---- */

static void daemon_kill(struct daemon_proc *d)
{
    assert_int_equal(kill(d->pid, SIGKILL), 0);
    int st;
    while (waitpid(d->pid, &st, 0) < 0 && errno == EINTR)
        ;
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    d->ended = true;
    d->status = 128 + SIGKILL;
    procs_forget(d);
}

/* The process state letter of /proc/PID/stat ('T' when stopped), or 0. */
static char proc_state(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *stat = tu_read(path, NULL);
    if (!stat)
        return 0;
    const char *p = strrchr(stat, ')');
    char c = p && p[1] == ' ' ? p[2] : 0;
    free(stat);
    return c;
}

/* Waits until no walidata connection to the test's database is left (the backends of a
 * killed daemon have noticed and rolled back). */
static void wait_no_session(const char *db)
{
    wait_sql(db, 10000, "0",
             "SELECT count(*) FROM pg_stat_activity WHERE datname = "
             "current_database() AND application_name LIKE 'walidata%%'");
}

/* ---- 1. SIGTERM during a long run ---- */

static void test_daemon_sigterm_during_run(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "sigterm", 1, 1, 2);
    char *dir = job_add(&s, "besar", "disnaker_jabar", NULL);
    size_t len;
    char *data = placement_rows("TRM", 300000, &len);
    /* paced, so that the run outlasts the 1 s drain on any machine (3 s at least) */
    struct daemon_proc *d = daemon_start(&s, "slow-rows");
    wait_log(d, "job=besar job penempatan_tenaga_kerja", 1, 10000);
    put_file(dir, "penempatan_besar.csv", data, len);
    wait_log(d, "run started", 1, 15000);
    /* the rows are streaming into the warehouse */
    wait_sql(s.db, 20000, "1",
             "SELECT count(*) FROM pg_stat_activity WHERE datname = "
             "current_database() AND application_name = 'walidata' AND "
             "state = 'active' AND query LIKE 'COPY%%'");
    long ms;
    int status = daemon_term(d, 30000, &ms);
    print_message("SIGTERM during a run of 300000 rows: exit %d after %ld ms "
                  "(shutdown_timeout 1 s)\n",
                  status, ms);
    char *log = log_text(d);
    if (status != 0 || ms > 1000 + 4000)
        fail_logs("after SIGTERM: exit status %d after %ld ms; expected 0 within 5 s", status, ms);
    tu_assert_contains(log, "SIGTERM: taking no new work");
    tu_assert_contains(log, "runs still going after 1 s; cancelling them");
    tu_assert_contains(log, "stopped (runs cancelled)");
    assert_null(strstr(log, "did not close cleanly"));
    procs_forget(d);
    /* nothing of it published or left half-done; the file waits in the inbox as it came */
    wait_no_session(s.db);
    assert_sql(s.db, "0 0",
               "SELECT count(*) FILTER (WHERE state IN ('published', 'running')) "
               "|| ' ' || count(*) FROM etl.run");
    assert_sql(s.db, "0", "SELECT count(*) FROM " TABLE);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.source_item");
    char *backoff = sql(s.db, "SELECT concat_ws(' ', failures, retry_at > now()) FROM etl.job");
    print_message("the job after its run was cancelled: failures and backoff \"%s\"\n", backoff);
    free(backoff);
    char *path = path_join(dir, "penempatan_besar.csv");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, (off_t)len);
    char *archived = archive_path(&s, "disnaker_jabar", "penempatan_besar.csv");
    assert_false(exists(archived));
    char *receipt = outbox_path(&s, "disnaker_jabar", "penempatan_besar.csv", ".receipt.json");
    assert_false(exists(receipt));
    free(receipt);
    free(archived);
    free(path);
    free(log);
    free(data);
    free(dir);
    site_close(&s);
}

/* ---- 2. kill -9 during a run, then a restart ---- */

static void test_daemon_killed_then_restarted(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "killed", 1, 5, 2);
    char *dir = job_add(&s, "jateng", "disnaker_jateng", NULL);
    size_t len;
    char *data = placement_rows("KIL", 3000, &len);
    char sha[65];
    sha256_hex(data, len, sha);
    struct daemon_proc *d = daemon_start(&s, "stop-in-copy");
    wait_log(d, "job=jateng job penempatan_tenaga_kerja", 1, 10000);
    put_file(dir, "penempatan_kill.csv", data, len);
    /* the run stops the daemon after its 1000th row */
    long t0 = now_ms();
    while (proc_state(d->pid) != 'T') {
        if (daemon_ended(d) || now_ms() - t0 > 20000)
            fail_logs("the daemon with WALIDATA_FAULT=stop-in-copy did not stop (ended: %d)",
                      d->ended);
        tu_sleep_ms(5);
    }
    char *log = log_text(d);
    tu_assert_contains(log, "run started");
    free(log);
    daemon_kill(d);
    wait_no_session(s.db);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.run");
    assert_sql(s.db, "0", "SELECT count(*) FROM " TABLE);
    char *path = path_join(dir, "penempatan_kill.csv");
    assert_true(exists(path));

    /* restarted without the fault: loaded once */
    struct daemon_proc *again = daemon_start(&s, NULL);
    wait_sql(s.db, 20000, "penempatan_kill.csv:published:3000", RUNS_OF_JOB, "jateng");
    wait_log(again, "moved to", 1, 5000);
    tu_sleep_ms(2000); /* two more rescans */
    assert_sql(s.db, "1 3000 3000 3000",
               "SELECT count(*) || ' ' || sum(rows_read) || ' ' || "
               "sum(rows_valid) || ' ' || sum(rows_published) FROM "
               "etl.run");
    assert_sql(s.db, "3000 3000 1",
               "SELECT count(*) || ' ' || count(DISTINCT id_penempatan) || "
               "' ' || count(DISTINCT _run_id) FROM " TABLE);
    assert_sql(s.db, sha, "SELECT encode(sha256, 'hex') FROM etl.source_item");
    assert_false(exists(path));
    assert_archived(&s, "disnaker_jateng", "penempatan_kill.csv", data, len);
    assert_receipt(&s, "disnaker_jateng", "penempatan_kill.csv", sha, 3000, 3000, 0);
    daemon_stop(again);
    free(path);
    free(data);
    free(dir);
    site_close(&s);
}

/* ---- 3. the loop closes cleanly ---- */

static void test_daemon_closes_cleanly(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "clean", 1, 5, 2);
    char *dir = job_add(&s, "ntb", "disnaker_ntb", NULL);

    /* started and stopped with nothing to do */
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    tu_sleep_ms(1500);
    daemon_stop(d);
    char *log = log_text(d);
    tu_assert_contains(log, "SIGTERM: taking no new work");
    assert_null(strstr(log, "runs cancelled"));
    free(log);

    /* after a run */
    struct daemon_proc *e = daemon_start(&s, NULL);
    wait_log(e, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    size_t len;
    char *data = bekasi_variant(NULL, &len);
    put_file(dir, BEKASI_NAME, data, len);
    wait_sql(s.db, 10000, BEKASI_NAME ":published:58", RUNS_OF_JOB, "ntb");
    wait_log(e, "moved to", 1, 5000);
    daemon_stop(e);
    free(data);
    free(dir);
    site_close(&s);
}

int main(void)
{
    tu_on_failure = dump_logs; /* a failed query or status shows what the daemons logged */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_daemon_sigterm_during_run, teardown),
        cmocka_unit_test_teardown(test_daemon_killed_then_restarted, teardown),
        cmocka_unit_test_teardown(test_daemon_closes_cleanly, teardown),
    };
    /* WALIDATA_TEST_FILTER=test_daemon_closes* runs the tests whose names match */
    const char *filter = getenv("WALIDATA_TEST_FILTER");
    if (filter && filter[0])
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
