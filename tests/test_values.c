/*
 * test_values.c - values as units write them: numbers and integers with decimal commas and
 * dot groups (values.h), dates with Indonesian month names (datefmt.h), and the transforms
 * between the file and validation: trim, missing values, recode, case, pad (transform.h).
 *
 * Most cases are tables: an input, the format it is read with, and what must come out (the
 * canonical text and value, or the calendar date), or that it must be refused.
 */
#include "testutil.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../etl/datefmt.h"
#include "../etl/definition.h"
#include "../etl/transform.h"
#include "../etl/values.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Number formats: Indonesian Excel, international, and no grouping at all; the _text ones
 * have bareNumber false. */
static const struct wd_numfmt id_fmt = {',', '.', true};
static const struct wd_numfmt id_text = {',', '.', false};
static const struct wd_numfmt en_fmt = {'.', ',', true};
static const struct wd_numfmt en_text = {'.', ',', false};
static const struct wd_numfmt plain = {'.', '\0', true};

/* ---- numbers ---- */

struct number_case {
    const char *in;
    const struct wd_numfmt *fmt;
    bool ok;
    const char *canon; /* NULL: do not check the text */
    double value;
};

static const struct number_case number_cases[] = {
    /* decimal comma, dot groups */
    {"4.500.000,00", &id_fmt, true, "4500000.00", 4500000.0},
    {"7.498.532", &id_fmt, true, "7498532", 7498532.0},
    {"5,32", &id_fmt, true, "5.32", 5.32},
    {"1.234", &id_fmt, true, "1234", 1234.0},
    {"123.456.789,5", &id_fmt, true, "123456789.5", 123456789.5},
    {"0,5", &id_fmt, true, "0.5", 0.5},
    {"12,", &id_fmt, true, "12", 12.0},
    {"1234567", &id_fmt, true, "1234567", 1234567.0}, /* groups are optional */
    /* groups must be of three after the first: a dotted code is never a number */
    {"11.10", &id_fmt, false, NULL, 0},
    {"11.1", &id_fmt, false, NULL, 0},
    {"1.2345", &id_fmt, false, NULL, 0},
    {"1234.567", &id_fmt, false, NULL, 0},
    {".123", &id_fmt, false, NULL, 0},
    {"1..234", &id_fmt, false, NULL, 0},
    {"1.234.", &id_fmt, false, NULL, 0},
    {"1.234.56", &id_fmt, false, NULL, 0},
    {"1,234.56", &id_fmt, false, NULL, 0},
    /* signs */
    {"-4.500.000,00", &id_fmt, true, "-4500000.00", -4500000.0},
    {"+12,5", &id_fmt, true, "12.5", 12.5},
    {"-0,25", &id_fmt, true, "-0.25", -0.25},
    {"--5", &id_fmt, false, NULL, 0},
    {"+-5", &id_fmt, false, NULL, 0},
    {"5-", &id_fmt, false, NULL, 0},
    {"-", &id_fmt, false, NULL, 0},
    {"+", &id_fmt, false, NULL, 0},
    {"", &id_fmt, false, NULL, 0},
    {",", &id_fmt, false, NULL, 0},
    {"1 000", &id_fmt, false, NULL, 0},
    {"12a", &id_fmt, false, NULL, 0},
    {"NaN", &id_fmt, false, NULL, 0},
    {"inf", &id_fmt, false, NULL, 0},
    /* exponents, for numbers */
    {"1,5E3", &id_fmt, true, "1.5e3", 1500.0},
    {"2e-2", &id_fmt, true, "2e-2", 0.02},
    {"3.17101E+15", &plain, true, "3.17101e+15", 3.17101e15},
    {"1e", &plain, false, NULL, 0},
    {"1E+", &plain, false, NULL, 0},
    {"E5", &plain, false, NULL, 0},
    {"1e5x", &plain, false, NULL, 0},
    {"1e400", &plain, false, NULL, 0}, /* out of the range of a double */
    /* point decimals, comma groups */
    {"1,234.56", &en_fmt, true, "1234.56", 1234.56},
    {"1.234,56", &en_fmt, false, NULL, 0},
    {"3.14", &plain, true, "3.14", 3.14},
    {"1,000", &plain, false, NULL, 0}, /* no group separator declared */
    /* bareNumber false: text around the number is dropped */
    {"Rp 5.067.381,00", &id_text, true, "5067381.00", 5067381.0},
    {"Rp5.067.381", &id_text, true, "5067381", 5067381.0},
    {"Rp. 4.500.000,-", &id_text, true, "4500000", 4500000.0},
    {"12 %", &id_text, true, "12", 12.0},
    {"5,32 %", &id_text, true, "5.32", 5.32},
    {"-3,5%", &id_text, true, "-3.5", -3.5},
    {"1.250 orang", &id_text, true, "1250", 1250.0},
    {"USD 1,234.56", &en_text, true, "1234.56", 1234.56},
    {"Rp", &id_text, false, NULL, 0},
    {"-", &id_text, false, NULL, 0},
    {"n/a", &id_text, false, NULL, 0},
    {"Rp 11.10", &id_text, false, NULL, 0},
    /* the same texts with bareNumber true are refused */
    {"Rp 5.067.381,00", &id_fmt, false, NULL, 0},
    {"12 %", &id_fmt, false, NULL, 0},
    {"12%", &id_fmt, false, NULL, 0},
};

