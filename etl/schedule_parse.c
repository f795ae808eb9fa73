/*
 * schedule_parse.c - reading a cron schedule into bit masks.
 *
 * Each of the five fields becomes a bit mask (one bit per minute, hour, day, month,
 * weekday), so that matching a wall-clock time is five bit tests (schedule.c). Day-of-week 7
 * is folded into bit 0 (Sunday). Keywords are rewritten to their five-field form and parsed
 * like any other schedule, so they cannot disagree with it. Every refusal says which field,
 * what was found and what is expected.
 */
#include "schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing ---- */

struct field_spec {
    const char *name;           /* for messages: "minute", "day of month" */
    int lo, hi;                 /* the values the text may use (day of week: 0-7) */
    const char *const *names;   /* names for lo, lo + 1, ... or NULL */
    const char *names_expected; /* for messages: "jan-dec" */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const struct field_spec fields[5] = {
    {"minute", 0, 59, NULL, NULL},
    {"hour", 0, 23, NULL, NULL},
    {"day of month", 1, 31, NULL, NULL},
    {"month", 1, 12, month_names, "jan-dec"},
    {"day of week", 0, 7, day_names, "sun-sat"},
};

enum { DOW_FIELD = 4 };

/* The state of parsing one field: where it is, for messages. */
struct field_parser {
    int index; /* 0-4 */
    const struct field_spec *spec;
    const char *start, *end; /* the field's text */
    const char *p;           /* the next character */
    char *why;
    size_t whylen;
};

static bool fail_msg(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_msg(char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Writes "field N (name): " and the message into the parser's why. */
static bool field_fail(const struct field_parser *fp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool field_fail(const struct field_parser *fp, const char *fmt, ...)
{
    if (!fp->why || fp->whylen == 0)
        return false;
    int n = snprintf(fp->why, fp->whylen, "field %d (%s): ", fp->index + 1, fp->spec->name);
    if (n < 0 || (size_t)n >= fp->whylen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fp->why + n, fp->whylen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* What a value of this field may be, for messages: "0-59", "1-12 or jan-dec". */
static void expected_values(const struct field_spec *spec, char *buf, size_t cap)
{
    if (spec->names)
        snprintf(buf, cap, "%d-%d or %s", spec->lo, spec->hi, spec->names_expected);
    else
        snprintf(buf, cap, "%d-%d", spec->lo, spec->hi);
}

/* Copies len bytes of user text into buf for a message: bytes outside printable ASCII as
 * \xNN, and "..." when it does not fit. */
static const char *show_text(const char *s, size_t len, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t need = c >= 0x20 && c < 0x7f ? 1 : 4;
        if (o + need + 4 > cap) {
            memcpy(buf + o, "...", 4);
            return buf;
        }
        if (need == 1)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    }
    buf[o] = '\0';
    return buf;
}

/* Describes the character at p (one of , - / or the end) for a message. */
static void describe_char(const struct field_parser *fp, const char *p, char *buf, size_t cap)
{
    char shown[8];
    if (p >= fp->end)
        snprintf(buf, cap, "the end of the field");
    else
        snprintf(buf, cap, "\"%s\"", show_text(p, 1, shown, sizeof(shown)));
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The end of the token at p: a value or a step runs up to the next , - / or the field's
 * end, so that "1.5" or "5x" is reported whole. */
static const char *token_end(const struct field_parser *fp, const char *p)
{
    while (p < fp->end && *p != ',' && *p != '-' && *p != '/')
        p++;
    return p;
}

/*
 * Reads one value (a number or, where the field has them, a name) at fp->p. range_start:
 * when the value ends a range, where it starts (else -1); day-of-week "sun" ending a range
 * that starts later in the week means 7, so that "sat-sun" works.
 */
static bool read_value(struct field_parser *fp, int range_start, int *out)
{
    const char *w = fp->p;
    const char *e = token_end(fp, w);
    int wlen = (int)(e - w);
    char expected[32], shown[64];
    expected_values(fp->spec, expected, sizeof(expected));
    if (wlen == 0) {
        char what[32];
        describe_char(fp, w, what, sizeof(what));
        return field_fail(fp, "unexpected %s in \"%s\": expected %s", what,
                          show_text(fp->start, (size_t)(fp->end - fp->start), shown, sizeof(shown)),
                          expected);
    }
    bool all_digits = true, all_alpha = true;
    for (const char *q = w; q < e; q++) {
        all_digits = all_digits && is_digit(*q);
        all_alpha = all_alpha && is_alpha(*q);
    }
    if (all_digits) {
        long v = 0;
        for (const char *q = w; q < e && v <= 1000; q++)
            v = v * 10 + (*q - '0');
        if (v < fp->spec->lo || v > fp->spec->hi)
            return field_fail(fp, "%.*s is out of range %d-%d", wlen, w, fp->spec->lo,
                              fp->spec->hi);
        *out = (int)v;
    } else if (all_alpha && fp->spec->names) {
        int found = -1;
        int count = fp->index == DOW_FIELD ? 7 : fp->spec->hi - fp->spec->lo + 1;
        for (int i = 0; i < count && wlen == 3; i++)
            if (strncasecmp(fp->spec->names[i], w, 3) == 0)
                found = fp->spec->lo + i;
        if (found < 0)
            return field_fail(fp, "unknown name \"%.*s\": expected %s", wlen, w, expected);
        if (fp->index == DOW_FIELD && found == 0 && range_start > 0)
            found = 7;
        *out = found;
    } else {
        return field_fail(fp, "\"%s\" is not a number%s: expected %s",
                          show_text(w, (size_t)wlen, shown, sizeof(shown)),
                          fp->spec->names ? " or a name" : "", expected);
    }
    fp->p = e;
    return true;
}

/* The largest step a field takes: its number of values (day of week: 7). */
static int max_step(const struct field_parser *fp)
{
    return fp->index == DOW_FIELD ? 7 : fp->spec->hi - fp->spec->lo + 1;
}

/* Reads the step after a "/" (fp->p is past the slash). */
static bool read_step(struct field_parser *fp, int *out)
{
    const char *w = fp->p;
    const char *e = token_end(fp, w);
    int wlen = (int)(e - w);
    int max = max_step(fp);
    char shown[64];
    if (wlen == 0)
        return field_fail(fp, "\"/\" must be followed by a step 1-%d, as in \"*/2\"", max);
    long v = 0;
    for (const char *q = w; q < e; q++) {
        if (!is_digit(*q))
            return field_fail(fp, "step \"%s\" is not a number: expected 1-%d",
                              show_text(w, (size_t)wlen, shown, sizeof(shown)), max);
        if (v <= 1000)
            v = v * 10 + (*q - '0');
    }
    if (v < 1 || v > max)
        return field_fail(fp, "step %.*s is out of range 1-%d", wlen, w, max);
    *out = (int)v;
    fp->p = e;
    return true;
}

/* Parses one list item at fp->p ("*", "*" step, "a", "a-b", "a-b/n") into *mask. */
static bool parse_item(struct field_parser *fp, uint64_t *mask)
{
    const struct field_spec *spec = fp->spec;
    const char *item = fp->p;
    int lo, hi, step = 1;
    if (*fp->p == '*') {
        fp->p++;
        lo = spec->lo;
        hi = fp->index == DOW_FIELD ? 6 : spec->hi;
        if (fp->p < fp->end && *fp->p == '/') {
            fp->p++;
            if (!read_step(fp, &step))
                return false;
        }
    } else {
        if (!read_value(fp, -1, &lo))
            return false;
        hi = lo;
        bool range = fp->p < fp->end && *fp->p == '-';
        if (range) {
            fp->p++;
            if (fp->p >= fp->end || *fp->p == ',')
                return field_fail(fp, "range \"%.*s\" has no end: expected a-b",
                                  (int)(fp->p - item), item);
            if (!read_value(fp, lo, &hi))
                return false;
            if (hi < lo)
                return field_fail(fp, "range %.*s is backwards: the start must not exceed the end",
                                  (int)(fp->p - item), item);
        }
        if (fp->p < fp->end && *fp->p == '/') {
            fp->p++;
            if (!read_step(fp, &step))
                return false;
            if (!range) {
                /* "5/15": cronie reads it as 5-59/15, Vixie cron refuses it. Say what was
                 * probably meant rather than guess. */
                return field_fail(fp, "\"%.*s\" has a step but no range: write %d-%d/%d",
                                  (int)(fp->p - item), item, lo,
                                  fp->index == DOW_FIELD ? 6 : spec->hi, step);
            }
        }
    }
    for (int v = lo; v <= hi; v += step)
        *mask |= (uint64_t)1 << (fp->index == DOW_FIELD && v == 7 ? 0 : v);
    if (fp->p < fp->end && *fp->p != ',') {
        char what[32];
        describe_char(fp, fp->p, what, sizeof(what));
        return field_fail(fp, "unexpected %s after \"%.*s\"", what, (int)(fp->p - item), item);
    }
    return true;
}

static bool parse_field(struct field_parser *fp, uint64_t *mask)
{
    *mask = 0;
    fp->p = fp->start;
    for (;;) {
        if (fp->p >= fp->end || *fp->p == ',') {
            char shown[64];
            return field_fail(
                fp, "empty item in the list \"%s\"",
                show_text(fp->start, (size_t)(fp->end - fp->start), shown, sizeof(shown)));
        }
        if (!parse_item(fp, mask))
            return false;
        if (fp->p >= fp->end)
            return true;
        fp->p++; /* the comma */
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static const struct {
    const char *name;
    const char *fields; /* NULL: @watch */
} keywords[] = {
    {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"}, {"@watch", NULL},
};

#define KEYWORDS_EXPECTED "@hourly, @daily, @weekly, @monthly, @yearly or @watch"
#define FIELDS_EXPECTED "5 fields \"minute hour day-of-month month day-of-week\""

/* Parses five fields from text (NUL-terminated, trimmed, not a keyword) into s. */
static bool parse_fields(const char *text, struct wd_schedule *s, char *why, size_t whylen)
{
    const char *start[6], *end[6];
    int n = 0;
    const char *p = text;
    while (*p) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        const char *b = p;
        while (*p && !is_blank(*p))
            p++;
        if (n < 6) {
            start[n] = b;
            end[n] = p;
        }
        n++;
    }
    if (n != 5)
        return fail_msg(why, whylen,
                        "expected " FIELDS_EXPECTED " or " KEYWORDS_EXPECTED ", found %d field%s",
                        n, n == 1 ? "" : "s");
    uint64_t mask[5];
    for (int i = 0; i < 5; i++) {
        struct field_parser fp = {i, &fields[i], start[i], end[i], start[i], why, whylen};
        if (!parse_field(&fp, &mask[i]))
            return false;
    }
    s->kind = WD_SCHEDULE_CRON;
    s->minutes = mask[0];
    s->hours = (uint32_t)mask[1];
    s->days = (uint32_t)mask[2];
    s->months = (uint16_t)mask[3];
    s->weekdays = (uint8_t)mask[4];
    s->dom_star = *start[2] == '*';
    s->dow_star = *start[4] == '*';
    return true;
}

bool wd_schedule_parse(const char *text, struct wd_schedule *out, char *why, size_t whylen)
{
    if (why && whylen > 0)
        why[0] = '\0';
    const char *b = text ? text : "";
    while (is_blank(*b) || *b == '\n' || *b == '\r')
        b++;
    size_t len = strlen(b);
    while (len > 0 && (is_blank(b[len - 1]) || b[len - 1] == '\n' || b[len - 1] == '\r'))
        len--;
    struct wd_schedule s;
    memset(&s, 0, sizeof(s));
    if (len == 0)
        return fail_msg(why, whylen,
                        "the schedule is empty: expected " FIELDS_EXPECTED
                        " or " KEYWORDS_EXPECTED);
    if (len >= sizeof(s.text))
        return fail_msg(why, whylen, "the schedule is too long: at most %zu characters",
                        sizeof(s.text) - 1);
    memcpy(s.text, b, len);
    s.text[len] = '\0';

    if (s.text[0] == '@') {
        size_t wl = strcspn(s.text, " \t");
        for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
            if (strlen(keywords[i].name) != wl || strncasecmp(s.text, keywords[i].name, wl) != 0)
                continue;
            if (wl < len) {
                const char *rest = s.text + wl + strspn(s.text + wl, " \t");
                char shown[64];
                return fail_msg(why, whylen, "unexpected text after %s: \"%s\"", keywords[i].name,
                                show_text(rest, strlen(rest), shown, sizeof(shown)));
            }
            if (!keywords[i].fields)
                s.kind = WD_SCHEDULE_WATCH;
            else if (!parse_fields(keywords[i].fields, &s, why, whylen))
                return false; /* not reached: the table is valid */
            *out = s;
            return true;
        }
        if (wl == 7 && strncasecmp(s.text, "@reboot", wl) == 0)
            return fail_msg(why, whylen,
                            "@reboot is not supported: jobs run by the clock or with @watch");
        char shown[64];
        return fail_msg(why, whylen,
                        "unknown keyword \"%s\": expected " KEYWORDS_EXPECTED
                        " (or @midnight, @annually)",
                        show_text(s.text, wl, shown, sizeof(shown)));
    }
    if (!parse_fields(s.text, &s, why, whylen))
        return false;
    *out = s;
    return true;
}
