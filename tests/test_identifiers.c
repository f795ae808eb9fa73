/*
 * test_identifiers.c - NIK and NPWP checks.
 *
 * The cases live in tests/data/nik.csv and tests/data/npwp.csv (value,valid,why): each row is
 * one identifier, whether walidata must accept it, and why, so that a new case is a new line.
 * NIKs are checked against the shipped reference codes (tu_codes()), whose wilayah_kecamatan
 * comes in two versions: a NIK keeps the kecamatan where it was first issued, so a code of
 * either version counts. The C cases below check what a table cannot: the decoded sex and
 * birth date, and the reasons given for a refusal.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../etl/identifiers.h"

struct id_case {
    const char *value;
    size_t value_len;
    bool valid;
    const char *why;
    size_t why_len;
    int line;
};

/* Splits a table of value,valid,why (why may hold commas) into cases; returns the count.
 * The cases point into text. */
static size_t load_table(char *text, struct id_case *cases, size_t max)
{
    size_t n = 0;
    int line = 0;
    char *p = text;
    while (*p) {
        char *end = strchr(p, '\n');
        char *next = end ? end + 1 : p + strlen(p);
        if (!end)
            end = p + strlen(p);
        if (end > p && end[-1] == '\r')
            end--;
        line++;
        if (line > 1 && end > p) {
            char *c1 = memchr(p, ',', (size_t)(end - p));
            assert_non_null(c1);
            char *c2 = memchr(c1 + 1, ',', (size_t)(end - c1 - 1));
            assert_non_null(c2);
            assert_true(n < max);
            struct id_case *c = &cases[n++];
            c->value = p;
            c->value_len = (size_t)(c1 - p);
            size_t vlen = (size_t)(c2 - c1 - 1);
            if (vlen == 4 && memcmp(c1 + 1, "true", 4) == 0) {
                c->valid = true;
            } else if (vlen == 5 && memcmp(c1 + 1, "false", 5) == 0) {
                c->valid = false;
            } else {
                print_error("line %d: valid must be true or false\n", line);
                fail();
            }
            c->why = c2 + 1;
            c->why_len = (size_t)(end - c2 - 1);
            c->line = line;
        } else if (line == 1) {
            assert_true(end - p == 15 && memcmp(p, "value,valid,why", 15) == 0);
        }
        p = next;
    }
    return n;
}

#define MAX_CASES 256

typedef bool (*check_fn)(const char *s, size_t len, char *why, size_t whylen);

static bool nik_with_codes(const char *s, size_t len, char *why, size_t whylen)
{
    return wd_nik_check(s, len, tu_codes(), NULL, why, whylen);
}

static bool npwp_with_codes(const char *s, size_t len, char *why, size_t whylen)
{
    return wd_npwp_check(s, len, tu_codes(), why, whylen);
}

static void run_table(const char *path, check_fn check, size_t min_valid, size_t min_invalid)
{
    size_t len;
    char *text = tu_read(path, &len);
    if (!text) {
        print_error("cannot read %s (tests run from the repository's top folder)\n", path);
        fail();
    }
    struct id_case *cases = calloc(MAX_CASES, sizeof(*cases));
    size_t n = load_table(text, cases, MAX_CASES);
    size_t nvalid = 0, ninvalid = 0;
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const struct id_case *c = &cases[i];
        /* a copy of exactly value_len bytes, so that nothing past them is read */
        char *value = malloc(c->value_len ? c->value_len : 1);
        memcpy(value, c->value, c->value_len);
        char why[256] = "";
        bool got = check(value, c->value_len, why, sizeof(why));
        if (got != c->valid) {
            print_error("%s:%d: \"%.*s\" was %s, wanted %s (%.*s)%s%s\n", path, c->line,
                        (int)c->value_len, c->value, got ? "accepted" : "refused",
                        c->valid ? "accepted" : "refused", (int)c->why_len, c->why, got ? "" : ": ",
                        why);
            failures++;
        } else if (!got && why[0] == '\0') {
            print_error("%s:%d: \"%.*s\" was refused without a reason\n", path, c->line,
                        (int)c->value_len, c->value);
            failures++;
        }
        nvalid += c->valid;
        ninvalid += !c->valid;
        free(value);
    }
    free(cases);
    free(text);
    assert_int_equal(failures, 0);
    assert_true(nvalid >= min_valid);
    assert_true(ninvalid >= min_invalid);
}

static void test_nik_table(void **state)
{
    (void)state;
    run_table("tests/data/nik.csv", nik_with_codes, 10, 20);
}

static void test_npwp_table(void **state)
{
    (void)state;
    run_table("tests/data/npwp.csv", npwp_with_codes, 10, 15);
}

/* ---- NIK: what it decodes to, and why one is refused ---- */

static void nik_refused(const char *nik, const char *words)
{
    char why[256] = "";
    struct wd_nik out = {-1, -1, -1, -1};
    bool ok = wd_nik_check(nik, strlen(nik), tu_codes(), &out, why, sizeof(why));
    if (ok) {
        print_error("NIK \"%s\" was accepted\n", nik);
        fail();
    }
    tu_assert_contains(why, words);
    assert_true(why[0] >= 'a' && why[0] <= 'z'); /* a lowercase phrase */
}

