/*
 * migrate.h - the warehouse's schema, from SQL migrations compiled into the binary.
 *
 * etl/sql/NNN_name.sql are applied in order, each in its own transaction, and recorded in
 * etl.schema_version; a migration already recorded is skipped, so `db migrate` twice
 * changes nothing. An advisory lock keeps two walidata processes from migrating at once.
 */
#ifndef WD_MIGRATE_H
#define WD_MIGRATE_H

#include <stdio.h>

#include "db.h"
#include "error.h"

/* The session advisory lock that keeps migrations to one process at a time. */
#define WD_MIGRATE_LOCK "7061746164617461"

struct wd_migration {
    int version;
    const char *name;
    const char *sql;
};

/* The migrations, ending with {0, NULL, NULL} (generated from etl/sql/). */
extern const struct wd_migration wd_migrations[];

/* Applies the migrations not yet recorded; reports each applied one to log (may be NULL).
 * Sets *applied to how many were applied. */
int wd_migrate(struct wd_db *db, FILE *log, int *applied, struct wd_error *err);

/* The highest migration the warehouse has, 0 when none; negative on error. */
int wd_migrate_version(struct wd_db *db, struct wd_error *err);

#endif
