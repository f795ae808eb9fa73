/*
 * test_warehouse_migrate.c - the warehouse as `db migrate` and `codes import` build it, checked
 * in a real PostgreSQL (tests/with-pg starts one and exports WALIDATA_TEST_DB): migrations that
 * can run any number of times (a second run changes nothing, and turns a pre-0.3.0 B-tree on
 * _run_id into a BRIN), one table per shipped definition with its lineage columns, key,
 * comments and Satu Data metadata, the reference code lists and crosswalks imported once, and
 * two migrations of a new warehouse at once, both of which succeed, the second waiting for the
 * first.
 *
 * Definitions that change under a warehouse are tested in test_warehouse_definitions.c, what an
 * analyst may read in test_warehouse_analyst.c.
 *
 * Each test makes its own database (wd_<test>) and drives the walidata binary as a process,
 * as an operator would; the database is then read with libpq.
 */
#include "dbassert.h"

#include <dirent.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

/* ---- helpers ---- */

/* Every definition under mappings/, loaded with jansson; returns how many. */
static size_t shipped_definitions(json_t *out[], size_t cap)
{
    DIR *d = opendir("mappings");
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        assert_true(n < cap);
        char path[600];
        snprintf(path, sizeof(path), "mappings/%s", e->d_name);
        out[n++] = json_file(path);
    }
    closedir(d);
    return n;
}

