/*
 * cmd_job.c - `walidata job add|list|show|run|pause|resume|rm`: the jobs the daemons run,
 * kept in etl.job so that every daemon on the warehouse sees them. Every change wakes the
 * daemons (a trigger NOTIFYs walidata_jobs), so it takes effect within a second.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../connectors/source.h"
#include "cli_common.h"
#include "db.h"
#include "schedule.h"

static bool job_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

static int job_add(struct wd_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"source", required_argument, NULL, 's'},
                                         {"schedule", required_argument, NULL, 'S'},
                                         {"timezone", required_argument, NULL, 'z'},
                                         WD_CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *mapping = NULL, *source = NULL, *schedule = NULL, *tz = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            mapping = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'S':
            schedule = optarg;
            break;
        case 'z':
            tz = optarg;
            break;
        default:
            if (!wd_cli_common_option(cli, c, optarg))
                return wd_cli_usage("job", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return wd_cli_usage("job", "job add takes one job name");
    const char *name = argv[optind];
    if (!job_name_valid(name))
        return wd_cli_usage("job", "invalid job name \"%s\": expected lowercase letters, digits, "
                            "_ and -, starting with a letter, at most 63 characters", name);
    if (!mapping || !source)
        return wd_cli_usage("job", "job add needs --mapping M and --source URI");
    char why[300];
    struct wd_source_uri src;
    if (!wd_source_parse(source, &src, why, sizeof(why)))
        return wd_cli_usage("job", "--source: %s", why);
    enum wd_source_kind kind = src.kind;
    wd_source_uri_free(&src);
    if (!schedule) {
        if (kind != WD_SOURCE_DIR)
            return wd_cli_usage("job", "--schedule is required for a %s source (cron, @hourly, "
                                "@daily...); @watch is for drop folders",
                                kind == WD_SOURCE_FILE ? "file:" : "postgresql:");
        schedule = "@watch";
    }
    struct wd_schedule sched;
    if (!wd_schedule_parse(schedule, &sched, why, sizeof(why)))
        return wd_cli_usage("job", "--schedule \"%s\": %s", schedule, why);
    if (sched.kind == WD_SCHEDULE_WATCH && kind != WD_SOURCE_DIR)
        return wd_cli_usage("job", "--schedule @watch applies to drop folders (dir:) only");
    if (sched.kind == WD_SCHEDULE_CRON && wd_schedule_next(&sched, time(NULL), "UTC") == 0)
        return wd_cli_usage("job", "--schedule \"%s\" never fires (no such date in the next "
                            "five years)", schedule);
    int rc = wd_cli_config(cli);
    if (rc)
        return rc;
    if (!tz)
        tz = cli->config.timezone;
    if (!wd_timezone_valid(tz))
        return wd_cli_usage("job", "--timezone: unknown time zone \"%s\" (e.g. Asia/Jakarta, "
                            "Asia/Makassar, Asia/Jayapura)", tz);
    struct wd_definition *def;
    if ((rc = wd_cli_definition(cli, mapping, &def)) != 0)
        return rc;
    char dataset[128];
    snprintf(dataset, sizeof(dataset), "%s", def->name);
    wd_definition_free(def);
    struct wd_db *db;
    if ((rc = wd_cli_db(cli, &db)) != 0)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    const char *p[5] = {name, dataset, source, schedule, tz};
    PGresult *res = wd_db_query(db,
                                "INSERT INTO etl.job (name, dataset, source, schedule, timezone) "
                                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING "
                                "RETURNING name",
                                5, p, &err);
    int status = WD_EXIT_OK;
    if (!res) {
        wd_error_print(stderr, &err);
        status = WD_EXIT_RUNTIME;
    } else if (PQntuples(res) == 0) {
        fprintf(stderr, "walidata job: a job named %s exists already\n"
                        "HINT: Remove it first with \"walidata job rm %s\", or choose another "
                        "name.\n",
                name, name);
        status = WD_EXIT_USAGE;
    } else {
        char *shown = wd_source_redact(source);
        printf("added job %s: %s from %s, %s (%s)\n", name, dataset, shown, schedule, tz);
        free(shown);
    }
    PQclear(res);
    wd_db_close(db);
    return status;
}

static void print_next(const char *schedule, const char *tz, bool paused)
{
    struct wd_schedule s;
    char why[200];
    if (paused) {
        printf("paused");
        return;
    }
    if (!wd_schedule_parse(schedule, &s, why, sizeof(why))) {
        printf("(invalid schedule)");
        return;
    }
    if (s.kind == WD_SCHEDULE_WATCH) {
        printf("as files arrive");
        return;
    }
    time_t next = wd_schedule_next(&s, time(NULL), tz);
    struct tm tm;
    char buf[40];
    gmtime_r(&next, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%MZ", &tm);
    printf("%s", next ? buf : "never");
}

static int job_list(struct wd_db *db, struct wd_error *err)
{
    PGresult *res = wd_db_query(
        db,
        "SELECT j.name, j.dataset, j.schedule, j.timezone, j.paused, j.source, "
        "coalesce(r.run_id::text || ' ' || r.state, '-'), j.failures "
        "FROM etl.job j LEFT JOIN etl.run r ON r.run_id = j.last_run_id ORDER BY j.name",
        0, NULL, err);
    if (!res)
        return WD_EDB;
    printf("%-32s %-32s %-16s %-18s %s\n", "job", "dataset", "schedule", "next (UTC)",
           "last run / source");
    for (int i = 0; i < PQntuples(res); i++) {
        printf("%-32s %-32s %-16s ", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2));
        print_next(PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4)[0] == 't');
        char *shown = wd_source_redact(PQgetvalue(res, i, 5));
        printf("  %s  %s", PQgetvalue(res, i, 6), shown);
        free(shown);
        if (atoi(PQgetvalue(res, i, 7)) > 0)
            printf("  (%s failures)", PQgetvalue(res, i, 7));
        printf("\n");
    }
    if (PQntuples(res) == 0)
        printf("(no jobs: add one with walidata job add)\n");
    PQclear(res);
    return 0;
}

static int job_show(struct wd_db *db, const char *name, struct wd_error *err)
{
    const char *p[1] = {name};
    PGresult *res = wd_db_query(db,
                                "SELECT name, dataset, source, schedule, timezone, paused, "
                                "failures, coalesce(to_char(retry_at, 'YYYY-MM-DD\"T\"HH24:MI:SS"
                                "\"Z\"'), '-'), state::text, to_char(created_at, 'YYYY-MM-DD') "
                                "FROM etl.job WHERE name = $1",
                                1, p, err);
    if (!res)
        return WD_EDB;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return wd_error_set(err, WD_ENOTFOUND, "no job named %s", name);
    }
    char *shown = wd_source_redact(PQgetvalue(res, 0, 2));
    printf("job %s\n  dataset:   %s\n  source:    %s\n  schedule:  %s (%s), next ",
           PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), shown, PQgetvalue(res, 0, 3),
           PQgetvalue(res, 0, 4));
    free(shown);
    print_next(PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5)[0] == 't');
    printf("\n  failures:  %s in a row, retry at %s\n  state:     %s\n  since:     %s\n",
           PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8),
           PQgetvalue(res, 0, 9));
    PQclear(res);
    res = wd_db_query(db,
                      "SELECT run_id, state, coalesce(rows_published, 0), source_name, "
                      "to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM etl.run "
                      "WHERE job = $1 ORDER BY run_id DESC LIMIT 10",
                      1, p, err);
    if (!res)
        return WD_EDB;
    printf("  last runs:\n");
    for (int i = 0; i < PQntuples(res); i++)
        printf("    %6s %-10s %8s rows  %s  %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2), PQgetvalue(res, i, 4), PQgetvalue(res, i, 3));
    if (PQntuples(res) == 0)
        printf("    (none yet)\n");
    PQclear(res);
    return 0;
}

/* run, pause, resume, rm: one statement on one job. */
static int job_change(struct wd_db *db, const char *verb, const char *name, struct wd_error *err)
{
    static const struct {
        const char *verb, *sql, *done;
    } changes[] = {
        {"run", "UPDATE etl.job SET run_requested = now(), updated_at = now() WHERE name = $1",
         "requested a run of"},
        {"pause", "UPDATE etl.job SET paused = true, updated_at = now() WHERE name = $1",
         "paused"},
        {"resume",
         "UPDATE etl.job SET paused = false, failures = 0, retry_at = NULL, updated_at = now() "
         "WHERE name = $1",
         "resumed"},
        {"rm", "DELETE FROM etl.job WHERE name = $1", "removed"},
    };
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        if (strcmp(changes[i].verb, verb) != 0)
            continue;
        const char *p[1] = {name};
        PGresult *res = wd_db_query(db, changes[i].sql, 1, p, err);
        if (!res)
            return WD_EDB;
        bool found = strcmp(PQcmdTuples(res), "1") == 0;
        PQclear(res);
        if (!found)
            return wd_error_set(err, WD_ENOTFOUND, "no job named %s", name);
        printf("%s job %s\n", changes[i].done, name);
        return 0;
    }
    return wd_error_set(err, WD_EUSAGE, "unknown job subcommand");
}

