/*
 * test_validate.c - one file through the core, end to end in the library: every rule's
 * failure found at its row and line, good rows handed out in canonical form, the counts and
 * quality dimensions, and the refusals that stop a file (a missing column, broken quoting).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "../etl/quality.h"
#include "../etl/report.h"
#include "../etl/timeliness.h"
#include "../etl/validate.h"

static const char *const fields =
    "[{\"name\": \"id\", \"type\": \"string\", \"constraints\": {\"pattern\": \"[A-Z]{2}[0-9]{3}\"}},"
    " {\"name\": \"nik\", \"rules\": [\"nik\"]},"
    " {\"name\": \"npwp\", \"rules\": [\"npwp\"]},"
    " {\"name\": \"jk\", \"codelist\": \"jenis_kelamin\", \"recode\": {\"L\": \"1\", \"P\": \"2\"}},"
    " {\"name\": \"prov\", \"codelist\": \"wilayah_provinsi\", \"pad\": 2},"
    " {\"name\": \"kab\", \"codelist\": \"wilayah_kabkota\", \"parent\": \"prov\", \"pad\": 4},"
    " {\"name\": \"umur\", \"type\": \"integer\", \"constraints\": {\"minimum\": 15, \"maximum\": 70}},"
    " {\"name\": \"nama\", \"constraints\": {\"minLength\": 2, \"maxLength\": 10}},"
    " {\"name\": \"status\", \"case\": \"upper\", \"constraints\": {\"enum\": [\"A\", \"B\"]}},"
    " {\"name\": \"tgl\", \"type\": \"date\", \"format\": \"%d/%m/%Y\"},"
    " {\"name\": \"upah\", \"type\": \"number\"}]";

#define HDR "id;nik;npwp;jk;prov;kab;umur;nama;status;tgl;upah\n"
#define NIK "3275011708900001"
#define NPWP "01.234.567.4-012.000"

/* row: what fails (expected rule and field), one per line of the fixture */
static const char fixture[] =
    HDR
    "AB001;" NIK ";" NPWP ";L;32;3275;30;Budi;a;17/08/2025;4.500.000,00\n" /* 1 good */
    "ab002;" NIK ";;P;32;3275;30;Sari;A;17/08/2025;1\n"                   /* 2 pattern id */
    "AB003;1234;;P;32;3275;30;Sari;A;17/08/2025;1\n"                      /* 3 nik */
    "AB004;" NIK ";012345675012000;P;32;3275;30;Sari;A;17/08/2025;1\n"    /* 4 npwp */
    "AB005;" NIK ";;X;32;3275;30;Sari;A;17/08/2025;1\n"                   /* 5 codelist jk */
    "AB006;" NIK ";;P;31;3275;30;Sari;A;17/08/2025;1\n"                   /* 6 parent kab */
    "\n"                                                                  /* blank line */
    "AB007;" NIK ";;P;32;3275;10;Sari;A;17/08/2025;1\n"                   /* 7 minimum umur */
    "AB008;" NIK ";;P;32;3275;71;Sari;A;17/08/2025;1\n"                   /* 8 maximum umur */
    "AB009;" NIK ";;P;32;3275;30;S;A;17/08/2025;1\n"                      /* 9 minLength */
    "AB010;" NIK ";;P;32;3275;30;Bartholomew;A;17/08/2025;1\n"            /* 10 maxLength */
    "AB011;" NIK ";;P;32;3275;30;Sari;c;17/08/2025;1\n"                   /* 11 enum */
    "AB012;" NIK ";;P;32;3275;30;Sari;A;31/02/2025;1\n"                   /* 12 type tgl */
    "AB013;" NIK ";;P;32;3275;30;Sari;A;17/08/2025;12,5\n"                /* 13 good */
    "AB001;" NIK ";;P;32;3275;30;Sari;A;17/08/2025;1\n"                   /* 14 unique id */
    "AB015;" NIK ";;P\n"                                                  /* 15 columns */
    "AB016;" NIK ";;P;32;3275;30;Sa\xff;A;17/08/2025;1\n"                 /* 16 encoding */
    "AB017;" NIK ";;P;\"32\";3275;30;\"Sri\nAyu\";b;1/8/2025;  7  \n"     /* 17 good, 2 lines */
    "AB018;" NIK ";;P;32;275;30;Sari;A;17/08/2025;1\n";                   /* 18 codelist kab */

