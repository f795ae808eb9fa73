/*
 * test_runs.c - the commands that show what the warehouse did, against a real PostgreSQL
 * (tests/with-pg exports WALIDATA_TEST_DB): `runs` newest first (text, JSON, OpenLineage),
 * `run show` and `rejects` of a published, a duplicate and a refused run, and `audit verify`
 * passing, then naming the first run changed behind its back.
 *
 * Each test makes its own database (wd_<test>) and runs the walidata binary as a process.
 */
#include "dbassert.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define BEKASI_NAME "penempatan_2025-08_kota_bekasi.csv"
#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"
#define UMP_2024 "tests/samples/upah_minimum_provinsi/ump_2024_ditjen_phi_jamsos.csv"
/* Arrival days that make the samples timely, so that scores do not depend on today. */
#define BEKASI_ARRIVED "2025-09-10"
#define BOGOR_ARRIVED "2025-10-06"
#define UMP_ARRIVED "2025-01-10"

/* Loads the Bekasi sample (arrived in time) and asserts it was published. */
static void load_bekasi(const struct warehouse *w)
{
    wd_expect(w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              BEKASI);
}

/* ---- runs, run show, rejects, audit verify ---- */

/* Three runs: Bekasi published (1), Bekasi again a duplicate (2), Bogor refused (3). */
static void three_runs(struct warehouse *w, const char *dbname)
{
    warehouse_open(w, dbname, NULL, true);
    load_bekasi(w);
    load_bekasi(w);
    wd_expect(w, 1, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BOGOR_ARRIVED,
              BOGOR);
}

/* The data lines of `runs` text output: each starts with the run's id. */
static size_t runs_lines(const char *out, long ids[], char states[][16], long long rows[][3],
                         size_t cap)
{
    size_t n = 0;
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        long id;
        char st[16];
        char ds[80];
        long long a, b, c;
        if (sscanf(p, " %ld %15s %79s %lld %lld %lld", &id, st, ds, &a, &b, &c) == 6 && n < cap) {
            ids[n] = id;
            snprintf(states[n], 16, "%s", st);
            rows[n][0] = a;
            rows[n][1] = b;
            rows[n][2] = c;
            n++;
        }
    }
    return n;
}

static void test_runs_newest_first(void **state)
{
    (void)state;
    struct warehouse w;
    three_runs(&w, "wd_runs_list");
    struct tu_result r = wd(&w, "runs", NULL);
    assert_status(r, 0);
    long ids[8];
    char states[8][16];
    long long rows[8][3];
    size_t n = runs_lines(r.out, ids, states, rows, 8);
    if (n != 3)
        fail_msg("expected 3 runs, found %zu in:\n%s", n, r.out);
    assert_int_equal(ids[0], 3);
    assert_string_equal(states[0], "refused");
    assert_true(rows[0][0] == 40 && rows[0][1] == 6 && rows[0][2] == 0);
    assert_int_equal(ids[1], 2);
    assert_string_equal(states[1], "duplicate");
    assert_int_equal(ids[2], 1);
    assert_string_equal(states[2], "published");
    assert_true(rows[2][0] == 60 && rows[2][1] == 2 && rows[2][2] == 58);
    tu_assert_contains(r.out, "99.9");
    tu_assert_contains(r.out, "6 of 40 rows (15.0%) were rejected");
    tu_assert_contains(r.out, "the same content was published by run 1");
    tu_result_free(&r);

    r = wd(&w, "runs", "--format", "json", NULL);
    assert_status(r, 0);
    json_error_t je;
    json_t *a = json_loads(r.out, 0, &je);
    if (!a)
        fail_msg("runs --format json is not JSON (%s): %s", je.text, r.out);
    assert_int_equal(json_array_size(a), 3);
    static const struct {
        long long id;
        const char *state;
        long long read, rejected, published;
        double score;
    } want[] = {{3, "refused", 40, 6, 0, 99.1},
                {2, "duplicate", -1, -1, 0, -1},
                {1, "published", 60, 2, 58, 99.9}};
    for (size_t i = 0; i < 3; i++) {
        const json_t *o = json_array_get(a, i);
        assert_int_equal(json_integer_value(json_object_get(o, "run_id")), want[i].id);
        assert_string_equal(json_string_value(json_object_get(o, "state")), want[i].state);
        assert_string_equal(json_string_value(json_object_get(o, "dataset")),
                            "penempatan_tenaga_kerja");
        assert_int_equal(json_integer_value(json_object_get(o, "rows_published")),
                         want[i].published);
        if (want[i].read >= 0) {
            assert_int_equal(json_integer_value(json_object_get(o, "rows_read")), want[i].read);
            assert_int_equal(json_integer_value(json_object_get(o, "rows_rejected")),
                             want[i].rejected);
            char got[16], exp[16];
            snprintf(got, sizeof(got), "%.1f",
                     json_number_value(json_object_get(o, "quality_score")));
            snprintf(exp, sizeof(exp), "%.1f", want[i].score);
            assert_string_equal(got, exp);
        }
    }
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "duplicate_of")), 1);
    json_decref(a);
    tu_result_free(&r);

    r = wd(&w, "runs", "--limit", "1", NULL);
    assert_status(r, 0);
    n = runs_lines(r.out, ids, states, rows, 8);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 3);
    tu_result_free(&r);
    warehouse_close(&w);
}

