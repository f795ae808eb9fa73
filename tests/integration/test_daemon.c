/*
 * test_daemon.c - `walidata daemon` as a process against a real PostgreSQL (tests/with-pg
 * exports WALIDATA_TEST_DB):
 *
 *  1. files dropped into a unit's folder - plain, gzip, written slowly under a .part name and
 *     renamed, written slowly in place - each loaded once and archived with a receipt; the
 *     refused Bogor extract moved to failed/ with its report and rejects; a symlink refused
 *     and left alone; a hidden file ignored;
 *  2. `job pause` stops taking files, `job resume` takes them within 2 s, `job run` collects
 *     a cron-scheduled drop folder within 2 s (and does not override a pause);
 *  3. SIGTERM during a long run: exit 0 soon after shutdown_timeout, nothing published, the
 *     file still in the inbox;
 *  4. kill -9 during a run (WALIDATA_FAULT=stop-in-copy), then a restart: loaded once;
 *  5. two daemons on one warehouse and fifty files at once: each loaded once;
 *  6. PostgreSQL stopped and started under a running daemon: the file that arrived meanwhile
 *     is loaded once the warehouse is back (only when WALIDATA_TEST_DB is the cluster that
 *     tests/with-pg started, WALIDATA_TEST_CLUSTER or build/pg-test on WALIDATA_PG_PORT or
 *     54328; skipped otherwise);
 *  7. the loop closes cleanly on SIGTERM (exit 0, no "did not close cleanly"), also right
 *     after its LISTEN connection was lost; and that connection is made again within
 *     seconds, so that `job` commands are heard.
 *
 * Each test has its own database (wd_daemon_<test>) and folders, and starts the walidata binary
 * (WALIDATA_BIN) with fork and exec, its stdout and stderr going to a log file that the test
 * reads for the daemon's one line per event (and prints when an assertion fails). The teardown
 * kills whatever daemon a failed test left running, and starts the test cluster again if a test
 * stopped it. WALIDATA_TEST_FILTER=pattern runs only the tests whose names match.
 */
#include "dbassert.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
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
#define BEKASI_NAME "penempatan_2025-08_kota_bekasi.csv"
#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"
#define BOGOR_NAME "penempatan_2025-09_kab_bogor.csv"
#define MAPPING "penempatan_tenaga_kerja"
#define TABLE "walidata.penempatan_tenaga_kerja"
/* every drop folder of these tests is <inbox>/<unit>/penempatan */
#define DATASET_DIR "penempatan"

#define PLACEMENT_HEADER                                                                           \
    "NO;ID;NIK;JK;TGL_LAHIR;PENDIDIKAN;KODE_PROV;KODE_KAB;KBLI;KBJI;PERUSAHAAN;UPAH;"              \
    "TGL_PENEMPATAN;STATUS;MEKANISME\r\n"

/* ---- time ---- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until_wall(double when)
{
    double left = when - wall_now();
    if (left > 0)
        tu_sleep_ms((long)(left * 1000));
}

/* ---- files ---- */

static char *path_join(const char *dir, const char *name)
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

/* Writes a whole file at once (a unit's upload that is complete when it appears). */
static void put_file(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = path_join(dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        fail_msg("open %s: %s", path, strerror(errno));
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    free(path);
}

static char *read_file(const char *path, size_t *len)
{
    char *data = tu_read(path, len);
    if (!data)
        fail_msg("cannot read %s", path);
    return data;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The names in dir, sorted, joined by ','. */
static char *list_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        fail_msg("scandir %s: %s", dir, strerror(errno));
    size_t cap = 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *s = names[i]->d_name;
        if (strcmp(s, ".") != 0 && strcmp(s, "..") != 0) {
            size_t k = strlen(s);
            while (len + k + 2 > cap)
                out = realloc(out, cap *= 2);
            len += (size_t)sprintf(out + len, "%s%s", len ? "," : "", s);
        }
        free(names[i]);
    }
    free(names);
    return out;
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

static char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    uLongf cap = compressBound(len) + 64;
    char *buf = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = (unsigned char *)buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return buf;
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The Bekasi sample (60 rows: 58 valid, 2 rejected) with its IDs' prefix "BKS2508-" replaced
 * by prefix (8 characters), so that the content differs. */
static char *bekasi_variant(const char *prefix, size_t *len)
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

/* A placement extract of n valid rows with IDs <prefix>-000001...; *len gets its size. */
static char *placement_rows(const char *prefix, int n, size_t *len)
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

struct site {
    char *db, *cfg; /* the test's database (conninfo) and a config naming it and the folders */
    char *root, *inbox, *archive, *failed, *outbox;
};

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

/* Runs a command of the site that must exit with status (and without a sanitizer report). */
static void site_expect_at(const char *file, int line, const struct site *s, int status,
                           const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    struct tu_result r = wd_va(s, arg, ap);
    va_end(ap);
    tu_assert_status_at(&r, status, file, line);
    tu_result_free(&r);
}
#define site_expect(s, status, ...)                                                                \
    site_expect_at(__FILE__, __LINE__, (s), (status), __VA_ARGS__, NULL)

/* A fresh database, migrated, with the codes imported, and empty folders under
 * <tmp>/<name>: settle_seconds 1, log_level debug, and the other numbers given. */
static void site_open(struct site *s, const char *name, int rescan, int shutdown_timeout,
                      int workers)
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

static void site_close(struct site *s)
{
    free(s->db);
    free(s->cfg);
    free(s->root);
    free(s->inbox);
    free(s->archive);
    free(s->failed);
    free(s->outbox);
}

/* Adds job name for <inbox>/<unit>/penempatan (made here); schedule NULL for @watch. Returns
 * the folder (caller frees). */
static char *job_add(const struct site *s, const char *name, const char *unit, const char *schedule)
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

/* archive/<unit>/penempatan/YYYY/MM/<name> as the daemon names it today. */
static char *archive_path(const struct site *s, const char *unit, const char *name)
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

static char *outbox_path(const struct site *s, const char *unit, const char *name,
                         const char *suffix)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s/%s%s", s->outbox, unit, name, suffix) < 0)
        abort();
    return p;
}

