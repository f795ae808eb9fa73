/*
 * test_daemon_jobs.c - `walidata daemon` hearing `job` commands and keeping its warehouse
 * connection, as a process against a real PostgreSQL (tests/with-pg exports WALIDATA_TEST_DB):
 *
 *  1. `job pause` stops taking files, `job resume` takes them within 2 s, `job run` collects
 *     a cron-scheduled drop folder within 2 s (and does not override a pause);
 *  2. PostgreSQL stopped and started under a running daemon: the file that arrived meanwhile
 *     is loaded once the warehouse is back (only when WALIDATA_TEST_DB is the cluster that
 *     tests/with-pg started, WALIDATA_TEST_CLUSTER or build/pg-test on WALIDATA_PG_PORT or
 *     54328; skipped otherwise);
 *  3. the loop closes cleanly on SIGTERM right after its LISTEN connection was lost; and that
 *     connection is made again within seconds, so that `job` commands are heard.
 *
 * (Files dropped: test_daemon_files.c; signals and shutdown: test_daemon_signals.c.)
 *
 * Each test has its own database (wd_daemon_<test>) and folders, and starts the walidata binary
 * (WALIDATA_BIN) with fork and exec, its stdout and stderr going to a log file that the test
 * reads for the daemon's one line per event (and prints when an assertion fails); daemonutil.c
 * holds these helpers. The teardown kills whatever daemon a failed test left running, and starts
 * the test cluster again if test 2 stopped it. WALIDATA_TEST_FILTER=pattern runs only the tests
 * whose names match.
 */
#include "daemonutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. job pause, resume, run ---- */

static void test_daemon_pause_resume_run(void **state)
{
    (void)state;
    struct site s;
    /* no periodic rescan in this test: what happens, the commands make happen */
    site_open(&s, "commands", 3600, 5, 2);
    const char *unit = "disnaker_bekasi";
    char *dir = job_add(&s, "bekasi", unit, NULL);
    /* a drop folder collected once a year (1 January), where a file waits already */
    char *yearly = job_add(&s, "bogor-tahunan", "disnaker_bogor", "0 0 1 1 *");
    size_t waiting_len;
    char *waiting = bekasi_variant("YRL2508-", &waiting_len);
    put_file(yearly, "penempatan_yearly.csv", waiting, waiting_len);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "job=bekasi job penempatan_tenaga_kerja from dir:", 1, 10000);
    wait_log(d, "job=bogor-tahunan job penempatan_tenaga_kerja from dir:", 1, 10000);

    /* paused: a file dropped stays */
    site_expect(&s, 0, "job", "pause", "bekasi");
    tu_sleep_ms(1000);
    size_t len;
    char *data = bekasi_variant(NULL, &len);
    put_file(dir, BEKASI_NAME, data, len);
    tu_sleep_ms(3000);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.run");
    char *in_inbox = path_join(dir, BEKASI_NAME);
    assert_true(exists(in_inbox));
    assert_int_equal(log_count(d, "run started"), 0);

    /* resumed: taken within 2 s */
    site_expect(&s, 0, "job", "resume", "bekasi");
    long t0 = now_ms();
    wait_sql(s.db, 2000, BEKASI_NAME ":published:58", RUNS_OF_JOB, "bekasi");
    long took = now_ms() - t0;
    print_message("paused job: file published %ld ms after job resume\n", took);
    char sha[65];
    sha256_hex(data, len, sha);
    wait_log(d, "moved to", 1, 2000);
    assert_receipt(&s, unit, BEKASI_NAME, sha, 60, 58, 2);
    assert_false(exists(in_inbox));

    /* the yearly folder was not collected at start, and is by job run, within 2 s */
    assert_sql(s.db, "", RUNS_OF_JOB, "bogor-tahunan");
    char *yearly_file = path_join(yearly, "penempatan_yearly.csv");
    assert_true(exists(yearly_file));
    site_expect(&s, 0, "job", "run", "bogor-tahunan");
    t0 = now_ms();
    wait_sql(s.db, 2000, "penempatan_yearly.csv:published:58", RUNS_OF_JOB, "bogor-tahunan");
    print_message("job run: file published %ld ms after job run\n", now_ms() - t0);
    wait_log(d, "job=bogor-tahunan run requested", 1, 1000);
    /* the file is archived after the commit that published it: wait for that move */
    wait_log(d, "moved to", 2, 2000);
    assert_false(exists(yearly_file));
    assert_archived(&s, "disnaker_bogor", "penempatan_yearly.csv", waiting, waiting_len);
    /* the request was handled once */
    assert_sql(s.db, "", "SELECT run_requested FROM etl.job WHERE name = 'bogor-tahunan'");

    /* paused again: job run does not override the pause */
    site_expect(&s, 0, "job", "pause", "bekasi");
    tu_sleep_ms(1000);
    size_t second_len;
    char *second = bekasi_variant("BKT2508-", &second_len);
    put_file(dir, "penempatan_2025-08_kedua.csv", second, second_len);
    site_expect(&s, 0, "job", "run", "bekasi");
    tu_sleep_ms(2500);
    assert_sql(s.db, "1", "SELECT count(*) FROM etl.run WHERE job = 'bekasi'");
    char *second_path = path_join(dir, "penempatan_2025-08_kedua.csv");
    assert_true(exists(second_path));
    site_expect(&s, 0, "job", "resume", "bekasi");
    wait_sql(s.db, 2000, "2",
             "SELECT count(*) FROM etl.run WHERE job = 'bekasi' AND state = "
             "'published'");

    daemon_stop(d);
    free(second_path);
    free(second);
    free(yearly_file);
    free(in_inbox);
    free(data);
    free(waiting);
    free(yearly);
    free(dir);
    site_close(&s);
}

