/*
 * timeliness.c - reference periods and their allowances.
 */
#include "timeliness.h"

#include <string.h>

#include "datefmt.h"

int wd_timeliness_allowance(const char *frekuensi)
{
    static const struct {
        const char *name;
        int days;
    } table[] = {{"harian", 7},      {"mingguan", 14},   {"bulanan", 45},
                 {"triwulanan", 60}, {"semesteran", 90}, {"tahunan", 180}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, frekuensi) == 0)
            return table[i].days;
    return -1;
}

static int64_t month_end(int year, int month)
{
    if (month == 12)
        return wd_days_from_civil(year, 12, 31);
    return wd_days_from_civil(year, month + 1, 1) - 1;
}

bool wd_period_end(const struct wd_definition *def, const double *numbers, const bool *valid,
                   int64_t *end)
{
    const struct wd_reference_period *rp = &def->reference_period;
    if (rp->date >= 0) {
        if (!valid[rp->date])
            return false;
        *end = (int64_t)numbers[rp->date];
        return true;
    }
    if (rp->year < 0 || !valid[rp->year])
        return false;
    int year = (int)numbers[rp->year];
    if (year < 1 || year > 9999)
        return false;
    int month = 12;
    if (rp->sub >= 0) {
        if (!valid[rp->sub])
            return false;
        int n = (int)numbers[rp->sub];
        if (n < 1 || n > rp->per_year)
            return false;
        month = n * (12 / rp->per_year);
    }
    *end = month_end(year, month);
    return true;
}

bool wd_parse_day(const char *s, int64_t *day)
{
    struct wd_datetime dt;
    if (!wd_datefmt_parse("%Y-%m-%d", s, strlen(s), &dt))
        return false;
    *day = wd_days_from_civil(dt.year, dt.month, dt.day);
    return true;
}