/* ---- the daemon as a process ---- */

struct daemon_proc {
    pid_t pid;
    char log[PATH_MAX];
    double forked; /* wall-clock time of its fork */
    bool used, ended;
    int status; /* when ended: exit status, or 128 + signal */
};

/* The daemons of the running test, in static storage so that the teardown finds them after a
 * failed assertion left the test's frame. */
#define MAX_PROCS 4
static struct daemon_proc procs[MAX_PROCS];
static bool cluster_stopped; /* test 6 stopped the cluster: the teardown starts it again */

static void procs_forget(struct daemon_proc *d)
{
    d->used = false;
}

/* Prints the last lines of every daemon's log, for a failure's message. */
static void dump_logs(void)
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

#define fail_logs(...)                                                                             \
    do {                                                                                           \
        dump_logs();                                                                               \
        fail_msg(__VA_ARGS__);                                                                     \
    } while (0)

static char *log_text(const struct daemon_proc *d)
{
    char *log = tu_read(d->log, NULL);
    return log ? log : strdup("");
}

static int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static int log_count(const struct daemon_proc *d, const char *needle)
{
    char *log = log_text(d);
    int n = count_in(log, needle);
    free(log);
    return n;
}

/* Whether the daemon has ended (reaping it). */
static bool daemon_ended(struct daemon_proc *d)
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

/* Waits until needle occurs at least n times in the daemon's log; returns the milliseconds
 * waited. Fails when the daemon ends first or after timeout_ms. */
static long wait_log_at(const char *file, int line, struct daemon_proc *d, const char *needle,
                        int n, long timeout_ms)
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
#define wait_log(d, needle, n, timeout_ms)                                                         \
    wait_log_at(__FILE__, __LINE__, (d), (needle), (n), (timeout_ms))

/* Starts `walidata --config CFG daemon`, with WALIDATA_FAULT=fault unless NULL, and waits
 * for its first line. */
static struct daemon_proc *daemon_start(const struct site *s, const char *fault)
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

/* Sends SIGTERM and waits for the daemon to end; returns its status, *ms the time it took.
 * Fails (killing it) after timeout_ms. */
static int daemon_term(struct daemon_proc *d, long timeout_ms, long *ms)
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

/* SIGTERM with nothing running: exit status 0 within 10 s, the loop closed cleanly. */
static void daemon_stop_at(const char *file, int line, struct daemon_proc *d)
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
#define daemon_stop(d) daemon_stop_at(__FILE__, __LINE__, (d))

static void daemon_kill(struct daemon_proc *d)
{
    assert_int_equal(kill(d->pid, SIGKILL), 0);
    int st;
    while (waitpid(d->pid, &st, 0) < 0 && errno == EINTR)
        ;
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    d->ended = true;
    d->status = 128 + SIGKILL;
    procs_forget(d);
}

/* The process state letter of /proc/PID/stat ('T' when stopped), or 0. */
static char proc_state(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *stat = tu_read(path, NULL);
    if (!stat)
        return 0;
    const char *p = strrchr(stat, ')');
    char c = p && p[1] == ' ' ? p[2] : 0;
    free(stat);
    return c;
}

/* ---- the warehouse, queried ---- */

/* Waits until a formatted query's first value is expected; returns the milliseconds waited,
 * fails after timeout_ms showing the last value and the daemons' logs. */
