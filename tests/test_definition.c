/*
 * test_definition.c - loading dataset definitions (mappings/NAME.json).
 *
 * The shipped definition is loaded against the shipped reference codes and its parsed
 * content checked key by key. Then a small valid definition,
 * tests/data/definitions/contoh_dataset.json, is broken one key at a time: each case of the
 * mistakes[] table applies up to three edits to it with jansson (set a key path to a JSON
 * value, or delete it), writes the result into the test's temporary folder under the file
 * name the case asks for (a definition's name must equal its file name), and asserts that
 * the load is refused with WD_EMAPPING, the file, the exact key path, the key words of the
 * message and, where there is one, the hint. Mistakes jansson cannot write (broken syntax,
 * a key given twice) are fixture files beside the base.
 *
 * Every mistake case is its own cmocka test, named after the case. WD_TEST_VERBOSE=1 prints
 * each refusal the way walidata shows it, to review the wording.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../etl/definition.h"

#define DEF_DIR "tests/data/definitions"
#define BASE_PATH DEF_DIR "/contoh_dataset.json"
#define BASE_NAME "contoh_dataset"

/* Indexes of the base definition's fields. */
enum {
    F_ID,
    F_NIK,
    F_JK,
    F_UPAH,
    F_TANGGAL,
    F_PROV,
    F_KAB,
    F_JUMLAH,
    F_TAHUN,
    F_BULAN,
    F_KETERANGAN,
    NBASE_FIELDS
};

/* ---- building variants of the base definition ---- */

struct token {
    char key[64];
    long index; /* -1 for a key */
};

/* Splits "schema.fields[3].constraints.minimun" into keys and indexes. */
static size_t tokenize(const char *path, struct token *t, size_t max)
{
    size_t n = 0;
    const char *p = path;
    while (*p) {
        assert_true(n < max);
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            char *end;
            t[n].key[0] = '\0';
            t[n].index = strtol(p + 1, &end, 10);
            assert_int_equal(*end, ']');
            p = end + 1;
            n++;
            continue;
        }
        size_t len = strcspn(p, ".[");
        assert_true(len < sizeof(t[n].key));
        memcpy(t[n].key, p, len);
        t[n].key[len] = '\0';
        t[n].index = -1;
        p += len;
        n++;
    }
    return n;
}

/* Sets the value at path in root (takes ownership of value), or deletes it when value is
 * NULL. Every step but the last must exist. */
static void json_edit(json_t *root, const char *path, json_t *value)
{
    struct token t[16];
    size_t n = tokenize(path, t, 16);
    assert_true(n > 0);
    json_t *cur = root;
    for (size_t i = 0; i + 1 < n; i++) {
        cur = t[i].index < 0 ? json_object_get(cur, t[i].key)
                             : json_array_get(cur, (size_t)t[i].index);
        if (!cur)
            fail_msg("edit path %s: step %zu does not exist in the base", path, i);
    }
    const struct token *last = &t[n - 1];
    if (last->index < 0) {
        assert_true(json_is_object(cur));
        if (value)
            assert_int_equal(json_object_set_new(cur, last->key, value), 0);
        else
            assert_int_equal(json_object_del(cur, last->key), 0);
    } else {
        assert_true(json_is_array(cur));
        if (value)
            assert_int_equal(json_array_set_new(cur, (size_t)last->index, value), 0);
        else
            assert_int_equal(json_array_remove(cur, (size_t)last->index), 0);
    }
}

static json_t *base_json(void)
{
    json_error_t je;
    json_t *root = json_load_file(BASE_PATH, 0, &je);
    if (!root)
        fail_msg("%s:%d: %s", BASE_PATH, je.line, je.text);
    return root;
}

/* Writes root as tmpdir/NAME.json into path. The path lives on the caller's stack, so a
 * failing assertion (a longjmp) leaks nothing. */
static void write_def(const json_t *root, const char *name, char *path, size_t n)
{
    int len = snprintf(path, n, "%s/%s.json", tu_tmpdir(), name);
    assert_true(len > 0 && (size_t)len < n);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
}

struct edit {
    const char *path;
    const char *value; /* JSON text; NULL deletes the key */
};

static void apply_edits(json_t *root, const struct edit *edits, size_t n)
{
    for (size_t i = 0; i < n && edits[i].path; i++) {
        json_t *v = NULL;
        if (edits[i].value) {
            json_error_t je;
            v = json_loads(edits[i].value, JSON_DECODE_ANY, &je);
            if (!v)
                fail_msg("edit value %s: %s", edits[i].value, je.text);
        }
        json_edit(root, edits[i].path, v);
    }
}

/* ---- checking a refusal ---- */

/* Primary messages are lowercase without a final period; detail and hint are sentences. */
static void assert_message_style(const struct wd_error *err)
{
    size_t n = strlen(err->msg);
    assert_true(n > 0);
    if (err->msg[0] >= 'A' && err->msg[0] <= 'Z')
        fail_msg("message starts with a capital: \"%s\"", err->msg);
    if (err->msg[n - 1] == '.')
        fail_msg("message ends with a period: \"%s\"", err->msg);
    const char *sentences[] = {err->detail, err->hint};
    for (size_t i = 0; i < 2; i++) {
        size_t m = strlen(sentences[i]);
        if (m == 0)
            continue;
        if (!(sentences[i][0] >= 'A' && sentences[i][0] <= 'Z'))
            fail_msg("detail or hint is not a sentence: \"%s\"", sentences[i]);
        char end = sentences[i][m - 1];
        if (end != '.' && end != '?')
            fail_msg("detail or hint is not a sentence: \"%s\"", sentences[i]);
    }
}

/* Loads path, expecting WD_EMAPPING at field with every word of words[] in the message. */
static void expect_refused(const char *path, const struct wd_codes *codes, const char *field,
                           const char *const *words, size_t nwords, const char *hint)
{
    struct wd_definition *def = (struct wd_definition *)0x1;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_definition_load(path, codes, &def, &err);
    struct wd_definition *loaded = def;
    if (rc != 0 && getenv("WD_TEST_VERBOSE"))
        wd_error_print(stderr, &err);
    if (rc == 0) {
        wd_definition_free(def);
        fail_msg("%s was accepted; expected a refusal at %s", path, field);
    }
    assert_null(loaded);
    assert_int_equal(rc, WD_EMAPPING);
    assert_int_equal(err.code, WD_EMAPPING);
    assert_string_equal(err.file, path);
    assert_string_equal(err.field, field);
    for (size_t i = 0; i < nwords; i++)
        if (words[i])
            tu_assert_contains(err.msg, words[i]);
    if (hint)
        tu_assert_contains(err.hint, hint);
    assert_message_style(&err);
}

