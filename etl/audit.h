/*
 * audit.h - the hash chain of runs (SPBE's keutuhan and kenirsangkalan).
 *
 * Every run, when it is recorded, joins a chain: chain_seq is the next number, prev_hash the
 * hash of the run before it, and hash the SHA-256 of etl.run_content(run_id), the run's own
 * content with prev_hash. A run changed, removed or reordered after the fact breaks the
 * chain at that run.
 */
#ifndef WD_AUDIT_H
#define WD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* SHA-256 of a run's content. */
void wd_run_hash(const char *content, size_t len, unsigned char md[32]);

struct wd_audit_result {
    uint64_t runs;        /* runs checked */
    int64_t first_bad;    /* the first run that does not match, or 0 */
    char why[256];
};

/* Recomputes the chain. Returns 0 (check out->first_bad) or WD_EDB. */
int wd_audit_verify(struct wd_db *db, struct wd_audit_result *out, struct wd_error *err);

#endif