/* ---- 2. PostgreSQL restarted under the daemon ---- */

static void test_daemon_postgres_restarted(void **state)
{
    (void)state;
    /* only the cluster that tests/with-pg started can be stopped and started here */
    char dir[PATH_MAX], real[PATH_MAX], host[PATH_MAX + 32];
    const char *port;
    cluster_paths(dir, sizeof(dir), &port);
    const char *base = getenv("WALIDATA_TEST_DB");
    snprintf(host, sizeof(host), "host=%s/socket port=%s ", realpath(dir, real) ? real : dir, port);
    if (!base || strncmp(base, host, strlen(host)) != 0) {
        print_message("skipped: WALIDATA_TEST_DB (%s) is not the cluster %s on port %s that "
                      "this test can restart\n",
                      base ? base : "unset", dir, port);
        skip();
    }
    struct site s;
    site_open(&s, "pgrestart", 1, 5, 2);
    const char *unit = "disnaker_jatim";
    char *inbox = job_add(&s, "jatim", unit, NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=jatim job penempatan_tenaga_kerja", 1, 10000);
    /* a first file, so that the workers hold connections */
    size_t first_len, second_len;
    char *first = bekasi_variant("JT12508-", &first_len);
    char *second = bekasi_variant("JT22508-", &second_len);
    put_file(inbox, "penempatan_pertama.csv", first, first_len);
    wait_sql(s.db, 10000, "penempatan_pertama.csv:published:58", RUNS_OF_JOB, "jatim");
    wait_log(d, "moved to", 1, 5000);

    cluster_stopped = true;
    assert_int_equal(cluster_ctl("stop"), 0);
    wait_log(d, "lost the warehouse connection", 1, 10000);
    put_file(inbox, "penempatan_kedua.csv", second, second_len);
    tu_sleep_ms(3000);
    char *in_inbox = path_join(inbox, "penempatan_kedua.csv");
    assert_true(exists(in_inbox)); /* not lost while the warehouse is away */
    assert_false(daemon_ended(d));
    assert_int_equal(cluster_ctl("start"), 0);
    cluster_stopped = false;
    long t0 = now_ms();
    wait_sql(s.db, 20000, "penempatan_kedua.csv:published:58,penempatan_pertama.csv:published:58",
             RUNS_OF_JOB, "jatim");
    print_message("PostgreSQL restarted: the waiting file published %ld ms after the start\n",
                  now_ms() - t0);
    wait_log(d, "listening for job changes", 2, 10000);
    tu_sleep_ms(1500);
    assert_sql(s.db, "2 116", "SELECT count(*) || ' ' || sum(rows_published) FROM etl.run");
    assert_sql(s.db, "116 2", "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM " TABLE);
    assert_false(exists(in_inbox));
    assert_archived(&s, unit, "penempatan_kedua.csv", second, second_len);
    char sha[65];
    sha256_hex(second, second_len, sha);
    assert_receipt(&s, unit, "penempatan_kedua.csv", sha, 60, 58, 2);
    /* the job is not left backing off */
    assert_sql(s.db, "0 t", "SELECT concat_ws(' ', failures, retry_at IS NULL) FROM etl.job");
    daemon_stop(d);
    free(in_inbox);
    free(first);
    free(second);
    free(inbox);
    site_close(&s);
}

/* ---- 3. the LISTEN connection lost ---- */

/* Cuts the daemon's LISTEN connection (its backend terminated) and waits until it says so. */
static void cut_listen(const struct site *s, struct daemon_proc *d, int times)
{
    assert_sql(s->db, "1",
               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
               "datname = current_database() AND application_name = 'walidata "
               "daemon'");
    wait_log(d, "lost the warehouse connection", times, 10000);
}

/* The same right after its LISTEN connection was lost. */
static void test_daemon_closes_cleanly_after_listen_lost(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "cut", 1, 5, 2);
    char *dir = job_add(&s, "ntb", "disnaker_ntb", NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    cut_listen(&s, d, 1);
    daemon_stop(d);
    free(dir);
    site_close(&s);
}

/* After its LISTEN connection is cut, the daemon connects again and hears `job` commands
 * within seconds (not only at its 30-s resync), and still closes cleanly. */
static void test_daemon_listen_reconnects(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "relisten", 1, 5, 2);
    char *dir = job_add(&s, "ntt", "disnaker_ntt", NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=ntt job penempatan_tenaga_kerja", 1, 10000);
    cut_listen(&s, d, 1);
    long t0 = now_ms();
    wait_log(d, "listening for job changes", 2, 5000);
    print_message("LISTEN connection made again %ld ms after it was cut\n", now_ms() - t0);
    site_expect(&s, 0, "job", "run", "ntt");
    wait_log(d, "job=ntt run requested", 1, 3000);
    daemon_stop(d);
    free(dir);
    site_close(&s);
}

int main(void)
{
    tu_on_failure = dump_logs; /* a failed query or status shows what the daemons logged */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_daemon_pause_resume_run, teardown),
        cmocka_unit_test_teardown(test_daemon_postgres_restarted, teardown),
        cmocka_unit_test_teardown(test_daemon_closes_cleanly_after_listen_lost, teardown),
        cmocka_unit_test_teardown(test_daemon_listen_reconnects, teardown),
    };
    /* WALIDATA_TEST_FILTER=test_daemon_listen* runs the tests whose names match */
    const char *filter = getenv("WALIDATA_TEST_FILTER");
    if (filter && filter[0])
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