static long wait_sql_at(const char *file, int line, const char *db, long timeout_ms,
                        const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static long wait_sql_at(const char *file, int line, const char *db, long timeout_ms,
                        const char *expected, const char *fmt, ...)
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
#define wait_sql(db, timeout_ms, expected, ...)                                                    \
    wait_sql_at(__FILE__, __LINE__, (db), (timeout_ms), (expected), __VA_ARGS__)

/* Each run of a job as name:state:rows_published, by file name. */
#define RUNS_OF_JOB                                                                                \
    "SELECT coalesce(string_agg(s.name || ':' || r.state || ':' || "                               \
    "coalesce(r.rows_published, 0), ',' ORDER BY s.name, r.run_id), '') FROM etl.run r "           \
    "JOIN etl.source_item s USING (run_id) WHERE r.job = '%s'"

/* Waits until no walidata connection to the test's database is left (the backends of a
 * killed daemon have noticed and rolled back). */
static void wait_no_session(const char *db)
{
    wait_sql(db, 10000, "0",
             "SELECT count(*) FROM pg_stat_activity WHERE datname = "
             "current_database() AND application_name LIKE 'walidata%%'");
}

/* The receipt of an accepted file: its run, counts and SHA-256 as the warehouse has them. */
static void assert_receipt(const struct site *s, const char *unit, const char *name,
                           const char *sha, long long rows, long long valid, long long rejected)
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

/* The file is in the archive, gzip-compressed, holding exactly content. */
static void assert_archived(const struct site *s, const char *unit, const char *name,
                            const char *content, size_t len)
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

static void cluster_paths(char *dir, size_t cap, const char **port)
{
    const char *d = getenv("WALIDATA_TEST_CLUSTER");
    snprintf(dir, cap, "%s", d && d[0] ? d : "build/pg-test");
    const char *p = getenv("WALIDATA_PG_PORT");
    *port = p && p[0] ? p : "54328";
}

static int cluster_ctl(const char *verb)
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

static int teardown(void **state)
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

/* ---- 1. files dropped ---- */

/* A daemon's loop ticks once a second, and a drop folder is scanned only at a tick. Its scan
 * of a folder holding a symlink logs the refusal at once: the first such line tells when the
 * ticks come (returned, wall-clock). */
static double tick_time(struct daemon_proc *d)
{
    long t0 = now_ms();
    while (log_count(d, "refused link.csv") == 0) {
        if (daemon_ended(d) || now_ms() - t0 > 10000)
            fail_logs("the daemon did not refuse link.csv within 10 s");
        tu_sleep_ms(1);
    }
    return wall_now() - 0.005; /* the scan and the line take a few ms after the tick */
}

static double frac(double t)
{
    return t - (double)(long)t;
}

/* Writes data into dir/name in place, in two halves (cut at a line end) with a pause of less
 * than settle_seconds (1) between them, the way a slow upload grows a file. The first half is
 * written 30 ms before a second boundary that one of the daemon's ticks follows by phase
 * (0.1 to 0.7 s), the second half 0.2 s after that tick: a daemon that compares whole seconds
 * of modification time takes the half file at that tick; one that waits until the file has
 * been unchanged for 1 s does not. */
static void write_in_place_slowly(double tick, const char *dir, const char *name, const char *data,
                                  size_t len)
{
    const char *mid = memchr(data + len / 2, '\n', len - len / 2);
    assert_non_null(mid);
    size_t half = (size_t)(mid + 1 - data);
    while (tick < wall_now() + 1.2)
        tick += 1.0;
    double second = (double)(long)tick, phase = tick - second;
    double pause = phase + 0.23;
    pause = pause < 0.5 ? 0.5 : pause > 0.9 ? 0.9 : pause;
    char *path = path_join(dir, name);
    sleep_until_wall(second - 0.03);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, half), (ssize_t)half);
    long t0 = now_ms();
    tu_sleep_ms((long)(pause * 1000));
    assert_int_equal(write(fd, data + half, len - half), (ssize_t)(len - half));
    long paused = now_ms() - t0;
    close(fd);
    print_message("wrote %s in place: half, %ld ms pause at tick phase %.3f s, the rest\n", name,
                  paused, phase);
    if (paused >= 1000) /* too late to tell: the half file had settled */
        fail_msg("the pause between the halves of %s was %ld ms, not under 1 s", name, paused);
    free(path);
}

/* Writes dir/name.part in two halves 0.5 s apart, then renames it to dir/name. */
static void write_part_then_rename(const char *dir, const char *name, const char *data, size_t len)
{
    char part_name[PATH_MAX];
    snprintf(part_name, sizeof(part_name), "%s.part", name);
    char *part = path_join(dir, part_name), *final = path_join(dir, name);
    int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len / 2), (ssize_t)(len / 2));
    tu_sleep_ms(500);
    assert_int_equal(write(fd, data + len / 2, len - len / 2), (ssize_t)(len - len / 2));
    close(fd);
    assert_true(exists(part)); /* ignored while it is a .part */
    assert_int_equal(rename(part, final), 0);
    free(part);
    free(final);
}

