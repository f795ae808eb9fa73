/*
 * test_codes.c - reference code lists: the shipped reference-codes/ and small fixture folders
 * under tests/data/codes/, one folder per broken manifest or CSV.
 *
 * The shipped lists are checked for their sizes, labels, parents, versions and leading
 * zeros, and for the integrity of their hierarchies (every parent code is a code of the
 * level above, of the same version). The fixtures check how a list is read (newest version
 * by valid_from whatever the order, columns found by name, an Excel-saved CSV with a BOM
 * and CRLF) and that every broken input is refused with its message, file, key or line.
 * Manifests that differ by one missing key are generated with jansson into the temporary
 * folder.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../etl/codes.h"

#define CODES_DIR "tests/data/codes"

/* ---- helpers ---- */

static const struct wd_codelist *list(const char *ref)
{
    const struct wd_codelist *l = wd_codes_list(tu_codes(), ref);
    if (!l)
        fail_msg("no code list %s in reference-codes/", ref);
    return l;
}

static const struct wd_code *lookup(const struct wd_codelist *l, const char *code)
{
    return wd_codelist_lookup(l, code, strlen(code));
}

/* Asserts that code is in l with that label and parent (NULL: none). */
static void assert_code(const struct wd_codelist *l, const char *code, const char *label,
                        const char *parent)
{
    const struct wd_code *c = lookup(l, code);
    if (!c)
        fail_msg("code \"%s\" is not in %s@%s", code, l->name, l->version);
    assert_string_equal(c->code, code);
    assert_string_equal(c->label, label);
    if (parent) {
        assert_non_null(c->parent);
        assert_string_equal(c->parent, parent);
    } else {
        assert_null(c->parent);
    }
}

/* Loads dir, expecting refusal with code; err is filled for the caller's checks. */
static void load_refused(const char *dir, int code, struct wd_error *err)
{
    struct wd_codes *codes = (struct wd_codes *)0x1;
    wd_error_clear(err);
    int rc = wd_codes_load(dir, &codes, err);
    if (rc == 0) {
        wd_codes_free(codes);
        fail_msg("%s was accepted", dir);
    }
    if (getenv("WD_TEST_VERBOSE"))
        wd_error_print(stderr, err);
    assert_null(codes);
    assert_int_equal(rc, code);
    assert_int_equal(err->code, code);
}

/* The manifest's path in dir. */
static void manifest_path(char *buf, size_t n, const char *dir)
{
    snprintf(buf, n, "%s/codelists.json", dir);
}

/* ---- the shipped reference codes ---- */

static void test_shipped_counts(void **state)
{
    (void)state;
    static const struct {
        const char *ref, *version;
        size_t n;
    } want[] = {
        {"wilayah_provinsi", "2025", 38},
        {"wilayah_provinsi@2025", "2025", 38},
        {"wilayah_provinsi@2022", "2022", 34},
        {"wilayah_kabkota", "2025", 514},
        {"wilayah_kabkota@2022", "2022", 514},
        {"wilayah_kecamatan", "2025", 7285},
        {"wilayah_kecamatan@2022", "2022", 7266},
        {"kbli2020", "2020", 2712},
        {"kbji2014", "2014", 2766},
        {"jenis_kelamin", "sakernas", 2},
        {"pendidikan", "sakernas", 9},
        {"status_pekerjaan", "sakernas", 7},
    };
    assert_int_equal(tu_codes()->nlists, 22);
    assert_string_equal(tu_codes()->dir, "reference-codes");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct wd_codelist *l = list(want[i].ref);
        if (l->ncodes != want[i].n || strcmp(l->version, want[i].version) != 0)
            fail_msg("%s: %zu codes, version %s; expected %zu, version %s", want[i].ref, l->ncodes,
                     l->version, want[i].n, want[i].version);
    }
}

