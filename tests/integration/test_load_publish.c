/*
 * test_load_publish.c - `walidata load` publishing against a real PostgreSQL (tests/with-pg
 * exports WALIDATA_TEST_DB): a sample published with its run, rejects, quality and lineage; the
 * same content refused as a duplicate (renamed or gzipped too) unless forced; a refused file
 * that publishes nothing but is recorded; a corrected period replacing only that period; a file
 * that cannot be read; values that could break COPY's text format landing verbatim, in the
 * dataset and in the rejects. (Runs killed or cut midway: test_load_faults.c; two runs at once:
 * test_load_concurrent.c; personal data: test_load_privacy.c; the commands that show runs and
 * check the audit chain: test_runs.c.)
 *
 * Each test makes its own database (wd_<test>) and runs the walidata binary as a process.
 */
#include "loadutil.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define BEKASI_NAME "penempatan_2025-08_kota_bekasi.csv"
/* The Bogor sample, and the arrival day that makes it timely. */
#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"
#define BOGOR_ARRIVED "2025-10-06"

/* ---- publishing ---- */

static json_t *validate_json(const char *mapping, const char *arrived, const char *file)
{
    struct tu_result r = tu_walidata("validate", "--mapping", mapping, "--format", "json",
                                     "--arrived", arrived, file, NULL);
    json_error_t je;
    json_t *o = json_loadb(r.out, strcspn(r.out, "\n"), 0, &je);
    if (!o)
        fail_msg("validate printed no JSON (%s): %s %s", je.text, r.out, r.err);
    tu_result_free(&r);
    return o;
}

