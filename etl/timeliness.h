/*
 * timeliness.h - how timely a file's rows are: their reference period against the day the
 * file arrived and the dataset's frekuensi.
 *
 * A definition names where a row's reference period is ("referencePeriod": {"date": F} or
 * {"year": F} with optionally "month", "quarter" or "semester"). A row is timely when the
 * file arrived no later than the end of its period plus the allowance of the dataset's
 * frequency:
 *
 *   harian 7 days, mingguan 14, bulanan 45, triwulanan 60, semesteran 90, tahunan 180
 *
 * (tidak_tetap has no schedule, so no row is late). Timeliness is the share of rows with a
 * readable period that are timely; 100 when there are none, or when the check is not a run
 * (`validate` without --arrived).
 */
#ifndef WD_TIMELINESS_H
#define WD_TIMELINESS_H

#include <stdbool.h>
#include <stdint.h>

#include "definition.h"

/* Days allowed after the end of a period for a frequency; -1 for none (tidak_tetap). */
int wd_timeliness_allowance(const char *frekuensi);

/*
 * The last day (days since 1970-01-01) of a row's reference period, from the numeric values
 * of its fields (dates as days, as the validator keeps them); false when the definition has
 * no reference period or the row's period fields are not all valid.
 */
bool wd_period_end(const struct wd_definition *def, const double *numbers, const bool *valid,
                   int64_t *end);

/* Parses YYYY-MM-DD into days since 1970-01-01. */
bool wd_parse_day(const char *s, int64_t *day);

#endif
