/*
 * test_systemd.c - the systemd unit: systemd-analyze verify accepts it (with ExecStart
 * pointed at the binary under test), it is Type=notify, and it keeps its hardening.
 * Skipped where systemd-analyze is not installed.
 */
#include "testutil.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool have_systemd_analyze(void)
{
    return access("/usr/bin/systemd-analyze", X_OK) == 0 || access("/bin/systemd-analyze", X_OK) == 0;
}

static char *unit_text(void)
{
    char *text = tu_read("systemd/walidata.service", NULL);
    assert_non_null(text);
    return text;
}

static void test_unit_settings(void **state)
{
    (void)state;
    char *text = unit_text();
    static const char *const want[] = {
        "Type=notify",        "WatchdogSec=",        "ExecReload=/bin/kill -HUP $MAINPID",
        "User=walidata",      "ProtectSystem=strict", "ReadWritePaths=/var/lib/walidata",
        "NoNewPrivileges=yes", "PrivateTmp=yes",      "ProtectHome=yes",
        "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", " daemon\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        tu_assert_contains(text, want[i]);
    free(text);
    char *users = tu_read("systemd/walidata.sysusers", NULL);
    tu_assert_contains(users, "u walidata ");
    free(users);
    char *dirs = tu_read("systemd/walidata.tmpfiles", NULL);
    tu_assert_contains(dirs, "d /var/lib/walidata/inbox");
    tu_assert_contains(dirs, "d /var/lib/walidata/outbox");
    free(dirs);
}

static void test_analyze_verify(void **state)
{
    (void)state;
    if (!have_systemd_analyze())
        skip();
    char *text = unit_text();
    const char *bin = getenv("WALIDATA_BIN") ? getenv("WALIDATA_BIN") : "build/walidata";
    char abs[PATH_MAX];
    assert_non_null(realpath(bin, abs));
    /* point ExecStart at the binary under test */
    const char *from = "/usr/local/bin/walidata";
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) + strlen(abs) + 1;
    char *patched = malloc(n);
    snprintf(patched, n, "%.*s%s%s", (int)(at - text), text, abs, at + strlen(from));
    char *path = tu_write("walidata.service", patched, strlen(patched));
    char *argv[] = {"systemd-analyze", "verify", path, NULL};
    struct tu_result r = tu_run(argv);
    if (r.status != 0)
        fail_msg("systemd-analyze verify: %s%s", r.out, r.err);
    tu_result_free(&r);
    free(path);
    free(patched);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_settings),
        cmocka_unit_test(test_analyze_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