static void test_shipped_metadata(void **state)
{
    (void)state;
    const struct wd_codelist *kab = list("wilayah_kabkota");
    assert_string_equal(kab->name, "wilayah_kabkota");
    assert_string_equal(kab->title, "kabupaten/kota");
    assert_string_equal(kab->authority, "Kemendagri");
    assert_string_equal(kab->reference, "Kepmendagri 300.2.2-2138/2025");
    assert_string_equal(kab->valid_from, "2025-01-01");
    assert_string_equal(kab->file, "wilayah_kabkota_2025.csv");
    const struct wd_codelist *kab22 = list("wilayah_kabkota@2022");
    assert_string_equal(kab22->reference, "Permendagri 58/2021");
    assert_string_equal(kab22->file, "wilayah_kabkota_2022.csv");
    assert_ptr_not_equal(kab, kab22);
    assert_string_equal(list("kbli2020")->authority, "BPS");
    assert_string_equal(list("kbji2014")->title, "KBJI 2014");
}

static void test_shipped_lookups(void **state)
{
    (void)state;
    /* regions, with their parents */
    assert_code(list("wilayah_kabkota"), "3273", "Kota Bandung", "32");
    assert_code(list("wilayah_kabkota@2022"), "3273", "KOTA BANDUNG", "32");
    assert_code(list("wilayah_provinsi"), "32", "Jawa Barat", NULL);
    assert_code(list("wilayah_provinsi@2022"), "32", "JAWA BARAT", NULL);
    assert_code(list("wilayah_kecamatan"), "110101", "Bakongan", "1101");
    /* the Papua provinces of 2022 exist only in the newer version */
    assert_code(list("wilayah_provinsi"), "93", "Papua Selatan", NULL);
    assert_null(lookup(list("wilayah_provinsi@2022"), "93"));
    /* a code of len bytes inside a longer buffer */
    assert_non_null(wd_codelist_lookup(list("wilayah_kabkota"), "3273;32", 4));
    assert_null(wd_codelist_lookup(list("wilayah_kabkota"), "3273", 3));
    assert_null(wd_codelist_lookup(list("wilayah_kabkota"), "3273", 0));
    assert_null(lookup(list("wilayah_kabkota"), "32730"));
    assert_null(lookup(list("wilayah_kabkota"), " 3273"));
    /* Sakernas lists */
    assert_code(list("jenis_kelamin"), "1", "Laki-laki", NULL);
    assert_code(list("jenis_kelamin"), "2", "Perempuan", NULL);
    assert_null(lookup(list("jenis_kelamin"), "3"));
    assert_null(lookup(list("jenis_kelamin"), "L"));
    assert_non_null(lookup(list("pendidikan"), "9"));
    assert_null(lookup(list("pendidikan"), "10"));
    assert_non_null(lookup(list("status_pekerjaan"), "7"));
    assert_null(lookup(list("status_pekerjaan"), "8"));
}

static void test_shipped_leading_zeros(void **state)
{
    (void)state;
    const struct wd_codelist *kbli = list("kbli2020");
    assert_code(kbli, "A", "Pertanian, Kehutanan dan Perikanan", NULL);
    assert_code(kbli, "01", "Pertanian Tanaman, Peternakan, Perburuan dan Kegiatan YBDI", "A");
    assert_code(kbli, "01111", "Pertanian Jagung", "0111");
    assert_null(lookup(kbli, "1"));
    assert_null(lookup(kbli, "1111"));
    const struct wd_codelist *kbji = list("kbji2014");
    assert_code(kbji, "0",
                "Tentara Nasional Indonesia (TNI) dan Kepolisian Negara Republik "
                "Indonesia (POLRI)",
                NULL);
    assert_code(kbji, "01", "Perwira TNI dan POLRI", "0");
    assert_code(kbji, "0111.01", "Panglima TNI", "0111");
    assert_code(kbji, "2512.01", "Analis Programer", "2512");
    assert_null(lookup(kbji, "111.01"));
    assert_null(lookup(kbji, "0111.1"));
    assert_null(lookup(kbji, "011101"));
}

