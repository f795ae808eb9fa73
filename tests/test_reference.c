/*
 * test_reference.c - the code lists walidata ships agree, code for code, with the official
 * lists in the shared reference data (../shared/reference-data, or $WALIDATA_REFERENCE_DATA):
 * the same codes, the same parents, and the same labels once white space is folded (the
 * official files wrap some KBLI labels over lines and use no-break spaces; ours keep one
 * code a line with plain spaces).
 */
#include "testutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../connectors/connector.h"
#include "../etl/reader.h"

static const char *refdir;

/* Folds runs of white space into one space and trims; returns a new string. */
static char *fold(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    bool space = false;
    for (; *s; s++) {
        /* white space, the no-break space (U+00A0) included */
        bool nbsp = (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0;
        if (isspace((unsigned char)*s) || nbsp) {
            space = o != out;
            s += nbsp;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

struct official {
    const char *file;
    const char *code_col, *label_col, *parent_col; /* parent_col NULL: none */
    const char *list;                              /* ours, name@version */
    size_t count;
};

static const struct official officials[] = {
    {"kemendagri_2025_provinsi.csv", "code", "label", NULL, "wilayah_provinsi@2025", 38},
    {"kemendagri_2025_kabkota.csv", "code", "label", "parent", "wilayah_kabkota@2025", 514},
    {"kemendagri_2025_kecamatan.csv", "code", "label", "parent", "wilayah_kecamatan@2025", 7285},
    {"kemendagri_2022_provinsi.csv", "code", "label", NULL, "wilayah_provinsi@2022", 34},
    {"kemendagri_2022_kabkota.csv", "code", "label", "parent", "wilayah_kabkota@2022", 514},
    {"kemendagri_2022_kecamatan.csv", "code", "label", "parent", "wilayah_kecamatan@2022", 7266},
    {"kbli2020.csv", "code", "label", "parent", "kbli2020@2020", 2712},
    {"kbji2014.csv", "code", "label", "parent", "kbji2014@2014", 2766},
    {"crosswalk_bps2020_kemendagri_provinsi.csv", "kode_bps", "nama_bps", NULL,
     "wilayah_provinsi_bps@2020", 34},
    {"crosswalk_bps2020_kemendagri_kabkota.csv", "kode_bps", "nama_bps", NULL,
     "wilayah_kabkota_bps@2020", 514},
};

struct table {
    struct wd_stream *in;
    struct wd_reader *r;
    int cols[4];
};

/* Opens an official CSV and finds the named columns (NULL names are skipped). */
static void table_open(struct table *t, const char *file, const char *const names[4])
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", refdir, file);
    struct wd_error err;
    if (wd_file_stream_open(path, &t->in, &err) != 0)
        fail_msg("%s: %s", path, err.msg);
    struct wd_dialect d;
    wd_dialect_default(&d);
    assert_int_equal(wd_reader_open(&t->r, t->in, &d, &err), 0);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t->r, &hdr, &err), 0);
    for (int c = 0; c < 4; c++) {
        t->cols[c] = -1;
        for (size_t i = 0; names[c] && i < hdr->nfields; i++)
            if (strcmp(hdr->fields[i].value, names[c]) == 0)
                t->cols[c] = (int)i;
        if (names[c] && t->cols[c] < 0)
            fail_msg("%s has no column %s", file, names[c]);
    }
}

static void table_close(struct table *t)
{
    wd_reader_free(t->r);
    wd_stream_close(t->in);
}

static void test_lists_agree(void **state)
{
    (void)state;
    const struct wd_codes *codes = tu_codes();
    for (size_t k = 0; k < sizeof(officials) / sizeof(officials[0]); k++) {
        const struct official *o = &officials[k];
        const struct wd_codelist *ours = wd_codes_list(codes, o->list);
        if (!ours)
            fail_msg("no list %s", o->list);
        const char *names[4] = {o->code_col, o->label_col, o->parent_col, NULL};
        struct table t;
        table_open(&t, o->file, names);
        const struct wd_record *rec;
        struct wd_error err;
        size_t n = 0;
        int rc;
        while ((rc = wd_reader_next(t.r, &rec, &err)) == 1) {
            const char *code = rec->fields[t.cols[0]].value;
            const struct wd_code *c = wd_codelist_lookup(ours, code, strlen(code));
            if (!c)
                fail_msg("%s: official code %s (line %llu) is missing from %s", o->file, code,
                         (unsigned long long)rec->line, o->list);
            char *want = fold(rec->fields[t.cols[1]].value), *have = fold(c->label);
            if (strcmp(want, have) != 0)
                fail_msg("%s: code %s is \"%s\" officially, \"%s\" in %s", o->file, code, want,
                         have, o->list);
            free(want);
            free(have);
            if (o->parent_col) {
                const char *p = rec->fields[t.cols[2]].value;
                if (strcmp(p, c->parent ? c->parent : "") != 0)
                    fail_msg("%s: code %s has parent \"%s\" officially, \"%s\" in %s", o->file,
                             code, p, c->parent ? c->parent : "", o->list);
            }
            n++;
        }
        assert_int_equal(rc, 0);
        table_close(&t);
        if (n != ours->ncodes || n != o->count)
            fail_msg("%s: %zu official codes, %zu in %s, %zu expected", o->file, n, ours->ncodes,
                     o->list, o->count);
    }
}

static void test_crosswalks_agree(void **state)
{
    (void)state;
    static const struct {
        const char *file, *crosswalk;
    } xs[] = {
        {"crosswalk_bps2020_kemendagri_provinsi.csv", "provinsi_bps_kemendagri"},
        {"crosswalk_bps2020_kemendagri_kabkota.csv", "kabkota_bps_kemendagri"},
    };
    for (size_t k = 0; k < 2; k++) {
        const struct wd_crosswalk *x = wd_codes_crosswalk(tu_codes(), xs[k].crosswalk);
        assert_non_null(x);
        const char *names[4] = {"kode_bps", "kode_dagri", NULL, NULL};
        struct table t;
        table_open(&t, xs[k].file, names);
        const struct wd_record *rec;
        struct wd_error err;
        size_t n = 0;
        while (wd_reader_next(t.r, &rec, &err) == 1) {
            const char *bps = rec->fields[t.cols[0]].value, *dagri = rec->fields[t.cols[1]].value;
            const char *ours = wd_crosswalk_map(x, bps, strlen(bps));
            if (!ours || strcmp(ours, dagri) != 0)
                fail_msg("%s: BPS %s is Kemendagri %s officially, %s in %s", xs[k].file, bps,
                         dagri, ours ? ours : "(none)", xs[k].crosswalk);
            n++;
        }
        table_close(&t);
        assert_int_equal(n, x->npairs);
    }
    /* the facts the README states */
    const struct wd_crosswalk *kab = wd_codes_crosswalk(tu_codes(), "kabkota_bps_kemendagri");
    assert_string_equal(wd_crosswalk_map(kab, "1101", 4), "1109"); /* Simeulue */
    assert_string_equal(wd_crosswalk_map(kab, "3171", 4), "3174"); /* Jakarta Selatan */
}

static int setup(void **state)
{
    (void)state;
    refdir = getenv("WALIDATA_REFERENCE_DATA");
    if (!refdir)
        refdir = "../shared/reference-data";
    return 0;
}

int main(void)
{
    setup(NULL);
    if (access(refdir, R_OK) != 0) {
        /* CI always has the shared folder beside the clone: there, its absence fails */
        fprintf(stderr, "test_reference: no reference data at %s (set "
                        "WALIDATA_REFERENCE_DATA)\n", refdir);
        if (getenv("CI")) {
            printf("[  FAILED  ] 1 test(s)\n");
            return 1;
        }
        printf("[  SKIPPED ] test_reference: no reference data\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_agree),
        cmocka_unit_test(test_crosswalks_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
