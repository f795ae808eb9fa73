/*
 * values.h - numbers, integers and booleans as units write them, parsed without locale.
 *
 * Indonesian spreadsheets write 4.500.000,00 (dot groups, decimal comma); the definition's
 * source.decimalChar and source.groupChar say which. Group separators must split the
 * integer part into groups of three, so that "11.10" is never read as 1110. With
 * bareNumber false, text around the number is dropped first ("Rp 5.067.381,00", "12 %").
 * Each parser writes the value's canonical text (digits, '-' and '.') for loading.
 */
#ifndef WD_VALUES_H
#define WD_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_numfmt {
    char decimal; /* '.' or ',' usually */
    char group;   /* '\0' when the number has no group separators */
    bool bare;    /* false: ignore non-numeric text before and after */
};

/*
 * Parses an integer; writes its canonical text (the value in decimal, without leading
 * zeros) into canon (cap bytes, NUL-terminated) and its value into *out. False when the text is not an integer or does not fit 64 bits.
 */
bool wd_parse_integer(const char *s, size_t len, const struct wd_numfmt *fmt, char *canon,
                      size_t cap, int64_t *out);

/* Parses a decimal number (with an optional exponent); canonical text and value. */
bool wd_parse_number(const char *s, size_t len, const struct wd_numfmt *fmt, char *canon,
                     size_t cap, double *out);

#endif
