/*
 * cmd_mapping.c - `walidata mapping check FILE...`: load each definition as a run would,
 * and say what it defines or exactly what is wrong.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"

int wd_cmd_mapping(struct wd_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "check") != 0)
        return wd_cli_usage("mapping", argc < 2 ? "expected a subcommand: check"
                                                : "unknown subcommand \"%s\": expected check",
                            argc < 2 ? "" : argv[1]);
    static const struct option opts[] = {WD_CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!wd_cli_common_option(cli, c, optarg))
            return wd_cli_usage("mapping", "unknown option");
    if (optind >= argc)
        return wd_cli_usage("mapping", "expected one or more definition files");
    int rc = wd_cli_codes(cli);
    if (rc)
        return rc;
    int status = WD_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        struct wd_definition *def;
        if (wd_cli_definition(cli, argv[i], &def) != 0) {
            status = WD_EXIT_USAGE;
            continue;
        }
        size_t coded = 0;
        for (size_t k = 0; k < def->nfields; k++)
            coded += def->fields[k].codelist != NULL;
        printf("ok  %s: %s %s, %zu fields (%zu with code lists), table walidata.%s, mode %s",
               argv[i], def->name, def->version, def->nfields, coded, def->table,
               wd_mode_name(def->mode));
        if (def->npk) {
            printf(", key (");
            for (size_t k = 0; k < def->npk; k++)
                printf("%s%s", k ? ", " : "", def->fields[def->primary_key[k]].name);
            printf(")");
        }
        printf("\n");
        wd_definition_free(def);
    }
    return status;
}