static void test_load_sample_published(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_published", NULL, true);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, BEKASI ": published as run 1 into walidata.penempatan_tenaga_kerja: "
                                     "58 rows (2 of 60 rejected); quality 99.9");
    tu_result_free(&r);

    /* the run */
    assert_sql(
        w.db, "published 60 58 2 58 0 f 99.9",
        "SELECT concat_ws(' ', state, rows_read, rows_valid, rows_rejected, "
        "rows_published, rows_replaced, forced, quality_score) FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "t",
               "SELECT finished_at >= started_at AND reason IS NULL AND duplicate_of "
               "IS NULL FROM etl.run WHERE run_id = 1");
    /* the rows: 58, all of run 1, one per key, transformed */
    assert_sql(w.db, "58 58 58",
               "SELECT count(*) || ' ' || count(DISTINCT id_penempatan) || ' ' || count(*) "
               "FILTER (WHERE _run_id = 1) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "2|1989-02-09|32|3275|85154|7214.03|4500000.00|2025-08-20|AKL",
               "SELECT concat_ws('|', jenis_kelamin, tanggal_lahir, kode_provinsi, kode_kabkota, "
               "kbli, kbji, upah, tanggal_penempatan, mekanisme) FROM "
               "walidata.penempatan_tenaga_kerja WHERE id_penempatan = 'BKS2508-00001'");
    assert_sql(w.db, "1 AKL",
               "SELECT jenis_kelamin || ' ' || mekanisme FROM "
               "walidata.penempatan_tenaga_kerja WHERE id_penempatan = "
               "'BKS2508-00003'");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
               "id_penempatan IN ('BKS2508-00017', 'BKS2508-00041')");

    /* the rejects, as validate reports them; the personal value is not kept */
    json_t *rep = validate_json("penempatan_tenaga_kerja", BEKASI_ARRIVED, BEKASI);
    assert_sql(w.db, "2", "SELECT count(*) FROM etl.reject WHERE run_id = 1");
    assert_sql(w.db, "17|18|kode_kabkota|parent|3171|t",
               "SELECT concat_ws('|', row_number, line, field, rule, value, rejects) FROM "
               "etl.reject WHERE run_id = 1 AND row_number = 17");
    assert_sql(w.db, "41|42|nik|nik|t|t",
               "SELECT concat_ws('|', row_number, line, field, rule, value IS NULL, rejects) "
               "FROM etl.reject WHERE run_id = 1 AND row_number = 41");
    json_t *errors = json_object_get(rep, "errors");
    assert_int_equal(json_array_size(errors), 2);
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        assert_sql(w.db, json_string_value(json_object_get(e, "message")),
                   "SELECT message FROM etl.reject WHERE run_id = 1 AND row_number = %lld AND "
                   "rule = '%s'",
                   (long long)json_integer_value(json_object_get(e, "row")),
                   json_string_value(json_object_get(e, "rule")));
    }
    /* the quality, dimension by dimension, as validate --format json scores it */
    static const char *const dims[] = {"completeness", "validity",   "uniqueness",
                                       "consistency",  "timeliness", "score"};
    const json_t *q = json_object_get(rep, "quality");
    assert_sql(w.db, "6", "SELECT count(*) FROM etl.quality WHERE run_id = 1");
    for (i = 0; i < sizeof(dims) / sizeof(dims[0]); i++) {
        const json_t *v = json_object_get(q, dims[i]);
        assert_true(json_is_number(v));
        char want[32];
        snprintf(want, sizeof(want), "%.1f", json_number_value(v));
        assert_sql(w.db, want,
                   "SELECT score FROM etl.quality WHERE run_id = 1 AND dimension = "
                   "'%s'",
                   dims[i]);
    }
    assert_sql(w.db, "99.9", "SELECT quality_score FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "360 360",
               "SELECT numerator || ' ' || denominator FROM etl.quality WHERE "
               "run_id = 1 AND dimension = 'completeness'");
    json_decref(rep);

    /* the source item: the unit's file name, its size and SHA-256 */
    char sha[65];
    tu_file_sha256(BEKASI, sha);
    struct stat st;
    assert_int_equal(stat(BEKASI, &st), 0);
    char want[256];
    snprintf(want, sizeof(want), BEKASI_NAME " %lld %s t", (long long)st.st_size, sha);
    assert_sql(w.db, want,
               "SELECT concat_ws(' ', name, size, encode(sha256, 'hex'), published) "
               "FROM etl.source_item WHERE run_id = 1");
    /* the lineage: the file's absolute URI, the target, the mode, the definition, the lists */
    char abs[PATH_MAX];
    assert_non_null(realpath(BEKASI, abs));
    char uri[PATH_MAX + 16];
    snprintf(uri, sizeof(uri), "file://%s", abs);
    assert_sql(w.db, uri, "SELECT source_uri FROM etl.lineage WHERE run_id = 1");
    assert_sql(w.db, "walidata.penempatan_tenaga_kerja upsert penempatan_tenaga_kerja 2025.1",
               "SELECT concat_ws(' ', target_table, mode, definition->>'name', "
               "definition->>'version') FROM etl.lineage WHERE run_id = 1");
    assert_sql(w.db, "t t",
               "SELECT concat_ws(' ', 'wilayah_kabkota@2025' = ANY(codelists), "
               "'kbli2020@2020' = ANY(codelists)) FROM etl.lineage WHERE run_id = 1");
    /* the run joined the hash chain */
    assert_sql(w.db, "1 t t",
               "SELECT concat_ws(' ', chain_seq, prev_hash IS NULL, "
               "length(hash) = 32) FROM etl.run WHERE run_id = 1");
    warehouse_close(&w);
}

static const char table_md5[] = "SELECT md5(string_agg(t::text, E'\\n' ORDER BY id_penempatan)) "
                                "FROM walidata.penempatan_tenaga_kerja t";
/* The same without the lineage columns. */
static const char values_md5[] = "SELECT md5(string_agg((to_jsonb(t) - '_run_id' - '_loaded_at')"
                                 "::text, E'\\n' ORDER BY id_penempatan)) FROM "
                                 "walidata.penempatan_tenaga_kerja t";