struct expect {
    uint64_t row, line;
    const char *field; /* NULL for the whole row */
    const char *rule;
};

static const struct expect expected[] = {
    {2, 3, "id", "pattern"},     {3, 4, "nik", "nik"},           {4, 5, "npwp", "npwp"},
    {5, 6, "jk", "codelist"},    {6, 7, "kab", "parent"},        {7, 9, "umur", "minimum"},
    {8, 10, "umur", "maximum"},  {9, 11, "nama", "minLength"},   {10, 12, "nama", "maxLength"},
    {11, 13, "status", "enum"},  {12, 14, "tgl", "type"},        {14, 16, "id", "unique"},
    {15, 17, NULL, "columns"},   {16, 18, "nama", "encoding"},   {18, 21, "kab", "codelist"},
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

struct collected {
    struct wd_report rep;
    uint64_t good_rows[8];
    uint64_t good_lines[8];
    char upah[8][32];
    char tgl[8][32];
    char prov[8][8];
    size_t ngood;
};

static int on_row(void *ctx, const struct wd_good_row *row)
{
    struct collected *c = ctx;
    assert_true(c->ngood < 8);
    c->good_rows[c->ngood] = row->row;
    c->good_lines[c->ngood] = row->line;
    snprintf(c->upah[c->ngood], 32, "%.*s", (int)row->lens[10], row->values[10]);
    snprintf(c->tgl[c->ngood], 32, "%.*s", (int)row->lens[9], row->values[9]);
    snprintf(c->prov[c->ngood], 8, "%.*s", (int)row->lens[4], row->values[4]);
    c->ngood++;
    return 0;
}

static void on_failure(void *ctx, const struct wd_failure *f)
{
    wd_report_failure(&((struct collected *)ctx)->rep, f);
}

/* Validates csv against def, every failure collected into c->rep; asserts it ran through. */
static void validate_failures(struct wd_definition *def, const char *name, const char *csv,
                              struct collected *c, struct wd_validation *v)
{
    memset(c, 0, sizeof(*c));
    wd_report_init(&c->rep, def, name, 100);
    struct wd_sink sink = {.ctx = c, .failure = on_failure};
    struct wd_stream *in = wd_stream_memory(name, csv, strlen(csv));
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, &sink, v, &err), 0);
    wd_stream_close(in);
}

static struct wd_definition *fixture_definition(void)
{
    return tu_definition("uji_validasi",
                         "{\"delimiter\": \";\", \"decimalChar\": \",\", \"groupChar\": \".\"}",
                         fields, "\"primaryKey\": \"id\", \"missingValues\": [\"\", \"-\"],", "");
}

static void test_every_rule_found_at_its_row(void **state)
{
    (void)state;
    struct wd_definition *def = fixture_definition();
    struct collected c;
    memset(&c, 0, sizeof(c));
    wd_report_init(&c.rep, def, "fixture.csv", 100);
    struct wd_sink sink = {.ctx = &c, .row = on_row, .failure = on_failure};
    struct wd_stream *in = wd_stream_memory("fixture.csv", fixture, sizeof(fixture) - 1);
    struct wd_validation v;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_validate(def, tu_codes(), in, &sink, &v, &err), 0);
    wd_stream_close(in);

    assert_int_equal(v.counts.rows, 18);
    assert_int_equal(v.counts.valid, 3);
    assert_int_equal(v.counts.rejected, 15);
    assert_int_equal(v.counts.blank_lines, 1);
    assert_int_equal(c.rep.nerrors, NEXPECTED);
    for (size_t i = 0; i < NEXPECTED; i++) {
        const struct wd_report_error *e = &c.rep.errors[i];
        const struct expect *x = &expected[i];
        assert_int_equal(e->row, x->row);
        assert_int_equal(e->line, x->line);
        assert_string_equal(wd_rule_names[e->rule], x->rule);
        if (x->field)
            assert_string_equal(def->fields[e->field].name, x->field);
        else
            assert_int_equal(e->field, -1);
    }
    /* the good rows, in canonical form: numbers with '.', ISO dates, codes padded */
    assert_int_equal(c.ngood, 3);
    assert_int_equal(c.good_rows[0], 1);
    assert_int_equal(c.good_rows[1], 13);
    assert_int_equal(c.good_rows[2], 17);
    assert_int_equal(c.good_lines[2], 19);
    assert_string_equal(c.upah[0], "4500000.00");
    assert_string_equal(c.upah[1], "12.5");
    assert_string_equal(c.upah[2], "7");
    assert_string_equal(c.tgl[0], "2025-08-17");
    assert_string_equal(c.tgl[2], "2025-08-01");
    assert_string_equal(c.prov[2], "32");
    /* messages name the value and what was expected */
    tu_assert_contains(c.rep.errors[4].message, "kabupaten/kota 3275 is not in provinsi 31");
    tu_assert_contains(c.rep.errors[5].message, "10 is below the minimum 15");
    tu_assert_contains(c.rep.errors[10].message, "\"31/02/2025\" is not a real date");
    tu_assert_contains(c.rep.errors[12].message, "expected 11 fields, found 4");
    tu_assert_contains(c.rep.errors[13].value, "Sa\\xFF");

    wd_report_finish(&c.rep, 0, &v, &err);
    const struct wd_quality *q = &c.rep.quality;
    /* no required fields but the key: completeness counts id; row 13's id and the
     * columns row's are missing */
    assert_true(q->completeness < 100.0);
    assert_true(q->validity < 100.0);
    assert_true(q->uniqueness < 100.0 && q->uniqueness > 94.0); /* 1 of 18 */
    assert_true(q->consistency < 100.0);
    /* without a quality section there is no gate: the three good rows would publish */
    assert_true(q->accepted);
    wd_report_free(&c.rep);
    wd_definition_free(def);
}