struct mistake {
    const char *label;
    struct edit edits[3];
    const char *file_name; /* NULL: the base's name */
    const char *field;     /* exact err.field */
    const char *words[3];  /* each must appear in err.msg */
    const char *hint;      /* must appear in err.hint, or NULL */
};

#define NAME64 "a123456789012345678901234567890123456789012345678901234567890123"

/* One case on one or two lines, easier to scan than the formatter's layout. */
/* clang-format off */
static const struct mistake mistakes[] = {
    /* unknown keys, with the nearest known key as a hint */
    {"unknown key at top level", {{"nama", "\"x\""}}, NULL, "nama", {"unknown key"},
     "Did you mean \"name\"?"},
    {"unknown key in metadata", {{"metadata.frekwensi", "\"bulanan\""}}, NULL,
     "metadata.frekwensi", {"unknown key"}, "Did you mean \"frekuensi\"?"},
    {"unknown key in source", {{"source.delimeter", "\";\""}}, NULL, "source.delimeter",
     {"unknown key"}, "Did you mean \"delimiter\"?"},
    {"unknown key in target", {{"target.tabel", "\"x\""}}, NULL, "target.tabel",
     {"unknown key"}, "Did you mean \"table\"?"},
    {"unknown key in schema", {{"schema.primarykey", "[\"id\"]"}}, NULL, "schema.primarykey",
     {"unknown key"}, "Did you mean \"primaryKey\"?"},
    {"unknown key in a field", {{"schema.fields[2].codeList", "\"jenis_kelamin\""}}, NULL,
     "schema.fields[2].codeList", {"unknown key"}, "Did you mean \"codelist\"?"},
    {"unknown key in constraints", {{"schema.fields[3].constraints.minimun", "0"}}, NULL,
     "schema.fields[3].constraints.minimun", {"unknown key"}, "Did you mean \"minimum\"?"},
    {"unknown key in quality", {{"quality.minscore", "90"}}, NULL, "quality.minscore",
     {"unknown key"}, "Did you mean \"minScore\"?"},

    /* identity */
    {"name with a dash", {{"name", "\"Contoh-Dataset\""}}, "Contoh-Dataset", "name",
     {"invalid dataset name", "Contoh-Dataset", "^[a-z][a-z0-9_]{0,62}$"}, NULL},
    {"name with a leading digit", {{"name", "\"1contoh\""}}, "1contoh", "name",
     {"invalid dataset name", "1contoh"}, NULL},
    {"name of 64 characters", {{"name", "\"" NAME64 "\""}}, NAME64, "name",
     {"invalid dataset name"}, NULL},
    {"name not the file name", {{"name", "\"contoh_lain\""}}, NULL, "name",
     {"contoh_lain", "contoh_lain.json"}, NULL},
    {"name missing", {{"name", NULL}}, NULL, "name", {"required key is missing"}, NULL},
    {"title not a string", {{"title", "5"}}, NULL, "title", {"expected a string"}, NULL},

    /* target */
    {"table name with SQL", {{"target.table", "\"Penempatan; DROP TABLE x\""}}, NULL,
     "target.table", {"invalid table name", "Penempatan; DROP TABLE x"}, NULL},
    {"table name with a dash", {{"target.table", "\"x-y\""}}, NULL, "target.table",
     {"invalid table name", "\"x-y\""}, NULL},
    {"unknown mode", {{"target.mode", "\"merge\""}}, NULL, "target.mode",
     {"unknown mode", "merge", "append, upsert or replace"}, NULL},
    {"upsert without primaryKey", {{"schema.primaryKey", NULL}}, NULL, "target.mode",
     {"upsert", "schema.primaryKey"}, NULL},
    {"replace without period", {{"target.mode", "\"replace\""}}, NULL, "target.mode",
     {"replace", "target.period"}, NULL},
    {"period naming no field",
     {{"target.mode", "\"replace\""}, {"target.period", "[\"tahun\", \"bulan_survei\"]"}},
     NULL, "target.period[1]", {"no field \"bulan_survei\" in the schema"}, NULL},
    {"period empty", {{"target.mode", "\"replace\""}, {"target.period", "[]"}}, NULL,
     "target.period", {"non-empty array"}, NULL},
    {"period with mode upsert", {{"target.period", "[\"tahun\"]"}}, NULL, "target.period",
     {"only by mode replace"}, NULL},

    /* metadata */
    {"metadata missing", {{"metadata", NULL}}, NULL, "metadata", {"required key is missing"},
     NULL},
    {"required metadata missing",
     {{"metadata.klasifikasi", NULL}, {"metadata.ukuran", NULL}}, NULL, "metadata",
     {"missing required metadata", "klasifikasi, ukuran"}, NULL},
    {"metadata value empty", {{"metadata.satuan", "\"\""}}, NULL, "metadata.satuan",
     {"non-empty string"}, NULL},
    {"unknown frekuensi", {{"metadata.frekuensi", "\"monthly\""}}, NULL, "metadata.frekuensi",
     {"unknown frequency", "monthly"}, "bulanan"},

    /* source */
    {"unknown encoding", {{"source.encoding", "\"utf-16\""}}, NULL, "source.encoding",
     {"unknown encoding", "utf-16"}, "windows-1252"},
    {"delimiter of two characters", {{"source.delimiter", "\";;\""}}, NULL,
     "source.delimiter", {"one ASCII character", ";;"}, NULL},
    {"decimalChar equal to groupChar", {{"source.groupChar", "\",\""}}, NULL,
     "source.groupChar", {"group character", "decimal character"}, NULL},
    {"decimalChar a digit", {{"source.decimalChar", "\"0\""}}, NULL, "source.decimalChar",
     {"digit"}, NULL},
    {"quoteChar equal to delimiter", {{"source.quoteChar", "\";\""}}, NULL, "source.quoteChar",
     {"quote character", "delimiter"}, NULL},
    {"header not a boolean", {{"source.header", "\"yes\""}}, NULL, "source.header",
     {"expected true or false", "a string"}, NULL},

    /* fields */
    {"schema missing", {{"schema", NULL}}, NULL, "schema", {"required key is missing"}, NULL},
    {"schema without fields", {{"schema.fields", "[]"}}, NULL, "schema.fields",
     {"non-empty array"}, NULL},
    {"field name invalid", {{"schema.fields[3].name", "\"Upah\""}}, NULL,
     "schema.fields[3].name", {"invalid field name", "Upah"}, NULL},
    {"unknown field type", {{"schema.fields[10].type", "\"text\""}}, NULL,
     "schema.fields[10].type", {"unknown type", "text"}, NULL},
    {"duplicate field name", {{"schema.fields[4].name", "\"upah\""}}, NULL,
     "schema.fields[4].name", {"upah", "defined twice"}, NULL},
    {"format on a string field", {{"schema.fields[0].format", "\"%d/%m/%Y\""}}, NULL,
     "schema.fields[0].format", {"format applies to date and datetime"}, NULL},
    {"date format without a year", {{"schema.fields[4].format", "\"%d/%m\""}}, NULL,
     "schema.fields[4].format", {"invalid date format", "%d/%m", "year"}, NULL},
    {"date format with an unknown directive", {{"schema.fields[4].format", "\"%d/%m/%Q\""}},
     NULL, "schema.fields[4].format", {"invalid date format", "unknown directive"}, NULL},
    {"date format with a time", {{"schema.fields[4].format", "\"%d/%m/%Y %H:%M\""}}, NULL,
     "schema.fields[4].format", {"invalid date format", "time"}, NULL},
    {"minimum on a string field", {{"schema.fields[0].constraints.minimum", "1"}}, NULL,
     "schema.fields[0].constraints.minimum", {"minimum applies to number"}, NULL},
    {"minimum not a number", {{"schema.fields[3].constraints.minimum", "\"0\""}}, NULL,
     "schema.fields[3].constraints.minimum", {"expected a number", "number field"}, NULL},
    {"date minimum not a date", {{"schema.fields[4].constraints", "{\"minimum\": \"1/1/2020\"}"}},
     NULL, "schema.fields[4].constraints.minimum", {"YYYY-MM-DD"}, NULL},
    {"maximum below minimum", {{"schema.fields[3].constraints.maximum", "-1"}}, NULL,
     "schema.fields[3].constraints.maximum", {"maximum -1 is below minimum 0"}, NULL},
    {"minLength on a number", {{"schema.fields[3].constraints.minLength", "1"}}, NULL,
     "schema.fields[3].constraints.minLength", {"minLength applies to string fields"}, NULL},
    {"maxLength below minLength", {{"schema.fields[10].constraints.minLength", "300"}}, NULL,
     "schema.fields[10].constraints.maxLength", {"is below minLength 300"}, NULL},
    {"maxLength negative", {{"schema.fields[10].constraints.maxLength", "-1"}}, NULL,
     "schema.fields[10].constraints.maxLength", {"whole number from 0"}, NULL},
    {"invalid regex pattern", {{"schema.fields[0].constraints.pattern", "\"[A-Z\""}}, NULL,
     "schema.fields[0].constraints.pattern", {"invalid regular expression"}, NULL},
    {"pattern on a number", {{"schema.fields[3].constraints.pattern", "\"[0-9]+\""}}, NULL,
     "schema.fields[3].constraints.pattern", {"pattern applies to string fields"}, NULL},
    {"empty enum", {{"schema.fields[10].constraints.enum", "[]"}}, NULL,
     "schema.fields[10].constraints.enum", {"at least one value"}, NULL},
    {"enum with a number", {{"schema.fields[10].constraints.enum", "[\"a\", 2]"}}, NULL,
     "schema.fields[10].constraints.enum[1]", {"expected a string"}, NULL},
    {"required not a boolean", {{"schema.fields[0].constraints.required", "1"}}, NULL,
     "schema.fields[0].constraints.required", {"expected true or false"}, NULL},

    /* code lists and parents */
    {"codelist that does not exist", {{"schema.fields[2].codelist", "\"jenis_kelamin_x\""}},
     NULL, "schema.fields[2].codelist", {"no code list", "jenis_kelamin_x"}, NULL},
    {"codelist version that does not exist",
     {{"schema.fields[5].codelist", "\"wilayah_provinsi@1999\""}}, NULL,
     "schema.fields[5].codelist", {"no code list", "wilayah_provinsi@1999"}, NULL},
    {"codelist on a date field", {{"schema.fields[4].codelist", "\"jenis_kelamin\""}}, NULL,
     "schema.fields[4].codelist", {"code list applies to string and integer"}, NULL},
    {"parent naming no field", {{"schema.fields[6].parent", "\"kode_prov\""}}, NULL,
     "schema.fields[6].parent", {"no field", "kode_prov"}, NULL},
    {"parent that is the field itself", {{"schema.fields[6].parent", "\"kode_kabkota\""}},
     NULL, "schema.fields[6].parent", {"its own parent"}, NULL},
    {"parent on a field without codelist", {{"schema.fields[10].parent", "\"kode_provinsi\""}},
     NULL, "schema.fields[10].parent", {"parent needs a codelist"}, NULL},
    {"parent whose field has no codelist", {{"schema.fields[6].parent", "\"keterangan\""}},
     NULL, "schema.fields[6].parent", {"keterangan", "has no codelist"}, NULL},
    {"parent on a list without parents", {{"schema.fields[2].parent", "\"kode_provinsi\""}},
     NULL, "schema.fields[2].parent", {"jenis_kelamin", "no parent codes"}, NULL},

    /* primary key */
    {"primaryKey field that does not exist", {{"schema.primaryKey", "[\"id_x\"]"}}, NULL,
     "schema.primaryKey[0]", {"id_x", "not in the schema"}, NULL},
    {"primaryKey string naming no field", {{"schema.primaryKey", "\"id_x\""}}, NULL,
     "schema.primaryKey", {"id_x", "not in the schema"}, NULL},
    {"primaryKey field twice", {{"schema.primaryKey", "[\"id\", \"id\"]"}}, NULL,
     "schema.primaryKey[1]", {"id", "named twice"}, NULL},
    {"primaryKey empty", {{"schema.primaryKey", "[]"}}, NULL, "schema.primaryKey",
     {"field name"}, NULL},

    /* cross-field checks and the NIK's companions */
    {"check with an unknown field", {{"checks", "[{\"name\": \"c\", \"assert\": \"jumlahh >= 0\"}]"}},
     NULL, "checks[0].assert", {"invalid expression", "no such field at character 1"}, NULL},
    {"check on a string field", {{"checks", "[{\"name\": \"c\", \"assert\": \"keterangan > 1\"}]"}},
     NULL, "checks[0].assert", {"only integer, number, year and date fields"}, NULL},
    {"check that is no comparison", {{"checks", "[{\"name\": \"c\", \"assert\": \"jumlah + 1\"}]"}},
     NULL, "checks[0].assert", {"expected a comparison"}, NULL},
    {"check without assert", {{"checks", "[{\"name\": \"c\"}]"}}, NULL, "checks[0].assert",
     {"required key is missing"}, NULL},
    {"check named twice",
     {{"checks", "[{\"name\": \"c\", \"assert\": \"jumlah >= 0\"}, {\"name\": \"c\", "
                 "\"assert\": \"bulan >= 1\"}]"}},
     NULL, "checks[1].name", {"check \"c\" is defined twice"}, NULL},
    {"check with a negative tolerance",
     {{"checks", "[{\"name\": \"c\", \"assert\": \"jumlah >= 0\", \"tolerance\": -1}]"}}, NULL,
     "checks[0].tolerance", {"tolerance of 0 or more"}, NULL},
    {"check with an unknown key",
     {{"checks", "[{\"name\": \"c\", \"assert\": \"jumlah >= 0\", \"rejects\": false}]"}}, NULL,
     "checks[0].rejects", {"unknown key"}, "Did you mean \"reject\"?"},
    {"nik companions on a field without rule nik", {{"schema.fields[2].nik", "{\"sex\": \"jenis_kelamin\"}"}},
     NULL, "schema.fields[2].nik", {"applies to a field with"}, NULL},
    {"nik sex field without jenis_kelamin", {{"schema.fields[1].nik", "{\"sex\": \"kode_provinsi\"}"}},
     NULL, "schema.fields[1].nik.sex", {"must use the code list jenis_kelamin"}, NULL},
    {"nik birth date field not a date", {{"schema.fields[1].nik", "{\"birthDate\": \"tahun\"}"}},
     NULL, "schema.fields[1].nik.birthDate", {"must be of type date"}, NULL},
    {"nik companion that does not exist", {{"schema.fields[1].nik", "{\"sex\": \"jk\"}"}},
     NULL, "schema.fields[1].nik.sex", {"no field \"jk\" in the schema"}, NULL},

    /* the reference period, for timeliness */
    {"reference period of a string field", {{"referencePeriod", "{\"date\": \"keterangan\"}"}},
     NULL, "referencePeriod.date", {"must be a date"}, NULL},
    {"reference period with a date and a year",
     {{"referencePeriod", "{\"date\": \"tanggal\", \"year\": \"tahun\"}"}}, NULL,
     "referencePeriod", {"either a date field"}, NULL},
    {"reference period with month and quarter",
     {{"referencePeriod", "{\"year\": \"tahun\", \"month\": \"bulan\", \"quarter\": \"bulan\"}"}},
     NULL, "referencePeriod", {"not several"}, NULL},
    {"reference period naming no field", {{"referencePeriod", "{\"year\": \"thn\"}"}}, NULL,
     "referencePeriod.year", {"no field \"thn\""}, NULL},

    /* rules, privacy, transforms */
    {"unknown rule", {{"schema.fields[1].rules", "[\"nikk\"]"}}, NULL,
     "schema.fields[1].rules[0]", {"unknown rule", "nikk", "nik or npwp"}, NULL},
    {"rules not an array", {{"schema.fields[1].rules", "\"nik\""}}, NULL,
     "schema.fields[1].rules", {"array of rule names"}, NULL},
    {"rule nik on an integer field", {{"schema.fields[7].rules", "[\"nik\"]"}}, NULL,
     "schema.fields[7].rules", {"string fields"}, NULL},
    {"unknown privacy value", {{"schema.fields[1].privacy", "\"hash\""}}, NULL,
     "schema.fields[1].privacy", {"pseudonymize", "drop", "hash"}, NULL},
    {"pad zero", {{"schema.fields[5].pad", "0"}}, NULL, "schema.fields[5].pad",
     {"from 1 to 64", "found 0"}, NULL},
    {"pad 65", {{"schema.fields[5].pad", "65"}}, NULL, "schema.fields[5].pad",
     {"from 1 to 64", "found 65"}, NULL},
    {"pad as text", {{"schema.fields[5].pad", "\"2\""}}, NULL, "schema.fields[5].pad",
     {"whole number", "a string"}, NULL},
    {"recode with a non-string value", {{"schema.fields[2].recode", "{\"L\": 1}"}}, NULL,
     "schema.fields[2].recode.L", {"expected a string"}, NULL},
    {"recode not an object", {{"schema.fields[2].recode", "[\"L\", \"1\"]"}}, NULL,
     "schema.fields[2].recode", {"expected an object"}, NULL},
    {"unknown case", {{"schema.fields[10].case", "\"title\""}}, NULL, "schema.fields[10].case",
     {"upper", "lower", "title"}, NULL},
    {"bareNumber on a string", {{"schema.fields[10].bareNumber", "false"}}, NULL,
     "schema.fields[10].bareNumber", {"number and integer fields"}, NULL},
    {"trueValues on a string", {{"schema.fields[10].trueValues", "[\"Ya\"]"}}, NULL,
     "schema.fields[10].trueValues", {"boolean fields"}, NULL},

    /* missing values */
    {"missingValues a string", {{"schema.missingValues", "\"NA\""}}, NULL,
     "schema.missingValues", {"array of strings"}, NULL},
    {"missingValues with a number", {{"schema.missingValues", "[\"\", 0]"}}, NULL,
     "schema.missingValues[1]", {"expected a string"}, NULL},
    {"field missingValues an object", {{"schema.fields[3].missingValues", "{}"}}, NULL,
     "schema.fields[3].missingValues", {"array of strings"}, NULL},

    /* quality */
    {"minScore 150", {{"quality.minScore", "150"}}, NULL, "quality.minScore",
     {"score from 0 to 100"}, NULL},
    {"minScore negative", {{"quality.minScore", "-1"}}, NULL, "quality.minScore",
     {"score from 0 to 100"}, NULL},
    {"maxRejectRatio 2", {{"quality.maxRejectRatio", "2"}}, NULL, "quality.maxRejectRatio",
     {"ratio from 0 to 1"}, NULL},
    {"maxRejectRatio as text", {{"quality.maxRejectRatio", "\"5%\""}}, NULL,
     "quality.maxRejectRatio", {"expected a number", "a string"}, NULL},
};
/* clang-format on */
#define NMISTAKES (sizeof(mistakes) / sizeof(mistakes[0]))