static void test_load_duplicate_renamed_and_forced(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_duplicate", NULL, true);
    load_bekasi(&w);
    char *before = sql(w.db, "%s", table_md5);
    char *values = sql(w.db, "%s", values_md5);

    /* the same file again */
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, BEKASI ": not loaded (run 2): the same content was published by "
                                     "run 1");
    tu_assert_contains(r.out, "--force");
    tu_result_free(&r);
    assert_sql(w.db, "duplicate 1 f",
               "SELECT concat_ws(' ', state, duplicate_of, forced) FROM "
               "etl.run WHERE run_id = 2");
    assert_sql(w.db, "f", "SELECT published FROM etl.source_item WHERE run_id = 2");
    assert_sql(w.db, "0 0",
               "SELECT (SELECT count(*) FROM etl.reject WHERE run_id = 2) || ' ' || "
               "(SELECT count(*) FROM etl.quality WHERE run_id = 2)");
    assert_sql(w.db, before, "%s", table_md5);

    /* a renamed copy, and a gzipped one: the content decides */
    size_t len;
    char *data = tu_read(BEKASI, &len);
    char *renamed = tu_write("bekasi-agustus-salinan.csv", data, len);
    char *gz = tu_write_gz("bekasi-agustus.csv.gz", data, len, 0);
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, renamed,
           gz, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "bekasi-agustus-salinan.csv: not loaded (run 3): the same content "
                              "was published by run 1");
    tu_assert_contains(r.out, "bekasi-agustus.csv.gz: not loaded (run 4): the same content was "
                              "published by run 1");
    tu_result_free(&r);
    assert_sql(w.db, "duplicate 1 bekasi-agustus-salinan.csv",
               "SELECT concat_ws(' ', state, duplicate_of, name) FROM etl.run JOIN "
               "etl.source_item USING (run_id) WHERE run_id = 3");
    assert_sql(w.db, "duplicate 1",
               "SELECT concat_ws(' ', state, duplicate_of) FROM etl.run "
               "WHERE run_id = 4");
    assert_sql(w.db, before, "%s", table_md5);

    /* --force loads it again: an upsert, so still one row per key, now all of the new run */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
           "--force", renamed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 5 into walidata.penempatan_tenaga_kerja: 58 rows");
    tu_result_free(&r);
    assert_sql(w.db, "published t 58 1",
               "SELECT concat_ws(' ', state, forced, rows_published, duplicate_of) FROM etl.run "
               "WHERE run_id = 5");
    assert_sql(w.db, "58 58 58 0",
               "SELECT concat_ws(' ', count(*), count(DISTINCT id_penempatan), count(*) FILTER "
               "(WHERE _run_id = 5), count(*) FILTER (WHERE _run_id = 1)) FROM "
               "walidata.penempatan_tenaga_kerja");
    /* the values themselves are those of the first load */
    assert_sql(w.db, values, "%s", values_md5);
    assert_sql(w.db, "2", "SELECT count(*) FROM etl.source_item WHERE published");
    /* and the next plain load is a duplicate of the latest publication */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, BEKASI,
           NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "not loaded (run 6): the same content was published by run 5");
    tu_result_free(&r);
    assert_sql(w.db, "58",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE _run_id = 5");
    free(before);
    free(values);
    free(renamed);
    free(gz);
    free(data);
    warehouse_close(&w);
}