static void test_quality_dimensions_exact(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_mutu", "{\"delimiter\": \",\"}",
        "[{\"name\": \"id\", \"constraints\": {\"required\": true}},"
        " {\"name\": \"prov\", \"codelist\": \"wilayah_provinsi\"},"
        " {\"name\": \"kab\", \"codelist\": \"wilayah_kabkota\", \"parent\": \"prov\"}]",
        "\"primaryKey\": [\"id\"],", "\"quality\": {\"minScore\": 95, \"maxRejectRatio\": 0.5},");
    /* 10 rows: 1 missing id, 1 repeated id, 1 kab in the wrong province, 1 unknown prov */
    static const char csv[] = "id,prov,kab\n"
                              "1,32,3275\n2,32,3275\n3,32,3275\n4,32,3275\n5,32,3275\n"
                              ",32,3275\n1,32,3275\n8,31,3275\n9,99,3275\n10,32,3201\n";
    struct wd_stream *in = wd_stream_memory("q.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), 0);
    wd_stream_close(in);
    struct wd_quality q;
    wd_quality_score(def, &v.counts, &q);
    assert_int_equal(v.counts.rows, 10);
    assert_int_equal(v.counts.rejected, 4);
    assert_true(q.completeness == 90.0);  /* 9 of 10 ids present */
    assert_true(q.validity == 96.6);      /* 28 of 29 present values valid (99 is no prov) */
    assert_true(q.uniqueness == 90.0);    /* 1 repeated key of 10 rows */
    assert_true(q.consistency == 88.9);   /* 8 of 9 kab/prov pairs that could be checked */
    assert_true(q.timeliness == 100.0);
    assert_true(q.score == 93.1);         /* (90 + 96.6 + 90 + 88.9 + 100) / 5 = 93.1 */
    assert_false(q.accepted);             /* under minScore 95 */
    tu_assert_contains(q.refusal, "quality score 93.1 is below the dataset's minimum of 95.0");
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_missing_column_refuses_file(void **state)
{
    (void)state;
    struct wd_definition *def = fixture_definition();
    static const char csv[] = "id;nik;npwp;jk;prov;kab;umur;NAMA_LENGKAP;status;tgl;upah\n";
    struct wd_stream *in = wd_stream_memory("header.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), WD_EHEADER);
    wd_stream_close(in);
    assert_string_equal(err.file, "header.csv");
    assert_int_equal(err.line, 1);
    assert_string_equal(err.field, "nama");
    tu_assert_contains(err.msg, "column \"nama\" is missing from the header");
    tu_assert_contains(err.detail, "\"NAMA_LENGKAP\"");
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_header_matching_ignores_case_and_spaces(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_header", "{\"delimiter\": \";\"}",
        "[{\"name\": \"kode\", \"source\": \"Kode Wilayah\"}, {\"name\": \"jumlah\", \"type\": "
        "\"integer\"}]", "", "");
    static const char csv[] = " KODE WILAYAH ;Jumlah;Keterangan;;\n11;5;x;;\n12;6;;;\n";
    struct wd_stream *in = wd_stream_memory("h.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.valid, 2);
    assert_int_equal(v.nignored, 1); /* empty trailing header names are not listed */
    assert_string_equal(v.ignored_columns[0], "Keterangan");
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_trailing_empty_fields_allowed(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition("uji_trailing", "{\"delimiter\": \";\"}",
                                              "[{\"name\": \"a\"}, {\"name\": \"b\"}]", "", "");
    static const char csv[] = "a;b\n1;2;;\n3;4;x\n";
    struct wd_stream *in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.valid, 1);
    assert_int_equal(v.counts.rules[WD_R_COLUMNS], 1);
    wd_validation_free(&v);
    wd_definition_free(def);
}

static int keep_first_value(void *ctx, const struct wd_good_row *row)
{
    snprintf(ctx, 128, "%.*s", (int)row->lens[0], row->values[0]);
    return 0;
}

/* A recode whose target is longer than the value, with a change of case: the value checked
 * and passed on is the recoded one in upper case, however long (its room was once the
 * value's length, and the value was then checked as it came). */
static void test_long_recode_then_case(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_recode_panjang", "{\"delimiter\": \";\"}",
        "[{\"name\": \"jabatan\", \"case\": \"upper\", \"recode\": {\"tkl\": "
        "\"tenaga kerja lokal yang ditempatkan melalui mekanisme antarkerja lokal\"},"
        " \"constraints\": {\"maxLength\": 80}}]",
        "", "");
    static const char csv[] = "jabatan\ntkl\n";
    struct wd_stream *in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    char got[128] = "";
    struct wd_sink sink = {got, keep_first_value, NULL, NULL, NULL};
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, &sink, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.valid, 1);
    assert_string_equal(got,
                        "TENAGA KERJA LOKAL YANG DITEMPATKAN MELALUI MEKANISME ANTARKERJA LOKAL");
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_broken_quoting_stops_with_line(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition("uji_quote", "{\"delimiter\": \";\"}",
                                              "[{\"name\": \"a\"}, {\"name\": \"b\"}]", "", "");
    static const char csv[] = "a;b\n1;2\n3;x\"y\n5;6\n";
    struct wd_stream *in = wd_stream_memory("q.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), WD_EFORMAT);
    wd_stream_close(in);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    tu_assert_contains(err.msg, "malformed quoting");
    assert_int_equal(v.counts.rows, 1);
    wd_validation_free(&v);
    wd_definition_free(def);
}

static int stop_after_two(void *ctx, uint64_t row, bool rejected)
{
    (void)ctx;
    (void)rejected;
    return row >= 2 ? WD_ESTOPPED : 0;
}

static void test_sink_can_stop_early(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition("uji_stop", "{}", "[{\"name\": \"a\"}]", "", "");
    static const char csv[] = "a\n1\n2\n3\n4\n";
    struct wd_stream *in = wd_stream_memory("s.csv", csv, sizeof(csv) - 1);
    struct wd_sink sink = {.end_of_row = stop_after_two};
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate(def, tu_codes(), in, &sink, &v, &err), WD_ESTOPPED);
    wd_stream_close(in);
    assert_int_equal(v.counts.rows, 2);
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_checks_and_nik_consistency(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_konsistensi", "{\"delimiter\": \";\", \"decimalChar\": \",\"}",
        "[{\"name\": \"id\"},"
        " {\"name\": \"nik\", \"rules\": [\"nik\"],"
        "  \"nik\": {\"sex\": \"jk\", \"birthDate\": \"lahir\"}},"
        " {\"name\": \"jk\", \"codelist\": \"jenis_kelamin\"},"
        " {\"name\": \"lahir\", \"type\": \"date\", \"format\": \"%d/%m/%Y\"},"
        " {\"name\": \"peserta\", \"type\": \"integer\"},"
        " {\"name\": \"lulus\", \"type\": \"integer\"},"
        " {\"name\": \"rasio\", \"type\": \"number\"}]",
        "\"missingValues\": [\"\", \"-\"],",
        "\"checks\": [{\"name\": \"lulus_le_peserta\", \"assert\": \"lulus <= peserta\","
        "  \"message\": \"lulus melebihi peserta\"},"
        " {\"name\": \"rasio_lulus\", \"assert\": \"rasio == 100 * lulus / peserta\","
        "  \"tolerance\": 0.01, \"reject\": false}],");
    static const char csv[] =
        "id;nik;jk;lahir;peserta;lulus;rasio\n"
        "1;3275015708900001;2;17/08/1990;10;8;80\n"      /* 1 good: woman, day 17+40 */
        "2;3275011708900001;2;17/08/1990;10;8;80\n"      /* 2 NIK says man: noted, kept */
        "3;3275011708900001;1;18/08/1990;10;8;80\n"      /* 3 birth date differs: noted */
        "4;3275011708900001;1;17/08/1990;10;12;120\n"    /* 4 lulus > peserta: rejected */
        "5;3275011708900001;1;17/08/1990;10;8;80,1\n"    /* 5 rasio off by 0.1: noted */
        "6;3275011708900001;1;17/08/1990;0;0;0\n"        /* 6 rasio: 0/0, not decided */
        "7;3275011708900001;1;17/08/1990;-;8;80\n";      /* 7 peserta missing: skipped */
    struct collected c;
    struct wd_validation v;
    validate_failures(def, "k.csv", csv, &c, &v);
    assert_int_equal(v.counts.rows, 7);
    assert_int_equal(v.counts.rejected, 1);
    assert_int_equal(v.counts.rules[WD_R_CONSISTENCY], 4);
    assert_int_equal(c.rep.nerrors, 4);
    static const struct {
        uint64_t row;
        const char *field;
        bool rejects;
        const char *words;
    } want[] = {
        {2, "nik", false, "the NIK is of a man (day of birth under 40) but jk is 2"},
        {3, "nik", false, "the NIK gives the birth date 17-08-..90 but lahir is 1990-08-18"},
        {4, "lulus", true, "lulus melebihi peserta (check lulus_le_peserta: peserta 10, lulus 12)"},
        {5, "rasio", false, "check rasio_lulus failed: rasio == 100 * lulus / peserta does not "
                            "hold (peserta 10, lulus 8, rasio 80,1)"},
    };
    for (size_t i = 0; i < 4; i++) {
        const struct wd_report_error *e = &c.rep.errors[i];
        assert_int_equal(e->row, want[i].row);
        assert_string_equal(def->fields[e->field].name, want[i].field);
        assert_string_equal(wd_rule_names[e->rule], "consistency");
        assert_int_equal(e->rejects, want[i].rejects);
        tu_assert_contains(e->message, want[i].words);
    }
    /* made: NIK sex 7, NIK birth date 7, lulus_le_peserta 6 (row 7 lacks peserta), rasio 5
     * (row 6 divides by zero); held: 6, 6, 5 and 4 (row 4's rasio 120 does hold) */
    assert_int_equal(v.counts.consistency_checks, 7 + 7 + 6 + 5);
    assert_int_equal(v.counts.consistency_held, 6 + 6 + 5 + 4);
    wd_report_free(&c.rep);
    wd_validation_free(&v);
    wd_definition_free(def);
}

/* A unique field that is not the key, each with its own index, and a NIK checked against a
 * birth date alone (no sex field). */
static void test_unique_fields_and_nik_birth_alone(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_unik", "{\"delimiter\": \";\"}",
        "[{\"name\": \"id\"},"
        " {\"name\": \"no_hp\", \"constraints\": {\"unique\": true}},"
        " {\"name\": \"kartu\", \"constraints\": {\"unique\": true}},"
        " {\"name\": \"nik\", \"rules\": [\"nik\"], \"nik\": {\"birthDate\": \"lahir\"}},"
        " {\"name\": \"lahir\", \"type\": \"date\", \"format\": \"%d/%m/%Y\"}]",
        "\"primaryKey\": \"id\",", "");
    static const char csv[] = "id;no_hp;kartu;nik;lahir\n"
                              "1;0811;K1;3275011708900001;17/08/1990\n" /* 1 good */
                              "2;0812;K1;3275011708900001;17/08/1990\n" /* 2 kartu repeats */
                              "3;0811;K3;3275011708900001;17/08/1990\n" /* 3 no_hp repeats */
                              "4;0814;K4;3275011708900001;18/08/1990\n"; /* 4 birth differs */
    struct collected c;
    struct wd_validation v;
    validate_failures(def, "u.csv", csv, &c, &v);
    assert_int_equal(v.counts.rows, 4);
    assert_int_equal(v.counts.rejected, 2);
    assert_int_equal(v.counts.rules[WD_R_UNIQUE], 2);
    assert_int_equal(c.rep.nerrors, 3);
    static const struct {
        uint64_t row;
        const char *field, *rule, *words;
    } want[] = {
        {2, "kartu", "unique", "kartu must be unique and repeats an earlier row"},
        {3, "no_hp", "unique", "no_hp must be unique and repeats an earlier row"},
        {4, "nik", "consistency", "the NIK gives the birth date 17-08-..90 but lahir is 1990-08-18"},
    };
    for (size_t i = 0; i < 3; i++) {
        const struct wd_report_error *e = &c.rep.errors[i];
        assert_int_equal(e->row, want[i].row);
        assert_string_equal(def->fields[e->field].name, want[i].field);
        assert_string_equal(wd_rule_names[e->rule], want[i].rule);
        tu_assert_contains(e->message, want[i].words);
    }
    /* the NIK's birth date, once a row; no sex field, so no check of it */
    assert_int_equal(v.counts.consistency_checks, 4);
    assert_int_equal(v.counts.consistency_held, 3);
    wd_report_free(&c.rep);
    wd_validation_free(&v);
    wd_definition_free(def);
}

static void test_timeliness(void **state)
{
    (void)state;
    /* tu_definition's metadata says frekuensi bulanan: 45 days after the month's end */
    struct wd_definition *def = tu_definition(
        "uji_ketepatan", "{}",
        "[{\"name\": \"tahun\", \"type\": \"year\"}, {\"name\": \"bulan\", \"type\": \"integer\"},"
        " {\"name\": \"jumlah\", \"type\": \"integer\"}]",
        "", "\"referencePeriod\": {\"year\": \"tahun\", \"month\": \"bulan\"},");
    /* January ends 31 Jan (late by 20 April: 31 Jan + 45 days = 17 March); March ends 31 Mar
     * (timely until 15 May); a row without a valid month has no period */
    static const char csv[] = "tahun,bulan,jumlah\n2025,1,5\n2025,3,6\n2025,3,7\n2025,x,8\n";
    struct wd_validate_options vo = {true, 0};
    int64_t day;
    assert_true(wd_parse_day("2025-04-20", &day));
    vo.arrival_day = day;
    struct wd_stream *in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    struct wd_validation v;
    struct wd_error err;
    assert_int_equal(wd_validate_ex(def, tu_codes(), in, NULL, &vo, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.dated_rows, 3);
    assert_int_equal(v.counts.timely_rows, 2);
    struct wd_quality q;
    wd_quality_score(def, &v.counts, &q);
    assert_true(q.timeliness == 66.7);
    wd_validation_free(&v);
    /* the last day allowed for March is 15 May; a day later March is late too */
    assert_true(wd_parse_day("2025-05-15", &day));
    vo.arrival_day = day;
    in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    assert_int_equal(wd_validate_ex(def, tu_codes(), in, NULL, &vo, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.timely_rows, 2);
    wd_validation_free(&v);
    assert_true(wd_parse_day("2025-05-16", &day));
    vo.arrival_day = day;
    in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    assert_int_equal(wd_validate_ex(def, tu_codes(), in, NULL, &vo, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.timely_rows, 0);
    wd_validation_free(&v);
    /* not a run: not measured */
    in = wd_stream_memory("t.csv", csv, sizeof(csv) - 1);
    assert_int_equal(wd_validate(def, tu_codes(), in, NULL, &v, &err), 0);
    wd_stream_close(in);
    assert_int_equal(v.counts.dated_rows, 0);
    wd_validation_free(&v);
    wd_definition_free(def);
    assert_int_equal(wd_timeliness_allowance("bulanan"), 45);
    assert_int_equal(wd_timeliness_allowance("tidak_tetap"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_found_at_its_row),
        cmocka_unit_test(test_quality_dimensions_exact),
        cmocka_unit_test(test_missing_column_refuses_file),
        cmocka_unit_test(test_header_matching_ignores_case_and_spaces),
        cmocka_unit_test(test_trailing_empty_fields_allowed),
        cmocka_unit_test(test_long_recode_then_case),
        cmocka_unit_test(test_broken_quoting_stops_with_line),
        cmocka_unit_test(test_sink_can_stop_early),
        cmocka_unit_test(test_checks_and_nik_consistency),
        cmocka_unit_test(test_unique_fields_and_nik_birth_alone),
        cmocka_unit_test(test_timeliness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