/* How many migrations this source tree holds (etl/sql/NNN_name.sql). */
static int migration_count(void)
{
    DIR *d = opendir("etl/sql");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
            strcmp(e->d_name + len - 4, ".sql") == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* A fingerprint of the tables of the four schemas: oids, columns, types, privileges,
 * constraints, indexes. Views are left out (the analysts' views are recreated). */
static const char catalog_sql[] =
    "SELECT md5(string_agg(x, E'\\n' ORDER BY x)) FROM ("
    " SELECT format('%s %s.%s %s %s %s %s %s', c.oid, n.nspname, c.relname, a.attnum, a.attname,"
    "   format_type(a.atttypid, a.atttypmod), c.relacl, a.attacl) AS x"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    " WHERE n.nspname IN ('etl', 'ref', 'meta', 'walidata') AND c.relkind IN ('r', 'i')"
    " UNION ALL SELECT format('%s %s %s', oid, conname, pg_get_constraintdef(oid))"
    " FROM pg_constraint WHERE connamespace IN (SELECT oid FROM pg_namespace"
    "   WHERE nspname IN ('etl', 'ref', 'meta', 'walidata'))) s";

/* ---- tests ---- */

static void test_migrate_twice_changes_nothing(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_migrate_twice", NULL, false);
    int n = migration_count();
    assert_true(n >= 2);

    struct tu_result r = wd(&w, "db", "migrate", NULL);
    assert_status(r, 0);
    char expect[128];
    snprintf(expect, sizeof(expect), "warehouse schema at version %d (%d migrations applied)", n,
             n);
    tu_assert_contains(r.out, expect);
    tu_assert_contains(r.out, "applied migration 001 warehouse");
    tu_assert_contains(r.out, "created table walidata.penempatan_tenaga_kerja");
    assert_string_equal(r.err, "");
    tu_result_free(&r);

    char count[16];
    snprintf(count, sizeof(count), "%d", n);
    assert_sql(w.db, count, "SELECT count(*) FROM etl.schema_version");
    assert_sql(w.db, count, "SELECT max(version) FROM etl.schema_version");
    char *versions = sql(w.db, "SELECT string_agg(version || ' ' || name || ' ' || applied_at, "
                               "',' ORDER BY version) FROM etl.schema_version");
    char *catalog = sql(w.db, "%s", catalog_sql);
    char *meta = sql(w.db, "SELECT md5(string_agg(d::text, ',' ORDER BY name)) FROM "
                           "(SELECT name, title, version, metadata, table_name, mode, "
                           "primary_key, period FROM meta.dataset) d");
    char *vars = sql(w.db, "SELECT md5(string_agg(v::text, ',' ORDER BY dataset, name)) FROM "
                           "meta.variable v");

    r = wd(&w, "db", "migrate", NULL);
    assert_status(r, 0);
    snprintf(expect, sizeof(expect), "warehouse schema at version %d (0 migrations applied)", n);
    tu_assert_contains(r.out, expect);
    assert_null(strstr(r.out, "applied migration"));
    assert_null(strstr(r.out, "created table"));
    assert_null(strstr(r.out, "added column"));
    assert_string_equal(r.err, "");
    tu_result_free(&r);

    assert_sql(w.db, versions,
               "SELECT string_agg(version || ' ' || name || ' ' || applied_at, "
               "',' ORDER BY version) FROM etl.schema_version");
    assert_sql(w.db, catalog, "%s", catalog_sql);
    assert_sql(w.db, meta,
               "SELECT md5(string_agg(d::text, ',' ORDER BY name)) FROM "
               "(SELECT name, title, version, metadata, table_name, mode, "
               "primary_key, period FROM meta.dataset) d");
    assert_sql(w.db, vars,
               "SELECT md5(string_agg(v::text, ',' ORDER BY dataset, name)) FROM "
               "meta.variable v");

    /* a table made before 0.3.0 found a run's rows with a B-tree: migrate makes it a BRIN,
     * and leaves the table's other indexes alone */
    free(sql(w.db, "DROP INDEX walidata.penempatan_tenaga_kerja__run_id_idx; CREATE INDEX "
                   "ON walidata.penempatan_tenaga_kerja (_run_id); SELECT 1"));
    const char *run_indexes =
        "SELECT string_agg(am.amname || ':' || i.indisprimary, ',' ORDER BY am.amname, "
        "i.indisprimary) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = "
        "c.relam WHERE i.indrelid = 'walidata.penempatan_tenaga_kerja'::regclass";
    assert_sql(w.db, "btree:false,btree:true", "%s", run_indexes);
    wd_expect(&w, 0, "db", "migrate");
    assert_sql(w.db, "brin:false,btree:true", "%s", run_indexes);
    free(versions);
    free(catalog);
    free(meta);
    free(vars);
    warehouse_close(&w);
}

static void test_dataset_tables_keys_comments_metadata(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_dataset_tables", NULL, false);
    wd_expect(&w, 0, "db", "migrate");

    json_t *defs[64];
    size_t ndefs = shipped_definitions(defs, 64);
    assert_true(ndefs >= 10);
    char num[32];
    snprintf(num, sizeof(num), "%zu", ndefs);
    assert_sql(w.db, num, "SELECT count(*) FROM meta.dataset");
    assert_sql(w.db, num, "SELECT count(*) FROM pg_tables WHERE schemaname = 'walidata'");
    assert_sql(w.db, num, "SELECT count(*) FROM pg_views WHERE schemaname = 'walidata'");
    size_t nvars = 0;
    for (size_t d = 0; d < ndefs; d++) {
        const char *name = json_string_value(json_object_get(defs[d], "name"));
        const char *table =
            json_string_value(json_object_get(json_object_get(defs[d], "target"), "table"));
        json_t *schema = json_object_get(defs[d], "schema");
        json_t *fields = json_object_get(schema, "fields");
        nvars += json_array_size(fields);

        /* the lineage columns */
        assert_sql(w.db, "bigint NO",
                   "SELECT data_type || ' ' || is_nullable FROM information_schema.columns "
                   "WHERE table_schema = 'walidata' AND table_name = '%s' AND column_name = "
                   "'_run_id'",
                   table);
        assert_sql(w.db, "timestamp with time zone NO",
                   "SELECT data_type || ' ' || is_nullable FROM information_schema.columns "
                   "WHERE table_schema = 'walidata' AND table_name = '%s' AND column_name = "
                   "'_loaded_at'",
                   table);
        /* no foreign key on _run_id: the run that loads the rows writes both in one
         * transaction, and the key cost about 3 s per million rows (bench/) */
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                   "AND conrelid = 'walidata.%s'::regclass",
                   table);
        /* a run's rows are found by a BRIN index on _run_id, the only index besides the
         * primary key */
        assert_sql(w.db, "brin",
                   "SELECT string_agg(am.amname, ',') FROM pg_index i JOIN pg_class c ON "
                   "c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = "
                   "'walidata.%s'::regclass AND NOT i.indisprimary",
                   table);
        /* one column per stored field, in the definition's order, then the two */
        char want[4096] = "";
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
            const char *privacy = json_string_value(json_object_get(f, "privacy"));
            if (privacy && strcmp(privacy, "drop") == 0)
                continue;
            strcat(want, json_string_value(json_object_get(f, "name")));
            strcat(want, ",");
        }
        strcat(want, "_run_id,_loaded_at");
        assert_sql(w.db, want,
                   "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                   "information_schema.columns WHERE table_schema = 'walidata' AND "
                   "table_name = '%s'",
                   table);
        /* the primary key, in the definition's order */
        char pk[1024] = "";
        json_t *k;
        json_array_foreach(json_object_get(schema, "primaryKey"), i, k)
        {
            if (i)
                strcat(pk, ",");
            strcat(pk, json_string_value(k));
        }
        assert_sql(w.db, pk,
                   "SELECT coalesce(string_agg(a.attname, ',' ORDER BY k.n), '') FROM pg_index "
                   "x CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) JOIN "
                   "pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum WHERE "
                   "x.indisprimary AND x.indrelid = 'walidata.%s'::regclass",
                   table);
        /* the metadata */
        const char *title = json_string_value(json_object_get(defs[d], "title"));
        assert_sql(w.db, title, "SELECT title FROM meta.dataset WHERE name = '%s'", name);
        assert_sql(w.db, json_string_value(json_object_get(defs[d], "version")),
                   "SELECT version FROM meta.dataset WHERE name = '%s'", name);
        snprintf(num, sizeof(num), "%zu", json_array_size(fields));
        assert_sql(w.db, num, "SELECT count(*) FROM meta.variable WHERE dataset = '%s'", name);
        /* the table's comment starts with the title and names the produsen data */
        char *comment =
            sql(w.db, "SELECT obj_description('walidata.%s'::regclass, 'pg_class')", table);
        assert_int_equal(strncmp(comment, title, strlen(title)), 0);
        const json_t *md = json_object_get(defs[d], "metadata");
        tu_assert_contains(comment, json_string_value(json_object_get(md, "produsen_data")));
        tu_assert_contains(comment, json_string_value(json_object_get(md, "frekuensi")));
        free(comment);
        /* every stored column has a comment */
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM information_schema.columns c WHERE table_schema = "
                   "'walidata' AND table_name = '%s' AND column_name NOT LIKE '\\_%%' AND "
                   "col_description('walidata.%s'::regclass, c.ordinal_position::int) IS NULL",
                   table, table);
        json_decref(defs[d]);
    }
    snprintf(num, sizeof(num), "%zu", nvars);
    assert_sql(w.db, num, "SELECT count(*) FROM meta.variable");

    /* what the comments and metadata say, for two datasets */
    assert_sql(w.db,
               "Nilai UMP per bulan. Upah bulanan terendah yang ditetapkan gubernur untuk "
               "provinsi dan tahun tersebut, dalam rupiah. Satuan: rupiah.",
               "SELECT col_description('walidata.upah_minimum_provinsi'::regclass, "
               "(SELECT attnum FROM pg_attribute WHERE attrelid = "
               "'walidata.upah_minimum_provinsi'::regclass AND attname = 'nilai')::int)");
    char *c = sql(w.db, "SELECT col_description('walidata.penempatan_tenaga_kerja'::regclass, "
                        "(SELECT attnum FROM pg_attribute WHERE attrelid = "
                        "'walidata.penempatan_tenaga_kerja'::regclass AND attname = "
                        "'kode_kabkota')::int)");
    tu_assert_contains(c, "Kode referensi: wilayah_kabkota 2025 (Kemendagri).");
    free(c);
    c = sql(w.db, "SELECT col_description('walidata.penempatan_tenaga_kerja'::regclass, "
                  "(SELECT attnum FROM pg_attribute WHERE attrelid = "
                  "'walidata.penempatan_tenaga_kerja'::regclass AND attname = 'nik')::int)");
    tu_assert_contains(c, "NIK pencari kerja");
    tu_assert_contains(c, "Pseudonymized (HMAC-SHA256)");
    free(c);
    assert_sql(w.db, "replace {tahun} {kode_provinsi,tahun} tahunan provinsi",
               "SELECT concat_ws(' ', mode, period, primary_key, frekuensi, cakupan) FROM "
               "meta.dataset WHERE name = 'upah_minimum_provinsi'");
    assert_sql(w.db, "Permenaker 39/2016",
               "SELECT substring(metadata->>'dasar_rujukan' from 'Permenaker 39/2016') FROM "
               "meta.dataset WHERE name = 'penempatan_tenaga_kerja'");
    assert_sql(w.db, "2 bytea t pseudonymize",
               "SELECT concat_ws(' ', position, type, personal, privacy) FROM meta.variable "
               "WHERE dataset = 'penempatan_tenaga_kerja' AND name = 'nik'");
    assert_sql(w.db, "numeric rupiah f",
               "SELECT concat_ws(' ', type, unit, personal) FROM meta.variable WHERE dataset = "
               "'upah_minimum_provinsi' AND name = 'nilai'");
    assert_sql(w.db, "wilayah_kabkota",
               "SELECT codelist FROM meta.variable WHERE dataset = 'penempatan_tenaga_kerja' "
               "AND name = 'kode_kabkota'");
    warehouse_close(&w);
}