static void test_load_refused_publishes_nothing(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_refused", NULL, true);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BOGOR_ARRIVED, BOGOR, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, BOGOR ": REFUSED as run 1: 6 of 40 rows (15.0%) were rejected; "
                                    "the dataset allows at most 5.0%");
    tu_assert_contains(r.out, "walidata rejects 1");
    tu_result_free(&r);
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "refused 40 34 6 0",
               "SELECT concat_ws(' ', state, rows_read, rows_valid, rows_rejected, "
               "rows_published) FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "6 of 40 rows (15.0%) were rejected; the dataset allows at most 5.0%",
               "SELECT reason FROM etl.run WHERE run_id = 1");
    assert_sql(w.db,
               "5|6|tanggal_penempatan|type|31/09/2025,"
               "9|10|jenis_kelamin|codelist|X,"
               "12|13|kode_kabkota|parent|3374,"
               "20|21|id_penempatan|unique|BGR2509-00001,"
               "27|28|nik|required|(null),"
               "33|34|upah|type|empat juta",
               "SELECT string_agg(concat_ws('|', row_number, line, field, rule, coalesce(value, "
               "'(null)')), ',' ORDER BY row_number) FROM etl.reject WHERE run_id = 1");
    /* the unit is told the quality too, and the file stays loadable */
    assert_sql(w.db, "6", "SELECT count(*) FROM etl.quality WHERE run_id = 1");
    assert_sql(w.db, "f", "SELECT published FROM etl.source_item WHERE run_id = 1");
    assert_sql(w.db, "walidata.penempatan_tenaga_kerja",
               "SELECT target_table FROM etl.lineage WHERE run_id = 1");
    /* a refused content is not a duplicate: trying again is refused again, not skipped */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BOGOR_ARRIVED, BOGOR,
           NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 2");
    tu_result_free(&r);
    assert_sql(w.db, "refused 6",
               "SELECT state || ' ' || (SELECT count(*) FROM etl.reject WHERE "
               "run_id = 2) FROM etl.run WHERE run_id = 2");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    warehouse_close(&w);
}

static void test_load_replace_one_period(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_replace", NULL, true);
    /* 2024: the sample, 37 of 38 provinces (one date is 31 November) */
    wd_expect(&w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    assert_sql(w.db, "37",
               "SELECT count(*) FROM walidata.upah_minimum_provinsi WHERE tahun = 2024");
    /* 2025: five provinces */
    char *ump2025 = tu_write_str(
        "ump_2025_lima.csv",
        "NO;KODE_PROV;PROVINSI;TAHUN;UMP;DASAR_HUKUM;TANGGAL_PENETAPAN;BERLAKU_MULAI\r\n"
        "1;11;Aceh;2025;3.685.616,00;Keputusan Gubernur Aceh Nomor 500.15/2745/2024;"
        "11 Desember 2024;1 Januari 2025\r\n"
        "2;12;Sumatera Utara;2025;2.992.559;Keputusan Gubernur Sumatera Utara Nomor "
        "500.15/1620/2024;11 Desember 2024;1 Januari 2025\r\n"
        "3;13;Sumatera Barat;2025;Rp 2.994.193;Keputusan Gubernur Sumatera Barat Nomor "
        "500.15/1667/2024;11 Desember 2024;1 Januari 2025\r\n"
        "4;14;Riau;2025;3.508.775,00;Keputusan Gubernur Riau Nomor 500.15/966/2024;"
        "11 Desember 2024;1 Januari 2025\r\n"
        "5;15;Jambi;2025;3.234.533;Keputusan Gubernur Jambi Nomor 500.15/1234/2024;"
        "11 Desember 2024;1 Januari 2025\r\n");
    struct tu_result r = wd(&w, "load", "--mapping", "upah_minimum_provinsi", "--arrived",
                            UMP_ARRIVED, ump2025, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 2 into walidata.upah_minimum_provinsi: 5 rows "
                              "(0 of 5 rejected), 0 earlier rows of the same periods replaced");
    tu_result_free(&r);
    char *y2025 = sql(w.db, "SELECT md5(string_agg(t::text, E'\\n' ORDER BY kode_provinsi)) "
                            "FROM walidata.upah_minimum_provinsi t WHERE tahun = 2025");

    /* a corrected 2024: the bad date fixed, Aceh's value revised */
    size_t len;
    char *data = tu_read(UMP_2024, &len);
    replace_all(data, len, "31 November 2023", "30 November 2023");
    replace_all(data, len, ";3.454.850,00;", ";3.460.000,00;");
    char *fixed = tu_write("ump_2024_koreksi.csv", data, len);
    free(data);
    r = wd(&w, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED, fixed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 3 into walidata.upah_minimum_provinsi: 38 rows "
                              "(0 of 38 rejected), 37 earlier rows of the same periods replaced");
    tu_result_free(&r);
    assert_sql(w.db, "published 38 37",
               "SELECT concat_ws(' ', state, rows_published, "
               "rows_replaced) FROM etl.run WHERE run_id = 3");
    /* 2024 is the corrected file's, wholly */
    assert_sql(w.db, "38 38",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 3) "
               "FROM walidata.upah_minimum_provinsi WHERE tahun = 2024");
    assert_sql(w.db, "3460000.00",
               "SELECT nilai FROM walidata.upah_minimum_provinsi WHERE "
               "tahun = 2024 AND kode_provinsi = '11'");
    assert_sql(w.db, "2023-11-30",
               "SELECT tanggal_penetapan FROM walidata.upah_minimum_provinsi "
               "WHERE tahun = 2024 AND kode_provinsi = '63'");
    /* 2025 untouched, row for row */
    assert_sql(w.db, "5 5",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 2) FROM "
               "walidata.upah_minimum_provinsi WHERE tahun = 2025");
    assert_sql(w.db, y2025,
               "SELECT md5(string_agg(t::text, E'\\n' ORDER BY kode_provinsi)) FROM "
               "walidata.upah_minimum_provinsi t WHERE tahun = 2025");
    assert_sql(w.db, "43", "SELECT count(*) FROM walidata.upah_minimum_provinsi");
    free(y2025);
    free(fixed);
    free(ump2025);
    warehouse_close(&w);
}

