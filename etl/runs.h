/*
 * runs.h - what the warehouse knows about runs, as JSON: the list of runs, one run in full
 * (source, lineage, quality by dimension, rejects by rule and field), the rejected rows of a
 * run, and runs as OpenLineage events. The commands format these for people or scripts.
 */
#ifndef WD_RUNS_H
#define WD_RUNS_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"

/* The newest runs first; dataset may be NULL. Returns a new array, or NULL with err. */
json_t *wd_runs_list(struct wd_db *db, const char *dataset, long long limit,
                     struct wd_error *err);

/* One run with its source item, lineage, quality and a summary of its rejects; NULL with
 * err (WD_ENOTFOUND when there is no such run). */
json_t *wd_run_show(struct wd_db *db, int64_t run_id, struct wd_error *err);

/* Calls each(ctx, reject) for every failure of the run in row order, streaming (one row in
 * memory at a time); reject is borrowed for the call. */
int wd_rejects_each(struct wd_db *db, int64_t run_id,
                    void (*each)(void *ctx, const json_t *reject), void *ctx,
                    struct wd_error *err);

/* The runs as OpenLineage RunEvents (one per run, newest first). */
json_t *wd_runs_openlineage(struct wd_db *db, const char *dataset, long long limit,
                            struct wd_error *err);

#endif