static void test_shipped_any_version(void **state)
{
    (void)state;
    const struct wd_codes *codes = tu_codes();
    /* Merauke's kecamatan kept their 91 codes until Papua Selatan was created */
    assert_null(lookup(list("wilayah_kecamatan"), "910101"));
    assert_code(list("wilayah_kecamatan@2022"), "910101", "Merauke", "9101");
    const struct wd_code *c = wd_codes_lookup_any_version(codes, "wilayah_kecamatan", "910101", 6);
    assert_non_null(c);
    assert_string_equal(c->label, "Merauke");
    assert_string_equal(c->parent, "9101");
    /* a code of the current version is found as well */
    c = wd_codes_lookup_any_version(codes, "wilayah_kecamatan", "110101", 6);
    assert_non_null(c);
    assert_string_equal(c->label, "Bakongan");
    /* a code inside a longer buffer, as a NIK's first six digits */
    assert_non_null(wd_codes_lookup_any_version(codes, "wilayah_kecamatan", "9101010101900001", 6));
    assert_null(wd_codes_lookup_any_version(codes, "wilayah_kecamatan", "999999", 6));
    assert_null(wd_codes_lookup_any_version(codes, "wilayah_kecamatan@2022", "910101", 6));
    assert_null(wd_codes_lookup_any_version(codes, "tidak_ada", "910101", 6));
    assert_null(wd_codes_lookup_any_version(NULL, "wilayah_kecamatan", "910101", 6));
}

static void test_shipped_unknown_refs(void **state)
{
    (void)state;
    const struct wd_codes *codes = tu_codes();
    assert_null(wd_codes_list(codes, "tidak_ada"));
    assert_null(wd_codes_list(codes, "wilayah_provinsi@1999"));
    assert_null(wd_codes_list(codes, "wilayah_provinsi@"));
    assert_null(wd_codes_list(codes, "@2025"));
    assert_null(wd_codes_list(codes, "Wilayah_Provinsi"));
    assert_null(wd_codes_list(codes, ""));
    assert_null(wd_codes_list(NULL, "wilayah_provinsi"));
}

/* Every parent of a region code is a code of the level above, of the same version, and
 * the code begins with it. */
static void check_hierarchy(const char *child_ref, const char *parent_ref)
{
    const struct wd_codelist *child = list(child_ref), *parent = list(parent_ref);
    for (size_t i = 0; i < child->ncodes; i++) {
        const struct wd_code *c = &child->codes[i];
        if (!c->parent)
            fail_msg("%s: code %s has no parent", child_ref, c->code);
        if (!lookup(parent, c->parent))
            fail_msg("%s: the parent %s of %s is not in %s", child_ref, c->parent, c->code,
                     parent_ref);
        if (strncmp(c->code, c->parent, strlen(c->parent)) != 0)
            fail_msg("%s: code %s does not begin with its parent %s", child_ref, c->code,
                     c->parent);
    }
}

static void test_shipped_hierarchies(void **state)
{
    (void)state;
    check_hierarchy("wilayah_kabkota", "wilayah_provinsi");
    check_hierarchy("wilayah_kecamatan", "wilayah_kabkota");
    check_hierarchy("wilayah_kabkota@2022", "wilayah_provinsi@2022");
    check_hierarchy("wilayah_kecamatan@2022", "wilayah_kabkota@2022");
    /* KBLI and KBJI: a parent, when there is one, is in the same list */
    const char *const flat[] = {"kbli2020", "kbji2014"};
    for (size_t k = 0; k < 2; k++) {
        const struct wd_codelist *l = list(flat[k]);
        for (size_t i = 0; i < l->ncodes; i++)
            if (l->codes[i].parent && !lookup(l, l->codes[i].parent))
                fail_msg("%s: the parent %s of %s is not in the list", flat[k], l->codes[i].parent,
                         l->codes[i].code);
    }
}

/* ---- a small good folder ---- */