static void test_codes_import_twice(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_codes_twice", NULL, false);
    wd_expect(&w, 0, "db", "migrate");
    json_t *manifest = json_file("reference-codes/codelists.json");
    size_t lists = json_array_size(json_object_get(manifest, "codelists"));
    size_t xwalks = json_array_size(json_object_get(manifest, "crosswalks"));
    json_decref(manifest);
    assert_true(lists >= 22 && xwalks >= 2);

    struct tu_result r = wd(&w, "codes", "import", NULL);
    assert_status(r, 0);
    char expect[160];
    snprintf(expect, sizeof(expect),
             "%zu code lists and crosswalks imported; 0 already in the warehouse", lists + xwalks);
    tu_assert_contains(r.out, expect);
    tu_assert_contains(r.out, "imported wilayah_kecamatan 2025 (7285 codes, Kemendagri)");
    tu_result_free(&r);
    char num[32];
    snprintf(num, sizeof(num), "%zu", lists);
    assert_sql(w.db, num, "SELECT count(*) FROM ref.codelist");
    assert_sql(w.db, "7285",
               "SELECT count(*) FROM ref.code WHERE name = 'wilayah_kecamatan' AND version = "
               "'2025'");
    assert_sql(w.db, "7266",
               "SELECT count(*) FROM ref.code WHERE name = 'wilayah_kecamatan' AND version = "
               "'2022'");
    assert_sql(w.db, "7285",
               "SELECT codes FROM ref.codelist WHERE name = 'wilayah_kecamatan' AND version = "
               "'2025'");
    assert_sql(w.db, "38",
               "SELECT count(*) FROM ref.code WHERE name = 'wilayah_provinsi' AND version = "
               "'2025'");
    assert_sql(w.db, "Kota Bekasi",
               "SELECT label FROM ref.code WHERE name = 'wilayah_kabkota' AND version = '2025' "
               "AND code = '3275'");
    assert_sql(w.db, "32",
               "SELECT parent FROM ref.code WHERE name = 'wilayah_kabkota' AND version = '2025' "
               "AND code = '3275'");
    assert_sql(w.db, "34 514",
               "SELECT (SELECT count(*) FROM ref.crosswalk WHERE name = "
               "'provinsi_bps_kemendagri') || ' ' || (SELECT count(*) FROM ref.crosswalk WHERE "
               "name = 'kabkota_bps_kemendagri')");
    assert_sql(w.db, "3174",
               "SELECT to_code FROM ref.crosswalk WHERE name = 'kabkota_bps_kemendagri' AND "
               "from_code = '3171'");
    char *codes = sql(w.db, "SELECT md5(string_agg(c::text, ',' ORDER BY name, version, code)) "
                            "FROM ref.code c");
    char *when = sql(w.db, "SELECT max(imported_at) FROM ref.codelist");

    r = wd(&w, "codes", "import", NULL);
    assert_status(r, 0);
    snprintf(expect, sizeof(expect),
             "0 code lists and crosswalks imported; %zu already in the warehouse", lists + xwalks);
    tu_assert_contains(r.out, expect);
    assert_null(strstr(r.out, "imported wilayah"));
    tu_result_free(&r);
    assert_sql(w.db, codes,
               "SELECT md5(string_agg(c::text, ',' ORDER BY name, version, code)) "
               "FROM ref.code c");
    assert_sql(w.db, when, "SELECT max(imported_at) FROM ref.codelist");
    assert_sql(w.db, "7285",
               "SELECT count(*) FROM ref.code WHERE name = 'wilayah_kecamatan' AND version = "
               "'2025'");
    free(codes);
    free(when);
    warehouse_close(&w);
}

