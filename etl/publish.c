/*
 * publish.c - the statements of a run after its rows are in: publishing them by the
 * dataset's mode, recording rejects, quality, lineage and the source item, and placing the
 * run in the hash chain. All of it inside the run's one transaction.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "hexdigest.h"
#include "load_internal.h"
#include "mem.h"

#define CHAIN_LOCK "6161756469740001" /* "audit" chain: one run joins it at a time */

/* The upsert's SET list and conflict target. */
static void upsert_sql(struct wd__load *l, struct wd_buf *sql)
{
    const struct wd_definition *def = l->def;
    wd_buf_printf(sql, "INSERT INTO %s AS t (%s, _run_id) SELECT %s, _run_id FROM wd_stage "
                       "ON CONFLICT (",
                  l->table, l->columns, l->columns);
    for (size_t k = 0; k < def->npk; k++) {
        char *q = wd_db_ident(l->db, def->fields[def->primary_key[k]].name);
        wd_buf_printf(sql, "%s%s", k ? ", " : "", q);
        PQfreemem(q);
    }
    wd_buf_printf(sql, ") DO UPDATE SET ");
    for (size_t i = 0; i < def->nfields; i++) {
        if (def->fields[i].privacy == WD_PRIVACY_DROP)
            continue;
        char *q = wd_db_ident(l->db, def->fields[i].name);
        wd_buf_printf(sql, "%s = EXCLUDED.%s, ", q, q);
        PQfreemem(q);
    }
    wd_buf_printf(sql, "_run_id = EXCLUDED._run_id, _loaded_at = now()");
}

/* DELETE the rows of every period the staged rows name. */
static void replace_sql(struct wd__load *l, struct wd_buf *sql)
{
    const struct wd_definition *def = l->def;
    wd_buf_printf(sql, "DELETE FROM %s t USING (SELECT DISTINCT ", l->table);
    for (size_t k = 0; k < def->nperiod; k++) {
        char *q = wd_db_ident(l->db, def->fields[def->period[k]].name);
        wd_buf_printf(sql, "%s%s", k ? ", " : "", q);
        PQfreemem(q);
    }
    wd_buf_printf(sql, " FROM wd_stage) s WHERE ");
    for (size_t k = 0; k < def->nperiod; k++) {
        char *q = wd_db_ident(l->db, def->fields[def->period[k]].name);
        wd_buf_printf(sql, "%st.%s IS NOT DISTINCT FROM s.%s", k ? " AND " : "", q, q);
        PQfreemem(q);
    }
}

static int affected(struct wd_db *db, const char *sql, uint64_t *count, struct wd_error *err)
{
    PGresult *res = wd_db_query(db, sql, 0, NULL, err);
    if (!res)
        return WD_EDB;
    *count = strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return 0;
}

/*
 * The rows of an upsert from a file are in the table already when every key was new
 * (load.c). Staged rows whose keys are known to meet old ones (the COPY into the table
 * failed) take INSERT ... ON CONFLICT. Staged rows of a query result first try a plain
 * INSERT under a savepoint: when every key is new, the usual case for new records since
 * the last watermark, it costs half of INSERT ... ON CONFLICT (2.2 s against 4.2 s for a
 * million rows); the first old key (unique_violation, 23505) rolls the attempt back.
 */
static int upsert(struct wd__load *l, struct wd_buf *sql, struct wd_error *err)
{
    if (l->direct) {
        l->out->published = l->copy.rows;
        return 0;
    }
    if (!l->known_keys) {
        int rc = wd_db_exec(l->db, "SAVEPOINT all_new", err);
        if (rc < 0)
            return rc;
        wd_buf_printf(sql, "INSERT INTO %s (%s, _run_id) SELECT %s, _run_id FROM wd_stage",
                      l->table, l->columns, l->columns);
        PGresult *res = PQexec(l->db->conn, sql->data);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_COMMAND_OK) {
            l->out->published = strtoull(PQcmdTuples(res), NULL, 10);
            PQclear(res);
            return wd_db_exec(l->db, "RELEASE SAVEPOINT all_new", err);
        }
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (!state || strcmp(state, "23505") != 0) {
            rc = wd_db_error(l->db, res, err);
            PQclear(res);
            return rc;
        }
        PQclear(res);
        wd__fault(l, "stop-in-upsert-fallback");
        if ((rc = wd_db_exec(l->db, "ROLLBACK TO SAVEPOINT all_new", err)) < 0)
            return rc;
        wd_buf_reset(sql);
    }
    upsert_sql(l, sql);
    return affected(l->db, sql->data, &l->out->published, err);
}