static void test_mistake(void **state)
{
    const struct mistake *m = *state;
    json_t *root = base_json();
    apply_edits(root, m->edits, 3);
    char path[512];
    write_def(root, m->file_name ? m->file_name : BASE_NAME, path, sizeof(path));
    json_decref(root);
    expect_refused(path, tu_codes(), m->field, m->words, 3, m->hint);
    unlink(path);
}

/* ---- the shipped definition ---- */

static const struct wd_fielddef *field(const struct wd_definition *def, const char *name)
{
    int i = wd_definition_field(def, name);
    if (i < 0)
        fail_msg("no field %s", name);
    return &def->fields[i];
}

static bool strlist_equal(const struct wd_strlist *l, const char *const *want, size_t n)
{
    if (l->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->items[i], want[i]) != 0)
            return false;
    return true;
}

static void test_penempatan_loads(void **state)
{
    (void)state;
    const char *path = "mappings/penempatan_tenaga_kerja.json";
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_definition_load(path, tu_codes(), &def, &err);
    if (rc != 0)
        wd_error_print(stderr, &err);
    assert_int_equal(rc, 0);
    assert_non_null(def);

    assert_string_equal(def->path, path);
    assert_string_equal(def->name, "penempatan_tenaga_kerja");
    assert_string_equal(def->title, "Penempatan Tenaga Kerja Dalam Negeri");
    assert_string_equal(def->version, "2025.1");
    tu_assert_contains(def->description, "layanan antarkerja");

    /* metadata */
    assert_string_equal(def->frekuensi, "bulanan");
    assert_string_equal(def->cakupan, "kabupaten/kota");
    tu_assert_contains(def->produsen_data, "Direktorat Jenderal Pembinaan Penempatan");
    assert_true(json_is_object(def->metadata));
    for (size_t i = 0; wd_required_metadata[i]; i++)
        assert_non_null(json_object_get(def->metadata, wd_required_metadata[i]));
    assert_string_equal(json_string_value(json_object_get(def->metadata, "ukuran")), "Jumlah");
    assert_string_equal(json_string_value(json_object_get(def->metadata, "satuan")), "orang");
    assert_string_equal(json_string_value(json_object_get(def->metadata, "jadwal_rilis")),
                        "tanggal 10 bulan berikutnya");

    /* dialect */
    assert_int_equal(def->dialect.delimiter, ';');
    assert_int_equal(def->dialect.quote, '"');
    assert_true(def->dialect.header);
    assert_int_equal(def->dialect.encoding, WD_ENCODING_WINDOWS_1252);
    assert_int_equal(def->decimal_char, ',');
    assert_int_equal(def->group_char, '.');

    /* target */
    assert_string_equal(def->table, "penempatan_tenaga_kerja");
    assert_int_equal(def->mode, WD_MODE_UPSERT);
    assert_string_equal(wd_mode_name(def->mode), "upsert");
    assert_int_equal(def->nperiod, 0);

    /* fields, in order, with their types and sources */
    static const struct {
        const char *name, *source;
        enum wd_type type;
    } want[] = {
        {"id_penempatan", "ID", WD_TYPE_STRING},
        {"nik", "NIK", WD_TYPE_STRING},
        {"jenis_kelamin", "JK", WD_TYPE_STRING},
        {"tanggal_lahir", "TGL_LAHIR", WD_TYPE_DATE},
        {"pendidikan", "PENDIDIKAN", WD_TYPE_STRING},
        {"kode_provinsi", "KODE_PROV", WD_TYPE_STRING},
        {"kode_kabkota", "KODE_KAB", WD_TYPE_STRING},
        {"kbli", "KBLI", WD_TYPE_STRING},
        {"kbji", "KBJI", WD_TYPE_STRING},
        {"nama_perusahaan", "PERUSAHAAN", WD_TYPE_STRING},
        {"upah", "UPAH", WD_TYPE_NUMBER},
        {"tanggal_penempatan", "TGL_PENEMPATAN", WD_TYPE_DATE},
        {"status_pekerjaan", "STATUS", WD_TYPE_STRING},
        {"mekanisme", "MEKANISME", WD_TYPE_STRING},
    };
    assert_int_equal(def->nfields, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < def->nfields; i++) {
        assert_string_equal(def->fields[i].name, want[i].name);
        assert_string_equal(def->fields[i].source, want[i].source);
        assert_int_equal(def->fields[i].type, want[i].type);
        assert_int_equal(wd_definition_field(def, want[i].name), (int)i);
    }
    assert_int_equal(wd_definition_field(def, "tidak_ada"), -1);

    /* primary key */
    assert_int_equal(def->npk, 1);
    assert_int_equal(def->primary_key[0], 0);
    assert_true(def->fields[0].required);

    /* code lists resolved to the newest versions, parent index */
    const struct {
        const char *field, *list, *version;
    } lists[] = {
        {"jenis_kelamin", "jenis_kelamin", "sakernas"},
        {"pendidikan", "pendidikan", "sakernas"},
        {"kode_provinsi", "wilayah_provinsi", "2025"},
        {"kode_kabkota", "wilayah_kabkota", "2025"},
        {"kbli", "kbli2020", "2020"},
        {"kbji", "kbji2014", "2014"},
        {"status_pekerjaan", "status_pekerjaan", "sakernas"},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const struct wd_fielddef *f = field(def, lists[i].field);
        assert_non_null(f->codelist);
        assert_string_equal(f->codelist_ref, lists[i].list);
        assert_string_equal(f->codelist->name, lists[i].list);
        assert_string_equal(f->codelist->version, lists[i].version);
        assert_ptr_equal(f->codelist, wd_codes_list(tu_codes(), lists[i].list));
    }
    const struct wd_fielddef *kab = field(def, "kode_kabkota");
    assert_string_equal(kab->parent_name, "kode_provinsi");
    assert_int_equal(kab->parent, wd_definition_field(def, "kode_provinsi"));
    assert_int_equal(kab->parent, 5);
    for (size_t i = 0; i < def->nfields; i++)
        if (i != 6)
            assert_int_equal(def->fields[i].parent, -1);
    for (const char *const *n = (const char *const[]){"id_penempatan", "tanggal_lahir",
                                                      "nama_perusahaan", "upah", "mekanisme", NULL};
         *n; n++) {
        assert_null(field(def, *n)->codelist);
        assert_null(field(def, *n)->codelist_ref);
    }

    /* transforms */
    assert_int_equal(field(def, "kode_provinsi")->pad, 2);
    assert_int_equal(kab->pad, 4);
    assert_int_equal(field(def, "kbli")->pad, 5);
    assert_int_equal(field(def, "kbji")->pad, 0);
    const struct wd_fielddef *jk = field(def, "jenis_kelamin");
    assert_int_equal(jk->nrecode, 2);
    assert_string_equal(jk->recode[0].from, "L");
    assert_string_equal(jk->recode[0].to, "1");
    assert_string_equal(jk->recode[1].from, "P");
    assert_string_equal(jk->recode[1].to, "2");
    assert_int_equal(jk->letter_case, WD_CASE_UPPER);
    assert_int_equal(field(def, "mekanisme")->letter_case, WD_CASE_UPPER);
    assert_int_equal(field(def, "nama_perusahaan")->letter_case, WD_CASE_KEEP);
    assert_false(field(def, "upah")->bare_number);
    assert_true(field(def, "kbli")->bare_number);

    /* privacy and rules */
    const struct wd_fielddef *nik = field(def, "nik");
    assert_int_equal(nik->privacy, WD_PRIVACY_PSEUDONYMIZE);
    assert_true(nik->personal);
    assert_int_equal(nik->rules, WD_RULE_NIK);
    assert_true(nik->required);
    for (size_t i = 0; i < def->nfields; i++)
        if (i != 1) {
            assert_int_equal(def->fields[i].privacy, WD_PRIVACY_NONE);
            assert_false(def->fields[i].personal);
            assert_int_equal(def->fields[i].rules, 0);
        }

    /* constraints */
    const struct wd_fielddef *id = field(def, "id_penempatan");
    assert_string_equal(id->pattern, "[A-Z0-9-]{4,32}");
    assert_string_equal(field(def, "kbji")->pattern, "[0-9]{4}\\.[0-9]{2}");
    const struct wd_fielddef *lahir = field(def, "tanggal_lahir");
    assert_string_equal(lahir->format, "%d/%m/%Y");
    assert_true(lahir->has_minimum);
    assert_false(lahir->has_maximum);
    assert_true(lahir->minimum == -10958.0);
    assert_string_equal(lahir->minimum_text, "1940-01-01");
    assert_false(lahir->required);
    const struct wd_fielddef *tp = field(def, "tanggal_penempatan");
    assert_true(tp->required);
    assert_true(tp->minimum == 16436.0);
    const struct wd_fielddef *upah = field(def, "upah");
    assert_true(upah->has_minimum);
    assert_true(upah->minimum == 0.0);
    assert_string_equal(upah->minimum_text, "0");
    assert_string_equal(upah->unit, "rupiah");
    assert_true(field(def, "nama_perusahaan")->has_max_length);
    assert_int_equal(field(def, "nama_perusahaan")->max_length, 200);
    const struct wd_fielddef *mek = field(def, "mekanisme");
    assert_true(strlist_equal(&mek->enum_values, (const char *const[]){"AKL", "AKAD", "AKAN"}, 3));
    assert_string_equal(mek->title, "Mekanisme antarkerja");
    for (const char *const *n =
             (const char *const[]){"id_penempatan", "nik", "jenis_kelamin", "kode_provinsi",
                                   "kode_kabkota", "tanggal_penempatan", NULL};
         *n; n++)
        assert_true(field(def, *n)->required);
    for (const char *const *n = (const char *const[]){"pendidikan", "kbli", "kbji", "upah",
                                                      "status_pekerjaan", "mekanisme", NULL};
         *n; n++)
        assert_false(field(def, *n)->required);

    /* missing values: every field inherits the schema's */
    for (size_t i = 0; i < def->nfields; i++)
        assert_true(
            strlist_equal(&def->fields[i].missing_values, (const char *const[]){"", "-", "NA"}, 3));

    /* quality gate */
    assert_true(def->min_score == 70.0);
    assert_true(def->max_reject_ratio == 0.05);

    wd_definition_free(def);
}

