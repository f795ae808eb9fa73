/*
 * jsonkeys.c - strict, path-named reading of JSON objects with jansson.
 */
#include <stdlib.h>

#include "jsonkeys.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int wd_json_load_file(const struct wd_jdoc *doc, json_t **out)
{
    struct stat st;
    if (stat(doc->file, &st) == 0 && S_ISDIR(st.st_mode)) {
        *out = NULL;
        wd_error_file(doc->err, doc->file);
        return wd_error_set(doc->err, doc->code, "is a directory, not a JSON file");
    }
    json_error_t je;
    *out = json_load_file(doc->file, JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    wd_error_file(doc->err, doc->file);
    if (doc->err) {
        doc->err->line = je.line > 0 ? (uint64_t)je.line : 0;
        doc->err->column = je.column > 0 ? (uint32_t)je.column : 0;
    }
    if (json_error_code(&je) == json_error_cannot_open_file) {
        /* jansson says "unable to open PATH: REASON"; the path is already in err->file */
        const char *why = strrchr(je.text, ':');
        return wd_error_set(doc->err, WD_ENOTFOUND, "could not open file: %s",
                            why ? why + 2 : je.text);
    }
    return wd_error_set(doc->err, doc->code, "invalid JSON: %s", je.text);
}

void wd_json_path(char *buf, size_t n, const char *path, const char *key)
{
    if (path && path[0])
        snprintf(buf, n, "%s.%s", path, key);
    else
        snprintf(buf, n, "%s", key);
}

void wd_json_index(char *buf, size_t n, const char *path, size_t index)
{
    snprintf(buf, n, "%s[%zu]", path, index);
}

int wd_json_error(const struct wd_jdoc *doc, const char *path, const char *fmt, ...)
{
    struct wd_error *err = doc->err;
    if (!err)
        return doc->code;
    wd_error_clear(err);
    wd_error_file(err, doc->file);
    snprintf(err->field, sizeof(err->field), "%s", path ? path : "");
    err->code = doc->code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return doc->code;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t prev[41], cur[41];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(prev));
    }
    return prev[lb];
}

const char *wd_json_suggest(const char *word, const char *const known[])
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; known[i]; i++) {
        size_t d = edit_distance(word, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    return best;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

int wd_json_keys(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                 const char *const allowed[])
{
    if (!json_is_object(obj))
        return wd_json_error(doc, path, "expected an object, found %s", type_name(obj));
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (known)
            continue;
        char p[256];
        wd_json_path(p, sizeof(p), path, key);
        int rc = wd_json_error(doc, p, "unknown key");
        const char *near = wd_json_suggest(key, allowed);
        if (near) {
            wd_error_hint(doc->err, "Did you mean \"%s\"?", near);
        } else if (doc->err) {
            /* nothing close: list what is allowed here */
            char list[sizeof(doc->err->hint) - 32] = "";
            for (size_t i = 0; allowed[i]; i++) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", allowed[i]);
            }
            wd_error_hint(doc->err, "The keys allowed here are: %s.", list);
        }
        return rc;
    }
    return 0;
}

static const json_t *get(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                         const char *key, bool required, char *p, size_t n, int *rc)
{
    wd_json_path(p, n, path, key);
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *rc = required ? wd_json_error(doc, p, "required key is missing") : 1;
        return NULL;
    }
    *rc = 0;
    return v;
}

int wd_json_string(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                   const char *key, bool required, const char **out)
{
    char p[256];
    int rc;
    const json_t *v = get(doc, obj, path, key, required, p, sizeof(p), &rc);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return wd_json_error(doc, p, "expected a string, found %s", type_name(v));
    *out = json_string_value(v);
    return 0;
}

int wd_json_bool(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                 const char *key, bool required, bool *out)
{
    char p[256];
    int rc;
    const json_t *v = get(doc, obj, path, key, required, p, sizeof(p), &rc);
    if (!v)
        return rc;
    if (!json_is_boolean(v))
        return wd_json_error(doc, p, "expected true or false, found %s", type_name(v));
    *out = json_is_true(v);
    return 0;
}

int wd_json_number(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                   const char *key, bool required, double *out)
{
    char p[256];
    int rc;
    const json_t *v = get(doc, obj, path, key, required, p, sizeof(p), &rc);
    if (!v)
        return rc;
    if (!json_is_number(v))
        return wd_json_error(doc, p, "expected a number, found %s", type_name(v));
    *out = json_number_value(v);
    return 0;
}

int wd_json_integer(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                    const char *key, bool required, long long min, long long max,
                    long long *out)
{
    char p[256];
    int rc;
    const json_t *v = get(doc, obj, path, key, required, p, sizeof(p), &rc);
    if (!v)
        return rc;
    if (json_is_real(v))
        return wd_json_error(doc, p, "expected a whole number, found %g", json_real_value(v));
    if (!json_is_integer(v))
        return wd_json_error(doc, p, "expected a whole number, found %s", type_name(v));
    long long x = json_integer_value(v);
    if (x < min || x > max)
        return wd_json_error(doc, p, "expected a whole number from %lld to %lld, found %lld",
                             min, max, x);
    *out = x;
    return 0;
}
