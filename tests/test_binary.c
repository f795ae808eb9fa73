/*
 * test_binary.c - canonical text to PostgreSQL's binary COPY form: each type's bytes, and
 * numerics decoded back to the decimal text PostgreSQL would print, digit for digit.
 * (The integration tests load binary rows into a real server and read them back.)
 */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../etl/binary.h"

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int16_t get16(const unsigned char *p)
{
    return (int16_t)(p[0] << 8 | p[1]);
}

/* Decodes a binary numeric as PostgreSQL prints it (dscale digits after the point). */
static void numeric_text(const unsigned char *p, char *out, size_t cap)
{
    int ndigits = get16(p), weight = get16(p + 2), sign = (uint16_t)get16(p + 4),
        dscale = get16(p + 6);
    char digits[400];
    size_t n = 0;
    /* integer part: groups of weight >= 0 */
    bool any = false;
    for (int w = weight; w >= 0; w--) {
        int idx = weight - w;
        int g = idx < ndigits ? get16(p + 8 + 2 * idx) : 0;
        n += (size_t)snprintf(digits + n, sizeof(digits) - n, any ? "%04d" : "%d", g);
        any = true;
    }
    if (!any)
        digits[n++] = '0';
    if (dscale > 0) {
        digits[n++] = '.';
        for (int k = 0; k < dscale; k++) {
            int pos = k / 4; /* fraction group: weight -1 - pos */
            int idx = weight + 1 + pos;
            int g = idx >= 0 && idx < ndigits ? get16(p + 8 + 2 * idx) : 0;
            static const int div[4] = {1000, 100, 10, 1};
            digits[n++] = (char)('0' + (g / div[k % 4]) % 10);
        }
    }
    digits[n] = '\0';
    snprintf(out, cap, "%s%s", sign == 0x4000 ? "-" : "", digits);
}

static void test_numeric(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"0", "0"},
        {"4500000.00", "4500000.00"},
        {"12.5", "12.5"},
        {"-0.01", "-0.01"},
        {"123456789.123456789", "123456789.123456789"},
        {"10000", "10000"},
        {"0.0001", "0.0001"},
        {"99999999", "99999999"},
        {"15e3", "15000"},
        {"1.25e-3", "0.00125"},
        {"1e8", "100000000"},
        {"-7.5", "-7.5"},
        {"000123.4500", "123.4500"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wd_buf b;
        wd_buf_init(&b, 0);
        assert_true(wd_binary_value(&b, WD_BIN_NUMERIC, cases[i].in, strlen(cases[i].in)));
        const unsigned char *p = (const unsigned char *)b.data;
        assert_int_equal(get32(p), b.len - 4);
        char text[400];
        numeric_text(p + 4, text, sizeof(text));
        if (strcmp(text, cases[i].out) != 0)
            fail_msg("numeric \"%s\" came back as \"%s\", expected \"%s\"", cases[i].in, text,
                     cases[i].out);
        wd_buf_free(&b);
    }
}

static void test_other_types(void **state)
{
    (void)state;
    struct wd_buf b;
    wd_buf_init(&b, 0);
    /* 2000-01-01 is day 0; 1999-12-31 is -1; 2025-08-17 is 9360 */
    assert_true(wd_binary_value(&b, WD_BIN_DATE, "2025-08-17", 10));
    assert_true(wd_binary_value(&b, WD_BIN_DATE, "1999-12-31", 10));
    const unsigned char *p = (const unsigned char *)b.data;
    assert_int_equal(get32(p), 4);
    assert_int_equal((int32_t)get32(p + 4), 9360);
    assert_int_equal((int32_t)get32(p + 12), -1);
    wd_buf_reset(&b);
    assert_true(wd_binary_value(&b, WD_BIN_TIMESTAMP, "2000-01-02 00:00:01", 19));
    p = (const unsigned char *)b.data;
    assert_int_equal(get32(p), 8);
    uint64_t us = (uint64_t)get32(p + 4) << 32 | get32(p + 8);
    assert_int_equal(us, (uint64_t)86401 * 1000000);
    wd_buf_reset(&b);
    assert_true(wd_binary_value(&b, WD_BIN_INT8, "-2", 2));
    p = (const unsigned char *)b.data;
    assert_int_equal(get32(p), 8);
    assert_int_equal(get32(p + 4), 0xFFFFFFFFu);
    assert_int_equal(get32(p + 8), 0xFFFFFFFEu);
    wd_buf_reset(&b);
    assert_true(wd_binary_value(&b, WD_BIN_INT4, "2024", 4));
    assert_true(wd_binary_value(&b, WD_BIN_BOOL, "true", 4));
    assert_true(wd_binary_value(&b, WD_BIN_TEXT, "a\tb", 3));
    assert_true(wd_binary_value(&b, WD_BIN_TEXT, NULL, 0));
    p = (const unsigned char *)b.data;
    assert_int_equal(get32(p + 4), 2024);
    assert_int_equal(get32(p + 8), 1);
    assert_int_equal(p[12], 1);
    assert_int_equal(get32(p + 13), 3);
    assert_memory_equal(p + 17, "a\tb", 3);
    assert_int_equal(get32(p + 20), 0xFFFFFFFFu); /* NULL */
    /* not canonical: refused, never guessed */
    assert_false(wd_binary_value(&b, WD_BIN_DATE, "17/08/2025", 10));
    assert_false(wd_binary_value(&b, WD_BIN_INT8, "1.5", 3));
    assert_false(wd_binary_value(&b, WD_BIN_NUMERIC, "1,5", 3));
    wd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_other_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
