/*
 * test_load.c - `walidata load` against a real PostgreSQL (tests/with-pg exports
 * WALIDATA_TEST_DB): a sample published with its run, rejects, quality and lineage; the same
 * content refused as a duplicate (renamed or gzipped too) unless forced; a refused file that
 * publishes nothing but is recorded; a corrected period replacing only that period; a run
 * killed in COPY, in publish or before COMMIT, and a run whose connection is cut, leaving the
 * warehouse as it was; two runs at once (the same content; the same period); a file that
 * cannot be read; values that could break COPY's text format landing verbatim, in the
 * dataset and in the rejects; pseudonymized, dropped and personal fields; a missing
 * pseudonym key. (The commands that show runs and check the audit chain: test_runs.c.)
 *
 * Each test makes its own database (wd_<test>) and runs the walidata binary as a process. The
 * kill tests fork and exec it themselves with WALIDATA_FAULT set, which makes it SIGSTOP
 * itself at a named point; the test then kills it with SIGKILL, or cuts its connection and
 * lets it go on.
 */
#include "dbassert.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define BEKASI_NAME "penempatan_2025-08_kota_bekasi.csv"
#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"
#define UMP_2024 "tests/samples/upah_minimum_provinsi/ump_2024_ditjen_phi_jamsos.csv"
#define PHI_2023 "tests/samples/perselisihan_hubungan_industrial/phi_2023_ditjen_phi_jamsos.csv"
/* Arrival days that make the samples timely, so that scores do not depend on today. */
#define BEKASI_ARRIVED "2025-09-10"
#define BOGOR_ARRIVED "2025-10-06"
#define UMP_ARRIVED "2025-01-10"

#define PLACEMENT_HEADER                                                                           \
    "NO;ID;NIK;JK;TGL_LAHIR;PENDIDIKAN;KODE_PROV;KODE_KAB;KBLI;KBJI;PERUSAHAAN;UPAH;"              \
    "TGL_PENEMPATAN;STATUS;MEKANISME\r\n"
/* The first row of the Bekasi sample, with its NIK. */
#define BEKASI_NIK_1 "3275024902897738"

/* ---- helpers ---- */

/* Loads the Bekasi sample (arrived in time) and asserts it was published. */
static void load_bekasi(const struct warehouse *w)
{
    wd_expect(w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              BEKASI);
}

/* Replaces every occurrence of from in data (len bytes) by to, of the same length; fails
 * the test when there is none. */
static void replace_all(char *data, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    assert_int_equal(strlen(to), n);
    int found = 0;
    for (char *p = data; (p = memmem(p, len - (size_t)(p - data), from, n)); p += n) {
        memcpy(p, to, n);
        found++;
    }
    if (!found)
        fail_msg("\"%s\" not found", from);
}

/* A placement file of n valid rows (IDs GEN-00001...); returns its path (caller frees). */
static char *placement_file(const char *name, int n)
{
    size_t cap = (size_t)n * 160 + 256, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "%s", PLACEMENT_HEADER);
    for (int i = 1; i <= n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "%d;GEN-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;32;3275;85154;"
                                "7214.03;PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                                i, i);
    char *path = tu_write(name, buf, len);
    free(buf);
    return path;
}

/* A placement file of the keys GEN-<first> to GEN-<last> in that order (descending when
 * last < first), every row with the wage given. */
static char *placement_range(const char *name, int first, int last, const char *upah)
{
    int n = (first < last ? last - first : first - last) + 1, step = first <= last ? 1 : -1;
    size_t cap = (size_t)n * 160 + 256, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "%s", PLACEMENT_HEADER);
    for (int i = 0, k = first; i < n; i++, k += step)
        len += (size_t)snprintf(buf + len, cap - len,
                                "%d;GEN-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;32;3275;85154;"
                                "7214.03;PT Garmen Indah Lestari;%s;20/08/2025;4;AKL\r\n",
                                i + 1, k, upah);
    char *path = tu_write(name, buf, len);
    free(buf);
    return path;
}

/* Two definitions of our own, in a mappings folder of their own: uji_teks (upsert by id; a
 * free text, a dropped name, a personal phone number, a short code) and uji_append (append,
 * no key). db migrate with this folder makes just these two tables. */
#define UJI_MAPPINGS "tests/integration/data/mappings"

/* ---- running a load that stops itself (WALIDATA_FAULT) ---- */

struct stopped_load {
    pid_t pid;
    char out[PATH_MAX], err[PATH_MAX];
};

/* The processes a test started and has not reaped yet: a test that fails midway leaves
 * them stopped or running, and the teardown kills them. */
static pid_t children[8];

static void child_started(pid_t pid)
{
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (!children[i]) {
            children[i] = pid;
            return;
        }
    fail_msg("too many walidata processes at once");
}

static void child_reaped(pid_t pid)
{
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (children[i] == pid)
            children[i] = 0;
}

static int kill_children(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (children[i]) {
            kill(children[i], SIGKILL);
            waitpid(children[i], NULL, 0);
            children[i] = 0;
        }
    return 0;
}

/* Starts walidata ARGS as a process of its own, with WALIDATA_FAULT=fault unless NULL. */
static void spawn_va(struct stopped_load *s, const struct warehouse *w, const char *fault,
                     const char *arg, va_list ap)
{
    static int seq;
    seq++;
    snprintf(s->out, sizeof(s->out), "%s/spawn-%d.out", tu_tmpdir(), seq);
    snprintf(s->err, sizeof(s->err), "%s/spawn-%d.err", tu_tmpdir(), seq);
    char *argv[64];
    wd_argv(w, argv, arg, ap);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        int o = open(s->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(s->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (fault)
            setenv("WALIDATA_FAULT", fault, 1);
        else
            unsetenv("WALIDATA_FAULT");
        execv(argv[0], argv);
        _exit(127);
    }
    child_started(s->pid);
}

/* Starts walidata ARGS in the background (NULL-terminated). */
static void spawn(struct stopped_load *s, const struct warehouse *w, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, NULL, arg, ap);
    va_end(ap);
}

/* Starts walidata ARGS in the background with WALIDATA_FAULT=fault, not waiting for it. */
static void spawn_fault(struct stopped_load *s, const struct warehouse *w, const char *fault,
                        const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, fault, arg, ap);
    va_end(ap);
}

/* Starts walidata ARGS with WALIDATA_FAULT=fault, and waits until it stops there. */
static void start_stopped(struct stopped_load *s, const struct warehouse *w, const char *fault,
                          const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, fault, arg, ap);
    va_end(ap);
    for (int i = 0; i < 6000; i++) { /* 60 s */
        int st;
        pid_t r = waitpid(s->pid, &st, WUNTRACED | WNOHANG);
        if (r == s->pid) {
            if (WIFSTOPPED(st))
                return;
            child_reaped(s->pid);
            char *err = tu_read(s->err, NULL);
            fail_msg("the load with WALIDATA_FAULT=%s ended (status 0x%x) before it stopped: %s",
                     fault, st, err ? err : "");
        }
        tu_sleep_ms(10);
    }
    fail_msg("the load with WALIDATA_FAULT=%s did not stop within 60 s", fault);
}

