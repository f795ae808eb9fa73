/*
 * report_text.c - the report for a unit's clerk: counts, the score, the verdict, and the
 * failures grouped by rule and field with example rows, most frequent first.
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"

#define TOP_GROUPS 12

static void print_group(FILE *out, const struct wd_report *r, size_t g)
{
    const struct wd_report_group *grp = &r->groups[g];
    size_t nf = r->def->nfields + 1;
    enum wd_rule rule = (enum wd_rule)(g / nf);
    int field = (int)(g % nf) - 1;
    fprintf(out, "  %8" PRIu64 "  %-10s %s", grp->count, wd_rule_names[rule],
            field >= 0 ? r->def->fields[field].name : "(whole row)");
    if (field >= 0 && strcmp(r->def->fields[field].source, r->def->fields[field].name) != 0)
        fprintf(out, " (column %s)", r->def->fields[field].source);
    fputc('\n', out);
    for (size_t k = 0; k < grp->nexamples; k++) {
        const struct wd_report_error *e = &grp->examples[k];
        fprintf(out, "            row %" PRIu64 " (line %" PRIu64 "): %s%s\n", e->row, e->line,
                e->message, e->rejects ? "" : " [noted; the row is kept]");
    }
}

void wd_report_text(FILE *out, const struct wd_report *r)
{
    const struct wd_counts *c = &r->validation.counts;
    const struct wd_quality *q = &r->quality;
    fprintf(out, "%s: %s (%s %s)\n", r->file, r->def->title, r->def->name, r->def->version);
    fprintf(out, "  rows:     %" PRIu64 " read, %" PRIu64 " valid, %" PRIu64 " rejected", c->rows,
            c->valid, c->rejected);
    if (c->rows)
        fprintf(out, " (%.1f%%)", 100.0 * q->reject_ratio);
    if (c->blank_lines)
        fprintf(out, "; %" PRIu64 " blank line%s skipped", c->blank_lines,
                c->blank_lines == 1 ? "" : "s");
    fputc('\n', out);
    fprintf(out, "  quality:  %.1f (completeness %.1f, validity %.1f, uniqueness %.1f, "
                 "consistency %.1f, timeliness %.1f)\n",
            q->score, q->completeness, q->validity, q->uniqueness, q->consistency, q->timeliness);
    if (q->accepted)
        fprintf(out, "  result:   accepted\n");
    else
        fprintf(out, "  result:   REFUSED: %s\n", q->refusal);
    if (r->failed) {
        const struct wd_error *f = &r->fatal;
        fprintf(out, "  error:    ");
        if (f->line)
            fprintf(out, "line %" PRIu64 ", ", f->line);
        if (f->column)
            fprintf(out, "column %" PRIu32 ", ", f->column);
        fprintf(out, "%s\n", f->msg);
        if (f->detail[0])
            fprintf(out, "            %s\n", f->detail);
        if (f->hint[0])
            fprintf(out, "            hint: %s\n", f->hint);
    }
    if (r->validation.nignored) {
        fprintf(out, "  ignored columns: ");
        for (size_t i = 0; i < r->validation.nignored; i++)
            fprintf(out, "%s%s", i ? ", " : "", r->validation.ignored_columns[i]);
        fputc('\n', out);
    }
    size_t ngroups = (size_t)WD_NRULES * (r->def->nfields + 1);
    bool any = false;
    for (size_t g = 0; g < ngroups && !any; g++)
        any = r->groups[g].count > 0;
    if (!any)
        return;
    fprintf(out, "  failures by rule and field:\n");
    /* print the largest groups first, without sorting the table in place */
    uint64_t last = UINT64_MAX;
    size_t shown = 0, last_g = SIZE_MAX;
    while (shown < TOP_GROUPS) {
        size_t best = SIZE_MAX;
        for (size_t g = 0; g < ngroups; g++) {
            uint64_t n = r->groups[g].count;
            if (!n || n > last || (n == last && g <= last_g))
                continue;
            if (best == SIZE_MAX || n > r->groups[best].count)
                best = g;
        }
        if (best == SIZE_MAX)
            break;
        print_group(out, r, best);
        last = r->groups[best].count;
        last_g = best;
        shown++;
    }
    size_t more = 0;
    for (size_t g = 0; g < ngroups; g++)
        more += r->groups[g].count > 0;
    if (more > shown)
        fprintf(out, "  ... and %zu more groups; use --format json for every failure\n",
                more - shown);
}