/* ---- the base and its variants that must load ---- */

static struct wd_definition *load_ok(const char *path, const struct wd_codes *codes)
{
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_definition_load(path, codes, &def, &err);
    if (rc != 0) {
        wd_error_print(stderr, &err);
        fail_msg("%s was refused", path);
    }
    assert_non_null(def);
    return def;
}

/* Loads the base with edits applied; the caller frees the definition. */
static struct wd_definition *load_variant(const struct edit *edits, size_t n,
                                          const struct wd_codes *codes)
{
    json_t *root = base_json();
    apply_edits(root, edits, n);
    char path[512];
    write_def(root, BASE_NAME, path, sizeof(path));
    json_decref(root);
    struct wd_definition *def = load_ok(path, codes);
    unlink(path);
    return def;
}

static void test_base_loads(void **state)
{
    (void)state;
    struct wd_definition *def = load_ok(BASE_PATH, tu_codes());
    assert_int_equal(def->nfields, NBASE_FIELDS);
    assert_int_equal(def->dialect.encoding, WD_ENCODING_UTF8);
    assert_int_equal(def->fields[F_KAB].parent, F_PROV);
    assert_int_equal(def->fields[F_TAHUN].type, WD_TYPE_YEAR);
    assert_true(def->fields[F_BULAN].has_maximum);
    assert_true(def->fields[F_BULAN].maximum == 12.0);
    assert_true(
        strlist_equal(&def->fields[F_UPAH].missing_values, (const char *const[]){"", "-"}, 2));
    wd_definition_free(def);

    /* and the same document, written back by jansson, as every mistake case is */
    def = load_variant(NULL, 0, tu_codes());
    assert_int_equal(def->nfields, NBASE_FIELDS);
    wd_definition_free(def);
}