/* Waits for a process started by spawn to end; returns its exit status. After timeout_ms it
 * is killed and the test fails. */
static int wait_exit(struct stopped_load *s, long timeout_ms)
{
    for (long t = 0; t < timeout_ms; t += 10) {
        int st;
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid) {
            child_reaped(s->pid);
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        tu_sleep_ms(10);
    }
    fail_msg("walidata did not end within %ld ms", timeout_ms);
    return -1;
}

/* Whether a process started by spawn has ended (reaping it; *status gets its status). */
static bool has_ended(struct stopped_load *s, int *status)
{
    int st;
    if (waitpid(s->pid, &st, WNOHANG) != s->pid)
        return false;
    child_reaped(s->pid);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
}

static void kill_stopped(struct stopped_load *s)
{
    assert_int_equal(kill(s->pid, SIGKILL), 0);
    int st;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    child_reaped(s->pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
}

/* Lets a stopped load go on; returns its exit status. */
static int continue_stopped(struct stopped_load *s)
{
    assert_int_equal(kill(s->pid, SIGCONT), 0);
    return wait_exit(s, 60000);
}

/* Waits until no walidata session is connected to the test's database (its backend has
 * noticed the client is gone and rolled back). */
static void wait_no_walidata_session(const char *db)
{
    for (int i = 0; i < 1000; i++) { /* 10 s */
        char *n = sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'walidata' AND datname = current_database()");
        bool none = strcmp(n, "0") == 0;
        free(n);
        if (none)
            return;
        tu_sleep_ms(10);
    }
    fail_msg("a walidata session is still connected 10 s after its process ended");
}

/* Waits until a walidata session of the test's database waits for a lock (true), or the
 * process s has ended (false, *status set); fails after 10 s. */
static bool wait_for_lock_or_end(const char *db, struct stopped_load *s, int *status)
{
    for (int i = 0; i < 1000; i++) {
        if (has_ended(s, status))
            return false;
        char *n = sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'walidata' AND datname = current_database() AND wait_event_type = "
                          "'Lock'");
        bool waiting = strcmp(n, "0") != 0;
        free(n);
        if (waiting)
            return true;
        tu_sleep_ms(10);
    }
    fail_msg("the second load neither ended nor waited for a lock within 10 s");
    return false;
}

/* ---- publishing ---- */

static json_t *validate_json(const char *mapping, const char *arrived, const char *file)
{
    struct tu_result r = tu_walidata("validate", "--mapping", mapping, "--format", "json",
                                     "--arrived", arrived, file, NULL);
    json_error_t je;
    json_t *o = json_loadb(r.out, strcspn(r.out, "\n"), 0, &je);
    if (!o)
        fail_msg("validate printed no JSON (%s): %s %s", je.text, r.out, r.err);
    tu_result_free(&r);
    return o;
}

static void test_load_sample_published(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_published", NULL, true);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, BEKASI ": published as run 1 into walidata.penempatan_tenaga_kerja: "
                                     "58 rows (2 of 60 rejected); quality 99.9");
    tu_result_free(&r);

    /* the run */
    assert_sql(
        w.db, "published 60 58 2 58 0 f 99.9",
        "SELECT concat_ws(' ', state, rows_read, rows_valid, rows_rejected, "
        "rows_published, rows_replaced, forced, quality_score) FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "t",
               "SELECT finished_at >= started_at AND reason IS NULL AND duplicate_of "
               "IS NULL FROM etl.run WHERE run_id = 1");
    /* the rows: 58, all of run 1, one per key, transformed */
    assert_sql(w.db, "58 58 58",
               "SELECT count(*) || ' ' || count(DISTINCT id_penempatan) || ' ' || count(*) "
               "FILTER (WHERE _run_id = 1) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "2|1989-02-09|32|3275|85154|7214.03|4500000.00|2025-08-20|AKL",
               "SELECT concat_ws('|', jenis_kelamin, tanggal_lahir, kode_provinsi, kode_kabkota, "
               "kbli, kbji, upah, tanggal_penempatan, mekanisme) FROM "
               "walidata.penempatan_tenaga_kerja WHERE id_penempatan = 'BKS2508-00001'");
    assert_sql(w.db, "1 AKL",
               "SELECT jenis_kelamin || ' ' || mekanisme FROM "
               "walidata.penempatan_tenaga_kerja WHERE id_penempatan = "
               "'BKS2508-00003'");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
               "id_penempatan IN ('BKS2508-00017', 'BKS2508-00041')");

    /* the rejects, as validate reports them; the personal value is not kept */
    json_t *rep = validate_json("penempatan_tenaga_kerja", BEKASI_ARRIVED, BEKASI);
    assert_sql(w.db, "2", "SELECT count(*) FROM etl.reject WHERE run_id = 1");
    assert_sql(w.db, "17|18|kode_kabkota|parent|3171|t",
               "SELECT concat_ws('|', row_number, line, field, rule, value, rejects) FROM "
               "etl.reject WHERE run_id = 1 AND row_number = 17");
    assert_sql(w.db, "41|42|nik|nik|t|t",
               "SELECT concat_ws('|', row_number, line, field, rule, value IS NULL, rejects) "
               "FROM etl.reject WHERE run_id = 1 AND row_number = 41");
    json_t *errors = json_object_get(rep, "errors");
    assert_int_equal(json_array_size(errors), 2);
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        assert_sql(w.db, json_string_value(json_object_get(e, "message")),
                   "SELECT message FROM etl.reject WHERE run_id = 1 AND row_number = %lld AND "
                   "rule = '%s'",
                   (long long)json_integer_value(json_object_get(e, "row")),
                   json_string_value(json_object_get(e, "rule")));
    }
    /* the quality, dimension by dimension, as validate --format json scores it */
    static const char *const dims[] = {"completeness", "validity",   "uniqueness",
                                       "consistency",  "timeliness", "score"};
    const json_t *q = json_object_get(rep, "quality");
    assert_sql(w.db, "6", "SELECT count(*) FROM etl.quality WHERE run_id = 1");
    for (i = 0; i < sizeof(dims) / sizeof(dims[0]); i++) {
        const json_t *v = json_object_get(q, dims[i]);
        assert_true(json_is_number(v));
        char want[32];
        snprintf(want, sizeof(want), "%.1f", json_number_value(v));
        assert_sql(w.db, want,
                   "SELECT score FROM etl.quality WHERE run_id = 1 AND dimension = "
                   "'%s'",
                   dims[i]);
    }
    assert_sql(w.db, "99.9", "SELECT quality_score FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "360 360",
               "SELECT numerator || ' ' || denominator FROM etl.quality WHERE "
               "run_id = 1 AND dimension = 'completeness'");
    json_decref(rep);

    /* the source item: the unit's file name, its size and SHA-256 */
    char sha[65];
    tu_file_sha256(BEKASI, sha);
    struct stat st;
    assert_int_equal(stat(BEKASI, &st), 0);
    char want[256];
    snprintf(want, sizeof(want), BEKASI_NAME " %lld %s t", (long long)st.st_size, sha);
    assert_sql(w.db, want,
               "SELECT concat_ws(' ', name, size, encode(sha256, 'hex'), published) "
               "FROM etl.source_item WHERE run_id = 1");
    /* the lineage: the file's absolute URI, the target, the mode, the definition, the lists */
    char abs[PATH_MAX];
    assert_non_null(realpath(BEKASI, abs));
    char uri[PATH_MAX + 16];
    snprintf(uri, sizeof(uri), "file://%s", abs);
    assert_sql(w.db, uri, "SELECT source_uri FROM etl.lineage WHERE run_id = 1");
    assert_sql(w.db, "walidata.penempatan_tenaga_kerja upsert penempatan_tenaga_kerja 2025.1",
               "SELECT concat_ws(' ', target_table, mode, definition->>'name', "
               "definition->>'version') FROM etl.lineage WHERE run_id = 1");
    assert_sql(w.db, "t t",
               "SELECT concat_ws(' ', 'wilayah_kabkota@2025' = ANY(codelists), "
               "'kbli2020@2020' = ANY(codelists)) FROM etl.lineage WHERE run_id = 1");
    /* the run joined the hash chain */
    assert_sql(w.db, "1 t t",
               "SELECT concat_ws(' ', chain_seq, prev_hash IS NULL, "
               "length(hash) = 32) FROM etl.run WHERE run_id = 1");
    warehouse_close(&w);
}

