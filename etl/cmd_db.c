/*
 * cmd_db.c - `walidata db migrate` and `walidata codes import [DIR]`.
 *
 * db migrate brings the warehouse to the schema this binary was built with, then creates
 * or extends the table of every dataset definition in the mappings folder, with its
 * metadata, comments, view and grants. Both commands can be run any number of times.
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "codes_import.h"
#include "dataset_table.h"
#include "db.h"
#include "mem.h"
#include "migrate.h"

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json in dir, sorted; returns how many (names are new strings). */
static size_t definition_files(const char *dir, char ***out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        *out = wd_realloc(*out, (n + 1) * sizeof(char *));
        size_t cap = strlen(dir) + len + 2;
        (*out)[n] = wd_malloc(cap);
        snprintf((*out)[n], cap, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(*out, n, sizeof(char *), compare);
    return n;
}

static int parse_common(struct wd_cli *cli, const char *command, int argc, char **argv)
{
    static const struct option opts[] = {WD_CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!wd_cli_common_option(cli, c, optarg))
            return wd_cli_usage(command, "unknown option");
    return 0;
}

/* `walidata COMMAND SUB [options]` of a command with the one subcommand SUB: refuses any
 * other, then reads the common options after it. */
static int subcommand(struct wd_cli *cli, const char *command, const char *sub, int argc,
                      char **argv)
{
    if (argc < 2)
        return wd_cli_usage(command, "expected a subcommand: %s", sub);
    if (strcmp(argv[1], sub) != 0)
        return wd_cli_usage(command, "unknown subcommand \"%s\": expected %s", argv[1], sub);
    return parse_common(cli, command, argc - 1, argv + 1);
}

int wd_cmd_db(struct wd_cli *cli, int argc, char **argv)
{
    int rc = subcommand(cli, "db", "migrate", argc, argv);
    if (rc)
        return rc;
    if (optind + 1 < argc)
        return wd_cli_usage("db", "db migrate takes no arguments");
    if ((rc = wd_cli_codes(cli)) != 0)
        return rc;
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    int applied = 0;
    int status = WD_EXIT_OK;
    /* one db migrate at a time, dataset tables included: a second waits for the first
     * (wd_migrate takes the same session lock again, and releases only its own hold) */
    wd_db_exec(db, "SELECT pg_advisory_lock(" WD_MIGRATE_LOCK ")", NULL);
    if (wd_migrate(db, stdout, &applied, &err) < 0) {
        wd_error_print(stderr, &err);
        wd_db_close(db);
        return WD_EXIT_RUNTIME;
    }
    printf("warehouse schema at version %d (%d migration%s applied)\n",
           wd_migrate_version(db, &err), applied, applied == 1 ? "" : "s");
    char buf[PATH_MAX];
    const char *dir = wd_cli_mappings_dir(cli, buf, sizeof(buf));
    char **files;
    size_t n = definition_files(dir, &files);
    for (size_t i = 0; i < n; i++) {
        struct wd_definition *def;
        if (wd_cli_definition(cli, files[i], &def) != 0) {
            status = WD_EXIT_USAGE;
        } else {
            wd_error_clear(&err);
            printf("dataset %s: walidata.%s\n", def->name, def->table);
            if (wd_dataset_sync(db, def, stdout, &err) < 0) {
                wd_error_print(stderr, &err);
                status = err.code == WD_EDB ? WD_EXIT_RUNTIME : WD_EXIT_USAGE;
            }
            wd_definition_free(def);
        }
        free(files[i]);
    }
    free(files);
    if (n == 0)
        fprintf(stderr, "walidata: no dataset definitions in %s\n", dir);
    wd_db_close(db);
    return status;
}

int wd_cmd_codes(struct wd_cli *cli, int argc, char **argv)
{
    int rc = subcommand(cli, "codes", "import", argc, argv);
    if (rc)
        return rc;
    argc--;
    argv++;
    if (optind < argc)
        cli->codes_dir = argv[optind];
    if (optind + 1 < argc)
        return wd_cli_usage("codes", "codes import takes at most one folder");
    if ((rc = wd_cli_codes(cli)) != 0)
        return rc;
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    int imported = 0;
    rc = wd_codes_import(db, cli->codes, stdout, &imported, &err);
    wd_db_close(db);
    if (rc < 0) {
        wd_error_print(stderr, &err);
        return wd_cli_exit_status(rc);
    }
    printf("%d code list%s and crosswalk%s imported; %zu already in the warehouse\n", imported,
           imported == 1 ? "" : "s", imported == 1 ? "" : "s",
           cli->codes->nlists + cli->codes->ncrosswalks - (size_t)imported);
    return WD_EXIT_OK;
}
