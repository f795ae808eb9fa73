/*
 * cmd_preview.c - `walidata preview FILE`: how a file is read, and with --mapping, how it is
 * mapped and checked. Only the first N rows are read, so previewing a large file is instant.
 *
 * The table form buffers those N rows to size its columns; the jsonl form streams.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../connectors/connector.h"
#include "cli_common.h"
#include "mem.h"
#include "reader.h"
#include "report.h"
#include "transform.h"
#include "utf8.h"
#include "validate.h"

#define CELL_WIDTH 28
#define STATUS_WIDTH 72

struct table {
    size_t ncols;
    char **header;
    char ***rows;
    size_t nrows;
};

static void table_add(struct table *t, char **cells)
{
    t->rows = wd_realloc(t->rows, (t->nrows + 1) * sizeof(char **));
    t->rows[t->nrows++] = cells;
}

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->ncols; c++)
        free(t->header[c]);
    free(t->header);
    free(t->rows);
}

/* Prints s padded or cut to width display characters. */
static void cell(FILE *out, const char *s, size_t width)
{
    size_t chars = wd_utf8_length(s, strlen(s));
    if (chars <= width) {
        fprintf(out, "%s%*s", s, (int)(width - chars), "");
        return;
    }
    size_t n = 0, i = 0;
    for (; s[i] && n < width - 1; i++)
        n += ((unsigned char)s[i + 1] & 0xC0) != 0x80;
    fprintf(out, "%.*s~", (int)i, s);
}

static void table_print(FILE *out, const struct table *t, size_t last_width)
{
    size_t *w = wd_calloc(t->ncols, sizeof(size_t));
    for (size_t c = 0; c < t->ncols; c++) {
        size_t max = c + 1 == t->ncols ? last_width : CELL_WIDTH;
        w[c] = wd_utf8_length(t->header[c], strlen(t->header[c]));
        for (size_t r = 0; r < t->nrows; r++) {
            size_t n = wd_utf8_length(t->rows[r][c], strlen(t->rows[r][c]));
            if (n > w[c])
                w[c] = n;
        }
        if (w[c] > max)
            w[c] = max;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        cell(out, t->header[c], w[c]);
        fputs(c + 1 < t->ncols ? " | " : "\n", out);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        for (size_t k = 0; k < w[c]; k++)
            fputc('-', out);
        fputs(c + 1 < t->ncols ? "-+-" : "\n", out);
    }
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            cell(out, t->rows[r][c], w[c]);
            fputs(c + 1 < t->ncols ? " | " : "\n", out);
        }
    free(w);
}

static char *printable(const struct wd_field *f)
{
    return wd_report_printable(f->value, f->len, 4096);
}

/* Without a mapping: the header's names as keys, every value exactly as read. */
static int preview_raw(const char *path, long long rows, bool jsonl)
{
    struct wd_error err;
    wd_error_clear(&err);
    struct wd_stream *in;
    int rc = wd_file_stream_open(path, &in, &err);
    if (rc < 0) {
        wd_error_print(stderr, &err);
        return wd_cli_exit_status(rc);
    }
    struct wd_dialect d;
    wd_dialect_default(&d);
    d.delimiter = '\0';
    struct wd_reader *r;
    const struct wd_record *hdr = NULL, *rec;
    struct table t = {0, NULL, NULL, 0};
    if ((rc = wd_reader_open(&r, in, &d, &err)) < 0) {
        wd_stream_close(in);
        wd_error_print(stderr, &err);
        return wd_cli_exit_status(rc);
    }
    rc = wd_reader_header(r, &hdr, &err);
    if (rc == 0 && hdr) {
        t.ncols = hdr->nfields;
        t.header = wd_calloc(t.ncols, sizeof(char *));
        for (size_t c = 0; c < t.ncols; c++)
            t.header[c] = printable(&hdr->fields[c]);
    }
    long long n = 0;
    while (rc == 0 && hdr && n < rows && (rc = wd_reader_next(r, &rec, &err)) == 1) {
        n++;
        if (jsonl) {
            json_t *o = json_object();
            for (size_t c = 0; c < rec->nfields; c++) {
                char *v = printable(&rec->fields[c]);
                char extra[32];
                snprintf(extra, sizeof(extra), "_column_%zu", c + 1);
                json_object_set_new(o, c < t.ncols && !json_object_get(o, t.header[c])
                                           ? t.header[c] : extra,
                                    json_string(v));
                free(v);
            }
            json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(o);
            rc = 0;
            continue;
        }
        char **cells = wd_calloc(t.ncols, sizeof(char *));
        for (size_t c = 0; c < t.ncols; c++)
            cells[c] = c < rec->nfields ? printable(&rec->fields[c]) : wd_strdup("");
        table_add(&t, cells);
        rc = 0;
    }
    if (rc > 0)
        rc = 0;
    if (!jsonl) {
        char delim = wd_reader_delimiter(r);
        printf("%s: %zu columns, delimiter %s, utf-8\n\n", path, t.ncols,
               delim == '\t' ? "tab" : delim == ';' ? "';'" : "','");
        if (t.ncols)
            table_print(stdout, &t, CELL_WIDTH);
        else
            printf("(the file is empty)\n");
    }
    if (rc < 0)
        wd_error_print(stderr, &err);
    table_free(&t);
    wd_reader_free(r);
    wd_stream_close(in);
    return rc < 0 ? wd_cli_exit_status(rc) : WD_EXIT_OK;
}

