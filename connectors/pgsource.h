/*
 * pgsource.h - a unit's PostgreSQL database as a source: the rows of a query newer than the
 * job's watermark, streamed as CSV through COPY ... TO STDOUT (never all in memory).
 *
 * The job keeps its place in etl.job.state: {"watermark": W, "keys": [[k...], ...]}, the
 * highest watermark value published and the primary keys of the rows that carried it. The
 * next run reads rows with watermark > W, and rows with watermark = W whose key is not in
 * keys: rows that share the last watermark value, committed at the source after a run, are
 * neither lost nor loaded twice. The new place is saved in the same transaction as the
 * data (load's before_commit), and only when the run published.
 *
 * The definition must have a primary key, and a field whose source column is the
 * watermark; its dialect must read PostgreSQL's CSV (delimiter ",", decimalChar ".", ISO
 * dates).
 */
#ifndef WD_PGSOURCE_H
#define WD_PGSOURCE_H

#include <jansson.h>

#include "../etl/definition.h"
#include "../etl/error.h"
#include "../etl/reader.h"
#include "../etl/stream.h"
#include "source.h"

struct wd_pgsource;

/* Connects to the source and starts the COPY of the rows after state (a JSON object, or
 * NULL for the first run). */
int wd_pgsource_open(const struct wd_source_uri *src, const struct wd_definition *def,
                     const char *state, struct wd_pgsource **out, struct wd_error *err);

/* The rows as a CSV byte stream (borrowed; valid until wd_pgsource_close). */
struct wd_stream *wd_pgsource_stream(struct wd_pgsource *s);

/* load's observe hook: follows the watermark and keys of every record read. */
void wd_pgsource_observe(void *ctx, const struct wd_record *rec, const size_t *colmap);

/* The place after the rows read so far, as JSON text (caller frees). */
char *wd_pgsource_state(const struct wd_pgsource *s);

void wd_pgsource_close(struct wd_pgsource *s);

#endif
