/*
 * test_load_faults.c - `walidata load` stopped midway against a real PostgreSQL (tests/with-pg
 * exports WALIDATA_TEST_DB): a run killed in COPY, in publish or before COMMIT, an append run
 * killed in its COPY, an upsert killed where it falls back to INSERT ... ON CONFLICT, and a run
 * whose connection is cut, each leaving the warehouse as it was and the file loadable after;
 * an upsert that reads its file twice and keeps its rejects once.
 *
 * Each test makes its own database (wd_<test>) and runs the walidata binary as a process. The
 * kill tests fork and exec it themselves with WALIDATA_FAULT set, which makes it SIGSTOP
 * itself at a named point; the test then kills it with SIGKILL, or cuts its connection and
 * lets it go on.
 */
#include "loadutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* A placement file of n valid rows (IDs GEN-00001...); returns its path (caller frees). */
static char *placement_file(const char *name, int n)
{
    return placement_range(name, 1, n, "4.500.000,00");
}

/* ---- running a load that stops itself (WALIDATA_FAULT) ---- */

/* Starts walidata ARGS in the background with WALIDATA_FAULT=fault, not waiting for it. */
static void spawn_fault(struct stopped_load *s, const struct warehouse *w, const char *fault,
                        const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, fault, arg, ap);
    va_end(ap);
}

static void kill_stopped(struct stopped_load *s)
{
    assert_int_equal(kill(s->pid, SIGKILL), 0);
    int st;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    child_reaped(s->pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
}

/* Waits until no walidata session is connected to the test's database (its backend has
 * noticed the client is gone and rolled back). */
static void wait_no_walidata_session(const char *db)
{
    for (int i = 0; i < 1000; i++) { /* 10 s */
        char *n = sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'walidata' AND datname = current_database()");
        bool none = strcmp(n, "0") == 0;
        free(n);
        if (none)
            return;
        tu_sleep_ms(10);
    }
    fail_msg("a walidata session is still connected 10 s after its process ended");
}

/* ---- all or nothing ---- */

/* What the warehouse holds, to compare before and after a run that must leave no trace. */
static char *warehouse_state(const char *db)
{
    return sql(db, "SELECT concat_ws(' | ', (SELECT md5(string_agg(t::text, E'\\n' ORDER BY "
                   "id_penempatan)) FROM walidata.penempatan_tenaga_kerja t), (SELECT "
                   "string_agg(concat_ws(',', run_id, state, rows_published), ';' ORDER BY "
                   "run_id) FROM etl.run), (SELECT count(*) FROM etl.source_item), (SELECT "
                   "count(*) FROM etl.reject), (SELECT count(*) FROM etl.quality), (SELECT "
                   "count(*) FROM etl.lineage))");
}

static void test_load_killed_midway_leaves_nothing(void **state)
{
    (void)state;
    static const char *const points[] = {"stop-in-copy", "stop-in-publish", "stop-before-commit"};
    struct warehouse w;
    warehouse_open(&w, "wd_load_killed", NULL, true);
    load_bekasi(&w);
    char *gen = placement_file("penempatan_gen_3000.csv", 3000);
    char sha[65];
    tu_file_sha256(gen, sha);
    char *before = warehouse_state(w.db);

    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        struct stopped_load s;
        start_stopped(&s, &w, points[i], "load", "--mapping", "penempatan_tenaga_kerja",
                      "--arrived", BEKASI_ARRIVED, gen, NULL);
        kill_stopped(&s);
        wait_no_walidata_session(w.db);
        char *after = warehouse_state(w.db);
        if (strcmp(after, before) != 0)
            fail_msg("killed at %s: the warehouse changed:\n  before %s\n  after  %s", points[i],
                     before, after);
        free(after);
        assert_sql(w.db, "0", "SELECT count(*) FROM etl.run WHERE state = 'running'");
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM etl.source_item WHERE sha256 = "
                   "decode('%s', 'hex')",
                   sha);
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
                   "id_penempatan LIKE 'GEN-%%'");
    }

    /* the same file then loads normally */
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, gen, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "into walidata.penempatan_tenaga_kerja: 3000 rows (0 of 3000 "
                              "rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "3058 3000",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE id_penempatan "
               "LIKE 'GEN-%%') FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "published 3000 t",
               "SELECT concat_ws(' ', r.state, r.rows_published, s.published) FROM etl.run r "
               "JOIN etl.source_item s USING (run_id) WHERE s.sha256 = decode('%s', 'hex')",
               sha);
    assert_sql(w.db, "2 2", "SELECT count(*) || ' ' || max(chain_seq) FROM etl.run");
    free(before);
    free(gen);
    warehouse_close(&w);
}

