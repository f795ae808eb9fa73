/*
 * dbassert.c - the integration tests' assertions on the warehouse and on exit statuses, and
 * the folders and JSON files the warehouse tests share.
 */
#include "dbassert.h"

#include <errno.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void (*tu_on_failure)(void);

static void failing(void)
{
    if (tu_on_failure)
        tu_on_failure();
}

static char *format_query(const char *fmt, va_list ap)
{
    char *q = NULL;
    if (vasprintf(&q, fmt, ap) < 0)
        abort();
    return q;
}

char *tu_sql_at(const char *file, int line, const char *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = format_query(fmt, ap);
    va_end(ap);
    char *v = tu_db_value(db, q);
    if (!v) {
        failing();
        print_error("%s:%d: query failed: %s\n", file, line, q);
        free(q);
        _fail(file, line);
    }
    free(q);
    return v;
}

void tu_assert_sql_at(const char *file, int line, const char *db, const char *expected,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = format_query(fmt, ap);
    va_end(ap);
    char *v = tu_db_value(db, q);
    if (!v || strcmp(v, expected) != 0) {
        failing();
        print_error("%s:%d: %s\n  expected \"%s\"\n  found    \"%s\"\n", file, line, q, expected,
                    v ? v : "(error)");
        free(v);
        free(q);
        _fail(file, line);
    }
    free(v);
    free(q);
}

void tu_assert_status_at(const struct tu_result *r, int status, const char *file, int line)
{
    if (strstr(r->err, "Sanitizer") || strstr(r->err, "runtime error:")) {
        failing();
        print_error("%s:%d: walidata failed a sanitizer check:\n%s\n", file, line, r->err);
        _fail(file, line);
    }
    if (r->status == status)
        return;
    failing();
    print_error("%s:%d: exit status %d, expected %d\n--- stdout:\n%s--- stderr:\n%s\n", file, line,
                r->status, status, r->out, r->err);
    _fail(file, line);
}

char *tu_sql_error(const char *db, const char *sql_text)
{
    PGconn *c = PQconnectdb(db);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", db, PQerrorMessage(c));
    PGresult *r = PQexec(c, sql_text);
    char *msg = NULL;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        msg = strdup(PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return msg;
}

void tu_file_sha256(const char *path, char hex[65])
{
    size_t len;
    char *data = tu_read(path, &len);
    assert_non_null(data);
    unsigned char md[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(data);
}

void tu_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* A new folder in the test's temporary folder; returns its path (caller frees). */
char *tmp_subdir(const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", tu_tmpdir(), name) < 0)
        abort();
    if (mkdir(path, 0700) != 0)
        fail_msg("mkdir %s failed", path);
    return path;
}

json_t *json_file(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

void warehouse_open(struct warehouse *w, const char *dbname, const char *mappings,
                    bool migrate)
{
    w->db = tu_db_create(dbname);
    w->cfg = tu_db_config(w->db, NULL);
    w->mappings = mappings;
    if (migrate) {
        wd_expect(w, 0, "db", "migrate");
        wd_expect(w, 0, "codes", "import");
    }
}

void warehouse_close(struct warehouse *w)
{
    free(w->db);
    free(w->cfg);
}

size_t wd_argv(const struct warehouse *w, char *argv[64], const char *arg, va_list ap)
{
    const char *bin = getenv("WALIDATA_BIN");
    size_t n = 0;
    argv[n++] = (char *)(bin ? bin : "build/walidata");
    argv[n++] = "--config";
    argv[n++] = w->cfg;
    if (w->mappings) {
        argv[n++] = "--mappings";
        argv[n++] = (char *)w->mappings;
    }
    for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    argv[n] = NULL;
    return n;
}

struct tu_result wd(const struct warehouse *w, const char *arg, ...)
{
    char *argv[64];
    va_list ap;
    va_start(ap, arg);
    wd_argv(w, argv, arg, ap);
    va_end(ap);
    return tu_run(argv);
}

void wd_expect_at(const char *file, int line, const struct warehouse *w, int status,
                  const char *arg, ...)
{
    char *argv[64];
    va_list ap;
    va_start(ap, arg);
    wd_argv(w, argv, arg, ap);
    va_end(ap);
    struct tu_result r = tu_run(argv);
    tu_assert_status_at(&r, status, file, line);
    tu_result_free(&r);
}
