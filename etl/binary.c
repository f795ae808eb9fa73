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

static void be16(struct wd_buf *b, uint16_t v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    wd_buf_append(b, x, 2);
}

static void be32(struct wd_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    wd_buf_append(b, x, 4);
}

static void be64(struct wd_buf *b, uint64_t v)
{
    be32(b, (uint32_t)(v >> 32));
    be32(b, (uint32_t)v);
}

void wd_binary_header(struct wd_buf *b)
{
    wd_buf_append(b, "PGCOPY\n\377\r\n\0", 11);
    be32(b, 0); /* flags */
    be32(b, 0); /* header extension */
}

void wd_binary_row(struct wd_buf *b, int nfields)
{
    be16(b, (uint16_t)nfields);
}

void wd_binary_trailer(struct wd_buf *b)
{
    be16(b, 0xFFFF);
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
static bool numeric(struct wd_buf *b, const char *v, size_t len)
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
            return false;
        dig[nd++] = v[i];
    }
    if (point < 0)
        point = nd;
    int dscale = nd - point;
    if (i < len) {
        long e = strtol(v + i + 1, NULL, 10);
        if (e < -100 || e > 100)
            return false;
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
        return false;
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
    be32(b, (uint32_t)(8 + 2 * ndigits));
    be16(b, (uint16_t)ndigits);
    be16(b, (uint16_t)(int16_t)weight);
    be16(b, neg ? 0x4000 : 0x0000);
    be16(b, (uint16_t)dscale);
    for (int g = start; g < end; g++)
        be16(b, (uint16_t)d[g]);
    return true;
}

bool wd_binary_value(struct wd_buf *b, enum wd_binary_type t, const char *v, size_t len)
{
    if (!v) {
        be32(b, 0xFFFFFFFFu);
        return true;
    }
    int y, m, d, hh, mi, ss;
    switch (t) {
    case WD_BIN_TEXT:
        be32(b, (uint32_t)len);
        wd_buf_append(b, v, len);
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
        if (t == WD_BIN_INT8) {
            be32(b, 8);
            be64(b, (uint64_t)x);
        } else {
            be32(b, 4);
            be32(b, (uint32_t)(int32_t)x);
        }
        return true;
    }
    case WD_BIN_BOOL:
        be32(b, 1);
        wd_buf_putc(b, len == 4 && memcmp(v, "true", 4) == 0 ? 1 : 0);
        return true;
    case WD_BIN_DATE:
        if (len != 10 || !digits_at(v, 4, &y) || !digits_at(v + 5, 2, &m) ||
            !digits_at(v + 8, 2, &d))
            return false;
        be32(b, 4);
        be32(b, (uint32_t)(int32_t)(wd_days_from_civil(y, m, d) - PG_EPOCH_DAYS));
        return true;
    case WD_BIN_TIMESTAMP:
        if (len != 19 || !digits_at(v, 4, &y) || !digits_at(v + 5, 2, &m) ||
            !digits_at(v + 8, 2, &d) || !digits_at(v + 11, 2, &hh) ||
            !digits_at(v + 14, 2, &mi) || !digits_at(v + 17, 2, &ss))
            return false;
        be32(b, 8);
        be64(b, (uint64_t)(((wd_days_from_civil(y, m, d) - PG_EPOCH_DAYS) * 86400 +
                            hh * 3600 + mi * 60 + ss) *
                           1000000));
        return true;
    case WD_BIN_NUMERIC:
        return numeric(b, v, len);
    }
    return false;
}
