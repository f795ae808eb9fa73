/*
 * test_cli.c - the walidata binary as a unit's clerk and a script use it: exit statuses,
 * the JSON report on the bundled samples (exactly the planted defects), the text report,
 * preview, mapping check, help, and every usage and configuration refusal with its message.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"

static json_t *parse_line(const char *text, size_t index)
{
    const char *p = text;
    for (size_t i = 0; i < index && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    assert_non_null(p);
    json_error_t je;
    json_t *o = json_loadb(p, strcspn(p, "\n"), 0, &je);
    if (!o)
        fail_msg("not JSON: %s (%s)", p, je.text);
    return o;
}

static long long int_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Checks rule counts: pairs of rule name and count, ending with NULL. */
static void assert_rules(const json_t *report, ...)
{
    const json_t *rules = json_object_get(report, "rules");
    size_t n = 0;
    va_list ap;
    va_start(ap, report);
    for (const char *rule = va_arg(ap, const char *); rule; rule = va_arg(ap, const char *)) {
        int count = va_arg(ap, int);
        const json_t *v = json_object_get(rules, rule);
        if (!v || json_integer_value(v) != count)
            fail_msg("rule %s: expected %d, found %lld", rule, count,
                     v ? (long long)json_integer_value(v) : -1LL);
        n++;
    }
    va_end(ap);
    assert_int_equal(json_object_size(rules), n);
}

static void assert_error(const json_t *report, size_t i, long long row, long long line,
                         const char *field, const char *rule, const char *message_part)
{
    const json_t *e = json_array_get(json_object_get(report, "errors"), i);
    assert_non_null(e);
    assert_int_equal(int_at(e, "row"), row);
    assert_int_equal(int_at(e, "line"), line);
    assert_string_equal(json_string_value(json_object_get(e, "field")), field);
    assert_string_equal(json_string_value(json_object_get(e, "rule")), rule);
    tu_assert_contains(json_string_value(json_object_get(e, "message")), message_part);
}

static void test_validate_samples_json(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja",
                                     "--format", "json", BEKASI, BOGOR, NULL);
    assert_int_equal(r.status, 1); /* the Bogor file is refused */
    json_t *a = parse_line(r.out, 0), *b = parse_line(r.out, 1);

    assert_string_equal(json_string_value(json_object_get(a, "file")), BEKASI);
    assert_string_equal(json_string_value(json_object_get(a, "dataset")),
                        "penempatan_tenaga_kerja");
    assert_int_equal(int_at(a, "rows"), 60);
    assert_int_equal(int_at(a, "valid"), 58);
    assert_int_equal(int_at(a, "rejected"), 2);
    assert_true(json_is_true(json_object_get(a, "accepted")));
    assert_rules(a, "parent", 1, "nik", 1, NULL);
    assert_error(a, 0, 17, 18, "kode_kabkota", "parent", "3171 is not in provinsi 32");
    assert_error(a, 1, 41, 42, "nik", "nik", "scientific notation");
    assert_int_equal(int_at(a, "blank_lines"), 2);
    const json_t *q = json_object_get(a, "quality");
    assert_true(json_real_value(json_object_get(q, "timeliness")) == 100.0);
    assert_true(json_real_value(json_object_get(q, "score")) > 99.0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "ignored_columns"), 0)),
                        "NO");

    assert_int_equal(int_at(b, "rows"), 40);
    assert_int_equal(int_at(b, "rejected"), 6);
    assert_false(json_is_true(json_object_get(b, "accepted")));
    assert_rules(b, "type", 2, "codelist", 1, "parent", 1, "unique", 1, "required", 1, NULL);
    assert_error(b, 0, 5, 6, "tanggal_penempatan", "type", "not a real date");
    assert_error(b, 1, 9, 10, "jenis_kelamin", "codelist", "X is not a code of jenis kelamin");
    assert_error(b, 2, 12, 13, "kode_kabkota", "parent", "3374 is not in provinsi 32");
    assert_error(b, 3, 20, 21, "id_penempatan", "unique", "repeats an earlier row");
    assert_error(b, 4, 27, 28, "nik", "required", "nik is required");
    assert_error(b, 5, 33, 34, "upah", "type", "empat juta");
    tu_assert_contains(json_string_value(json_object_get(b, "refusal")),
                       "6 of 40 rows (15.0%) were rejected; the dataset allows at most 5.0%");
    json_decref(a);
    json_decref(b);
    tu_result_free(&r);
}

