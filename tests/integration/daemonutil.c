/*
 * daemonutil.c - the helpers the daemon tests share: sites and their folders, the daemon as a
 * process (forked and exec'd, its stdout and stderr in a log file), waiting on its log and on
 * the warehouse, and the teardown. The daemons of the running test are kept in static storage,
 * so that the teardown and dump_logs find them after a failed assertion left the test's frame.
 */
#include "daemonutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define MAPPING "penempatan_tenaga_kerja"

#define PLACEMENT_HEADER                                                                           \
    "NO;ID;NIK;JK;TGL_LAHIR;PENDIDIKAN;KODE_PROV;KODE_KAB;KBLI;KBJI;PERUSAHAAN;UPAH;"              \
    "TGL_PENEMPATAN;STATUS;MEKANISME\r\n"

/* ---- time ---- */

long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files ---- */

char *path_join(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        abort();
    return p;
}

static void mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", buf, strerror(errno));
}

void put_file(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = path_join(dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        fail_msg("open %s: %s", path, strerror(errno));
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    free(path);
}

char *read_file(const char *path, size_t *len)
{
    char *data = tu_read(path, len);
    if (!data)
        fail_msg("cannot read %s", path);
    return data;
}

bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The content of a gzip file (or of a plain one: zlib reads it as it is). */
static char *gunzip_file(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int got;
    while ((got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    assert_int_equal(got, 0);
    gzclose(f);
    *len = n;
    return buf;
}

void sha256_hex(const char *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

char *bekasi_variant(const char *prefix, size_t *len)
{
    char *data = read_file(BEKASI, len);
    if (!prefix)
        return data;
    assert_int_equal(strlen(prefix), 8);
    int found = 0;
    for (char *p = data; (p = memmem(p, *len - (size_t)(p - data), "BKS2508-", 8)); p += 8) {
        memcpy(p, prefix, 8);
        found++;
    }
    assert_int_equal(found, 60);
    return data;
}

char *placement_rows(const char *prefix, int n, size_t *len)
{
    size_t cap = (size_t)n * 160 + 256;
    char *buf = malloc(cap);
    size_t l = (size_t)snprintf(buf, cap, "%s", PLACEMENT_HEADER);
    for (int i = 1; i <= n; i++)
        l += (size_t)snprintf(buf + l, cap - l,
                              "%d;%s-%06d;3275024902897738;2;09/02/1989;3;32;3275;85154;7214.03;"
                              "PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                              i, prefix, i);
    *len = l;
    return buf;
}

/* ---- the warehouse and its folders ---- */

static const char *walidata_bin(void)
{
    const char *bin = getenv("WALIDATA_BIN");
    return bin ? bin : "build/walidata";
}

/* Runs walidata --config CFG ARGS... (NULL-terminated). */
static struct tu_result wd_va(const struct site *s, const char *arg, va_list ap)
{
    char *argv[64];
    size_t n = 0;
    argv[n++] = (char *)walidata_bin();
    argv[n++] = "--config";
    argv[n++] = s->cfg;
    for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    argv[n] = NULL;
    return tu_run(argv);
}

void site_expect_at(const char *file, int line, const struct site *s, int status, const char *arg,
                    ...)
{
    va_list ap;
    va_start(ap, arg);
    struct tu_result r = wd_va(s, arg, ap);
    va_end(ap);
    tu_assert_status_at(&r, status, file, line);
    tu_result_free(&r);
}

void site_open(struct site *s, const char *name, int rescan, int shutdown_timeout, int workers)
{
    s->root = path_join(tu_tmpdir(), name);
    s->inbox = path_join(s->root, "inbox");
    s->archive = path_join(s->root, "archive");
    s->failed = path_join(s->root, "failed");
    s->outbox = path_join(s->root, "outbox");
    mkdir_p(s->inbox);
    char extra[4 * PATH_MAX];
    snprintf(extra, sizeof(extra),
             "\"inbox\": \"%s\", \"archive\": \"%s\", \"failed\": \"%s\", \"outbox\": \"%s\", "
             "\"settle_seconds\": 1, \"rescan_seconds\": %d, \"shutdown_timeout\": %d, "
             "\"workers\": %d, \"log_level\": \"debug\"",
             s->inbox, s->archive, s->failed, s->outbox, rescan, shutdown_timeout, workers);
    char dbname[64];
    snprintf(dbname, sizeof(dbname), "wd_daemon_%s", name);
    s->db = tu_db_create(dbname);
    s->cfg = tu_db_config(s->db, extra);
    site_expect(s, 0, "db", "migrate");
    site_expect(s, 0, "codes", "import");
}

void site_close(struct site *s)
{
    free(s->db);
    free(s->cfg);
    free(s->root);
    free(s->inbox);
    free(s->archive);
    free(s->failed);
    free(s->outbox);
}

char *job_add(const struct site *s, const char *name, const char *unit, const char *schedule)
{
    char *unit_dir = path_join(s->inbox, unit);
    char *dir = path_join(unit_dir, DATASET_DIR);
    free(unit_dir);
    mkdir_p(dir);
    char source[PATH_MAX + 8];
    snprintf(source, sizeof(source), "dir:%s", dir);
    if (schedule)
        site_expect(s, 0, "job", "add", name, "--mapping", MAPPING, "--source", source, "--schedule",
                  schedule);
    else
        site_expect(s, 0, "job", "add", name, "--mapping", MAPPING, "--source", source);
    return dir;
}

char *archive_path(const struct site *s, const char *unit, const char *name)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    size_t n = strlen(name);
    bool gz = n > 3 && strcmp(name + n - 3, ".gz") == 0;
    char *p = NULL;
    if (asprintf(&p, "%s/%s/%s/%04d/%02d/%s%s", s->archive, unit, DATASET_DIR, tm.tm_year + 1900,
                 tm.tm_mon + 1, name, gz ? "" : ".gz") < 0)
        abort();
    return p;
}

char *outbox_path(const struct site *s, const char *unit, const char *name, const char *suffix)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s/%s%s", s->outbox, unit, name, suffix) < 0)
        abort();
    return p;
}

/* ---- the daemon as a process ---- */

/* The daemons of the running test, in static storage so that the teardown finds them after a
 * failed assertion left the test's frame. */
#define MAX_PROCS 4
static struct daemon_proc procs[MAX_PROCS];
bool cluster_stopped; /* a test stopped the cluster: the teardown starts it again */

void procs_forget(struct daemon_proc *d)
{
    d->used = false;
}

void dump_logs(void)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        if (!procs[i].used)
            continue;
        size_t len;
        char *log = tu_read(procs[i].log, &len);
        const char *from = log ? log : "";
        if (log && len > 6000)
            from = log + len - 6000;
        fprintf(stderr, "--- daemon %d (pid %d) log %s:\n%s\n", i, (int)procs[i].pid, procs[i].log,
                from);
        fflush(stderr);
        free(log);
    }
}

char *log_text(const struct daemon_proc *d)
{
    char *log = tu_read(d->log, NULL);
    return log ? log : strdup("");
}

int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

int log_count(const struct daemon_proc *d, const char *needle)
{
    char *log = log_text(d);
    int n = count_in(log, needle);
    free(log);
    return n;
}

bool daemon_ended(struct daemon_proc *d)
{
    if (d->ended)
        return true;
    int st;
    if (waitpid(d->pid, &st, WNOHANG) != d->pid)
        return false;
    d->ended = true;
    d->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
}

long wait_log_at(const char *file, int line, struct daemon_proc *d, const char *needle, int n,
                 long timeout_ms)
{
    long t0 = now_ms();
    for (;;) {
        if (log_count(d, needle) >= n)
            return now_ms() - t0;
        if (daemon_ended(d)) {
            dump_logs();
            print_error("%s:%d: the daemon ended (status %d) before its log said \"%s\"\n", file,
                        line, d->status, needle);
            _fail(file, line);
        }
        if (now_ms() - t0 > timeout_ms) {
            dump_logs();
            print_error("%s:%d: after %ld ms the daemon's log does not say \"%s\" %d times\n", file,
                        line, timeout_ms, needle, n);
            _fail(file, line);
        }
        tu_sleep_ms(2);
    }
}

struct daemon_proc *daemon_start(const struct site *s, const char *fault)
{
    static int seq;
    struct daemon_proc *d = NULL;
    for (int i = 0; i < MAX_PROCS && !d; i++)
        if (!procs[i].used)
            d = &procs[i];
    assert_non_null(d);
    memset(d, 0, sizeof(*d));
    snprintf(d->log, sizeof(d->log), "%s/daemon-%d.log", tu_tmpdir(), ++seq);
    d->forked = wall_now();
    d->pid = fork();
    assert_true(d->pid >= 0);
    if (d->pid == 0) {
        int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (fd < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fault)
            setenv("WALIDATA_FAULT", fault, 1);
        else
            unsetenv("WALIDATA_FAULT");
        /* plain log lines with their levels, and no systemd to talk to */
        unsetenv("JOURNAL_STREAM");
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        execl(walidata_bin(), walidata_bin(), "--config", s->cfg, "daemon", (char *)NULL);
        _exit(127);
    }
    d->used = true;
    wait_log(d, "walidata daemon started", 1, 30000);
    return d;
}

int daemon_term(struct daemon_proc *d, long timeout_ms, long *ms)
{
    long t0 = now_ms();
    if (!daemon_ended(d))
        assert_int_equal(kill(d->pid, SIGTERM), 0);
    while (!daemon_ended(d)) {
        if (now_ms() - t0 > timeout_ms) {
            dump_logs();
            kill(d->pid, SIGKILL);
            waitpid(d->pid, NULL, 0);
            procs_forget(d);
            fail_msg("the daemon did not end within %ld ms of SIGTERM", timeout_ms);
        }
        tu_sleep_ms(5);
    }
    if (ms)
        *ms = now_ms() - t0;
    return d->status;
}

void daemon_stop_at(const char *file, int line, struct daemon_proc *d)
{
    int status = daemon_term(d, 10000, NULL);
    char *log = log_text(d);
    bool unclean = strstr(log, "did not close cleanly") != NULL;
    bool stopped = strstr(log, "info stopped") != NULL;
    free(log);
    if (status != 0 || unclean || !stopped) {
        dump_logs();
        print_error("%s:%d: the daemon ended with status %d after SIGTERM (expected 0 and a "
                    "clean close)\n",
                    file, line, status);
        procs_forget(d);
        _fail(file, line);
    }
    procs_forget(d);
}

/* ---- the warehouse, queried ---- */

long wait_sql_at(const char *file, int line, const char *db, long timeout_ms, const char *expected,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = NULL;
    if (vasprintf(&q, fmt, ap) < 0)
        abort();
    va_end(ap);
    long t0 = now_ms();
    for (;;) {
        char *v = tu_db_value(db, q);
        bool done = v && strcmp(v, expected) == 0;
        if (done || now_ms() - t0 > timeout_ms) {
            if (!done) {
                dump_logs();
                print_error("%s:%d: after %ld ms: %s\n  expected \"%s\"\n  found    \"%s\"\n", file,
                            line, timeout_ms, q, expected, v ? v : "(error)");
                free(v);
                free(q);
                _fail(file, line);
            }
            free(v);
            free(q);
            return now_ms() - t0;
        }
        free(v);
        tu_sleep_ms(25);
    }
}

void assert_receipt(const struct site *s, const char *unit, const char *name, const char *sha,
                    long long rows, long long valid, long long rejected)
{
    char *path = outbox_path(s, unit, name, ".receipt.json");
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!o)
        fail_logs("no receipt %s: %s", path, je.text);
    char *run = sql(s->db,
                    "SELECT r.run_id FROM etl.run r JOIN etl.source_item s USING "
                    "(run_id) WHERE s.name = '%s' AND r.state = 'published'",
                    name);
    assert_int_equal(json_integer_value(json_object_get(o, "run_id")), atoll(run));
    assert_string_equal(json_string_value(json_object_get(o, "file")), name);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "published");
    assert_string_equal(json_string_value(json_object_get(o, "sha256")), sha);
    assert_int_equal(json_integer_value(json_object_get(o, "rows")), rows);
    assert_int_equal(json_integer_value(json_object_get(o, "valid")), valid);
    assert_int_equal(json_integer_value(json_object_get(o, "rejected")), rejected);
    json_decref(o);
    free(run);
    free(path);
}