/* A file that cannot be read is refused and recorded, with no rows and no made-up quality. */
static void test_load_unreadable_file_refused(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_unreadable", NULL, true);
    char *shortf = tu_write_str("pendek.csv", "ID;NIK;JK\r\nX1;3275011708900001;L\r\n");
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", shortf, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 1: the file could not be read: column \"TGL_LAHIR\" "
                              "is missing from the header");
    tu_result_free(&r);
    char *header_only = tu_write_str("kosong.csv", PLACEMENT_HEADER);
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", header_only, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 2: the file has no data rows");
    tu_result_free(&r);
    /* a file that is not there is a runtime error, and no run */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "tidak/ada.csv", NULL);
    assert_status(r, 3);
    tu_assert_contains(r.err, "tidak/ada.csv: could not open file");
    tu_result_free(&r);

    assert_sql(w.db, "1 refused 0 0 f,2 refused 0 0 f",
               "SELECT string_agg(concat_ws(' ', run_id, state, rows_read, rows_published, "
               "published), ',' ORDER BY run_id) FROM etl.run JOIN etl.source_item USING "
               "(run_id)");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    /* nothing was read, so nothing was measured: no run claims a perfect quality */
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.run WHERE rows_read = 0 AND quality_score = 100");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.quality q JOIN etl.run r USING (run_id) "
               "WHERE r.rows_read = 0 AND q.score = 100 AND q.dimension IN ('score', "
               "'completeness', 'validity')");
    free(shortf);
    free(header_only);
    warehouse_close(&w);
}

/* ---- values ---- */

struct verbatim {
    const char *id;
    const char *csv;   /* the value as written in the CSV file */
    const char *value; /* and as it must be stored */
};

