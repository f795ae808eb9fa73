/*
 * cmd_validate.c - `walidata validate --mapping M FILE...`: the dry run. Each file is read,
 * transformed, validated and scored; the report goes to stdout as text for a person or as
 * one JSON object per line for scripts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../connectors/connector.h"
#include "cli_common.h"
#include "report.h"

static int validate_file(struct wd_cli *cli, const struct wd_definition *def, const char *path,
                         bool json, size_t max_errors, const struct wd_validate_options *vo)
{
    struct wd_report rep;
    wd_report_init(&rep, def, path, max_errors);
    struct wd_error err;
    wd_error_clear(&err);
    struct wd_stream *in = NULL;
    struct wd_validation v;
    memset(&v, 0, sizeof(v));
    int rc = wd_file_stream_open(path, &in, &err);
    if (rc == 0) {
        struct wd_sink sink = {.ctx = &rep, .failure = wd_report_failure};
        rc = wd_validate_ex(def, cli->codes, in, &sink, vo, &v, &err);
        wd_stream_close(in);
    }
    if (rc < 0 && !err.file[0])
        wd_error_file(&err, path);
    wd_report_finish(&rep, rc, &v, &err);
    if (json) {
        json_t *o = wd_report_json(&rep);
        json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
        fputc('\n', stdout);
        json_decref(o);
    } else {
        if (rc < 0 && rc != WD_EFORMAT && rc != WD_EHEADER)
            wd_error_print(stderr, &err);
        else
            wd_report_text(stdout, &rep);
    }
    int status = rc < 0 ? wd_cli_exit_status(rc)
                        : rep.quality.accepted ? WD_EXIT_OK : WD_EXIT_REFUSED;
    wd_report_free(&rep);
    return status;
}

int wd_cmd_validate(struct wd_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"max-errors", required_argument, NULL, 'e'},
                                         {"arrived", required_argument, NULL, 'a'},
                                         WD_CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *mapping = NULL, *format = "text";
    long long max_errors = WD_MAX_ERRORS_DEFAULT;
    struct wd_validate_options vo = {false, 0};
    int c;
    while ((c = getopt_long(argc, argv, "m:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            mapping = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'e':
            if (!wd_cli_count("validate", "--max-errors", optarg, 0, 100000000, &max_errors))
                return WD_EXIT_USAGE;
            break;
        case 'a':
            if (!wd_cli_day("validate", optarg, &vo.arrival_day))
                return WD_EXIT_USAGE;
            vo.timeliness = true;
            break;
        default:
            if (!wd_cli_common_option(cli, c, optarg))
                return wd_cli_usage("validate", "unknown option");
        }
    }
    if (!mapping)
        return wd_cli_usage("validate", "--mapping is required: the dataset definition to "
                                        "check the files against");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return wd_cli_usage("validate", "unknown format \"%s\": expected text or json", format);
    if (optind >= argc)
        return wd_cli_usage("validate", "expected one or more files");
    struct wd_definition *def;
    int rc = wd_cli_definition(cli, mapping, &def);
    if (rc)
        return rc;
    int status = WD_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int s = validate_file(cli, def, argv[i], strcmp(format, "json") == 0, (size_t)max_errors,
                              &vo);
        /* the worst status wins: runtime over refused over success */
        if (s > status)
            status = s;
        if (strcmp(format, "text") == 0 && i + 1 < argc)
            fputc('\n', stdout);
    }
    fflush(stdout);
    wd_definition_free(def);
    return status;
}
