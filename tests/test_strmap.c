/*
 * test_strmap.c - the code index: every key of every length from 0 to 12 over a two-letter
 * alphabet is a different key (the packing of short keys into one word loses nothing),
 * keys longer than 8 bytes that share their first 8 are told apart, a key is refused
 * twice, and what was never put is not found.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../etl/strmap.h"

#define MAXLEN 12

/* Writes the len-letter key number k: its bits as '0' and '1', first bit first. */
static void key_of(char *out, size_t len, size_t k, char zero, char one)
{
    for (size_t b = 0; b < len; b++)
        out[b] = (k >> (len - 1 - b)) & 1 ? one : zero;
}

static void test_every_short_key_distinct(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t len = 0; len <= MAXLEN; len++)
        total += (size_t)1 << len;
    char *arena = malloc(total * MAXLEN + 1);
    assert_non_null(arena);
    struct wd_strmap m;
    wd_strmap_init(&m);
    size_t at = 0, value = 0;
    for (size_t len = 0; len <= MAXLEN; len++)
        for (size_t k = 0; k < (size_t)1 << len; k++, value++) {
            key_of(arena + at, len, k, '0', '1');
            if (!wd_strmap_put(&m, arena + at, len, value))
                fail_msg("key \"%.*s\" (length %zu) was taken for an earlier one", (int)len,
                         arena + at, len);
            at += len;
        }
    assert_int_equal(m.count, total);
    /* each found with its own value, after all the growing */
    at = 0;
    value = 0;
    for (size_t len = 0; len <= MAXLEN; len++)
        for (size_t k = 0; k < (size_t)1 << len; k++, value++) {
            size_t got = 99999999;
            assert_true(wd_strmap_get(&m, arena + at, len, &got));
            assert_int_equal(got, value);
            at += len;
        }
    /* the same keys over another alphabet, and one letter changed, are not there */
    char probe[MAXLEN + 1];
    for (size_t len = 1; len <= MAXLEN; len++)
        for (size_t k = 0; k < (size_t)1 << len; k += 7) {
            size_t got;
            key_of(probe, len, k, '0', '2');
            if (k != 0) /* key 0 has no '1' to change */
                assert_false(wd_strmap_get(&m, probe, len, &got));
            key_of(probe, len, k, '0', '1');
            probe[len / 2] = 'x';
            assert_false(wd_strmap_get(&m, probe, len, &got));
        }
    /* a key is refused twice and keeps its first value */
    assert_false(wd_strmap_put(&m, "0101", 4, 1));
    size_t got;
    assert_true(wd_strmap_get(&m, "0101", 4, &got));
    assert_int_not_equal(got, 1);
    wd_strmap_free(&m);
    free(arena);
}

static void test_long_keys_sharing_a_prefix(void **state)
{
    (void)state;
    /* kecamatan codes with dots are 8 bytes; desa codes are 13: 32.75.01.1001 */
    static const char *keys[] = {"32.75.01", "32.75.01.1001", "32.75.01.1002",
                                 "32.75.01.2001", "32.75.01.10011", "32.75.01X"};
    struct wd_strmap m;
    wd_strmap_init(&m);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_true(wd_strmap_put(&m, keys[i], strlen(keys[i]), i));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        size_t got = 99;
        assert_true(wd_strmap_get(&m, keys[i], strlen(keys[i]), &got));
        assert_int_equal(got, i);
    }
    size_t got;
    assert_false(wd_strmap_get(&m, "32.75.01.1003", 13, &got));
    assert_false(wd_strmap_get(&m, "32.75.01.100", 12, &got));
    assert_false(wd_strmap_get(&m, "32.75.0", 7, &got));
    /* a key compares by its bytes, not as a C string */
    assert_false(wd_strmap_get(&m, "32.75.01\0", 9, &got));
    wd_strmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_short_key_distinct),
        cmocka_unit_test(test_long_keys_sharing_a_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