static const struct verbatim verbatim_cases[] = {
    {"T01", "\"Dia berkata \"\"halo\"\", lalu pergi\"", "Dia berkata \"halo\", lalu pergi"},
    {"T02", "\"kolom\tdengan\ttab\"", "kolom\tdengan\ttab"},
    {"T03", "\"C:\\data\\new\\table \\\\ \\akhir\\\"", "C:\\data\\new\\table \\\\ \\akhir\\"},
    {"T04", "\\N", "\\N"},
    {"T05", "\"baris satu\nbaris dua\nbaris tiga\"", "baris satu\nbaris dua\nbaris tiga"},
    {"T06", "\"awal\n\\.\nakhir\"", "awal\n\\.\nakhir"},
    {"T07", "\"\\.\"", "\\."},
    {"T08", "\"'); DROP TABLE etl.run; --\"", "'); DROP TABLE etl.run; --"},
    {"T09", "\"Caf\xc3\xa9 \xe2\x80\x93 \xc3\xbc \xf0\x9d\x84\x9e\"",
     "Caf\xc3\xa9 \xe2\x80\x93 \xc3\xbc \xf0\x9d\x84\x9e"},
    {"T10", "\"a,b;c|d\\t\\n\\r\"", "a,b;c|d\\t\\n\\r"},
    {"T11", "\"\\\\.\"", "\\\\."},
    {"T12", "\"satu\n\\.\"", "satu\n\\."},
    {"T13", "\"baris\r\nkedua\"", "baris\r\nkedua"},
    {"T14", "\"a\rb\"", "a\rb"},
    {"T15", "\"x\001y\x7fz\"", "x\001y\x7fz"},
};

static const struct verbatim rejected_cases[] = {
    {"R01", "\"a\tb\\c\"", "a\tb\\c"},
    {"R02", "\"x\n\\.\ny\"", "x\n\\.\ny"},
    {"R03", "\\N\\N", "\\N\\N"},
    {"R04", "\"'\"\"; --\"", "'\"; --"},
};

static void test_load_values_land_verbatim(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_verbatim", UJI_MAPPINGS, true);
    size_t n = sizeof(verbatim_cases) / sizeof(verbatim_cases[0]);
    size_t nrej = sizeof(rejected_cases) / sizeof(rejected_cases[0]);
    char csv[8192];
    size_t len = (size_t)snprintf(csv, sizeof(csv), "id,teks,nama,telepon,kode\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%s,%s,Budi,0812%04zu,\n",
                                verbatim_cases[i].id, verbatim_cases[i].csv, i);
    /* an empty value is missing: NULL, not "" */
    len += (size_t)snprintf(csv + len, sizeof(csv) - len, "T00,,Budi,08120000,\n");
    /* rows rejected for a value that is not personal: the value is kept as read */
    for (size_t i = 0; i < nrej; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%s,teks,Budi,0812,%s\n",
                                rejected_cases[i].id, rejected_cases[i].csv);
    char *file = tu_write("teks.csv", csv, len);

    struct tu_result r = wd(&w, "load", "--mapping", "uji_teks", file, NULL);
    assert_status(r, 0);
    char want[128];
    snprintf(want, sizeof(want),
             "published as run 1 into walidata.uji_teks: %zu rows (%zu of %zu "
             "rejected)",
             n + 1, nrej, n + 1 + nrej);
    tu_assert_contains(r.out, want);
    tu_result_free(&r);
    for (size_t i = 0; i < n; i++) {
        assert_sql(w.db, verbatim_cases[i].value,
                   "SELECT teks FROM walidata.uji_teks WHERE id = "
                   "'%s'",
                   verbatim_cases[i].id);
        assert_sql(w.db, verbatim_cases[i].value,
                   "SET ROLE walidata_analyst; SELECT teks FROM "
                   "walidata.v_uji_teks WHERE id = '%s'",
                   verbatim_cases[i].id);
    }
    assert_sql(w.db, "t", "SELECT teks IS NULL FROM walidata.uji_teks WHERE id = 'T00'");
    char count[32];
    snprintf(count, sizeof(count), "%zu", n + 1);
    assert_sql(w.db, count, "SELECT count(*) FROM walidata.uji_teks");
    assert_sql(w.db, "etl.run", "SELECT to_regclass('etl.run')::text");
    for (size_t i = 0; i < nrej; i++) {
        long long row = (long long)(n + 2 + i);
        assert_sql(w.db, rejected_cases[i].value,
                   "SELECT value FROM etl.reject WHERE run_id = 1 "
                   "AND row_number = %lld",
                   row);
        assert_sql(w.db, "kode maxLength",
                   "SELECT field || ' ' || rule FROM etl.reject WHERE "
                   "run_id = 1 AND row_number = %lld",
                   row);
    }
    /* and they come back out of `walidata rejects` as they went in */
    r = wd(&w, "rejects", "1", "--format", "json", NULL);
    assert_status(r, 0);
    const char *p = r.out;
    for (size_t i = 0; i < nrej; i++) {
        size_t linelen = strcspn(p, "\n");
        json_error_t je;
        json_t *o = json_loadb(p, linelen, 0, &je);
        if (!o)
            fail_msg("not JSON (%s): %.*s", je.text, (int)linelen, p);
        assert_string_equal(json_string_value(json_object_get(o, "value")),
                            rejected_cases[i].value);
        json_decref(o);
        p += linelen + (p[linelen] ? 1 : 0);
    }
    assert_string_equal(p, "");
    tu_result_free(&r);
    free(file);
    warehouse_close(&w);
}

