/*
 * quality.c - scoring the five dimensions and applying the gate.
 */
#include "quality.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

static double percent(uint64_t part, uint64_t whole)
{
    if (whole == 0)
        return 100.0;
    return round(1000.0 * (double)part / (double)whole) / 10.0;
}

void wd_quality_score(const struct wd_definition *def, const struct wd_counts *c,
                      struct wd_quality *q)
{
    q->completeness = percent(c->present_required, c->required_cells);
    q->validity = percent(c->valid_values, c->checked_values);
    q->uniqueness = def->npk ? percent(c->rows - c->repeated_keys, c->rows) : 100.0;
    q->consistency = percent(c->consistency_held, c->consistency_checks);
    q->timeliness = percent(c->timely_rows, c->dated_rows);
    q->score = round(10.0 * (q->completeness + q->validity + q->uniqueness + q->consistency +
                             q->timeliness) / 5.0) / 10.0;
    q->reject_ratio = c->rows ? (double)c->rejected / (double)c->rows : 0.0;
    q->refusal[0] = '\0';
    if (c->rows == 0)
        snprintf(q->refusal, sizeof(q->refusal), "the file has no data rows");
    else if (q->reject_ratio > def->max_reject_ratio)
        snprintf(q->refusal, sizeof(q->refusal),
                 "%" PRIu64 " of %" PRIu64 " rows (%.1f%%) were rejected; the dataset allows "
                 "at most %.1f%%",
                 c->rejected, c->rows, 100.0 * q->reject_ratio, 100.0 * def->max_reject_ratio);
    else if (q->score < def->min_score)
        snprintf(q->refusal, sizeof(q->refusal),
                 "the quality score %.1f is below the dataset's minimum of %.1f", q->score,
                 def->min_score);
    q->accepted = q->refusal[0] == '\0';
}