static void test_defaults(void **state)
{
    (void)state;
    const struct edit edits[] = {
        {"source", NULL}, {"target", NULL}, {"quality", NULL}, {"schema.missingValues", NULL}};
    struct wd_definition *def = load_variant(edits, 4, tu_codes());
    assert_int_equal(def->dialect.delimiter, ',');
    assert_int_equal(def->dialect.quote, '"');
    assert_true(def->dialect.header);
    assert_int_equal(def->dialect.encoding, WD_ENCODING_UTF8);
    assert_int_equal(def->decimal_char, '.');
    assert_int_equal(def->group_char, '\0');
    assert_string_equal(def->table, BASE_NAME);
    assert_int_equal(def->mode, WD_MODE_APPEND);
    assert_true(def->min_score == 0.0);
    assert_true(def->max_reject_ratio == 1.0);
    assert_string_equal(def->fields[F_ID].source, "id");
    assert_true(strlist_equal(&def->fields[F_ID].missing_values, (const char *const[]){""}, 1));
    assert_true(def->fields[F_ID].bare_number);
    assert_int_equal(def->fields[F_ID].letter_case, WD_CASE_KEEP);
    assert_int_equal(def->fields[F_ID].pad, 0);
    assert_null(def->fields[F_UPAH].format);
    assert_true(strlist_equal(&def->fields[F_KETERANGAN].true_values,
                              (const char *const[]){"true", "True", "TRUE", "1"}, 4));
    wd_definition_free(def);

    /* a field without "type" is a string */
    const struct edit untyped[] = {{"schema.fields[10].type", NULL}};
    def = load_variant(untyped, 1, tu_codes());
    assert_int_equal(def->fields[F_KETERANGAN].type, WD_TYPE_STRING);
    wd_definition_free(def);
}