static const char table_md5[] = "SELECT md5(string_agg(t::text, E'\\n' ORDER BY id_penempatan)) "
                                "FROM walidata.penempatan_tenaga_kerja t";
/* The same without the lineage columns. */
static const char values_md5[] = "SELECT md5(string_agg((to_jsonb(t) - '_run_id' - '_loaded_at')"
                                 "::text, E'\\n' ORDER BY id_penempatan)) FROM "
                                 "walidata.penempatan_tenaga_kerja t";

static void test_load_duplicate_renamed_and_forced(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_duplicate", NULL, true);
    load_bekasi(&w);
    char *before = sql(w.db, "%s", table_md5);
    char *values = sql(w.db, "%s", values_md5);

    /* the same file again */
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, BEKASI ": not loaded (run 2): the same content was published by "
                                     "run 1");
    tu_assert_contains(r.out, "--force");
    tu_result_free(&r);
    assert_sql(w.db, "duplicate 1 f",
               "SELECT concat_ws(' ', state, duplicate_of, forced) FROM "
               "etl.run WHERE run_id = 2");
    assert_sql(w.db, "f", "SELECT published FROM etl.source_item WHERE run_id = 2");
    assert_sql(w.db, "0 0",
               "SELECT (SELECT count(*) FROM etl.reject WHERE run_id = 2) || ' ' || "
               "(SELECT count(*) FROM etl.quality WHERE run_id = 2)");
    assert_sql(w.db, before, "%s", table_md5);

    /* a renamed copy, and a gzipped one: the content decides */
    size_t len;
    char *data = tu_read(BEKASI, &len);
    char *renamed = tu_write("bekasi-agustus-salinan.csv", data, len);
    char *gz = tu_write_gz("bekasi-agustus.csv.gz", data, len, 0);
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, renamed,
           gz, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "bekasi-agustus-salinan.csv: not loaded (run 3): the same content "
                              "was published by run 1");
    tu_assert_contains(r.out, "bekasi-agustus.csv.gz: not loaded (run 4): the same content was "
                              "published by run 1");
    tu_result_free(&r);
    assert_sql(w.db, "duplicate 1 bekasi-agustus-salinan.csv",
               "SELECT concat_ws(' ', state, duplicate_of, name) FROM etl.run JOIN "
               "etl.source_item USING (run_id) WHERE run_id = 3");
    assert_sql(w.db, "duplicate 1",
               "SELECT concat_ws(' ', state, duplicate_of) FROM etl.run "
               "WHERE run_id = 4");
    assert_sql(w.db, before, "%s", table_md5);

    /* --force loads it again: an upsert, so still one row per key, now all of the new run */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
           "--force", renamed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 5 into walidata.penempatan_tenaga_kerja: 58 rows");
    tu_result_free(&r);
    assert_sql(w.db, "published t 58 1",
               "SELECT concat_ws(' ', state, forced, rows_published, duplicate_of) FROM etl.run "
               "WHERE run_id = 5");
    assert_sql(w.db, "58 58 58 0",
               "SELECT concat_ws(' ', count(*), count(DISTINCT id_penempatan), count(*) FILTER "
               "(WHERE _run_id = 5), count(*) FILTER (WHERE _run_id = 1)) FROM "
               "walidata.penempatan_tenaga_kerja");
    /* the values themselves are those of the first load */
    assert_sql(w.db, values, "%s", values_md5);
    assert_sql(w.db, "2", "SELECT count(*) FROM etl.source_item WHERE published");
    /* and the next plain load is a duplicate of the latest publication */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, BEKASI,
           NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "not loaded (run 6): the same content was published by run 5");
    tu_result_free(&r);
    assert_sql(w.db, "58",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE _run_id = 5");
    free(before);
    free(values);
    free(renamed);
    free(gz);
    free(data);
    warehouse_close(&w);
}

static void test_load_refused_publishes_nothing(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_refused", NULL, true);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BOGOR_ARRIVED, BOGOR, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, BOGOR ": REFUSED as run 1: 6 of 40 rows (15.0%) were rejected; "
                                    "the dataset allows at most 5.0%");
    tu_assert_contains(r.out, "walidata rejects 1");
    tu_result_free(&r);
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "refused 40 34 6 0",
               "SELECT concat_ws(' ', state, rows_read, rows_valid, rows_rejected, "
               "rows_published) FROM etl.run WHERE run_id = 1");
    assert_sql(w.db, "6 of 40 rows (15.0%) were rejected; the dataset allows at most 5.0%",
               "SELECT reason FROM etl.run WHERE run_id = 1");
    assert_sql(w.db,
               "5|6|tanggal_penempatan|type|31/09/2025,"
               "9|10|jenis_kelamin|codelist|X,"
               "12|13|kode_kabkota|parent|3374,"
               "20|21|id_penempatan|unique|BGR2509-00001,"
               "27|28|nik|required|(null),"
               "33|34|upah|type|empat juta",
               "SELECT string_agg(concat_ws('|', row_number, line, field, rule, coalesce(value, "
               "'(null)')), ',' ORDER BY row_number) FROM etl.reject WHERE run_id = 1");
    /* the unit is told the quality too, and the file stays loadable */
    assert_sql(w.db, "6", "SELECT count(*) FROM etl.quality WHERE run_id = 1");
    assert_sql(w.db, "f", "SELECT published FROM etl.source_item WHERE run_id = 1");
    assert_sql(w.db, "walidata.penempatan_tenaga_kerja",
               "SELECT target_table FROM etl.lineage WHERE run_id = 1");
    /* a refused content is not a duplicate: trying again is refused again, not skipped */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BOGOR_ARRIVED, BOGOR,
           NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 2");
    tu_result_free(&r);
    assert_sql(w.db, "refused 6",
               "SELECT state || ' ' || (SELECT count(*) FROM etl.reject WHERE "
               "run_id = 2) FROM etl.run WHERE run_id = 2");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    warehouse_close(&w);
}

