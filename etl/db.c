/*
 * db.c - connecting, running statements, and turning PostgreSQL's errors into ours.
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

int wd_db_error(struct wd_db *db, const PGresult *res, struct wd_error *err)
{
    if (!err)
        return WD_EDB;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state ? state : "");
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary) {
        wd_error_set(err, WD_EDB, "database error: %s", primary);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
        if (detail)
            wd_error_detail(err, "%s", detail);
        if (hint)
            wd_error_hint(err, "%s", hint);
    } else {
        const char *msg = db && db->conn ? PQerrorMessage(db->conn) : "no connection";
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        wd_error_set(err, WD_EDB, "database error: %.*s", (int)n, msg);
    }
    return WD_EDB;
}

int wd_db_connect(const char *conninfo, struct wd_db **out, struct wd_error *err)
{
    *out = NULL;
    struct wd_db *db = wd_calloc(1, sizeof(*db));
    /* options: messages in English, timestamps in UTC, our name in pg_stat_activity */
    const char *keys[] = {"dbname", "options", "application_name", NULL};
    const char *vals[] = {conninfo ? conninfo : "", "-c lc_messages=C -c TimeZone=UTC -c client_min_messages=warning",
                          "walidata", NULL};
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        wd_error_set(err, WD_EDB, "could not connect to the warehouse: %.*s", (int)n, msg);
        wd_error_hint(err, "Set \"database\" in the configuration to a libpq connection "
                           "string, or PGHOST and PGDATABASE in the environment.");
        wd_db_close(db);
        return WD_EDB;
    }
    *out = db;
    return 0;
}

void wd_db_close(struct wd_db *db)
{
    if (!db)
        return;
    if (db->conn)
        PQfinish(db->conn);
    free(db);
}

PGresult *wd_db_query(struct wd_db *db, const char *sql, int nparams, const char *const *params,
                      struct wd_error *err)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    wd_db_error(db, res, err);
    PQclear(res);
    return NULL;
}

int wd_db_command(struct wd_db *db, const char *sql, int nparams, const char *const *params,
                  struct wd_error *err)
{
    PGresult *res = wd_db_query(db, sql, nparams, params, err);
    if (!res)
        return WD_EDB;
    PQclear(res);
    return 0;
}

int wd_db_exec(struct wd_db *db, const char *sql, struct wd_error *err)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        rc = wd_db_error(db, res, err);
    PQclear(res);
    return rc;
}

char *wd_db_ident(struct wd_db *db, const char *ident)
{
    char *q = PQescapeIdentifier(db->conn, ident, strlen(ident));
    if (!q)
        abort(); /* only out of memory: identifiers are checked at load */
    return q;
}
