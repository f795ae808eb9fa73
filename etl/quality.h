/*
 * quality.h - the quality of one file (later, one run) on Satu Data's five dimensions, and
 * the dataset's gate.
 *
 *   completeness  present values of the required fields (every field when none is required),
 *                 over the cells that should hold them; a record with the wrong number of
 *                 fields counts as missing all of them
 *   validity      present values that pass their type, constraints, code list and rules
 *                 (NIK, NPWP), over the present values checked
 *   uniqueness    rows whose primary key does not repeat an earlier row, over all rows
 *                 (100 without a primary key)
 *   consistency   cross-field checks that hold (a code inside its parent code), over the
 *                 checks that could be made (100 when none could)
 *   timeliness    rows whose reference period ended, with the dataset's allowance, no
 *                 earlier than the file arrived (timeliness.h); 100 when not measured
 *
 * The score is their mean. A file is accepted when it has data rows, its score is at least
 * quality.minScore, and its share of rejected rows is at most quality.maxRejectRatio.
 * Scores are rounded to one decimal.
 */
#ifndef WD_QUALITY_H
#define WD_QUALITY_H

#include <stdbool.h>

#include "definition.h"
#include "validate.h"

struct wd_quality {
    double completeness, validity, uniqueness, consistency, timeliness, score;
    double reject_ratio;
    bool accepted;
    char refusal[256]; /* why not accepted, for the unit; "" when accepted */
};

void wd_quality_score(const struct wd_definition *def, const struct wd_counts *c,
                      struct wd_quality *q);

#endif
