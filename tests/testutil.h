/*
 * testutil.h - helpers shared by the cmocka tests: files in a private temporary folder,
 * gzip, the shipped reference codes, and running the walidata binary as a process.
 *
 * Tests run from the repository's top folder (make check does so). WALIDATA_BIN names the
 * binary under test (build/walidata by default).
 */
#ifndef WD_TESTUTIL_H
#define WD_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../etl/codes.h"
#include "../etl/definition.h"

/* The test's private temporary folder (made on first use, removed at exit). */
const char *tu_tmpdir(void);

/* Writes len bytes to name in the temporary folder; returns the path (caller frees). */
char *tu_write(const char *name, const void *data, size_t len);
/* The same for a NUL-terminated string. */
char *tu_write_str(const char *name, const char *text);
/* Writes data gzip-compressed; with truncate_to > 0 only that many compressed bytes. */
char *tu_write_gz(const char *name, const void *data, size_t len, size_t truncate_to);

/* Reads a whole file; returns a new NUL-terminated buffer (caller frees), NULL if absent. */
char *tu_read(const char *path, size_t *len);

/* The shipped reference-codes/, loaded once for the whole test program. */
const struct wd_codes *tu_codes(void);

/*
 * Writes a complete definition named name (with every required metadata key) to the
 * temporary folder and loads it against tu_codes(). fields is the JSON array of fields;
 * extra is more top-level members, e.g. "\"target\": {...}," (or ""); schema_extra more
 * members of "schema" (or ""). Fails the test when it does not load; caller frees.
 */
struct wd_definition *tu_definition(const char *name, const char *source, const char *fields,
                                    const char *schema_extra, const char *extra);

/*
 * The warehouse for integration tests: WALIDATA_TEST_DB names a server (make check starts
 * one). tu_db_create drops and creates the database name there and returns its conninfo
 * (caller frees); tu_db_config writes a walidata config for it (with a pseudonym key) and
 * returns the config's path (caller frees).
 */
char *tu_db_create(const char *name);
char *tu_db_config(const char *conninfo, const char *extra_json);
/* Runs sql on conninfo and returns the first column of the first row as a new string
 * ("" for none, NULL on error; caller frees). */
char *tu_db_value(const char *conninfo, const char *sql);
/* Runs sql, failing the test when it fails. */
void tu_db_exec(const char *conninfo, const char *sql);

/* The result of running a command. */
struct tu_result {
    int status; /* exit status, or 128 + signal */
    char *out;  /* everything it wrote to stdout (caller frees with tu_result_free) */
    char *err;  /* and to stderr */
    long maxrss_kib; /* its peak resident memory */
};

/* Runs the walidata binary with the given arguments (NULL-terminated). */
struct tu_result tu_walidata(const char *arg, ...);
/* Runs argv (argv[0] found on PATH). */
struct tu_result tu_run(char *const argv[]);
void tu_result_free(struct tu_result *r);

/* Asserts that haystack contains needle, printing both when it does not. */
#define tu_assert_contains(haystack, needle)                                                   \
    tu_assert_contains_at((haystack), (needle), __FILE__, __LINE__)
void tu_assert_contains_at(const char *haystack, const char *needle, const char *file, int line);

#endif
