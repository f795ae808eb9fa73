/*
 * source.h - where a job's data comes from, written as a URI:
 *
 *   dir:PATH[?pattern=GLOB]      a drop folder: files as they arrive (default pattern *.csv
 *                                and *.csv.gz)
 *   file:PATH                    one file, read again at every run
 *   postgresql://...?query=SQL&watermark=COLUMN
 *                                a unit's database: the rows of the query newer than the
 *                                last watermark (the rest of the URI is libpq's)
 */
#ifndef WD_SOURCE_H
#define WD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

enum wd_source_kind { WD_SOURCE_DIR, WD_SOURCE_FILE, WD_SOURCE_POSTGRESQL };

struct wd_source_uri {
    enum wd_source_kind kind;
    char *path;      /* dir and file */
    char *pattern;   /* dir: fnmatch pattern, NULL for the default */
    char *conninfo;  /* postgresql: the URI without query and watermark */
    char *query;     /* postgresql */
    char *watermark; /* postgresql */
};

/* Parses uri; on failure returns false and says why and what is expected. */
bool wd_source_parse(const char *uri, struct wd_source_uri *out, char *why, size_t whylen);
void wd_source_uri_free(struct wd_source_uri *s);

/* A copy of uri fit to show or log: a password (user:PASSWORD@ or password=...) is
 * replaced by ***. Caller frees. */
char *wd_source_redact(const char *uri);

/* Whether a file name in a drop folder is a candidate: not hidden, not a partial upload
 * (*.part, *.tmp), and matching the pattern (or *.csv, *.csv.gz). */
bool wd_source_name_wanted(const struct wd_source_uri *s, const char *name);

#endif
