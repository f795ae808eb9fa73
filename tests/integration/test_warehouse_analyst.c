/*
 * test_warehouse_analyst.c - the warehouse as an analyst meets it, checked in a real
 * PostgreSQL (tests/with-pg starts one and exports WALIDATA_TEST_DB): the walidata_analyst
 * role cannot read a personal column (nik) or write a dataset table, but reads its other
 * columns, v_<dataset> with labels and lineage and without the personal column, the metadata,
 * the code lists and the run quality, while walidata_loader writes; and an analyst's own view
 * over v_<dataset>, as BI tools make, does not stop the next `db migrate`.
 *
 * Each test makes its own database (wd_<test>) and drives the walidata binary as a process,
 * as an operator would; the database is then read with libpq.
 */
#include "dbassert.h"

#include <stdlib.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
/* The arrival day that makes the sample timely, so that scores do not depend on today. */
#define BEKASI_ARRIVED "2025-09-10"

/* ---- tests ---- */

static void test_analyst_cannot_read_personal_columns(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_analyst_role", NULL, false);
    wd_expect(&w, 0, "db", "migrate");
    wd_expect(&w, 0, "codes", "import");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              BEKASI);

    char *e = tu_sql_error(w.db, "SET ROLE walidata_analyst; "
                              "SELECT nik FROM walidata.penempatan_tenaga_kerja");
    assert_non_null(e);
    tu_assert_contains(e, "permission denied for table penempatan_tenaga_kerja");
    free(e);
    e = tu_sql_error(w.db,
                  "SET ROLE walidata_analyst; SELECT * FROM walidata.penempatan_tenaga_kerja");
    assert_non_null(e);
    tu_assert_contains(e, "permission denied");
    free(e);
    /* the analyst may not write either */
    e = tu_sql_error(w.db, "SET ROLE walidata_analyst; UPDATE walidata.penempatan_tenaga_kerja "
                        "SET upah = 0");
    assert_non_null(e);
    tu_assert_contains(e, "permission denied");
    free(e);

    assert_sql(w.db, "58 58",
               "SET ROLE walidata_analyst; SELECT count(id_penempatan) || ' ' || count(upah) "
               "FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "58",
               "SET ROLE walidata_analyst; "
               "SELECT count(*) FROM walidata.v_penempatan_tenaga_kerja");
    assert_sql(w.db, "Kota Bekasi|Jawa Barat|Perempuan|1|penempatan_2025-08_kota_bekasi.csv|99.9",
               "SET ROLE walidata_analyst; SELECT concat_ws('|', kode_kabkota_label, "
               "kode_provinsi_label, jenis_kelamin_label, run_id, source_file, quality_score) "
               "FROM walidata.v_penempatan_tenaga_kerja WHERE id_penempatan = 'BKS2508-00001'");
    /* the view leaves the personal column out */
    assert_sql(w.db, "0",
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'walidata' AND table_name = 'v_penempatan_tenaga_kerja' AND column_name = 'nik'");
    /* the metadata, the code lists and the run quality are the analyst's to read */
    assert_sql(w.db, "14",
               "SET ROLE walidata_analyst; SELECT count(*) FROM meta.variable WHERE "
               "dataset = 'penempatan_tenaga_kerja'");
    assert_sql(w.db, "38",
               "SET ROLE walidata_analyst; SELECT count(*) FROM ref.code WHERE "
               "name = 'wilayah_provinsi' AND version = '2025'");
    assert_sql(w.db, "99.9",
               "SET ROLE walidata_analyst; SELECT score FROM etl.quality WHERE "
               "run_id = 1 AND dimension = 'score'");
    /* the loader writes */
    assert_sql(w.db, "1",
               "SET ROLE walidata_loader; UPDATE walidata.penempatan_tenaga_kerja "
               "SET upah = upah WHERE id_penempatan = 'BKS2508-00001'");
    warehouse_close(&w);
}

/* An analyst's own view over v_<dataset> (what BI tools do) must not stop db migrate. */
static void test_migrate_with_analyst_view_on_top(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_analyst_view", NULL, false);
    wd_expect(&w, 0, "db", "migrate");
    tu_db_exec(w.db, "CREATE SCHEMA analisis; CREATE VIEW analisis.ump AS SELECT kode_provinsi, "
                     "tahun, nilai FROM walidata.v_upah_minimum_provinsi");
    struct tu_result r = wd(&w, "db", "migrate", NULL);
    assert_status(r, 0);
    assert_string_equal(r.err, "");
    tu_result_free(&r);
    assert_sql(w.db, "analisis.ump", "SELECT to_regclass('analisis.ump')::text");
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyst_cannot_read_personal_columns),
        cmocka_unit_test(test_migrate_with_analyst_view_on_top),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
