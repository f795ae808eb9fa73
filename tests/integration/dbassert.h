/*
 * dbassert.h - what the integration tests assert about the warehouse and about walidata
 * run as a process: a query's first value, an expected exit status (and no sanitizer
 * report), a statement's error. Implemented in dbassert.c, linked into every test.
 *
 * A test that keeps logs of its own (the daemon's) sets tu_on_failure to print them before
 * a failed assertion ends the test.
 */
#ifndef WD_DBASSERT_H
#define WD_DBASSERT_H

#include "../testutil.h"

/* Called, when set, before a failed query or assertion below fails the test. */
extern void (*tu_on_failure)(void);

/* The first column of the first row of a formatted query (new string); fails on error. */
char *tu_sql_at(const char *file, int line, const char *db, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define sql(db, ...) tu_sql_at(__FILE__, __LINE__, (db), __VA_ARGS__)

/* Asserts that a formatted query's first value is expected. */
void tu_assert_sql_at(const char *file, int line, const char *db, const char *expected,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define assert_sql(db, expected, ...)                                                              \
    tu_assert_sql_at(__FILE__, __LINE__, (db), (expected), __VA_ARGS__)

/* Asserts a command's exit status, and that no sanitizer reported anything on its stderr
 * (under SANITIZE=1 a report may come with the expected status: ASan's is 1). */
void tu_assert_status_at(const struct tu_result *r, int status, const char *file, int line);
#define assert_status(r, s) tu_assert_status_at(&(r), (s), __FILE__, __LINE__)

/* Runs sql_text and returns PostgreSQL's error message (new string), or NULL when it
 * succeeded. */
char *tu_sql_error(const char *db, const char *sql_text);

/* Sleeps ms milliseconds, through signals. */
void tu_sleep_ms(long ms);

#endif
