/*
 * jsonkeys.h - reading JSON documents (definitions, the code-list manifest, the config)
 * strictly, with every mistake named by file and key path.
 *
 * A path is written the way a person finds the key in the file:
 * `schema.fields[3].constraints.minimun`. Unknown keys are errors, with the nearest known
 * key offered as a hint, so that a typo never silently turns a check off.
 */
#ifndef WD_JSONKEYS_H
#define WD_JSONKEYS_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* Where a document's errors go. */
struct wd_jdoc {
    const char *file;      /* the document's path, for messages */
    int code;              /* the WD_E* code its mistakes carry */
    struct wd_error *err;
};

/* Parses the JSON file at path into *out (a new reference; caller decrefs). Duplicate keys
 * are refused. Errors carry the line and column of the mistake. */
int wd_json_load_file(const struct wd_jdoc *doc, json_t **out);

/* Joins a path and a key into buf: "a.b" + "c" -> "a.b.c"; "" + "c" -> "c". */
void wd_json_path(char *buf, size_t n, const char *path, const char *key);

/* Joins a path and an index: "schema.fields" + 3 -> "schema.fields[3]". */
void wd_json_index(char *buf, size_t n, const char *path, size_t index);

/* Reports a mistake at path: err->file is the document, err->field the path. */
int wd_json_error(const struct wd_jdoc *doc, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Checks that obj (at path) is an object whose keys are all in allowed (NULL-terminated).
 * Returns 0, or the document's code naming the first unknown key.
 */
int wd_json_keys(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                 const char *const allowed[]);

/*
 * Typed getters for obj[key] (obj at path). A missing key is an error when required, else
 * the output is left as it was and 1 is returned; a present key of the wrong type is
 * always an error. Returns 0 when set, 1 when absent and optional, or the error code.
 */
int wd_json_string(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                   const char *key, bool required, const char **out);
int wd_json_bool(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                 const char *key, bool required, bool *out);
int wd_json_number(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                   const char *key, bool required, double *out);
int wd_json_integer(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                    const char *key, bool required, long long min, long long max,
                    long long *out);

/* The known word nearest to word (edit distance at most 2), or NULL. */
const char *wd_json_suggest(const char *word, const char *const known[]);

#endif
