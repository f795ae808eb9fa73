/*
 * test_config.c - reading walidata.json: defaults, a full file, and every kind of mistake
 * refused with the file and the key (and a hint where a near key or value exists).
 *
 * Files are written into the test's temporary folder. The case "no file given" reads
 * /etc/walidata/walidata.json when it exists, so that case is skipped on a machine that has
 * one.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../etl/config.h"

/* Writes text as tmpdir/name into path (on the caller's stack: a failing assertion leaks
 * nothing). */
static void write_cfg(const char *name, const char *text, char *path, size_t n)
{
    char *p = tu_write_str(name, text);
    snprintf(path, n, "%s", p);
    free(p);
}

static void assert_defaults(const struct wd_config *cfg)
{
    assert_string_equal(cfg->database, "");
    assert_null(cfg->mappings);
    assert_null(cfg->reference_codes);
    assert_string_equal(cfg->inbox, "/var/lib/walidata/inbox");
    assert_string_equal(cfg->archive, "/var/lib/walidata/archive");
    assert_string_equal(cfg->failed, "/var/lib/walidata/failed");
    assert_string_equal(cfg->outbox, "/var/lib/walidata/outbox");
    assert_int_equal(cfg->workers, 2);
    assert_string_equal(cfg->timezone, "Asia/Jakarta");
    assert_null(cfg->pseudonym_key_file);
    assert_string_equal(cfg->log_level, "info");
}

/* Primary messages are lowercase without a final period; a hint is a sentence. */
static void assert_message_style(const struct wd_error *err)
{
    size_t n = strlen(err->msg);
    assert_true(n > 0);
    if (err->msg[0] >= 'A' && err->msg[0] <= 'Z')
        fail_msg("message starts with a capital: \"%s\"", err->msg);
    if (err->msg[n - 1] == '.')
        fail_msg("message ends with a period: \"%s\"", err->msg);
    size_t h = strlen(err->hint);
    if (h && (!(err->hint[0] >= 'A' && err->hint[0] <= 'Z') ||
              (err->hint[h - 1] != '.' && err->hint[h - 1] != '?')))
        fail_msg("hint is not a sentence: \"%s\"", err->hint);
}

/* Loads text as a config file, expecting WD_ECONFIG at key with words in the message. The
 * config is freed whatever happens. */
static void expect_refused(const char *name, const char *text, const char *key, const char *word1,
                           const char *word2, const char *hint)
{
    char path[512];
    write_cfg(name, text, path, sizeof(path));
    struct wd_config cfg;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_config_load(path, &cfg, &err);
    char *cfg_path = cfg.path ? strdup(cfg.path) : NULL;
    wd_config_free(&cfg);
    unlink(path);
    if (getenv("WD_TEST_VERBOSE"))
        wd_error_print(stderr, &err);
    if (rc == 0) {
        free(cfg_path);
        fail_msg("%s was accepted; expected a refusal at %s", text, key);
    }
    assert_null(cfg_path); /* a refused file is not recorded as read */
    assert_int_equal(rc, WD_ECONFIG);
    assert_int_equal(err.code, WD_ECONFIG);
    assert_string_equal(err.file, path);
    assert_string_equal(err.field, key);
    if (word1)
        tu_assert_contains(err.msg, word1);
    if (word2)
        tu_assert_contains(err.msg, word2);
    if (hint)
        assert_string_equal(err.hint, hint);
    assert_message_style(&err);
}

static void test_no_file_given(void **state)
{
    (void)state;
    if (access(WD_CONFIG_DEFAULT_PATH, F_OK) == 0)
        skip();
    struct wd_config cfg;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(NULL, &cfg, &err), 0);
    assert_null(cfg.path);
    assert_defaults(&cfg);
    assert_int_equal(err.code, 0);
    wd_config_free(&cfg);
}

static void test_missing_file(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/tidak-ada/walidata.json", tu_tmpdir());
    struct wd_config cfg;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_config_load(path, &cfg, &err);
    /* the defaults are there all the same, and freeable */
    char *inbox = cfg.inbox ? strdup(cfg.inbox) : NULL;
    void *cfg_path = cfg.path;
    wd_config_free(&cfg);
    assert_int_equal(rc, WD_ENOTFOUND);
    assert_int_equal(err.code, WD_ENOTFOUND);
    assert_string_equal(err.file, path);
    tu_assert_contains(err.msg, "No such file or directory");
    assert_null(cfg_path);
    assert_non_null(inbox);
    assert_string_equal(inbox, "/var/lib/walidata/inbox");
    free(inbox);
}