/* With a mapping: each row as the run would see it. */
struct mapped {
    const struct wd_definition *def;
    bool jsonl;
    long long max_rows;
    struct table t;
    char **raw;        /* the trimmed raw value of each field in the current row */
    char **canon;      /* the values to load of a good row */
    struct wd_buf why; /* the current row's failures */
    json_t *failures;
    uint64_t line;
    bool good;
};

static void on_record(void *ctx, const struct wd_record *rec, const size_t *colmap)
{
    struct mapped *m = ctx;
    m->line = rec->line;
    m->good = false;
    wd_buf_reset(&m->why);
    json_array_clear(m->failures);
    for (size_t i = 0; i < m->def->nfields; i++) {
        free(m->raw[i]);
        free(m->canon[i]);
        m->canon[i] = NULL;
        if (colmap[i] < rec->nfields) {
            const char *v = rec->fields[colmap[i]].value;
            size_t len = rec->fields[colmap[i]].len;
            wd_trim(&v, &len);
            m->raw[i] = wd_report_printable(v, len, 4096);
        } else {
            m->raw[i] = wd_strdup("");
        }
    }
}

static void on_failure(void *ctx, const struct wd_failure *f)
{
    struct mapped *m = ctx;
    const char *field = f->field >= 0 ? m->def->fields[f->field].name : "row";
    wd_buf_printf(&m->why, "%s%s %s: %s", m->why.len ? "; " : "", wd_rule_names[f->rule], field,
                  f->message);
    json_array_append_new(m->failures, json_pack("{s:s?,s:s,s:s}", "field",
                                                 f->field >= 0 ? field : NULL, "rule",
                                                 wd_rule_names[f->rule], "message", f->message));
}

static int on_row(void *ctx, const struct wd_good_row *row)
{
    struct mapped *m = ctx;
    m->good = true;
    for (size_t i = 0; i < row->nfields; i++)
        m->canon[i] = row->values[i] ? wd_strndup(row->values[i], row->lens[i]) : NULL;
    return 0;
}

static int on_end(void *ctx, uint64_t rownum, bool rejected)
{
    struct mapped *m = ctx;
    size_t nf = m->def->nfields;
    if (m->jsonl) {
        json_t *vals = json_object();
        for (size_t i = 0; i < nf; i++) {
            const char *v = rejected ? m->raw[i] : m->canon[i];
            json_object_set_new(vals, m->def->fields[i].name,
                                v && (rejected ? v[0] != '\0' : true) ? json_string(v)
                                                                      : json_null());
        }
        json_t *o = json_pack("{s:I,s:I,s:b,s:o,s:O}", "row", (json_int_t)rownum, "line",
                              (json_int_t)m->line, "valid", !rejected, "values", vals,
                              "failures", m->failures);
        json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        char **cells = wd_calloc(nf + 2, sizeof(char *));
        char num[32];
        snprintf(num, sizeof(num), "%" PRIu64, rownum);
        cells[0] = wd_strdup(num);
        for (size_t i = 0; i < nf; i++) {
            const char *v = rejected ? m->raw[i] : m->canon[i];
            cells[i + 1] = wd_strdup(v ? v : "");
        }
        cells[nf + 1] = wd_strdup(rejected ? (m->why.data ? m->why.data : "rejected") : "ok");
        table_add(&m->t, cells);
    }
    return (long long)rownum >= m->max_rows ? WD_ESTOPPED : 0;
}

