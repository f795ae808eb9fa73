/*
 * migrate.c - applying the compiled-in SQL migrations.
 */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>


int wd_migrate_version(struct wd_db *db, struct wd_error *err)
{
    PGresult *res = wd_db_query(db,
                                "SELECT coalesce(max(version), 0) FROM etl.schema_version "
                                "WHERE to_regclass('etl.schema_version') IS NOT NULL",
                                0, NULL, err);
    if (!res) {
        /* no etl schema yet */
        wd_error_clear(err);
        return 0;
    }
    int v = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

int wd_migrate(struct wd_db *db, FILE *log, int *applied, struct wd_error *err)
{
    *applied = 0;
    int rc = wd_db_exec(db,
                        "SELECT pg_advisory_lock(" WD_MIGRATE_LOCK ");"
                        "CREATE SCHEMA IF NOT EXISTS etl;"
                        "CREATE TABLE IF NOT EXISTS etl.schema_version ("
                        "  version integer PRIMARY KEY, name text NOT NULL,"
                        "  applied_at timestamptz NOT NULL DEFAULT now())",
                        err);
    for (const struct wd_migration *m = wd_migrations; rc == 0 && m->sql; m++) {
        char version[16];
        snprintf(version, sizeof(version), "%d", m->version);
        const char *p[2] = {version, m->name};
        PGresult *res = wd_db_query(db, "SELECT 1 FROM etl.schema_version WHERE version = $1", 1,
                                    p, err);
        if (!res) {
            rc = WD_EDB;
            break;
        }
        bool done = PQntuples(res) > 0;
        PQclear(res);
        if (done)
            continue;
        if ((rc = wd_db_exec(db, "BEGIN", err)) < 0)
            break;
        if ((rc = wd_db_exec(db, m->sql, err)) == 0)
            rc = wd_db_command(db, "INSERT INTO etl.schema_version (version, name) VALUES ($1, $2)",
                               2, p, err);
        if (rc == 0)
            rc = wd_db_exec(db, "COMMIT", err);
        if (rc < 0) {
            wd_db_exec(db, "ROLLBACK", NULL);
            wd_error_detail(err, "Migration %03d_%s was rolled back; the warehouse is at the "
                                 "version before it.", m->version, m->name);
            break;
        }
        (*applied)++;
        if (log)
            fprintf(log, "applied migration %03d %s\n", m->version, m->name);
    }
    wd_db_exec(db, "SELECT pg_advisory_unlock(" WD_MIGRATE_LOCK ")", NULL);
    return rc;
}