/* An upsert tries a plain INSERT first and falls back to INSERT ... ON CONFLICT at the first
 * key already there. A file whose first 2000 keys are new and whose last 1000 are already
 * published meets that key after inserting 2000 rows: killed right there, nothing is left;
 * let go, every key holds the new file's row exactly once. */
static void test_load_upsert_new_then_known_keys(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_upsert_fallback", NULL, true);
    char *old = placement_range("penempatan_gen_1_1000.csv", 1, 1000, "4.500.000,00");
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, old, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 1 into walidata.penempatan_tenaga_kerja: 1000 "
                              "rows");
    tu_result_free(&r);
    char *mixed = placement_range("penempatan_gen_3000_1.csv", 3000, 1, "5.250.000,00");
    char *before = warehouse_state(w.db);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-upsert-fallback", "load", "--mapping",
                  "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, mixed, NULL);
    kill_stopped(&s);
    wait_no_walidata_session(w.db);
    char *after = warehouse_state(w.db);
    assert_string_equal(after, before);
    free(after);

    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, mixed,
           NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "into walidata.penempatan_tenaga_kerja: 3000 rows (0 of 3000 "
                              "rejected)");
    tu_result_free(&r);
    /* one row per key, all of the second run, all with its wage */
    assert_sql(w.db, "3000 3000 3000 3000",
               "SELECT concat_ws(' ', count(*), count(DISTINCT id_penempatan), count(*) FILTER "
               "(WHERE _run_id = 3), count(*) FILTER (WHERE upah = 5250000)) FROM "
               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "published 3000",
               "SELECT concat_ws(' ', state, rows_published) FROM etl.run WHERE run_id = 3");

    /* and a file of new keys only takes the plain INSERT: the fault point is never reached */
    char *fresh = placement_range("penempatan_gen_3001_3500.csv", 3001, 3500, "4.500.000,00");
    struct stopped_load t;
    spawn_fault(&t, &w, "stop-in-upsert-fallback", "load", "--mapping", "penempatan_tenaga_kerja",
          "--arrived", BEKASI_ARRIVED, fresh, NULL);
    assert_int_equal(wait_exit(&t, 60000), 0);
    assert_sql(w.db, "3500 500",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 4) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(before);
    free(old);
    free(mixed);
    free(fresh);
    warehouse_close(&w);
}

/* An upsert from a file COPYs into the table itself until it meets a key the table holds,
 * then reads the file again into the staging table: the second reading must not count or
 * keep the first one's rejects again. */