int wd__publish(struct wd__load *l, struct wd_error *err)
{
    struct wd_buf sql;
    wd_buf_init(&sql, 0);
    int rc = 0;
    /* two runs replacing periods of one dataset take turns: a DELETE cannot see rows that
     * another run has inserted but not committed yet */
    if (l->def->mode == WD_MODE_REPLACE) {
        const char *t[1] = {l->def->table};
        rc = wd_db_command(l->db,
                           "SELECT pg_advisory_xact_lock(hashtextextended('walidata publish ' "
                           "|| $1, 0))",
                           1, t, err);
        if (rc < 0) {
            wd_buf_free(&sql);
            return rc;
        }
    }
    switch (l->def->mode) {
    case WD_MODE_APPEND:
        l->out->published = l->copy.rows;
        break;
    case WD_MODE_UPSERT:
        rc = upsert(l, &sql, err);
        break;
    case WD_MODE_REPLACE:
        replace_sql(l, &sql);
        rc = affected(l->db, sql.data, &l->out->replaced, err);
        if (rc == 0) {
            wd_buf_reset(&sql);
            wd_buf_printf(&sql, "INSERT INTO %s (%s, _run_id) SELECT %s, _run_id FROM wd_stage",
                          l->table, l->columns, l->columns);
            rc = affected(l->db, sql.data, &l->out->published, err);
        }
        break;
    }
    wd_buf_free(&sql);
    wd__fault(l, "stop-in-publish");
    return rc;
}

/* Sends the spilled rejects to etl.reject. */
static int record_rejects(struct wd__load *l, struct wd_error *err)
{
    if (l->nrejects == 0)
        return 0;
    if (fflush(l->rejects) != 0 || fseek(l->rejects, 0, SEEK_SET) != 0)
        return wd_error_set(err, WD_EIO, "could not read back the rejected rows");
    struct wd_copy c;
    int rc = wd_copy_begin(&c, l->db,
                           "COPY etl.reject (run_id, row_number, line, field, rule, value, "
                           "message, rejects) FROM STDIN",
                           err);
    if (rc < 0)
        return rc;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), l->rejects)) > 0) {
        if ((rc = wd_copy_data(&c, buf, n, err)) < 0) {
            wd_copy_abort(&c, "failed");
            return rc;
        }
    }
    return wd_copy_finish(&c, err);
}

