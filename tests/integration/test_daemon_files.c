/*
 * test_daemon_files.c - `walidata daemon` taking the files that units drop, as a process
 * against a real PostgreSQL (tests/with-pg exports WALIDATA_TEST_DB):
 *
 *  1. files dropped into a unit's folder - plain, gzip, written slowly under a .part name and
 *     renamed, written slowly in place - each loaded once and archived with a receipt; the
 *     refused Bogor extract moved to failed/ with its report and rejects; a symlink refused
 *     and left alone; a hidden file ignored;
 *  2. two daemons on one warehouse and fifty files at once: each loaded once.
 *
 * (Signals and shutdown: test_daemon_signals.c; job commands, PostgreSQL restarted and the
 * LISTEN connection: test_daemon_jobs.c.)
 *
 * Each test has its own database (wd_daemon_<test>) and folders, and starts the walidata binary
 * (WALIDATA_BIN) with fork and exec, its stdout and stderr going to a log file that the test
 * reads for the daemon's one line per event (and prints when an assertion fails); daemonutil.c
 * holds these helpers. The teardown kills whatever daemon a failed test left running.
 * WALIDATA_TEST_FILTER=pattern runs only the tests whose names match.
 */
#include "daemonutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BOGOR "tests/samples/penempatan_tenaga_kerja/penempatan_2025-09_kab_bogor.csv"
#define BOGOR_NAME "penempatan_2025-09_kab_bogor.csv"

/* ---- time ---- */

static void sleep_until_wall(double when)
{
    double left = when - wall_now();
    if (left > 0)
        tu_sleep_ms((long)(left * 1000));
}

/* ---- files ---- */

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

/* ---- 2. two daemons, fifty files ---- */

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

int main(void)
{
    tu_on_failure = dump_logs; /* a failed query or status shows what the daemons logged */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_daemon_files_dropped, teardown),
        cmocka_unit_test_teardown(test_daemon_two_daemons_fifty_files, teardown),
    };
    /* WALIDATA_TEST_FILTER=test_daemon_two* runs the tests whose names match */
    const char *filter = getenv("WALIDATA_TEST_FILTER");
    if (filter && filter[0])
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
