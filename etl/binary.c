/*
 * binary.c - canonical text to PostgreSQL's binary COPY representation.
 */
#include "binary.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datefmt.h"

#define PG_EPOCH_DAYS 10957 /* 2000-01-01 in days since 1970-01-01 */

enum wd_binary_type wd_binary_type(const struct wd_fielddef *f)
{
    if (f->privacy == WD_PRIVACY_PSEUDONYMIZE)
        return WD_BIN_TEXT;
    switch (f->type) {
    case WD_TYPE_INTEGER:
        return WD_BIN_INT8;
    case WD_TYPE_YEAR:
        return WD_BIN_INT4;
    case WD_TYPE_NUMBER:
        return WD_BIN_NUMERIC;
    case WD_TYPE_BOOLEAN:
        return WD_BIN_BOOL;
    case WD_TYPE_DATE:
        return WD_BIN_DATE;
    case WD_TYPE_DATETIME:
        return WD_BIN_TIMESTAMP;
    case WD_TYPE_STRING:
    default:
        return WD_BIN_TEXT;
    }
}

/*
 * Values are written straight into the buffer after one reservation each: through
 * wd_buf_append, the fifteen values of a placement row were some forty calls, 3-4 % of a
 * load's samples.
 */
static unsigned char *put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    return put32(put32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

/* Where the next bytes go, with room for extra of them (and the NUL); NULL past the
 * buffer's maximum. */
static unsigned char *room(struct wd_buf *b, size_t extra)
{
    return wd_buf_reserve(b, extra) ? (unsigned char *)b->data + b->len : NULL;
}

static void written(struct wd_buf *b, const unsigned char *end)
{
    b->len = (size_t)((const char *)end - b->data);
    b->data[b->len] = '\0';
}

void wd_binary_header(struct wd_buf *b)
{
    wd_buf_append(b, "PGCOPY\n\377\r\n\0", 11);
    unsigned char *p = room(b, 8);
    if (p)
        written(b, put32(put32(p, 0), 0)); /* flags, header extension */
}

void wd_binary_row(struct wd_buf *b, int nfields)
{
    unsigned char *p = room(b, 2);
    if (p)
        written(b, put16(p, (uint16_t)nfields));
}

void wd_binary_trailer(struct wd_buf *b)
{
    unsigned char *p = room(b, 2);
    if (p)
        written(b, put16(p, 0xFFFF));
}

static bool digits_at(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "[-]digits[.digits][e[+-]digits]" to PostgreSQL's numeric: base-10000 digits, weight,
 * sign and display scale. */
static unsigned char *numeric(unsigned char *p, const char *v, size_t len)
{
    bool neg = len && v[0] == '-';
    size_t i = neg ? 1 : 0;
    char dig[160];
    int nd = 0, point = -1; /* point: digits before the decimal point */
    for (; i < len && v[i] != 'e' && v[i] != 'E'; i++) {
        if (v[i] == '.') {
            point = nd;
            continue;
        }
        if (v[i] < '0' || v[i] > '9' || nd >= (int)sizeof(dig))
            return NULL;
        dig[nd++] = v[i];
    }
    if (point < 0)
        point = nd;
    int dscale = nd - point;
    if (i < len) {
        long e = strtol(v + i + 1, NULL, 10);
        if (e < -100 || e > 100)
            return NULL;
        point += (int)e;
        dscale -= (int)e;
    }
    if (dscale < 0)
        dscale = 0;
    /* the digits laid on a grid of groups of four, aligned at the decimal point */
    int first = point - nd; /* not used directly; see loop */
    (void)first;
    int lead = ((point % 4) + 4) % 4;             /* digits of the first, partial group */
    int pad_left = lead ? 4 - lead : 0;           /* zeros before the first digit */
    int total = pad_left + nd;
    int groups = (total + 3) / 4;
    int16_t d[48];
    if (groups > 48)
        return NULL;
    for (int g = 0; g < groups; g++) {
        int val = 0;
        for (int k = 0; k < 4; k++) {
            int pos = g * 4 + k - pad_left;
            val = val * 10 + (pos >= 0 && pos < nd ? dig[pos] - '0' : 0);
        }
        d[g] = (int16_t)val;
    }
    /* weight of the first group: groups before the point, minus one */
    int weight = (pad_left + point) / 4 - 1;
    if (pad_left + point < 0)
        weight = -((-(pad_left + point) + 3) / 4) - 1;
    int start = 0, end = groups;
    while (start < end && d[start] == 0) {
        start++;
        weight--;
    }
    while (end > start && d[end - 1] == 0)
        end--;
    int ndigits = end - start;
    if (ndigits == 0) {
        weight = 0;
        neg = false;
    }
    p = put32(p, (uint32_t)(8 + 2 * ndigits));
    p = put16(p, (uint16_t)ndigits);
    p = put16(p, (uint16_t)(int16_t)weight);
    p = put16(p, neg ? 0x4000 : 0x0000);
    p = put16(p, (uint16_t)dscale);
    for (int g = start; g < end; g++)
        p = put16(p, (uint16_t)d[g]);
    return p;
}

/* The most a value other than text takes: a numeric of 48 base-10000 digits. */
#define MAX_FIXED (4 + 8 + 2 * 48)

bool wd_binary_value(struct wd_buf *b, enum wd_binary_type t, const char *v, size_t len)
{
    unsigned char *p = room(b, (v && t == WD_BIN_TEXT ? len : 0) + MAX_FIXED);
    if (!p)
        return false;
    if (!v) {
        written(b, put32(p, 0xFFFFFFFFu));
        return true;
    }
    int y, m, d, hh, mi, ss;
    switch (t) {
    case WD_BIN_TEXT:
        p = put32(p, (uint32_t)len);
        if (len)
            memcpy(p, v, len);
        written(b, p + len);
        return true;
    case WD_BIN_INT8:
    case WD_BIN_INT4: {
        char tmp[32];
        if (len == 0 || len >= sizeof(tmp))
            return false;
        memcpy(tmp, v, len);
        tmp[len] = '\0';
        char *end;
        long long x = strtoll(tmp, &end, 10);
        if (*end)
            return false;
        if (t == WD_BIN_INT8)
            p = put64(put32(p, 8), (uint64_t)x);
        else
            p = put32(put32(p, 4), (uint32_t)(int32_t)x);
        written(b, p);
        return true;
    }
    case WD_BIN_BOOL:
        p = put32(p, 1);
        *p++ = len == 4 && memcmp(v, "true", 4) == 0 ? 1 : 0;
        written(b, p);
        return true;
    case WD_BIN_DATE:
        if (len != 10 || !digits_at(v, 4, &y) || !digits_at(v + 5, 2, &m) ||
            !digits_at(v + 8, 2, &d))
            return false;
        p = put32(p, 4);
        written(b, put32(p, (uint32_t)(int32_t)(wd_days_from_civil(y, m, d) - PG_EPOCH_DAYS)));
        return true;
    case WD_BIN_TIMESTAMP:
        if (len != 19 || !digits_at(v, 4, &y) || !digits_at(v + 5, 2, &m) ||
            !digits_at(v + 8, 2, &d) || !digits_at(v + 11, 2, &hh) ||
            !digits_at(v + 14, 2, &mi) || !digits_at(v + 17, 2, &ss))
            return false;
        p = put32(p, 8);
        written(b, put64(p, (uint64_t)(((wd_days_from_civil(y, m, d) - PG_EPOCH_DAYS) * 86400 +
                                        hh * 3600 + mi * 60 + ss) *
                                       1000000)));
        return true;
    case WD_BIN_NUMERIC:
        if (!(p = numeric(p, v, len)))
            return false;
        written(b, p);
        return true;
    }
    return false;
}
