/*
 * cli_common.h - what every walidata command shares: the global options, the config, where
 * code lists and definitions are found, and how errors become exit statuses.
 *
 * Exit statuses (DESIGN): 0 success; 1 the data was refused (reject ratio, quality gate, a
 * file that cannot be read as CSV); 2 usage or configuration error (options, config,
 * definitions, code lists); 3 runtime error (I/O, later the database).
 */
#ifndef WD_CLI_COMMON_H
#define WD_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "codes.h"
#include "config.h"
#include "definition.h"
#include "error.h"

enum wd_exit {
    WD_EXIT_OK = 0,
    WD_EXIT_REFUSED = 1,
    WD_EXIT_USAGE = 2,
    WD_EXIT_RUNTIME = 3
};

struct wd_cli {
    const char *program;       /* argv[0] */
    const char *config_path;   /* --config, WALIDATA_CONFIG, or NULL for the default */
    const char *codes_dir;     /* --codes */
    const char *mappings_dir;  /* --mappings */
    struct wd_config config;
    bool config_loaded;
    struct wd_codes *codes;
};

/* The long options every command takes as well as the global ones. */
#define WD_CLI_COMMON_OPTIONS                                                                   \
    {"codes", required_argument, NULL, 'C'}, {"mappings", required_argument, NULL, 'M'},         \
        {"config", required_argument, NULL, 'c'}

/* Applies one of the common options; false when c is not one of them. */
bool wd_cli_common_option(struct wd_cli *cli, int c, const char *arg);

/* The exit status for a WD_E* code. */
int wd_cli_exit_status(int code);

/* Loads the config once; on failure prints the error and returns its exit status. */
int wd_cli_config(struct wd_cli *cli);

/* Loads the code lists once (from --codes, the config, ./reference-codes or the installed
 * share folder); on failure prints the error and returns the exit status. */
int wd_cli_codes(struct wd_cli *cli);

/*
 * Loads the definition named by ref: a path to a .json file, or a dataset name looked up
 * in the mappings folder. Prints the error and returns the exit status on failure.
 */
int wd_cli_definition(struct wd_cli *cli, const char *ref, struct wd_definition **out);

/* The folder of dataset definitions in use (option, config, ./mappings, share). */
const char *wd_cli_mappings_dir(struct wd_cli *cli, char *buf, size_t cap);

/* Connects to the warehouse named by the config's "database"; prints and returns the exit
 * status on failure. */
struct wd_db;
int wd_cli_db(struct wd_cli *cli, struct wd_db **out);

/* Today in the configured time zone (Asia/Jakarta by default), as days since 1970-01-01. */
int64_t wd_cli_today(struct wd_cli *cli);

/* Parses --arrived DATE (YYYY-MM-DD); false (and prints) when it is not a date. */
bool wd_cli_day(const char *command, const char *value, int64_t *day);

/* Prints a usage error about a command and returns WD_EXIT_USAGE. */
int wd_cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a count option value; false (and prints) when it is not a number in range. */
bool wd_cli_count(const char *command, const char *option, const char *value, long long min,
                  long long max, long long *out);

void wd_cli_free(struct wd_cli *cli);

/* The commands; argv[0] is the command's name. */
int wd_cmd_preview(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_validate(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_mapping(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_help(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_version(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_db(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_codes(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_load(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_runs(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_run(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_rejects(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_audit(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_job(struct wd_cli *cli, int argc, char **argv);
int wd_cmd_daemon(struct wd_cli *cli, int argc, char **argv);

/* Prints the help of a command (or the overview when name is NULL); false when unknown. */
bool wd_help_print(FILE *out, const char *name);

#endif
