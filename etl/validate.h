/*
 * validate.h - one file through the core: read, map, transform, validate, count.
 *
 * The validator streams a unit's file record by record. Each record's values go through
 * the transforms and checks of their fields, then the cross-field checks (parent codes) and
 * the key's uniqueness within the file. A row with any failure is rejected and every one of
 * its failures is reported to the sink; a row with none is handed to the sink as canonical
 * text, ready for loading. Nothing but the key index grows with the file.
 *
 * A file that cannot be read as a whole (a header that lacks a defined column, broken
 * quoting, a truncated gzip, a field over the size limit) stops with an error that names
 * the file, line and column; the counts say how far it got.
 */
#ifndef WD_VALIDATE_H
#define WD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codes.h"
#include "definition.h"
#include "error.h"
#include "reader.h"
#include "rules.h"
#include "stream.h"

struct wd_failure {
    uint64_t row, line;
    int field;       /* the dataset field, or -1 for the whole record */
    uint32_t column; /* 1-based column of the file, or 0 */
    enum wd_rule rule;
    const char *value; /* as read and trimmed; not valid UTF-8 when rule is encoding */
    size_t value_len;
    const char *message;
    bool rejects; /* false: reported, but the row is kept (a consistency note) */
};

struct wd_good_row {
    uint64_t row, line;
    size_t nfields;
    const char *const *values; /* canonical text per field, NULL when missing */
    const size_t *lens;
};

struct wd_sink {
    void *ctx;
    /* A row that passed every check; a negative return stops the file with that code. May
     * be NULL. */
    int (*row)(void *ctx, const struct wd_good_row *row);
    /* One failure of a rejected row. May be NULL. */
    void (*failure)(void *ctx, const struct wd_failure *f);
    /* Every record before it is checked, with the column of each field (colmap[field]).
     * May be NULL. */
    void (*record)(void *ctx, const struct wd_record *rec, const size_t *colmap);
    /* After each record; a negative return (WD_ESTOPPED to stop early) ends the file with
     * that code. May be NULL. */
    int (*end_of_row)(void *ctx, uint64_t row, bool rejected);
};

struct wd_counts {
    uint64_t rows, valid, rejected, blank_lines;
    uint64_t rules[WD_NRULES]; /* failures by rule */
    uint64_t required_cells, present_required;    /* completeness */
    uint64_t checked_values, valid_values;        /* validity */
    uint64_t repeated_keys;                       /* uniqueness */
    uint64_t consistency_checks, consistency_held; /* consistency */
    uint64_t dated_rows, timely_rows;              /* timeliness */
};

struct wd_validation {
    struct wd_counts counts;
    char **ignored_columns; /* header names no field uses */
    size_t nignored;
    size_t key_index_bytes; /* memory the key index held at the end */
};

struct wd_validate_options {
    bool timeliness;     /* score rows' reference periods against arrival_day */
    int64_t arrival_day; /* the day the file arrived, days since 1970-01-01 */
};

/*
 * Validates the stream in against def. Returns 0 when the whole file was read (rows may
 * still have been rejected), or a WD_E* for a file that cannot be read, with err naming
 * where. out is filled in both cases; free it with wd_validation_free.
 */
int wd_validate(const struct wd_definition *def, const struct wd_codes *codes,
                struct wd_stream *in, const struct wd_sink *sink, struct wd_validation *out,
                struct wd_error *err);
/* The same, with options (timeliness against an arrival day); opts may be NULL. */
int wd_validate_ex(const struct wd_definition *def, const struct wd_codes *codes,
                   struct wd_stream *in, const struct wd_sink *sink,
                   const struct wd_validate_options *opts, struct wd_validation *out,
                   struct wd_error *err);
void wd_validation_free(struct wd_validation *v);

#endif
