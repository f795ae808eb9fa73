/*
 * test_warehouse_definitions.c - the changed definitions `db migrate` takes into a warehouse
 * that already holds a dataset's rows, and those it refuses, checked in a real PostgreSQL
 * (tests/with-pg starts one and exports WALIDATA_TEST_DB): a new field, at the end or in the
 * middle, becomes an empty column with its metadata and a place in the analysts' view, the
 * published rows kept; a field removed, retyped or dropped, or a new primary key, is refused
 * with a hint naming the definition, and the table, its rows and its metadata stay as they
 * were; hostile table names are refused by `mapping check` and `db migrate` before any SQL.
 *
 * Each test makes its own database (wd_<test>) and a mappings folder of its own, and drives
 * the walidata binary as a process, as an operator would; the database is then read with
 * libpq.
 */
#include "dbassert.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UMP_2024 "tests/samples/upah_minimum_provinsi/ump_2024_ditjen_phi_jamsos.csv"
#define UMP_DEF "mappings/upah_minimum_provinsi.json"
/* The arrival day that makes the sample timely, so that scores do not depend on today. */
#define UMP_ARRIVED "2025-01-10"

/* ---- helpers ---- */

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

/*
 * Opens a warehouse in database dbname whose mappings folder (sub, made for the test) holds
 * the shipped UMP definition, migrates it, imports the codes and publishes the 2024
 * sample. Returns the definition's path; *dir is the folder and *def the definition (the
 * caller frees all three).
 */
static char *ump_published(struct warehouse *w, const char *dbname, const char *sub, char **dir,
                           json_t **def)
{
    *dir = tmp_subdir(sub);
    warehouse_open(w, dbname, *dir, false);
    *def = json_file(UMP_DEF);
    char *path = json_write(*def, *dir, "upah_minimum_provinsi.json");
    wd_expect(w, 0, "db", "migrate");
    wd_expect(w, 0, "codes", "import");
    wd_expect(w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    return path;
}

/* ---- tests ---- */

static void test_definition_adds_field(void **state)
{
    (void)state;
    struct warehouse w;
    char *dir;
    json_t *def;
    char *path = ump_published(&w, "wd_definition_add", "mappings-add", &dir, &def);
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
    struct warehouse w;
    char *dir;
    json_t *def;
    char *path = ump_published(&w, "wd_definition_refused", "mappings-refuse", &dir, &def);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definition_adds_field),
        cmocka_unit_test(test_definition_remove_or_retype_refused),
        cmocka_unit_test(test_hostile_table_names_refused),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
