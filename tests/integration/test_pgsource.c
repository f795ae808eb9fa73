/*
 * test_pgsource.c - a job whose source is a unit's PostgreSQL database, run by the daemon
 * against a real PostgreSQL: incremental runs over a table that grows, rows that share the
 * last watermark value loaded exactly once, an update picked up by its new watermark, a
 * run with nothing new that refuses nothing, and the place saved only with published data.
 */
#include "dbassert.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char definition[] =
    "{\"name\": \"lapor_db\", \"title\": \"Laporan dari basis data unit\", \"version\": \"1\",\n"
    " \"metadata\": {\"produsen_data\": \"Pusdatik\", \"frekuensi\": \"harian\",\n"
    "   \"cakupan\": \"nasional\", \"konsep\": \"k\", \"definisi\": \"d\", \"klasifikasi\": "
    "\"-\",\n"
    "   \"ukuran\": \"Jumlah\", \"satuan\": \"orang\", \"dasar_rujukan\": \"Permenaker "
    "15/2020\"},\n"
    " \"source\": {\"delimiter\": \",\"},\n"
    " \"target\": {\"mode\": \"upsert\"},\n"
    " \"schema\": {\"fields\": [{\"name\": \"id\"},\n"
    "   {\"name\": \"jumlah\", \"type\": \"integer\", \"constraints\": {\"minimum\": 0}},\n"
    "   {\"name\": \"versi\", \"type\": \"integer\"}], \"primaryKey\": [\"id\"]},\n"
    " \"quality\": {\"maxRejectRatio\": 0.5}}\n";

struct env {
    char *warehouse, *unit, *config, *mappings, *log;
    pid_t daemon;
};

static char *tmp_path(const char *name)
{
    size_t n = strlen(tu_tmpdir()) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", tu_tmpdir(), name);
    return p;
}

/* conninfo's value of key (host, port), in a new string */
static char *conn_value(const char *conninfo, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof(pat), "%s=", key);
    const char *p = strstr(conninfo, pat);
    assert_non_null(p);
    p += strlen(pat);
    return strndup(p, strcspn(p, " "));
}

static char *q(const struct env *e, const char *sql)
{
    char *v = tu_db_value(e->warehouse, sql);
    assert_non_null(v);
    return v;
}

static long long count(const struct env *e, const char *sql)
{
    char *v = q(e, sql);
    long long n = atoll(v);
    free(v);
    return n;
}

static void start_daemon(struct env *e)
{
    const char *bin = getenv("WALIDATA_BIN") ? getenv("WALIDATA_BIN") : "build/walidata";
    e->daemon = fork();
    assert_true(e->daemon >= 0);
    if (e->daemon == 0) {
        FILE *f = freopen(e->log, "a", stderr);
        (void)f;
        execl(bin, bin, "--config", e->config, "daemon", (char *)NULL);
        _exit(127);
    }
}