static void test_primary_key_fields_become_required(void **state)
{
    (void)state;
    const struct edit edits[] = {{"schema.primaryKey", "[\"tahun\", \"bulan\", \"kode_kabkota\"]"}};
    struct wd_definition *def = load_variant(edits, 1, tu_codes());
    assert_int_equal(def->npk, 3);
    assert_int_equal(def->primary_key[0], F_TAHUN);
    assert_int_equal(def->primary_key[1], F_BULAN);
    assert_int_equal(def->primary_key[2], F_KAB);
    for (size_t i = 0; i < def->nfields; i++) {
        bool want = i == F_TAHUN || i == F_BULAN || i == F_KAB || i == F_ID;
        if (def->fields[i].required != want)
            fail_msg("field %s: required is %d", def->fields[i].name, def->fields[i].required);
    }
    wd_definition_free(def);

    /* a single name is a key of one field */
    const struct edit one[] = {{"schema.primaryKey", "\"jumlah\""}};
    def = load_variant(one, 1, tu_codes());
    assert_int_equal(def->npk, 1);
    assert_int_equal(def->primary_key[0], F_JUMLAH);
    assert_true(def->fields[F_JUMLAH].required);
    wd_definition_free(def);
}

static void test_replace_with_period(void **state)
{
    (void)state;
    const struct edit edits[] = {{"target.mode", "\"replace\""},
                                 {"target.period", "[\"tahun\", \"bulan\"]"},
                                 {"schema.primaryKey", NULL}};
    struct wd_definition *def = load_variant(edits, 3, tu_codes());
    assert_int_equal(def->mode, WD_MODE_REPLACE);
    assert_string_equal(wd_mode_name(def->mode), "replace");
    assert_int_equal(def->nperiod, 2);
    assert_int_equal(def->period[0], F_TAHUN);
    assert_int_equal(def->period[1], F_BULAN);
    assert_int_equal(def->npk, 0);
    wd_definition_free(def);
}