static void test_load_upsert_read_twice_keeps_rejects_once(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_upsert_twice", NULL, true);
    char *old = placement_range("penempatan_gen_1_1000b.csv", 1, 1000, "4.500.000,00");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              old);
    /* 1500 new keys first, then the 1000 old ones, then 20 rows of an unknown province */
    char *mixed = placement_range("penempatan_gen_2500_1.csv", 2500, 1, "5.250.000,00");
    FILE *f = fopen(mixed, "a");
    assert_non_null(f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%d;BAD-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;99;3275;85154;7214.03;"
                   "PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                2501 + i, i);
    assert_int_equal(fclose(f), 0);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, mixed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 2 into walidata.penempatan_tenaga_kerja: 2500 rows "
                              "(20 of 2520 rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "2520 20 2500 20 20",
               "SELECT concat_ws(' ', rows_read, rows_rejected, rows_published, "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 2), "
               "(SELECT count(DISTINCT row_number) FROM etl.reject WHERE run_id = 2)) "
               "FROM etl.run WHERE run_id = 2");
    assert_sql(w.db, "2500 2500 2500",
               "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE _run_id = 2), "
               "count(*) FILTER (WHERE upah = 5250000)) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja "
                          "WHERE id_penempatan LIKE 'BAD-%%'");

    /* old keys first, in a file large enough that the COPY's failure usually arrives while
     * the file is still being read (the first reading stops there): the same counts */
    char *late = placement_range("penempatan_gen_1_40000.csv", 1, 40000, "6.000.000,00");
    f = fopen(late, "a");
    assert_non_null(f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%d;BAD-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;99;3275;85154;7214.03;"
                   "PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                40001 + i, i);
    assert_int_equal(fclose(f), 0);
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              late);
    assert_sql(w.db, "40020 20 40000 20",
               "SELECT concat_ws(' ', rows_read, rows_rejected, rows_published, "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 3)) FROM etl.run "
               "WHERE run_id = 3");
    assert_sql(w.db, "40000 40000",
               "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE _run_id = 3 AND "
               "upah = 6000000)) FROM walidata.penempatan_tenaga_kerja");

    /* the same 40020 rows again: the content's hash usually arrives while they stream, and
     * the run stops there; either way a duplicate, with nothing of its reading kept */
    struct tu_result d = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, late, NULL);
    assert_status(d, 0);
    tu_assert_contains(d.out, "not loaded (run 4): the same content was published by run 3");
    tu_result_free(&d);
    assert_sql(w.db, "duplicate 3 0 0",
               "SELECT concat_ws(' ', state, duplicate_of, coalesce(rows_read, 0), "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 4)) FROM etl.run "
               "WHERE run_id = 4");
    assert_sql(w.db, "40000 0",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 4) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(late);
    free(old);
    free(mixed);
    warehouse_close(&w);
}

/* An append-mode dataset COPYs into the table itself: killed after more than a megabyte of
 * rows reached the server, the table must still show none of them. */
static void test_load_killed_in_append_copy(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_killed_append", UJI_MAPPINGS, true);
    size_t rows = 1500, width = 1500;
    size_t cap = rows * (width + 16) + 32, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "id,teks\n");
    for (size_t i = 1; i <= rows; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "A%05zu,", i);
        memset(buf + len, 'a' + (int)(i % 26), width);
        len += width;
        buf[len++] = '\n';
    }
    char *file = tu_write("uji_append_besar.csv", buf, len);
    free(buf);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-copy", "load", "--mapping", "uji_append", file, NULL);
    kill_stopped(&s);
    wait_no_walidata_session(w.db);
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.uji_append");
    assert_sql(w.db, "0", "SELECT count(*) FROM etl.run");

    wd_expect(&w, 0, "load", "--mapping", "uji_append", file);
    assert_sql(w.db, "1500 1500 1",
               "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || "
               "count(DISTINCT _run_id) FROM walidata.uji_append");
    free(file);
    warehouse_close(&w);
}

static void test_load_connection_lost(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_connection_lost", NULL, true);
    load_bekasi(&w);
    char *gen = placement_file("penempatan_gen_2000.csv", 2000);
    char *before = warehouse_state(w.db);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-copy", "load", "--mapping", "penempatan_tenaga_kerja",
                  "--arrived", BEKASI_ARRIVED, gen, NULL);
    assert_sql(w.db, "1",
               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
               "application_name = 'walidata' AND datname = current_database()");
    wait_no_walidata_session(w.db);
    int status = continue_stopped(&s);
    char *out = tu_read(s.out, NULL), *err = tu_read(s.err, NULL);
    if (status != 3)
        fail_msg("exit status %d after the connection was cut, expected 3\nstdout: %s\nstderr: %s",
                 status, out, err);
    assert_null(strstr(err, "Sanitizer"));
    tu_assert_contains(err, "walidata: database error:");
    tu_assert_contains(err, "The run was rolled back: nothing of");
    assert_null(strstr(out, "published as run"));
    char *after = warehouse_state(w.db);
    assert_string_equal(after, before);
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
               "id_penempatan LIKE 'GEN-%%'");
    free(after);
    free(out);
    free(err);
    free(before);
    free(gen);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_killed_midway_leaves_nothing, kill_children),
        cmocka_unit_test_teardown(test_load_upsert_new_then_known_keys, kill_children),
        cmocka_unit_test(test_load_upsert_read_twice_keeps_rejects_once),
        cmocka_unit_test_teardown(test_load_killed_in_append_copy, kill_children),
        cmocka_unit_test_teardown(test_load_connection_lost, kill_children),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
