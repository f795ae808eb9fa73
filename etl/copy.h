/*
 * copy.h - feeding rows to PostgreSQL's COPY FROM STDIN in its text format.
 *
 * Values are escaped as COPY's text format requires (backslash, tab, newline, carriage
 * return), NULL is \N, and rows are buffered and sent in large chunks. Data reaches the
 * server only this way or as statement parameters, never inside SQL text.
 */
#ifndef WD_COPY_H
#define WD_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "mem.h"

/* Rows are sent in pieces of this size: small enough that the server parses one while the
 * next is being formatted (a 1 MiB piece left it idle a fifth of the time, bench/). */
#define WD_COPY_CHUNK ((size_t)64 << 10)

/* While the socket is full, rows wait in the buffer up to this many bytes before the client
 * waits for the server: see ship() in copy.c. */
#define WD_COPY_BACKLOG ((size_t)4 << 20)

struct wd_copy {
    struct wd_db *db;
    struct wd_buf buf; /* rows not sent yet; in binary format the caller writes them here */
    size_t handed;     /* bytes at the front of buf that libpq has taken already */
    size_t left_over;  /* bytes libpq could not take when the buffer was last shipped */
    bool in_row;
    bool binary;       /* FORMAT binary: the header is written, the trailer sent at finish */
    uint64_t rows;
    bool watch;        /* set by the caller: notice when the server fails the COPY midway */
    bool answered;     /* with watch: the server spoke before the end (the COPY failed) */
    char sqlstate[6];  /* the failed COPY's SQLSTATE, after wd_copy_finish or _abort */
};

/* Starts `sql` (a COPY ... FROM STDIN). */
int wd_copy_begin(struct wd_copy *c, struct wd_db *db, const char *sql, struct wd_error *err);
/* The same for COPY ... FROM STDIN (FORMAT binary): rows are written into c->buf with
 * binary.h's functions, each ended with wd_copy_end_row. */
int wd_copy_begin_binary(struct wd_copy *c, struct wd_db *db, const char *sql,
                         struct wd_error *err);
/* Adds one value to the current row (NULL for SQL NULL). */
void wd_copy_value(struct wd_copy *c, const char *v, size_t len);
/* Ends the row; sends what the socket takes once a piece is full, and waits for the server
 * only when more than WD_COPY_BACKLOG bytes are waiting. */
int wd_copy_end_row(struct wd_copy *c, struct wd_error *err);
/* Adds n bytes already in COPY's format (whole rows or parts of them) and sends as
 * wd_copy_end_row does: never more than WD_COPY_BACKLOG held in memory. */
int wd_copy_data(struct wd_copy *c, const void *data, size_t n, struct wd_error *err);
/* Sends what is left and ends the COPY; returns 0 when the server took every row. */
int wd_copy_finish(struct wd_copy *c, struct wd_error *err);
/* Abandons the COPY (the server fails it with `why`) and frees the buffer. Returns the
 * server's error in err (may be NULL) and c->sqlstate: its own, when it had failed the COPY
 * already, or 57014 for `why`. */
int wd_copy_stop(struct wd_copy *c, const char *why, struct wd_error *err);
/* The same, for a COPY given up on: whatever the server says is not wanted. */
void wd_copy_abort(struct wd_copy *c, const char *why);

/* Appends v escaped for COPY's text format. */
void wd_copy_escape(struct wd_buf *b, const char *v, size_t len);

#endif
