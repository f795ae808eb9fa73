/*
 * error.h - walidata's error codes and the caller-owned error context.
 *
 * A function that can fail returns 0 or a negative WD_E* code and, when the caller passes
 * one, fills a struct wd_error with where and why: the file, row, physical line, column,
 * the dataset field, a primary message, and optional detail and hint sentences, after
 * PostgreSQL's errmsg/errdetail/errhint. Codes are stable: never renumber one.
 */
#ifndef WD_ERROR_H
#define WD_ERROR_H

#include <stdint.h>
#include <stdio.h>

enum wd_errcode {
    WD_OK = 0,
    WD_EIO = -1,      /* reading or writing a file failed */
    WD_EUSAGE = -2,   /* the command line is wrong */
    WD_ECONFIG = -3,  /* the configuration file is wrong */
    WD_EMAPPING = -4, /* a dataset definition is wrong */
    WD_ECODES = -5,   /* a reference code list or its manifest is wrong */
    WD_EFORMAT = -6,  /* a data file cannot be read as CSV (quoting, gzip, size limits) */
    WD_EHEADER = -7,  /* a data file's header does not fit its definition */
    WD_ENOTFOUND = -8, /* a named thing (mapping, code list, file) does not exist */
    WD_ESTOPPED = -9,  /* the caller asked to stop early (not a failure) */
    WD_EDB = -10,      /* the warehouse refused a statement or the connection failed */
    WD_ESCHEMA = -11,  /* a definition change the warehouse cannot take as it is */
    WD_ECANCELLED = -12 /* the run was cancelled (the daemon is stopping) */
};

struct wd_error {
    int code;           /* a WD_E* code, 0 when nothing failed */
    char file[512];     /* the file the error is about, or "" */
    uint64_t row;       /* data record number from 1, or 0 when not about a record */
    uint64_t line;      /* physical line where the record starts, or 0 */
    uint32_t column;    /* 1-based column of the file, or 0 */
    char field[128];    /* a dataset field, config key or definition key path, or "" */
    char msg[1024];     /* primary message: lowercase, no final period */
    char detail[1024];  /* a full sentence, or "" */
    char hint[512];     /* a full sentence, or "" */
    char sqlstate[6];   /* PostgreSQL's SQLSTATE of a database error, or "" */
};

/* Clears every member. */
void wd_error_clear(struct wd_error *err);

/*
 * Sets err->code and the primary message (printf-style) and returns code, so that a
 * failing function can end with `return wd_error_set(err, WD_EIO, "...")`. A NULL err is
 * allowed; the code is returned all the same.
 */
int wd_error_set(struct wd_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the detail or the hint sentence (printf-style). A NULL err is allowed. */
void wd_error_detail(struct wd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wd_error_hint(struct wd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the file the error is about (copied). */
void wd_error_file(struct wd_error *err, const char *file);

/* A short constant description of a WD_E* code. */
const char *wd_strerror(int code);

/*
 * Prints the error the way every walidata command does:
 *   walidata: FILE:LINE:COLUMN: FIELD: MESSAGE
 *   DETAIL: ...
 *   HINT: ...
 * Location parts that are unknown are left out.
 */
void wd_error_print(FILE *out, const struct wd_error *err);

#endif