static void test_nik_decoded(void **state)
{
    (void)state;
    char why[256];
    struct wd_nik out;
    assert_true(wd_nik_check("3171011708850001", 16, tu_codes(), &out, why, sizeof(why)));
    assert_int_equal(out.sex, 1);
    assert_int_equal(out.day, 17);
    assert_int_equal(out.month, 8);
    assert_int_equal(out.year2, 85);

    /* women add 40 to the day */
    assert_true(wd_nik_check("3171015708850002", 16, tu_codes(), &out, why, sizeof(why)));
    assert_int_equal(out.sex, 2);
    assert_int_equal(out.day, 17);
    assert_int_equal(out.month, 8);
    assert_int_equal(out.year2, 85);

    assert_true(wd_nik_check("3201016902000006", 16, tu_codes(), &out, why, sizeof(why)));
    assert_int_equal(out.sex, 2);
    assert_int_equal(out.day, 29);
    assert_int_equal(out.month, 2);
    assert_int_equal(out.year2, 0);

    /* out may be NULL */
    assert_true(wd_nik_check("3273014101990003", 16, tu_codes(), NULL, why, sizeof(why)));
}

static void test_nik_reasons(void **state)
{
    (void)state;
    nik_refused("3.17101E+15", "scientific notation");
    nik_refused("317101170885001", "16 digits");
    nik_refused("317101170885000A", "16 digits");
    nik_refused("9999991708850001", "kecamatan");
    nik_refused("9999991708850001", "999999");
    nik_refused("3171012902230001", "birth date");
    nik_refused("3171017201850001", "40");
    nik_refused("3171011708850000", "0000");
}

static void test_nik_without_codes(void **state)
{
    (void)state;
    char why[256];
    /* without code lists the district is not checked, everything else is */
    assert_true(wd_nik_check("9999991708850001", 16, NULL, NULL, why, sizeof(why)));
    assert_false(wd_nik_check("9999992902230001", 16, NULL, NULL, why, sizeof(why)));
    assert_false(wd_nik_check("9999991708850000", 16, NULL, NULL, why, sizeof(why)));
}

static void test_nik_reads_only_len_bytes(void **state)
{
    (void)state;
    char why[256];
    /* a NIK inside a longer buffer: only the 16 bytes count */
    assert_true(wd_nik_check("3171011708850001;x", 16, tu_codes(), NULL, why, sizeof(why)));
    assert_false(wd_nik_check("31710117088500019", 17, tu_codes(), NULL, why, sizeof(why)));
    /* a short reason buffer is cut, never overrun */
    char small[8];
    memset(small, 'x', sizeof(small));
    assert_false(wd_nik_check("317101", 6, tu_codes(), NULL, small, sizeof(small)));
    assert_non_null(memchr(small, '\0', sizeof(small)));
}

/* ---- NPWP ---- */

static void npwp_refused(const char *npwp, const char *words)
{
    char why[256] = "";
    bool ok = wd_npwp_check(npwp, strlen(npwp), tu_codes(), why, sizeof(why));
    if (ok) {
        print_error("NPWP \"%s\" was accepted\n", npwp);
        fail();
    }
    tu_assert_contains(why, words);
}

static void test_npwp_reasons(void **state)
{
    (void)state;
    npwp_refused("012345678901000", "check digit");
    npwp_refused("0012345678901000", "check digit");
    npwp_refused("01234567490100", "15 or 16 digits");
    npwp_refused("01234567490100012", "15 or 16 digits");
    npwp_refused("01234567A901000", "15 or 16 digits");
    npwp_refused("9999991708850001", "NIK");
    npwp_refused("9999991708850001", "kecamatan");
    npwp_refused("3171011708850000", "0000");
}

static void test_luhn(void **state)
{
    (void)state;
    assert_true(wd_luhn_valid("79927398713", 11));
    assert_false(wd_luhn_valid("79927398710", 11));
    assert_true(wd_luhn_valid("012345674", 9));
    assert_false(wd_luhn_valid("012345678", 9));
    assert_true(wd_luhn_valid("0", 1));
    /* every single-digit change of a valid number is caught */
    char d[10] = "092542943";
    for (int i = 0; i < 9; i++) {
        char keep = d[i];
        for (char c = '0'; c <= '9'; c++) {
            if (c == keep)
                continue;
            d[i] = c;
            assert_false(wd_luhn_valid(d, 9));
        }
        d[i] = keep;
    }
    assert_true(wd_luhn_valid(d, 9));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nik_table),         cmocka_unit_test(test_npwp_table),
        cmocka_unit_test(test_nik_decoded),       cmocka_unit_test(test_nik_reasons),
        cmocka_unit_test(test_nik_without_codes), cmocka_unit_test(test_nik_reads_only_len_bytes),
        cmocka_unit_test(test_npwp_reasons),      cmocka_unit_test(test_luhn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
