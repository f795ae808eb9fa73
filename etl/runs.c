/*
 * runs.c - reading runs back out of the warehouse as JSON.
 */
#include "runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT4 23
#define OID_NUMERIC 1700

/* A result row as an object: numbers as numbers, booleans as booleans, NULL as null. */
static json_t *row_object(const PGresult *res, int row)
{
    json_t *o = json_object();
    for (int c = 0; c < PQnfields(res); c++) {
        const char *name = PQfname(res, c), *v = PQgetvalue(res, row, c);
        json_t *j;
        if (PQgetisnull(res, row, c))
            j = json_null();
        else if (PQftype(res, c) == OID_INT8 || PQftype(res, c) == OID_INT4)
            j = json_integer(atoll(v));
        else if (PQftype(res, c) == OID_NUMERIC)
            j = json_real(atof(v));
        else if (PQftype(res, c) == OID_BOOL)
            j = json_boolean(v[0] == 't');
        else
            j = json_string(v);
        json_object_set_new(o, name, j);
    }
    return o;
}

static json_t *rows_array(const PGresult *res)
{
    json_t *a = json_array();
    for (int r = 0; r < PQntuples(res); r++)
        json_array_append_new(a, row_object(res, r));
    return a;
}

#define RUN_COLUMNS                                                                            \
    "r.run_id, r.dataset, r.state, r.source_name AS source, "                                  \
    "to_char(r.started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS started_at, "                  \
    "to_char(r.finished_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS finished_at, "                \
    "r.rows_read, r.rows_valid, r.rows_rejected, r.rows_published, r.rows_replaced, "          \
    "r.quality_score, r.reason, r.duplicate_of, r.forced, r.definition_version, "              \
    "r.walidata_version"

json_t *wd_runs_list(struct wd_db *db, const char *dataset, long long limit,
                     struct wd_error *err)
{
    char lim[24];
    snprintf(lim, sizeof(lim), "%lld", limit);
    const char *p[2] = {dataset, lim};
    PGresult *res = wd_db_query(db,
                                "SELECT " RUN_COLUMNS " FROM etl.run r "
                                "WHERE $1::text IS NULL OR r.dataset = $1 "
                                "ORDER BY r.run_id DESC LIMIT $2",
                                2, p, err);
    if (!res)
        return NULL;
    json_t *a = rows_array(res);
    PQclear(res);
    return a;
}

/* Runs a query about one run and returns its rows as an array, or NULL with err. */
static json_t *about(struct wd_db *db, const char *sql, const char *id, struct wd_error *err)
{
    const char *p[1] = {id};
    PGresult *res = wd_db_query(db, sql, 1, p, err);
    if (!res)
        return NULL;
    json_t *a = rows_array(res);
    PQclear(res);
    return a;
}

json_t *wd_run_show(struct wd_db *db, int64_t run_id, struct wd_error *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)run_id);
    json_t *runs = about(db, "SELECT " RUN_COLUMNS ", r.chain_seq, encode(r.hash, 'hex') AS hash "
                             "FROM etl.run r WHERE r.run_id = $1", id, err);
    if (!runs)
        return NULL;
    if (json_array_size(runs) == 0) {
        json_decref(runs);
        wd_error_set(err, WD_ENOTFOUND, "no run %lld in the warehouse", (long long)run_id);
        return NULL;
    }
    json_t *run = json_incref(json_array_get(runs, 0));
    json_decref(runs);
    struct {
        const char *key, *sql;
        bool one;
    } parts[] = {
        {"source_item",
         "SELECT name, size, encode(sha256, 'hex') AS sha256, published FROM etl.source_item "
         "WHERE run_id = $1",
         true},
        {"lineage",
         "SELECT source_uri, target_table, mode, array_to_string(codelists, ', ') AS codelists "
         "FROM etl.lineage WHERE run_id = $1",
         true},
        {"quality",
         "SELECT dimension, score, numerator, denominator FROM etl.quality WHERE run_id = $1 "
         "ORDER BY array_position(ARRAY['completeness', 'validity', 'uniqueness', "
         "'consistency', 'timeliness', 'score'], dimension)",
         false},
        {"rejects_by_rule",
         "SELECT rule, field, count(*) AS count, array_to_string((array_agg(row_number ORDER BY "
         "row_number))[1:3], ', ') AS example_rows, (array_agg(message ORDER BY row_number))[1] AS example "
         "FROM etl.reject WHERE run_id = $1 GROUP BY rule, field ORDER BY count(*) DESC, rule, "
         "field LIMIT 20",
         false},
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *a = about(db, parts[i].sql, id, err);
        if (!a) {
            json_decref(run);
            return NULL;
        }
        if (parts[i].one)
            json_object_set(run, parts[i].key,
                            json_array_size(a) ? json_array_get(a, 0) : json_null());
        else
            json_object_set(run, parts[i].key, a);
        json_decref(a);
    }
    return run;
}

