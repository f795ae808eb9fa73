/*
 * test_schedule.c - cron schedules: parsing, when they next fire in a time zone, and time
 * zone names.
 *
 * Most cases live in tests/data/schedule_cases.tsv, one a line, and each line is its own
 * cmocka test named after it: next fire times (start, zone, schedule, expected local time
 * with its UTC offset), parse errors with their exact message, and zone names. Times in
 * the table carry their offset, so the expected instants are computed here without the C
 * library's time zones. The C cases below check what a table cannot: the bit masks, the
 * keyword expansions, the limits of the text, that TZ is restored, and two brute-force
 * oracles that walk minute by minute, one for fixed-offset zones (pure arithmetic) and one
 * for DST nights (localtime_r), against which thousands of starts are compared.
 *
 * Tests run from the repository's top folder (make check does so). This file needs only
 * cmocka, etl/schedule.c and etl/schedule_parse.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../etl/schedule.h"

#define CASES_PATH "tests/data/schedule_cases.tsv"

/* ---- time arithmetic of the tests' own, independent of the module's ---- */

static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : len[m - 1];
}

/* Days from 1970-01-01, by counting (years 1970 and later). */
static int64_t count_days(int y, int m, int d)
{
    int64_t n = 0;
    for (int i = 1970; i < y; i++)
        n += leap_year(i) ? 366 : 365;
    for (int i = 1; i < m; i++)
        n += days_in(y, i);
    return n + d - 1;
}

/* Parses "YYYY-MM-DD HH:MM[:SS] +HHMM" into an instant; false when it is not that. */
static bool parse_instant(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    char sign;
    int oh, om;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
        return false;
    s += n;
    if (*s == ':') {
        if (sscanf(s, ":%2d%n", &sec, &n) != 1)
            return false;
        s += n;
    }
    if (sscanf(s, " %c%2d%2d%n", &sign, &oh, &om, &n) != 3 || s[n] != '\0' ||
        (sign != '+' && sign != '-'))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    int64_t offset = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    *out = (time_t)(count_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset);
    return true;
}

/* Sets TZ (NULL: unsets it) for the tests' own use of the C library. */
static void use_tz(const char *tz)
{
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
}

/* Writes t as local time in zone (for messages), "never" for 0. */
static const char *show(time_t t, const char *zone, char *buf, size_t cap)
{
    if (t == 0) {
        snprintf(buf, cap, "never");
        return buf;
    }
    use_tz(zone);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S %z (%a)", &tm);
    use_tz(NULL);
    return buf;
}

static long utc_offset(time_t t, const char *zone)
{
    use_tz(zone);
    struct tm tm;
    localtime_r(&t, &tm);
    use_tz(NULL);
    return tm.tm_gmtoff;
}

static void parse_ok(const char *text, struct wd_schedule *s)
{
    char why[256] = "";
    if (!wd_schedule_parse(text, s, why, sizeof(why))) {
        print_error("\"%s\" was refused: %s\n", text, why);
        fail();
    }
}

/* ---- the table ---- */

enum case_kind {
    CASE_NEXT,  /* next ZONE AFTER SCHEDULE EXPECTED */
    CASE_ERROR, /* error SCHEDULE MESSAGE */
    CASE_ZONE,  /* zone NAME valid|invalid */
    CASE_BAD,   /* a line the loader could not read: fails with what is wrong */
};

struct table_case {
    enum case_kind kind;
    int line;
    const char *col[4]; /* the columns after the kind; point into the table's text */
    char name[200];     /* the cmocka test's name */
    char problem[200];  /* CASE_BAD: why */
};

#define MAX_CASES 512

static struct table_case cases[MAX_CASES];
static size_t ncases;
static char *table_text;