static void test_full_file(void **state)
{
    (void)state;
    char path[512];
    write_cfg("full.json",
              "{\n"
              "  \"database\": \"host=db.kemnaker.go.id dbname=satudata user=walidata_loader\",\n"
              "  \"mappings\": \"/etc/walidata/mappings\",\n"
              "  \"reference_codes\": \"/usr/share/walidata/reference-codes\",\n"
              "  \"inbox\": \"/srv/walidata/inbox\",\n"
              "  \"archive\": \"/srv/walidata/archive\",\n"
              "  \"failed\": \"/srv/walidata/failed\",\n"
              "  \"outbox\": \"/srv/walidata/outbox\",\n"
              "  \"workers\": 8,\n"
              "  \"timezone\": \"Asia/Makassar\",\n"
              "  \"pseudonym_key_file\": \"/etc/walidata/pseudonym.key\",\n"
              "  \"log_level\": \"debug\"\n"
              "}\n",
              path, sizeof(path));
    struct wd_config cfg;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_config_load(path, &cfg, &err);
    if (rc)
        wd_error_print(stderr, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(cfg.path, path);
    assert_string_equal(cfg.database,
                        "host=db.kemnaker.go.id dbname=satudata user=walidata_loader");
    assert_string_equal(cfg.mappings, "/etc/walidata/mappings");
    assert_string_equal(cfg.reference_codes, "/usr/share/walidata/reference-codes");
    assert_string_equal(cfg.inbox, "/srv/walidata/inbox");
    assert_string_equal(cfg.archive, "/srv/walidata/archive");
    assert_string_equal(cfg.failed, "/srv/walidata/failed");
    assert_string_equal(cfg.outbox, "/srv/walidata/outbox");
    assert_int_equal(cfg.workers, 8);
    assert_string_equal(cfg.timezone, "Asia/Makassar");
    assert_string_equal(cfg.pseudonym_key_file, "/etc/walidata/pseudonym.key");
    assert_string_equal(cfg.log_level, "debug");
    wd_config_free(&cfg);
    assert_null(cfg.path);
    assert_null(cfg.database);
}

static void test_partial_file_keeps_defaults(void **state)
{
    (void)state;
    char path[512];
    struct wd_config cfg;
    struct wd_error err;

    write_cfg("empty-object.json", "{}\n", path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), 0);
    assert_string_equal(cfg.path, path);
    assert_defaults(&cfg);
    wd_config_free(&cfg);

    write_cfg("partial.json",
              "{\"workers\": 4, \"database\": \"postgresql:///satudata\", \"log_level\": "
              "\"warning\"}",
              path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), 0);
    assert_int_equal(cfg.workers, 4);
    assert_string_equal(cfg.database, "postgresql:///satudata");
    assert_string_equal(cfg.log_level, "warning");
    assert_string_equal(cfg.inbox, "/var/lib/walidata/inbox");
    assert_string_equal(cfg.timezone, "Asia/Jakarta");
    assert_null(cfg.mappings);
    wd_config_free(&cfg);

    /* an empty database means libpq's own defaults */
    write_cfg("empty-database.json", "{\"database\": \"\"}", path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), 0);
    assert_string_equal(cfg.database, "");
    wd_config_free(&cfg);
}

static void test_workers_limits(void **state)
{
    (void)state;
    static const long long ok[] = {1, 2, 63, 64};
    for (size_t i = 0; i < 4; i++) {
        char text[64], path[512];
        snprintf(text, sizeof(text), "{\"workers\": %lld}", ok[i]);
        write_cfg("workers.json", text, path, sizeof(path));
        struct wd_config cfg;
        struct wd_error err;
        wd_error_clear(&err);
        int rc = wd_config_load(path, &cfg, &err);
        long long got = cfg.workers;
        wd_config_free(&cfg);
        assert_int_equal(rc, 0);
        assert_int_equal(got, ok[i]);
    }
    expect_refused("workers0.json", "{\"workers\": 0}", "workers", "from 1 to 64", "found 0", NULL);
    expect_refused("workers65.json", "{\"workers\": 65}", "workers", "from 1 to 64", "found 65",
                   NULL);
    expect_refused("workers-neg.json", "{\"workers\": -1}", "workers", "from 1 to 64", "found -1",
                   NULL);
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_refused("t1.json", "{\"workers\": \"4\"}", "workers", "expected a whole number",
                   "a string", NULL);
    expect_refused("t2.json", "{\"workers\": 2.5}", "workers", "expected a whole number", NULL,
                   NULL);
    expect_refused("t3.json", "{\"database\": 5}", "database", "expected a string", "a number",
                   NULL);
    expect_refused("t4.json", "{\"inbox\": [\"/srv/inbox\"]}", "inbox", "expected a string",
                   "an array", NULL);
    expect_refused("t5.json", "{\"log_level\": true}", "log_level", "expected a string",
                   "a boolean", NULL);
    expect_refused("t6.json", "{\"timezone\": {}}", "timezone", "expected a string", "an object",
                   NULL);
}