static int record_quality(struct wd__load *l, struct wd_error *err)
{
    const struct wd_counts *c = &l->rep->validation.counts;
    const struct wd_quality *q = &l->rep->quality;
    struct {
        const char *dimension;
        double score;
        uint64_t num, den;
    } rows[6] = {
        {"completeness", q->completeness, c->present_required, c->required_cells},
        {"validity", q->validity, c->valid_values, c->checked_values},
        {"uniqueness", q->uniqueness, c->rows - c->repeated_keys, c->rows},
        {"consistency", q->consistency, c->consistency_held, c->consistency_checks},
        {"timeliness", q->timeliness, c->timely_rows, c->dated_rows},
        {"score", q->score, 0, 0},
    };
    for (int i = 0; i < 6; i++) {
        char score[32], num[32], den[32];
        snprintf(score, sizeof(score), "%.1f", rows[i].score);
        snprintf(num, sizeof(num), "%" PRIu64, rows[i].num);
        snprintf(den, sizeof(den), "%" PRIu64, rows[i].den);
        bool counted = i < 5;
        const char *p[5] = {l->run_id, rows[i].dimension, score, counted ? num : NULL,
                            counted ? den : NULL};
        int rc = wd_db_command(l->db,
                               "INSERT INTO etl.quality (run_id, dimension, score, numerator, "
                               "denominator) VALUES ($1, $2, $3, $4, $5)",
                               5, p, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int record_lineage(struct wd__load *l, struct wd_error *err)
{
    json_error_t je;
    json_t *defjson = json_load_file(l->def->path, 0, &je);
    char *text = defjson ? json_dumps(defjson, JSON_COMPACT) : NULL;
    json_decref(defjson);
    struct wd_buf lists;
    wd_buf_init(&lists, 0);
    wd_buf_append(&lists, "{", 1);
    bool any = false;
    for (size_t i = 0; i < l->def->nfields; i++) {
        const struct wd_codelist *cl = l->def->fields[i].codelist;
        if (!cl)
            continue;
        wd_buf_printf(&lists, "%s\"%s@%s\"", any ? "," : "", cl->name, cl->version);
        any = true;
    }
    wd_buf_append(&lists, "}", 1);
    /* the source as a URI that names it wherever the command was run from */
    char uri[PATH_MAX + 8];
    char *abs = l->opt->source_uri ? NULL : realpath(l->path, NULL);
    if (l->opt->source_uri)
        snprintf(uri, sizeof(uri), "%s", l->opt->source_uri);
    else
        snprintf(uri, sizeof(uri), "file://%s", abs ? abs : l->path);
    free(abs);
    const char *p[6] = {l->run_id, uri, l->def->table, wd_mode_name(l->def->mode),
                        text ? text : "{}", lists.data};
    int rc = wd_db_command(l->db,
                           "INSERT INTO etl.lineage (run_id, source_uri, target_table, mode, "
                           "definition, codelists) VALUES ($1, $2, 'walidata.' || $3, $4, $5, $6)",
                           6, p, err);
    free(text);
    wd_buf_free(&lists);
    return rc;
}

int wd__record(struct wd__load *l, struct wd_error *err)
{
    struct wd_load_result *out = l->out;
    bool validated = out->state != WD_RUN_DUPLICATE;
    /* a run that read no row (an unreadable file, an empty query result) has no quality */
    bool measured = validated && l->rep->validation.counts.rows > 0;
    const char *published = out->state == WD_RUN_PUBLISHED ? "t" : "f";
    /* the file's own name, as the unit named it */
    const char *slash = strrchr(l->path, '/');
    const char *s[5] = {l->run_id, l->def->name, slash ? slash + 1 : l->path, l->size,
                        l->sha_hex};
    const char *si[6] = {s[0], s[1], s[2], s[3], s[4], published};
    int rc = wd_db_command(l->db,
                           "INSERT INTO etl.source_item (run_id, dataset, name, size, sha256, "
                           "published) VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6)",
                           6, si, err);
    if (rc == 0 && validated)
        rc = record_rejects(l, err);
    if (rc == 0 && measured)
        rc = record_quality(l, err);
    if (rc == 0)
        rc = record_lineage(l, err);
    if (rc < 0)
        return rc;
    const struct wd_counts *c = &l->rep->validation.counts;
    char nums[5][32], score[32], dup[32];
    snprintf(nums[0], 32, "%" PRIu64, c->rows);
    snprintf(nums[1], 32, "%" PRIu64, c->valid);
    snprintf(nums[2], 32, "%" PRIu64, c->rejected);
    snprintf(nums[3], 32, "%" PRIu64, out->published);
    snprintf(nums[4], 32, "%" PRIu64, out->replaced);
    snprintf(score, sizeof(score), "%.1f", l->rep->quality.score);
    snprintf(dup, sizeof(dup), "%lld", (long long)out->duplicate_of);
    const char *p[10] = {l->run_id,
                         wd_run_state_name(out->state),
                         validated ? nums[0] : NULL,
                         validated ? nums[1] : NULL,
                         validated ? nums[2] : NULL,
                         nums[3],
                         nums[4],
                         measured ? score : NULL,
                         out->reason[0] ? out->reason : NULL,
                         out->duplicate_of ? dup : NULL};
    return wd_db_command(l->db,
                         "UPDATE etl.run SET state = $2, finished_at = clock_timestamp(), "
                         "rows_read = $3, rows_valid = $4, rows_rejected = $5, "
                         "rows_published = $6, rows_replaced = $7, quality_score = $8, "
                         "reason = $9, duplicate_of = $10 WHERE run_id = $1",
                         10, p, err);
}

int wd__finish_run(struct wd_db *db, int64_t run_id, struct wd_error *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)run_id);
    const char *p[1] = {id};
    /* join the chain after the run that joined it last */
    int rc = wd_db_exec(db, "SELECT pg_advisory_xact_lock(" CHAIN_LOCK ")", err);
    if (rc == 0)
        rc = wd_db_command(db,
                           "UPDATE etl.run SET (chain_seq, prev_hash) = (SELECT "
                           "coalesce(max(chain_seq), 0) + 1, (SELECT hash FROM etl.run "
                           "WHERE chain_seq = (SELECT max(chain_seq) FROM etl.run)) FROM etl.run) "
                           "WHERE run_id = $1",
                           1, p, err);
    if (rc < 0)
        return rc;
    PGresult *res = wd_db_query(db, "SELECT etl.run_content($1)", 1, p, err);
    if (!res)
        return WD_EDB;
    unsigned char md[32];
    wd_run_hash(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), md);
    PQclear(res);
    char hex[65];
    wd_digest_hex(md, hex);
    const char *q[2] = {id, hex};
    return wd_db_command(db, "UPDATE etl.run SET hash = decode($2, 'hex') WHERE run_id = $1", 2,
                         q, err);
}
