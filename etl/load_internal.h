/*
 * load_internal.h - the state of one run, shared by load.c (reading and streaming) and
 * publish.c (the statements that publish and record it). Not for other modules.
 */
#ifndef WD_LOAD_INTERNAL_H
#define WD_LOAD_INTERNAL_H

#include <stdio.h>

#include "binary.h"
#include "copy.h"
#include "load.h"

struct wd__load {
    struct wd_db *db;
    const struct wd_definition *def;
    const struct wd_codes *codes;
    const char *path;
    const struct wd_load_options *opt;
    struct wd_report *rep;
    struct wd_load_result *out;

    char run_id[24];
    char sha_hex[65];
    char size[24];
    char *table;   /* "walidata"."name", quoted */
    char *columns; /* the stored fields, quoted and joined by ", " */

    struct wd_copy copy; /* the rows, in PostgreSQL's binary format */
    bool direct;         /* COPY into the dataset's table itself, not into wd_stage */
    bool known_keys;     /* an upsert met keys the table holds: staged, then ON CONFLICT */
    enum wd_binary_type *types; /* each field's binary type */
    size_t nstored;             /* fields that reach the table (not "drop") */
    struct wd_pseudonymizer *pseudonymizer; /* when a field pseudonymizes */
    bool *pseudonym_hex; /* per field: its column is text (made before 0.3.0), not bytea */
    struct wd_buf run_id_value; /* the run id as every row's last binary COPY value */
    struct wd_error copy_err; /* why the COPY failed, when it did */
    bool copy_failed;

    FILE *rejects; /* etl.reject rows in COPY text format, sent after the data */
    uint64_t nrejects;
    struct wd_buf line;

    struct wd_stream *given; /* a stream given by the caller, hashed as it is read */
    struct wd_content_hash *content; /* a file's hash, on its way (content_hash.h) */
    bool sha_known;       /* sha_hex is set */
    bool content_checked; /* the content lock is held and duplicates were looked for */
    bool duplicate;       /* the content was published before (and the run not forced) */
    bool copy_ended;      /* the COPY was ended midway, for the content check */
    char *copy_sql;       /* the COPY statement, to start it again after that check */
    double started, last_progress;
    const char *fault; /* WALIDATA_FAULT: tests stop a run midway, or slow it down */
};

/* Stops the process (SIGSTOP) when WALIDATA_FAULT names this point: the tests kill -9 it
 * there and check that nothing was published. */
void wd__fault(const struct wd__load *l, const char *point);

#endif
