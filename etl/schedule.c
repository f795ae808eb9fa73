/*
 * schedule.c - when a parsed schedule (schedule_parse.c) next fires, and which time zone
 * names are accepted.
 *
 * Finding the next time works on the local wall clock ("civil" time: year, month, day,
 * hour, minute) and never steps minute by minute through what cannot match: a month not in
 * the mask is skipped whole, then a day, then an hour, and the next minute is the next set
 * bit. A yearly schedule therefore costs a few dozen steps. Each wall-clock match is turned
 * into UTC by trying the UTC offsets in effect around it (localtime_r's tm_gmtoff) and
 * keeping those that convert back to the same wall-clock time: none for a time skipped by
 * DST, two for a time that occurs twice (of which the earlier one after `after` wins).
 * mktime() is not used for this because with tm_isdst = -1 it picks either occurrence of
 * an ambiguous time and silently moves a nonexistent one.
 *
 * Limits: the C library's time zones are used through TZ, so wd_schedule_next is for one
 * thread at a time (see schedule.h); the search gives up after the fifth calendar year
 * following `after`; leap seconds do not exist here, as they do not for time_t.
 */
#include "schedule.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- calendar arithmetic on the wall clock ---- */

struct civil {
    int year, month, day, hour, minute; /* month 1-12, day 1-31 */
};

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return len[m - 1] + (m == 2 && is_leap(y));
}

