/*
 * codes.c - loading the code-list manifest and its CSV files, and looking codes up.
 *
 * Each list is read with the same reader as units' files (so a broken list gets the same
 * line-and-column messages), its strings copied into one block, and every code put in a
 * hash table. Lists are small (the largest, kecamatan, has about 7,300 codes), so they are
 * held whole; what matters is that lookups during validation cost one hash probe.
 */
#include <stdlib.h>

#include "codes.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../connectors/connector.h"
#include "jsonkeys.h"
#include "mem.h"
#include "reader.h"

static const char *const manifest_keys[] = {"codelists", "crosswalks", "description", NULL};
static const char *const list_keys[] = {"name",      "title",      "version", "authority",
                                        "reference", "valid_from", "file",    "description",
                                        NULL};

static void list_free(struct wd_codelist *l)
{
    free(l->name);
    free(l->title);
    free(l->version);
    free(l->authority);
    free(l->reference);
    free(l->valid_from);
    free(l->file);
    free(l->codes);
    free(l->strings);
    wd_strmap_free(&l->index);
}

void wd_codes_free(struct wd_codes *codes)
{
    if (!codes)
        return;
    for (size_t i = 0; i < codes->nlists; i++) {
        list_free(&codes->lists[i]);
        free(codes->keys[i]);
    }
    for (size_t i = 0; i < codes->ncrosswalks; i++)
        wd__crosswalk_free(&codes->crosswalks[i]);
    free(codes->crosswalks);
    free(codes->lists);
    free(codes->keys);
    wd_strmap_free(&codes->by_name);
    free(codes->dir);
    free(codes);
}

enum { COL_CODE, COL_LABEL, COL_PARENT, COL_LEVEL, NCOLS };
static const char *const col_names[NCOLS] = {"code", "label", "parent", "level"};

static int read_header(struct wd_reader *r, const char *path, int cols[NCOLS],
                       struct wd_error *err)
{
    const struct wd_record *hdr;
    int rc = wd_reader_header(r, &hdr, err);
    if (rc < 0)
        return rc;
    for (int c = 0; c < NCOLS; c++)
        cols[c] = -1;
    if (!hdr) {
        wd_error_file(err, path);
        return wd_error_set(err, WD_ECODES, "the code list is empty: expected a header "
                                            "\"code,label\"");
    }
    for (size_t i = 0; i < hdr->nfields; i++) {
        int found = -1;
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(hdr->fields[i].value, col_names[c]) == 0)
                found = c;
        if (found < 0 || cols[found] >= 0) {
            wd_error_file(err, path);
            err->line = hdr->line;
            err->column = (uint32_t)i + 1;
            return wd_error_set(err, WD_ECODES,
                                found < 0 ? "unexpected column \"%s\": expected code, label, "
                                            "parent or level"
                                          : "column \"%s\" appears twice",
                                hdr->fields[i].value);
        }
        cols[found] = (int)i;
    }
    if (cols[COL_CODE] < 0 || cols[COL_LABEL] < 0) {
        wd_error_file(err, path);
        err->line = hdr->line;
        return wd_error_set(err, WD_ECODES, "the header must name the columns \"code\" and "
                                            "\"label\"");
    }
    return 0;
}