int wd_rejects_each(struct wd_db *db, int64_t run_id,
                    void (*each)(void *ctx, const json_t *reject), void *ctx,
                    struct wd_error *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)run_id);
    const char *p[1] = {id};
    if (!PQsendQueryParams(db->conn,
                           "SELECT row_number AS row, line, field, rule, value, message, rejects "
                           "FROM etl.reject WHERE run_id = $1 ORDER BY row_number, "
                           "ctid",
                           1, NULL, p, NULL, NULL, 0) ||
        !PQsetSingleRowMode(db->conn))
        return wd_db_error(db, NULL, err);
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(db->conn))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && rc == 0) {
            json_t *o = row_object(res, 0);
            each(ctx, o);
            json_decref(o);
        } else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && rc == 0) {
            rc = wd_db_error(db, res, err);
        }
        PQclear(res);
    }
    return rc;
}

/* A UUID for the run, from its hash, so the same run always gets the same runId. */
static void run_uuid(const char *hash, char out[37])
{
    char h[33];
    snprintf(h, sizeof(h), "%-32.32s", hash);
    for (int i = 0; i < 32; i++)
        if (h[i] == ' ')
            h[i] = '0';
    h[12] = '4';                                    /* version 4 layout */
    h[16] = "89ab"[(unsigned char)h[16] % 4];      /* RFC 4122 variant */
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

json_t *wd_runs_openlineage(struct wd_db *db, const char *dataset, long long limit,
                            struct wd_error *err)
{
    char lim[24];
    snprintf(lim, sizeof(lim), "%lld", limit);
    const char *p[2] = {dataset, lim};
    PGresult *res = wd_db_query(
        db,
        "SELECT r.run_id, r.dataset, r.state, coalesce(encode(r.hash, 'hex'), '') AS hash, "
        "to_char(coalesce(r.finished_at, r.started_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "coalesce(l.source_uri, 'file:' || r.source_name), coalesce(l.target_table, ''), "
        "coalesce(r.rows_published, 0), current_database() "
        "FROM etl.run r LEFT JOIN etl.lineage l USING (run_id) "
        "WHERE $1::text IS NULL OR r.dataset = $1 ORDER BY r.run_id DESC LIMIT $2",
        2, p, err);
    if (!res)
        return NULL;
    json_t *events = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        char uuid[37];
        run_uuid(PQgetvalue(res, i, 3), uuid);
        const char *state = PQgetvalue(res, i, 2);
        const char *type = strcmp(state, "published") == 0 || strcmp(state, "duplicate") == 0
                               ? "COMPLETE"
                           : strcmp(state, "running") == 0 ? "START"
                                                            : "FAIL";
        json_t *outputs = json_array();
        if (PQgetvalue(res, i, 6)[0])
            json_array_append_new(
                outputs, json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:I}}}", "namespace",
                                   PQgetvalue(res, i, 8), "name", PQgetvalue(res, i, 6),
                                   "outputFacets", "outputStatistics", "_producer",
                                   "urn:walidata", "_schemaURL",
                                   "https://openlineage.io/spec/facets/1-0-2/"
                                   "OutputStatisticsOutputDatasetFacet.json",
                                   "rowCount", (json_int_t)atoll(PQgetvalue(res, i, 7))));
        json_array_append_new(
            events,
            json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s}, s:[{s:s, s:s}], s:o, s:s, s:s}",
                      "eventType", type, "eventTime", PQgetvalue(res, i, 4), "run", "runId", uuid,
                      "job", "namespace", "walidata", "name", PQgetvalue(res, i, 1), "inputs",
                      "namespace", "file", "name", PQgetvalue(res, i, 5), "outputs", outputs,
                      "producer", "urn:walidata", "schemaURL",
                      "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"));
    }
    PQclear(res);
    return events;
}