static void test_load_replace_one_period(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_replace", NULL, true);
    /* 2024: the sample, 37 of 38 provinces (one date is 31 November) */
    wd_expect(&w, 0, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED,
              UMP_2024);
    assert_sql(w.db, "37",
               "SELECT count(*) FROM walidata.upah_minimum_provinsi WHERE tahun = 2024");
    /* 2025: five provinces */
    char *ump2025 = tu_write_str(
        "ump_2025_lima.csv",
        "NO;KODE_PROV;PROVINSI;TAHUN;UMP;DASAR_HUKUM;TANGGAL_PENETAPAN;BERLAKU_MULAI\r\n"
        "1;11;Aceh;2025;3.685.616,00;Keputusan Gubernur Aceh Nomor 500.15/2745/2024;"
        "11 Desember 2024;1 Januari 2025\r\n"
        "2;12;Sumatera Utara;2025;2.992.559;Keputusan Gubernur Sumatera Utara Nomor "
        "500.15/1620/2024;11 Desember 2024;1 Januari 2025\r\n"
        "3;13;Sumatera Barat;2025;Rp 2.994.193;Keputusan Gubernur Sumatera Barat Nomor "
        "500.15/1667/2024;11 Desember 2024;1 Januari 2025\r\n"
        "4;14;Riau;2025;3.508.775,00;Keputusan Gubernur Riau Nomor 500.15/966/2024;"
        "11 Desember 2024;1 Januari 2025\r\n"
        "5;15;Jambi;2025;3.234.533;Keputusan Gubernur Jambi Nomor 500.15/1234/2024;"
        "11 Desember 2024;1 Januari 2025\r\n");
    struct tu_result r = wd(&w, "load", "--mapping", "upah_minimum_provinsi", "--arrived",
                            UMP_ARRIVED, ump2025, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 2 into walidata.upah_minimum_provinsi: 5 rows "
                              "(0 of 5 rejected), 0 earlier rows of the same periods replaced");
    tu_result_free(&r);
    char *y2025 = sql(w.db, "SELECT md5(string_agg(t::text, E'\\n' ORDER BY kode_provinsi)) "
                            "FROM walidata.upah_minimum_provinsi t WHERE tahun = 2025");

    /* a corrected 2024: the bad date fixed, Aceh's value revised */
    size_t len;
    char *data = tu_read(UMP_2024, &len);
    replace_all(data, len, "31 November 2023", "30 November 2023");
    replace_all(data, len, ";3.454.850,00;", ";3.460.000,00;");
    char *fixed = tu_write("ump_2024_koreksi.csv", data, len);
    free(data);
    r = wd(&w, "load", "--mapping", "upah_minimum_provinsi", "--arrived", UMP_ARRIVED, fixed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 3 into walidata.upah_minimum_provinsi: 38 rows "
                              "(0 of 38 rejected), 37 earlier rows of the same periods replaced");
    tu_result_free(&r);
    assert_sql(w.db, "published 38 37",
               "SELECT concat_ws(' ', state, rows_published, "
               "rows_replaced) FROM etl.run WHERE run_id = 3");
    /* 2024 is the corrected file's, wholly */
    assert_sql(w.db, "38 38",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 3) "
               "FROM walidata.upah_minimum_provinsi WHERE tahun = 2024");
    assert_sql(w.db, "3460000.00",
               "SELECT nilai FROM walidata.upah_minimum_provinsi WHERE "
               "tahun = 2024 AND kode_provinsi = '11'");
    assert_sql(w.db, "2023-11-30",
               "SELECT tanggal_penetapan FROM walidata.upah_minimum_provinsi "
               "WHERE tahun = 2024 AND kode_provinsi = '63'");
    /* 2025 untouched, row for row */
    assert_sql(w.db, "5 5",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 2) FROM "
               "walidata.upah_minimum_provinsi WHERE tahun = 2025");
    assert_sql(w.db, y2025,
               "SELECT md5(string_agg(t::text, E'\\n' ORDER BY kode_provinsi)) FROM "
               "walidata.upah_minimum_provinsi t WHERE tahun = 2025");
    assert_sql(w.db, "43", "SELECT count(*) FROM walidata.upah_minimum_provinsi");
    free(y2025);
    free(fixed);
    free(ump2025);
    warehouse_close(&w);
}

/* ---- all or nothing ---- */

/* What the warehouse holds, to compare before and after a run that must leave no trace. */
static char *warehouse_state(const char *db)
{
    return sql(db, "SELECT concat_ws(' | ', (SELECT md5(string_agg(t::text, E'\\n' ORDER BY "
                   "id_penempatan)) FROM walidata.penempatan_tenaga_kerja t), (SELECT "
                   "string_agg(concat_ws(',', run_id, state, rows_published), ';' ORDER BY "
                   "run_id) FROM etl.run), (SELECT count(*) FROM etl.source_item), (SELECT "
                   "count(*) FROM etl.reject), (SELECT count(*) FROM etl.quality), (SELECT "
                   "count(*) FROM etl.lineage))");
}

static void test_load_killed_midway_leaves_nothing(void **state)
{
    (void)state;
    static const char *const points[] = {"stop-in-copy", "stop-in-publish", "stop-before-commit"};
    struct warehouse w;
    warehouse_open(&w, "wd_load_killed", NULL, true);
    load_bekasi(&w);
    char *gen = placement_file("penempatan_gen_3000.csv", 3000);
    char sha[65];
    tu_file_sha256(gen, sha);
    char *before = warehouse_state(w.db);

    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        struct stopped_load s;
        start_stopped(&s, &w, points[i], "load", "--mapping", "penempatan_tenaga_kerja",
                      "--arrived", BEKASI_ARRIVED, gen, NULL);
        kill_stopped(&s);
        wait_no_walidata_session(w.db);
        char *after = warehouse_state(w.db);
        if (strcmp(after, before) != 0)
            fail_msg("killed at %s: the warehouse changed:\n  before %s\n  after  %s", points[i],
                     before, after);
        free(after);
        assert_sql(w.db, "0", "SELECT count(*) FROM etl.run WHERE state = 'running'");
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM etl.source_item WHERE sha256 = "
                   "decode('%s', 'hex')",
                   sha);
        assert_sql(w.db, "0",
                   "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
                   "id_penempatan LIKE 'GEN-%%'");
    }

    /* the same file then loads normally */
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, gen, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "into walidata.penempatan_tenaga_kerja: 3000 rows (0 of 3000 "
                              "rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "3058 3000",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE id_penempatan "
               "LIKE 'GEN-%%') FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "published 3000 t",
               "SELECT concat_ws(' ', r.state, r.rows_published, s.published) FROM etl.run r "
               "JOIN etl.source_item s USING (run_id) WHERE s.sha256 = decode('%s', 'hex')",
               sha);
    assert_sql(w.db, "2 2", "SELECT count(*) || ' ' || max(chain_seq) FROM etl.run");
    free(before);
    free(gen);
    warehouse_close(&w);
}

/* An upsert tries a plain INSERT first and falls back to INSERT ... ON CONFLICT at the first
 * key already there. A file whose first 2000 keys are new and whose last 1000 are already
 * published meets that key after inserting 2000 rows: killed right there, nothing is left;
 * let go, every key holds the new file's row exactly once. */