static void test_field_details(void **state)
{
    (void)state;
    const struct edit edits[] = {
        {"schema.fields[10]",
         "{\"name\": \"keterangan\", \"source\": \" Keterangan \", \"type\": \"string\","
         " \"missingValues\": [\"?\"], \"case\": \"lower\", \"privacy\": \"drop\","
         " \"constraints\": {\"minLength\": 2, \"maxLength\": 5, \"enum\": [\"ab\", \"cde\"],"
         " \"unique\": true}}"},
        {"schema.fields[5].codelist", "\"wilayah_provinsi@2022\""},
        {"schema.fields[4].constraints",
         "{\"minimum\": \"2020-01-01\", \"maximum\": \"2020-12-31\"}"},
    };
    struct wd_definition *def = load_variant(edits, 3, tu_codes());
    const struct wd_fielddef *k = &def->fields[F_KETERANGAN];
    assert_string_equal(k->source, " Keterangan ");
    assert_true(strlist_equal(&k->missing_values, (const char *const[]){"?"}, 1));
    assert_int_equal(k->letter_case, WD_CASE_LOWER);
    assert_int_equal(k->privacy, WD_PRIVACY_DROP);
    assert_true(k->personal);
    assert_true(k->unique);
    assert_true(k->has_min_length && k->has_max_length);
    assert_int_equal(k->min_length, 2);
    assert_int_equal(k->max_length, 5);
    assert_true(strlist_equal(&k->enum_values, (const char *const[]){"ab", "cde"}, 2));
    /* a versioned reference resolves to that version */
    const struct wd_fielddef *p = &def->fields[F_PROV];
    assert_string_equal(p->codelist_ref, "wilayah_provinsi@2022");
    assert_string_equal(p->codelist->version, "2022");
    assert_int_equal(p->codelist->ncodes, 34);
    /* date bounds are days since 1970 */
    const struct wd_fielddef *t = &def->fields[F_TANGGAL];
    assert_true(t->minimum == 18262.0);
    assert_true(t->maximum == 18627.0);
    assert_string_equal(t->maximum_text, "2020-12-31");
    /* the rest of the schema keeps the schema's missing values */
    assert_true(
        strlist_equal(&def->fields[F_ID].missing_values, (const char *const[]){"", "-"}, 2));
    wd_definition_free(def);
}

