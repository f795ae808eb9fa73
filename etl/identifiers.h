/*
 * identifiers.h - Indonesian personal and tax identifiers: NIK and NPWP.
 *
 * NIK (Nomor Induk Kependudukan), 16 digits PPKKCC DDMMYY SSSS: the Kemendagri kecamatan
 * where it was first issued (a code of any version of the list, since codes change), the
 * birth date with 40 added to the day for women, and a serial from 0001.
 *
 * NPWP: the old 15 digits (type 2, serial 6, a Luhn check digit over the first nine, tax
 * office 3, branch 3; often written 01.234.567.8-901.000), or since 2024 16 digits: a
 * resident's NIK, or 0 followed by the old 15.
 */
#ifndef WD_IDENTIFIERS_H
#define WD_IDENTIFIERS_H

#include <stdbool.h>
#include <stddef.h>

#include "codes.h"

struct wd_nik {
    int sex; /* 1 laki-laki, 2 perempuan (Sakernas jenis_kelamin codes) */
    int day, month, year2; /* birth date; year2 is the two-digit year */
};

/*
 * Checks a NIK; on failure writes why (a lowercase phrase) into why. codes may be NULL to
 * skip the district check.
 */
bool wd_nik_check(const char *s, size_t len, const struct wd_codes *codes, struct wd_nik *out,
                  char *why, size_t whylen);

/* Checks an NPWP (15 or 16 digits, dots and dashes allowed); why as for NIK. */
bool wd_npwp_check(const char *s, size_t len, const struct wd_codes *codes, char *why,
                   size_t whylen);

/* The Luhn check over n digits (the last being the check digit). */
bool wd_luhn_valid(const char *digits, size_t n);

#endif