static void test_run_show_and_rejects(void **state)
{
    (void)state;
    struct warehouse w;
    three_runs(&w, "wd_run_show");
    struct tu_result r = wd(&w, "run", "show", "1", NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "run 1: penempatan_tenaga_kerja, published");
    char sha[65];
    tu_file_sha256(BEKASI, sha);
    tu_assert_contains(r.out, sha);
    tu_assert_contains(r.out, BEKASI_NAME);
    char abs[PATH_MAX];
    assert_non_null(realpath(BEKASI, abs));
    tu_assert_contains(r.out, abs);
    tu_assert_contains(r.out, "walidata.penempatan_tenaga_kerja (upsert)");
    tu_assert_contains(r.out, "wilayah_kabkota@2025");
    tu_assert_contains(r.out, "60 read, 58 valid, 2 rejected, 58 published");
    tu_assert_contains(r.out, "completeness 100.0 validity 99.9 uniqueness 100.0 consistency 99.4 "
                              "timeliness 100.0 score 99.9");
    tu_assert_contains(r.out, "parent");
    tu_assert_contains(r.out, "kabupaten/kota 3171 is not in provinsi 32");
    tu_result_free(&r);

    r = wd(&w, "run", "show", "3", NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "run 3: penempatan_tenaga_kerja, refused");
    tu_assert_contains(r.out, "6 of 40 rows (15.0%) were rejected");
    tu_assert_contains(r.out, "X is not a code of jenis kelamin");
    tu_result_free(&r);
    r = wd(&w, "run", "show", "999", NULL);
    assert_true(r.status != 0);
    tu_assert_contains(r.err, "999");
    tu_result_free(&r);

    /* rejects as CSV: a header, then one line per reject (quoted values have no newlines) */
    r = wd(&w, "rejects", "3", "--format", "csv", NULL);
    assert_status(r, 0);
    assert_int_equal(strncmp(r.out, "row,line,field,rule,value,message", 33), 0);
    size_t lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 7);
    tu_assert_contains(r.out, "\n\"5\",\"6\",\"tanggal_penempatan\",\"type\",\"31/09/2025\",");
    tu_assert_contains(r.out, "\"33\",\"34\",\"upah\",\"type\",\"empat juta\",");
    tu_assert_contains(r.out, "\"\"31/09/2025\"\" is not a real date");
    tu_result_free(&r);
    r = wd(&w, "rejects", "1", "--format", "csv", NULL);
    assert_status(r, 0);
    lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 3);
    assert_null(strstr(r.out, "3.27501E+15")); /* the personal value is not kept */
    tu_result_free(&r);
    /* and as JSON, one object per line */
    r = wd(&w, "rejects", "3", "--format", "json", NULL);
    assert_status(r, 0);
    const char *p = r.out;
    size_t objects = 0;
    while (*p) {
        json_error_t je;
        size_t linelen = strcspn(p, "\n");
        json_t *o = json_loadb(p, linelen, 0, &je);
        if (!o)
            fail_msg("rejects --format json line is not JSON (%s): %.*s", je.text, (int)linelen, p);
        if (strcmp(json_string_value(json_object_get(o, "field")), "nik") == 0)
            assert_true(json_is_null(json_object_get(o, "value")));
        objects++;
        json_decref(o);
        p += linelen;
        if (*p)
            p++;
    }
    assert_int_equal(objects, 6);
    tu_result_free(&r);
    warehouse_close(&w);
}

static void test_audit_verify_finds_changed_run(void **state)
{
    (void)state;
    struct warehouse w;
    three_runs(&w, "wd_audit_verify");
    wd_expect(&w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    struct tu_result r = wd(&w, "audit", "verify", NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "4 runs");
    tu_result_free(&r);

    tu_db_exec(w.db, "UPDATE etl.run SET rows_published = rows_published + 1 WHERE run_id = 2");
    r = wd(&w, "audit", "verify", NULL);
    assert_true(r.status != 0);
    tu_assert_contains(r.err, "run 2");
    tu_result_free(&r);
    tu_db_exec(w.db, "UPDATE etl.run SET rows_published = rows_published - 1 WHERE run_id = 2");
    wd_expect(&w, 0, "audit", "verify");

    /* a change to a run's source item is found too */
    tu_db_exec(w.db, "UPDATE etl.source_item SET size = size + 1 WHERE run_id = 3");
    r = wd(&w, "audit", "verify", NULL);
    assert_true(r.status != 0);
    tu_assert_contains(r.err, "run 3");
    tu_result_free(&r);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_newest_first),
        cmocka_unit_test(test_run_show_and_rejects),
        cmocka_unit_test(test_audit_verify_finds_changed_run),
    };
    /* WD_TEST_FILTER=test_run_show* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