static void test_validate_text_report(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja", BEKASI,
                                     NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "60 read, 58 valid, 2 rejected");
    tu_assert_contains(r.out, "result:   accepted");
    tu_assert_contains(r.out, "parent     kode_kabkota (column KODE_KAB)");
    tu_assert_contains(r.out, "row 17 (line 18)");
    tu_assert_contains(r.out, "ignored columns: NO");
    tu_result_free(&r);
}

static void test_validate_gzip_same_result(void **state)
{
    (void)state;
    size_t len;
    char *data = tu_read(BEKASI, &len);
    char *gz = tu_write_gz("bekasi.csv.gz", data, len, 0);
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja",
                                     "--format", "json", gz, NULL);
    assert_int_equal(r.status, 0);
    json_t *a = parse_line(r.out, 0);
    assert_int_equal(int_at(a, "valid"), 58);
    assert_rules(a, "parent", 1, "nik", 1, NULL);
    json_decref(a);
    tu_result_free(&r);
    /* a truncated copy is refused with a message about the compression */
    char *cut = tu_write_gz("cut.csv.gz", data, len, 700);
    r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja", "--format", "json", cut,
                    NULL);
    assert_int_equal(r.status, 1);
    a = parse_line(r.out, 0);
    tu_assert_contains(json_string_value(json_object_get(json_object_get(a, "error"), "message")),
                       "gzip");
    json_decref(a);
    tu_result_free(&r);
    free(cut);
    free(gz);
    free(data);
}

static void test_validate_max_errors_keeps_counts(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja",
                                     "--format", "json", "--max-errors", "1", BOGOR, NULL);
    json_t *b = parse_line(r.out, 0);
    assert_int_equal(json_array_size(json_object_get(b, "errors")), 1);
    assert_int_equal(int_at(b, "rejected"), 6);
    assert_rules(b, "type", 2, "codelist", 1, "parent", 1, "unique", 1, "required", 1, NULL);
    json_decref(b);
    tu_result_free(&r);
}

static void test_validate_missing_file_is_runtime_error(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja",
                                     "--format", "json", "no/such/file.csv", NULL);
    assert_int_equal(r.status, 3);
    json_t *a = parse_line(r.out, 0);
    tu_assert_contains(json_string_value(json_object_get(json_object_get(a, "error"), "message")),
                       "could not open file");
    json_decref(a);
    tu_result_free(&r);
    r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja", "no/such/file.csv", NULL);
    assert_int_equal(r.status, 3);
    tu_assert_contains(r.err, "no/such/file.csv: could not open file: No such file or directory");
    tu_result_free(&r);
}

