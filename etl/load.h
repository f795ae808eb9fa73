/*
 * load.h - one run: a source file checked and published into the warehouse, all or nothing.
 *
 *   hash the content (SHA-256) -> BEGIN -> record the run -> lock the content, and stop here
 *   as a duplicate if it was published before (unless forced) -> SAVEPOINT -> stream the
 *   file through the validator, good rows into COPY, failures into a spill file -> score ->
 *   refused: ROLLBACK TO SAVEPOINT; accepted: publish (append | upsert | replace) -> the
 *   rejects, quality, lineage and source item -> the run's place in the hash chain -> COMMIT
 *
 * A process killed, a connection lost or a statement failed before COMMIT leaves the
 * warehouse as it was: PostgreSQL rolls the transaction back. A refusal is committed too,
 * without data, so the unit can be told why.
 */
#ifndef WD_LOAD_H
#define WD_LOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "codes.h"
#include "db.h"
#include "definition.h"
#include "pseudonym.h"
#include "report.h"
#include "stream.h"

enum wd_run_state {
    WD_RUN_PUBLISHED, /* rows are in the dataset */
    WD_RUN_REFUSED,   /* the file or its quality was refused; nothing published */
    WD_RUN_DUPLICATE  /* the same content was published before; nothing done */
};

const char *wd_run_state_name(enum wd_run_state s);

struct wd_load_result;
struct wd_record;

struct wd_load_options {
    bool force;                   /* load content that was published before */
    bool progress;                /* rows and rows/s on stderr */
    struct wd_pseudonym *pseudonym; /* needed when a field pseudonymizes */
    const char *source_uri;       /* for lineage; the path when NULL */
    int64_t arrival_day;          /* the day the file arrived (days since 1970-01-01), for
                                     timeliness */
    const char *job;              /* the daemon's job that started the run, or NULL */
    /* Sees every record with the column of each field, before it is checked (the
     * PostgreSQL source follows its watermark this way). May be NULL. */
    void (*observe)(void *ctx, const struct wd_record *rec, const size_t *colmap);
    /* Runs inside the run's transaction just before COMMIT (the PostgreSQL source saves
     * its watermark here, so that it moves exactly with the data). May be NULL. */
    int (*before_commit)(void *ctx, struct wd_db *db, const struct wd_load_result *result,
                         struct wd_error *err);
    void *hook_ctx;
    /* When it becomes true the run stops at the next row and rolls back, returning
     * WD_ECANCELLED (the daemon's shutdown). May be NULL. */
    const atomic_bool *cancel;
};

struct wd_load_result {
    int64_t run_id;
    enum wd_run_state state;
    int64_t duplicate_of;     /* the run that published the content first */
    uint64_t published;       /* rows inserted or updated */
    uint64_t replaced;        /* rows of the same periods removed (mode replace) */
    char reason[512];         /* why refused */
    int attempts;             /* 1, or more when a deadlock rolled a run of a file back */
};

/*
 * Runs one load of the file at path. rep (initialised by the caller for def and path)
 * receives the failures, counts and quality. Returns 0 with *out filled whatever the
 * state, or a negative WD_E* when the run could not be completed (then nothing at all was
 * recorded). A run that PostgreSQL rolls back for a deadlock or a serialization failure
 * (two upserts of overlapping keys at once) is run again from the start, up to
 * WD_LOAD_ATTEMPTS times in all: out->attempts says how many it took.
 */
#define WD_LOAD_ATTEMPTS 3

int wd_load_file(struct wd_db *db, const struct wd_definition *def, const struct wd_codes *codes,
                 const char *path, const struct wd_load_options *opt, struct wd_report *rep,
                 struct wd_load_result *out, struct wd_error *err);

/*
 * The same for a stream that cannot be read twice (a query result): it is hashed as it is
 * read, and it is never a duplicate (its source keeps its own place, e.g. a watermark).
 * name is what etl.run and etl.source_item call it. The stream stays the caller's.
 */
int wd_load_stream(struct wd_db *db, const struct wd_definition *def, const struct wd_codes *codes,
                   const char *name, struct wd_stream *in, const struct wd_load_options *opt,
                   struct wd_report *rep, struct wd_load_result *out, struct wd_error *err);

/* Used by load.c and publish.c only. */
struct wd__load;
int wd__publish(struct wd__load *l, struct wd_error *err);
int wd__record(struct wd__load *l, struct wd_error *err);
int wd__finish_run(struct wd_db *db, int64_t run_id, struct wd_error *err);

#endif
