/*
 * pattern.c - the simple patterns of Table Schema constraints, matched without PCRE (see
 * pattern.h for which patterns, and why the matches are PCRE2's).
 */
#include "pattern.h"

#include <string.h>

#define UNLIMITED UINT32_MAX

static void add(uint64_t set[2], unsigned char c)
{
    set[c >> 6] |= 1ull << (c & 63);
}

static bool has(const uint64_t set[2], unsigned char c)
{
    return c < 128 && (set[c >> 6] >> (c & 63) & 1);
}

/* Punctuation that stands for itself after a backslash. */
static bool escapable(char c)
{
    return c && strchr(".-\\/[](){}*+?|^$ ,:_", c) != NULL;
}

/* A character PCRE2 takes literally outside a class: printable ASCII but its syntax. */
static bool plain(char c)
{
    return c >= ' ' && c <= '~' && !strchr(".\\[](){}*+?|^$#", c);
}

/* The escape after a backslash into set; false for one not simple (\w, \s, \x..., ...). */
static bool escape(char c, uint64_t set[2])
{
    if (c == 'd') {
        for (unsigned char d = '0'; d <= '9'; d++)
            add(set, d);
        return true;
    }
    if (!escapable(c))
        return false;
    add(set, (unsigned char)c);
    return true;
}

/* A class "[...]" from *pp (at the '['), without negation, POSIX names or ']' first. */
static bool class(const char **pp, uint64_t set[2])
{
    const char *p = *pp + 1;
    if (*p == '^' || *p == ']')
        return false;
    while (*p != ']') {
        unsigned char lo;
        if (!*p || *p == '[')
            return false;
        if (*p == '\\') {
            if (p[1] == 'd') {
                escape('d', set);
                p += 2;
                if (*p == '-' && p[1] && p[1] != ']')
                    return false; /* "[\d-z]": PCRE2 refuses the range */
                continue;
            }
            if (!escapable(p[1]))
                return false;
            lo = (unsigned char)p[1];
            p += 2;
        } else {
            if (*p < ' ' || *p > '~')
                return false;
            lo = (unsigned char)*p++;
        }
        if (*p == '-' && p[1] && p[1] != ']') {
            unsigned char hi = (unsigned char)p[1];
            if (hi == '\\' || hi == '[' || hi < ' ' || hi > '~' || hi < lo)
                return false;
            for (unsigned c = lo; c <= hi; c++)
                add(set, (unsigned char)c);
            p += 2;
        } else {
            add(set, lo);
        }
    }
    *pp = p + 1;
    return true;
}

static bool number(const char **pp, uint32_t *out)
{
    const char *p = *pp;
    uint32_t v = 0;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint32_t)(*p - '0');
        if (v > 65535) /* PCRE2's own limit */
            return false;
    }
    *out = v;
    *pp = p;
    return true;
}

/* The count after an atom, if any; false for one not simple ("{", lazy, possessive). */
static bool count(const char **pp, uint32_t *min, uint32_t *max)
{
    const char *p = *pp;
    *min = *max = 1;
    switch (*p) {
    case '?':
        *min = 0;
        p++;
        break;
    case '*':
        *min = 0;
        *max = UNLIMITED;
        p++;
        break;
    case '+':
        *max = UNLIMITED;
        p++;
        break;
    case '{':
        p++;
        if (!number(&p, min))
            return false;
        *max = *min;
        if (*p == ',') {
            p++;
            *max = UNLIMITED;
            if (*p != '}' && !number(&p, max))
                return false;
        }
        if (*p++ != '}' || *max < *min)
            return false;
        break;
    default:
        return true;
    }
    if (*p == '?' || *p == '+')
        return false;
    *pp = p;
    return true;
}

bool wd_simple_pattern_compile(const char *pattern, struct wd_simple_pattern *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = pattern;
    while (*p) {
        if (out->nsteps == WD_PATTERN_STEPS)
            return false;
        struct wd_pattern_step *s = &out->step[out->nsteps++];
        if (*p == '[') {
            if (!class(&p, s->set))
                return false;
        } else if (*p == '\\') {
            if (!escape(p[1], s->set))
                return false;
            p += 2;
        } else if (plain(*p)) {
            add(s->set, (unsigned char)*p++);
        } else {
            return false;
        }
        if (!count(&p, &s->min, &s->max))
            return false;
    }
    for (int k = 0; k < out->nsteps; k++)
        for (unsigned c = 0; c < 256; c++)
            out->step[k].take[c] = has(out->step[k].set, (unsigned char)c);
    /* taking greedily is exact when what a step of several lengths stops at can only be
     * the next step's, and that step takes at least one */
    for (int k = 0; k + 1 < out->nsteps; k++) {
        const struct wd_pattern_step *a = &out->step[k], *b = &out->step[k + 1];
        if (a->min != a->max &&
            (b->min == 0 || (a->set[0] & b->set[0]) || (a->set[1] & b->set[1])))
            return false;
    }
    return true;
}

bool wd_simple_pattern_match(const struct wd_simple_pattern *p, const char *v, size_t len)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t i = 0;
    for (int k = 0; k < p->nsteps; k++) {
        const struct wd_pattern_step *st = &p->step[k];
        uint32_t n = 0;
        while (n < st->max && i < len && st->take[s[i]]) {
            n++;
            i++;
        }
        if (n < st->min)
            return false;
    }
    return i == len;
}
