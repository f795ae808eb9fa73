/*
 * dbassert.h - the integration tests' warehouse: a fresh database per test with a config
 * naming it, walidata run as a process against it, and what the tests assert about both: a
 * query's first value, an expected exit status (and no sanitizer report), a statement's
 * error; and the folders and JSON files the warehouse tests make and read. Implemented in
 * dbassert.c, linked into every test.
 *
 * A test that keeps logs of its own (the daemon's) sets tu_on_failure to print them before
 * a failed assertion ends the test.
 */
#ifndef WD_DBASSERT_H
#define WD_DBASSERT_H

#include <jansson.h>
#include <stdbool.h>

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

/* The SHA-256 of a file's bytes, as 64 hex digits and a NUL. */
void tu_file_sha256(const char *path, char hex[65]);

/* Sleeps ms milliseconds, through signals. */
void tu_sleep_ms(long ms);

/* Shared by the test_warehouse_*.c files. tmp_subdir makes the folder name in the test's
 * temporary folder and returns its path (caller frees); json_file loads a JSON file whole (a
 * new reference). Both fail the test when they cannot. */
char *tmp_subdir(const char *name);
json_t *json_file(const char *path);

/* A test's own warehouse. */
struct warehouse {
    char *db;             /* conninfo of the test's own database */
    char *cfg;            /* a config naming it, with a pseudonym key */
    const char *mappings; /* --mappings DIR, or NULL for ./mappings */
};

/* A fresh database dbname and its config; with migrate, db migrate and codes import run in
 * it. mappings is --mappings DIR for every command, or NULL. */
void warehouse_open(struct warehouse *w, const char *dbname, const char *mappings,
                    bool migrate);
void warehouse_close(struct warehouse *w);

/* argv for walidata --config CFG [--mappings DIR] ARGS... (at most 63); returns argc.
 * WALIDATA_BIN names the binary (build/walidata by default). */
size_t wd_argv(const struct warehouse *w, char *argv[64], const char *arg, va_list ap);

/* Runs walidata --config CFG [--mappings DIR] ARGS... (NULL-terminated). */
struct tu_result wd(const struct warehouse *w, const char *arg, ...);

/* Runs a command that must exit with status; frees everything. */
void wd_expect_at(const char *file, int line, const struct warehouse *w, int status,
                  const char *arg, ...);
#define wd_expect(w, status, ...) wd_expect_at(__FILE__, __LINE__, (w), (status), __VA_ARGS__, NULL)

#endif
