/*
 * pattern.h - the simple patterns of Table Schema constraints, matched without PCRE.
 *
 * Most definitions' patterns are a few character classes with counts: "[0-9]{5}",
 * "[0-9]{4}\.[0-9]{2}", "[A-Z0-9-]{4,32}". PCRE2's JIT matched them in some 250 instructions
 * a value, most of it its own entry, and a placement row has three (9 % of the checking
 * thread). Compiled into steps of (ASCII set, least, most) they take a few instructions a
 * character.
 *
 * Only a pattern that is matched here exactly as PCRE2 matches it (UTF, anchored at both
 * ends, as the definition loader compiles every pattern) is taken: ASCII literals and
 * classes of them (ranges, \d, escaped punctuation), each with a count ({n}, {m,n}, {m,},
 * ?, * or +), where no step with a choice of length is followed by one that could take the
 * same character, so that taking greedily never has to go back. A value's non-ASCII
 * character is in no class, as it is in none of PCRE2's. Anything else (alternation,
 * groups, negated classes, '.', anchors, lazy or possessive counts, non-ASCII) is left to
 * PCRE2.
 */
#ifndef WD_PATTERN_H
#define WD_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WD_PATTERN_STEPS 16

struct wd_pattern_step {
    uint64_t set[2];        /* the ASCII bytes this step takes */
    uint32_t min, max;      /* how many; max UINT32_MAX: no limit */
    unsigned char take[256]; /* set as a table: 1 for each byte it takes, 0 for any other */
};

struct wd_simple_pattern {
    struct wd_pattern_step step[WD_PATTERN_STEPS];
    int nsteps;
};

/* Compiles pattern into out; false when it is not one of the simple patterns above. */
bool wd_simple_pattern_compile(const char *pattern, struct wd_simple_pattern *out);

/* Whether the whole value matches. */
bool wd_simple_pattern_match(const struct wd_simple_pattern *p, const char *v, size_t len);

#endif
