/*
 * datefmt.h - dates and times as units write them, parsed without the C library's locale.
 *
 * Formats are strptime-style: %d %m %Y %y %B %b %H %M %S %%, any other character matching
 * itself, and a space matching one or more spaces. %B and %b accept Indonesian month names
 * and their common short forms (Januari, Peb, Mei, Agt, Agustus, Sept, Okt, Nop, Des) as
 * well as English ones, in any case. %y takes 00-68 as 20xx and 69-99 as 19xx (POSIX).
 * Every parsed date is a real calendar date (29 February only in leap years).
 */
#ifndef WD_DATEFMT_H
#define WD_DATEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_datetime {
    int year, month, day;
    int hour, minute, second;
};

/* Returns NULL when fmt is a usable format (with_time: for datetime fields), else why not. */
const char *wd_datefmt_check(const char *fmt, bool with_time);

/* Parses the len bytes at s as fmt, the whole of s; false when they do not match or the
 * date does not exist. */
bool wd_datefmt_parse(const char *fmt, const char *s, size_t len, struct wd_datetime *out);

/* As wd_datefmt_parse; *shape_ok tells whether the text had the format's shape, so that a
 * caller can tell "31/02/2025" (no such day) from "2025-02-01" (another format). */
bool wd_datefmt_parse_ex(const char *fmt, const char *s, size_t len, struct wd_datetime *out,
                         bool *shape_ok);

/* Writes fmt for people: "%d/%m/%Y" -> "DD/MM/YYYY", "%d %B %Y" -> "DD month YYYY". */
void wd_datefmt_human(const char *fmt, char *buf, size_t cap);

/* Writes "YYYY-MM-DD" (with_time: "YYYY-MM-DD HH:MM:SS") and a NUL into buf (20 bytes). */
void wd_datetime_iso(const struct wd_datetime *dt, bool with_time, char *buf);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t wd_days_from_civil(int year, int month, int day);

bool wd_date_valid(int year, int month, int day);

/* The month (1-12) named by the len bytes at s, Indonesian or English, full or short; 0 when
 * none. */
int wd_month_from_name(const char *s, size_t len);

#endif
