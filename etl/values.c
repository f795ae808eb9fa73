/*
 * values.c - locale-free number parsing with group and decimal separators.
 *
 * The text is rewritten into a canonical form ("-4500000.00"); a short one is converted
 * here, any other reaches strtod, which reads '.' as the decimal point because walidata
 * never calls setlocale for LC_NUMERIC.
 */
#include "values.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Narrows [s, s+len) to the numeric part when the format is not bare. */
static void strip_text(const char **s, size_t *len, const struct wd_numfmt *fmt)
{
    if (fmt->bare)
        return;
    const char *p = *s, *e = *s + *len;
    while (p < e && !is_digit(*p) && *p != '-' && *p != '+' && !(*p == fmt->decimal && p + 1 < e && is_digit(p[1])))
        p++;
    while (e > p && !is_digit(e[-1]))
        e--;
    *s = p;
    *len = (size_t)(e - p);
}

/*
 * Writes the canonical form: sign, integer digits without groups, then '.' and the
 * fraction, then the exponent when allowed. Returns false for anything malformed.
 */
static bool canonical(const char *s, size_t len, const struct wd_numfmt *fmt, bool fraction_ok,
                      char *out, size_t cap)
{
    strip_text(&s, &len, fmt);
    size_t i = 0, o = 0;
    if (len == 0 || cap < 2)
        return false;
#define PUT(c)                                                                                 \
    do {                                                                                       \
        if (o + 1 >= cap)                                                                      \
            return false;                                                                      \
        out[o++] = (c);                                                                        \
    } while (0)
    if (s[i] == '-' || s[i] == '+') {
        if (s[i] == '-')
            PUT('-');
        i++;
    }
    /* integer part, with groups of three after the first group */
    size_t group_len = 0, groups = 0, int_digits = 0;
    for (; i < len; i++) {
        if (is_digit(s[i])) {
            PUT(s[i]);
            group_len++;
            int_digits++;
        } else if (fmt->group && s[i] == fmt->group) {
            if (group_len == 0 || (groups == 0 ? group_len > 3 : group_len != 3))
                return false;
            /* "0.500" is not how anyone writes 500 */
            if (groups == 0 && group_len == 1 && s[i - 1] == '0')
                return false;
            groups++;
            group_len = 0;
        } else {
            break;
        }
    }
    if (groups && group_len != 3)
        return false;
    if (i < len && s[i] == fmt->decimal) {
        if (!fraction_ok)
            return false;
        i++;
        PUT('.');
        size_t frac = 0;
        for (; i < len && is_digit(s[i]); i++, frac++)
            PUT(s[i]);
        if (frac == 0 && int_digits == 0)
            return false;
        if (frac == 0)
            o--; /* "12," is 12 */
    } else if (int_digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E') && fraction_ok) {
        PUT('e');
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            PUT(s[i++]);
        size_t exp = 0;
        for (; i < len && is_digit(s[i]); i++, exp++)
            PUT(s[i]);
        if (exp == 0)
            return false;
    }
#undef PUT
    out[o] = '\0';
    return i == len;
}

bool wd_parse_integer(const char *s, size_t len, const struct wd_numfmt *fmt, char *canon,
                      size_t cap, int64_t *out)
{
    if (!canonical(s, len, fmt, false, canon, cap))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(canon, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    /* the canonical text is the value's: "08" and "8" are one key, one enum value */
    snprintf(canon, cap, "%lld", v);
    return true;
}

/*
 * The canonical text "[-]digits[.digits]" of at most 15 digits in all, as a double without
 * strtod: the digits as an integer, below 2^53 and so exact in a double, divided by the
 * power of ten of the fraction's length, at most 10^15 and exact too. IEEE division rounds
 * its exact quotient correctly, as strtod does, so the two give the same double (Clinger's
 * fast path). strtod was 0.8 of the 10 k instructions a placement row costs the checking
 * thread, for one wage. False for what the fast path does not cover.
 */
static bool short_decimal(const char *c, double *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    bool neg = *c == '-';
    c += neg;
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; *c; c++) {
        if (*c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!is_digit(*c) || ++digits > 15)
            return false;
        m = m * 10 + (uint64_t)(*c - '0');
        frac += frac >= 0;
    }
    double v = (double)m / pow10[frac < 0 ? 0 : frac];
    *out = neg ? -v : v;
    return true;
}

bool wd_parse_number(const char *s, size_t len, const struct wd_numfmt *fmt, char *canon,
                     size_t cap, double *out)
{
    if (!canonical(s, len, fmt, true, canon, cap))
        return false;
    if (short_decimal(canon, out))
        return true;
    errno = 0;
    char *end;
    double v = strtod(canon, &end);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}
