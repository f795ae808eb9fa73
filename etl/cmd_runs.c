/*
 * cmd_runs.c - `runs`, `run show ID`, `rejects ID` and `audit verify`: what happened to the
 * units' files, for walidata staff (text) and scripts (JSON, CSV, OpenLineage).
 */
#include <csv.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli_common.h"
#include "db.h"
#include "runs.h"

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static long long num(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', stdout);
}

/* Parses the command's options: --format (one of formats), --dataset/--job, --limit. */
static int options(struct wd_cli *cli, const char *command, int argc, char **argv,
                   const char *const formats[], const char **format, const char **dataset,
                   long long *limit)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"dataset", required_argument, NULL, 'd'},
                                         {"job", required_argument, NULL, 'd'},
                                         {"limit", required_argument, NULL, 'n'},
                                         WD_CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            *format = optarg;
            break;
        case 'd':
            if (!dataset)
                return wd_cli_usage(command, "--dataset does not apply here");
            *dataset = optarg;
            break;
        case 'n':
            if (!limit || !wd_cli_count(command, "--limit", optarg, 1, 1000000, limit))
                return limit ? WD_EXIT_USAGE : wd_cli_usage(command, "--limit does not apply here");
            break;
        default:
            if (!wd_cli_common_option(cli, c, optarg))
                return wd_cli_usage(command, "unknown option");
        }
    }
    for (size_t i = 0; formats[i]; i++)
        if (strcmp(formats[i], *format) == 0)
            return 0;
    return wd_cli_usage(command, "unknown format \"%s\"", *format);
}

static int fail(struct wd_db *db, const struct wd_error *err)
{
    wd_error_print(stderr, err);
    wd_db_close(db);
    return err->code == WD_ENOTFOUND ? WD_EXIT_USAGE : WD_EXIT_RUNTIME;
}

int wd_cmd_runs(struct wd_cli *cli, int argc, char **argv)
{
    static const char *const formats[] = {"text", "json", "openlineage", NULL};
    const char *format = "text", *dataset = NULL;
    long long limit = 20;
    int rc = options(cli, "runs", argc, argv, formats, &format, &dataset, &limit);
    if (rc)
        return rc;
    if (optind < argc)
        return wd_cli_usage("runs", "unexpected argument \"%s\"", argv[optind]);
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    bool ol = strcmp(format, "openlineage") == 0;
    json_t *runs = ol ? wd_runs_openlineage(db, dataset, limit, &err)
                      : wd_runs_list(db, dataset, limit, &err);
    if (!runs)
        return fail(db, &err);
    if (strcmp(format, "text") != 0) {
        print_json(runs);
    } else {
        printf("%6s  %-10s %-28s %8s %8s %8s %6s  %s\n", "run", "state", "dataset", "rows",
               "rejected", "loaded", "score", "started (UTC) / source");
        size_t i;
        json_t *r;
        json_array_foreach(runs, i, r)
        {
            char score[16] = "     -";
            if (json_is_number(json_object_get(r, "quality_score")))
                snprintf(score, sizeof(score), "%6.1f",
                         json_number_value(json_object_get(r, "quality_score")));
            printf("%6lld  %-10s %-28.28s %8lld %8lld %8lld %s  %s %s\n", num(r, "run_id"),
                   str(r, "state"), str(r, "dataset"), num(r, "rows_read"),
                   num(r, "rows_rejected"), num(r, "rows_published"), score,
                   str(r, "started_at"), str(r, "source"));
            if (str(r, "reason")[0])
                printf("%6s  %s\n", "", str(r, "reason"));
        }
        if (json_array_size(runs) == 0)
            printf("(no runs%s%s)\n", dataset ? " of " : "", dataset ? dataset : "");
    }
    json_decref(runs);
    wd_db_close(db);
    return WD_EXIT_OK;
}

/* The one run id left after the options, and a connection: 0, or the exit status. */
static int run_id_and_db(struct wd_cli *cli, const char *command, int argc, char **argv,
                         long long *id, struct wd_db **db)
{
    if (optind + 1 != argc)
        return wd_cli_usage(command, "expected one run id");
    if (!wd_cli_count(command, "the run id", argv[optind], 1, (long long)1 << 62, id))
        return WD_EXIT_USAGE;
    return wd_cli_db(cli, db);
}

