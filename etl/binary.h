/*
 * binary.h - values in PostgreSQL's binary COPY format, from walidata's canonical text.
 *
 * The server parses binary rows faster than text ones (no number or date parsing), which
 * is most of what a load costs it. Each encoder takes the canonical text the validator
 * produced (digits with '.', ISO dates) and appends the type's binary form: int8 and int4
 * big-endian, bool one byte, date as days since 2000-01-01, timestamp as microseconds
 * since then, numeric as base-10000 digits with weight, sign and scale, text as its bytes.
 */
#ifndef WD_BINARY_H
#define WD_BINARY_H

#include <stdbool.h>
#include <stddef.h>

#include "definition.h"
#include "mem.h"

enum wd_binary_type { WD_BIN_TEXT, WD_BIN_INT8, WD_BIN_INT4, WD_BIN_BOOL, WD_BIN_DATE,
                      WD_BIN_TIMESTAMP, WD_BIN_NUMERIC };

/* The binary type a stored field is written as (matches wd_sql_type). */
enum wd_binary_type wd_binary_type(const struct wd_fielddef *f);

/* Appends a field: its length (int32) and bytes; NULL for SQL NULL. Returns false when the
 * text is not the canonical form of the type (a bug upstream, never input data). */
bool wd_binary_value(struct wd_buf *b, enum wd_binary_type t, const char *v, size_t len);

/* The file header and trailer of binary COPY, and a row's field count. */
void wd_binary_header(struct wd_buf *b);
void wd_binary_row(struct wd_buf *b, int nfields);
void wd_binary_trailer(struct wd_buf *b);

#endif
