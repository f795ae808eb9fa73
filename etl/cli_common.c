/*
 * cli_common.c - config, code lists and definitions for the commands.
 */
#include "cli_common.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datefmt.h"
#include "db.h"
#include "mem.h"
#include "timeliness.h"

#ifndef WD_SHAREDIR
#define WD_SHAREDIR "/usr/local/share/walidata"
#endif

bool wd_cli_common_option(struct wd_cli *cli, int c, const char *arg)
{
    switch (c) {
    case 'C':
        cli->codes_dir = arg;
        return true;
    case 'M':
        cli->mappings_dir = arg;
        return true;
    case 'c':
        cli->config_path = arg;
        return true;
    default:
        return false;
    }
}

int wd_cli_exit_status(int code)
{
    switch (code) {
    case WD_OK:
    case WD_ESTOPPED:
        return WD_EXIT_OK;
    case WD_EFORMAT:
    case WD_EHEADER:
        return WD_EXIT_REFUSED;
    case WD_EUSAGE:
    case WD_ECONFIG:
    case WD_EMAPPING:
    case WD_ECODES:
        return WD_EXIT_USAGE;
    case WD_ESCHEMA:
        return WD_EXIT_USAGE;
    case WD_EIO:
    case WD_ENOTFOUND:
    case WD_EDB:
    default:
        return WD_EXIT_RUNTIME;
    }
}

int wd_cli_config(struct wd_cli *cli)
{
    if (cli->config_loaded)
        return 0;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_config_load(cli->config_path, &cli->config, &err);
    if (rc < 0) {
        wd_error_print(stderr, &err);
        wd_config_free(&cli->config);
        /* a config file that was asked for and is missing is a configuration error */
        return WD_EXIT_USAGE;
    }
    cli->config_loaded = true;
    return 0;
}

static bool is_dir(const char *path)
{
    return access(path, R_OK | X_OK) == 0;
}

/* The folder for code lists or definitions: option, config key, ./NAME, share/NAME. */
static const char *find_dir(const char *option, const char *configured, const char *name,
                            char *buf, size_t cap)
{
    if (option)
        return option;
    if (configured)
        return configured;
    snprintf(buf, cap, "./%s", name);
    if (is_dir(buf))
        return buf;
    snprintf(buf, cap, "%s/%s", WD_SHAREDIR, name);
    return buf;
}

int wd_cli_codes(struct wd_cli *cli)
{
    if (cli->codes)
        return 0;
    int rc = wd_cli_config(cli);
    if (rc)
        return rc;
    char buf[PATH_MAX];
    const char *dir = find_dir(cli->codes_dir, cli->config.reference_codes, "reference-codes", buf,
                               sizeof(buf));
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_codes_load(dir, &cli->codes, &err) < 0) {
        wd_error_print(stderr, &err);
        if (err.code == WD_ENOTFOUND)
            fprintf(stderr, "HINT: Name the folder of code lists with --codes DIR or the "
                            "config key reference_codes.\n");
        return WD_EXIT_USAGE;
    }
    return 0;
}

const char *wd_cli_mappings_dir(struct wd_cli *cli, char *buf, size_t cap)
{
    return find_dir(cli->mappings_dir, cli->config_loaded ? cli->config.mappings : NULL,
                    "mappings", buf, cap);
}

int wd_cli_db(struct wd_cli *cli, struct wd_db **out)
{
    int rc = wd_cli_config(cli);
    if (rc)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_db_connect(cli->config.database, out, &err) < 0) {
        wd_error_print(stderr, &err);
        return WD_EXIT_RUNTIME;
    }
    return 0;
}

int wd_cli_definition(struct wd_cli *cli, const char *ref, struct wd_definition **out)
{
    int rc = wd_cli_codes(cli);
    if (rc)
        return rc;
    char path[PATH_MAX];
    size_t n = strlen(ref);
    if (strchr(ref, '/') || (n > 5 && strcmp(ref + n - 5, ".json") == 0)) {
        snprintf(path, sizeof(path), "%s", ref);
    } else {
        if (!wd_identifier_valid(ref)) {
            fprintf(stderr, "walidata: invalid dataset name \"%s\"\n", ref);
            return WD_EXIT_USAGE;
        }
        char buf[PATH_MAX];
        const char *dir = find_dir(cli->mappings_dir, cli->config.mappings, "mappings", buf,
                                   sizeof(buf));
        if (snprintf(path, sizeof(path), "%s/%s.json", dir, ref) >= (int)sizeof(path)) {
            fprintf(stderr, "walidata: the path of definition \"%s\" is too long\n", ref);
            return WD_EXIT_USAGE;
        }
    }
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_definition_load(path, cli->codes, out, &err) < 0) {
        wd_error_print(stderr, &err);
        return WD_EXIT_USAGE;
    }
    return 0;
}

int64_t wd_cli_today(struct wd_cli *cli)
{
    const char *tz = cli->config_loaded && cli->config.timezone ? cli->config.timezone
                                                                 : "Asia/Jakarta";
    char *saved = getenv("TZ") ? wd_strdup(getenv("TZ")) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    return wd_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

bool wd_cli_day(const char *command, const char *value, int64_t *day)
{
    if (wd_parse_day(value, day))
        return true;
    wd_cli_usage(command, "--arrived expects a date as YYYY-MM-DD, found \"%s\"", value);
    return false;
}

int wd_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "walidata %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry \"walidata help %s\".\n", command);
    va_end(ap);
    return WD_EXIT_USAGE;
}

bool wd_cli_count(const char *command, const char *option, const char *value, long long min,
                  long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || *end || !*value || v < min || v > max) {
        wd_cli_usage(command, "%s expects a whole number from %lld to %lld, found \"%s\"", option,
                     min, max, value);
        return false;
    }
    *out = v;
    return true;
}

void wd_cli_free(struct wd_cli *cli)
{
    wd_codes_free(cli->codes);
    cli->codes = NULL;
    if (cli->config_loaded)
        wd_config_free(&cli->config);
    cli->config_loaded = false;
}
