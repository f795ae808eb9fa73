/*
 * fuzz_reader.c - libFuzzer harness for the reader and everything a record goes through.
 *
 * The first input byte picks the dialect (delimiter, encoding, header, a small field limit);
 * the rest is the file. Each input is read to the end by the bare reader, whole and a byte
 * at a time, which must agree (reader.c splits whole plain lines itself), then validated
 * against the placement definition, so transforms, rules and the key index are fuzzed too.
 * Run from the repository's top folder (it loads mappings/ and reference-codes/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../etl/codes.h"
#include "../../etl/definition.h"
#include "../../etl/reader.h"
#include "../../etl/validate.h"

static struct wd_codes *codes;
static struct wd_definition *def;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_codes_load("reference-codes", &codes, &err) != 0 ||
        wd_definition_load("mappings/penempatan_tenaga_kerja.json", codes, &def, &err) != 0) {
        wd_error_print(stderr, &err);
        abort();
    }
    return 0;
}

/* Whether two records are the same, byte for byte; each field NUL-terminated. */
static bool same_record(const struct wd_record *a, const struct wd_record *b)
{
    if (a->row != b->row || a->line != b->line || a->nfields != b->nfields)
        return false;
    for (size_t i = 0; i < a->nfields; i++) {
        const struct wd_field *x = &a->fields[i], *y = &b->fields[i];
        if (x->value[x->len] != '\0' || y->value[y->len] != '\0')
            abort(); /* every field is NUL-terminated */
        if (x->len != y->len || x->flags != y->flags || memcmp(x->value, y->value, x->len) != 0)
            return false;
    }
    return true;
}

/*
 * Reads the input whole and a byte at a time, side by side: the reader splits whole plain
 * lines itself and gives libcsv the rest, and a byte at a time no line after the first is
 * whole, so the two readings must agree on every record, the blank lines and the error.
 */
static void read_alike(const uint8_t *data, size_t size, const struct wd_dialect *d)
{
    struct wd_stream *in[2] = {wd_stream_memory("fuzz.csv", data, size),
                               wd_stream_memory_pieces("fuzz.csv", data, size, 1)};
    struct wd_reader *r[2] = {NULL, NULL};
    struct wd_error err[2];
    int rc[2];
    for (int k = 0; k < 2; k++) {
        wd_error_clear(&err[k]);
        rc[k] = wd_reader_open(&r[k], in[k], d, &err[k]);
    }
    if (rc[0] != rc[1])
        abort();
    if (rc[0] == 0) {
        do {
            const struct wd_record *rec[2];
            for (int k = 0; k < 2; k++)
                rc[k] = wd_reader_next(r[k], &rec[k], &err[k]);
            if (rc[0] != rc[1] || (rc[0] == 1 && !same_record(rec[0], rec[1])))
                abort();
        } while (rc[0] == 1);
        if (err[0].line != err[1].line || err[0].column != err[1].column ||
            err[0].row != err[1].row || strcmp(err[0].msg, err[1].msg) != 0 ||
            wd_reader_blank_lines(r[0]) != wd_reader_blank_lines(r[1]))
            abort();
    }
    for (int k = 0; k < 2; k++) {
        wd_reader_free(r[k]);
        wd_stream_close(in[k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    struct wd_dialect d;
    wd_dialect_default(&d);
    static const char delims[4] = {',', ';', '\t', '\0'};
    d.delimiter = delims[mode & 3];
    d.encoding = (enum wd_encoding)((mode >> 2) % 3);
    d.header = (mode & 0x10) == 0;
    if (mode & 0x20)
        d.max_field = 64;
    read_alike(data, size, &d);

    struct wd_stream *in = wd_stream_memory("fuzz.csv", data, size);
    struct wd_error err;
    struct wd_validation v;
    wd_validate(def, codes, in, NULL, &v, &err);
    if (v.counts.valid + v.counts.rejected != v.counts.rows)
        abort();
    wd_validation_free(&v);
    wd_stream_close(in);
    return 0;
}
