/*
 * test_load_privacy.c - personal data in `walidata load` against a real PostgreSQL
 * (tests/with-pg exports WALIDATA_TEST_DB): the NIK pseudonymized with a keyed HMAC, the same
 * for one person across runs and files and after a forced reload, also in a table made before
 * 0.3.0 that keeps it as hex text; a dropped field kept nowhere, and a personal one hidden from
 * analysts; a load without a usable pseudonym key refused.
 *
 * Each test makes its own database (wd_<test>) and runs the walidata binary as a process.
 */
#include "loadutil.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- personal data ---- */

/* The key file tu_db_config wrote for w, as the HMAC key (trailing newlines stripped). */
static char *pseudonym_key(const struct warehouse *w, size_t *len)
{
    json_error_t je;
    json_t *cfg = json_load_file(w->cfg, 0, &je);
    assert_non_null(cfg);
    const char *path = json_string_value(json_object_get(cfg, "pseudonym_key_file"));
    assert_non_null(path);
    char *key = tu_read(path, len);
    assert_non_null(key);
    json_decref(cfg);
    while (*len && (key[*len - 1] == '\n' || key[*len - 1] == '\r'))
        key[--*len] = '\0';
    return key;
}

static void test_load_pseudonymized_nik(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_pseudonym", NULL, true);
    load_bekasi(&w);
    /* another unit's file, another placement of the same person */
    char *other = tu_write_str("penempatan_2025-09_lain.csv", PLACEMENT_HEADER
                               "1;UJI2509-00001;" BEKASI_NIK_1 ";P;09/02/1989;5;32;3201;47111;"
                               "5223.01;Toko Serba Ada;3.900.000,00;15/09/2025;4;AKAD\r\n");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", "2025-10-01",
              other);

    /* the HMAC's 32 bytes, in a bytea column */
    assert_sql(w.db, "bytea 32",
               "SELECT pg_typeof(nik)::text || ' ' || octet_length(nik) FROM "
               "walidata.penempatan_tenaga_kerja LIMIT 1");
    char *nik1 = sql(w.db, "SELECT encode(nik, 'hex') FROM walidata.penempatan_tenaga_kerja "
                           "WHERE id_penempatan = 'BKS2508-00001'");
    char *nik2 = sql(w.db, "SELECT encode(nik, 'hex') FROM walidata.penempatan_tenaga_kerja "
                           "WHERE id_penempatan = 'UJI2509-00001'");
    assert_int_equal(strlen(nik1), 64);
    assert_string_equal(nik1, nik2); /* stable across runs and files */
    /* keyed HMAC-SHA256 of the NIK under the configured key */
    size_t keylen;
    char *key = pseudonym_key(&w, &keylen);
    unsigned char md[32];
    unsigned int mdlen = 0;
    assert_non_null(HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)BEKASI_NIK_1,
                         strlen(BEKASI_NIK_1), md, &mdlen));
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(nik1, hex);
    /* every NIK is a pseudonym; no raw NIK is anywhere in the dataset or the rejects */
    assert_sql(w.db, "59",
               "SELECT count(*) FILTER (WHERE octet_length(nik) = 32) FROM "
               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja t WHERE "
               "t::text LIKE '%%" BEKASI_NIK_1 "%%' OR position('" BEKASI_NIK_1 "'::bytea IN "
               "nik) > 0");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.reject WHERE field = 'nik' AND value IS NOT "
               "NULL");
    /* a forced reload gives every row the same pseudonym again */
    const char *all = "SELECT md5(string_agg(encode(nik, 'hex'), ',' ORDER BY id_penempatan)) "
                      "FROM walidata.penempatan_tenaga_kerja";
    char *niks = sql(w.db, "%s", all);
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              "--force", BEKASI);
    assert_sql(w.db, niks, "%s", all);

    /* a table made before 0.3.0 keeps the pseudonym's hex in text: db migrate accepts it,
     * and a load writes the same pseudonyms there, as hex */
    free(sql(w.db, "DROP VIEW walidata.v_penempatan_tenaga_kerja; ALTER TABLE "
                   "walidata.penempatan_tenaga_kerja ALTER COLUMN nik TYPE text USING "
                   "encode(nik, 'hex'); SELECT 1"));
    wd_expect(&w, 0, "db", "migrate");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              "--force", BEKASI);
    assert_sql(w.db, "text 4", "SELECT min(pg_typeof(nik)::text) || ' ' || max(_run_id) FROM "
                               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, niks,
               "SELECT md5(string_agg(nik, ',' ORDER BY id_penempatan)) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(niks);
    free(key);
    free(nik1);
    free(nik2);
    free(other);
    warehouse_close(&w);
}