static void test_validate_missing_column_refused(void **state)
{
    (void)state;
    char *p = tu_write_str("short.csv", "ID;NIK;JK\r\nX1;3275011708900001;L\r\n");
    struct tu_result r = tu_walidata("validate", "--mapping", "penempatan_tenaga_kerja", p, NULL);
    assert_int_equal(r.status, 1);
    tu_assert_contains(r.out, "REFUSED");
    tu_assert_contains(r.out, "line 1, column \"TGL_LAHIR\" is missing from the header");
    tu_assert_contains(r.out, "The header has 3 columns: \"ID\", \"NIK\", \"JK\".");
    tu_result_free(&r);
    free(p);
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct {
        const char *args[6];
        const char *message;
    } cases[] = {
        {{"validate", BEKASI}, "--mapping is required"},
        {{"validate", "--mapping", "penempatan_tenaga_kerja"}, "expected one or more files"},
        {{"validate", "--mapping", "penempatan_tenaga_kerja", "--format", "xml", BEKASI},
         "unknown format \"xml\": expected text or json"},
        {{"validate", "--mapping", "penempatan_tenaga_kerja", "--max-errors", "-3", BEKASI},
         "--max-errors expects a whole number"},
        {{"validate", "--mapping", "tidak_ada", BEKASI}, "mappings/tidak_ada.json"},
        {{"validate", "--mapping", "Bad Name", BEKASI}, "invalid dataset name \"Bad Name\""},
        {{"preview"}, "expected exactly one file"},
        {{"preview", "--rows", "0", BEKASI}, "--rows expects a whole number from 1"},
        {{"mapping"}, "expected a subcommand: check"},
        {{"mapping", "lint"}, "unknown subcommand \"lint\""},
        {{"db"}, "walidata db: expected a subcommand: migrate"},
        {{"db", "upgrade"}, "walidata db: unknown subcommand \"upgrade\": expected migrate"},
        {{"db", "migrate", "extra"}, "db migrate takes no arguments"},
        {{"codes"}, "walidata codes: expected a subcommand: import"},
        {{"codes", "export"}, "walidata codes: unknown subcommand \"export\": expected import"},
        {{"frobnicate"}, "unknown command \"frobnicate\""},
        {{"job", "frob"}, "expected add, list, show, run, pause, resume or rm"},
        {{"job", "add", "x"}, "job add needs --mapping M and --source URI"},
        {{"job", "add", "Bad", "--mapping", "penempatan_tenaga_kerja"}, "invalid job name"},
        {{"job", "add", "a", "--mapping", "m", "--source"}, "requires an argument"},
        {{"help", "frobnicate"}, "unknown command \"frobnicate\""},
        {{"run", "show"}, "walidata run: expected one run id"},
        {{"run", "show", "7", "8"}, "walidata run: expected one run id"},
        {{"run", "show", "abc"}, "the run id expects a whole number from 1 to"},
        {{"rejects"}, "walidata rejects: expected one run id"},
        {{"rejects", "0"}, "the run id expects a whole number from 1 to"},
        {{"rejects", "--format", "xml", "3"}, "unknown format \"xml\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char **a = cases[i].args;
        struct tu_result r = tu_walidata(a[0], a[1], a[2], a[3], a[4], a[5], NULL);
        if (r.status != 2)
            fail_msg("case %zu (%s): exit %d, stderr %s", i, a[0], r.status, r.err);
        tu_assert_contains(r.err, cases[i].message);
        tu_result_free(&r);
    }
}

static void test_config_refusals(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("--config", "no/such/walidata.json", "mapping", "check",
                                     "mappings/penempatan_tenaga_kerja.json", NULL);
    assert_int_equal(r.status, 2);
    tu_assert_contains(r.err, "no/such/walidata.json");
    tu_result_free(&r);
    char *cfg = tu_write_str("walidata.json", "{\"database\": \"\", \"worker\": 2}");
    r = tu_walidata("--config", cfg, "mapping", "check", "mappings/penempatan_tenaga_kerja.json",
                    NULL);
    assert_int_equal(r.status, 2);
    tu_assert_contains(r.err, "walidata.json: worker: unknown key");
    tu_assert_contains(r.err, "HINT: Did you mean \"workers\"?");
    tu_result_free(&r);
    free(cfg);
    r = tu_walidata("--codes", "tests", "mapping", "check", "mappings/penempatan_tenaga_kerja.json",
                    NULL);
    assert_int_equal(r.status, 2);
    tu_assert_contains(r.err, "tests/codelists.json");
    tu_result_free(&r);
}

static void test_mapping_check(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("mapping", "check", "mappings/penempatan_tenaga_kerja.json",
                                     NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "ok  mappings/penempatan_tenaga_kerja.json: penempatan_tenaga_kerja");
    tu_assert_contains(r.out, "mode upsert, key (id_penempatan)");
    tu_result_free(&r);
    size_t len;
    char *text = tu_read("mappings/penempatan_tenaga_kerja.json", &len);
    char *typo = strstr(text, "\"maxLength\": 200");
    assert_non_null(typo);
    memcpy(typo, "\"maxLenght\"", 11);
    char *bad = tu_write("penempatan_tenaga_kerja.json", text, len);
    r = tu_walidata("mapping", "check", bad, "mappings/penempatan_tenaga_kerja.json", NULL);
    assert_int_equal(r.status, 2);
    tu_assert_contains(r.err, "penempatan_tenaga_kerja.json: schema.fields[9].constraints."
                              "maxLenght: unknown key");
    tu_assert_contains(r.err, "HINT: Did you mean \"maxLength\"?");
    tu_assert_contains(r.out, "ok  mappings/penempatan_tenaga_kerja.json"); /* the next one */
    tu_result_free(&r);
    free(bad);
    free(text);
}

static void test_preview_raw(void **state)
{
    (void)state;
    char *p = tu_write_str("raw.csv", "kode;nama ;jumlah\n11; Aceh ;5\n12;\"Sumatera; Utara\";7\n");
    struct tu_result r = tu_walidata("preview", p, "--format", "jsonl", NULL);
    assert_int_equal(r.status, 0);
    json_t *o = parse_line(r.out, 0);
    assert_string_equal(json_string_value(json_object_get(o, "nama ")), " Aceh ");
    json_decref(o);
    o = parse_line(r.out, 1);
    assert_string_equal(json_string_value(json_object_get(o, "nama ")), "Sumatera; Utara");
    json_decref(o);
    tu_result_free(&r);
    r = tu_walidata("preview", "--rows", "1", p, NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "3 columns, delimiter ';', utf-8");
    tu_assert_contains(r.out, " Aceh ");
    assert_null(strstr(r.out, "Sumatera"));
    tu_result_free(&r);
    free(p);
}

static void test_preview_mapped(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("preview", "--mapping", "penempatan_tenaga_kerja", "--rows",
                                     "17", "--format", "jsonl", BEKASI, NULL);
    assert_int_equal(r.status, 0);
    json_t *first = parse_line(r.out, 0), *last = parse_line(r.out, 16);
    assert_true(json_is_true(json_object_get(first, "valid")));
    const json_t *vals = json_object_get(first, "values");
    assert_string_equal(json_string_value(json_object_get(vals, "upah")), "4500000.00");
    assert_string_equal(json_string_value(json_object_get(vals, "tanggal_penempatan")),
                        "2025-08-20");
    assert_false(json_is_true(json_object_get(last, "valid")));
    const json_t *f = json_array_get(json_object_get(last, "failures"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "parent");
    assert_null(strchr(r.out + strlen(r.out) - 1, '{')); /* stopped after 17 rows */
    json_decref(first);
    json_decref(last);
    tu_result_free(&r);
    r = tu_walidata("preview", "--mapping", "penempatan_tenaga_kerja", BEKASI, NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "as penempatan_tenaga_kerja");
    tu_assert_contains(r.out, "ignored columns: NO");
    tu_assert_contains(r.out, "kode_kabkota");
    tu_result_free(&r);
}

static void test_help_and_version(void **state)
{
    (void)state;
    struct tu_result r = tu_walidata("version", NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "walidata 0.3.0");
    tu_assert_contains(r.out, "jansson");
    tu_result_free(&r);
    r = tu_walidata("help", NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "validate --mapping M FILE...");
    tu_result_free(&r);
    r = tu_walidata("help", "validate", NULL);
    assert_int_equal(r.status, 0);
    tu_assert_contains(r.out, "--max-errors N");
    tu_result_free(&r);
    r = tu_walidata(NULL, NULL);
    assert_int_equal(r.status, 2);
    tu_assert_contains(r.err, "Usage: walidata");
    tu_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_samples_json),
        cmocka_unit_test(test_validate_text_report),
        cmocka_unit_test(test_validate_gzip_same_result),
        cmocka_unit_test(test_validate_max_errors_keeps_counts),
        cmocka_unit_test(test_validate_missing_file_is_runtime_error),
        cmocka_unit_test(test_validate_missing_column_refused),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_config_refusals),
        cmocka_unit_test(test_mapping_check),
        cmocka_unit_test(test_preview_raw),
        cmocka_unit_test(test_preview_mapped),
        cmocka_unit_test(test_help_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
