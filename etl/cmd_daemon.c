/*
 * cmd_daemon.c - `walidata daemon`: the scheduler in the foreground (systemd runs this).
 */
#include <getopt.h>

#include "cli_common.h"
#include "daemon.h"

int wd_cmd_daemon(struct wd_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {WD_CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!wd_cli_common_option(cli, c, optarg))
            return wd_cli_usage("daemon", "unknown option");
    if (optind != argc)
        return wd_cli_usage("daemon", "daemon takes no arguments");
    return wd_daemon_run(cli);
}