static void test_load_dropped_and_personal_fields(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_privacy_drop", UJI_MAPPINGS, true);
    assert_sql(w.db, "id,teks,telepon,kode,_run_id,_loaded_at",
               "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
               "information_schema.columns WHERE table_schema = 'walidata' AND table_name = "
               "'uji_teks'");
    assert_sql(w.db, "(dropped) drop t",
               "SELECT concat_ws(' ', type, privacy, personal) FROM "
               "meta.variable WHERE dataset = 'uji_teks' AND name = "
               "'nama'");
    char *file = tu_write_str("privasi.csv", "id,teks,nama,telepon,kode\n"
                                             "P1,satu,Budi Santoso,081234567890,\n"
                                             "P2,dua,Siti Rahayu,081298765432,\n"
                                             "P3,tiga,Nama yang terlalu panjang sekali,0812,\n"
                                             "P4,empat,Ani,bukan-nomor-0812,\n");
    struct tu_result r = wd(&w, "load", "--mapping", "uji_teks", file, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out,
                       "published as run 1 into walidata.uji_teks: 2 rows (2 of 4 rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "P1 satu 081234567890",
               "SELECT concat_ws(' ', id, teks, telepon) FROM "
               "walidata.uji_teks WHERE id = 'P1'");
    /* the dropped values are nowhere: not in the table, not in the rejects */
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.uji_teks t WHERE t::text LIKE '%%Budi%%' "
               "OR t::text LIKE '%%Siti%%'");
    assert_sql(w.db, "3|nama|maxLength|t,4|telepon|pattern|t",
               "SELECT string_agg(concat_ws('|', row_number, field, rule, value IS NULL), ',' "
               "ORDER BY row_number) FROM etl.reject WHERE run_id = 1");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.reject WHERE value LIKE '%%panjang%%' OR "
               "value LIKE '%%bukan%%'");
    /* a personal column is kept, but not for analysts */
    char *e = tu_sql_error(w.db, "SET ROLE walidata_analyst; SELECT telepon FROM walidata.uji_teks");
    assert_non_null(e);
    tu_assert_contains(e, "permission denied");
    free(e);
    assert_sql(w.db, "0",
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'walidata' AND table_name = 'v_uji_teks' AND column_name IN ('nama', "
               "'telepon')");
    free(file);
    warehouse_close(&w);
}

static void test_load_without_pseudonym_key_refused(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_no_key", NULL, true);
    char *cfg_path = NULL;
    if (asprintf(&cfg_path, "%s/tanpa-kunci.json", tu_tmpdir()) < 0)
        abort();
    json_t *cfg = json_pack("{s:s}", "database", w.db);
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    struct warehouse nokey = {w.db, cfg_path, NULL};
    struct tu_result r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, "pseudonym_key_file");
    tu_assert_contains(r.err, "nik");
    assert_null(strstr(r.out, "published"));
    tu_result_free(&r);

    /* a key too short, and a key file that is not there, are refused too */
    char *short_key = tu_write_str("pendek.key", "pendek\n");
    cfg = json_pack("{s:s, s:s}", "database", w.db, "pseudonym_key_file", short_key);
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, short_key);
    tu_assert_contains(r.err, "at least");
    tu_result_free(&r);
    cfg = json_pack("{s:s, s:s}", "database", w.db, "pseudonym_key_file", "/no/such/walidata.key");
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, "/no/such/walidata.key");
    tu_result_free(&r);

    assert_sql(w.db, "0 0",
               "SELECT (SELECT count(*) FROM etl.run) || ' ' || (SELECT count(*) "
               "FROM walidata.penempatan_tenaga_kerja)");
    free(short_key);
    free(cfg_path);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_pseudonymized_nik, kill_children),
        cmocka_unit_test_teardown(test_load_dropped_and_personal_fields, kill_children),
        cmocka_unit_test_teardown(test_load_without_pseudonym_key_refused, kill_children),
    };
    /* WD_TEST_FILTER=test_load_pseudonym* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
