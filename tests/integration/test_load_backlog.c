/*
 * test_load_backlog.c - `walidata load` into a server slower than the client (tests/with-pg
 * exports WALIDATA_TEST_DB). During COPY the client does not wait on a full socket: it queues
 * up to 4 MiB of rows and tops the socket up as the server drains it (etl/copy.c, ship). Here
 * a trigger on the append table pauses the server every thousand rows, so that the socket
 * and the backlog fill, while a file of 40 MB is sent:
 *
 * - every byte arrives, in order: the table's digest is the one the rows were made from;
 * - the server failing the COPY with rows still queued (the trigger raises at row 6 000)
 *   gives the server's own message, leaves the warehouse empty and the file loadable after;
 * - the rejected rows' COPY into etl.reject, paused the same way, holds no more of them in
 *   memory than the backlog: a run of 40 MB of rejects peaks within 24 MiB of a run of 1 MB.
 */
#include "loadutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 20000
#define WIDTH 2000

/* id A00001.. and a text of WIDTH times one letter, the letter after i's turn in a-z. */
static char *wide_file(void)
{
    size_t cap = (size_t)ROWS * (WIDTH + 16) + 32, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "id,teks\n");
    for (int i = 1; i <= ROWS; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "A%05d,", i);
        memset(buf + len, 'a' + i % 26, WIDTH);
        len += WIDTH;
        buf[len++] = '\n';
    }
    char *path = tu_write("uji_append_lambat.csv", buf, len);
    free(buf);
    return path;
}

/* The digest of the rows as wide_file writes them, computed by the server. */
#define EXPECTED_DIGEST                                                                            \
    "SELECT md5(string_agg(format('A%%s,%%s', lpad(i::text, 5, '0'), repeat(chr(97 + i %% 26), " \
    "2000)), E'\\n' ORDER BY i)) FROM generate_series(1, 20000) i"
#define LOADED_DIGEST                                                                              \
    "SELECT md5(string_agg(id || ',' || teks, E'\\n' ORDER BY id)) FROM walidata.uji_append"

/* A trigger pauses the server for 50 ms every thousand rows (1 s in all), while the client
 * has 40 MB to send and 12 MiB of room: whichever thousand the client is at, it runs ahead
 * and fills the socket and its backlog. With fail_at, the trigger raises at that row. */
static void slow_server(const char *db, const char *fail_at)
{
    free(sql(db, "CREATE FUNCTION public.uji_lambat() RETURNS trigger LANGUAGE plpgsql AS $$ "
                 "BEGIN IF right(NEW.id, 3) = '000' THEN PERFORM pg_sleep(0.05); END IF; "
                 "IF NEW.id = '%s' THEN RAISE EXCEPTION 'uji: server menolak baris %%', NEW.id; "
                 "END IF; RETURN NEW; END $$; "
                 "CREATE TRIGGER uji_lambat BEFORE INSERT ON walidata.uji_append "
                 "FOR EACH ROW EXECUTE FUNCTION public.uji_lambat(); SELECT 1",
                 fail_at ? fail_at : ""));
}

static void test_load_slow_server_gets_every_row_in_order(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_backlog", UJI_MAPPINGS, true);
    slow_server(w.db, NULL);
    char *file = wide_file();
    struct tu_result r = wd(&w, "load", "--mapping", "uji_append", file, NULL);
    assert_status(r, 0);
    tu_assert_contains(r.out, "20000 rows");
    tu_result_free(&r);
    assert_sql(w.db, "20000 1",
               "SELECT count(*) || ' ' || count(DISTINCT _run_id) FROM walidata.uji_append");
    char *want = sql(w.db, EXPECTED_DIGEST);
    assert_sql(w.db, want, LOADED_DIGEST);
    free(want);
    free(file);
    warehouse_close(&w);
}