void assert_archived(const struct site *s, const char *unit, const char *name, const char *content,
                     size_t len)
{
    char *path = archive_path(s, unit, name);
    if (!exists(path))
        fail_logs("%s was not archived as %s", name, path);
    size_t got_len;
    char *got = gunzip_file(path, &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, content, len);
    /* compressed: it starts with gzip's magic */
    char *raw = read_file(path, NULL);
    assert_true((unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b);
    free(raw);
    free(got);
    free(path);
}

/* ---- teardown ---- */

void cluster_paths(char *dir, size_t cap, const char **port)
{
    const char *d = getenv("WALIDATA_TEST_CLUSTER");
    snprintf(dir, cap, "%s", d && d[0] ? d : "build/pg-test");
    const char *p = getenv("WALIDATA_PG_PORT");
    *port = p && p[0] ? p : "54328";
}

int cluster_ctl(const char *verb)
{
    char dir[PATH_MAX], env_port[64];
    const char *port;
    cluster_paths(dir, sizeof(dir), &port);
    snprintf(env_port, sizeof(env_port), "WALIDATA_PG_PORT=%s", port);
    /* as tests/with-pg starts it */
    char *argv[] = {"env", "WALIDATA_PG_FSYNC=off", env_port, "tests/pg-cluster", (char *)verb, dir,
                    NULL};
    struct tu_result r = tu_run(argv);
    int status = r.status;
    if (status != 0)
        print_error("tests/pg-cluster %s %s: status %d\n%s%s\n", verb, dir, status, r.out, r.err);
    tu_result_free(&r);
    return status;
}

int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_PROCS; i++) {
        if (!procs[i].used)
            continue;
        if (!procs[i].ended) {
            kill(procs[i].pid, SIGKILL);
            waitpid(procs[i].pid, NULL, 0);
        }
        procs[i].used = false;
    }
    if (cluster_stopped) {
        cluster_stopped = false;
        if (cluster_ctl("start") != 0)
            return -1;
    }
    return 0;
}