static void test_daemon_files_dropped(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "files", 1, 5, 2);
    const char *unit = "disnaker_bekasi";
    char *dir = job_add(&s, "bekasi", unit, NULL);
    /* a symlink to a file outside the inbox, there from the start */
    size_t outside_len;
    char *outside = bekasi_variant("OUT2508-", &outside_len);
    put_file(s.root, "outside.csv", outside, outside_len);
    char *outside_path = path_join(s.root, "outside.csv"), *link = path_join(dir, "link.csv");
    assert_int_equal(symlink(outside_path, link), 0);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "job=bekasi job penempatan_tenaga_kerja from dir:", 1, 10000);
    double tick = tick_time(d);
    if (frac(tick) < 0.1 || frac(tick) > 0.7) {
        /* started again at a moment that puts its ticks mid-second */
        double since_fork = tick - d->forked, at = wall_now() + 0.2;
        daemon_stop(d);
        at += frac(0.35 - frac(since_fork) - frac(at) + 2.0);
        sleep_until_wall(at);
        d = daemon_start(&s, NULL);
        tick = tick_time(d);
    }

    /* the five files and what each is: plain, gzip, .part then renamed, in place slowly, and
     * the refused Bogor extract */
    struct {
        const char *name;
        char *data;
        size_t len;
        char sha[65];
    } f[5];
    f[0].name = "penempatan_2025-08_slow.csv";
    f[0].data = bekasi_variant("SLW2508-", &f[0].len);
    f[1].name = BEKASI_NAME;
    f[1].data = bekasi_variant(NULL, &f[1].len);
    f[2].name = "penempatan_2025-08_gz.csv.gz";
    f[2].data = bekasi_variant("GZB2508-", &f[2].len);
    f[3].name = "penempatan_2025-08_part.csv";
    f[3].data = bekasi_variant("PRT2508-", &f[3].len);
    f[4].name = BOGOR_NAME;
    f[4].data = read_file(BOGOR, &f[4].len);
    for (int i = 0; i < 5; i++)
        sha256_hex(f[i].data, f[i].len, f[i].sha);

    /* in place, slowly, while nothing else is there */
    write_in_place_slowly(tick, dir, f[0].name, f[0].data, f[0].len);
    /* at once: plain, gzip, Bogor, a hidden file */
    put_file(dir, f[1].name, f[1].data, f[1].len);
    size_t gz_len;
    char *gz = gzip_bytes(f[2].data, f[2].len, &gz_len);
    put_file(dir, f[2].name, gz, gz_len);
    put_file(dir, f[4].name, f[4].data, f[4].len);
    size_t hidden_len;
    char *hidden = bekasi_variant("HID2508-", &hidden_len);
    put_file(dir, ".hidden.csv", hidden, hidden_len);
    /* a .part, slowly, then renamed into place */
    write_part_then_rename(dir, f[3].name, f[3].data, f[3].len);

    /* four published, one refused; only the hidden file and the link stay */
    wait_sql(s.db, 30000, "5",
             "SELECT count(*) FROM etl.run WHERE job = 'bekasi' AND state IN ('published', "
             "'refused')");
    long t0 = now_ms();
    char *left = list_dir(dir);
    while (strcmp(left, ".hidden.csv,link.csv") != 0 && now_ms() - t0 < 5000) {
        free(left);
        tu_sleep_ms(50);
        left = list_dir(dir);
    }
    if (strcmp(left, ".hidden.csv,link.csv") != 0)
        fail_logs("the inbox holds %s, expected .hidden.csv,link.csv", left);
    free(left);
    /* two more rescans take nothing more */
    tu_sleep_ms(2500);
    char *runs = sql(s.db, RUNS_OF_JOB, "bekasi");
    if (strcmp(runs, "penempatan_2025-08_gz.csv.gz:published:58,"
                     "penempatan_2025-08_kota_bekasi.csv:published:58,"
                     "penempatan_2025-08_part.csv:published:58,"
                     "penempatan_2025-08_slow.csv:published:58,"
                     "penempatan_2025-09_kab_bogor.csv:refused:0") != 0) {
        char *slow = sql(s.db,
                         "SELECT string_agg(r.rows_read || ' rows read', ',') FROM "
                         "etl.run r JOIN etl.source_item s USING (run_id) WHERE s.name = "
                         "'%s'",
                         f[0].name);
        fail_logs("the runs of the job are %s (the file written in place slowly: %s of 60)", runs,
                  slow);
    }
    free(runs);
    assert_sql(s.db, "5 0 0",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE state NOT IN "
               "('published', 'refused')) || ' ' || count(*) FILTER (WHERE job "
               "IS DISTINCT FROM 'bekasi') FROM etl.run");
    assert_int_equal(log_count(d, "run started"), 5);
    assert_int_equal(log_count(d, "run failed"), 0);

    /* each accepted file: its rows once, its SHA-256 (of the content, gzip or not), archived
     * compressed, a receipt; its 2 rejected rows to the unit */
    assert_sql(s.db, "232 4", "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM " TABLE);
    static const char *const prefixes[] = {"SLW2508-", "BKS2508-", "GZB2508-", "PRT2508-"};
    for (int i = 0; i < 4; i++) {
        assert_sql(s.db, "58", "SELECT count(*) FROM " TABLE " WHERE id_penempatan LIKE '%s%%'",
                   prefixes[i]);
        assert_sql(s.db, f[i].sha,
                   "SELECT encode(sha256, 'hex') FROM etl.source_item WHERE name = '%s'",
                   f[i].name);
        char *in_inbox = path_join(dir, f[i].name);
        assert_false(exists(in_inbox));
        free(in_inbox);
        assert_archived(&s, unit, f[i].name, f[i].data, f[i].len);
        if (i == 2) { /* a gzip file is archived as it came */
            char *archived = archive_path(&s, unit, f[i].name);
            size_t archived_len;
            char *raw = read_file(archived, &archived_len);
            assert_int_equal(archived_len, gz_len);
            assert_memory_equal(raw, gz, gz_len);
            free(raw);
            free(archived);
        }
        assert_receipt(&s, unit, f[i].name, f[i].sha, 60, 58, 2);
        char *rejects = outbox_path(&s, unit, f[i].name, ".rejects.csv");
        char *csv = read_file(rejects, NULL);
        assert_int_equal(count_in(csv, "\r\n"), 3);
        tu_assert_contains(csv, "row,line,field,rule,value,message\r\n");
        tu_assert_contains(csv, "17,18,\"kode_kabkota\",\"parent\",\"3171\",");
        free(csv);
        free(rejects);
        char *report = outbox_path(&s, unit, f[i].name, ".report.json");
        assert_false(exists(report));
        free(report);
    }

    /* the refused file: in failed/ as it came, its report and rejects in the outbox */
    char *failed = NULL;
    if (asprintf(&failed, "%s/%s/%s/%s", s.failed, unit, DATASET_DIR, BOGOR_NAME) < 0)
        abort();
    size_t failed_len;
    char *failed_data = read_file(failed, &failed_len);
    assert_int_equal(failed_len, f[4].len);
    assert_memory_equal(failed_data, f[4].data, f[4].len);
    char *bogor_run = sql(s.db, "SELECT r.run_id FROM etl.run r JOIN etl.source_item s USING "
                                "(run_id) WHERE s.name = '" BOGOR_NAME "'");
    assert_sql(s.db, "refused 40 34 6 f",
               "SELECT concat_ws(' ', r.state, r.rows_read, "
               "r.rows_valid, r.rows_rejected, s.published) FROM "
               "etl.run r JOIN etl.source_item s USING (run_id) "
               "WHERE run_id = %s",
               bogor_run);
    char *report_path = outbox_path(&s, unit, BOGOR_NAME, ".report.json");
    json_error_t je;
    json_t *report = json_load_file(report_path, 0, &je);
    if (!report)
        fail_logs("no report %s: %s", report_path, je.text);
    assert_int_equal(json_integer_value(json_object_get(report, "run_id")), atoll(bogor_run));
    assert_string_equal(json_string_value(json_object_get(report, "state")), "refused");
    assert_int_equal(json_integer_value(json_object_get(report, "rejected")), 6);
    assert_true(json_is_false(json_object_get(report, "accepted")));
    json_decref(report);
    char *rejects_path = outbox_path(&s, unit, BOGOR_NAME, ".rejects.csv");
    char *csv = read_file(rejects_path, NULL);
    char *nrejects = sql(s.db, "SELECT count(*) + 1 FROM etl.reject WHERE run_id = %s", bogor_run);
    assert_int_equal(count_in(csv, "\r\n"), atoi(nrejects));
    tu_assert_contains(csv, ",\"parent\",\"3374\",");
    char *receipt = outbox_path(&s, unit, BOGOR_NAME, ".receipt.json");
    assert_false(exists(receipt));

    /* the link: not followed, left where it is, refused in the log; the hidden file ignored */
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_true(exists(outside_path));
    char *log = log_text(d);
    tu_assert_contains(log, "warning job=bekasi refused link.csv: a symlink");
    assert_int_equal(count_in(log, ".hidden.csv"), 0);
    assert_sql(s.db, "0",
               "SELECT count(*) FROM etl.source_item WHERE name IN ('link.csv', "
               "'.hidden.csv', 'outside.csv')");
    assert_sql(s.db, "0",
               "SELECT count(*) FROM " TABLE " WHERE id_penempatan LIKE 'HID%%' OR "
               "id_penempatan LIKE 'OUT%%'");
    print_message("the symlink was refused in %d log lines\n", count_in(log, "refused link.csv"));
    free(log);

    daemon_stop(d);
    free(receipt);
    free(nrejects);
    free(csv);
    free(rejects_path);
    free(report_path);
    free(bogor_run);
    free(failed_data);
    free(failed);
    free(link);
    free(outside_path);
    free(outside);
    free(hidden);
    free(gz);
    for (int i = 0; i < 5; i++)
        free(f[i].data);
    free(dir);
    site_close(&s);
}