static void test_fixture_loads(void **state)
{
    (void)state;
    struct wd_codes *codes = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_codes_load(CODES_DIR "/good", &codes, &err);
    if (rc)
        wd_error_print(stderr, &err);
    assert_int_equal(rc, 0);
    assert_non_null(codes);
    assert_int_equal(codes->nlists, 4);
    assert_string_equal(codes->dir, CODES_DIR "/good");

    /* the newest version by valid_from, though listed last */
    const struct wd_codelist *prov = wd_codes_list(codes, "provinsi_uji");
    assert_non_null(prov);
    assert_string_equal(prov->version, "2025");
    assert_int_equal(prov->ncodes, 4);
    const struct wd_codelist *prov22 = wd_codes_list(codes, "provinsi_uji@2022");
    assert_non_null(prov22);
    assert_int_equal(prov22->ncodes, 3);
    assert_ptr_equal(wd_codes_list(codes, "provinsi_uji@2025"), prov);
    assert_code(prov22, "91", "PAPUA", NULL);
    assert_null(wd_codelist_lookup(prov22, "93", 2));
    const struct wd_code *c = wd_codes_lookup_any_version(codes, "provinsi_uji", "92", 2);
    assert_non_null(c);

    /* columns found by their names, in any order */
    const struct wd_codelist *kab = wd_codes_list(codes, "kabkota_uji");
    assert_non_null(kab);
    assert_int_equal(kab->ncodes, 2);
    assert_code(kab, "1101", "Kabupaten Aceh Selatan", "11");
    assert_code(kab, "9301", "Kabupaten Merauke", "93");
    assert_string_equal(kab->codes[0].code, "1101"); /* in file order */
    assert_string_equal(kab->codes[1].code, "9301");

    /* an Excel-saved CSV: BOM and CRLF, a level column, empty parents, leading zeros */
    const struct wd_codelist *jab = wd_codes_list(codes, "jabatan_uji");
    assert_non_null(jab);
    assert_int_equal(jab->ncodes, 4);
    assert_string_equal(jab->title, "jabatan_uji"); /* no title: the name */
    assert_string_equal(jab->reference, "");
    assert_string_equal(jab->authority, "BPS");
    assert_code(jab, "0",
                "Tentara Nasional Indonesia (TNI) dan Kepolisian Negara Republik "
                "Indonesia (POLRI)",
                NULL);
    assert_code(jab, "01", "Perwira TNI dan POLRI", "0");
    assert_code(jab, "0111.01", "Panglima TNI", "0111");
    assert_code(jab, "2512.01", "Analis Programer, Senior", "2512");
    assert_null(wd_codelist_lookup(jab, "1", 1));
    wd_codes_free(codes);
}

static void test_free_null(void **state)
{
    (void)state;
    wd_codes_free(NULL);
}

/* ---- refusals ---- */

static void test_missing_manifest(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/tidak_ada", WD_ENOTFOUND, &err);
    assert_string_equal(err.file, CODES_DIR "/tidak_ada/codelists.json");
    tu_assert_contains(err.msg, "No such file or directory");
}

static void test_manifest_not_json(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/not_json", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/not_json/codelists.json");
    tu_assert_contains(err.msg, "invalid JSON");
    assert_int_equal(err.line, 4); /* jansson gives no column at the end of the file */
}

static void test_manifest_unknown_key(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/unknown_key", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/unknown_key/codelists.json");
    assert_string_equal(err.field, "codelists[1].vesion");
    tu_assert_contains(err.msg, "unknown key");
    assert_string_equal(err.hint, "Did you mean \"version\"?");
}

/* Writes a manifest of one entry to tmpdir/sub/codelists.json; dir receives the folder. */
static void write_manifest(const char *sub, json_t *entry, char *dir, size_t n)
{
    snprintf(dir, n, "%s/%s", tu_tmpdir(), sub);
    if (mkdir(dir, 0700) != 0)
        assert_true(access(dir, F_OK) == 0);
    json_t *root = json_pack("{s:[o]}", "codelists", entry);
    assert_non_null(root);
    char path[600];
    manifest_path(path, sizeof(path), dir);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
}

static json_t *good_entry(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "jenis_uji", "version", "1", "authority",
                     "BPS", "valid_from", "2000-01-01", "file", "jenis_uji.csv");
}