/* An append dataset with a key fails the COPY of a re-sent file at its first row, before
 * the content's hash is checked: still a duplicate, recorded as one, not an error. And a
 * pipe, which the hash and the rows would share, is refused by name. */
static void test_load_append_with_key_resent_and_pipe(void **state)
{
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX + 32];
    snprintf(dir, sizeof(dir), "%s/mappings_append", tu_tmpdir());
    assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
    json_error_t je;
    json_t *d = json_load_file("mappings/penempatan_tenaga_kerja.json", 0, &je);
    assert_non_null(d);
    json_object_set_new(d, "name", json_string("penempatan_append"));
    json_object_set_new(json_object_get(d, "target"), "table", json_string("penempatan_append"));
    json_object_set_new(json_object_get(d, "target"), "mode", json_string("append"));
    snprintf(path, sizeof(path), "%s/penempatan_append.json", dir);
    assert_int_equal(json_dump_file(d, path, JSON_INDENT(2)), 0);
    json_decref(d);

    struct warehouse w;
    warehouse_open(&w, "wd_load_append_key", dir, true);
    wd_expect(&w, 0, "load", "--mapping", "penempatan_append", "--arrived", BEKASI_ARRIVED,
              BEKASI);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_append", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "not loaded (run 2): the same content was published by run 1");
    tu_result_free(&r);
    assert_sql(w.db, "duplicate 1 58",
               "SELECT concat_ws(' ', state, duplicate_of, (SELECT count(*) FROM "
               "walidata.penempatan_append)) FROM etl.run WHERE run_id = 2");

    char fifo[PATH_MAX];
    snprintf(fifo, sizeof(fifo), "%s/penempatan_pipa.csv", tu_tmpdir());
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    r = wd(&w, "load", "--mapping", "penempatan_append", fifo, NULL);
    assert_int_not_equal(r.status, 0);
    tu_assert_contains(r.err, fifo);
    tu_assert_contains(r.err, "not a regular file");
    tu_result_free(&r);
    assert_sql(w.db, "2", "SELECT count(*) FROM etl.run");
    unlink(fifo);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_sample_published, kill_children),
        cmocka_unit_test_teardown(test_load_duplicate_renamed_and_forced, kill_children),
        cmocka_unit_test_teardown(test_load_refused_publishes_nothing, kill_children),
        cmocka_unit_test_teardown(test_load_replace_one_period, kill_children),
        cmocka_unit_test_teardown(test_load_unreadable_file_refused, kill_children),
        cmocka_unit_test_teardown(test_load_values_land_verbatim, kill_children),
        cmocka_unit_test_teardown(test_load_append_with_key_resent_and_pipe, kill_children),
    };
    /* WD_TEST_FILTER=test_load_replace* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