/* Two operators (or two hosts' deployment scripts) running db migrate at the same moment on a
 * new warehouse: both must succeed, and the warehouse must be whole. The schema migrations
 * are applied first (with no definitions), and the test holds meta.dataset, which a
 * dataset's metadata needs, until both processes wait: the second must wait for the
 * first, not race it, whatever the machine's speed. */
static void test_migrate_concurrently(void **state)
{
    (void)state;
    char *empty = tmp_subdir("mappings-empty");
    struct warehouse w;
    warehouse_open(&w, "wd_migrate_concurrently", empty, false);
    wd_expect(&w, 0, "db", "migrate");
    assert_sql(w.db, "0", "SELECT count(*) FROM pg_tables WHERE schemaname = 'walidata'");

    PGconn *holder = PQconnectdb(w.db);
    assert_int_equal(PQstatus(holder), CONNECTION_OK);
    PGresult *res = PQexec(holder, "BEGIN; LOCK TABLE meta.dataset IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);

    const char *bin = getenv("WALIDATA_BIN");
    char *argv[] = {
        (char *)(bin ? bin : "build/walidata"), "--config", w.cfg, "db", "migrate", NULL};
    pid_t pids[2];
    char errs[2][600];
    for (int i = 0; i < 2; i++) {
        snprintf(errs[i], sizeof(errs[i]), "%s/migrate-%d.err", tu_tmpdir(), i);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            int o = open("/dev/null", O_WRONLY);
            int e = open(errs[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (o < 0 || e < 0)
                _exit(126);
            dup2(o, 1);
            dup2(e, 2);
            execv(argv[0], argv);
            _exit(127);
        }
    }
    /* both wait: one for meta.dataset, the other for the first */
    bool waiting = false;
    for (int t = 0; t < 1000 && !waiting; t++) {
        char *n = sql(w.db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                            "'walidata' AND datname = current_database() AND wait_event_type = "
                            "'Lock'");
        waiting = strcmp(n, "2") == 0;
        free(n);
        if (!waiting) {
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
        }
    }
    res = PQexec(holder, "COMMIT");
    PQclear(res);
    PQfinish(holder);
    for (int i = 0; i < 2; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        char *err = tu_read(errs[i], NULL);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail_msg("db migrate %d of 2 run at once: status 0x%x\n%s", i + 1, st, err);
        free(err);
    }
    assert_true(waiting);
    json_t *defs[64];
    size_t ndefs = shipped_definitions(defs, 64);
    char num[32];
    snprintf(num, sizeof(num), "%zu %zu", ndefs, ndefs);
    assert_sql(w.db, num,
               "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = "
               "'walidata') || ' ' || (SELECT count(*) FROM meta.dataset)");
    for (size_t d = 0; d < ndefs; d++)
        json_decref(defs[d]);
    free(empty);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_twice_changes_nothing),
        cmocka_unit_test(test_dataset_tables_keys_comments_metadata),
        cmocka_unit_test(test_codes_import_twice),
        cmocka_unit_test(test_migrate_concurrently),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
