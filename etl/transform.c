/*
 * transform.c - trimming, missing values, recode, case and pad.
 */
#include "transform.h"

#include <string.h>
#include <strings.h>

static bool is_nbsp(const unsigned char *p, const unsigned char *end)
{
    return p + 1 < end && p[0] == 0xC2 && p[1] == 0xA0;
}

void wd_trim(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s, *e = p + *len;
    /* most values: neither end is a space, a control character or half a no-break space */
    if (p == e || (p[0] > ' ' && p[0] != 0xC2 && e[-1] > ' ' && e[-1] != 0xA0))
        return;
    for (;;) {
        if (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        else if (is_nbsp(p, e))
            p += 2;
        else
            break;
    }
    for (;;) {
        if (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            e--;
        else if (e - p >= 2 && e[-2] == 0xC2 && e[-1] == 0xA0)
            e -= 2;
        else
            break;
    }
    *s = (const char *)p;
    *len = (size_t)(e - p);
}

bool wd_is_missing(const struct wd_fielddef *f, const char *s, size_t len)
{
    return wd_strlist_index(&f->missing_values, s, len) >= 0;
}

bool wd_transform(const struct wd_fielddef *f, const char *s, size_t len, char *buf, size_t cap,
                  const char **out, size_t *out_len)
{
    /* an exact match first, then one that differs only in ASCII case ("mei" for "Mei") */
    const struct wd_recode *hit = NULL;
    for (size_t i = 0; i < f->nrecode && !hit; i++)
        if (f->recode[i].from_len == len && memcmp(f->recode[i].from, s, len) == 0)
            hit = &f->recode[i];
    for (size_t i = 0; i < f->nrecode && !hit; i++)
        if (f->recode[i].from_len == len && strncasecmp(f->recode[i].from, s, len) == 0)
            hit = &f->recode[i];
    if (hit) {
        s = hit->to;
        len = hit->to_len;
    }
    size_t pad = 0;
    if (f->pad && len > 0 && len < f->pad) {
        bool digits = true;
        for (size_t i = 0; i < len && digits; i++)
            digits = s[i] >= '0' && s[i] <= '9';
        pad = digits ? f->pad - len : 0;
    }
    if (f->letter_case == WD_CASE_KEEP && pad == 0) {
        *out = s;
        *out_len = len;
        return true;
    }
    if (pad + len + 1 > cap)
        return false;
    memset(buf, '0', pad);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (f->letter_case == WD_CASE_UPPER && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (f->letter_case == WD_CASE_LOWER && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf[pad + i] = c;
    }
    buf[pad + len] = '\0';
    *out = buf;
    *out_len = pad + len;
    return true;
}
