/*
 * cmd_help.c - `walidata help [COMMAND]` and `walidata version`.
 */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cli_common.h"

#include "version.h"

struct help {
    const char *name;
    const char *synopsis;
    const char *text;
};

static const struct help helps[] = {
    {"preview", "preview FILE [--mapping M] [--rows N] [--format table|jsonl]",
     "Shows how a file is read. Without a mapping the file is read as UTF-8 with the\n"
     "delimiter sniffed from the header line (',', ';' or tab), and every value is shown\n"
     "exactly as read. With --mapping, the file is read in the definition's dialect and\n"
     "each row is shown as mapped, transformed and checked: good rows with the values\n"
     "that would be loaded, rejected rows with their failures.\n"
     "  --rows N        how many data rows (default 10)\n"
     "  --format F      table (default) or jsonl: one JSON object per record\n"},
    {"validate",
     "validate --mapping M FILE... [--format text|json] [--max-errors N] [--arrived DATE]",
     "Dry run: reads, transforms, validates and scores each file against the dataset\n"
     "definition M (a path, or a name in the mappings folder). Nothing is loaded.\n"
     "  --format text   a report for the unit (default)\n"
     "  --format json   one JSON object per file, one per line (see DESIGN.md)\n"
     "  --max-errors N  list at most N failures per file (default 1000); counts are\n"
     "                  always complete\n"
     "  --arrived DATE  score timeliness as if the files arrived on DATE (YYYY-MM-DD);\n"
     "                  without it timeliness is not measured (100)\n"
     "Exit status: 0 every file accepted; 1 a file refused (reject ratio, quality gate,\n"
     "or unreadable); 2 usage or configuration error; 3 a file could not be opened.\n"},
    {"mapping", "mapping check FILE...",
     "Checks dataset definitions: JSON syntax, every key and value, the required Satu\n"
     "Data metadata, code lists, parents, the primary key and the publish mode. Each\n"
     "mistake is named by file and key path.\n"},
    {"db", "db migrate",
     "Creates or upgrades the warehouse: the etl, ref, meta and walidata schemas from the\n"
     "migrations built into this binary (each once, in its own transaction), then the\n"
     "table, metadata, comments, analyst view and grants of every dataset definition in\n"
     "the mappings folder. Running it again changes nothing. A definition change that\n"
     "would drop or retype a column is refused, saying what to do.\n"},
    {"codes", "codes import [DIR]",
     "Copies every code list version and crosswalk of DIR (default: the reference codes in\n"
     "use) into ref.codelist, ref.code and ref.crosswalk. A version already there is left\n"
     "alone; one whose codes changed is refused (a changed list needs a new version).\n"},
    {"load", "load --mapping M FILE... [--force] [--arrived DATE]",
     "Validates each file and publishes its valid rows by the dataset's mode (append,\n"
     "upsert by key, replace by period), with its run, source item (SHA-256), lineage,\n"
     "quality and rejected rows, all in one transaction: all or nothing. Content already\n"
     "published for the dataset is recorded as a duplicate and not loaded again.\n"
     "  --force         load content that was published before\n"
     "  --arrived DATE  the day the file arrived, for timeliness (default: today)\n"
     "Exit status: 0 published or duplicate; 1 refused; 2 usage or configuration;\n"
     "3 database or file error (nothing was recorded).\n"},
    {"runs", "runs [--dataset NAME] [--limit N] [--format text|json|openlineage]",
     "Lists the runs, newest first: state, rows read, rejected and published, quality\n"
     "score, source. --format openlineage writes OpenLineage run events.\n"},
    {"run", "run show ID [--format text|json]",
     "One run: its source item, lineage, quality by dimension, and failures by rule and\n"
     "field with example rows.\n"},
    {"rejects", "rejects ID [--format csv|json]",
     "The failures of a run's rows: row, line, field, rule, value (personal values are\n"
     "not kept) and why. CSV by default, for the unit to act on.\n"},
    {"audit", "audit verify",
     "Recomputes the hash chain of runs and names the first run whose record does not\n"
     "match: a run changed, removed or reordered after it was recorded.\n"},
    {"help", "help [COMMAND]", "Shows the commands, or one command's help.\n"},
    {"version", "version", "Shows walidata's version and the versions of its libraries.\n"},
};

static const char overview[] =
    "walidata - the data custodian of Satu Data Ketenagakerjaan\n"
    "\n"
    "Usage: walidata [--config FILE] [--codes DIR] [--mappings DIR] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n";

static const char footer[] =
    "\n"
    "Options:\n"
    "  --config FILE    configuration file (default /etc/walidata/walidata.json, or\n"
    "                   $WALIDATA_CONFIG)\n"
    "  --codes DIR      folder of reference code lists (default ./reference-codes)\n"
    "  --mappings DIR   folder of dataset definitions (default ./mappings)\n"
    "\n"
    "Run \"walidata help COMMAND\" for a command's options.\n";

bool wd_help_print(FILE *out, const char *name)
{
    size_t n = sizeof(helps) / sizeof(helps[0]);
    if (!name) {
        fputs(overview, out);
        for (size_t i = 0; i < n; i++)
            fprintf(out, "  %s\n", helps[i].synopsis);
        fputs(footer, out);
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(helps[i].name, name) == 0) {
            fprintf(out, "Usage: walidata %s\n\n%s", helps[i].synopsis, helps[i].text);
            return true;
        }
    }
    return false;
}

int wd_cmd_help(struct wd_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc < 2) {
        wd_help_print(stdout, NULL);
        return WD_EXIT_OK;
    }
    if (!wd_help_print(stdout, argv[1])) {
        fprintf(stderr, "walidata help: unknown command \"%s\"\n", argv[1]);
        return WD_EXIT_USAGE;
    }
    return WD_EXIT_OK;
}

int wd_cmd_version(struct wd_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    printf("walidata %s\n", WD_VERSION);
    printf("libraries: jansson %s, zlib %s, libcsv %d.%d.%d\n", jansson_version_str(),
           zlibVersion(), CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
    return WD_EXIT_OK;
}