/* Leap years in 1..y (y >= 0). */
static int64_t leaps_through(int64_t y)
{
    return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to the date, for years 1 and later. */
static int64_t days_since_epoch(int y, int m, int d)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t days = ((int64_t)y - 1970) * 365 + leaps_through(y - 1) - leaps_through(1969);
    days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
    return days;
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int y, int m, int d)
{
    int64_t w = (days_since_epoch(y, m, d) + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* The wall-clock time as if it were UTC, in seconds since the epoch. */
static int64_t civil_seconds(const struct civil *c)
{
    return days_since_epoch(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60;
}

/* The lowest set bit of mask at or above from, or -1. */
static int next_bit(uint64_t mask, int from, int top)
{
    for (int i = from; i <= top; i++)
        if (mask & ((uint64_t)1 << i))
            return i;
    return -1;
}

static void next_month(struct civil *c)
{
    c->day = 1;
    c->hour = 0;
    c->minute = 0;
    if (++c->month > 12) {
        c->month = 1;
        c->year++;
    }
}

static void next_day(struct civil *c)
{
    c->hour = 0;
    c->minute = 0;
    if (++c->day > month_days(c->year, c->month))
        next_month(c);
}

static void next_hour(struct civil *c)
{
    c->minute = 0;
    if (++c->hour > 23)
        next_day(c);
}

static void next_minute(struct civil *c)
{
    if (++c->minute > 59)
        next_hour(c);
}

static bool day_matches(const struct wd_schedule *s, const struct civil *c)
{
    bool dom = (s->days >> c->day) & 1;
    bool dow = (s->weekdays >> weekday(c->year, c->month, c->day)) & 1;
    if (s->dom_star || s->dow_star)
        return dom && dow;
    return dom || dow;
}

/* Moves *c forward to the first wall-clock time at or after it that the schedule selects;
 * false when there is none up to the end of last_year. */
static bool civil_match(const struct wd_schedule *s, struct civil *c, int last_year)
{
    while (c->year <= last_year) {
        int m = next_bit(s->months, c->month, 12);
        if (m < 0) {
            c->year++;
            c->month = 1;
            c->day = 1;
            c->hour = 0;
            c->minute = 0;
            continue;
        }
        if (m != c->month) {
            c->month = m;
            c->day = 1;
            c->hour = 0;
            c->minute = 0;
        }
        if (!day_matches(s, c)) {
            next_day(c);
            continue;
        }
        int h = next_bit(s->hours, c->hour, 23);
        if (h < 0) {
            next_day(c);
            continue;
        }
        if (h != c->hour) {
            c->hour = h;
            c->minute = 0;
        }
        int mi = next_bit(s->minutes, c->minute, 59);
        if (mi < 0) {
            next_hour(c);
            continue;
        }
        c->minute = mi;
        return true;
    }
    return false;
}

static bool same_civil(const struct tm *tm, const struct civil *c)
{
    return tm->tm_year + 1900 == c->year && tm->tm_mon + 1 == c->month && tm->tm_mday == c->day &&
           tm->tm_hour == c->hour && tm->tm_min == c->minute && tm->tm_sec == 0;
}

/*
 * The earliest time after `after` whose local wall-clock time is *c, in the zone set by
 * TZ; false when there is none (a time skipped by DST). The offsets tried are those in
 * effect a day before, at, and a day after the wall-clock time read as UTC, which covers
 * any one change of offset around it.
 */
static bool resolve(const struct civil *c, time_t after, time_t *out)
{
    int64_t as_utc = civil_seconds(c);
    static const int64_t probes[3] = {-86400, 0, 86400};
    bool found = false;
    time_t best = 0;
    for (int i = 0; i < 3; i++) {
        time_t probe = (time_t)(as_utc + probes[i]);
        struct tm tm;
        if (!localtime_r(&probe, &tm))
            continue;
        time_t t = (time_t)(as_utc - tm.tm_gmtoff);
        struct tm back;
        if (t <= after || !localtime_r(&t, &back) || !same_civil(&back, c))
            continue;
        if (!found || t < best)
            best = t;
        found = true;
    }
    *out = best;
    return found;
}

/* Sets TZ for the duration of a computation; restore_tz undoes it. */
static char *set_tz(const char *tz)
{
    const char *old = getenv("TZ");
    char *saved = NULL;
    if (old) {
        saved = strdup(old);
        if (!saved)
            abort();
    }
    if (setenv("TZ", tz, 1) != 0)
        abort();
    tzset();
    return saved;
}

static void restore_tz(char *saved)
{
    if (saved) {
        if (setenv("TZ", saved, 1) != 0)
            abort();
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

time_t wd_schedule_next(const struct wd_schedule *s, time_t after, const char *tz)
{
    if (s->kind != WD_SCHEDULE_CRON || !wd_timezone_valid(tz))
        return 0;
    char *saved = set_tz(tz);
    time_t result = 0;
    struct tm now;
    /* years 1-9993, so that the calendar arithmetic and the year limit stay in range */
    if (localtime_r(&after, &now) && now.tm_year >= 1 - 1900 && now.tm_year <= 9993 - 1900) {
        struct civil c = {now.tm_year + 1900, now.tm_mon + 1, now.tm_mday, now.tm_hour, now.tm_min};
        int last_year = c.year + 5;
        next_minute(&c); /* strictly after: the minute that holds `after` is past */
        while (civil_match(s, &c, last_year)) {
            if (resolve(&c, after, &result))
                break;
            next_minute(&c); /* skipped by DST: the next match that exists */
        }
    }
    restore_tz(saved);
    return result;
}

/* ---- time zones ---- */

/* A relative name made of path components of letters, digits, "_", "-" and "+", none
 * starting with "." or "-". */
static bool zone_name_ok(const char *tz)
{
    size_t len = strlen(tz);
    if (len == 0 || len > 255)
        return false;
    bool at_start = true;
    for (const char *p = tz; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (at_start)
                return false; /* leading "/" or "//" */
            at_start = true;
            continue;
        }
        if (at_start && (c == '-' || c == '.'))
            return false;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '_' && c != '-' && c != '+')
            return false;
        at_start = false;
    }
    return !at_start; /* not ending in "/" */
}

bool wd_timezone_valid(const char *tz)
{
    if (!tz)
        return false;
    if (strcmp(tz, "UTC") == 0)
        return true;
    if (!zone_name_ok(tz) || strncmp(tz, "right/", 6) == 0)
        return false;
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, tz);
    if (n < 0 || (size_t)n >= sizeof(path))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return false;
    struct stat st;
    char magic[4];
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
              memcmp(magic, "TZif", 4) == 0;
    close(fd);
    return ok;
}