/* ---- 2. job pause, resume, run ---- */

static void test_daemon_pause_resume_run(void **state)
{
    (void)state;
    struct site s;
    /* no periodic rescan in this test: what happens, the commands make happen */
    site_open(&s, "commands", 3600, 5, 2);
    const char *unit = "disnaker_bekasi";
    char *dir = job_add(&s, "bekasi", unit, NULL);
    /* a drop folder collected once a year (1 January), where a file waits already */
    char *yearly = job_add(&s, "bogor-tahunan", "disnaker_bogor", "0 0 1 1 *");
    size_t waiting_len;
    char *waiting = bekasi_variant("YRL2508-", &waiting_len);
    put_file(yearly, "penempatan_yearly.csv", waiting, waiting_len);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "job=bekasi job penempatan_tenaga_kerja from dir:", 1, 10000);
    wait_log(d, "job=bogor-tahunan job penempatan_tenaga_kerja from dir:", 1, 10000);

    /* paused: a file dropped stays */
    site_expect(&s, 0, "job", "pause", "bekasi");
    tu_sleep_ms(1000);
    size_t len;
    char *data = bekasi_variant(NULL, &len);
    put_file(dir, BEKASI_NAME, data, len);
    tu_sleep_ms(3000);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.run");
    char *in_inbox = path_join(dir, BEKASI_NAME);
    assert_true(exists(in_inbox));
    assert_int_equal(log_count(d, "run started"), 0);

    /* resumed: taken within 2 s */
    site_expect(&s, 0, "job", "resume", "bekasi");
    long t0 = now_ms();
    wait_sql(s.db, 2000, BEKASI_NAME ":published:58", RUNS_OF_JOB, "bekasi");
    long took = now_ms() - t0;
    print_message("paused job: file published %ld ms after job resume\n", took);
    char sha[65];
    sha256_hex(data, len, sha);
    wait_log(d, "moved to", 1, 2000);
    assert_receipt(&s, unit, BEKASI_NAME, sha, 60, 58, 2);
    assert_false(exists(in_inbox));

    /* the yearly folder was not collected at start, and is by job run, within 2 s */
    assert_sql(s.db, "", RUNS_OF_JOB, "bogor-tahunan");
    char *yearly_file = path_join(yearly, "penempatan_yearly.csv");
    assert_true(exists(yearly_file));
    site_expect(&s, 0, "job", "run", "bogor-tahunan");
    t0 = now_ms();
    wait_sql(s.db, 2000, "penempatan_yearly.csv:published:58", RUNS_OF_JOB, "bogor-tahunan");
    print_message("job run: file published %ld ms after job run\n", now_ms() - t0);
    wait_log(d, "job=bogor-tahunan run requested", 1, 1000);
    /* the file is archived after the commit that published it: wait for that move */
    wait_log(d, "moved to", 2, 2000);
    assert_false(exists(yearly_file));
    assert_archived(&s, "disnaker_bogor", "penempatan_yearly.csv", waiting, waiting_len);
    /* the request was handled once */
    assert_sql(s.db, "", "SELECT run_requested FROM etl.job WHERE name = 'bogor-tahunan'");

    /* paused again: job run does not override the pause */
    site_expect(&s, 0, "job", "pause", "bekasi");
    tu_sleep_ms(1000);
    size_t second_len;
    char *second = bekasi_variant("BKT2508-", &second_len);
    put_file(dir, "penempatan_2025-08_kedua.csv", second, second_len);
    site_expect(&s, 0, "job", "run", "bekasi");
    tu_sleep_ms(2500);
    assert_sql(s.db, "1", "SELECT count(*) FROM etl.run WHERE job = 'bekasi'");
    char *second_path = path_join(dir, "penempatan_2025-08_kedua.csv");
    assert_true(exists(second_path));
    site_expect(&s, 0, "job", "resume", "bekasi");
    wait_sql(s.db, 2000, "2",
             "SELECT count(*) FROM etl.run WHERE job = 'bekasi' AND state = "
             "'published'");

    daemon_stop(d);
    free(second_path);
    free(second);
    free(yearly_file);
    free(in_inbox);
    free(data);
    free(waiting);
    free(yearly);
    free(dir);
    site_close(&s);
}