static void test_load_upsert_new_then_known_keys(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_upsert_fallback", NULL, true);
    char *old = placement_range("penempatan_gen_1_1000.csv", 1, 1000, "4.500.000,00");
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, old, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 1 into walidata.penempatan_tenaga_kerja: 1000 "
                              "rows");
    tu_result_free(&r);
    char *mixed = placement_range("penempatan_gen_3000_1.csv", 3000, 1, "5.250.000,00");
    char *before = warehouse_state(w.db);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-upsert-fallback", "load", "--mapping",
                  "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, mixed, NULL);
    kill_stopped(&s);
    wait_no_walidata_session(w.db);
    char *after = warehouse_state(w.db);
    assert_string_equal(after, before);
    free(after);

    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED, mixed,
           NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "into walidata.penempatan_tenaga_kerja: 3000 rows (0 of 3000 "
                              "rejected)");
    tu_result_free(&r);
    /* one row per key, all of the second run, all with its wage */
    assert_sql(w.db, "3000 3000 3000 3000",
               "SELECT concat_ws(' ', count(*), count(DISTINCT id_penempatan), count(*) FILTER "
               "(WHERE _run_id = 3), count(*) FILTER (WHERE upah = 5250000)) FROM "
               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "published 3000",
               "SELECT concat_ws(' ', state, rows_published) FROM etl.run WHERE run_id = 3");

    /* and a file of new keys only takes the plain INSERT: the fault point is never reached */
    char *fresh = placement_range("penempatan_gen_3001_3500.csv", 3001, 3500, "4.500.000,00");
    struct stopped_load t;
    spawn_fault(&t, &w, "stop-in-upsert-fallback", "load", "--mapping", "penempatan_tenaga_kerja",
          "--arrived", BEKASI_ARRIVED, fresh, NULL);
    assert_int_equal(wait_exit(&t, 60000), 0);
    assert_sql(w.db, "3500 500",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 4) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(before);
    free(old);
    free(mixed);
    free(fresh);
    warehouse_close(&w);
}

/* An upsert from a file COPYs into the table itself until it meets a key the table holds,
 * then reads the file again into the staging table: the second reading must not count or
 * keep the first one's rejects again. */
static void test_load_upsert_read_twice_keeps_rejects_once(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_upsert_twice", NULL, true);
    char *old = placement_range("penempatan_gen_1_1000b.csv", 1, 1000, "4.500.000,00");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              old);
    /* 1500 new keys first, then the 1000 old ones, then 20 rows of an unknown province */
    char *mixed = placement_range("penempatan_gen_2500_1.csv", 2500, 1, "5.250.000,00");
    FILE *f = fopen(mixed, "a");
    assert_non_null(f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%d;BAD-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;99;3275;85154;7214.03;"
                   "PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                2501 + i, i);
    assert_int_equal(fclose(f), 0);
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, mixed, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "published as run 2 into walidata.penempatan_tenaga_kerja: 2500 rows "
                              "(20 of 2520 rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "2520 20 2500 20 20",
               "SELECT concat_ws(' ', rows_read, rows_rejected, rows_published, "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 2), "
               "(SELECT count(DISTINCT row_number) FROM etl.reject WHERE run_id = 2)) "
               "FROM etl.run WHERE run_id = 2");
    assert_sql(w.db, "2500 2500 2500",
               "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE _run_id = 2), "
               "count(*) FILTER (WHERE upah = 5250000)) FROM walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja "
                          "WHERE id_penempatan LIKE 'BAD-%%'");

    /* old keys first, in a file large enough that the COPY's failure usually arrives while
     * the file is still being read (the first reading stops there): the same counts */
    char *late = placement_range("penempatan_gen_1_40000.csv", 1, 40000, "6.000.000,00");
    f = fopen(late, "a");
    assert_non_null(f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%d;BAD-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;99;3275;85154;7214.03;"
                   "PT Garmen Indah Lestari;4.500.000,00;20/08/2025;4;AKL\r\n",
                40001 + i, i);
    assert_int_equal(fclose(f), 0);
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              late);
    assert_sql(w.db, "40020 20 40000 20",
               "SELECT concat_ws(' ', rows_read, rows_rejected, rows_published, "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 3)) FROM etl.run "
               "WHERE run_id = 3");
    assert_sql(w.db, "40000 40000",
               "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE _run_id = 3 AND "
               "upah = 6000000)) FROM walidata.penempatan_tenaga_kerja");

    /* the same 40020 rows again: the content's hash usually arrives while they stream, and
     * the run stops there; either way a duplicate, with nothing of its reading kept */
    struct tu_result d = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, late, NULL);
    assert_status(d, 0);
    tu_assert_contains(d.out, "not loaded (run 4): the same content was published by run 3");
    tu_result_free(&d);
    assert_sql(w.db, "duplicate 3 0 0",
               "SELECT concat_ws(' ', state, duplicate_of, coalesce(rows_read, 0), "
               "(SELECT count(*) FROM etl.reject WHERE run_id = 4)) FROM etl.run "
               "WHERE run_id = 4");
    assert_sql(w.db, "40000 0",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 4) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(late);
    free(old);
    free(mixed);
    warehouse_close(&w);
}

/* An append-mode dataset COPYs into the table itself: killed after more than a megabyte of
 * rows reached the server, the table must still show none of them. */
static void test_load_killed_in_append_copy(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_killed_append", UJI_MAPPINGS, true);
    size_t rows = 1500, width = 1500;
    size_t cap = rows * (width + 16) + 32, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "id,teks\n");
    for (size_t i = 1; i <= rows; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "A%05zu,", i);
        memset(buf + len, 'a' + (int)(i % 26), width);
        len += width;
        buf[len++] = '\n';
    }
    char *file = tu_write("uji_append_besar.csv", buf, len);
    free(buf);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-copy", "load", "--mapping", "uji_append", file, NULL);
    kill_stopped(&s);
    wait_no_walidata_session(w.db);
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.uji_append");
    assert_sql(w.db, "0", "SELECT count(*) FROM etl.run");

    wd_expect(&w, 0, "load", "--mapping", "uji_append", file);
    assert_sql(w.db, "1500 1500 1",
               "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || "
               "count(DISTINCT _run_id) FROM walidata.uji_append");
    free(file);
    warehouse_close(&w);
}

static void test_load_connection_lost(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_connection_lost", NULL, true);
    load_bekasi(&w);
    char *gen = placement_file("penempatan_gen_2000.csv", 2000);
    char *before = warehouse_state(w.db);

    struct stopped_load s;
    start_stopped(&s, &w, "stop-in-copy", "load", "--mapping", "penempatan_tenaga_kerja",
                  "--arrived", BEKASI_ARRIVED, gen, NULL);
    assert_sql(w.db, "1",
               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
               "application_name = 'walidata' AND datname = current_database()");
    wait_no_walidata_session(w.db);
    int status = continue_stopped(&s);
    char *out = tu_read(s.out, NULL), *err = tu_read(s.err, NULL);
    if (status != 3)
        fail_msg("exit status %d after the connection was cut, expected 3\nstdout: %s\nstderr: %s",
                 status, out, err);
    assert_null(strstr(err, "Sanitizer"));
    tu_assert_contains(err, "walidata: database error:");
    tu_assert_contains(err, "The run was rolled back: nothing of");
    assert_null(strstr(out, "published as run"));
    char *after = warehouse_state(w.db);
    assert_string_equal(after, before);
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja WHERE "
               "id_penempatan LIKE 'GEN-%%'");
    free(after);
    free(out);
    free(err);
    free(before);
    free(gen);
    warehouse_close(&w);
}

