/*
 * test_source.c - source URIs: what parses (dir, file, postgresql with query and watermark
 * decoded and kept out of libpq's connection string), what is refused and why, passwords
 * never shown, and which file names a drop folder takes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "../connectors/source.h"

static void test_parse(void **state)
{
    (void)state;
    struct wd_source_uri s;
    char why[300];
    assert_true(wd_source_parse("dir:/var/lib/walidata/inbox/bekasi/penempatan", &s, why,
                                sizeof(why)));
    assert_int_equal(s.kind, WD_SOURCE_DIR);
    assert_string_equal(s.path, "/var/lib/walidata/inbox/bekasi/penempatan");
    assert_null(s.pattern);
    wd_source_uri_free(&s);
    assert_true(wd_source_parse("dir:/in/u/d?pattern=*.txt", &s, why, sizeof(why)));
    assert_string_equal(s.pattern, "*.txt");
    wd_source_uri_free(&s);
    assert_true(wd_source_parse("file:/srv/ump.csv", &s, why, sizeof(why)));
    assert_int_equal(s.kind, WD_SOURCE_FILE);
    wd_source_uri_free(&s);
    assert_true(wd_source_parse("postgresql://u:pw@h:5433/db?sslmode=require&query=SELECT%20*"
                                "%20FROM%20t%20WHERE%20a%3D1&watermark=updated_at",
                                &s, why, sizeof(why)));
    assert_int_equal(s.kind, WD_SOURCE_POSTGRESQL);
    assert_string_equal(s.query, "SELECT * FROM t WHERE a=1");
    assert_string_equal(s.watermark, "updated_at");
    assert_string_equal(s.conninfo, "postgresql://u:pw@h:5433/db?sslmode=require");
    wd_source_uri_free(&s);

    static const struct {
        const char *uri, *why;
    } bad[] = {
        {"dir:relative/path", "expected an absolute path after dir:"},
        {"file:", "expected an absolute path after file:"},
        {"dir:/x?glob=*.csv", "the only option of a source is ?pattern=GLOB"},
        {"file:/x?pattern=*.csv", "the only option of a source is ?pattern=GLOB"},
        {"dir:/x?pattern=%zz", "not a valid URL-encoded glob"},
        {"postgresql://h/db?query=SELECT%201", "needs query=SQL and watermark=COLUMN"},
        {"postgresql://h/db?watermark=w", "needs query=SQL and watermark=COLUMN"},
        {"ftp://x/y", "unknown source"},
        {"", "unknown source"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (wd_source_parse(bad[i].uri, &s, why, sizeof(why)))
            fail_msg("\"%s\" was accepted", bad[i].uri);
        tu_assert_contains(why, bad[i].why);
    }
}

static void test_redact(void **state)
{
    (void)state;
    static const struct {
        const char *uri, *shown;
    } cases[] = {
        {"postgresql://bob:s3cret@db/x?query=a&watermark=b",
         "postgresql://bob:***@db/x?query=a&watermark=b"},
        {"postgresql:///db?host=/s&password=hunter2&query=q&watermark=w",
         "postgresql:///db?host=/s&password=***&query=q&watermark=w"},
        {"postgresql://bob@h/db?query=q&watermark=w", "postgresql://bob@h/db?query=q&watermark=w"},
        {"dir:/var/lib/x", "dir:/var/lib/x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = wd_source_redact(cases[i].uri);
        assert_string_equal(r, cases[i].shown);
        assert_null(strstr(r, "s3cret"));
        assert_null(strstr(r, "hunter2"));
        free(r);
    }
}

static void test_names_wanted(void **state)
{
    (void)state;
    struct wd_source_uri s;
    char why[100];
    assert_true(wd_source_parse("dir:/in/u/d", &s, why, sizeof(why)));
    assert_true(wd_source_name_wanted(&s, "penempatan_2025-08.csv"));
    assert_true(wd_source_name_wanted(&s, "penempatan_2025-08.csv.gz"));
    assert_true(wd_source_name_wanted(&s, "LAPORAN.CSV"));
    assert_false(wd_source_name_wanted(&s, ".penempatan.csv"));
    assert_false(wd_source_name_wanted(&s, "penempatan.csv.part"));
    assert_false(wd_source_name_wanted(&s, "penempatan.csv.tmp"));
    assert_false(wd_source_name_wanted(&s, "catatan.txt"));
    assert_false(wd_source_name_wanted(&s, "a..b.csv"));
    wd_source_uri_free(&s);
    assert_true(wd_source_parse("dir:/in/u/d?pattern=*.txt", &s, why, sizeof(why)));
    assert_true(wd_source_name_wanted(&s, "catatan.txt"));
    assert_false(wd_source_name_wanted(&s, "penempatan.csv"));
    wd_source_uri_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_names_wanted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