static void test_load_server_fails_with_rows_queued(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_backlog_fails", UJI_MAPPINGS, true);
    slow_server(w.db, "A06000");
    char *file = wide_file();
    struct tu_result r = wd(&w, "load", "--mapping", "uji_append", file, NULL);
    assert_status(r, 3);
    tu_assert_contains(r.err, "uji: server menolak baris A06000");
    tu_assert_contains(r.err, "The run was rolled back: nothing of");
    assert_null(strstr(r.out, "published as run"));
    tu_result_free(&r);
    assert_sql(w.db, "0", "SELECT count(*) FROM walidata.uji_append");
    assert_sql(w.db, "0", "SELECT count(*) FROM etl.run WHERE state = 'published'");

    /* the same file, once the server takes it */
    free(sql(w.db, "DROP TRIGGER uji_lambat ON walidata.uji_append; SELECT 1"));
    wd_expect(&w, 0, "load", "--mapping", "uji_append", file);
    char *want = sql(w.db, EXPECTED_DIGEST);
    assert_sql(w.db, want, LOADED_DIGEST);
    free(want);
    free(file);
    warehouse_close(&w);
}

/* uji_teks rows whose kode (maxLength 3, its failures kept with their values) is 1 000
 * characters: a failure of about 1.1 KB in etl.reject a row, the row published without it. */
static char *long_codes_file(const char *name, int rows)
{
    size_t cap = (size_t)rows * 1100 + 64, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "id,teks,nama,telepon,kode\n");
    for (int i = 1; i <= rows; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "T%05d,teks,,0812,", i);
        memset(buf + len, 'k', 1000);
        len += 1000;
        buf[len++] = '\n';
    }
    char *path = tu_write(name, buf, len);
    free(buf);
    return path;
}

static void test_load_rejects_held_within_backlog(void **state)
{
    (void)state;
    struct warehouse w;
    warehouse_open(&w, "wd_load_backlog_rejects", UJI_MAPPINGS, true);
    /* the server stops 1 s at the first reject of every run: the client meanwhile has
     * the rest to send */
    free(sql(w.db, "CREATE FUNCTION public.uji_lambat() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN IF NEW.row_number = 1 THEN PERFORM pg_sleep(1); END IF; RETURN NEW; "
                   "END $$; CREATE TRIGGER uji_lambat BEFORE INSERT ON etl.reject "
                   "FOR EACH ROW EXECUTE FUNCTION public.uji_lambat(); SELECT 1"));
    /* under AddressSanitizer, freed memory waits in a quarantine and counts as resident:
     * without it, the peak is the live memory again */
    char asan[512], was_text[256];
    const char *was = getenv("ASAN_OPTIONS");
    if (was)
        was = strncpy(was_text, was, sizeof(was_text) - 1); /* setenv may replace it */
    was_text[sizeof(was_text) - 1] = '\0';
    snprintf(asan, sizeof(asan), "%s%squarantine_size_mb=0:thread_local_quarantine_size_kb=0",
             was ? was : "", was && *was ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    char *few = long_codes_file("uji_teks_sedikit.csv", 1000);
    char *many = long_codes_file("uji_teks_banyak.csv", 40000);
    struct tu_result a = wd(&w, "load", "--mapping", "uji_teks", few, NULL);
    struct tu_result b = wd(&w, "load", "--mapping", "uji_teks", many, NULL);
    if (was)
        setenv("ASAN_OPTIONS", was, 1);
    else
        unsetenv("ASAN_OPTIONS");
    assert_status(a, 0);
    assert_status(b, 0);
    tu_assert_contains(b.out, "published as run 2");
    assert_sql(w.db, "1000 40000",
               "SELECT string_agg(n::text, ' ' ORDER BY run_id) FROM (SELECT run_id, count(*) n "
               "FROM etl.reject GROUP BY run_id) r");
    if (b.maxrss_kib - a.maxrss_kib > 24 * 1024)
        fail_msg("40 000 rejects peaked at %ld KiB, 1 000 at %ld KiB: more than the backlog "
                 "held in memory",
                 b.maxrss_kib, a.maxrss_kib);
    tu_result_free(&a);
    tu_result_free(&b);
    free(few);
    free(many);
    warehouse_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_slow_server_gets_every_row_in_order),
        cmocka_unit_test(test_load_server_fails_with_rows_queued),
        cmocka_unit_test(test_load_rejects_held_within_backlog),
    };
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
