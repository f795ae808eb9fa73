/*
 * test_load_concurrent.c - two `walidata load` runs at once against a real PostgreSQL
 * (tests/with-pg exports WALIDATA_TEST_DB): the same content twice, published once, the second
 * run a duplicate; two replaces of the same period, of a dataset without a key and of one with
 * a key, the one that commits last holding the period alone; two upserts of the same keys in
 * opposite orders, whose deadlock PostgreSQL breaks and walidata answers by running the
 * rolled-back one again.
 *
 * Each test makes its own database (wd_<test>). The first run is forked and exec'd with
 * WALIDATA_FAULT=stop-in-publish, which makes it SIGSTOP itself before its COMMIT; the second
 * is started meanwhile, and once it waits for a lock (or has ended) the first is let go on.
 */
#include "loadutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define PHI_2023 "tests/samples/perselisihan_hubungan_industrial/phi_2023_ditjen_phi_jamsos.csv"

/* ---- two runs at once ---- */

/* Starts walidata ARGS in the background (NULL-terminated). */
static void spawn(struct stopped_load *s, const struct warehouse *w, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, NULL, arg, ap);
    va_end(ap);
}

/* Whether a process started by spawn has ended (reaping it; *status gets its status). */
static bool has_ended(struct stopped_load *s, int *status)
{
    int st;
    if (waitpid(s->pid, &st, WNOHANG) != s->pid)
        return false;
    child_reaped(s->pid);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
}

/* Waits until a walidata session of the test's database waits for a lock (true), or the
 * process s has ended (false, *status set); fails after 10 s. */
static bool wait_for_lock_or_end(const char *db, struct stopped_load *s, int *status)
{
    for (int i = 0; i < 1000; i++) {
        if (has_ended(s, status))
            return false;
        char *n = sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'walidata' AND datname = current_database() AND wait_event_type = "
                          "'Lock'");
        bool waiting = strcmp(n, "0") != 0;
        free(n);
        if (waiting)
            return true;
        tu_sleep_ms(10);
    }
    fail_msg("the second load neither ended nor waited for a lock within 10 s");
    return false;
}

/* Two loads of the same content at once: the second waits for the first and is a duplicate. */
static void test_load_concurrent_same_content_once(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_concurrent_same", NULL, true);
    struct stopped_load a, b;
    start_stopped(&a, &w, "stop-in-publish", "load", "--mapping", "penempatan_tenaga_kerja",
                  "--arrived", BEKASI_ARRIVED, BEKASI, NULL);
    spawn(&b, &w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
          BEKASI, NULL);
    int status;
    assert_true(wait_for_lock_or_end(w.db, &b, &status));
    assert_int_equal(continue_stopped(&a), 0);
    status = wait_exit(&b, 30000);
    char *out = tu_read(b.out, NULL);
    if (status != 0)
        fail_msg("the second load: exit %d: %s", status, out);
    tu_assert_contains(out, "not loaded (run 2): the same content was published by run 1");
    free(out);
    assert_sql(w.db, "1 published,2 duplicate",
               "SELECT string_agg(run_id || ' ' || state, ',' "
               "ORDER BY run_id) FROM etl.run");
    assert_sql(w.db, "58 58",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 1) "
               "FROM walidata.penempatan_tenaga_kerja");
    warehouse_close(&w);
}

/* A replace of a period while another replace of the same period is under way: serially, the
 * one that commits last holds the period, alone. Run A stops after its DELETE and INSERT; run B
 * is started meanwhile; then A commits and B finishes. */
static void concurrent_replace(const char *dbname, const char *mapping, const char *arrived,
                               const char *file_a, const char *file_b, const char *period_where,
                               long long rows)
{
    struct warehouse w;
    warehouse_open(&w, dbname, NULL, true);
    struct stopped_load a, b;
    start_stopped(&a, &w, "stop-in-publish", "load", "--mapping", mapping, "--arrived", arrived,
                  file_a, NULL);
    spawn(&b, &w, "load", "--mapping", mapping, "--arrived", arrived, file_b, NULL);
    int status = -1;
    bool ended = !wait_for_lock_or_end(w.db, &b, &status);
    assert_int_equal(continue_stopped(&a), 0);
    if (!ended)
        status = wait_exit(&b, 30000);
    char *out = tu_read(b.out, NULL), *err = tu_read(b.err, NULL);
    if (status != 0)
        fail_msg("the second replace of the period failed: exit %d\nstdout: %s\nstderr: %s", status,
                 out, err);
    free(out);
    free(err);
    char want[64];
    snprintf(want, sizeof(want), "%lld 1", rows);
    assert_sql(w.db, want,
               "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM walidata.%s "
               "WHERE %s",
               mapping, period_where);
    warehouse_close(&w);
}

static void test_load_concurrent_replace_without_key(void **state)
{
    (void)state;
    size_t len;
    char *data = tu_read(PHI_2023, &len);
    replace_all(data, len, "2023;3;2;32;28;352", "2023;3;2;33;28;352");
    char *other = tu_write("phi_2023_koreksi.csv", data, len);
    free(data);
    concurrent_replace("wd_load_concurrent_replace", "perselisihan_hubungan_industrial",
                       "2024-03-01", PHI_2023, other, "tahun = 2023", 55);
    free(other);
}