/* Two loads of the same content at once: the second waits for the first and is a duplicate. */
static void test_load_concurrent_same_content_once(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_concurrent_same", NULL, true);
    struct stopped_load a, b;
    start_stopped(&a, &w, "stop-in-publish", "load", "--mapping", "penempatan_tenaga_kerja",
                  "--arrived", BEKASI_ARRIVED, BEKASI, NULL);
    spawn(&b, &w, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
          BEKASI, NULL);
    int status;
    assert_true(wait_for_lock_or_end(w.db, &b, &status));
    assert_int_equal(continue_stopped(&a), 0);
    status = wait_exit(&b, 30000);
    char *out = tu_read(b.out, NULL);
    if (status != 0)
        fail_msg("the second load: exit %d: %s", status, out);
    tu_assert_contains(out, "not loaded (run 2): the same content was published by run 1");
    free(out);
    assert_sql(w.db, "1 published,2 duplicate",
               "SELECT string_agg(run_id || ' ' || state, ',' "
               "ORDER BY run_id) FROM etl.run");
    assert_sql(w.db, "58 58",
               "SELECT count(*) || ' ' || count(*) FILTER (WHERE _run_id = 1) "
               "FROM walidata.penempatan_tenaga_kerja");
    warehouse_close(&w);
}

/* A replace of a period while another replace of the same period is under way: serially, the
 * one that commits last holds the period, alone. Run A stops after its DELETE and INSERT; run B
 * is started meanwhile; then A commits and B finishes. */
static void concurrent_replace(const char *dbname, const char *mapping, const char *arrived,
                               const char *file_a, const char *file_b, const char *period_where,
                               long long rows)
{
    struct warehouse w;
    warehouse_open(&w, dbname, NULL, true);
    struct stopped_load a, b;
    start_stopped(&a, &w, "stop-in-publish", "load", "--mapping", mapping, "--arrived", arrived,
                  file_a, NULL);
    spawn(&b, &w, "load", "--mapping", mapping, "--arrived", arrived, file_b, NULL);
    int status = -1;
    bool ended = !wait_for_lock_or_end(w.db, &b, &status);
    assert_int_equal(continue_stopped(&a), 0);
    if (!ended)
        status = wait_exit(&b, 30000);
    char *out = tu_read(b.out, NULL), *err = tu_read(b.err, NULL);
    if (status != 0)
        fail_msg("the second replace of the period failed: exit %d\nstdout: %s\nstderr: %s", status,
                 out, err);
    free(out);
    free(err);
    char want[64];
    snprintf(want, sizeof(want), "%lld 1", rows);
    assert_sql(w.db, want,
               "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM walidata.%s "
               "WHERE %s",
               mapping, period_where);
    warehouse_close(&w);
}

static void test_load_concurrent_replace_without_key(void **state)
{
    (void)state;
    size_t len;
    char *data = tu_read(PHI_2023, &len);
    replace_all(data, len, "2023;3;2;32;28;352", "2023;3;2;33;28;352");
    char *other = tu_write("phi_2023_koreksi.csv", data, len);
    free(data);
    concurrent_replace("wd_load_concurrent_replace", "perselisihan_hubungan_industrial",
                       "2024-03-01", PHI_2023, other, "tahun = 2023", 55);
    free(other);
}

static void test_load_concurrent_replace_with_key(void **state)
{
    (void)state;
    size_t len;
    char *data = tu_read(UMP_2024, &len);
    replace_all(data, len, "31 November 2023", "30 November 2023");
    char *first = tu_write("ump_2024_koreksi_1.csv", data, len);
    replace_all(data, len, ";3.454.850,00;", ";3.460.000,00;");
    char *second = tu_write("ump_2024_koreksi_2.csv", data, len);
    free(data);
    concurrent_replace("wd_load_concurrent_replace_key", "upah_minimum_provinsi", UMP_ARRIVED,
                       first, second, "tahun = 2024", 38);
    free(first);
    free(second);
}

/* A file that cannot be read is refused and recorded, with no rows and no made-up quality. */
static void test_load_unreadable_file_refused(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_unreadable", NULL, true);
    char *shortf = tu_write_str("pendek.csv", "ID;NIK;JK\r\nX1;3275011708900001;L\r\n");
    struct tu_result r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", shortf, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 1: the file could not be read: column \"TGL_LAHIR\" "
                              "is missing from the header");
    tu_result_free(&r);
    char *header_only = tu_write_str("kosong.csv", PLACEMENT_HEADER);
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", header_only, NULL);
    assert_status(r, 1);
    tu_assert_contains(r.out, "REFUSED as run 2: the file has no data rows");
    tu_result_free(&r);
    /* a file that is not there is a runtime error, and no run */
    r = wd(&w, "load", "--mapping", "penempatan_tenaga_kerja", "tidak/ada.csv", NULL);
    assert_status(r, 3);
    tu_assert_contains(r.err, "tidak/ada.csv: could not open file");
    tu_result_free(&r);

    assert_sql(w.db, "1 refused 0 0 f,2 refused 0 0 f",
               "SELECT string_agg(concat_ws(' ', run_id, state, rows_read, rows_published, "
               "published), ',' ORDER BY run_id) FROM etl.run JOIN etl.source_item USING "
               "(run_id)");
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.penempatan_tenaga_kerja");
    /* nothing was read, so nothing was measured: no run claims a perfect quality */
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.run WHERE rows_read = 0 AND quality_score = 100");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.quality q JOIN etl.run r USING (run_id) "
               "WHERE r.rows_read = 0 AND q.score = 100 AND q.dimension IN ('score', "
               "'completeness', 'validity')");
    free(shortf);
    free(header_only);
    warehouse_close(&w);
}

/* ---- values, personal data ---- */

struct verbatim {
    const char *id;
    const char *csv;   /* the value as written in the CSV file */
    const char *value; /* and as it must be stored */
};

static const struct verbatim verbatim_cases[] = {
    {"T01", "\"Dia berkata \"\"halo\"\", lalu pergi\"", "Dia berkata \"halo\", lalu pergi"},
    {"T02", "\"kolom\tdengan\ttab\"", "kolom\tdengan\ttab"},
    {"T03", "\"C:\\data\\new\\table \\\\ \\akhir\\\"", "C:\\data\\new\\table \\\\ \\akhir\\"},
    {"T04", "\\N", "\\N"},
    {"T05", "\"baris satu\nbaris dua\nbaris tiga\"", "baris satu\nbaris dua\nbaris tiga"},
    {"T06", "\"awal\n\\.\nakhir\"", "awal\n\\.\nakhir"},
    {"T07", "\"\\.\"", "\\."},
    {"T08", "\"'); DROP TABLE etl.run; --\"", "'); DROP TABLE etl.run; --"},
    {"T09", "\"Caf\xc3\xa9 \xe2\x80\x93 \xc3\xbc \xf0\x9d\x84\x9e\"",
     "Caf\xc3\xa9 \xe2\x80\x93 \xc3\xbc \xf0\x9d\x84\x9e"},
    {"T10", "\"a,b;c|d\\t\\n\\r\"", "a,b;c|d\\t\\n\\r"},
    {"T11", "\"\\\\.\"", "\\\\."},
    {"T12", "\"satu\n\\.\"", "satu\n\\."},
    {"T13", "\"baris\r\nkedua\"", "baris\r\nkedua"},
    {"T14", "\"a\rb\"", "a\rb"},
    {"T15", "\"x\001y\x7fz\"", "x\001y\x7fz"},
};