static int stop_daemon(struct env *e)
{
    kill(e->daemon, SIGTERM);
    int st;
    waitpid(e->daemon, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Requests a run and waits (10 s at most) until the job has runs more. */
static void run_once(struct env *e, long long *runs)
{
    struct tu_result r = tu_walidata("--config", e->config, "job", "run", "unit-lapor", NULL);
    assert_int_equal(r.status, 0);
    tu_result_free(&r);
    for (int i = 0; i < 200; i++) {
        long long n = count(e, "SELECT count(*) FROM etl.run WHERE job = 'unit-lapor'");
        if (n > *runs) {
            *runs = n;
            return;
        }
        usleep(50000);
    }
    char *log = tu_read(e->log, NULL);
    fail_msg("no run within 10 s; the daemon said:\n%s", log);
}

static void test_incremental_exactly_once(void **state)
{
    (void)state;
    struct env e;
    e.warehouse = tu_db_create("wd_pgsource");
    e.unit = tu_db_create("wd_pgsource_unit");
    e.mappings = tmp_path("mappings-pg");
    mkdir(e.mappings, 0700);
    char defpath[600];
    snprintf(defpath, sizeof(defpath), "%s/lapor_db.json", e.mappings);
    FILE *f = fopen(defpath, "w");
    fputs(definition, f);
    fclose(f);
    e.log = tmp_path("pgsource-daemon.log");
    char extra[1200];
    snprintf(extra, sizeof(extra),
             "\"mappings\": \"%s\", \"inbox\": \"%s/in\", \"archive\": \"%s/ar\", \"failed\": "
             "\"%s/fa\", \"outbox\": \"%s/ou\", \"log_level\": \"debug\"",
             e.mappings, tu_tmpdir(), tu_tmpdir(), tu_tmpdir(), tu_tmpdir());
    e.config = tu_db_config(e.warehouse, extra);
    struct tu_result r = tu_walidata("--config", e.config, "db", "migrate", NULL);
    assert_int_equal(r.status, 0);
    tu_result_free(&r);

    tu_db_exec(e.unit, "CREATE TABLE lapor (id text PRIMARY KEY, jumlah integer, versi bigint)");
    tu_db_exec(e.unit, "INSERT INTO lapor VALUES ('A1', 1, 1), ('A2', 2, 2), ('A3', 3, 2)");
    char *host = conn_value(e.unit, "host"), *port = conn_value(e.unit, "port");
    char uri[1000];
    snprintf(uri, sizeof(uri),
             "postgresql:///wd_pgsource_unit?host=%s&port=%s&user=walidata&query=SELECT%%20id,"
             "%%20jumlah,%%20versi%%20FROM%%20lapor&watermark=versi",
             host, port);
    free(host);
    free(port);
    r = tu_walidata("--config", e.config, "job", "add", "unit-lapor", "--mapping", "lapor_db",
                    "--source", uri, "--schedule", "@daily", NULL);
    if (r.status != 0)
        fail_msg("job add: %s", r.err);
    tu_result_free(&r);
    start_daemon(&e);
    long long runs = 0;

    /* the first run reads everything */
    run_once(&e, &runs);
    assert_int_equal(count(&e, "SELECT count(*) FROM walidata.lapor_db"), 3);
    char *st = q(&e, "SELECT state->>'watermark' FROM etl.job");
    assert_string_equal(st, "2");
    free(st);

    /* A4 shares the last watermark value 2 and arrives late: it is loaded, A2 and A3 are
     * not loaded again; A5 is new */
    tu_db_exec(e.unit, "INSERT INTO lapor VALUES ('A4', 4, 2), ('A5', 5, 3)");
    run_once(&e, &runs);
    assert_int_equal(count(&e, "SELECT rows_read FROM etl.run ORDER BY run_id DESC LIMIT 1"), 2);
    assert_int_equal(count(&e, "SELECT count(*) FROM walidata.lapor_db"), 5);
    assert_int_equal(count(&e, "SELECT count(DISTINCT _run_id) FROM walidata.lapor_db"), 2);

    /* an update moves A2 to a new watermark: it comes again, with its new value */
    tu_db_exec(e.unit, "INSERT INTO lapor VALUES ('A6', 6, 3)");
    tu_db_exec(e.unit, "UPDATE lapor SET jumlah = 20, versi = 4 WHERE id = 'A2'");
    run_once(&e, &runs);
    assert_int_equal(count(&e, "SELECT rows_read FROM etl.run ORDER BY run_id DESC LIMIT 1"), 2);
    assert_int_equal(count(&e, "SELECT jumlah FROM walidata.lapor_db WHERE id = 'A2'"), 20);
    assert_int_equal(count(&e, "SELECT count(*) FROM walidata.lapor_db"), 6);

    /* nothing new: a run that reads nothing and refuses nothing */
    run_once(&e, &runs);
    char *last = q(&e, "SELECT state || ' ' || rows_read FROM etl.run ORDER BY run_id DESC "
                       "LIMIT 1");
    assert_string_equal(last, "published 0");
    free(last);

    /* a refused run (over the reject budget) keeps the place: the rows come again */
    tu_db_exec(e.unit, "INSERT INTO lapor VALUES ('B1', -1, 7), ('B2', -2, 7), ('B3', 3, 8)");
    run_once(&e, &runs);
    last = q(&e, "SELECT state FROM etl.run ORDER BY run_id DESC LIMIT 1");
    assert_string_equal(last, "refused");
    free(last);
    st = q(&e, "SELECT state->>'watermark' FROM etl.job");
    assert_string_equal(st, "4");
    free(st);
    tu_db_exec(e.unit, "UPDATE lapor SET jumlah = 1, versi = 9 WHERE id IN ('B1', 'B2')");
    run_once(&e, &runs);
    assert_int_equal(count(&e, "SELECT rows_read FROM etl.run ORDER BY run_id DESC LIMIT 1"), 3);
    assert_int_equal(count(&e, "SELECT count(*) FROM walidata.lapor_db"), 9);
    /* every id exactly once, every value the source's latest */
    assert_int_equal(count(&e, "SELECT count(*) FROM walidata.lapor_db WHERE jumlah < 0"), 0);
    assert_int_equal(stop_daemon(&e), 0);

    r = tu_walidata("--config", e.config, "audit", "verify", NULL);
    assert_int_equal(r.status, 0);
    tu_result_free(&r);
    free(e.warehouse);
    free(e.unit);
    free(e.config);
    free(e.mappings);
    free(e.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental_exactly_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