/* ---- 3. SIGTERM during a long run ---- */

static void test_daemon_sigterm_during_run(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "sigterm", 1, 1, 2);
    char *dir = job_add(&s, "besar", "disnaker_jabar", NULL);
    size_t len;
    char *data = placement_rows("TRM", 300000, &len);
    /* paced, so that the run outlasts the 1 s drain on any machine (3 s at least) */
    struct daemon_proc *d = daemon_start(&s, "slow-rows");
    wait_log(d, "job=besar job penempatan_tenaga_kerja", 1, 10000);
    put_file(dir, "penempatan_besar.csv", data, len);
    wait_log(d, "run started", 1, 15000);
    /* the rows are streaming into the warehouse */
    wait_sql(s.db, 20000, "1",
             "SELECT count(*) FROM pg_stat_activity WHERE datname = "
             "current_database() AND application_name = 'walidata' AND "
             "state = 'active' AND query LIKE 'COPY%%'");
    long ms;
    int status = daemon_term(d, 30000, &ms);
    print_message("SIGTERM during a run of 300000 rows: exit %d after %ld ms "
                  "(shutdown_timeout 1 s)\n",
                  status, ms);
    char *log = log_text(d);
    if (status != 0 || ms > 1000 + 4000)
        fail_logs("after SIGTERM: exit status %d after %ld ms; expected 0 within 5 s", status, ms);
    tu_assert_contains(log, "SIGTERM: taking no new work");
    tu_assert_contains(log, "runs still going after 1 s; cancelling them");
    tu_assert_contains(log, "stopped (runs cancelled)");
    assert_null(strstr(log, "did not close cleanly"));
    procs_forget(d);
    /* nothing of it published or left half-done; the file waits in the inbox as it came */
    wait_no_session(s.db);
    assert_sql(s.db, "0 0",
               "SELECT count(*) FILTER (WHERE state IN ('published', 'running')) "
               "|| ' ' || count(*) FROM etl.run");
    assert_sql(s.db, "0", "SELECT count(*) FROM " TABLE);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.source_item");
    char *backoff = sql(s.db, "SELECT concat_ws(' ', failures, retry_at > now()) FROM etl.job");
    print_message("the job after its run was cancelled: failures and backoff \"%s\"\n", backoff);
    free(backoff);
    char *path = path_join(dir, "penempatan_besar.csv");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, (off_t)len);
    char *archived = archive_path(&s, "disnaker_jabar", "penempatan_besar.csv");
    assert_false(exists(archived));
    char *receipt = outbox_path(&s, "disnaker_jabar", "penempatan_besar.csv", ".receipt.json");
    assert_false(exists(receipt));
    free(receipt);
    free(archived);
    free(path);
    free(log);
    free(data);
    free(dir);
    site_close(&s);
}

/* ---- 4. kill -9 during a run, then a restart ---- */

static void test_daemon_killed_then_restarted(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "killed", 1, 5, 2);
    char *dir = job_add(&s, "jateng", "disnaker_jateng", NULL);
    size_t len;
    char *data = placement_rows("KIL", 3000, &len);
    char sha[65];
    sha256_hex(data, len, sha);
    struct daemon_proc *d = daemon_start(&s, "stop-in-copy");
    wait_log(d, "job=jateng job penempatan_tenaga_kerja", 1, 10000);
    put_file(dir, "penempatan_kill.csv", data, len);
    /* the run stops the daemon after its 1000th row */
    long t0 = now_ms();
    while (proc_state(d->pid) != 'T') {
        if (daemon_ended(d) || now_ms() - t0 > 20000)
            fail_logs("the daemon with WALIDATA_FAULT=stop-in-copy did not stop (ended: %d)",
                      d->ended);
        tu_sleep_ms(5);
    }
    char *log = log_text(d);
    tu_assert_contains(log, "run started");
    free(log);
    daemon_kill(d);
    wait_no_session(s.db);
    assert_sql(s.db, "0", "SELECT count(*) FROM etl.run");
    assert_sql(s.db, "0", "SELECT count(*) FROM " TABLE);
    char *path = path_join(dir, "penempatan_kill.csv");
    assert_true(exists(path));

    /* restarted without the fault: loaded once */
    struct daemon_proc *again = daemon_start(&s, NULL);
    wait_sql(s.db, 20000, "penempatan_kill.csv:published:3000", RUNS_OF_JOB, "jateng");
    wait_log(again, "moved to", 1, 5000);
    tu_sleep_ms(2000); /* two more rescans */
    assert_sql(s.db, "1 3000 3000 3000",
               "SELECT count(*) || ' ' || sum(rows_read) || ' ' || "
               "sum(rows_valid) || ' ' || sum(rows_published) FROM "
               "etl.run");
    assert_sql(s.db, "3000 3000 1",
               "SELECT count(*) || ' ' || count(DISTINCT id_penempatan) || "
               "' ' || count(DISTINCT _run_id) FROM " TABLE);
    assert_sql(s.db, sha, "SELECT encode(sha256, 'hex') FROM etl.source_item");
    assert_false(exists(path));
    assert_archived(&s, "disnaker_jateng", "penempatan_kill.csv", data, len);
    assert_receipt(&s, "disnaker_jateng", "penempatan_kill.csv", sha, 3000, 3000, 0);
    daemon_stop(again);
    free(path);
    free(data);
    free(dir);
    site_close(&s);
}