int wd_cmd_job(struct wd_cli *cli, int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", "show", "run", "pause", "resume", "rm",
                                       NULL};
    const char *sub = argc >= 2 ? argv[1] : "";
    bool known = false;
    for (size_t i = 0; subs[i] && !known; i++)
        known = strcmp(subs[i], sub) == 0;
    if (!known)
        return wd_cli_usage("job", "expected add, list, show, run, pause, resume or rm");
    argc--;
    argv++;
    if (strcmp(sub, "add") == 0)
        return job_add(cli, argc, argv);
    static const struct option opts[] = {WD_CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!wd_cli_common_option(cli, c, optarg))
            return wd_cli_usage("job", "unknown option");
    bool list = strcmp(sub, "list") == 0;
    if (list ? optind != argc : optind + 1 != argc)
        return wd_cli_usage("job", list ? "job list takes no arguments"
                                        : "job %s takes one job name", sub);
    struct wd_db *db;
    int rc = wd_cli_db(cli, &db);
    if (rc)
        return rc;
    struct wd_error err;
    wd_error_clear(&err);
    if (list)
        rc = job_list(db, &err);
    else if (strcmp(sub, "show") == 0)
        rc = job_show(db, argv[optind], &err);
    else
        rc = job_change(db, sub, argv[optind], &err);
    wd_db_close(db);
    if (rc < 0) {
        wd_error_print(stderr, &err);
        return wd_cli_exit_status(rc);
    }
    return WD_EXIT_OK;
}