static void test_manifest_missing_required(void **state)
{
    (void)state;
    const char *const required[] = {"name", "version", "authority", "valid_from", "file"};
    for (size_t i = 0; i < 5; i++) {
        json_t *entry = good_entry();
        assert_int_equal(json_object_del(entry, required[i]), 0);
        char sub[64], dir[512], path[600], field[64];
        snprintf(sub, sizeof(sub), "missing_%s", required[i]);
        write_manifest(sub, entry, dir, sizeof(dir));
        manifest_path(path, sizeof(path), dir);
        struct wd_error err;
        load_refused(dir, WD_ECODES, &err);
        assert_string_equal(err.file, path);
        snprintf(field, sizeof(field), "codelists[0].%s", required[i]);
        assert_string_equal(err.field, field);
        tu_assert_contains(err.msg, "required key is missing");
    }
}

static void test_manifest_wrong_shapes(void **state)
{
    (void)state;
    char dir[512], path[600];
    struct wd_error err;

    /* an entry key of the wrong type */
    json_t *entry = good_entry();
    json_object_set_new(entry, "version", json_integer(2025));
    write_manifest("version_number", entry, dir, sizeof(dir));
    load_refused(dir, WD_ECODES, &err);
    assert_string_equal(err.field, "codelists[0].version");
    tu_assert_contains(err.msg, "expected a string");

    /* codelists not an array */
    snprintf(dir, sizeof(dir), "%s/not_array", tu_tmpdir());
    if (mkdir(dir, 0700) != 0)
        assert_true(access(dir, F_OK) == 0);
    manifest_path(path, sizeof(path), dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"codelists\": {\"name\": \"x\"}}\n", f);
    fclose(f);
    load_refused(dir, WD_ECODES, &err);
    assert_string_equal(err.field, "codelists");
    tu_assert_contains(err.msg, "array");

    /* an unknown key at the top */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"codelist\": []}\n", f);
    fclose(f);
    load_refused(dir, WD_ECODES, &err);
    assert_string_equal(err.field, "codelist");
    assert_string_equal(err.hint, "Did you mean \"codelists\"?");
}

static void test_manifest_file_with_slash(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/file_slash", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/file_slash/codelists.json");
    tu_assert_contains(err.msg, "plain file name");
    /* the key that is wrong, as for every other manifest mistake */
    assert_string_equal(err.field, "codelists[0].file");
}

static void test_manifest_hidden_file(void **state)
{
    (void)state;
    char dir[512];
    json_t *entry = good_entry();
    json_object_set_new(entry, "file", json_string(".jenis_uji.csv"));
    write_manifest("hidden_file", entry, dir, sizeof(dir));
    struct wd_error err;
    load_refused(dir, WD_ECODES, &err);
    tu_assert_contains(err.msg, "plain file name");
    assert_string_equal(err.field, "codelists[0].file");
}

static void test_manifest_at_in_name(void **state)
{
    (void)state;
    char dir[512];
    json_t *entry = good_entry();
    json_object_set_new(entry, "name", json_string("jenis@uji"));
    write_manifest("at_in_name", entry, dir, sizeof(dir));
    struct wd_error err;
    load_refused(dir, WD_ECODES, &err);
    tu_assert_contains(err.msg, "\"@\"");
    assert_string_equal(err.field, "codelists[0].name");
}

static void test_csv_missing_label(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/no_label", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/no_label/kabkota_uji.csv");
    assert_int_equal(err.line, 1);
    tu_assert_contains(err.msg, "\"label\"");
}

static void test_csv_unexpected_column(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/unexpected_column", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/unexpected_column/jenis_uji.csv");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 3);
    tu_assert_contains(err.msg, "unexpected column \"keterangan\"");
    tu_assert_contains(err.msg, "code, label, parent or level");
}

static void test_csv_duplicate_code(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/duplicate_code", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/duplicate_code/provinsi_uji.csv");
    /* the physical line of the second "12": the quoted label before it spans two lines */
    assert_int_equal(err.line, 6);
    tu_assert_contains(err.msg, "code \"12\" appears more than once");
}

static void test_csv_empty_code(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/empty_code", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/empty_code/jenis_uji.csv");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    tu_assert_contains(err.msg, "empty code");
}

static void test_list_named_twice(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/list_twice", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/list_twice/codelists.json");
    assert_string_equal(err.field, "codelists[1]");
    tu_assert_contains(err.msg, "jenis_uji@1");
    tu_assert_contains(err.msg, "appears twice");
}

