/*
 * error.c - filling and printing struct wd_error.
 *
 * Messages are formatted into fixed buffers inside the struct, so reporting an error never
 * allocates; a message longer than its buffer is cut, never overrun.
 */
#include "error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wd_error_clear(struct wd_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int wd_error_set(struct wd_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void wd_error_detail(struct wd_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

void wd_error_hint(struct wd_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
    va_end(ap);
}

void wd_error_file(struct wd_error *err, const char *file)
{
    if (err && file)
        snprintf(err->file, sizeof(err->file), "%s", file);
}

const char *wd_strerror(int code)
{
    switch (code) {
    case WD_OK:
        return "success";
    case WD_EIO:
        return "input/output error";
    case WD_EUSAGE:
        return "usage error";
    case WD_ECONFIG:
        return "configuration error";
    case WD_EMAPPING:
        return "dataset definition error";
    case WD_ECODES:
        return "reference code list error";
    case WD_EFORMAT:
        return "malformed data file";
    case WD_EHEADER:
        return "header does not fit the definition";
    case WD_ENOTFOUND:
        return "not found";
    case WD_ESTOPPED:
        return "stopped";
    case WD_EDB:
        return "database error";
    case WD_ESCHEMA:
        return "definition does not fit the warehouse table";
    case WD_ECANCELLED:
        return "cancelled";
    default:
        return "unknown error";
    }
}

void wd_error_print(FILE *out, const struct wd_error *err)
{
    fputs("walidata: ", out);
    if (err->file[0]) {
        fputs(err->file, out);
        if (err->line)
            fprintf(out, ":%" PRIu64, err->line);
        if (err->line && err->column)
            fprintf(out, ":%" PRIu32, err->column);
        fputs(": ", out);
    }
    if (err->field[0])
        fprintf(out, "%s: ", err->field);
    fprintf(out, "%s\n", err->msg[0] ? err->msg : wd_strerror(err->code));
    if (err->detail[0])
        fprintf(out, "DETAIL: %s\n", err->detail);
    if (err->hint[0])
        fprintf(out, "HINT: %s\n", err->hint);
}