static const struct verbatim rejected_cases[] = {
    {"R01", "\"a\tb\\c\"", "a\tb\\c"},
    {"R02", "\"x\n\\.\ny\"", "x\n\\.\ny"},
    {"R03", "\\N\\N", "\\N\\N"},
    {"R04", "\"'\"\"; --\"", "'\"; --"},
};

static void test_load_values_land_verbatim(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_verbatim", UJI_MAPPINGS, true);
    size_t n = sizeof(verbatim_cases) / sizeof(verbatim_cases[0]);
    size_t nrej = sizeof(rejected_cases) / sizeof(rejected_cases[0]);
    char csv[8192];
    size_t len = (size_t)snprintf(csv, sizeof(csv), "id,teks,nama,telepon,kode\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%s,%s,Budi,0812%04zu,\n",
                                verbatim_cases[i].id, verbatim_cases[i].csv, i);
    /* an empty value is missing: NULL, not "" */
    len += (size_t)snprintf(csv + len, sizeof(csv) - len, "T00,,Budi,08120000,\n");
    /* rows rejected for a value that is not personal: the value is kept as read */
    for (size_t i = 0; i < nrej; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%s,teks,Budi,0812,%s\n",
                                rejected_cases[i].id, rejected_cases[i].csv);
    char *file = tu_write("teks.csv", csv, len);

    struct tu_result r = wd(&w, "load", "--mapping", "uji_teks", file, NULL);
    assert_status(r, 0);
    char want[128];
    snprintf(want, sizeof(want),
             "published as run 1 into walidata.uji_teks: %zu rows (%zu of %zu "
             "rejected)",
             n + 1, nrej, n + 1 + nrej);
    tu_assert_contains(r.out, want);
    tu_result_free(&r);
    for (size_t i = 0; i < n; i++) {
        assert_sql(w.db, verbatim_cases[i].value,
                   "SELECT teks FROM walidata.uji_teks WHERE id = "
                   "'%s'",
                   verbatim_cases[i].id);
        assert_sql(w.db, verbatim_cases[i].value,
                   "SET ROLE walidata_analyst; SELECT teks FROM "
                   "walidata.v_uji_teks WHERE id = '%s'",
                   verbatim_cases[i].id);
    }
    assert_sql(w.db, "t", "SELECT teks IS NULL FROM walidata.uji_teks WHERE id = 'T00'");
    char count[32];
    snprintf(count, sizeof(count), "%zu", n + 1);
    assert_sql(w.db, count, "SELECT count(*) FROM walidata.uji_teks");
    assert_sql(w.db, "etl.run", "SELECT to_regclass('etl.run')::text");
    for (size_t i = 0; i < nrej; i++) {
        long long row = (long long)(n + 2 + i);
        assert_sql(w.db, rejected_cases[i].value,
                   "SELECT value FROM etl.reject WHERE run_id = 1 "
                   "AND row_number = %lld",
                   row);
        assert_sql(w.db, "kode maxLength",
                   "SELECT field || ' ' || rule FROM etl.reject WHERE "
                   "run_id = 1 AND row_number = %lld",
                   row);
    }
    /* and they come back out of `walidata rejects` as they went in */
    r = wd(&w, "rejects", "1", "--format", "json", NULL);
    assert_status(r, 0);
    const char *p = r.out;
    for (size_t i = 0; i < nrej; i++) {
        size_t linelen = strcspn(p, "\n");
        json_error_t je;
        json_t *o = json_loadb(p, linelen, 0, &je);
        if (!o)
            fail_msg("not JSON (%s): %.*s", je.text, (int)linelen, p);
        assert_string_equal(json_string_value(json_object_get(o, "value")),
                            rejected_cases[i].value);
        json_decref(o);
        p += linelen + (p[linelen] ? 1 : 0);
    }
    assert_string_equal(p, "");
    tu_result_free(&r);
    free(file);
    warehouse_close(&w);
}

/* The key file tu_db_config wrote for w, as the HMAC key (trailing newlines stripped). */
static char *pseudonym_key(const struct warehouse *w, size_t *len)
{
    json_error_t je;
    json_t *cfg = json_load_file(w->cfg, 0, &je);
    assert_non_null(cfg);
    const char *path = json_string_value(json_object_get(cfg, "pseudonym_key_file"));
    assert_non_null(path);
    char *key = tu_read(path, len);
    assert_non_null(key);
    json_decref(cfg);
    while (*len && (key[*len - 1] == '\n' || key[*len - 1] == '\r'))
        key[--*len] = '\0';
    return key;
}

static void test_load_pseudonymized_nik(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_pseudonym", NULL, true);
    load_bekasi(&w);
    /* another unit's file, another placement of the same person */
    char *other = tu_write_str("penempatan_2025-09_lain.csv", PLACEMENT_HEADER
                               "1;UJI2509-00001;" BEKASI_NIK_1 ";P;09/02/1989;5;32;3201;47111;"
                               "5223.01;Toko Serba Ada;3.900.000,00;15/09/2025;4;AKAD\r\n");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", "2025-10-01",
              other);

    /* the HMAC's 32 bytes, in a bytea column */
    assert_sql(w.db, "bytea 32",
               "SELECT pg_typeof(nik)::text || ' ' || octet_length(nik) FROM "
               "walidata.penempatan_tenaga_kerja LIMIT 1");
    char *nik1 = sql(w.db, "SELECT encode(nik, 'hex') FROM walidata.penempatan_tenaga_kerja "
                           "WHERE id_penempatan = 'BKS2508-00001'");
    char *nik2 = sql(w.db, "SELECT encode(nik, 'hex') FROM walidata.penempatan_tenaga_kerja "
                           "WHERE id_penempatan = 'UJI2509-00001'");
    assert_int_equal(strlen(nik1), 64);
    assert_string_equal(nik1, nik2); /* stable across runs and files */
    /* keyed HMAC-SHA256 of the NIK under the configured key */
    size_t keylen;
    char *key = pseudonym_key(&w, &keylen);
    unsigned char md[32];
    unsigned int mdlen = 0;
    assert_non_null(HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)BEKASI_NIK_1,
                         strlen(BEKASI_NIK_1), md, &mdlen));
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(nik1, hex);
    /* every NIK is a pseudonym; no raw NIK is anywhere in the dataset or the rejects */
    assert_sql(w.db, "59",
               "SELECT count(*) FILTER (WHERE octet_length(nik) = 32) FROM "
               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.penempatan_tenaga_kerja t WHERE "
               "t::text LIKE '%%" BEKASI_NIK_1 "%%' OR position('" BEKASI_NIK_1 "'::bytea IN "
               "nik) > 0");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.reject WHERE field = 'nik' AND value IS NOT "
               "NULL");
    /* a forced reload gives every row the same pseudonym again */
    const char *all = "SELECT md5(string_agg(encode(nik, 'hex'), ',' ORDER BY id_penempatan)) "
                      "FROM walidata.penempatan_tenaga_kerja";
    char *niks = sql(w.db, "%s", all);
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              "--force", BEKASI);
    assert_sql(w.db, niks, "%s", all);

    /* a table made before 0.3.0 keeps the pseudonym's hex in text: db migrate accepts it,
     * and a load writes the same pseudonyms there, as hex */
    free(sql(w.db, "DROP VIEW walidata.v_penempatan_tenaga_kerja; ALTER TABLE "
                   "walidata.penempatan_tenaga_kerja ALTER COLUMN nik TYPE text USING "
                   "encode(nik, 'hex'); SELECT 1"));
    wd_expect(&w, 0, "db", "migrate");
    wd_expect(&w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              "--force", BEKASI);
    assert_sql(w.db, "text 4", "SELECT min(pg_typeof(nik)::text) || ' ' || max(_run_id) FROM "
                               "walidata.penempatan_tenaga_kerja");
    assert_sql(w.db, niks,
               "SELECT md5(string_agg(nik, ',' ORDER BY id_penempatan)) FROM "
               "walidata.penempatan_tenaga_kerja");
    free(niks);
    free(key);
    free(nik1);
    free(nik2);
    free(other);
    warehouse_close(&w);
}

