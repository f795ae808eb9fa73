/*
 * rules.c - checking one present value against its field: type, constraints, code list,
 * NIK and NPWP. Values are compared in their canonical form, so "4.500.000,00" and
 * "4500000.00" meet the same minimum.
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "datefmt.h"
#include "mem.h"
#include "identifiers.h"
#include "utf8.h"
#include "values.h"

const char *const wd_rule_names[WD_NRULES] = {"columns",   "encoding", "type",     "required",
                                              "pattern",   "minimum",  "maximum",  "minLength",
                                              "maxLength", "enum",     "codelist", "parent",
                                              "unique",    "nik",      "npwp",     "consistency"};

struct wd_check_scratch {
    pcre2_match_data *match;
};

struct wd_check_scratch *wd_check_scratch_new(void)
{
    struct wd_check_scratch *s = wd_malloc(sizeof(*s));
    s->match = pcre2_match_data_create(1, NULL);
    if (!s->match)
        abort();
    return s;
}

void wd_check_scratch_free(struct wd_check_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->match);
    free(s);
}

/* A value as quoted in a message: at most 60 bytes, cut at a character boundary. Worked out
 * only for a message: on every value it was a tenth of this file's instructions. */
static int shown(const char *v, size_t len)
{
    if (len <= 60)
        return (int)len;
    size_t n = 57;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static bool fail(struct wd_value_check *out, enum wd_rule rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct wd_value_check *out, enum wd_rule rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out->rule = rule;
    vsnprintf(out->message, sizeof(out->message), fmt, ap);
    va_end(ap);
    return false;
}

static bool check_type(const struct wd_definition *def, const struct wd_fielddef *f, const char *v,
                       size_t len, char *canon, struct wd_value_check *out, double *num)
{
    if (f->type == WD_TYPE_STRING) /* most fields: nothing to parse */
        return true;
    struct wd_numfmt nf = {def->decimal_char, def->group_char, f->bare_number};
    struct wd_datetime dt;
    int64_t i;
    switch (f->type) {
    case WD_TYPE_STRING:
        return true;
    case WD_TYPE_INTEGER:
        if (!wd_parse_integer(v, len, &nf, canon, WD_CANON_MAX, &i))
            return fail(out, WD_R_TYPE, "expected a whole number, found \"%.*s\"", shown(v, len),
                        v);
        *num = (double)i;
        break;
    case WD_TYPE_YEAR:
        if (len != 4 || !wd_parse_integer(v, len, &nf, canon, WD_CANON_MAX, &i) || i < 1000)
            return fail(out, WD_R_TYPE, "expected a year of four digits, found \"%.*s\"",
                        shown(v, len), v);
        *num = (double)i;
        break;
    case WD_TYPE_NUMBER:
        if (!wd_parse_number(v, len, &nf, canon, WD_CANON_MAX, num)) {
            if (def->group_char)
                return fail(out, WD_R_TYPE,
                            "expected a number with decimal \"%c\" and groups of three digits "
                            "split by \"%c\", found \"%.*s\"",
                            def->decimal_char, def->group_char, shown(v, len), v);
            return fail(out, WD_R_TYPE, "expected a number with decimal \"%c\", found \"%.*s\"",
                        def->decimal_char, shown(v, len), v);
        }
        break;
    case WD_TYPE_BOOLEAN:
        if (wd_strlist_index(&f->true_values, v, len) >= 0) {
            strcpy(canon, "true");
            goto done;
        }
        if (wd_strlist_index(&f->false_values, v, len) >= 0) {
            strcpy(canon, "false");
            goto done;
        }
        return fail(out, WD_R_TYPE, "expected %s or %s, found \"%.*s\"", f->true_values.items[0],
                    f->false_values.items[0], shown(v, len), v);
    case WD_TYPE_DATE:
    case WD_TYPE_DATETIME: {
        bool date = f->type == WD_TYPE_DATE;
        const char *fmt = f->format ? f->format : date ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S";
        bool shape_ok;
        if (!wd_datefmt_parse_ex(fmt, v, len, &dt, &shape_ok)) {
            char human[64];
            wd_datefmt_human(fmt, human, sizeof(human));
            if (shape_ok)
                return fail(out, WD_R_TYPE, "\"%.*s\" is not a real %s", shown(v, len), v,
                            date ? "date" : "date and time");
            return fail(out, WD_R_TYPE, "expected a %s as %s, found \"%.*s\"",
                        date ? "date" : "date and time", human, shown(v, len), v);
        }
        wd_datetime_iso(&dt, !date, canon);
        *num = (double)wd_days_from_civil(dt.year, dt.month, dt.day);
        break;
    }
    }
done:
    out->text = canon;
    out->len = strlen(canon);
    return true;
}

static bool check_constraints(const struct wd_fielddef *f, struct wd_check_scratch *scratch,
                              const char *v, size_t len, double num, struct wd_value_check *out)
{
    /* a character is one to four bytes (the value is valid UTF-8 here): when the byte count
     * alone keeps the value within both bounds, the characters need no counting */
    bool lengths_hold = (!f->has_max_length || len <= f->max_length) &&
                        (!f->has_min_length || (len + 3) / 4 >= f->min_length);
    if (!lengths_hold) {
        size_t chars = wd_utf8_length(v, len);
        if (f->has_min_length && chars < f->min_length)
            return fail(out, WD_R_MINLENGTH, "\"%.*s\" has %zu character%s, fewer than %zu",
                        shown(v, len), v, chars, chars == 1 ? "" : "s", f->min_length);
        if (f->has_max_length && chars > f->max_length)
            return fail(out, WD_R_MAXLENGTH, "\"%.*s\" has %zu characters, more than %zu",
                        shown(v, len), v, chars, f->max_length);
    }
    if (f->pattern) {
        /* values reaching here are valid UTF-8: the reader flagged every other. A simple
         * pattern is matched without PCRE (pattern.h); the JIT's own entry skips
         * pcre2_match's checks and dispatch. */
        int m = f->simple      ? (wd_simple_pattern_match(f->simple, v, len) ? 1 : -1)
                : f->regex_jit ? pcre2_jit_match(f->regex, (PCRE2_SPTR)v, len, 0,
                                                 PCRE2_NO_UTF_CHECK, scratch->match, NULL)
                               : pcre2_match(f->regex, (PCRE2_SPTR)v, len, 0, PCRE2_NO_UTF_CHECK,
                                             scratch->match, NULL);
        if (m < 0)
            return fail(out, WD_R_PATTERN, "\"%.*s\" does not match the pattern %s", shown(v, len),
                        v, f->pattern);
    }
    if (f->enum_values.n) {
        if (wd_strlist_index(&f->enum_values, out->text, out->len) < 0) {
            char list[160] = "";
            for (size_t k = 0; k < f->enum_values.n; k++) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof(list) - n, "%s%s", k ? ", " : "",
                         f->enum_values.items[k]);
            }
            return fail(out, WD_R_ENUM, "\"%.*s\" is not one of: %s", shown(v, len), v, list);
        }
    }
    if (f->has_minimum && num < f->minimum)
        return fail(out, WD_R_MINIMUM, "%.*s is below the minimum %s", shown(v, len), v,
                    f->minimum_text);
    if (f->has_maximum && num > f->maximum)
        return fail(out, WD_R_MAXIMUM, "%.*s is above the maximum %s", shown(v, len), v,
                    f->maximum_text);
    return true;
}

