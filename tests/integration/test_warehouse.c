/*
 * test_warehouse.c - the warehouse as `db migrate` and `codes import` leave it, checked in a
 * real PostgreSQL (tests/with-pg starts one and exports WALIDATA_TEST_DB): migrations that
 * can run any number of times, one table per dataset with its lineage columns, key, comments
 * and Satu Data metadata, the reference code lists imported once, definition changes the
 * warehouse takes (a new field) and those it refuses (a field removed or retyped), hostile
 * table names refused before any SQL, the analyst role that cannot read personal columns,
 * an analyst's own view over v_<dataset>, which must not stop the next migrate, and two
 * migrations of a new warehouse at once.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define UMP_2024 "tests/samples/upah_minimum_provinsi/ump_2024_ditjen_phi_jamsos.csv"
#define UMP_DEF "mappings/upah_minimum_provinsi.json"
/* Arrival days that make the samples timely, so that scores do not depend on today. */
#define BEKASI_ARRIVED "2025-09-10"
#define UMP_ARRIVED "2025-01-10"

/* ---- helpers ---- */

/* A new folder in the test's temporary folder; returns its path (caller frees). */
static char *tmp_subdir(const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", tu_tmpdir(), name) < 0)
        abort();
    if (mkdir(path, 0700) != 0)
        fail_msg("mkdir %s failed", path);
    return path;
}

static json_t *json_file(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

/* Writes j as dir/file; returns the path (caller frees). */
static char *json_write(const json_t *j, const char *dir, const char *file)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, file) < 0)
        abort();
    if (json_dump_file(j, path, JSON_INDENT(2)) != 0)
        fail_msg("could not write %s", path);
    return path;
}

/* The field named name in a definition's schema.fields (borrowed), and its index. */
static json_t *field_of(json_t *def, const char *name, size_t *index)
{
    json_t *fields = json_object_get(json_object_get(def, "schema"), "fields");
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) {
            if (index)
                *index = i;
            return f;
        }
    }
    fail_msg("no field %s in the definition", name);
    return NULL;
}

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

static void test_definition_adds_field(void **state)
{
    (void)state;
    char *dir = tmp_subdir("mappings-add");
    struct warehouse w;
    warehouse_open(&w, "wd_definition_add", dir, false);
    json_t *def = json_file(UMP_DEF);
    char *path = json_write(def, dir, "upah_minimum_provinsi.json");
    wd_expect(&w, 0, "db", "migrate");
    wd_expect(&w, 0, "codes", "import");
    wd_expect(&w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    assert_sql(w.db, "37", "SELECT count(*) FROM walidata.upah_minimum_provinsi");

    /* a new field at the end and one in the middle */
    json_t *fields = json_object_get(json_object_get(def, "schema"), "fields");
    json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:s}", "name", "catatan", "source",
                                            "CATATAN", "type", "string", "title", "Catatan"));
    json_array_insert_new(fields, 3,
                          json_pack("{s:s, s:s, s:s, s:s}", "name", "jumlah_pekerja", "source",
                                    "JUMLAH", "type", "integer", "title", "Jumlah pekerja"));
    json_object_set_new(def, "version", json_string("2025.2"));
    free(json_write(def, dir, "upah_minimum_provinsi.json"));
    struct tu_result r = wd(&w, "db", "migrate", NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out,
                       "added column jumlah_pekerja bigint to walidata.upah_minimum_provinsi");
    tu_assert_contains(r.out, "added column catatan text to walidata.upah_minimum_provinsi");
    tu_result_free(&r);
    assert_sql(w.db, "text YES",
               "SELECT data_type || ' ' || is_nullable FROM information_schema.columns WHERE "
               "table_schema = 'walidata' AND table_name = 'upah_minimum_provinsi' AND "
               "column_name = 'catatan'");
    assert_sql(w.db, "bigint",
               "SELECT data_type FROM information_schema.columns WHERE table_schema = "
               "'walidata' AND table_name = 'upah_minimum_provinsi' AND column_name = "
               "'jumlah_pekerja'");
    /* the published rows are kept, the new columns empty; metadata follows the definition */
    assert_sql(w.db, "37 0",
               "SELECT count(*) || ' ' || count(catatan) FROM walidata.upah_minimum_provinsi");
    assert_sql(w.db, "2025.2", "SELECT version FROM meta.dataset");
    assert_sql(w.db, "8", "SELECT count(*) FROM meta.variable");
    assert_sql(w.db, "Catatan", "SELECT title FROM meta.variable WHERE name = 'catatan'");
    assert_sql(w.db, "Catatan.",
               "SELECT col_description('walidata.upah_minimum_provinsi'::regclass, (SELECT "
               "attnum FROM pg_attribute WHERE attrelid = "
               "'walidata.upah_minimum_provinsi'::regclass AND attname = 'catatan')::int)");
    /* the analysts' view shows the new columns */
    assert_sql(w.db, "2",
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'walidata' AND table_name = 'v_upah_minimum_provinsi' AND column_name IN "
               "('catatan', 'jumlah_pekerja')");
    /* and a third run changes nothing more */
    r = wd(&w, "db", "migrate", NULL);
    assert_status(r, 0);
    assert_null(strstr(r.out, "added column"));
    tu_result_free(&r);
    json_decref(def);
    free(path);
    free(dir);
    warehouse_close(&w);
}

