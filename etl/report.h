/*
 * report.h - what a unit's clerk and a script are told about one file.
 *
 * A struct wd_report is the validator's failure sink: it keeps every failure up to
 * max_errors for the JSON report, and for the text report the count of each (rule, field)
 * pair with its first few example rows. Counts are always complete; only the lists are cut.
 * Memory is bounded by max_errors and by rules x fields.
 */
#ifndef WD_REPORT_H
#define WD_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "definition.h"
#include "quality.h"
#include "validate.h"

#define WD_REPORT_EXAMPLES 3
#define WD_MAX_ERRORS_DEFAULT 1000

struct wd_report_error {
    uint64_t row, line;
    int field;
    uint32_t column;
    enum wd_rule rule;
    char *value;   /* valid UTF-8: bytes that are not are written \xNN */
    char *message;
    bool rejects;
};

struct wd_report_group {
    uint64_t count;
    struct wd_report_error examples[WD_REPORT_EXAMPLES];
    size_t nexamples;
};

struct wd_report {
    const struct wd_definition *def;
    char *file;
    size_t max_errors;
    struct wd_report_error *errors;
    size_t nerrors;
    struct wd_report_group *groups; /* [rule][field + 1]; field -1 is the whole record */

    /* filled by the caller after validation */
    struct wd_validation validation;
    struct wd_quality quality;
    bool failed;          /* the file could not be read to the end */
    struct wd_error fatal; /* why, when failed */
};

void wd_report_init(struct wd_report *r, const struct wd_definition *def, const char *file,
                    size_t max_errors);
void wd_report_free(struct wd_report *r);
/* Empties the report for a second reading of the same file. */
void wd_report_reset(struct wd_report *r);

/* The sink callback: ctx is the struct wd_report. */
void wd_report_failure(void *ctx, const struct wd_failure *f);

/* Sets quality and failed/fatal from a finished validation (takes over v's contents). */
void wd_report_finish(struct wd_report *r, int rc, struct wd_validation *v,
                      const struct wd_error *err);

/* The report as DESIGN's JSON object (a new reference). */
json_t *wd_report_json(const struct wd_report *r);

/* The report for a person. */
void wd_report_text(FILE *out, const struct wd_report *r);

/* Copies len bytes into a new UTF-8 string, writing invalid bytes as \xNN and cutting after
 * max bytes with "...". Caller frees. */
char *wd_report_printable(const char *s, size_t len, size_t max);

#endif
