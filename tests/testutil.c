/*
 * testutil.c - shared test helpers.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <zlib.h>

static char tmpdir[256];
static struct wd_codes *codes;

static void cleanup(void)
{
    if (tmpdir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    wd_codes_free(codes);
}

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/walidata-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
            abort();
        }
        atexit(cleanup);
    }
    return tmpdir;
}

char *tu_write(const char *name, const void *data, size_t len)
{
    size_t n = strlen(tu_tmpdir()) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

char *tu_write_str(const char *name, const char *text)
{
    return tu_write(name, text, strlen(text));
}

char *tu_write_gz(const char *name, const void *data, size_t len, size_t truncate_to)
{
    uLongf cap = compressBound(len) + 64;
    unsigned char *buf = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    if (truncate_to && truncate_to < n)
        n = truncate_to;
    char *path = tu_write(name, buf, n);
    free(buf);
    return path;
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const struct wd_codes *tu_codes(void)
{
    if (!codes) {
        struct wd_error err;
        wd_error_clear(&err);
        if (wd_codes_load("reference-codes", &codes, &err) != 0) {
            wd_error_print(stderr, &err);
            abort();
        }
        tu_tmpdir(); /* registers the cleanup that frees the codes */
    }
    return codes;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
        n += (size_t)got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[n] = '\0';
    return buf;
}

struct tu_result tu_run(char *const argv[])
{
    struct tu_result r = {0, NULL, NULL, 0};
    char out_path[300], err_path[300];
    snprintf(out_path, sizeof(out_path), "%s/.stdout", tu_tmpdir());
    snprintf(err_path, sizeof(err_path), "%s/.stderr", tu_tmpdir());
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    r.maxrss_kib = ru.ru_maxrss;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int fd = open(out_path, O_RDONLY);
    r.out = slurp_fd(fd);
    close(fd);
    fd = open(err_path, O_RDONLY);
    r.err = slurp_fd(fd);
    close(fd);
    return r;
}

struct tu_result tu_walidata(const char *arg, ...)
{
    char *argv[64];
    const char *bin = getenv("WALIDATA_BIN");
    argv[0] = (char *)(bin ? bin : "build/walidata");
    size_t n = 1;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return tu_run(argv);
}

void tu_result_free(struct tu_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void tu_assert_contains_at(const char *haystack, const char *needle, const char *file, int line)
{
    if (haystack && strstr(haystack, needle))
        return;
    print_error("%s:%d: expected to find\n  \"%s\"\nin\n  \"%s\"\n", file, line, needle,
                   haystack ? haystack : "(null)");
    _fail(file, line);
}

struct wd_definition *tu_definition(const char *name, const char *source, const char *fields,
                                    const char *schema_extra, const char *extra)
{
    static const char *const fmt =
        "{\"name\": \"%s\", \"title\": \"Uji\", \"version\": \"1\",\n"
        " \"metadata\": {\"produsen_data\": \"Pusdatik\", \"frekuensi\": \"bulanan\",\n"
        "   \"cakupan\": \"nasional\", \"konsep\": \"k\", \"definisi\": \"d\",\n"
        "   \"klasifikasi\": \"-\", \"ukuran\": \"Jumlah\", \"satuan\": \"orang\",\n"
        "   \"dasar_rujukan\": \"Permenaker 15/2020\"},\n"
        " \"source\": %s,\n"
        " %s\n"
        " \"schema\": {%s \"fields\": %s}}\n";
    size_t n = strlen(fmt) + strlen(name) + strlen(source) + strlen(fields) +
               strlen(schema_extra) + strlen(extra) + 1;
    char *json = malloc(n);
    snprintf(json, n, fmt, name, source, extra, schema_extra, fields);
    char file[160];
    snprintf(file, sizeof(file), "%s.json", name);
    char *path = tu_write_str(file, json);
    free(json);
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_definition_load(path, tu_codes(), &def, &err) != 0) {
        wd_error_print(stderr, &err);
        fail_msg("test definition %s does not load", name);
    }
    free(path);
    return def;
}

static PGconn *db_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", conninfo, PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

char *tu_db_create(const char *name)
{
    const char *base = getenv("WALIDATA_TEST_DB");
    if (!base)
        fail_msg("WALIDATA_TEST_DB is not set: run the tests with make check");
    PGconn *c = db_connect(base);
    char sql[512];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    size_t n = strlen(base) + strlen(name) + 16;
    char *conninfo = malloc(n);
    snprintf(conninfo, n, "%s dbname=%s", base, name);
    return conninfo;
}

char *tu_db_config(const char *conninfo, const char *extra_json)
{
    char *key = tu_write_str("pseudonym.key", "uji-kunci-rahasia-walidata-0123456789\n");
    size_t n = strlen(conninfo) + strlen(key) + strlen(extra_json ? extra_json : "") + 128;
    char *json = malloc(n);
    snprintf(json, n, "{\"database\": \"%s\", \"pseudonym_key_file\": \"%s\"%s%s}", conninfo,
             key, extra_json && extra_json[0] ? ", " : "", extra_json ? extra_json : "");
    static int seq;
    char name[64];
    snprintf(name, sizeof(name), "walidata-%d.json", ++seq);
    char *path = tu_write_str(name, json);
    free(json);
    free(key);
    return path;
}

char *tu_db_value(const char *conninfo, const char *sql)
{
    PGconn *c = db_connect(conninfo);
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        v = strdup(PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        v = strdup(PQcmdTuples(r));
    else
        print_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return v;
}

void tu_db_exec(const char *conninfo, const char *sql)
{
    char *v = tu_db_value(conninfo, sql);
    if (!v)
        fail_msg("statement failed: %s", sql);
    free(v);
}
