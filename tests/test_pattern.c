/*
 * test_pattern.c - simple patterns matched without PCRE (etl/pattern.c) match exactly what
 * PCRE2 matches, compiled as the definition loader compiles every pattern (UTF, anchored at
 * both ends): the shipped definitions' patterns and others of the same kinds, against
 * thousands of values drawn from the characters that matter to them (digits, letters, the
 * separators, non-ASCII characters, nothing); and the patterns PCRE2 must keep are refused.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "testutil.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "../etl/pattern.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static pcre2_code *pcre(const char *pattern)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &at,
                                   NULL);
    if (!re)
        fail_msg("PCRE2 refuses the test's pattern %s", pattern);
    return re;
}

/* The next value: up to 12 characters of an alphabet of single bytes and one two-byte
 * letter, from a xorshift generator. */
static size_t next_value(uint64_t *x, char *out)
{
    static const char *const alphabet[] = {"0", "1", "5", "9", "A", "Z", "K", "a", "z", "-",
                                           ".", "/", " ", "\xC3\xA9", "_", ",",
                                           "\xC2\xA1"};
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    uint64_t r = *x;
    size_t n = r % 13, o = 0;
    r >>= 4;
    for (size_t i = 0; i < n; i++) {
        const char *c = alphabet[r % N_ELEMS(alphabet)];
        r = r / N_ELEMS(alphabet) ? r / N_ELEMS(alphabet) : *x * (i + 3);
        memcpy(out + o, c, strlen(c));
        o += strlen(c);
    }
    out[o] = '\0';
    return o;
}

static void test_simple_patterns_match_as_pcre(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        /* the shipped definitions' */
        "[0-9]{4}\\.[0-9]{2}", "[A-Z]{2}", "[A-Z0-9]{4}", "[A-Z0-9][A-Z0-9.-]{2,19}",
        "[A-Z0-9-]{4,32}", "[0-9]{5}", "[0-9]+",
        /* more of the same kinds */
        "", "A", "A-Z", "\\d{2,4}", "\\d+\\.\\d{2}", "[a-z]?", "[a-z]*", "[0-9]{0}",
        "[0-9]{2,}", "[-a]{2}", "[a-]{1,3}", "[\\d.]+", "[+--]{1,2}", "[A-Z]+ [0-9]+",
        "[0-9]{3}/[0-9]{2}", "K[0-9]+", "[Zz][0-9]*", "[ ]{2}", "\\-[0-9]", "[0-9]+,[0-9]+",
        "[A-Za-z_]{1,5}", "\\/\\d", "[\\d-]+", "[0-9]{2}"};
    int failures = 0;
    for (size_t k = 0; k < N_ELEMS(patterns); k++) {
        struct wd_simple_pattern simple;
        if (!wd_simple_pattern_compile(patterns[k], &simple)) {
            print_error("pattern %s: not taken as simple\n", patterns[k]);
            failures++;
            continue;
        }
        pcre2_code *re = pcre(patterns[k]);
        pcre2_match_data *md = pcre2_match_data_create(1, NULL);
        uint64_t x = 0x9e3779b97f4a7c15ull + k;
        for (int n = 0; n < 20000; n++) {
            char v[64];
            size_t len = next_value(&x, v);
            bool want = pcre2_match(re, (PCRE2_SPTR)v, len, 0, 0, md, NULL) >= 0;
            bool got = wd_simple_pattern_match(&simple, v, len);
            if (got != want && failures++ < 10)
                print_error("pattern %s, value \"%s\": %s, PCRE2 %s\n", patterns[k], v,
                            got ? "matches" : "does not match", want ? "matches" : "does not");
        }
        pcre2_match_data_free(md);
        pcre2_code_free(re);
    }
    assert_int_equal(failures, 0);
}

/* The values each shipped pattern is there for, both ways. */
static void test_shipped_patterns(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *value;
        bool match;
    } cases[] = {
        {"[0-9]{4}\\.[0-9]{2}", "7214.03", true},   {"[0-9]{4}\\.[0-9]{2}", "7214-03", false},
        {"[0-9]{4}\\.[0-9]{2}", "721.403", false},  {"[0-9]{5}", "85154", true},
        {"[0-9]{5}", "8515", false},                {"[0-9]{5}", "851540", false},
        {"[A-Z0-9-]{4,32}", "PN-0000001", true},    {"[A-Z0-9-]{4,32}", "pn-0000001", false},
        {"[A-Z0-9-]{4,32}", "PN\xC3\x89-001", false}, {"[A-Z0-9-]{4,32}", "ABC", false},
        {"[0-9]+", "", false},                       {"[0-9]+", "0812", true},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct wd_simple_pattern simple;
        assert_true(wd_simple_pattern_compile(cases[i].pattern, &simple));
        if (wd_simple_pattern_match(&simple, cases[i].value, strlen(cases[i].value)) !=
            cases[i].match)
            fail_msg("pattern %s, value \"%s\": expected %s", cases[i].pattern, cases[i].value,
                     cases[i].match ? "a match" : "no match");
    }
}

/* What is left to PCRE2: patterns with more than classes and counts, or whose greedy
 * reading could be wrong. */
static void test_refused_patterns(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "(a)",       "a|b",         "[^a]",      ".",          "a+?",        "a{2}+",
        "a*+",       "[[:alpha:]]", "\\w",       "\\s",        "\xC3\xA9",   "^a",
        "a$",        "[]a]",        "a{",        "{2}",        "+a",         "a{2}{3}",
        "a{,3}",     "a{3,2}",      "[z-a]",     "[0-9]{1,3}[0-9]{2}",      "[a-z]+[a-z0-9]",
        "[0-9]*[a-z]?", "a\\b",     "[a\\w]",    "#",          "[0-9]{70000}", "[\\d-z]",
        "a{1,2}a",   "[a-z]{2,4}\\d?x",
    };
    for (size_t i = 0; i < N_ELEMS(refused); i++) {
        struct wd_simple_pattern simple;
        if (wd_simple_pattern_compile(refused[i], &simple))
            fail_msg("pattern %s was taken as simple; PCRE2 must match it", refused[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_patterns_match_as_pcre),
        cmocka_unit_test(test_shipped_patterns),
        cmocka_unit_test(test_refused_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
