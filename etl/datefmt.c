/*
 * datefmt.c - a small date parser for the formats units use, with Indonesian month names.
 *
 * strptime(3) would read %b by the process locale, which is neither Indonesian nor
 * something a daemon should depend on; the format language here is strptime's, the month
 * names are Bahasa Indonesia's and English's.
 */
#include "datefmt.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int month;
} month_names[] = {
    {"januari", 1},  {"january", 1},  {"jan", 1},      {"februari", 2}, {"february", 2},
    {"pebruari", 2}, {"feb", 2},      {"peb", 2},      {"maret", 3},    {"march", 3},
    {"mar", 3},      {"april", 4},    {"apr", 4},      {"mei", 5},      {"may", 5},
    {"juni", 6},     {"june", 6},     {"jun", 6},      {"juli", 7},     {"july", 7},
    {"jul", 7},      {"agustus", 8},  {"august", 8},   {"agu", 8},      {"agt", 8},
    {"ags", 8},      {"aug", 8},      {"september", 9}, {"sept", 9},    {"sep", 9},
    {"oktober", 10}, {"october", 10}, {"okt", 10},     {"oct", 10},     {"november", 11},
    {"nopember", 11}, {"nov", 11},    {"nop", 11},     {"desember", 12}, {"december", 12},
    {"des", 12},     {"dec", 12},
};

int wd_month_from_name(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(month_names) / sizeof(month_names[0]); i++)
        if (strlen(month_names[i].name) == len && strncasecmp(month_names[i].name, s, len) == 0)
            return month_names[i].month;
    return 0;
}

bool wd_date_valid(int year, int month, int day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= mdays[month - 1] + (month == 2 && leap);
}

static char *put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

void wd_datetime_iso(const struct wd_datetime *dt, bool with_time, char *buf)
{
    char *p = put_digits(buf, dt->year, 4);
    *p++ = '-';
    p = put_digits(p, dt->month, 2);
    *p++ = '-';
    p = put_digits(p, dt->day, 2);
    if (with_time) {
        *p++ = ' ';
        p = put_digits(p, dt->hour, 2);
        *p++ = ':';
        p = put_digits(p, dt->minute, 2);
        *p++ = ':';
        p = put_digits(p, dt->second, 2);
    }
    *p = '\0';
}

int64_t wd_days_from_civil(int year, int month, int day)
{
    /* Howard Hinnant's days_from_civil */
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

const char *wd_datefmt_check(const char *fmt, bool with_time)
{
    bool y = false, m = false, d = false;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        switch (*++p) {
        case 'd':
            d = true;
            break;
        case 'm':
        case 'B':
        case 'b':
            m = true;
            break;
        case 'Y':
        case 'y':
            y = true;
            break;
        case 'H':
        case 'M':
        case 'S':
            if (!with_time)
                return "a date format may not hold a time";
            break;
        case '%':
            break;
        case '\0':
            return "it ends with a lone %";
        default:
            return "unknown directive: use %d %m %Y %y %B %b %H %M %S or %%";
        }
    }
    if (!y || !m || !d)
        return "it must name the day (%d), the month (%m, %B or %b) and the year (%Y or %y)";
    return NULL;
}

/* Reads 1..max digits; returns how many were read (0 for none). */
static size_t digits(const char *s, size_t len, size_t max, int *out)
{
    size_t i = 0;
    int v = 0;
    while (i < len && i < max && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    *out = v;
    return i;
}

bool wd_datefmt_parse(const char *fmt, const char *s, size_t len, struct wd_datetime *out)
{
    bool shape_ok;
    return wd_datefmt_parse_ex(fmt, s, len, out, &shape_ok);
}

void wd_datefmt_human(const char *fmt, char *buf, size_t cap)
{
    size_t o = 0;
    for (const char *p = fmt; *p && o + 1 < cap; p++) {
        const char *w = NULL;
        if (*p == '%' && p[1]) {
            switch (*++p) {
            case 'd':
                w = "DD";
                break;
            case 'm':
                w = "MM";
                break;
            case 'Y':
                w = "YYYY";
                break;
            case 'y':
                w = "YY";
                break;
            case 'B':
            case 'b':
                w = "month";
                break;
            case 'H':
                w = "hh";
                break;
            case 'M':
                w = "mm";
                break;
            case 'S':
                w = "ss";
                break;
            default:
                w = "%";
            }
        }
        if (!w) {
            buf[o++] = *p;
            continue;
        }
        for (; *w && o + 1 < cap; w++)
            buf[o++] = *w;
    }
    buf[o] = '\0';
}

/* The value of n digits at s, or -1 when one is not a digit. */
static int fixed_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned)(s[i] - '0') > 9)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/*
 * The two shapes nearly every file's dates have, at their full width: "%Y-%m-%d" of
 * "2024-02-20" and "%d/%m/%Y" of "20/02/2024" (with any separators but spaces), read by
 * position. The interpreter below reads them the same, at 310 instructions a date against
 * some 40 here; anything else (a single-digit day, a month's name) is left to it.
 */
