/*
 * test_load_backlog.c - `walidata load` into a server slower than the client (tests/with-pg
 * exports WALIDATA_TEST_DB). During COPY the client does not wait on a full socket: it queues
 * up to 4 MiB of rows and tops the socket up as the server drains it (etl/copy.c, ship). Here
 * a trigger on the append table pauses the server every thousand rows, so that the socket
 * and the backlog fill, while a file of 40 MB is sent:
 *
 * - every byte arrives, in order: the table's digest is the one the rows were made from;
 * - the server failing the COPY with rows still queued (the trigger raises at row 6 000)
 *   gives the server's own message, leaves the warehouse empty and the file loadable after.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_slow_server_gets_every_row_in_order),
        cmocka_unit_test(test_load_server_fails_with_rows_queued),
    };
    if (getenv("WD_TEST_FILTER"))
        cmocka_set_test_filter(getenv("WD_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