static void test_csv_does_not_exist(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/missing_csv", WD_ENOTFOUND, &err);
    assert_string_equal(err.file, CODES_DIR "/missing_csv/pendidikan_uji.csv");
    tu_assert_contains(err.msg, "could not open");
}

static void test_csv_empty(void **state)
{
    (void)state;
    struct wd_error err;
    load_refused(CODES_DIR "/empty_csv", WD_ECODES, &err);
    assert_string_equal(err.file, CODES_DIR "/empty_csv/jenis_uji.csv");
    tu_assert_contains(err.msg, "empty");
}

/* A CSV the reader cannot parse is a code-list error, and the code returned and err.code
 * agree, so that what is printed (wd_strerror(err.code)) and what is returned match. */
static void test_csv_bad_quoting(void **state)
{
    (void)state;
    struct wd_codes *codes = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_codes_load(CODES_DIR "/bad_quoting", &codes, &err);
    assert_int_equal(rc, WD_ECODES);
    assert_null(codes);
    assert_string_equal(err.file, CODES_DIR "/bad_quoting/jenis_uji.csv");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    tu_assert_contains(err.msg, "quoting");
    assert_int_equal(err.code, rc);
}

/* The same for a header the reader cannot parse. */
static void test_csv_bad_header(void **state)
{
    (void)state;
    struct wd_codes *codes = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_codes_load(CODES_DIR "/bad_header", &codes, &err);
    assert_null(codes);
    assert_string_equal(err.file, CODES_DIR "/bad_header/jenis_uji.csv");
    assert_int_equal(err.line, 1);
    tu_assert_contains(err.msg, "quoting");
    assert_int_equal(rc, WD_ECODES);
    assert_int_equal(err.code, rc);
}

/* An empty file name is not a plain file name either: refused at its key, not opened as
 * the folder itself. */
static void test_manifest_empty_file_name(void **state)
{
    (void)state;
    char dir[512];
    json_t *entry = good_entry();
    json_object_set_new(entry, "file", json_string(""));
    write_manifest("empty_file_name", entry, dir, sizeof(dir));
    struct wd_codes *codes = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_codes_load(dir, &codes, &err);
    if (getenv("WD_TEST_VERBOSE"))
        wd_error_print(stderr, &err);
    assert_int_equal(rc, WD_ECODES);
    assert_null(codes);
    assert_string_equal(err.field, "codelists[0].file");
    tu_assert_contains(err.msg, "plain file name");
    assert_int_equal(err.code, rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_counts),
        cmocka_unit_test(test_shipped_metadata),
        cmocka_unit_test(test_shipped_lookups),
        cmocka_unit_test(test_shipped_leading_zeros),
        cmocka_unit_test(test_shipped_any_version),
        cmocka_unit_test(test_shipped_unknown_refs),
        cmocka_unit_test(test_shipped_hierarchies),
        cmocka_unit_test(test_fixture_loads),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_missing_manifest),
        cmocka_unit_test(test_manifest_not_json),
        cmocka_unit_test(test_manifest_unknown_key),
        cmocka_unit_test(test_manifest_missing_required),
        cmocka_unit_test(test_manifest_wrong_shapes),
        cmocka_unit_test(test_manifest_file_with_slash),
        cmocka_unit_test(test_manifest_hidden_file),
        cmocka_unit_test(test_manifest_at_in_name),
        cmocka_unit_test(test_manifest_empty_file_name),
        cmocka_unit_test(test_csv_missing_label),
        cmocka_unit_test(test_csv_unexpected_column),
        cmocka_unit_test(test_csv_duplicate_code),
        cmocka_unit_test(test_csv_empty_code),
        cmocka_unit_test(test_list_named_twice),
        cmocka_unit_test(test_csv_does_not_exist),
        cmocka_unit_test(test_csv_empty),
        cmocka_unit_test(test_csv_bad_quoting),
        cmocka_unit_test(test_csv_bad_header),
    };
    return cmocka_run_group_tests_name("test_codes", tests, NULL, NULL);
}