static void test_load_concurrent_replace_with_key(void **state)
{
    (void)state;
    size_t len;
    char *data = tu_read(UMP_2024, &len);
    replace_all(data, len, "31 November 2023", "30 November 2023");
    char *first = tu_write("ump_2024_koreksi_1.csv", data, len);
    replace_all(data, len, ";3.454.850,00;", ";3.460.000,00;");
    char *second = tu_write("ump_2024_koreksi_2.csv", data, len);
    free(data);
    concurrent_replace("wd_load_concurrent_replace_key", "upah_minimum_provinsi", UMP_ARRIVED,
                       first, second, "tahun = 2024", 38);
    free(first);
    free(second);
}

/* Two upserts of the same 3 000 keys at once, one in ascending order and one in descending:
 * each comes to wait for a key the other has inserted, a deadlock PostgreSQL breaks by
 * rolling one back (after deadlock_timeout, 1 s). That run is run again from the start and
 * publishes as well: both exit 0, one on its second attempt, and the table holds the values
 * of one file whole, from the run that committed last. */
static void test_load_concurrent_upserts_deadlock_run_again(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_concurrent_deadlock", NULL, true);
    char *up = placement_range("penempatan_naik.csv", 1, 3000, "4.500.000,00");
    char *down = placement_range("penempatan_turun.csv", 3000, 1, "5.100.000,00");
    struct stopped_load a, b;
    /* A stops where its COPY was cut for the content check (at row 1024, or a later
     * multiple), the keys it sent so far inserted: B, going down, comes to wait for one */
    start_stopped(&a, &w, "stop-after-content-check", "load", "--mapping",
                  "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, up, NULL);
    spawn(&b, &w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
          down, NULL);
    int status_b = -1;
    if (!wait_for_lock_or_end(w.db, &b, &status_b))
        fail_msg("the descending load ended (exit %d) without waiting for a key of the "
                 "ascending one", status_b);
    int status_a = continue_stopped(&a);
    status_b = wait_exit(&b, 30000);
    char *out_a = tu_read(a.out, NULL), *err_a = tu_read(a.err, NULL);
    char *out_b = tu_read(b.out, NULL), *err_b = tu_read(b.err, NULL);
    if (status_a != 0 || status_b != 0)
        fail_msg("ascending: exit %d\n%s%s\ndescending: exit %d\n%s%s", status_a, out_a, err_a,
                 status_b, out_b, err_b);
    /* attempt 2, or 3 should the retry meet the other run's last keys once more */
    const char *again = "back for a conflict (deadlock or serialization failure) with another "
                        "run of penempatan_tenaga_kerja.";
    int runs_again = (strstr(out_a, "Published on attempt ") && strstr(out_a, again)) +
                     (strstr(out_b, "Published on attempt ") && strstr(out_b, again));
    if (runs_again != 1)
        fail_msg("%d of the loads say they ran again, expected 1\nascending: %s\ndescending: %s",
                 runs_again, out_a, out_b);
    /* the rolled-back attempt left no run behind */
    assert_sql(w.db, "published,published",
               "SELECT string_agg(state, ',' ORDER BY run_id) FROM etl.run");
    assert_sql(w.db, "3000 1 1",
               "SELECT count(*) || ' ' || count(DISTINCT upah) || ' ' || count(DISTINCT _run_id) "
               "FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "t",
               "SELECT max(_run_id) = (SELECT max(run_id) FROM etl.run) "
               "FROM walidata.penempatan_tenaga_kerja");
    free(out_a);
    free(err_a);
    free(out_b);
    free(err_b);
    free(up);
    free(down);
    warehouse_close(&w);
}

/* A run rolled back for a deadlock every time (a trigger raises 40P01, as a deadlock would)
 * is tried three times, then refused with PostgreSQL's message and what to do, the warehouse
 * as it was. */
static void test_load_deadlock_every_time_gives_up(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_deadlock_gives_up", NULL, true);
    free(sql(w.db, "CREATE FUNCTION public.uji_buntu() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'uji: buntu' USING ERRCODE = '40P01'; END $$; "
                   "CREATE TRIGGER uji_buntu BEFORE INSERT ON walidata.penempatan_tenaga_kerja "
                   "FOR EACH STATEMENT EXECUTE FUNCTION public.uji_buntu(); SELECT 1"));
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 3);
    tu_assert_contains(r.err, "walidata: database error: uji: buntu");
    tu_assert_contains(r.err, "The load was run 3 times and rolled back the same way each time: "
                              "another run is writing the same keys of penempatan_tenaga_kerja. "
                              "Load the files one after the other.");
    tu_result_free(&r);
    assert_sql(w.db, "0 0",
               "SELECT (SELECT count(*) FROM etl.run) || ' ' || "
               "(SELECT count(*) FROM walidata.penempatan_tenaga_kerja)");
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_concurrent_same_content_once, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_replace_without_key, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_replace_with_key, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_upserts_deadlock_run_again, kill_children),
        cmocka_unit_test(test_load_deadlock_every_time_gives_up),
    };
    /* WD_TEST_FILTER=test_load_concurrent_replace* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
