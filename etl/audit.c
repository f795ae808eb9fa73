/*
 * audit.c - recomputing the chain of run hashes.
 */
#include "audit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigest.h"

void wd_run_hash(const char *content, size_t len, unsigned char md[32])
{
    unsigned int n = 0;
    if (EVP_Digest(content, len, md, &n, EVP_sha256(), NULL) != 1)
        abort(); /* only out of memory */
}

int wd_audit_verify(struct wd_db *db, struct wd_audit_result *out, struct wd_error *err)
{
    memset(out, 0, sizeof(out[0]));
    /* every run that finished joined the chain; a committed run without a place in it was
     * tampered with as much as one whose hash is wrong */
    PGresult *res = wd_db_query(db,
                                "SELECT run_id, chain_seq, coalesce(encode(prev_hash, 'hex'), ''), "
                                "coalesce(encode(hash, 'hex'), ''), etl.run_content(run_id) "
                                "FROM etl.run ORDER BY chain_seq NULLS FIRST, run_id",
                                0, NULL, err);
    if (!res)
        return WD_EDB;
    char prev[65] = "";
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        int64_t run = atoll(PQgetvalue(res, i, 0));
        const char *seq = PQgetvalue(res, i, 1);
        out->runs++;
        if (PQgetisnull(res, i, 1)) {
            out->first_bad = run;
            snprintf(out->why, sizeof(out->why), "run %lld has no place in the chain",
                     (long long)run);
            break;
        }
        if (atoll(seq) != (long long)i + 1) {
            out->first_bad = run;
            snprintf(out->why, sizeof(out->why), "run %lld is at place %s in the chain where %d "
                     "was expected: a run before it was removed", (long long)run, seq, i + 1);
            break;
        }
        if (strcmp(PQgetvalue(res, i, 2), prev) != 0) {
            out->first_bad = run;
            snprintf(out->why, sizeof(out->why), "run %lld does not carry the hash of the run "
                     "before it in the chain", (long long)run);
            break;
        }
        unsigned char md[32];
        char hex[65];
        wd_run_hash(PQgetvalue(res, i, 4), (size_t)PQgetlength(res, i, 4), md);
        wd_digest_hex(md, hex);
        if (strcmp(hex, PQgetvalue(res, i, 3)) != 0) {
            out->first_bad = run;
            snprintf(out->why, sizeof(out->why), "run %lld does not match its hash: its record "
                     "was changed after it was written", (long long)run);
            break;
        }
        snprintf(prev, sizeof(prev), "%s", hex);
    }
    PQclear(res);
    return 0;
}
