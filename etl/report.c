/*
 * report.c - collecting failures and writing the JSON report.
 */
#include <stdlib.h>

#include "report.h"

#include <string.h>

#include "mem.h"
#include "utf8.h"

#define VALUE_MAX 200

void wd_report_init(struct wd_report *r, const struct wd_definition *def, const char *file,
                    size_t max_errors)
{
    memset(r, 0, sizeof(*r));
    r->def = def;
    r->file = wd_strdup(file);
    r->max_errors = max_errors;
    r->groups = wd_calloc((size_t)WD_NRULES * (def->nfields + 1), sizeof(*r->groups));
}

static void error_free(struct wd_report_error *e)
{
    free(e->value);
    free(e->message);
}

void wd_report_free(struct wd_report *r)
{
    for (size_t i = 0; i < r->nerrors; i++)
        error_free(&r->errors[i]);
    free(r->errors);
    for (size_t g = 0; g < (size_t)WD_NRULES * (r->def->nfields + 1); g++)
        for (size_t k = 0; k < r->groups[g].nexamples; k++)
            error_free(&r->groups[g].examples[k]);
    free(r->groups);
    free(r->file);
    wd_validation_free(&r->validation);
}

void wd_report_reset(struct wd_report *r)
{
    const struct wd_definition *def = r->def;
    char *file = r->file;
    size_t max_errors = r->max_errors;
    r->file = NULL;
    wd_report_free(r);
    wd_report_init(r, def, file, max_errors);
    free(file);
}

char *wd_report_printable(const char *s, size_t len, size_t max)
{
    struct wd_buf b;
    wd_buf_init(&b, 0);
    wd_buf_append(&b, "", 0);
    size_t i = 0;
    while (i < len && b.len < max) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (c != 0 && i + n <= len && wd_utf8_valid(s + i, n)) {
            wd_buf_append(&b, s + i, n);
            i += n;
        } else {
            wd_buf_printf(&b, "\\x%02X", c);
            i++;
        }
    }
    if (i < len)
        wd_buf_append(&b, "...", 3);
    return b.data;
}

static void fill(struct wd_report_error *e, const struct wd_failure *f)
{
    e->row = f->row;
    e->line = f->line;
    e->field = f->field;
    e->column = f->column;
    e->rule = f->rule;
    e->value = wd_report_printable(f->value, f->value_len, VALUE_MAX);
    e->message = wd_strdup(f->message);
    e->rejects = f->rejects;
}

void wd_report_failure(void *ctx, const struct wd_failure *f)
{
    struct wd_report *r = ctx;
    if (r->nerrors < r->max_errors) {
        if ((r->nerrors & (r->nerrors - 1)) == 0) /* grow at powers of two */
            r->errors = wd_realloc(r->errors, (r->nerrors ? r->nerrors * 2 : 1) * sizeof(*r->errors));
        fill(&r->errors[r->nerrors++], f);
    }
    struct wd_report_group *g = &r->groups[(size_t)f->rule * (r->def->nfields + 1) + (size_t)(f->field + 1)];
    g->count++;
    if (g->nexamples < WD_REPORT_EXAMPLES)
        fill(&g->examples[g->nexamples++], f);
}

void wd_report_finish(struct wd_report *r, int rc, struct wd_validation *v,
                      const struct wd_error *err)
{
    r->validation = *v;
    memset(v, 0, sizeof(*v));
    wd_quality_score(r->def, &r->validation.counts, &r->quality);
    r->failed = rc < 0;
    if (r->failed) {
        r->fatal = *err;
        r->quality.accepted = false;
        snprintf(r->quality.refusal, sizeof(r->quality.refusal), "the file could not be read: %.200s",
                 err->msg);
    }
}


json_t *wd_report_json(const struct wd_report *r)
{
    const struct wd_counts *c = &r->validation.counts;
    const struct wd_quality *q = &r->quality;
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(r->file));
    json_object_set_new(o, "dataset", json_string(r->def->name));
    json_object_set_new(o, "rows", json_integer((json_int_t)c->rows));
    json_object_set_new(o, "valid", json_integer((json_int_t)c->valid));
    json_object_set_new(o, "rejected", json_integer((json_int_t)c->rejected));
    json_object_set_new(o, "accepted", json_boolean(q->accepted));
    json_t *qo = json_object();
    json_object_set_new(qo, "completeness", json_real(q->completeness));
    json_object_set_new(qo, "validity", json_real(q->validity));
    json_object_set_new(qo, "uniqueness", json_real(q->uniqueness));
    json_object_set_new(qo, "consistency", json_real(q->consistency));
    json_object_set_new(qo, "timeliness", json_real(q->timeliness));
    json_object_set_new(qo, "score", json_real(q->score));
    json_object_set_new(o, "quality", qo);
    /* rules with failures, most frequent first */
    json_t *ro = json_object();
    bool done[WD_NRULES] = {false};
    for (;;) {
        int best = -1;
        for (int k = 0; k < WD_NRULES; k++)
            if (!done[k] && c->rules[k] && (best < 0 || c->rules[k] > c->rules[best]))
                best = k;
        if (best < 0)
            break;
        done[best] = true;
        json_object_set_new(ro, wd_rule_names[best], json_integer((json_int_t)c->rules[best]));
    }
    json_object_set_new(o, "rules", ro);
    json_t *errs = json_array();
    for (size_t i = 0; i < r->nerrors; i++) {
        const struct wd_report_error *e = &r->errors[i];
        json_t *eo = json_object();
        json_object_set_new(eo, "row", json_integer((json_int_t)e->row));
        json_object_set_new(eo, "line", json_integer((json_int_t)e->line));
        json_object_set_new(eo, "field", e->field >= 0 ? json_string(r->def->fields[e->field].name)
                                                       : json_null());
        json_object_set_new(eo, "rule", json_string(wd_rule_names[e->rule]));
        json_object_set_new(eo, "value", json_string(e->value));
        json_object_set_new(eo, "message", json_string(e->message));
        if (!e->rejects)
            json_object_set_new(eo, "rejects", json_false());
        json_array_append_new(errs, eo);
    }
    json_object_set_new(o, "errors", errs);
    json_object_set_new(o, "blank_lines", json_integer((json_int_t)c->blank_lines));
    json_t *ign = json_array();
    for (size_t i = 0; i < r->validation.nignored; i++)
        json_array_append_new(ign, json_string(r->validation.ignored_columns[i]));
    json_object_set_new(o, "ignored_columns", ign);
    json_object_set_new(o, "refusal", q->accepted ? json_null() : json_string(q->refusal));
    if (r->failed) {
        const struct wd_error *f = &r->fatal;
        json_t *fo = json_object();
        json_object_set_new(fo, "message", json_string(f->msg));
        json_object_set_new(fo, "line", f->line ? json_integer((json_int_t)f->line) : json_null());
        json_object_set_new(fo, "column",
                            f->column ? json_integer((json_int_t)f->column) : json_null());
        if (f->detail[0])
            json_object_set_new(fo, "detail", json_string(f->detail));
        if (f->hint[0])
            json_object_set_new(fo, "hint", json_string(f->hint));
        json_object_set_new(o, "error", fo);
    }
    return o;
}
