/*
 * reader.h - records from a stream of CSV bytes, in bounded memory.
 *
 * The reader reads the dialect a dataset definition names (delimiter, quote, header): it
 * splits a simple line (fields bare or wholly quoted) itself and parses the rest with
 * libcsv, as libcsv would have read them all (tests/test_reader_lines.c holds it to that).
 * It strips a UTF-8 byte-order mark, takes LF, CRLF and CR line ends, skips wholly blank
 * lines (Excel leaves them at the end, often as ";;;;"), and hands out one record at a
 * time with its data-record number and the physical line where it starts.
 *
 * Text in windows-1252 or ISO-8859-1 is transcoded to UTF-8 field by field, so a byte the
 * declared encoding cannot hold is reported at its row and column; the record still comes
 * out, with WD_FIELD_BAD_ENCODING on that field, and the validator rejects it under the
 * rule `encoding`. A NUL byte is treated the same way.
 *
 * What stops the file instead (WD_EFORMAT, with line and column): broken quoting, a field
 * larger than the dialect's max_field, a record of more than WD_MAX_FIELDS fields, a
 * UTF-16 file, and whatever the stream reports (a truncated gzip).
 */
#ifndef WD_READER_H
#define WD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stream.h"

#define WD_MAX_FIELD_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define WD_MAX_FIELDS 4096

enum wd_encoding {
    WD_ENCODING_UTF8,         /* UTF-8, with or without a byte-order mark */
    WD_ENCODING_WINDOWS_1252, /* what Excel writes on an Indonesian-locale PC */
    WD_ENCODING_ISO_8859_1    /* Latin-1 */
};

/* Parses an encoding name ("utf-8", "windows-1252", "cp1252", "iso-8859-1", "latin1", any
 * case); returns false for a name walidata does not read. */
bool wd_encoding_parse(const char *name, enum wd_encoding *out);
const char *wd_encoding_name(enum wd_encoding enc);

struct wd_dialect {
    char delimiter;  /* field separator; '\0' means sniff ',', ';' or tab from the first line */
    char quote;      /* quote character, '"' by default */
    bool header;     /* the first record names the columns */
    enum wd_encoding encoding;
    size_t max_field; /* the largest field in bytes; 0 means WD_MAX_FIELD_DEFAULT */
};

/* Fills d with RFC 4180's defaults: ',', '"', a header, UTF-8, 1 MiB fields. */
void wd_dialect_default(struct wd_dialect *d);

#define WD_FIELD_BAD_ENCODING 1u /* bytes the declared encoding cannot hold, or a NUL */

struct wd_field {
    const char *value; /* UTF-8 unless WD_FIELD_BAD_ENCODING; NUL-terminated */
    size_t len;
    unsigned flags;
};

struct wd_record {
    uint64_t row;  /* data record number from 1; the header is record 0 */
    uint64_t line; /* physical line where the record starts, from 1 */
    size_t nfields;
    const struct wd_field *fields; /* valid until the next call on the reader */
};

struct wd_reader;

/*
 * Opens a reader over in (borrowed: the caller closes it after wd_reader_free). Returns 0,
 * or WD_EFORMAT for a dialect it cannot use.
 */
int wd_reader_open(struct wd_reader **out, struct wd_stream *in, const struct wd_dialect *d,
                   struct wd_error *err);

/*
 * Reads the header record when the dialect has one and it was not read yet. *hdr is the
 * header, or NULL for an empty file or a dialect without header. Returns 0 or a WD_E*.
 */
int wd_reader_header(struct wd_reader *r, const struct wd_record **hdr, struct wd_error *err);

/*
 * Reads the next data record into *rec (the header first, when not yet read, is consumed).
 * Returns 1 with a record, 0 at the end of the data, or a negative WD_E* with err filled.
 */
int wd_reader_next(struct wd_reader *r, const struct wd_record **rec, struct wd_error *err);

/* The delimiter in use (after sniffing). */
char wd_reader_delimiter(const struct wd_reader *r);

/* Blank lines and all-empty records skipped so far. */
uint64_t wd_reader_blank_lines(const struct wd_reader *r);

/* Bytes read from the stream so far (after decompression). */
uint64_t wd_reader_bytes(const struct wd_reader *r);

void wd_reader_free(struct wd_reader *r);

#endif
