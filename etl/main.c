/*
 * main.c - the walidata command line: global options, then one command.
 *
 *   walidata [--config FILE] [--codes DIR] [--mappings DIR] COMMAND [ARGS]
 *
 * Each command lives in its own file (cmd_*.c) and returns an exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"

struct command {
    const char *name;
    int (*run)(struct wd_cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
    {"preview", wd_cmd_preview}, {"validate", wd_cmd_validate}, {"mapping", wd_cmd_mapping},
    {"help", wd_cmd_help},       {"version", wd_cmd_version},   {"db", wd_cmd_db},
    {"codes", wd_cmd_codes},     {"load", wd_cmd_load},         {"runs", wd_cmd_runs},
    {"run", wd_cmd_run},         {"rejects", wd_cmd_rejects},   {"audit", wd_cmd_audit},
    {"job", wd_cmd_job},         {"daemon", wd_cmd_daemon},
};

/* Commands of the contract that later work brings; named so the message is clear. */
static const char *const later[] = {NULL};

int main(int argc, char **argv)
{
    struct wd_cli cli;
    memset(&cli, 0, sizeof(cli));
    cli.program = argv[0];
    cli.config_path = getenv("WALIDATA_CONFIG");
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"codes", required_argument, NULL, 'C'},
                                         {"mappings", required_argument, NULL, 'M'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    int c;
    /* "+": stop at the command, whose options are its own */
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli.config_path = optarg;
            break;
        case 'C':
            cli.codes_dir = optarg;
            break;
        case 'M':
            cli.mappings_dir = optarg;
            break;
        case 'h':
            wd_help_print(stdout, NULL);
            return WD_EXIT_OK;
        case 'V':
            return wd_cmd_version(&cli, 0, NULL);
        default:
            fprintf(stderr, "Try \"walidata help\".\n");
            return WD_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        wd_help_print(stderr, NULL);
        return WD_EXIT_USAGE;
    }
    int at = optind;
    const char *name = argv[at];
    int status = -1;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            optind = 0; /* reinitialise getopt for the command */
            status = commands[i].run(&cli, argc - at, argv + at);
            break;
        }
    }
    if (status < 0) {
        bool soon = false;
        for (size_t i = 0; later[i] && !soon; i++)
            soon = strcmp(later[i], name) == 0;
        if (soon)
            fprintf(stderr, "walidata: the command \"%s\" is part of the design but not in this "
                            "build yet\n", name);
        else
            fprintf(stderr, "walidata: unknown command \"%s\"\nTry \"walidata help\".\n", name);
        status = WD_EXIT_USAGE;
    }
    wd_cli_free(&cli);
    return status;
}