/* A rule that needs a code list the codes do not have is refused at load. */
static void test_rule_nik_needs_kecamatan(void **state)
{
    (void)state;
    json_t *root = base_json();
    const struct edit edits[] = {{"schema.fields[2].codelist", NULL},
                                 {"schema.fields[5].codelist", NULL},
                                 {"schema.fields[6].codelist", NULL}};
    apply_edits(root, edits, 3);
    json_edit(root, "schema.fields[6].parent", NULL);
    char path[512];
    write_def(root, BASE_NAME, path, sizeof(path));
    json_decref(root);
    const char *words[] = {"nik", "wilayah_kecamatan"};
    expect_refused(path, NULL, "schema.fields[1].rules[0]", words, 2, NULL);
    /* without the rule the definition needs no codes at all */
    root = base_json();
    apply_edits(root, edits, 3);
    json_edit(root, "schema.fields[6].parent", NULL);
    json_edit(root, "schema.fields[1].rules", NULL);
    write_def(root, BASE_NAME, path, sizeof(path));
    json_decref(root);
    struct wd_definition *def = load_ok(path, NULL);
    wd_definition_free(def);
    unlink(path);
}

/*
 * A parent field must hold the codes the child's list names as parents: a kab/kota whose
 * parent field is coded by jenis_kelamin would reject every row of every file, so it is a
 * mistake of the definition, refused at load like any other cross-reference.
 */
static void test_parent_list_must_hold_parent_codes(void **state)
{
    (void)state;
    json_t *root = base_json();
    json_edit(root, "schema.fields[6].parent", json_string("jenis_kelamin"));
    char path[512];
    write_def(root, BASE_NAME, path, sizeof(path));
    json_decref(root);
    const char *words[] = {"jenis_kelamin"};
    expect_refused(path, tu_codes(), "schema.fields[6].parent", words, 1, NULL);
    unlink(path);
}

static void test_invalid_json(void **state)
{
    (void)state;
    const char *path = DEF_DIR "/invalid_json.json";
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_definition_load(path, tu_codes(), &def, &err), WD_EMAPPING);
    assert_null(def);
    assert_int_equal(err.code, WD_EMAPPING);
    assert_string_equal(err.file, path);
    tu_assert_contains(err.msg, "invalid JSON");
    assert_int_equal(err.line, 4);
    assert_true(err.column > 0);
    assert_message_style(&err);
}

static void test_duplicate_json_key(void **state)
{
    (void)state;
    const char *path = DEF_DIR "/duplicate_key.json";
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_definition_load(path, tu_codes(), &def, &err), WD_EMAPPING);
    assert_null(def);
    assert_int_equal(err.code, WD_EMAPPING);
    assert_string_equal(err.file, path);
    tu_assert_contains(err.msg, "invalid JSON");
    tu_assert_contains(err.msg, "duplicate");
    tu_assert_contains(err.msg, "name");
    assert_int_equal(err.line, 4);
    assert_message_style(&err);
}

static void test_not_an_object(void **state)
{
    (void)state;
    char *written = tu_write_str("liste.json", "[1, 2]\n");
    char path[512];
    snprintf(path, sizeof(path), "%s", written);
    free(written);
    const char *words[] = {"expected an object", "an array"};
    expect_refused(path, tu_codes(), "", words, 2, NULL);
    unlink(path);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct wd_definition *def = (struct wd_definition *)0x1;
    struct wd_error err;
    wd_error_clear(&err);
    const char *path = DEF_DIR "/tidak_ada.json";
    assert_int_equal(wd_definition_load(path, tu_codes(), &def, &err), WD_ENOTFOUND);
    assert_null(def);
    assert_int_equal(err.code, WD_ENOTFOUND);
    assert_string_equal(err.file, path);
}

static void test_identifier_valid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"a", true},
        {"penempatan_tenaga_kerja", true},
        {"kode_2025", true},
        {"a_", true},
        {"a12345678901234567890123456789012345678901234567890123456789012", true}, /* 63 */
        {NAME64, false},                                                           /* 64 */
        {"", false},
        {"1abc", false},
        {"_abc", false},
        {"Abc", false},
        {"abC", false},
        {"x-y", false},
        {"x y", false},
        {"x;y", false},
        {"a.b", false},
        {"\"a\"", false},
        {"kode\xc3\xa9", false},
    };
    assert_int_equal(strlen(cases[4].s), 63);
    assert_int_equal(strlen(NAME64), 64);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (wd_identifier_valid(cases[i].s) != cases[i].ok)
            fail_msg("wd_identifier_valid(\"%s\") is %d", cases[i].s, !cases[i].ok);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(wd_type_name(WD_TYPE_STRING), "string");
    assert_string_equal(wd_type_name(WD_TYPE_INTEGER), "integer");
    assert_string_equal(wd_type_name(WD_TYPE_NUMBER), "number");
    assert_string_equal(wd_type_name(WD_TYPE_BOOLEAN), "boolean");
    assert_string_equal(wd_type_name(WD_TYPE_DATE), "date");
    assert_string_equal(wd_type_name(WD_TYPE_DATETIME), "datetime");
    assert_string_equal(wd_type_name(WD_TYPE_YEAR), "year");
    assert_string_equal(wd_mode_name(WD_MODE_APPEND), "append");
    assert_string_equal(wd_mode_name(WD_MODE_UPSERT), "upsert");
    assert_string_equal(wd_mode_name(WD_MODE_REPLACE), "replace");
}

static void test_free_null(void **state)
{
    (void)state;
    wd_definition_free(NULL);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_penempatan_loads),
        cmocka_unit_test(test_base_loads),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_primary_key_fields_become_required),
        cmocka_unit_test(test_replace_with_period),
        cmocka_unit_test(test_field_details),
        cmocka_unit_test(test_rule_nik_needs_kecamatan),
        cmocka_unit_test(test_parent_list_must_hold_parent_codes),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_duplicate_json_key),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_identifier_valid),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_free_null),
    };
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
    size_t n = nfixed + NMISTAKES;
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    if (!tests)
        return 1;
    memcpy(tests, fixed, sizeof(fixed));
    for (size_t i = 0; i < NMISTAKES; i++) {
        tests[nfixed + i].name = mistakes[i].label;
        tests[nfixed + i].test_func = test_mistake;
        tests[nfixed + i].initial_state = (void *)&mistakes[i];
    }
    int failed = _cmocka_run_group_tests("test_definition", tests, n, NULL, NULL);
    free(tests);
    return failed;
}