/* ---- 5. two daemons, fifty files ---- */

#define NFILES 50
#define ROWS_PER_FILE 5

static void test_daemon_two_daemons_fifty_files(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "two", 1, 5, 2);
    char *dir = job_add(&s, "banten", "disnaker_banten", NULL);
    struct daemon_proc *a = daemon_start(&s, NULL);
    struct daemon_proc *b = daemon_start(&s, NULL);
    wait_log(a, "job=banten job penempatan_tenaga_kerja", 1, 10000);
    wait_log(b, "job=banten job penempatan_tenaga_kerja", 1, 10000);
    long t0 = now_ms();
    for (int i = 0; i < NFILES; i++) {
        char prefix[16], name[64];
        snprintf(prefix, sizeof(prefix), "F%02d", i);
        snprintf(name, sizeof(name), "penempatan_%02d.csv", i);
        size_t len;
        char *data = placement_rows(prefix, ROWS_PER_FILE, &len);
        put_file(dir, name, data, len);
        free(data);
    }
    wait_sql(s.db, 120000, "50", "SELECT count(*) FROM etl.run WHERE state = 'published'");
    long took = now_ms() - t0;
    tu_sleep_ms(1500);
    int by_a = log_count(a, "info job=banten run="), by_b = log_count(b, "info job=banten run=");
    print_message("two daemons, %d files: all published after %ld ms (log lines with a run: "
                  "%d and %d)\n",
                  NFILES, took, by_a, by_b);
    assert_sql(s.db, "50 50 50",
               "SELECT count(*) || ' ' || count(DISTINCT s.sha256) || ' ' || "
               "count(DISTINCT s.name) FROM etl.run r JOIN etl.source_item s "
               "USING (run_id) WHERE r.state = 'published'");
    assert_sql(s.db, "50", "SELECT count(*) FROM etl.run");
    char want[32];
    snprintf(want, sizeof(want), "%d %d %d", NFILES * ROWS_PER_FILE, NFILES * ROWS_PER_FILE,
             NFILES);
    assert_sql(s.db, want,
               "SELECT count(*) || ' ' || count(DISTINCT id_penempatan) || ' ' || "
               "count(DISTINCT _run_id) FROM " TABLE);
    char *left = list_dir(dir);
    assert_string_equal(left, "");
    free(left);
    for (int i = 0; i < NFILES; i++) {
        char name[64];
        snprintf(name, sizeof(name), "penempatan_%02d.csv", i);
        char *p = archive_path(&s, "disnaker_banten", name);
        if (!exists(p))
            fail_logs("%s was not archived", name);
        free(p);
    }
    assert_int_equal(log_count(a, "run failed") + log_count(b, "run failed"), 0);
    assert_int_equal(log_count(a, "error ") + log_count(b, "error "), 0);
    daemon_stop(a);
    daemon_stop(b);
    free(dir);
    site_close(&s);
}

/* ---- 6. PostgreSQL restarted under the daemon ---- */

