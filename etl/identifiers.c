/*
 * identifiers.c - NIK and NPWP checks.
 */
#include "identifiers.h"

#include <stdio.h>
#include <string.h>

#include "datefmt.h"

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

bool wd_nik_check(const char *s, size_t len, const struct wd_codes *codes, struct wd_nik *out,
                  char *why, size_t whylen)
{
    if (len != 16 || !all_digits(s, len)) {
        if (memchr(s, 'E', len) || memchr(s, 'e', len))
            snprintf(why, whylen, "a NIK has 16 digits; this one was turned into a number in "
                                  "scientific notation by a spreadsheet and its last digits "
                                  "are lost");
        else
            snprintf(why, whylen, "a NIK has exactly 16 digits, found %zu characters", len);
        return false;
    }
    if (codes && !wd_codelist_lookup_any_version(codes, codes->kecamatan, s, 6)) {
        snprintf(why, whylen, "its first six digits %.6s are not a kecamatan code of any "
                              "version of wilayah_kecamatan", s);
        return false;
    }
    int day = two(s + 6), month = two(s + 8), yy = two(s + 10);
    int sex = 1;
    if (day > 40) {
        sex = 2;
        day -= 40;
    }
    /* the century is unknown: a date valid in 2000+yy or 1900+yy; 29 February needs a
     * leap year in one of the two */
    if (!wd_date_valid(2000 + yy, month, day) && !wd_date_valid(1900 + yy, month, day)) {
        snprintf(why, whylen, "digits 7-12 (%.6s) are not a birth date DDMMYY (women add 40 "
                              "to the day)", s + 6);
        return false;
    }
    if (memcmp(s + 12, "0000", 4) == 0) {
        snprintf(why, whylen, "the serial (last four digits) is 0000");
        return false;
    }
    if (out) {
        out->sex = sex;
        out->day = day;
        out->month = month;
        out->year2 = yy;
    }
    return true;
}

bool wd_luhn_valid(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

bool wd_npwp_check(const char *s, size_t len, const struct wd_codes *codes, char *why,
                   size_t whylen)
{
    char d[32];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' || s[i] == '-')
            continue;
        if (s[i] < '0' || s[i] > '9' || n >= 16) {
            snprintf(why, whylen, "an NPWP has 15 or 16 digits (dots and dashes allowed)");
            return false;
        }
        d[n++] = s[i];
    }
    d[n] = '\0';
    if (n == 16 && d[0] != '0') {
        char nik_why[160];
        if (!wd_nik_check(d, 16, codes, NULL, nik_why, sizeof(nik_why))) {
            snprintf(why, whylen, "a 16-digit NPWP is a NIK or 0 and the old 15 digits; as a "
                                  "NIK: %s", nik_why);
            return false;
        }
        return true;
    }
    const char *old = n == 16 ? d + 1 : d;
    if (n != 15 && n != 16) {
        snprintf(why, whylen, "an NPWP has 15 or 16 digits, found %zu", n);
        return false;
    }
    if (!wd_luhn_valid(old, 9)) {
        snprintf(why, whylen, "the check digit (the ninth of the 15-digit number) does not match");
        return false;
    }
    return true;
}