static void test_unknown_key(void **state)
{
    (void)state;
    expect_refused("u1.json", "{\"worker\": 4}", "worker", "unknown key", NULL,
                   "Did you mean \"workers\"?");
    expect_refused("u2.json", "{\"inbox\": \"/srv/in\", \"reference_code\": \"/x\"}",
                   "reference_code", "unknown key", NULL, "Did you mean \"reference_codes\"?");
    expect_refused("u3.json", "{\"log-level\": \"info\"}", "log-level", "unknown key", NULL,
                   "Did you mean \"log_level\"?");
    expect_refused("u4.json", "{\"databse\": \"\"}", "databse", "unknown key", NULL,
                   "Did you mean \"database\"?");
    /* nothing near: still refused, naming the key */
    expect_refused("u5.json", "{\"listen_port\": 5432}", "listen_port", "unknown key", NULL, NULL);
}

static void test_log_level(void **state)
{
    (void)state;
    static const char *const ok[] = {"debug", "info", "notice", "warning", "error"};
    for (size_t i = 0; i < 5; i++) {
        char text[64], path[512];
        snprintf(text, sizeof(text), "{\"log_level\": \"%s\"}", ok[i]);
        write_cfg("level.json", text, path, sizeof(path));
        struct wd_config cfg;
        struct wd_error err;
        wd_error_clear(&err);
        int rc = wd_config_load(path, &cfg, &err);
        bool same = rc == 0 && strcmp(cfg.log_level, ok[i]) == 0;
        wd_config_free(&cfg);
        assert_int_equal(rc, 0);
        assert_true(same);
    }
    expect_refused("l1.json", "{\"log_level\": \"debg\"}", "log_level", "unknown value", "\"debg\"",
                   "Did you mean \"debug\"?");
    expect_refused("l2.json", "{\"log_level\": \"warnng\"}", "log_level", "unknown value",
                   "\"warnng\"", "Did you mean \"warning\"?");
    expect_refused("l3.json", "{\"log_level\": \"erorr\"}", "log_level", "unknown value",
                   "\"erorr\"", "Did you mean \"error\"?");
}

static void test_invalid_json(void **state)
{
    (void)state;
    char path[512];
    write_cfg("broken.json", "{\n  \"workers\": 4,\n  \"inbox\" \"/srv/inbox\"\n}\n", path,
              sizeof(path));
    struct wd_config cfg;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_config_load(path, &cfg, &err);
    wd_config_free(&cfg);
    assert_int_equal(rc, WD_ECONFIG);
    assert_int_equal(err.code, WD_ECONFIG);
    assert_string_equal(err.file, path);
    tu_assert_contains(err.msg, "invalid JSON");
    assert_int_equal(err.line, 3);
    assert_true(err.column > 0);
    assert_message_style(&err);
}

static void test_other_broken_files(void **state)
{
    (void)state;
    char path[512];
    struct wd_config cfg;
    struct wd_error err;

    /* an empty file */
    write_cfg("empty.json", "", path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), WD_ECONFIG);
    wd_config_free(&cfg);
    tu_assert_contains(err.msg, "invalid JSON");

    /* a key given twice */
    write_cfg("twice.json", "{\"workers\": 2,\n \"workers\": 4}", path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), WD_ECONFIG);
    wd_config_free(&cfg);
    tu_assert_contains(err.msg, "duplicate");
    assert_int_equal(err.line, 2);

    /* not an object */
    expect_refused("array.json", "[{\"workers\": 2}]", "", "expected an object", "an array", NULL);
}

/* A config struct is reused on reload: load, free, load again. */
static void test_reload(void **state)
{
    (void)state;
    char path[512];
    struct wd_config cfg;
    struct wd_error err;
    write_cfg("reload.json", "{\"workers\": 3}", path, sizeof(path));
    wd_error_clear(&err);
    assert_int_equal(wd_config_load(path, &cfg, &err), 0);
    assert_int_equal(cfg.workers, 3);
    wd_config_free(&cfg);
    write_cfg("reload.json", "{\"workers\": 5, \"timezone\": \"Asia/Jayapura\"}", path,
              sizeof(path));
    assert_int_equal(wd_config_load(path, &cfg, &err), 0);
    assert_int_equal(cfg.workers, 5);
    assert_string_equal(cfg.timezone, "Asia/Jayapura");
    wd_config_free(&cfg);
    /* freeing twice is harmless: the struct is cleared */
    wd_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_file_given),  cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_full_file),      cmocka_unit_test(test_partial_file_keeps_defaults),
        cmocka_unit_test(test_workers_limits), cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_unknown_key),    cmocka_unit_test(test_log_level),
        cmocka_unit_test(test_invalid_json),   cmocka_unit_test(test_other_broken_files),
        cmocka_unit_test(test_reload),
    };
    return cmocka_run_group_tests_name("test_config", tests, NULL, NULL);
}
