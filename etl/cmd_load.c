/*
 * cmd_load.c - `walidata load --mapping M FILE... [--force]`: validate and publish, one run
 * per file, exactly as the daemon does.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "load.h"
#include "report.h"

static int load_one(struct wd_cli *cli, struct wd_db *db, const struct wd_definition *def,
                    const char *path, const struct wd_load_options *opt)
{
    struct wd_report rep;
    wd_report_init(&rep, def, path, WD_MAX_ERRORS_DEFAULT);
    struct wd_load_result res;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_load_file(db, def, cli->codes, path, opt, &rep, &res, &err);
    int status;
    if (rc < 0) {
        wd_error_print(stderr, &err);
        status = wd_cli_exit_status(rc);
    } else if (res.state == WD_RUN_DUPLICATE) {
        printf("%s: not loaded (run %" PRId64 "): %s\n", path, res.run_id, res.reason);
        printf("  Use --force to load the same content again.\n");
        status = WD_EXIT_OK;
    } else {
        const struct wd_counts *c = &rep.validation.counts;
        if (res.state == WD_RUN_PUBLISHED) {
            printf("%s: published as run %" PRId64 " into walidata.%s: %" PRIu64
                   " rows (%" PRIu64 " of %" PRIu64 " rejected)",
                   path, res.run_id, def->table, res.published, c->rejected, c->rows);
            if (def->mode == WD_MODE_REPLACE)
                printf(", %" PRIu64 " earlier rows of the same periods replaced", res.replaced);
            printf("; quality %.1f\n", rep.quality.score);
            if (res.attempts > 1)
                printf("  Published on attempt %d: PostgreSQL rolled the earlier one%s back "
                       "for a conflict (deadlock or serialization failure) with another run "
                       "of %s.\n",
                       res.attempts, res.attempts > 2 ? "s" : "", def->name);
            status = WD_EXIT_OK;
        } else {
            printf("%s: REFUSED as run %" PRId64 ": %s\n", path, res.run_id, res.reason);
            status = WD_EXIT_REFUSED;
        }
        if (c->rejected)
            printf("  The rejected rows and why: walidata rejects %" PRId64 "\n", res.run_id);
    }
    wd_report_free(&rep);
    return status;
}

int wd_cmd_load(struct wd_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"arrived", required_argument, NULL, 'a'},
                                         WD_CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *mapping = NULL;
    struct wd_load_options opt = {.force = false, .progress = isatty(2) != 0};
    bool arrived = false;
    int c;
    while ((c = getopt_long(argc, argv, "m:", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            mapping = optarg;
            break;
        case 'F':
            opt.force = true;
            break;
        case 'a':
            if (!wd_cli_day("load", optarg, &opt.arrival_day))
                return WD_EXIT_USAGE;
            arrived = true;
            break;
        default:
            if (!wd_cli_common_option(cli, c, optarg))
                return wd_cli_usage("load", "unknown option");
        }
    }
    if (!mapping)
        return wd_cli_usage("load", "--mapping is required: the dataset definition of the files");
    if (optind >= argc)
        return wd_cli_usage("load", "expected one or more files");
    struct wd_definition *def;
    int rc = wd_cli_definition(cli, mapping, &def);
    if (rc)
        return rc;
    if (!arrived)
        opt.arrival_day = wd_cli_today(cli);
    bool needs_key = false;
    for (size_t i = 0; i < def->nfields; i++)
        needs_key = needs_key || def->fields[i].privacy == WD_PRIVACY_PSEUDONYMIZE;
    struct wd_error err;
    wd_error_clear(&err);
    if (needs_key && cli->config.pseudonym_key_file &&
        wd_pseudonym_open(cli->config.pseudonym_key_file, &opt.pseudonym, &err) < 0) {
        wd_error_print(stderr, &err);
        wd_definition_free(def);
        return WD_EXIT_USAGE;
    }
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0) {
        wd_pseudonym_free(opt.pseudonym);
        wd_definition_free(def);
        return rc;
    }
    int status = WD_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int s = load_one(cli, db, def, argv[i], &opt);
        if (s > status)
            status = s;
        if (s == WD_EXIT_RUNTIME && PQstatus(db->conn) != CONNECTION_OK)
            break; /* the connection is gone: the rest would fail the same way */
    }
    wd_db_close(db);
    wd_pseudonym_free(opt.pseudonym);
    wd_definition_free(def);
    return status;
}
