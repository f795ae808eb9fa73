/*
 * db.h - the warehouse connection: libpq with walidata's errors.
 *
 * Every failed statement becomes WD_EDB in a struct wd_error carrying PostgreSQL's primary
 * message, detail and hint. Values reach PostgreSQL only as parameters or through COPY;
 * identifiers from definitions are checked at load and quoted with wd_db_ident.
 */
#ifndef WD_DB_H
#define WD_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "error.h"

struct wd_db {
    PGconn *conn;
};

/* Connects with a libpq conninfo or URI ("" uses libpq's defaults: PGHOST, ~/.pgpass...).
 * The session's time zone is UTC and its messages untranslated. */
int wd_db_connect(const char *conninfo, struct wd_db **out, struct wd_error *err);
void wd_db_close(struct wd_db *db);

/* Runs a statement without results (or whose results are not wanted). */
int wd_db_exec(struct wd_db *db, const char *sql, struct wd_error *err);

/* Runs a statement with text parameters (NULL for SQL NULL). Returns the result (caller
 * PQclears) or NULL with err filled. */
PGresult *wd_db_query(struct wd_db *db, const char *sql, int nparams, const char *const *params,
                      struct wd_error *err);

/* Runs a parameterized statement without results. */
int wd_db_command(struct wd_db *db, const char *sql, int nparams, const char *const *params,
                  struct wd_error *err);

/* Fills err from a failed result (its PG_DIAG fields) or from the connection. */
int wd_db_error(struct wd_db *db, const PGresult *res, struct wd_error *err);

/* Returns a new quoted identifier ("walidata"."x"); caller frees with PQfreemem. */
char *wd_db_ident(struct wd_db *db, const char *ident);

#endif