static void test_numbers(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N_ELEMS(number_cases); i++) {
        const struct number_case *c = &number_cases[i];
        char canon[64] = "";
        double v = -12345.0;
        bool ok = wd_parse_number(c->in, strlen(c->in), c->fmt, canon, sizeof(canon), &v);
        bool good = ok == c->ok;
        if (good && ok && c->canon && strcmp(canon, c->canon) != 0)
            good = false;
        if (good && ok && fabs(v - c->value) > fabs(c->value) * 1e-12)
            good = false;
        if (!good) {
            print_error("number \"%s\" (decimal '%c', group '%c', bare %d): got %s \"%s\" %.17g, "
                        "wanted %s \"%s\" %.17g\n",
                        c->in, c->fmt->decimal, c->fmt->group ? c->fmt->group : ' ', c->fmt->bare,
                        ok ? "ok" : "refused", canon, v, c->ok ? "ok" : "refused",
                        c->canon ? c->canon : "", c->value);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- integers ---- */

struct integer_case {
    const char *in;
    const struct wd_numfmt *fmt;
    bool ok;
    const char *canon;
    int64_t value;
};

static const struct integer_case integer_cases[] = {
    {"7.498.532", &id_fmt, true, "7498532", 7498532},
    {"1.234", &id_fmt, true, "1234", 1234},
    {"-1.000", &id_fmt, true, "-1000", -1000},
    {"+42", &id_fmt, true, "42", 42},
    {"0", &id_fmt, true, "0", 0},
    {"2025", &plain, true, "2025", 2025},
    {"1,000", &en_fmt, true, "1000", 1000},
    {"11.10", &id_fmt, false, NULL, 0},
    {"1.2345", &id_fmt, false, NULL, 0},
    /* no fraction and no exponent in an integer */
    {"12,5", &id_fmt, false, NULL, 0},
    {"12,00", &id_fmt, false, NULL, 0},
    {"1.5", &plain, false, NULL, 0},
    {"1E3", &plain, false, NULL, 0},
    {"1e3", &id_fmt, false, NULL, 0},
    /* a NIK that a spreadsheet turned into a number: its digits are lost, refuse it */
    {"3.17101E+15", &plain, false, NULL, 0},
    {"3.17101E+15", &id_fmt, false, NULL, 0},
    {"3,17101E+15", &id_fmt, false, NULL, 0},
    /* 64-bit limits */
    {"9223372036854775807", &plain, true, "9223372036854775807", INT64_MAX},
    {"-9223372036854775808", &plain, true, "-9223372036854775808", INT64_MIN},
    {"9.223.372.036.854.775.807", &id_fmt, true, "9223372036854775807", INT64_MAX},
    {"9223372036854775808", &plain, false, NULL, 0},
    {"-9223372036854775809", &plain, false, NULL, 0},
    {"9.223.372.036.854.775.808", &id_fmt, false, NULL, 0},
    {"99999999999999999999999", &plain, false, NULL, 0},
    {"", &plain, false, NULL, 0},
    {"-", &plain, false, NULL, 0},
    {"x1", &plain, false, NULL, 0},
    /* bareNumber false */
    {"Rp 5.067.381", &id_text, true, "5067381", 5067381},
    {"120 orang", &id_text, true, "120", 120},
    {"Rp 5.067.381,50", &id_text, false, NULL, 0},
    {"120 orang", &id_fmt, false, NULL, 0},
};

/* Short decimals are converted without strtod (values.c, short_decimal): the double must
 * be strtod's, bit for bit, for every length of integer part and fraction up to 15 digits
 * and past them (where strtod takes over), signed and not. */
static void test_short_decimals_match_strtod(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int failures = 0;
    for (int n = 0; n < 200000 && failures < 5; n++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char text[40];
        size_t o = 0;
        if (x & 1)
            text[o++] = '-';
        int int_digits = (int)((x >> 1) % 12), frac_digits = (int)((x >> 5) % 9);
        uint64_t d = x >> 9;
        for (int i = 0; i < int_digits + frac_digits || i == 0; i++) {
            if (i == int_digits && frac_digits)
                text[o++] = '.';
            text[o++] = (char)('0' + d % 10);
            d = d / 10 ? d / 10 : x + (uint64_t)i * 7919;
        }
        text[o] = '\0';
        char canon[64];
        double got;
        if (!wd_parse_number(text, o, &plain, canon, sizeof(canon), &got)) {
            print_error("\"%s\" refused\n", text);
            failures++;
            continue;
        }
        double want = strtod(canon, NULL);
        if (memcmp(&got, &want, sizeof(got)) != 0) {
            print_error("\"%s\": %.17g, strtod gives %.17g\n", text, got, want);
            failures++;
        }
    }
    static const char *const edges[] = {"0", "-0", "0.1", "-0.000", "999999999999999",
                                        "99999999.9999999", "0.999999999999999",
                                        "1234567890123456", "9007199254740993", ".5", "-.25"};
    for (size_t i = 0; i < N_ELEMS(edges); i++) {
        char canon[64];
        double got;
        assert_true(wd_parse_number(edges[i], strlen(edges[i]), &plain, canon, sizeof(canon), &got));
        double want = strtod(canon, NULL);
        if (memcmp(&got, &want, sizeof(got)) != 0) {
            print_error("\"%s\": %.17g, strtod gives %.17g\n", edges[i], got, want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_integers(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N_ELEMS(integer_cases); i++) {
        const struct integer_case *c = &integer_cases[i];
        char canon[64] = "";
        int64_t v = -12345;
        bool ok = wd_parse_integer(c->in, strlen(c->in), c->fmt, canon, sizeof(canon), &v);
        bool good = ok == c->ok && (!ok || (strcmp(canon, c->canon) == 0 && v == c->value));
        if (!good) {
            print_error("integer \"%s\" (decimal '%c', group '%c', bare %d): got %s \"%s\" "
                        "%lld, wanted %s \"%s\" %lld\n",
                        c->in, c->fmt->decimal, c->fmt->group ? c->fmt->group : ' ', c->fmt->bare,
                        ok ? "ok" : "refused", canon, (long long)v, c->ok ? "ok" : "refused",
                        c->canon ? c->canon : "", (long long)c->value);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_number_text_is_length_bounded(void **state)
{
    (void)state;
    const struct wd_numfmt *fmt = &id_fmt;
    char canon[64];
    double v;
    int64_t n;
    /* only len bytes are read: what follows them does not count */
    assert_true(wd_parse_number("12,5;99", 4, fmt, canon, sizeof(canon), &v));
    assert_string_equal(canon, "12.5");
    assert_true(wd_parse_integer("1.234xyz", 5, fmt, canon, sizeof(canon), &n));
    assert_int_equal(n, 1234);
    /* a canonical buffer that is too small is a refusal, never an overrun */
    char small[4];
    assert_false(wd_parse_integer("12345", 5, fmt, small, sizeof(small), &n));
    assert_false(wd_parse_number("1.234,5", 7, fmt, small, sizeof(small), &v));
    assert_true(wd_parse_integer("123", 3, fmt, small, sizeof(small), &n));
    assert_string_equal(small, "123");
}

/* ---- dates ---- */

struct date_case {
    const char *fmt;
    const char *in;
    bool ok;
    int year, month, day, hour, minute, second;
};

static const struct date_case date_cases[] = {
    {"%d/%m/%Y", "17/08/2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d/%m/%Y", "01/01/1945", true, 1945, 1, 1, 0, 0, 0},
    {"%d/%m/%Y", "1/8/2025", true, 2025, 8, 1, 0, 0, 0},
    {"%d-%m-%Y", "17-08-2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d-%m-%Y", "17/08/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17-08-2025", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2025-08-17", true, 2025, 8, 17, 0, 0, 0},
    {"%Y%m%d", "20250817", true, 2025, 8, 17, 0, 0, 0},
    /* the full-width shapes read by position (datefmt.c, fixed_width), other separators,
     * and what they refuse */
    {"%Y/%m/%d", "2024/02/29", true, 2024, 2, 29, 0, 0, 0},
    {"%d.%m.%Y", "29.02.2024", true, 2024, 2, 29, 0, 0, 0},
    {"%Y-%m-%d", "2023-02-29", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2024-13-01", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2024-00-10", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2024-04-00", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "0000-01-01", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2O24-01-01", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2024-01-1x", false, 0, 0, 0, 0, 0, 0},
    {"%Y-%m-%d", "2024/01/10", false, 0, 0, 0, 0, 0, 0},
    {"%Y/%m/%d", "2024-01-10", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "31/04/2024", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "1/02/2024x", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "01/2/20245", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "+1/02/2024", false, 0, 0, 0, 0, 0, 0},
    /* DD/MM, never MM/DD */
    {"%d/%m/%Y", "08/17/2025", false, 0, 0, 0, 0, 0, 0},
    /* Indonesian month names, any case, and English ones */
    {"%d %B %Y", "17 Agustus 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "17 agustus 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "17 AGUSTUS 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "17  Agustus   2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "17 August 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "1 Januari 2024", true, 2024, 1, 1, 0, 0, 0},
    {"%d %B %Y", "29 Februari 2024", true, 2024, 2, 29, 0, 0, 0},
    {"%d %B %Y", "31 Maret 2024", true, 2024, 3, 31, 0, 0, 0},
    {"%d %B %Y", "30 April 2024", true, 2024, 4, 30, 0, 0, 0},
    {"%d %B %Y", "2 Mei 2024", true, 2024, 5, 2, 0, 0, 0},
    {"%d %B %Y", "1 Juni 2024", true, 2024, 6, 1, 0, 0, 0},
    {"%d %B %Y", "1 Juli 2024", true, 2024, 7, 1, 0, 0, 0},
    {"%d %B %Y", "1 September 2024", true, 2024, 9, 1, 0, 0, 0},
    {"%d %B %Y", "1 Oktober 2024", true, 2024, 10, 1, 0, 0, 0},
    {"%d %B %Y", "10 November 2024", true, 2024, 11, 10, 0, 0, 0},
    {"%d %B %Y", "25 Desember 2024", true, 2024, 12, 25, 0, 0, 0},
    /* short and variant spellings */
    {"%d %b %Y", "17 Agt 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %b %Y", "17 Ags 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %b %Y", "17 Agu 2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %b %Y", "1 Sept 2025", true, 2025, 9, 1, 0, 0, 0},
    {"%d %b %Y", "1 Sep 2025", true, 2025, 9, 1, 0, 0, 0},
    {"%d %b %Y", "10 Nop 2025", true, 2025, 11, 10, 0, 0, 0},
    {"%d %B %Y", "10 Nopember 2025", true, 2025, 11, 10, 0, 0, 0},
    {"%d %b %Y", "5 Peb 2024", true, 2024, 2, 5, 0, 0, 0},
    {"%d %B %Y", "5 Pebruari 2024", true, 2024, 2, 5, 0, 0, 0},
    {"%d %b %Y", "1 Mei 2025", true, 2025, 5, 1, 0, 0, 0},
    {"%d %b %Y", "4 Okt 2024", true, 2024, 10, 4, 0, 0, 0},
    {"%d %b %Y", "3 Des 2024", true, 2024, 12, 3, 0, 0, 0},
    {"%d-%b-%Y", "17-Agt-2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d%B%Y", "17Agustus2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d %B %Y", "17 Agustusan 2025", false, 0, 0, 0, 0, 0, 0},
    {"%d %B %Y", "17 Ag 2025", false, 0, 0, 0, 0, 0, 0},
    {"%d %B %Y", "17 Agt. 2025", false, 0, 0, 0, 0, 0, 0},
    {"%d %B %Y", "17 08 2025", false, 0, 0, 0, 0, 0, 0},
    {"%d %B %Y", "17Agustus 2025", false, 0, 0, 0, 0, 0, 0},
    /* real calendar dates only */
    {"%d/%m/%Y", "29/02/2023", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "29/02/2024", true, 2024, 2, 29, 0, 0, 0},
    {"%d/%m/%Y", "29/02/2000", true, 2000, 2, 29, 0, 0, 0},
    {"%d/%m/%Y", "29/02/1900", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "31/04/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "31/12/2025", true, 2025, 12, 31, 0, 0, 0},
    {"%d/%m/%Y", "32/01/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "00/01/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "15/13/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "15/00/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "15/01/0000", false, 0, 0, 0, 0, 0, 0},
    {"%d %B %Y", "30 Februari 2024", false, 0, 0, 0, 0, 0, 0},
    /* %y: 00-68 are 20xx, 69-99 are 19xx */
    {"%d/%m/%y", "17/08/25", true, 2025, 8, 17, 0, 0, 0},
    {"%d/%m/%y", "17/08/00", true, 2000, 8, 17, 0, 0, 0},
    {"%d/%m/%y", "17/08/68", true, 2068, 8, 17, 0, 0, 0},
    {"%d/%m/%y", "17/08/69", true, 1969, 8, 17, 0, 0, 0},
    {"%d/%m/%y", "17/08/99", true, 1999, 8, 17, 0, 0, 0},
    {"%d/%m/%y", "29/02/00", true, 2000, 2, 29, 0, 0, 0},
    {"%d/%m/%y", "29/02/23", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%y", "17/08/5", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%y", "17/08/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17/08/25", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17/08/20255", false, 0, 0, 0, 0, 0, 0},
    /* the whole text, nothing before or after */
    {"%d/%m/%Y", "17/08/2025x", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17/08/2025 ", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", " 17/08/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17/08/2025 10:00", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "17/08/", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "-1/08/2025", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y", "017/08/2025", false, 0, 0, 0, 0, 0, 0},
    /* literal percent */
    {"%d%%%m%%%Y", "17%08%2025", true, 2025, 8, 17, 0, 0, 0},
    {"%d%%%m%%%Y", "17/08/2025", false, 0, 0, 0, 0, 0, 0},
    /* date and time */
    {"%d/%m/%Y %H:%M:%S", "17/08/2025 08:30:05", true, 2025, 8, 17, 8, 30, 5},
    {"%Y-%m-%d %H:%M", "2025-08-17 23:59", true, 2025, 8, 17, 23, 59, 0},
    {"%d/%m/%Y %H:%M:%S", "17/08/2025 24:00:00", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y %H:%M:%S", "17/08/2025 23:60:00", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y %H:%M:%S", "17/08/2025 23:59:60", false, 0, 0, 0, 0, 0, 0},
    {"%d/%m/%Y %H:%M:%S", "17/08/2025", false, 0, 0, 0, 0, 0, 0},
};

static void test_dates(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N_ELEMS(date_cases); i++) {
        const struct date_case *c = &date_cases[i];
        struct wd_datetime dt = {-1, -1, -1, -1, -1, -1};
        bool ok = wd_datefmt_parse(c->fmt, c->in, strlen(c->in), &dt);
        bool good = ok == c->ok;
        if (good && ok)
            good = dt.year == c->year && dt.month == c->month && dt.day == c->day &&
                   dt.hour == c->hour && dt.minute == c->minute && dt.second == c->second;
        if (!good) {
            print_error("date \"%s\" as \"%s\": got %s %04d-%02d-%02d %02d:%02d:%02d, wanted %s "
                        "%04d-%02d-%02d %02d:%02d:%02d\n",
                        c->in, c->fmt, ok ? "ok" : "refused", dt.year, dt.month, dt.day, dt.hour,
                        dt.minute, dt.second, c->ok ? "ok" : "refused", c->year, c->month, c->day,
                        c->hour, c->minute, c->second);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* A value of the format's shape that is no day is told apart from one of another shape
 * (the messages differ), whether the shape is read by position or by the interpreter. */
static void test_date_shape(void **state)
{
    (void)state;
    static const struct {
        const char *fmt, *in;
        bool shape;
    } cases[] = {
        {"%Y-%m-%d", "2024-02-30", true}, {"%Y-%m-%d", "2024-02-3x", false},
        {"%Y-%m-%d", "2024-2-30", true},  {"%d/%m/%Y", "31/09/2024", true},
        {"%d/%m/%Y", "31-09-2024", false}, {"%d/%m/%Y", "1/13/2024", true},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct wd_datetime dt;
        bool shape = !cases[i].shape;
        assert_false(wd_datefmt_parse_ex(cases[i].fmt, cases[i].in, strlen(cases[i].in), &dt,
                                         &shape));
        if (shape != cases[i].shape)
            fail_msg("\"%s\" as \"%s\": shape %d, wanted %d", cases[i].in, cases[i].fmt, shape,
                     cases[i].shape);
    }
}

static void test_date_refusal_leaves_output_alone(void **state)
{
    (void)state;
    struct wd_datetime dt = {1, 2, 3, 4, 5, 6};
    assert_false(wd_datefmt_parse("%d/%m/%Y", "29/02/2023", 10, &dt));
    assert_int_equal(dt.year, 1);
    assert_int_equal(dt.day, 3);
    /* only len bytes are read */
    assert_true(wd_datefmt_parse("%d/%m/%Y", "17/08/2025;x", 10, &dt));
    assert_int_equal(dt.year, 2025);
}

struct check_case {
    const char *fmt;
    bool with_time;
    const char *words; /* NULL: the format is usable */
};

static const struct check_case check_cases[] = {
    {"%d/%m/%Y", false, NULL},
    {"%d-%m-%Y", false, NULL},
    {"%d %B %Y", false, NULL},
    {"%d %b %y", false, NULL},
    {"%Y-%m-%d", false, NULL},
    {"%d%%%m%%%Y", false, NULL},
    {"%d/%m/%Y %H:%M:%S", true, NULL},
    {"%d/%m/%Y %H:%M:%S", false, "time"},
    {"%d/%m/%Y %H", false, "time"},
    {"%d/%m", false, "year"},
    {"%m/%Y", false, "day"},
    {"%d/%Y", false, "month"},
    {"", false, "day"},
    {"dd/mm/yyyy", false, "day"},
    {"%d/%m/%Y%", false, "lone %"},
    {"%d/%m/%Q", false, "unknown directive"},
    {"%d/%m/%Y %j", false, "unknown directive"},
    {"%e/%m/%Y", false, "unknown directive"},
};

static void test_datefmt_check(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N_ELEMS(check_cases); i++) {
        const struct check_case *c = &check_cases[i];
        const char *why = wd_datefmt_check(c->fmt, c->with_time);
        bool good = c->words ? why && strstr(why, c->words) : !why;
        if (!good) {
            print_error("format \"%s\" (time %d): got %s, wanted %s\n", c->fmt, c->with_time,
                        why ? why : "usable", c->words ? c->words : "usable");
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    /* messages are lowercase phrases without a final period */
    const char *why = wd_datefmt_check("%d/%m", false);
    assert_non_null(why);
    assert_true(why[0] >= 'a' && why[0] <= 'z');
    assert_true(why[strlen(why) - 1] != '.');
}

static void test_calendar_helpers(void **state)
{
    (void)state;
    assert_int_equal(wd_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(wd_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(wd_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(wd_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(wd_days_from_civil(2025, 8, 17), 20317);
    assert_int_equal(wd_days_from_civil(1, 1, 1), -719162);

    assert_true(wd_date_valid(2024, 2, 29));
    assert_false(wd_date_valid(2023, 2, 29));
    assert_false(wd_date_valid(2100, 2, 29));
    assert_true(wd_date_valid(2400, 2, 29));
    assert_false(wd_date_valid(2025, 6, 31));
    assert_false(wd_date_valid(0, 1, 1));

    assert_int_equal(wd_month_from_name("Agustus", 7), 8);
    assert_int_equal(wd_month_from_name("agt", 3), 8);
    assert_int_equal(wd_month_from_name("MEI", 3), 5);
    assert_int_equal(wd_month_from_name("Peb", 3), 2);
    assert_int_equal(wd_month_from_name("Nop", 3), 11);
    assert_int_equal(wd_month_from_name("Sept", 4), 9);
    assert_int_equal(wd_month_from_name("Desember", 8), 12);
    assert_int_equal(wd_month_from_name("Agustusan", 9), 0);
    assert_int_equal(wd_month_from_name("Agustusan", 7), 8); /* only len bytes count */
    assert_int_equal(wd_month_from_name("", 0), 0);
    assert_int_equal(wd_month_from_name("Ju", 2), 0);
}

/* ---- transforms ---- */

static void trim_str(const char *in, const char *want)
{
    const char *s = in;
    size_t len = strlen(in);
    wd_trim(&s, &len);
    if (len != strlen(want) || memcmp(s, want, len) != 0) {
        print_error("trim of \"%s\" gave \"%.*s\", wanted \"%s\"\n", in, (int)len, s, want);
        fail();
    }
    assert_true(s >= in && s + len <= in + strlen(in));
}

static void test_trim(void **state)
{
    (void)state;
    trim_str("  abc  ", "abc");
    trim_str("\tabc\t", "abc");
    trim_str("abc\r\n", "abc");
    trim_str("\xC2\xA0"
             "abc\xC2\xA0",
             "abc");
    trim_str(" \xC2\xA0\t \xC2\xA0"
             "3171 \t\xC2\xA0\xC2\xA0 ",
             "3171");
    trim_str("Kota  Bekasi", "Kota  Bekasi"); /* inside spaces stay */
    trim_str("a\xC2\xA0"
             "b",
             "a\xC2\xA0"
             "b");
    trim_str(" Jos\xC3\xA9 ", "Jos\xC3\xA9");
    trim_str("", "");
    trim_str("   ", "");
    trim_str("\xC2\xA0", "");
    trim_str("\xC2\xA0\xC2\xA0 \t", "");
    trim_str("\xC2", "\xC2"); /* half a no-break space is not one */
    trim_str("x\xA0", "x\xA0");
    /* what the fast path passes over, and what it must not */
    trim_str("abc", "abc");
    trim_str("a", "a");
    trim_str("\x01x\x01", "\x01x\x01"); /* other control characters stay */
    trim_str("x\n", "x");
    trim_str("\rx", "x");
    trim_str("\xC3\xA9", "\xC3\xA9");
}

static char *missing_items[] = {"", "-", "NA", "..."};

static void test_missing_values(void **state)
{
    (void)state;
    struct wd_fielddef f;
    memset(&f, 0, sizeof(f));
    f.name = "upah";
    f.missing_values.items = missing_items;
    f.missing_values.n = N_ELEMS(missing_items);

    assert_true(wd_is_missing(&f, "", 0));
    assert_true(wd_is_missing(&f, "-", 1));
    assert_true(wd_is_missing(&f, "NA", 2));
    assert_true(wd_is_missing(&f, "...", 3));
    assert_false(wd_is_missing(&f, "na", 2)); /* exact, as Table Schema says */
    assert_false(wd_is_missing(&f, "N/A", 3));
    assert_false(wd_is_missing(&f, "0", 1));
    assert_false(wd_is_missing(&f, "--", 2));
    assert_false(wd_is_missing(&f, "NA;", 2 + 1));
    assert_true(wd_is_missing(&f, "NAX", 2)); /* only len bytes are compared */

    /* a value is trimmed before the comparison */
    const char *s = " \xC2\xA0-\t";
    size_t len = strlen(s);
    wd_trim(&s, &len);
    assert_true(wd_is_missing(&f, s, len));

    /* lengths measured in advance (as a loaded definition has them) are used as given */
    size_t lens[] = {0, 1, 2, 3};
    f.missing_values.lens = lens;
    assert_true(wd_is_missing(&f, "", 0));
    assert_true(wd_is_missing(&f, "NA", 2));
    assert_false(wd_is_missing(&f, "N", 1));
    f.missing_values.lens = NULL;

    /* measured as the loader measures them (lengths, longest, first bytes): the same answers,
     * a value whose first byte no item has among them */
    struct wd_strlist measured;
    wd__strlist_copy(&measured, &f.missing_values);
    f.missing_values = measured;
    assert_true(measured.firsts_known);
    assert_true(wd_is_missing(&f, "", 0));
    assert_true(wd_is_missing(&f, "-", 1));
    assert_true(wd_is_missing(&f, "NA", 2));
    assert_true(wd_is_missing(&f, "...", 3));
    assert_false(wd_is_missing(&f, "na", 2));
    assert_false(wd_is_missing(&f, "N", 1));
    assert_false(wd_is_missing(&f, "0", 1));
    assert_false(wd_is_missing(&f, ".", 1));
    assert_false(wd_is_missing(&f, "\xC2\xA0", 2));
    wd__strlist_free(&measured);

    /* a field without missing values has none */
    f.missing_values.n = 0;
    f.missing_values.items = NULL;
    assert_false(wd_is_missing(&f, "", 0));
    assert_false(wd_is_missing(&f, "-", 1));
}

/* Transforms in, expecting want; returns whether the result is the input itself. */
static bool transform_str(const struct wd_fielddef *f, const char *in, const char *want)
{
    char buf[64];
    const char *out = NULL;
    size_t out_len = 12345;
    assert_true(wd_transform(f, in, strlen(in), buf, sizeof(buf), &out, &out_len));
    assert_non_null(out);
    if (out_len != strlen(want) || memcmp(out, want, out_len) != 0) {
        print_error("transform of \"%s\" gave \"%.*s\", wanted \"%s\"\n", in, (int)out_len, out,
                    want);
        fail();
    }
    if (out == buf)
        assert_int_equal(buf[out_len], '\0');
    return out == in;
}

/* as the definition loader makes them: with the lengths of both sides */
#define RECODE(f, t) {.from = (f), .to = (t), .from_len = sizeof(f) - 1, .to_len = sizeof(t) - 1}

static struct wd_recode sex_recode[] = {
    RECODE("L", "1"),
    RECODE("P", "2"),
    RECODE("Laki-laki", "1"),
    RECODE("Perempuan", "2"),
};

static void test_recode(void **state)
{
    (void)state;
    struct wd_fielddef f;
    memset(&f, 0, sizeof(f));
    f.name = "jenis_kelamin";
    f.recode = sex_recode;
    f.nrecode = N_ELEMS(sex_recode);
    transform_str(&f, "L", "1");
    transform_str(&f, "P", "2");
    transform_str(&f, "Laki-laki", "1");
    transform_str(&f, "Perempuan", "2");
    /* a match that differs only in ASCII case counts: clerks write "l" and "perempuan" */
    transform_str(&f, "l", "1");
    transform_str(&f, "PEREMPUAN", "2");
    assert_true(transform_str(&f, "LL", "LL"));
    assert_true(transform_str(&f, "Laki", "Laki"));
    assert_true(transform_str(&f, "1", "1"));
    /* only len bytes are compared */
    const char *out;
    size_t out_len;
    char buf[16];
    assert_true(wd_transform(&f, "Px", 1, buf, sizeof(buf), &out, &out_len));
    assert_int_equal(out_len, 1);
    assert_memory_equal(out, "2", 1);
}

static void test_case(void **state)
{
    (void)state;
    struct wd_fielddef f;
    memset(&f, 0, sizeof(f));
    f.name = "kode";
    f.letter_case = WD_CASE_UPPER;
    transform_str(&f, "dki jakarta", "DKI JAKARTA");
    transform_str(&f, "a1b2-c3", "A1B2-C3");
    transform_str(&f, "Jos\xC3\xA9", "JOS\xC3\xA9"); /* ASCII letters only */
    transform_str(&f, "", "");
    f.letter_case = WD_CASE_LOWER;
    transform_str(&f, "DKI Jakarta", "dki jakarta");
    transform_str(&f, "\xC3\x89TAT", "\xC3\x89tat");
    f.letter_case = WD_CASE_KEEP;
    assert_true(transform_str(&f, "DKI Jakarta", "DKI Jakarta"));

    /* recode first, then case */
    static struct wd_recode r[] = {RECODE("l", "laki-laki")};
    f.recode = r;
    f.nrecode = 1;
    f.letter_case = WD_CASE_UPPER;
    transform_str(&f, "l", "LAKI-LAKI");
    transform_str(&f, "L", "LAKI-LAKI"); /* recode ignores ASCII case */
    transform_str(&f, "P", "P");
}

static void test_pad(void **state)
{
    (void)state;
    struct wd_fielddef f;
    memset(&f, 0, sizeof(f));
    f.name = "kode_kbji";
    f.pad = 4;
    transform_str(&f, "111", "0111");
    transform_str(&f, "1", "0001");
    assert_true(transform_str(&f, "0111", "0111"));
    assert_true(transform_str(&f, "12345", "12345"));
    /* digit strings only */
    assert_true(transform_str(&f, "A11", "A11"));
    assert_true(transform_str(&f, "1.1", "1.1"));
    assert_true(transform_str(&f, "-11", "-11"));
    assert_true(transform_str(&f, "1 1", "1 1"));
    assert_true(transform_str(&f, "", ""));
    assert_true(transform_str(&f, "\xD9\xA1", "\xD9\xA1")); /* an Arabic-Indic digit is not one */

    /* recode, then case, then pad */
    static struct wd_recode r[] = {RECODE("x", "7")};
    f.recode = r;
    f.nrecode = 1;
    f.pad = 2;
    transform_str(&f, "x", "07");
    f.letter_case = WD_CASE_UPPER;
    transform_str(&f, "x", "07");
    transform_str(&f, "ab", "AB");
    transform_str(&f, "9", "09");
}

static void test_transform_buffer_bound(void **state)
{
    (void)state;
    struct wd_fielddef f;
    memset(&f, 0, sizeof(f));
    f.name = "kode";
    f.pad = 4;
    char buf[8];
    const char *out = NULL;
    size_t out_len = 0;
    /* "0001" and its NUL need 5 bytes */
    assert_false(wd_transform(&f, "1", 1, buf, 4, &out, &out_len));
    assert_true(wd_transform(&f, "1", 1, buf, 5, &out, &out_len));
    assert_int_equal(out_len, 4);
    assert_string_equal(out, "0001");
    f.pad = 0;
    f.letter_case = WD_CASE_UPPER;
    assert_false(wd_transform(&f, "abcdefgh", 8, buf, sizeof(buf), &out, &out_len));
    assert_true(wd_transform(&f, "abcdefg", 7, buf, sizeof(buf), &out, &out_len));
    assert_string_equal(out, "ABCDEFG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_short_decimals_match_strtod),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_number_text_is_length_bounded),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_date_shape),
        cmocka_unit_test(test_date_refusal_leaves_output_alone),
        cmocka_unit_test(test_datefmt_check),
        cmocka_unit_test(test_calendar_helpers),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_recode),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_transform_buffer_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
