/*
 * schedule.h - job schedules: 5-field cron expressions, @keywords and @watch, and when they
 * next fire in a time zone.
 *
 * A schedule is a set of local wall-clock minutes in the warehouse's time zone
 * (Asia/Jakarta by default). The expression language is Vixie cron's (crontab(5)):
 *
 *   minute hour day-of-month month day-of-week
 *   0-59   0-23 1-31         1-12  0-7 (0 and 7 are Sunday)
 *
 * Each field is "*" or a comma-separated list of items: a number, a range "a-b", or a
 * stepped range "a-b/n" or "*" with a step (every n-th value of the field, written as in
 * crontab; not spelled out here because those two characters end a C comment). Months
 * may be named jan..dec and days of the week sun..sat, in any case, also as range ends
 * ("mon-fri", "jan-jun/2"; "sat-sun" takes sun as 7). A step needs a range: "5/15" is
 * refused with a hint to write "5-59/15". A step larger than the field (every 90 minutes
 * is not "*" with step 90) is refused too.
 *
 * Day-of-month and day-of-week follow Vixie cron's rule: when both fields are restricted
 * they are ORed ("0 12 1 * mon" fires on the 1st and on every Monday); when either field
 * begins with "*" they are ANDed. As in Vixie cron and cronie, a field counts as
 * unrestricted when it begins with "*", so "*" with step 2 in day-of-month and "mon" in
 * day-of-week select the odd-numbered days that are Mondays.
 *
 * Keywords, in any case: @hourly (0 * * * *), @daily and @midnight (0 0 * * *), @weekly
 * (0 0 * * 0), @monthly (0 0 1 * *), @yearly and @annually (0 0 1 1 *), and @watch (a drop
 * folder, picked up as files arrive: no times at all). @reboot is not supported.
 *
 * Daylight saving time (none in Indonesia, but a zone may have it): the search walks the
 * local wall clock forward from the wall-clock time of `after`.
 *   - A wall-clock time that does not exist (skipped by a spring-forward change) never
 *     fires; the next existing match does. "30 2 * * *" in Europe/Berlin fires at 02:30 on
 *     29 March 2025, not on 30 March, and next at 02:30 on 31 March; "0-59/15 * * * *"
 *     goes from 01:45 to 03:00 on 30 March.
 *   - A wall-clock time that occurs twice (a fall-back change) fires once, at its first
 *     occurrence after `after`. Calling again from that time walks on from the same wall
 *     clock, so the repeated hour does not fire again: "0-59/15 * * * *" goes from 02:45
 *     summer time to 03:00 winter time, an hour and a quarter later.
 */
#ifndef WD_SCHEDULE_H
#define WD_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum wd_schedule_kind {
    WD_SCHEDULE_CRON,  /* fires at the times its fields select */
    WD_SCHEDULE_WATCH, /* @watch: fires when files arrive, never by the clock */
};

struct wd_schedule {
    enum wd_schedule_kind kind;
    uint64_t minutes; /* bit m set: minute m (0-59) */
    uint32_t hours;   /* bit h: hour 0-23 */
    uint32_t days;    /* bit d: day of month 1-31 */
    uint16_t months;  /* bit m: month 1-12 */
    uint8_t weekdays; /* bit w: 0 = Sunday .. 6 = Saturday (7 in the text also means Sunday) */
    bool dom_star;    /* the day-of-month field began with "*" (for Vixie cron's rule) */
    bool dow_star;    /* the day-of-week field began with "*" */
    char text[128];   /* the schedule as written, without surrounding white space */
};

/*
 * Parses text: "m h dom mon dow" (fields separated by spaces or tabs) or a keyword, at most
 * 127 characters after trimming. Returns true and fills *out; on failure returns false,
 * leaves *out alone and writes into why (whylen bytes, may be 0) a lowercase message that
 * names the field and says what is expected, e.g. "field 2 (hour): 24 is out of range 0-23".
 */
bool wd_schedule_parse(const char *text, struct wd_schedule *out, char *why, size_t whylen);

/*
 * The first time strictly after `after` (a UTC time_t) when the schedule fires, evaluated in
 * the IANA time zone tz (e.g. "Asia/Jakarta"), by the rules in the comment at the top of
 * this file. Returns 0 for @watch, when tz is not a valid zone (wd_timezone_valid), or when
 * nothing matches before the end of the fifth calendar year after that of `after` (e.g.
 * "0 0 30 2 *").
 *
 * For the daemon's loop thread only: it sets the process's TZ environment variable to tz
 * and calls tzset(), and restores both before it returns. Meanwhile no other thread may
 * call getenv/setenv or a local-time function (localtime_r, mktime, strftime with %Z).
 * libpq reads the environment when it connects, so run it before workers start or while
 * they are not connecting; setting TZ once at start-up (so that it always exists) also
 * keeps glibc from moving the environment array here.
 */
time_t wd_schedule_next(const struct wd_schedule *s, time_t after, const char *tz);

/*
 * Whether tz names a zone in the system's tz database ($TZDIR, else /usr/share/zoneinfo):
 * a relative name such as "Asia/Jakarta" or "UTC" whose file is a TZif file. POSIX TZ
 * strings ("WIB-7"), paths, ".." and the leap-second "right/" zones (whose clock is not
 * the system's) are refused. "UTC" is always valid.
 */
bool wd_timezone_valid(const char *tz);

#endif