static void show_text(const json_t *r)
{
    printf("run %lld: %s, %s\n", num(r, "run_id"), str(r, "dataset"), str(r, "state"));
    printf("  source:     %s\n", str(r, "source"));
    const json_t *s = json_object_get(r, "source_item");
    if (json_is_object(s))
        printf("              %lld bytes, SHA-256 %s%s\n", num(s, "size"), str(s, "sha256"),
               json_is_true(json_object_get(s, "published")) ? ", published" : "");
    printf("  started:    %s, finished %s\n", str(r, "started_at"), str(r, "finished_at"));
    printf("  rows:       %lld read, %lld valid, %lld rejected, %lld published",
           num(r, "rows_read"), num(r, "rows_valid"), num(r, "rows_rejected"),
           num(r, "rows_published"));
    if (num(r, "rows_replaced"))
        printf(", %lld earlier rows replaced", num(r, "rows_replaced"));
    printf("\n");
    if (str(r, "reason")[0])
        printf("  reason:     %s\n", str(r, "reason"));
    const json_t *l = json_object_get(r, "lineage");
    if (json_is_object(l)) {
        printf("  lineage:    %s -> %s (%s)\n", str(l, "source_uri"), str(l, "target_table"),
               str(l, "mode"));
        if (str(l, "codelists")[0])
            printf("              code lists %s\n", str(l, "codelists"));
    }
    printf("  definition: version %s; walidata %s; chain place %lld, hash %.16s...\n",
           str(r, "definition_version"), str(r, "walidata_version"), num(r, "chain_seq"),
           str(r, "hash"));
    size_t i;
    json_t *q;
    const json_t *quality = json_object_get(r, "quality");
    if (json_array_size(quality)) {
        printf("  quality:   ");
        json_array_foreach(quality, i, q) printf(" %s %.1f", str(q, "dimension"),
                                                 json_real_value(json_object_get(q, "score")));
        printf("\n");
    }
    const json_t *rej = json_object_get(r, "rejects_by_rule");
    if (json_array_size(rej)) {
        printf("  failures by rule and field:\n");
        json_array_foreach(rej, i, q)
        {
            printf("    %6lld  %-10s %-24s rows %s\n", num(q, "count"), str(q, "rule"),
                   str(q, "field")[0] ? str(q, "field") : "(whole row)", str(q, "example_rows"));
            printf("            e.g. %s\n", str(q, "example"));
        }
    }
}

int wd_cmd_run(struct wd_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "show") != 0)
        return wd_cli_usage("run", "expected: run show ID");
    static const char *const formats[] = {"text", "json", NULL};
    const char *format = "text";
    int rc = options(cli, "run", argc - 1, argv + 1, formats, &format, NULL, NULL);
    if (rc)
        return rc;
    long long id;
    struct wd_db *db;
    if ((rc = run_id_and_db(cli, "run", argc - 1, argv + 1, &id, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    json_t *r = wd_run_show(db, id, &err);
    if (!r)
        return fail(db, &err);
    if (strcmp(format, "json") == 0)
        print_json(r);
    else
        show_text(r);
    json_decref(r);
    wd_db_close(db);
    return WD_EXIT_OK;
}

struct reject_out {
    bool json;
};

static void csv_field(const char *s)
{
    csv_fwrite(stdout, s, strlen(s));
}

static void print_reject(void *ctx, const json_t *r)
{
    struct reject_out *o = ctx;
    if (o->json) {
        json_dumpf(r, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        return;
    }
    char n[32];
    snprintf(n, sizeof(n), "%lld", num(r, "row"));
    csv_field(n);
    snprintf(n, sizeof(n), "%lld", num(r, "line"));
    fputc(',', stdout);
    csv_field(n);
    const char *cols[] = {"field", "rule", "value", "message"};
    for (int i = 0; i < 4; i++) {
        fputc(',', stdout);
        csv_field(str(r, cols[i]));
    }
    fputc(',', stdout);
    csv_field(json_is_true(json_object_get(r, "rejects")) ? "yes" : "no");
    fputs("\r\n", stdout);
}

int wd_cmd_rejects(struct wd_cli *cli, int argc, char **argv)
{
    static const char *const formats[] = {"csv", "json", NULL};
    const char *format = "csv";
    int rc = options(cli, "rejects", argc, argv, formats, &format, NULL, NULL);
    if (rc)
        return rc;
    long long id;
    struct wd_db *db;
    if ((rc = run_id_and_db(cli, "rejects", argc, argv, &id, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    /* an unknown run is an error, a run without rejects an empty list */
    json_t *run = wd_run_show(db, id, &err);
    if (!run)
        return fail(db, &err);
    json_decref(run);
    struct reject_out out = {strcmp(format, "json") == 0};
    if (!out.json)
        fputs("row,line,field,rule,value,message,rejects_row\r\n", stdout);
    if (wd_rejects_each(db, id, print_reject, &out, &err) < 0)
        return fail(db, &err);
    wd_db_close(db);
    return WD_EXIT_OK;
}

int wd_cmd_audit(struct wd_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "verify") != 0)
        return wd_cli_usage("audit", "expected: audit verify");
    static const char *const formats[] = {"text", NULL};
    const char *format = "text";
    int rc = options(cli, "audit", argc - 1, argv + 1, formats, &format, NULL, NULL);
    if (rc)
        return rc;
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    struct wd_audit_result res;
    if (wd_audit_verify(db, &res, &err) < 0)
        return fail(db, &err);
    wd_db_close(db);
    if (res.first_bad) {
        fprintf(stderr, "walidata: audit failed at run %lld: %s\n", (long long)res.first_bad,
                res.why);
        fprintf(stderr, "DETAIL: %llu runs were checked; the chain holds up to the run before "
                        "%lld.\n",
                (unsigned long long)res.runs, (long long)res.first_bad);
        return WD_EXIT_REFUSED;
    }
    printf("audit chain verified: %llu run%s, every hash matches\n",
           (unsigned long long)res.runs, res.runs == 1 ? "" : "s");
    return WD_EXIT_OK;
}