bool wd_check_value(const struct wd_definition *def, size_t fi, const struct wd_codes *codes,
                    struct wd_check_scratch *scratch, const char *v, size_t len, char *canon,
                    struct wd_value_check *out)
{
    const struct wd_fielddef *f = &def->fields[fi];
    double num = 0;
    out->text = v;
    out->len = len;
    out->code = NULL;
    if (!check_type(def, f, v, len, canon, out, &num))
        return false;
    if (!check_constraints(f, scratch, v, len, num, out))
        return false;
    out->number = num;
    if (f->codelist) {
        out->code = wd_codelist_lookup(f->codelist, out->text, out->len);
        if (!out->code)
            return fail(out, WD_R_CODELIST, "%.*s is not a code of %s (list %s, version %s, %s)",
                        shown(v, len), v, f->codelist->title, f->codelist->name,
                        f->codelist->version, f->codelist->authority);
    }
    char why[256];
    if ((f->rules & WD_RULE_NIK) && !wd_nik_check(v, len, codes, &out->nik, why, sizeof(why)))
        return fail(out, WD_R_NIK, "invalid NIK: %s", why);
    if ((f->rules & WD_RULE_NPWP) && !wd_npwp_check(v, len, codes, why, sizeof(why)))
        return fail(out, WD_R_NPWP, "invalid NPWP: %s", why);
    return true;
}