static int preview_mapped(struct wd_cli *cli, const struct wd_definition *def, const char *path,
                          long long rows, bool jsonl)
{
    struct mapped m = {.def = def, .jsonl = jsonl, .max_rows = rows};
    size_t nf = def->nfields;
    m.raw = wd_calloc(nf, sizeof(char *));
    m.canon = wd_calloc(nf, sizeof(char *));
    m.failures = json_array();
    wd_buf_init(&m.why, 1 << 16);
    m.t.ncols = nf + 2;
    m.t.header = wd_calloc(nf + 2, sizeof(char *));
    m.t.header[0] = wd_strdup("row");
    for (size_t i = 0; i < nf; i++)
        m.t.header[i + 1] = wd_strdup(def->fields[i].name);
    m.t.header[nf + 1] = wd_strdup("status");
    struct wd_error err;
    wd_error_clear(&err);
    struct wd_stream *in;
    struct wd_validation v;
    memset(&v, 0, sizeof(v));
    int rc = wd_file_stream_open(path, &in, &err);
    if (rc == 0) {
        struct wd_sink sink = {&m, on_row, on_failure, on_record, on_end};
        rc = wd_validate(def, cli->codes, in, &sink, &v, &err);
        wd_stream_close(in);
    }
    if (!jsonl && (rc == 0 || rc == WD_ESTOPPED)) {
        printf("%s as %s (%s, delimiter '%c', %s)\n", path, def->name, def->title,
               def->dialect.delimiter, wd_encoding_name(def->dialect.encoding));
        if (v.nignored) {
            printf("ignored columns:");
            for (size_t i = 0; i < v.nignored; i++)
                printf(" %s", v.ignored_columns[i]);
            printf("\n");
        }
        printf("\n");
        table_print(stdout, &m.t, STATUS_WIDTH);
    }
    if (rc < 0 && rc != WD_ESTOPPED)
        wd_error_print(stderr, &err);
    for (size_t i = 0; i < nf; i++) {
        free(m.raw[i]);
        free(m.canon[i]);
    }
    free(m.raw);
    free(m.canon);
    json_decref(m.failures);
    wd_buf_free(&m.why);
    table_free(&m.t);
    wd_validation_free(&v);
    return wd_cli_exit_status(rc);
}

int wd_cmd_preview(struct wd_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"rows", required_argument, NULL, 'n'},
                                         {"format", required_argument, NULL, 'f'},
                                         WD_CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *mapping = NULL, *format = "table";
    long long rows = 10;
    int c;
    while ((c = getopt_long(argc, argv, "m:n:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            mapping = optarg;
            break;
        case 'n':
            if (!wd_cli_count("preview", "--rows", optarg, 1, 1000000, &rows))
                return WD_EXIT_USAGE;
            break;
        case 'f':
            format = optarg;
            break;
        default:
            if (!wd_cli_common_option(cli, c, optarg))
                return wd_cli_usage("preview", "unknown option");
        }
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "jsonl") != 0)
        return wd_cli_usage("preview", "unknown format \"%s\": expected table or jsonl", format);
    if (optind + 1 != argc)
        return wd_cli_usage("preview", "expected exactly one file");
    bool jsonl = strcmp(format, "jsonl") == 0;
    if (!mapping)
        return preview_raw(argv[optind], rows, jsonl);
    struct wd_definition *def;
    int rc = wd_cli_definition(cli, mapping, &def);
    if (rc)
        return rc;
    rc = preview_mapped(cli, def, argv[optind], rows, jsonl);
    wd_definition_free(def);
    return rc;
}