/* tmpl with each "{}" replaced by path; returns a new string. */
static char *with_path(const char *tmpl, const char *path)
{
    size_t n = strlen(tmpl) + 1;
    for (const char *p = strstr(tmpl, "{}"); p; p = strstr(p + 2, "{}"))
        n += strlen(path);
    char *out = malloc(n), *o = out;
    for (const char *p = tmpl; *p;) {
        if (p[0] == '{' && p[1] == '}') {
            o = stpcpy(o, path);
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* One definition change the warehouse refuses, and what the message must say. */
struct refused_change {
    const char *what;
    void (*change)(json_t *def);
    const char *message;
    const char *hint;
};

static void remove_dasar_hukum(json_t *def)
{
    size_t i;
    field_of(def, "dasar_hukum", &i);
    json_array_remove(json_object_get(json_object_get(def, "schema"), "fields"), i);
}

static void retype_nilai(json_t *def)
{
    json_object_set_new(field_of(def, "nilai", NULL), "type", json_string("integer"));
}

static void drop_dasar_hukum(json_t *def)
{
    json_object_set_new(field_of(def, "dasar_hukum", NULL), "privacy", json_string("drop"));
}

static void rekey(json_t *def)
{
    json_object_set_new(json_object_get(def, "schema"), "primaryKey",
                        json_pack("[s, s, s]", "kode_provinsi", "tahun", "tanggal_penetapan"));
}

static void test_definition_remove_or_retype_refused(void **state)
{
    (void)state;
    static const struct refused_change cases[] = {
        {"remove", remove_dasar_hukum,
         "walidata: {}: table walidata.upah_minimum_provinsi has column dasar_hukum, which the "
         "definition no longer has",
         "HINT: Put the field back in {}, or, once its data is no longer needed, drop the "
         "column yourself: ALTER TABLE walidata.upah_minimum_provinsi DROP COLUMN dasar_hukum."},
        {"retype", retype_nilai,
         "walidata: {}: column nilai of walidata.upah_minimum_provinsi is numeric in the "
         "warehouse, but the definition makes it bigint",
         "HINT: Keep the field's type, or publish the new type as a new dataset"},
        {"drop", drop_dasar_hukum,
         "walidata: {}: table walidata.upah_minimum_provinsi has column dasar_hukum, which the "
         "definition now drops",
         "DROP COLUMN dasar_hukum"},
        {"rekey", rekey,
         "walidata: {}: walidata.upah_minimum_provinsi has the primary key (kode_provinsi,tahun), "
         "but the definition says (kode_provinsi,tahun,tanggal_penetapan)",
         "HINT: A published dataset keeps its key"},
    };
    char *dir = tmp_subdir("mappings-refuse");
    struct warehouse w;
    warehouse_open(&w, "wd_definition_refused", dir, false);
    json_t *def = json_file(UMP_DEF);
    char *path = json_write(def, dir, "upah_minimum_provinsi.json");
    wd_expect(&w, 0, "db", "migrate");
    wd_expect(&w, 0, "codes", "import");
    wd_expect(&w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    char *columns = sql(w.db, "SELECT string_agg(column_name || ' ' || data_type, ',' ORDER BY "
                              "ordinal_position) FROM information_schema.columns WHERE "
                              "table_schema = 'walidata' AND table_name = "
                              "'upah_minimum_provinsi'");
    char *data = sql(w.db, "SELECT md5(string_agg(t::text, ',' ORDER BY kode_provinsi)) FROM "
                           "walidata.upah_minimum_provinsi t");
    char *vars = sql(w.db, "SELECT md5(string_agg(v::text, ',' ORDER BY name)) FROM "
                           "meta.variable v");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *changed = json_deep_copy(def);
        cases[i].change(changed);
        json_object_set_new(changed, "version", json_string("2099.1"));
        free(json_write(changed, dir, "upah_minimum_provinsi.json"));
        json_decref(changed);
        /* the definition itself is fine: only the warehouse cannot take it */
        struct tu_result r = wd(&w, "mapping", "check", path, NULL);
        if (r.status != 0)
            fail_msg("%s: mapping check exit %d: %s", cases[i].what, r.status, r.err);
        tu_result_free(&r);

        r = wd(&w, "db", "migrate", NULL);
        if (r.status != 2)
            fail_msg("%s: db migrate exit %d, expected 2: %s", cases[i].what, r.status, r.err);
        char *expect = with_path(cases[i].message, path);
        tu_assert_contains(r.err, expect);
        free(expect);
        expect = with_path(cases[i].hint, path);
        tu_assert_contains(r.err, expect);
        free(expect);
        tu_result_free(&r);
        /* nothing changed: columns, rows, metadata */
        assert_sql(w.db, columns,
                   "SELECT string_agg(column_name || ' ' || data_type, ',' "
                   "ORDER BY ordinal_position) FROM information_schema.columns "
                   "WHERE table_schema = 'walidata' AND table_name = "
                   "'upah_minimum_provinsi'");
        assert_sql(w.db, data,
                   "SELECT md5(string_agg(t::text, ',' ORDER BY kode_provinsi)) "
                   "FROM walidata.upah_minimum_provinsi t");
        assert_sql(w.db, "2025.1", "SELECT version FROM meta.dataset");
        assert_sql(w.db, vars,
                   "SELECT md5(string_agg(v::text, ',' ORDER BY name)) FROM "
                   "meta.variable v");
    }
    /* with the definition put back, migrate succeeds again */
    free(json_write(def, dir, "upah_minimum_provinsi.json"));
    wd_expect(&w, 0, "db", "migrate");
    free(columns);
    free(data);
    free(vars);
    json_decref(def);
    free(path);
    free(dir);
    warehouse_close(&w);
}

static void test_hostile_table_names_refused(void **state)
{
    (void)state;
    static const char *const names[] = {
        "x; DROP TABLE etl.run",
        "x\"; DROP TABLE etl.run; --",
        "o'brien",
        "x'); DROP TABLE etl.run; --",
        "Upah",
        "etl.run",
    };
    char *dir = tmp_subdir("mappings-hostile");
    struct warehouse w;
    warehouse_open(&w, "wd_hostile_names", dir, false);
    json_t *def = json_file(UMP_DEF);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        json_object_set_new(json_object_get(def, "target"), "table", json_string(names[i]));
        char *path = json_write(def, dir, "upah_minimum_provinsi.json");
        struct tu_result r = wd(&w, "mapping", "check", path, NULL);
        if (r.status != 2)
            fail_msg("table \"%s\": mapping check exit %d, expected 2", names[i], r.status);
        tu_assert_contains(r.err, "target.table: invalid table name");
        tu_result_free(&r);
        r = wd(&w, "db", "migrate", NULL);
        if (r.status != 2)
            fail_msg("table \"%s\": db migrate exit %d, expected 2", names[i], r.status);
        tu_assert_contains(r.err, "target.table: invalid table name");
        tu_assert_contains(r.err, "^[a-z][a-z0-9_]{0,62}$");
        assert_null(strstr(r.out, "created table"));
        tu_result_free(&r);
        free(path);
    }
    /* nothing was created or dropped: the run table is there, no dataset, no metadata */
    assert_sql(w.db, "etl.run", "SELECT to_regclass('etl.run')::text");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE n.nspname = 'walidata'");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM pg_class WHERE relname LIKE '%%;%%' OR relname LIKE "
               "'%%''%%' OR relname LIKE '%%\"%%' OR relname LIKE 'Upah%%'");
    assert_sql(w.db, "0", "SELECT count(*) FROM meta.dataset");
    json_decref(def);
    free(dir);
    warehouse_close(&w);
}

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
        cmocka_unit_test(test_definition_adds_field),
        cmocka_unit_test(test_definition_remove_or_retype_refused),
        cmocka_unit_test(test_hostile_table_names_refused),
        cmocka_unit_test(test_analyst_cannot_read_personal_columns),
        cmocka_unit_test(test_migrate_with_analyst_view_on_top),
        cmocka_unit_test(test_migrate_concurrently),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