static void test_daemon_postgres_restarted(void **state)
{
    (void)state;
    /* only the cluster that tests/with-pg started can be stopped and started here */
    char dir[PATH_MAX], real[PATH_MAX], host[PATH_MAX + 32];
    const char *port;
    cluster_paths(dir, sizeof(dir), &port);
    const char *base = getenv("WALIDATA_TEST_DB");
    snprintf(host, sizeof(host), "host=%s/socket port=%s ", realpath(dir, real) ? real : dir, port);
    if (!base || strncmp(base, host, strlen(host)) != 0) {
        print_message("skipped: WALIDATA_TEST_DB (%s) is not the cluster %s on port %s that "
                      "this test can restart\n",
                      base ? base : "unset", dir, port);
        skip();
    }
    struct site s;
    site_open(&s, "pgrestart", 1, 5, 2);
    const char *unit = "disnaker_jatim";
    char *inbox = job_add(&s, "jatim", unit, NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=jatim job penempatan_tenaga_kerja", 1, 10000);
    /* a first file, so that the workers hold connections */
    size_t first_len, second_len;
    char *first = bekasi_variant("JT12508-", &first_len);
    char *second = bekasi_variant("JT22508-", &second_len);
    put_file(inbox, "penempatan_pertama.csv", first, first_len);
    wait_sql(s.db, 10000, "penempatan_pertama.csv:published:58", RUNS_OF_JOB, "jatim");
    wait_log(d, "moved to", 1, 5000);

    cluster_stopped = true;
    assert_int_equal(cluster_ctl("stop"), 0);
    wait_log(d, "lost the warehouse connection", 1, 10000);
    put_file(inbox, "penempatan_kedua.csv", second, second_len);
    tu_sleep_ms(3000);
    char *in_inbox = path_join(inbox, "penempatan_kedua.csv");
    assert_true(exists(in_inbox)); /* not lost while the warehouse is away */
    assert_false(daemon_ended(d));
    assert_int_equal(cluster_ctl("start"), 0);
    cluster_stopped = false;
    long t0 = now_ms();
    wait_sql(s.db, 20000, "penempatan_kedua.csv:published:58,penempatan_pertama.csv:published:58",
             RUNS_OF_JOB, "jatim");
    print_message("PostgreSQL restarted: the waiting file published %ld ms after the start\n",
                  now_ms() - t0);
    wait_log(d, "listening for job changes", 2, 10000);
    tu_sleep_ms(1500);
    assert_sql(s.db, "2 116", "SELECT count(*) || ' ' || sum(rows_published) FROM etl.run");
    assert_sql(s.db, "116 2", "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM " TABLE);
    assert_false(exists(in_inbox));
    assert_archived(&s, unit, "penempatan_kedua.csv", second, second_len);
    char sha[65];
    sha256_hex(second, second_len, sha);
    assert_receipt(&s, unit, "penempatan_kedua.csv", sha, 60, 58, 2);
    /* the job is not left backing off */
    assert_sql(s.db, "0 t", "SELECT concat_ws(' ', failures, retry_at IS NULL) FROM etl.job");
    daemon_stop(d);
    free(in_inbox);
    free(first);
    free(second);
    free(inbox);
    site_close(&s);
}

/* ---- 7. the loop closes cleanly ---- */

/* Cuts the daemon's LISTEN connection (its backend terminated) and waits until it says so. */
static void cut_listen(const struct site *s, struct daemon_proc *d, int times)
{
    assert_sql(s->db, "1",
               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
               "datname = current_database() AND application_name = 'walidata "
               "daemon'");
    wait_log(d, "lost the warehouse connection", times, 10000);
}

static void test_daemon_closes_cleanly(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "clean", 1, 5, 2);
    char *dir = job_add(&s, "ntb", "disnaker_ntb", NULL);

    /* started and stopped with nothing to do */
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    tu_sleep_ms(1500);
    daemon_stop(d);
    char *log = log_text(d);
    tu_assert_contains(log, "SIGTERM: taking no new work");
    assert_null(strstr(log, "runs cancelled"));
    free(log);

    /* after a run */
    struct daemon_proc *e = daemon_start(&s, NULL);
    wait_log(e, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    size_t len;
    char *data = bekasi_variant(NULL, &len);
    put_file(dir, BEKASI_NAME, data, len);
    wait_sql(s.db, 10000, BEKASI_NAME ":published:58", RUNS_OF_JOB, "ntb");
    wait_log(e, "moved to", 1, 5000);
    daemon_stop(e);
    free(data);
    free(dir);
    site_close(&s);
}

/* The same right after its LISTEN connection was lost. */
static void test_daemon_closes_cleanly_after_listen_lost(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "cut", 1, 5, 2);
    char *dir = job_add(&s, "ntb", "disnaker_ntb", NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=ntb job penempatan_tenaga_kerja", 1, 10000);
    cut_listen(&s, d, 1);
    daemon_stop(d);
    free(dir);
    site_close(&s);
}

/* After its LISTEN connection is cut, the daemon connects again and hears `job` commands
 * within seconds (not only at its 30-s resync), and still closes cleanly. */
static void test_daemon_listen_reconnects(void **state)
{
    (void)state;
    struct site s;
    site_open(&s, "relisten", 1, 5, 2);
    char *dir = job_add(&s, "ntt", "disnaker_ntt", NULL);
    struct daemon_proc *d = daemon_start(&s, NULL);
    wait_log(d, "listening for job changes", 1, 10000);
    wait_log(d, "job=ntt job penempatan_tenaga_kerja", 1, 10000);
    cut_listen(&s, d, 1);
    long t0 = now_ms();
    wait_log(d, "listening for job changes", 2, 5000);
    print_message("LISTEN connection made again %ld ms after it was cut\n", now_ms() - t0);
    site_expect(&s, 0, "job", "run", "ntt");
    wait_log(d, "job=ntt run requested", 1, 3000);
    daemon_stop(d);
    free(dir);
    site_close(&s);
}

int main(void)
{
    tu_on_failure = dump_logs; /* a failed query or status shows what the daemons logged */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_daemon_files_dropped, teardown),
        cmocka_unit_test_teardown(test_daemon_pause_resume_run, teardown),
        cmocka_unit_test_teardown(test_daemon_sigterm_during_run, teardown),
        cmocka_unit_test_teardown(test_daemon_killed_then_restarted, teardown),
        cmocka_unit_test_teardown(test_daemon_two_daemons_fifty_files, teardown),
        cmocka_unit_test_teardown(test_daemon_postgres_restarted, teardown),
        cmocka_unit_test_teardown(test_daemon_closes_cleanly, teardown),
        cmocka_unit_test_teardown(test_daemon_closes_cleanly_after_listen_lost, teardown),
        cmocka_unit_test_teardown(test_daemon_listen_reconnects, teardown),
    };
    /* WALIDATA_TEST_FILTER=test_daemon_clean* runs the tests whose names match */
    const char *filter = getenv("WALIDATA_TEST_FILTER");
    if (filter && filter[0])
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
