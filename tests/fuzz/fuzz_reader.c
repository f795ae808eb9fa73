/*
 * fuzz_reader.c - libFuzzer harness for the reader and everything a record goes through.
 *
 * The first input byte picks the dialect (delimiter, encoding, header, a small field limit);
 * the rest is the file. Each input is read to the end by the bare reader, then validated
 * against the placement definition, so transforms, rules and the key index are fuzzed too.
 * Run from the repository's top folder (it loads mappings/ and reference-codes/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
    struct wd_stream *in = wd_stream_memory("fuzz.csv", data, size);
    struct wd_reader *r;
    struct wd_error err;
    if (wd_reader_open(&r, in, &d, &err) == 0) {
        const struct wd_record *rec;
        while (wd_reader_next(r, &rec, &err) == 1) {
            for (size_t i = 0; i < rec->nfields; i++)
                if (rec->fields[i].value[rec->fields[i].len] != '\0')
                    abort(); /* every field is NUL-terminated */
        }
        wd_reader_free(r);
    }
    wd_stream_close(in);

    in = wd_stream_memory("fuzz.csv", data, size);
    struct wd_validation v;
    wd_validate(def, codes, in, NULL, &v, &err);
    if (v.counts.valid + v.counts.rejected != v.counts.rows)
        abort();
    wd_validation_free(&v);
    wd_stream_close(in);
    return 0;
}
