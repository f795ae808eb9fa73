/*
 * crosswalk.c - loading and using crosswalks between code systems.
 */
#include "crosswalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../connectors/connector.h"
#include "codes.h"
#include "jsonkeys.h"
#include "mem.h"
#include "reader.h"

static const char *const crosswalk_keys[] = {"name", "from",      "to",   "authority",
                                             "reference", "file", "description", NULL};

void wd__crosswalk_free(struct wd_crosswalk *x)
{
    free(x->name);
    free(x->from_ref);
    free(x->to_ref);
    free(x->authority);
    free(x->reference);
    free(x->file);
    free(x->pairs);
    free(x->strings);
    wd_strmap_free(&x->index);
}

/* Places an error at a line of the crosswalk's CSV. */
static void at_line(struct wd_error *err, const char *path, uint64_t line)
{
    wd_error_file(err, path);
    if (err)
        err->line = line;
}

/* Reads the from,to pairs and checks each code against its list. */
static int load_pairs(struct wd_crosswalk *x, const char *path, struct wd_error *err)
{
    struct wd_stream *in;
    int rc = wd_file_stream_open(path, &in, err);
    if (rc < 0)
        return rc;
    struct wd_dialect d;
    wd_dialect_default(&d);
    struct wd_reader *r;
    if ((rc = wd_reader_open(&r, in, &d, err)) < 0) {
        wd_stream_close(in);
        return rc;
    }
    struct wd_buf strings, offs;
    wd_buf_init(&strings, (size_t)64 << 20);
    wd_buf_init(&offs, 0);
    const struct wd_record *hdr, *rec;
    rc = wd_reader_header(r, &hdr, err);
    if (rc == 0 && (!hdr || hdr->nfields != 2 || strcmp(hdr->fields[0].value, "from") != 0 ||
                    strcmp(hdr->fields[1].value, "to") != 0)) {
        at_line(err, path, hdr ? hdr->line : 1);
        rc = wd_error_set(err, WD_ECODES, "expected the header \"from,to\"");
    }
    while (rc == 0 && (rc = wd_reader_next(r, &rec, err)) == 1) {
        rc = 0;
        if (rec->nfields != 2) {
            at_line(err, path, rec->line);
            rc = wd_error_set(err, WD_ECODES, "expected two fields, from and to");
            break;
        }
        const struct wd_field *f = rec->fields;
        if (!wd_codelist_lookup(x->from, f[0].value, f[0].len)) {
            at_line(err, path, rec->line);
            rc = wd_error_set(err, WD_ECODES, "\"%s\" is not a code of the list it maps from",
                           f[0].value);
            break;
        }
        if (!wd_codelist_lookup(x->to, f[1].value, f[1].len)) {
            at_line(err, path, rec->line);
            rc = wd_error_set(err, WD_ECODES, "\"%s\" is not a code of the list it maps to",
                           f[1].value);
            break;
        }
        size_t o[3] = {strings.len, 0, (size_t)rec->line};
        wd_buf_append(&strings, f[0].value, f[0].len + 1);
        o[1] = strings.len;
        wd_buf_append(&strings, f[1].value, f[1].len + 1);
        wd_buf_append(&offs, o, sizeof(o));
        x->npairs++;
    }
    if (rc == 0) {
        x->strings = strings.data;
        strings.data = NULL;
        x->pairs = wd_calloc(x->npairs ? x->npairs : 1, sizeof(*x->pairs));
        wd_strmap_init(&x->index);
        const size_t *o = (const size_t *)offs.data;
        for (size_t i = 0; i < x->npairs; i++) {
            x->pairs[i].from = x->strings + o[3 * i];
            x->pairs[i].to = x->strings + o[3 * i + 1];
            if (!wd_strmap_put(&x->index, x->pairs[i].from, strlen(x->pairs[i].from), i)) {
                at_line(err, path, o[3 * i + 2]);
                rc = wd_error_set(err, WD_ECODES, "code \"%s\" is mapped twice",
                               x->pairs[i].from);
                break;
            }
        }
    }
    if (rc < 0) {
        rc = WD_ECODES;
        if (err)
            err->code = rc;
    }
    wd_buf_free(&strings);
    wd_buf_free(&offs);
    wd_reader_free(r);
    wd_stream_close(in);
    return rc;
}

static int load_one(struct wd_codes *codes, const struct wd_jdoc *doc, const json_t *e, size_t i)
{
    char path[64], p[96];
    wd_json_index(path, sizeof(path), "crosswalks", i);
    int rc = wd_json_keys(doc, e, path, crosswalk_keys);
    if (rc)
        return rc;
    const char *name = NULL, *from = NULL, *to = NULL, *authority = NULL, *reference = NULL;
    const char *file = NULL;
    if ((rc = wd_json_string(doc, e, path, "name", true, &name)) < 0 ||
        (rc = wd_json_string(doc, e, path, "from", true, &from)) < 0 ||
        (rc = wd_json_string(doc, e, path, "to", true, &to)) < 0 ||
        (rc = wd_json_string(doc, e, path, "authority", true, &authority)) < 0 ||
        (rc = wd_json_string(doc, e, path, "reference", false, &reference)) < 0 ||
        (rc = wd_json_string(doc, e, path, "file", true, &file)) < 0)
        return rc;
    if (wd_codes_crosswalk(codes, name)) {
        wd_json_path(p, sizeof(p), path, "name");
        return wd_json_error(doc, p, "crosswalk %s appears twice", name);
    }
    struct wd_crosswalk *x = &codes->crosswalks[codes->ncrosswalks++];
    memset(x, 0, sizeof(*x));
    x->name = wd_strdup(name);
    x->from_ref = wd_strdup(from);
    x->to_ref = wd_strdup(to);
    x->authority = wd_strdup(authority);
    x->reference = wd_strdup(reference ? reference : "");
    x->file = wd_strdup(file);
    x->from = wd_codes_list(codes, from);
    x->to = wd_codes_list(codes, to);
    if (!x->from || !x->to) {
        wd_json_path(p, sizeof(p), path, x->from ? "to" : "from");
        return wd_json_error(doc, p, "no code list \"%s\" in the manifest (name@version)",
                             x->from ? to : from);
    }
    if (!file[0] || strchr(file, '/') || file[0] == '.') {
        wd_json_path(p, sizeof(p), path, "file");
        return wd_json_error(doc, p, "expected a plain file name in %s, found \"%s\"",
                             codes->dir, file);
    }
    char csv[4096];
    snprintf(csv, sizeof(csv), "%s/%s", codes->dir, file);
    return load_pairs(x, csv, doc->err);
}

int wd__crosswalks_load(struct wd_codes *codes, const struct wd_jdoc *doc, const json_t *arr)
{
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return wd_json_error(doc, "crosswalks", "expected an array of crosswalks");
    codes->crosswalks = wd_calloc(json_array_size(arr) + 1, sizeof(*codes->crosswalks));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int rc = load_one(codes, doc, json_array_get(arr, i), i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

const struct wd_crosswalk *wd_codes_crosswalk(const struct wd_codes *codes, const char *name)
{
    for (size_t i = 0; codes && i < codes->ncrosswalks; i++)
        if (strcmp(codes->crosswalks[i].name, name) == 0)
            return &codes->crosswalks[i];
    return NULL;
}

const char *wd_crosswalk_map(const struct wd_crosswalk *x, const char *code, size_t len)
{
    size_t i;
    if (!wd_strmap_get(&x->index, code, len, &i))
        return NULL;
    return x->pairs[i].to;
}