static bool load_table(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 16, len = 0;
    table_text = malloc(cap + 1);
    size_t got;
    while (table_text && (got = fread(table_text + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            table_text = realloc(table_text, cap + 1);
        }
    }
    fclose(f);
    if (!table_text)
        return false;
    table_text[len] = '\0';

    int line = 0;
    for (char *p = table_text; *p && ncases < MAX_CASES;) {
        char *end = strchr(p, '\n');
        char *next = end ? end + 1 : p + strlen(p);
        if (end)
            *end = '\0';
        if (end && end > p && end[-1] == '\r')
            end[-1] = '\0';
        line++;
        if (*p == '\0' || *p == '#') {
            p = next;
            continue;
        }
        struct table_case *c = &cases[ncases++];
        c->line = line;
        char *col[6];
        int n = 0;
        for (char *q = p;; q++) {
            if (n < 6 && (q == p || q[-1] == '\0'))
                col[n++] = q;
            if (*q == '\0')
                break;
            if (*q == '\t')
                *q = '\0';
        }
        int want = 0;
        if (strcmp(col[0], "next") == 0) {
            c->kind = CASE_NEXT;
            want = 5;
        } else if (strcmp(col[0], "error") == 0) {
            c->kind = CASE_ERROR;
            want = 3;
        } else if (strcmp(col[0], "zone") == 0) {
            c->kind = CASE_ZONE;
            want = 3;
        }
        if (want == 0 || n != want) {
            c->kind = CASE_BAD;
            snprintf(c->problem, sizeof(c->problem),
                     "%s:%d: expected next (5 columns), "
                     "error or zone (3 columns), found \"%.20s\" and %d columns",
                     path, line, col[0], n);
            snprintf(c->name, sizeof(c->name), "line %d: unreadable", line);
            p = next;
            continue;
        }
        for (int i = 1; i < n; i++)
            c->col[i - 1] = col[i];
        if (c->kind == CASE_NEXT)
            snprintf(c->name, sizeof(c->name), "line %d: \"%s\" in %s after %s", line, c->col[2],
                     c->col[0], c->col[1]);
        else if (c->kind == CASE_ERROR)
            snprintf(c->name, sizeof(c->name), "line %d: \"%s\" is refused", line, c->col[0]);
        else
            snprintf(c->name, sizeof(c->name), "line %d: zone \"%s\" is %s", line, c->col[0],
                     c->col[1]);
        p = next;
    }
    return true;
}

static void run_next_case(const struct table_case *c)
{
    const char *zone = c->col[0];
    time_t after, expected = 0;
    if (!parse_instant(c->col[1], &after)) {
        print_error("line %d: bad start time \"%s\"\n", c->line, c->col[1]);
        fail();
    }
    if (strcmp(c->col[3], "never") != 0 && !parse_instant(c->col[3], &expected)) {
        print_error("line %d: bad expected time \"%s\"\n", c->line, c->col[3]);
        fail();
    }
    struct wd_schedule s;
    parse_ok(c->col[2], &s);
    time_t got = wd_schedule_next(&s, after, zone);
    if (got != expected) {
        char g[64], w[64];
        print_error("line %d: \"%s\" in %s after %s: got %s, wanted %s\n", c->line, c->col[2], zone,
                    c->col[1], show(got, zone, g, sizeof(g)), show(expected, zone, w, sizeof(w)));
        fail();
    }
    if (got == 0)
        return;
    assert_true(got > after);
    /* Nothing fires in between: from a second earlier, or from halfway, the answer is the
     * same. Not from halfway across a fall-back change: from inside the repeated hour the
     * wall clock is followed from there, by the rule of schedule.h. */
    assert_int_equal(wd_schedule_next(&s, got - 1, zone), got);
    if (utc_offset(after, zone) == utc_offset(got, zone))
        assert_int_equal(wd_schedule_next(&s, after + (got - after) / 2, zone), got);
    time_t again = wd_schedule_next(&s, got, zone);
    assert_true(again == 0 || again > got);
}

static void run_error_case(const struct table_case *c)
{
    struct wd_schedule s;
    memset(&s, 0x5a, sizeof(s));
    char why[512] = "";
    if (wd_schedule_parse(c->col[0], &s, why, sizeof(why))) {
        print_error("line %d: \"%s\" was accepted\n", c->line, c->col[0]);
        fail();
    }
    if (strcmp(why, c->col[1]) != 0) {
        print_error("line %d: \"%s\":\n   got: %s\nwanted: %s\n", c->line, c->col[0], why,
                    c->col[1]);
        fail();
    }
    /* a refused schedule leaves *out alone */
    const unsigned char *b = (const unsigned char *)&s;
    for (size_t i = 0; i < sizeof(s); i++)
        assert_int_equal(b[i], 0x5a);
}

static void run_zone_case(const struct table_case *c)
{
    bool want = strcmp(c->col[1], "valid") == 0;
    if (!want && strcmp(c->col[1], "invalid") != 0) {
        print_error("line %d: expected valid or invalid, found \"%s\"\n", c->line, c->col[1]);
        fail();
    }
    if (wd_timezone_valid(c->col[0]) != want) {
        print_error("line %d: zone \"%s\" should be %s\n", c->line, c->col[0], c->col[1]);
        fail();
    }
}

static void test_table_case(void **state)
{
    const struct table_case *c = *state;
    switch (c->kind) {
    case CASE_NEXT:
        run_next_case(c);
        break;
    case CASE_ERROR:
        run_error_case(c);
        break;
    case CASE_ZONE:
        run_zone_case(c);
        break;
    case CASE_BAD:
        print_error("%s\n", c->problem);
        fail();
    }
}

/* The table holds what the brief asks for: a truncated file fails here. */
static void test_table_complete(void **state)
{
    (void)state;
    size_t n[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < ncases; i++)
        n[cases[i].kind]++;
    assert_true(n[CASE_NEXT] >= 100);
    assert_true(n[CASE_ERROR] >= 40);
    assert_true(n[CASE_ZONE] >= 20);
    assert_int_equal(n[CASE_BAD], 0);
    assert_true(ncases < MAX_CASES);
}

/* ---- what a table cannot show ---- */

static uint64_t bits(int lo, int hi, int step)
{
    uint64_t m = 0;
    for (int i = lo; i <= hi; i += step)
        m |= (uint64_t)1 << i;
    return m;
}

static void test_masks(void **state)
{
    (void)state;
    struct wd_schedule s;
    parse_ok("*/15 0,12 1-5 jan,jul mon-fri", &s);
    assert_int_equal(s.kind, WD_SCHEDULE_CRON);
    assert_true(s.minutes == bits(0, 59, 15));
    assert_int_equal(s.hours, bits(0, 0, 1) | bits(12, 12, 1));
    assert_int_equal(s.days, bits(1, 5, 1));
    assert_int_equal(s.months, bits(1, 1, 1) | bits(7, 7, 1));
    assert_int_equal(s.weekdays, bits(1, 5, 1));
    assert_false(s.dom_star);
    assert_false(s.dow_star);
    assert_string_equal(s.text, "*/15 0,12 1-5 jan,jul mon-fri");

    parse_ok("* * * * *", &s);
    assert_true(s.minutes == bits(0, 59, 1));
    assert_int_equal(s.hours, bits(0, 23, 1));
    assert_int_equal(s.days, bits(1, 31, 1));
    assert_int_equal(s.months, bits(1, 12, 1));
    assert_int_equal(s.weekdays, 0x7f);
    assert_true(s.dom_star);
    assert_true(s.dow_star);

    /* Sunday: 0, 7 and sun are one bit; 0-7 is the whole week */
    const char *sundays[] = {"0 9 * * 0", "0 9 * * 7", "0 9 * * SUN", "0 9 * * 0,7", "0 9 * * 7-7"};
    for (size_t i = 0; i < sizeof(sundays) / sizeof(sundays[0]); i++) {
        parse_ok(sundays[i], &s);
        assert_int_equal(s.weekdays, 1);
    }
    parse_ok("0 9 * * 0-7", &s);
    assert_int_equal(s.weekdays, 0x7f);
    parse_ok("0 9 * * 5-7", &s);
    assert_int_equal(s.weekdays, bits(5, 6, 1) | 1);
    parse_ok("0 9 * * sat-sun", &s);
    assert_int_equal(s.weekdays, bits(6, 6, 1) | 1);
    parse_ok("0 9 * * sun-sun", &s);
    assert_int_equal(s.weekdays, 1);
    parse_ok("0 9 * * sun-sat", &s);
    assert_int_equal(s.weekdays, 0x7f);
    parse_ok("0 9 * * */2", &s);
    assert_int_equal(s.weekdays, bits(0, 6, 2));

    /* steps start at the range's start, and may reach past its end */
    parse_ok("3-59/20 1-23/11 2-31/10 2-12/5 1-5/3", &s);
    assert_true(s.minutes == (bits(3, 3, 1) | bits(23, 23, 1) | bits(43, 43, 1)));
    assert_int_equal(s.hours, bits(1, 23, 11));
    assert_int_equal(s.days, bits(2, 31, 10));
    assert_int_equal(s.months, bits(2, 12, 5));
    assert_int_equal(s.weekdays, bits(1, 4, 3));
    parse_ok("*/60 */24 */31 */12 */7", &s);
    assert_true(s.minutes == 1);
    assert_int_equal(s.hours, 1);
    assert_int_equal(s.days, 2);
    assert_int_equal(s.months, 2);
    assert_int_equal(s.weekdays, 1);

    /* Vixie cron: a field that begins with "*" is unrestricted for the OR rule */
    parse_ok("0 0 */2 * 1", &s);
    assert_true(s.dom_star);
    assert_false(s.dow_star);
    assert_int_equal(s.days, bits(1, 31, 2));
    parse_ok("0 0 1 * */2", &s);
    assert_false(s.dom_star);
    assert_true(s.dow_star);
    parse_ok("0 0 1-31 * 0-7", &s);
    assert_false(s.dom_star);
    assert_false(s.dow_star);

    /* leading zeros, lists with ranges, names with ranges and steps */
    parse_ok("007 08 09 010 00", &s);
    assert_true(s.minutes == bits(7, 7, 1));
    assert_int_equal(s.hours, bits(8, 8, 1));
    assert_int_equal(s.days, bits(9, 9, 1));
    assert_int_equal(s.months, bits(10, 10, 1));
    assert_int_equal(s.weekdays, 1);
    parse_ok("0 0 * Jan-Jun/2,dec 1", &s);
    assert_int_equal(s.months, bits(1, 5, 2) | bits(12, 12, 1));
}

static void test_keywords(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
        {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"}, {"@Hourly", "0 * * * *"},  {" @daily\t", "0 0 * * *"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct wd_schedule k, f;
        parse_ok(pairs[i][0], &k);
        parse_ok(pairs[i][1], &f);
        assert_int_equal(k.kind, WD_SCHEDULE_CRON);
        assert_true(k.minutes == f.minutes);
        assert_int_equal(k.hours, f.hours);
        assert_int_equal(k.days, f.days);
        assert_int_equal(k.months, f.months);
        assert_int_equal(k.weekdays, f.weekdays);
        assert_int_equal(k.dom_star, f.dom_star);
        assert_int_equal(k.dow_star, f.dow_star);
    }
    struct wd_schedule w;
    parse_ok("@watch", &w);
    assert_int_equal(w.kind, WD_SCHEDULE_WATCH);
    assert_string_equal(w.text, "@watch");
    assert_int_equal(wd_schedule_next(&w, 1735689600, "Asia/Jakarta"), 0);
    parse_ok("@WATCH", &w);
    assert_int_equal(w.kind, WD_SCHEDULE_WATCH);
}

static void test_text_limits(void **state)
{
    (void)state;
    struct wd_schedule s;
    char why[256];

    /* white space: tabs and runs of spaces separate fields; the ends are trimmed */
    parse_ok("\t 30\t8  *\t* 1-5 \r\n", &s);
    assert_string_equal(s.text, "30\t8  *\t* 1-5");
    assert_int_equal(s.hours, bits(8, 8, 1));

    /* 127 characters fit, 128 do not */
    char text[200] = "0 0 * * ";
    for (int i = 0; i < 59; i++)
        strcat(text, "1,");
    strcat(text, "1");
    assert_int_equal(strlen(text), 127);
    parse_ok(text, &s);
    assert_string_equal(s.text, text);
    strcat(text, "1");
    assert_false(wd_schedule_parse(text, &s, why, sizeof(why)));
    assert_string_equal(why, "the schedule is too long: at most 127 characters");

    /* bytes that are not printable are shown as such */
    assert_false(wd_schedule_parse("0 \x01 * * *", &s, why, sizeof(why)));
    assert_string_equal(why, "field 2 (hour): \"\\x01\" is not a number: expected 0-23");
    assert_false(wd_schedule_parse("0 0 * * l\xc3\xbcn", &s, why, sizeof(why)));
    assert_string_equal(why, "field 5 (day of week): \"l\\xc3\\xbcn\" is not a number or a name: "
                             "expected 0-7 or sun-sat");
    assert_false(wd_schedule_parse("0 0 * * \"mon\"", &s, why, sizeof(why)));
    assert_string_equal(why, "field 5 (day of week): \"\"mon\"\" is not a number or a name: "
                             "expected 0-7 or sun-sat");

    /* NULL text is an empty schedule; why may be NULL or short */
    assert_false(wd_schedule_parse(NULL, &s, why, sizeof(why)));
    assert_non_null(strstr(why, "the schedule is empty"));
    assert_false(wd_schedule_parse("60 * * * *", &s, NULL, 0));
    char small[12];
    memset(small, 'x', sizeof(small));
    assert_false(wd_schedule_parse("60 * * * *", &s, small, sizeof(small)));
    assert_string_equal(small, "field 1 (mi");
    memset(small, 'x', sizeof(small));
    assert_false(wd_schedule_parse("", &s, small, 1));
    assert_int_equal(small[0], '\0');
    assert_int_equal(small[1], 'x');

    /* a successful parse clears why */
    strcpy(why, "old");
    parse_ok("0 0 * * *", &s);
    assert_true(wd_schedule_parse("0 0 * * *", &s, why, sizeof(why)));
    assert_string_equal(why, "");
}

/* wd_schedule_next puts TZ back as it was: set, unset, or set to something invalid. */
static void test_tz_restored(void **state)
{
    (void)state;
    struct wd_schedule s;
    parse_ok("0 0 * * *", &s);
    time_t t0 = 1735689600; /* 2025-01-01 00:00 UTC */

    use_tz("America/New_York");
    assert_int_equal(wd_schedule_next(&s, t0, "Asia/Jakarta"), 1735750800);
    assert_string_equal(getenv("TZ"), "America/New_York");
    struct tm tm;
    localtime_r(&t0, &tm);
    assert_int_equal(tm.tm_gmtoff, -5 * 3600); /* the process's zone is back in force */

    use_tz(NULL);
    assert_int_equal(wd_schedule_next(&s, t0, "Asia/Jayapura"), 1735743600);
    assert_null(getenv("TZ"));

    use_tz("WIB-7");
    assert_int_equal(wd_schedule_next(&s, t0, "UTC"), 1735776000);
    assert_string_equal(getenv("TZ"), "WIB-7");
    localtime_r(&t0, &tm);
    assert_int_equal(tm.tm_gmtoff, 7 * 3600);

    /* an invalid zone neither fires nor touches TZ */
    assert_int_equal(wd_schedule_next(&s, t0, "Asia/Bandung"), 0);
    assert_int_equal(wd_schedule_next(&s, t0, NULL), 0);
    assert_string_equal(getenv("TZ"), "WIB-7");
    use_tz(NULL);
}

/* ---- brute force: fixed-offset zones, by arithmetic alone ---- */

static bool day_selected(const struct wd_schedule *s, int y, int m, int d, int wday)
{
    bool dom = (s->days >> d) & 1, dow = (s->weekdays >> wday) & 1;
    bool month = (s->months >> m) & 1;
    return month && ((s->dom_star || s->dow_star) ? dom && dow : dom || dow) && y > 0;
}

/* The first minute after `after` that s selects in a zone offset seconds east of UTC,
 * looking at most `days` days ahead minute by minute; 0 when there is none. */
static time_t oracle_fixed(const struct wd_schedule *s, time_t after, int offset, int days)
{
    int64_t local = (int64_t)after + offset;
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int y = 1970, m = 1, d = 1;
    for (int64_t left = day; left > 0;) {
        int dl = days_in(y, m);
        if (left >= dl - d + 1) {
            left -= dl - d + 1;
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        } else {
            d += (int)left;
            left = 0;
        }
    }
    int wday = (int)((day % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    for (int i = 0; i <= days; i++, day++) {
        if (day_selected(s, y, m, d, wday)) {
            for (int minute = 0; minute < 1440; minute++) {
                int64_t at = day * 86400 + minute * 60;
                if (at > local && ((s->hours >> (minute / 60)) & 1) &&
                    ((s->minutes >> (minute % 60)) & 1))
                    return (time_t)(at - offset);
            }
        }
        wday = (wday + 1) % 7;
        if (++d > days_in(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    return 0;
}

static const char *const oracle_schedules[] = {
    "* * * * *",       "*/7 */5 * * *", "13 2 */3 * *",
    "0 0 13 * fri",    "0 0 1-7 * 1",   "*/10 9-17 * * mon-fri",
    "0 12 15 6 *",     "0 0 * * 0",     "0 0 29 2 *",
    "59 23 31 12 *",   "0 0 31 * *",    "23 0-20/2 * * *",
    "0 0,12 1 */2 *",  "30 6 1,15 * 5", "0 0 * jun sat,sun",
    "45 23 28-31 * *", "0 0 */2 * mon", "@weekly",
    "@monthly",        "7 7 7 7 *",
};

static void test_oracle_fixed_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int offset;
    } zones[] = {
        {"UTC", 0},
        {"Asia/Jakarta", 7 * 3600},
        {"Asia/Makassar", 8 * 3600},
        {"Asia/Jayapura", 9 * 3600},
        {"Etc/GMT+5", -5 * 3600},
    };
    static const char *const starts[] = {
        "2025-01-31 23:59:30 +0000", "2024-02-28 16:59 +0000", "2025-12-31 16:59:59 +0000",
        "2025-06-15 03:17:42 +0000", "2027-11-30 23:00 +0000", "2028-02-29 00:00 +0900",
        "2025-03-31 17:00 +0000",    "2026-12-31 23:59 +0700",
    };
    const int window = 1600; /* days: covers the leap day of "0 0 29 2 *" from 2025 */
    size_t compared = 0;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        for (size_t i = 0; i < sizeof(oracle_schedules) / sizeof(oracle_schedules[0]); i++) {
            struct wd_schedule s;
            parse_ok(oracle_schedules[i], &s);
            for (size_t j = 0; j < sizeof(starts) / sizeof(starts[0]); j++) {
                time_t after;
                assert_true(parse_instant(starts[j], &after));
                time_t want = oracle_fixed(&s, after, zones[z].offset, window);
                time_t got = wd_schedule_next(&s, after, zones[z].zone);
                /* beyond the window the oracle does not look; the module stops at 5 years */
                bool ok = want ? got == want : (got == 0 || got > after + window * 86400LL);
                if (!ok) {
                    char g[64], w[64];
                    print_error("\"%s\" in %s after %s: got %s, oracle %s\n", oracle_schedules[i],
                                zones[z].zone, starts[j], show(got, zones[z].zone, g, sizeof(g)),
                                show(want, zones[z].zone, w, sizeof(w)));
                    fail();
                }
                compared++;
            }
        }
    }
    assert_int_equal(compared, 5 * 20 * 8);
}

/* ---- brute force: DST nights, with localtime_r ---- */

static int64_t civil_key(const struct tm *tm)
{
    return ((((int64_t)tm->tm_year * 13 + tm->tm_mon) * 32 + tm->tm_mday) * 24 + tm->tm_hour) * 60 +
           tm->tm_min;
}

/*
 * The rule of schedule.h, minute by minute: the first instant after `after` whose local
 * wall-clock time s selects and is later than the wall-clock minute of `after`. TZ must be
 * set to the zone.
 */
static time_t oracle_dst(const struct wd_schedule *s, time_t after, int days)
{
    struct tm tm;
    localtime_r(&after, &tm);
    int64_t from = civil_key(&tm);
    time_t t = after - (after % 60 + 60) % 60;
    for (time_t end = after + (time_t)days * 86400; t <= end; t += 60) {
        if (t <= after)
            continue;
        localtime_r(&t, &tm);
        if (civil_key(&tm) <= from)
            continue;
        if (day_selected(s, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_wday) &&
            ((s->hours >> tm.tm_hour) & 1) && ((s->minutes >> tm.tm_min) & 1))
            return t;
    }
    return 0;
}

static void test_oracle_dst(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        const char *from; /* every 11 minutes for 5 hours from here */
    } nights[] = {
        {"Europe/Berlin", "2025-03-29 23:03 +0100"},
        {"Europe/Berlin", "2025-10-25 23:03 +0200"},
        {"Australia/Lord_Howe", "2025-10-04 23:03 +1030"},
        {"Australia/Lord_Howe", "2025-04-05 23:03 +1100"},
        {"America/Sao_Paulo", "2018-11-03 21:03 -0300"},
        {"America/Sao_Paulo", "2018-02-17 21:03 -0200"},
    };
    static const char *const schedules[] = {
        "* * * * *",     "*/15 * * * *", "30 2 * * *",      "0 2 * * *",  "0 3 * * *",
        "0 * * * *",     "45 1 * * *",   "15 2 * * *",      "59 1 * * *", "0 0 * * *",
        "*/7 1-3 * * *", "30 23 * * *",  "10,40 0-2 * * *",
    };
    size_t compared = 0;
    for (size_t n = 0; n < sizeof(nights) / sizeof(nights[0]); n++) {
        time_t from;
        assert_true(parse_instant(nights[n].from, &from));
        for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
            struct wd_schedule s;
            parse_ok(schedules[i], &s);
            for (time_t after = from; after < from + 5 * 3600; after += 11 * 60 + 7) {
                use_tz(nights[n].zone);
                time_t want = oracle_dst(&s, after, 3);
                time_t got = wd_schedule_next(&s, after, nights[n].zone);
                use_tz(NULL);
                if (got != want) {
                    char a[64], g[64], w[64];
                    print_error("\"%s\" in %s after %s: got %s, oracle %s\n", schedules[i],
                                nights[n].zone, show(after, nights[n].zone, a, sizeof(a)),
                                show(got, nights[n].zone, g, sizeof(g)),
                                show(want, nights[n].zone, w, sizeof(w)));
                    fail();
                }
                compared++;
            }
        }
    }
    assert_true(compared > 1000);
}

/* A yearly or impossible schedule costs a few dozen steps, not a walk through every minute
 * of five years (2.6 million): a thousand of them take well under a second. */
static void test_fast(void **state)
{
    (void)state;
    struct wd_schedule leap, never;
    parse_ok("0 0 29 2 *", &leap);
    parse_ok("0 0 31 2,4,6,9,11 *", &never);
    time_t t0 = 1740787200; /* 2025-03-01 00:00 UTC */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 500; i++) {
        assert_int_equal(wd_schedule_next(&leap, t0 + i, "Asia/Jakarta"), 1835370000);
        assert_int_equal(wd_schedule_next(&never, t0 + i, "Asia/Jakarta"), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    if (seconds > 5.0) {
        print_error("1000 searches took %.2f s\n", seconds);
        fail();
    }
}

/* An all-zero schedule (not from the parser) matches nothing and still ends. */
static void test_empty_masks(void **state)
{
    (void)state;
    struct wd_schedule s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(wd_schedule_next(&s, 1735689600, "UTC"), 0);
    parse_ok("0 0 * * *", &s);
    s.days = 0;
    assert_int_equal(wd_schedule_next(&s, 1735689600, "UTC"), 0);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_table_complete), cmocka_unit_test(test_masks),
        cmocka_unit_test(test_keywords),       cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_tz_restored),    cmocka_unit_test(test_oracle_fixed_offsets),
        cmocka_unit_test(test_oracle_dst),     cmocka_unit_test(test_fast),
        cmocka_unit_test(test_empty_masks),
    };
    if (!load_table(CASES_PATH)) {
        fprintf(stderr, "cannot read %s (tests run from the repository's top folder)\n",
                CASES_PATH);
        return 1;
    }
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
    struct CMUnitTest *tests = calloc(nfixed + ncases, sizeof(*tests));
    if (!tests)
        return 1;
    memcpy(tests, fixed, sizeof(fixed));
    for (size_t i = 0; i < ncases; i++) {
        tests[nfixed + i].name = cases[i].name;
        tests[nfixed + i].test_func = test_table_case;
        tests[nfixed + i].initial_state = &cases[i];
    }
    /* The group is built at run time (one test per line of the table), so the function
     * behind cmocka_run_group_tests is called with its count. */
    int failed = _cmocka_run_group_tests("schedule", tests, nfixed + ncases, NULL, NULL);
    free(tests);
    free(table_text);
    return failed;
}