/* Reads one list's CSV into l. */
static int load_csv(struct wd_codelist *l, const char *path, struct wd_error *err)
{
    struct wd_stream *in;
    int rc = wd_file_stream_open(path, &in, err);
    if (rc < 0) {
        if (rc != WD_ENOTFOUND && err)
            err->code = WD_ECODES;
        return rc == WD_ENOTFOUND ? rc : WD_ECODES;
    }
    struct wd_dialect d;
    wd_dialect_default(&d);
    struct wd_reader *r;
    if ((rc = wd_reader_open(&r, in, &d, err)) < 0) {
        wd_stream_close(in);
        return rc;
    }
    int cols[NCOLS];
    struct wd_buf strings;
    wd_buf_init(&strings, (size_t)256 << 20);
    struct wd_buf offs; /* per code: offsets of code, label, parent, and its line */
    wd_buf_init(&offs, 0);
    size_t n = 0;
    if ((rc = read_header(r, path, cols, err)) < 0)
        goto out;
    const struct wd_record *rec;
    while ((rc = wd_reader_next(r, &rec, err)) == 1) {
        size_t o[4] = {SIZE_MAX, SIZE_MAX, SIZE_MAX, 0};
        for (int c = 0; c < 3; c++) {
            if (cols[c] < 0)
                continue;
            if ((size_t)cols[c] >= rec->nfields) {
                wd_error_file(err, path);
                err->line = rec->line;
                err->column = (uint32_t)cols[c] + 1;
                rc = wd_error_set(err, WD_ECODES, "the %s column is missing from this line",
                                  col_names[c]);
                goto out;
            }
            if (rec->fields[cols[c]].flags & WD_FIELD_BAD_ENCODING) {
                wd_error_file(err, path);
                err->line = rec->line;
                err->column = (uint32_t)cols[c] + 1;
                rc = wd_error_set(err, WD_ECODES, "the %s is not UTF-8 text", col_names[c]);
                wd_error_hint(err, "Code lists are UTF-8: save the file as \"CSV UTF-8\".");
                goto out;
            }
            const struct wd_field *f = &rec->fields[cols[c]];
            if (c == COL_CODE && f->len == 0) {
                wd_error_file(err, path);
                err->line = rec->line;
                err->column = (uint32_t)cols[c] + 1;
                rc = wd_error_set(err, WD_ECODES, "empty code");
                goto out;
            }
            o[c] = strings.len;
            wd_buf_append(&strings, f->value, f->len + 1);
        }
        o[3] = (size_t)rec->line;
        wd_buf_append(&offs, o, sizeof(o));
        n++;
    }
    if (rc < 0)
        goto out;
    if (n == 0) {
        wd_error_file(err, path);
        rc = wd_error_set(err, WD_ECODES, "the code list has no codes");
        goto out;
    }
    l->strings = strings.data;
    strings.data = NULL;
    l->codes = wd_calloc(n, sizeof(*l->codes));
    l->ncodes = n;
    wd_strmap_init(&l->index);
    const size_t *o = (const size_t *)offs.data;
    for (size_t i = 0; i < n; i++) {
        struct wd_code *c = &l->codes[i];
        c->code = l->strings + o[4 * i];
        c->label = l->strings + o[4 * i + 1];
        c->parent = o[4 * i + 2] == SIZE_MAX ? NULL : l->strings + o[4 * i + 2];
        if (c->parent && !c->parent[0])
            c->parent = NULL;
        c->parent_len = c->parent ? strlen(c->parent) : 0;
        if (!wd_strmap_put(&l->index, c->code, strlen(c->code), i)) {
            wd_error_file(err, path);
            err->line = o[4 * i + 3];
            rc = wd_error_set(err, WD_ECODES, "code \"%s\" appears more than once", c->code);
            goto out;
        }
    }
    rc = 0;
out:
    /* whatever went wrong reading the list, it is a code-list error */
    if (rc < 0 && rc != WD_EIO && rc != WD_ENOTFOUND) {
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

static int load_entry(struct wd_codes *codes, const struct wd_jdoc *doc, const json_t *e,
                      size_t i)
{
    char path[64];
    wd_json_index(path, sizeof(path), "codelists", i);
    int rc = wd_json_keys(doc, e, path, list_keys);
    if (rc)
        return rc;
    const char *name = NULL, *title = NULL, *version = NULL, *authority = NULL;
    const char *reference = NULL, *valid_from = NULL, *file = NULL;
    if ((rc = wd_json_string(doc, e, path, "name", true, &name)) < 0 ||
        (rc = wd_json_string(doc, e, path, "title", false, &title)) < 0 ||
        (rc = wd_json_string(doc, e, path, "version", true, &version)) < 0 ||
        (rc = wd_json_string(doc, e, path, "authority", true, &authority)) < 0 ||
        (rc = wd_json_string(doc, e, path, "reference", false, &reference)) < 0 ||
        (rc = wd_json_string(doc, e, path, "valid_from", true, &valid_from)) < 0 ||
        (rc = wd_json_string(doc, e, path, "file", true, &file)) < 0)
        return rc;
    char p[96];
    if (strchr(name, '@') || strchr(version, '@')) {
        wd_json_path(p, sizeof(p), path, strchr(name, '@') ? "name" : "version");
        return wd_json_error(doc, p, "name and version may not contain \"@\"");
    }
    if (!file[0] || strchr(file, '/') || file[0] == '.') {
        wd_json_path(p, sizeof(p), path, "file");
        return wd_json_error(doc, p, "expected a plain file name in %s, found \"%s\"", codes->dir,
                             file);
    }
    struct wd_codelist *l = &codes->lists[codes->nlists];
    memset(l, 0, sizeof(*l));
    l->name = wd_strdup(name);
    l->title = wd_strdup(title ? title : name);
    l->version = wd_strdup(version);
    l->authority = wd_strdup(authority);
    l->reference = wd_strdup(reference ? reference : "");
    l->valid_from = wd_strdup(valid_from);
    l->file = wd_strdup(file);
    size_t klen = strlen(name) + strlen(version) + 2;
    codes->keys[codes->nlists] = wd_malloc(klen);
    snprintf(codes->keys[codes->nlists], klen, "%s@%s", name, version);
    codes->nlists++;
    char csv[4096];
    snprintf(csv, sizeof(csv), "%s/%s", codes->dir, file);
    int rc2 = load_csv(l, csv, doc->err);
    if (rc2 < 0 && doc->err && !doc->err->detail[0])
        wd_error_detail(doc->err, "The list is named by %s in %s.", path, doc->file);
    return rc2;
}

int wd_codes_load(const char *dir, struct wd_codes **out, struct wd_error *err)
{
    *out = NULL;
    char manifest[4096];
    snprintf(manifest, sizeof(manifest), "%s/codelists.json", dir);
    struct wd_jdoc doc = {manifest, WD_ECODES, err};
    json_t *root;
    int rc = wd_json_load_file(&doc, &root);
    if (rc)
        return rc;
    struct wd_codes *codes = wd_calloc(1, sizeof(*codes));
    codes->dir = wd_strdup(dir);
    wd_strmap_init(&codes->by_name);
    const json_t *arr;
    if ((rc = wd_json_keys(&doc, root, "", manifest_keys)) < 0)
        goto fail;
    arr = json_object_get(root, "codelists");
    if (!json_is_array(arr)) {
        rc = wd_json_error(&doc, "codelists", "expected an array of code lists");
        goto fail;
    }
    size_t n = json_array_size(arr);
    codes->lists = wd_calloc(n, sizeof(*codes->lists));
    codes->keys = wd_calloc(n, sizeof(*codes->keys));
    for (size_t i = 0; i < n; i++) {
        if ((rc = load_entry(codes, &doc, json_array_get(arr, i), i)) < 0)
            goto fail;
        const char *key = codes->keys[i];
        if (!wd_strmap_put(&codes->by_name, key, strlen(key), i)) {
            char path[64];
            wd_json_index(path, sizeof(path), "codelists", i);
            rc = wd_json_error(&doc, path, "code list %s appears twice", key);
            goto fail;
        }
    }
    /* a bare name means the newest version; each version links to the next older one */
    for (size_t i = 0; i < codes->nlists; i++) {
        struct wd_codelist *l = &codes->lists[i];
        size_t newest = i;
        l->older = -1;
        for (size_t k = 0; k < codes->nlists; k++) {
            const struct wd_codelist *o = &codes->lists[k];
            if (k == i || strcmp(o->name, l->name) != 0)
                continue;
            if (strcmp(o->valid_from, codes->lists[newest].valid_from) > 0)
                newest = k;
            /* the next older: the latest of those older than l */
            if (strcmp(o->valid_from, l->valid_from) < 0 &&
                (l->older < 0 ||
                 strcmp(o->valid_from, codes->lists[l->older].valid_from) > 0))
                l->older = (long)k;
        }
        if (newest == i)
            wd_strmap_put(&codes->by_name, l->name, strlen(l->name), i);
    }
    if ((rc = wd__crosswalks_load(codes, &doc, json_object_get(root, "crosswalks"))) < 0)
        goto fail;
    codes->kecamatan = wd_codes_list(codes, "wilayah_kecamatan");
    json_decref(root);
    *out = codes;
    return 0;
fail:
    json_decref(root);
    wd_codes_free(codes);
    return rc;
}

const struct wd_codelist *wd_codes_list(const struct wd_codes *codes, const char *ref)
{
    size_t i;
    if (!codes || !wd_strmap_get(&codes->by_name, ref, strlen(ref), &i))
        return NULL;
    return &codes->lists[i];
}

const struct wd_code *wd_codelist_lookup(const struct wd_codelist *list, const char *code,
                                         size_t len)
{
    size_t i;
    if (!wd_strmap_get(&list->index, code, len, &i))
        return NULL;
    return &list->codes[i];
}

const struct wd_code *wd_codes_lookup_any_version(const struct wd_codes *codes,
                                                  const char *name, const char *code,
                                                  size_t len)
{
    /* a bare name: every version of that list, newest first */
    return wd_codelist_lookup_any_version(
        codes, strchr(name, '@') ? NULL : wd_codes_list(codes, name), code, len);
}

const struct wd_code *wd_codelist_lookup_any_version(const struct wd_codes *codes,
                                                     const struct wd_codelist *list,
                                                     const char *code, size_t len)
{
    const struct wd_codelist *l = list;
    while (l) {
        const struct wd_code *c = wd_codelist_lookup(l, code, len);
        if (c)
            return c;
        l = l->older >= 0 ? &codes->lists[l->older] : NULL;
    }
    return NULL;
}