static bool fixed_width(const char *fmt, const char *s, size_t len, struct wd_datetime *dt)
{
    if (len != 10 || strlen(fmt) != 8 || fmt[0] != '%' || fmt[3] != '%' || fmt[6] != '%' ||
        fmt[2] == '%' || fmt[2] == ' ' || fmt[5] == '%' || fmt[5] == ' ' || fmt[4] != 'm')
        return false;
    if (fmt[1] == 'Y' && fmt[7] == 'd' && s[4] == fmt[2] && s[7] == fmt[5]) {
        dt->year = fixed_digits(s, 4);
        dt->month = fixed_digits(s + 5, 2);
        dt->day = fixed_digits(s + 8, 2);
    } else if (fmt[1] == 'd' && fmt[7] == 'Y' && s[2] == fmt[2] && s[5] == fmt[5]) {
        dt->day = fixed_digits(s, 2);
        dt->month = fixed_digits(s + 3, 2);
        dt->year = fixed_digits(s + 6, 4);
    } else {
        return false;
    }
    return dt->year >= 0 && dt->month >= 0 && dt->day >= 0;
}

bool wd_datefmt_parse_ex(const char *fmt, const char *s, size_t len, struct wd_datetime *out,
                         bool *shape_ok)
{
    struct wd_datetime dt = {0, 0, 0, 0, 0, 0};
    *shape_ok = false;
    if (fixed_width(fmt, s, len, &dt)) {
        *shape_ok = true;
        if (!wd_date_valid(dt.year, dt.month, dt.day))
            return false;
        *out = dt;
        return true;
    }
    dt = (struct wd_datetime){0, 0, 0, 0, 0, 0};
    size_t i = 0, n;
    for (const char *p = fmt; *p; p++) {
        if (*p == ' ') {
            if (i >= len || s[i] != ' ')
                return false;
            while (i < len && s[i] == ' ')
                i++;
            continue;
        }
        if (*p != '%' || p[1] == '%') {
            if (*p == '%')
                p++;
            if (i >= len || s[i] != *p)
                return false;
            i++;
            continue;
        }
        p++;
        switch (*p) {
        case 'd':
            n = digits(s + i, len - i, 2, &dt.day);
            break;
        case 'm':
            n = digits(s + i, len - i, 2, &dt.month);
            break;
        case 'Y':
            n = digits(s + i, len - i, 4, &dt.year);
            if (n != 4)
                return false;
            break;
        case 'y':
            n = digits(s + i, len - i, 2, &dt.year);
            if (n != 2)
                return false;
            dt.year += dt.year < 69 ? 2000 : 1900;
            break;
        case 'H':
            n = digits(s + i, len - i, 2, &dt.hour);
            break;
        case 'M':
            n = digits(s + i, len - i, 2, &dt.minute);
            break;
        case 'S':
            n = digits(s + i, len - i, 2, &dt.second);
            break;
        case 'B':
        case 'b':
            n = 0;
            while (i + n < len && ((s[i + n] | 0x20) >= 'a' && (s[i + n] | 0x20) <= 'z'))
                n++;
            dt.month = wd_month_from_name(s + i, n);
            if (!dt.month)
                return false;
            break;
        default:
            return false;
        }
        if (n == 0)
            return false;
        i += n;
    }
    if (i != len)
        return false;
    *shape_ok = true;
    if (!wd_date_valid(dt.year, dt.month, dt.day) || dt.hour > 23 || dt.minute > 59 ||
        dt.second > 59)
        return false;
    *out = dt;
    return true;
}