static void test_load_dropped_and_personal_fields(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_privacy_drop", UJI_MAPPINGS, true);
    assert_sql(w.db, "id,teks,telepon,kode,_run_id,_loaded_at",
               "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
               "information_schema.columns WHERE table_schema = 'walidata' AND table_name = "
               "'uji_teks'");
    assert_sql(w.db, "(dropped) drop t",
               "SELECT concat_ws(' ', type, privacy, personal) FROM "
               "meta.variable WHERE dataset = 'uji_teks' AND name = "
               "'nama'");
    char *file = tu_write_str("privasi.csv", "id,teks,nama,telepon,kode\n"
                                             "P1,satu,Budi Santoso,081234567890,\n"
                                             "P2,dua,Siti Rahayu,081298765432,\n"
                                             "P3,tiga,Nama yang terlalu panjang sekali,0812,\n"
                                             "P4,empat,Ani,bukan-nomor-0812,\n");
    struct tu_result r = wd(&w, "load", "--mapping", "uji_teks", file, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out,
                       "published as run 1 into walidata.uji_teks: 2 rows (2 of 4 rejected)");
    tu_result_free(&r);
    assert_sql(w.db, "P1 satu 081234567890",
               "SELECT concat_ws(' ', id, teks, telepon) FROM "
               "walidata.uji_teks WHERE id = 'P1'");
    /* the dropped values are nowhere: not in the table, not in the rejects */
    assert_sql(w.db, "0",
               "SELECT count(*) FROM walidata.uji_teks t WHERE t::text LIKE '%%Budi%%' "
               "OR t::text LIKE '%%Siti%%'");
    assert_sql(w.db, "3|nama|maxLength|t,4|telepon|pattern|t",
               "SELECT string_agg(concat_ws('|', row_number, field, rule, value IS NULL), ',' "
               "ORDER BY row_number) FROM etl.reject WHERE run_id = 1");
    assert_sql(w.db, "0",
               "SELECT count(*) FROM etl.reject WHERE value LIKE '%%panjang%%' OR "
               "value LIKE '%%bukan%%'");
    /* a personal column is kept, but not for analysts */
    char *e = tu_sql_error(w.db, "SET ROLE walidata_analyst; SELECT telepon FROM walidata.uji_teks");
    assert_non_null(e);
    tu_assert_contains(e, "permission denied");
    free(e);
    assert_sql(w.db, "0",
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'walidata' AND table_name = 'v_uji_teks' AND column_name IN ('nama', "
               "'telepon')");
    free(file);
    warehouse_close(&w);
}

static void test_load_without_pseudonym_key_refused(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_no_key", NULL, true);
    char *cfg_path = NULL;
    if (asprintf(&cfg_path, "%s/tanpa-kunci.json", tu_tmpdir()) < 0)
        abort();
    json_t *cfg = json_pack("{s:s}", "database", w.db);
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    struct warehouse nokey = {w.db, cfg_path, NULL};
    struct tu_result r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived",
                            BEKASI_ARRIVED, BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, "pseudonym_key_file");
    tu_assert_contains(r.err, "nik");
    assert_null(strstr(r.out, "published"));
    tu_result_free(&r);

    /* a key too short, and a key file that is not there, are refused too */
    char *short_key = tu_write_str("pendek.key", "pendek\n");
    cfg = json_pack("{s:s, s:s}", "database", w.db, "pseudonym_key_file", short_key);
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, short_key);
    tu_assert_contains(r.err, "at least");
    tu_result_free(&r);
    cfg = json_pack("{s:s, s:s}", "database", w.db, "pseudonym_key_file", "/no/such/walidata.key");
    assert_int_equal(json_dump_file(cfg, cfg_path, 0), 0);
    json_decref(cfg);
    r = wd(&nokey, "load", "--mapping", "penempatan_tenaga_kerja", BEKASI, NULL);
    assert_status(r, 2);
    tu_assert_contains(r.err, "/no/such/walidata.key");
    tu_result_free(&r);

    assert_sql(w.db, "0 0",
               "SELECT (SELECT count(*) FROM etl.run) || ' ' || (SELECT count(*) "
               "FROM walidata.penempatan_tenaga_kerja)");
    free(short_key);
    free(cfg_path);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_sample_published, kill_children),
        cmocka_unit_test_teardown(test_load_duplicate_renamed_and_forced, kill_children),
        cmocka_unit_test_teardown(test_load_refused_publishes_nothing, kill_children),
        cmocka_unit_test_teardown(test_load_replace_one_period, kill_children),
        cmocka_unit_test_teardown(test_load_killed_midway_leaves_nothing, kill_children),
        cmocka_unit_test_teardown(test_load_upsert_new_then_known_keys, kill_children),
        cmocka_unit_test(test_load_upsert_read_twice_keeps_rejects_once),
        cmocka_unit_test_teardown(test_load_killed_in_append_copy, kill_children),
        cmocka_unit_test_teardown(test_load_connection_lost, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_same_content_once, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_replace_without_key, kill_children),
        cmocka_unit_test_teardown(test_load_concurrent_replace_with_key, kill_children),
        cmocka_unit_test_teardown(test_load_unreadable_file_refused, kill_children),
        cmocka_unit_test_teardown(test_load_values_land_verbatim, kill_children),
        cmocka_unit_test_teardown(test_load_pseudonymized_nik, kill_children),
        cmocka_unit_test_teardown(test_load_dropped_and_personal_fields, kill_children),
        cmocka_unit_test_teardown(test_load_without_pseudonym_key_refused, kill_children),
    };
    /* WD_TEST_FILTER=test_load_killed* runs only the tests whose names match */
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
