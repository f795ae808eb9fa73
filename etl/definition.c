/*
 * definition.c - loading a dataset definition: its identity, Satu Data metadata, the
 * unit's file dialect, the target table and publish mode, and the quality gate. The fields
 * are read by definition_fields.c.
 *
 * Every key is checked: unknown keys, wrong types, values out of range and cross-references
 * that do not resolve are refused with the file and the key path, so a definition that
 * loads is one whose every check will run.
 */
#include <stdlib.h>

#include "definition.h"

#include <libgen.h>
#include <string.h>

#include "jsonkeys.h"
#include "mem.h"

const char *const wd_required_metadata[] = {
    "produsen_data", "frekuensi", "cakupan", "konsep",        "definisi",
    "klasifikasi",   "ukuran",    "satuan",  "dasar_rujukan", NULL};

static const char *const top_keys[] = {"name",   "title",  "version", "description",
                                       "metadata", "source", "target", "schema",
                                       "checks", "referencePeriod", "quality", NULL};
static const char *const metadata_keys[] = {
    "produsen_data", "frekuensi", "cakupan",       "konsep",            "definisi",
    "klasifikasi",   "ukuran",    "satuan",        "dasar_rujukan",     "kontak",
    "periode_referensi", "jadwal_rilis", "catatan", NULL};
static const char *const frekuensi_values[] = {"harian",     "mingguan", "bulanan",
                                               "triwulanan", "semesteran", "tahunan",
                                               "tidak_tetap", NULL};
static const char *const source_keys[] = {"delimiter",   "quoteChar", "header",
                                          "encoding",    "decimalChar", "groupChar",
                                          "maxFieldSize", NULL};
static const char *const target_keys[] = {"table", "mode", "period", NULL};
static const char *const quality_keys[] = {"minScore", "maxRejectRatio", NULL};

bool wd_identifier_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

const char *wd_type_name(enum wd_type type)
{
    static const char *const names[] = {"string", "integer",  "number", "boolean",
                                        "date",   "datetime", "year"};
    return names[type];
}

const char *wd_mode_name(enum wd_mode mode)
{
    static const char *const names[] = {"append", "upsert", "replace"};
    return names[mode];
}

int wd_definition_field(const struct wd_definition *def, const char *name)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].name && strcmp(def->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool in_list(const char *s, const char *const list[])
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static int load_metadata(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    const json_t *md = json_object_get(root, "metadata");
    if (!md)
        return wd_json_error(doc, "metadata", "required key is missing");
    int rc = wd_json_keys(doc, md, "metadata", metadata_keys);
    if (rc)
        return rc;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)md, key, v)
    {
        char p[128];
        wd_json_path(p, sizeof(p), "metadata", key);
        if (!json_is_string(v) || !json_string_length(v))
            return wd_json_error(doc, p, "expected a non-empty string");
    }
    char missing[512] = "";
    for (size_t i = 0; wd_required_metadata[i]; i++) {
        if (json_object_get(md, wd_required_metadata[i]))
            continue;
        size_t n = strlen(missing);
        snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? ", " : "", wd_required_metadata[i]);
    }
    if (missing[0]) {
        rc = wd_json_error(doc, "metadata", "missing required metadata: %s", missing);
        wd_error_detail(doc->err, "Satu Data's data standard needs konsep, definisi, "
                                  "klasifikasi, ukuran, satuan and dasar_rujukan, and every "
                                  "dataset names its produsen_data, frekuensi and cakupan.");
        return rc;
    }
    const char *frek = json_string_value(json_object_get(md, "frekuensi"));
    if (!in_list(frek, frekuensi_values)) {
        rc = wd_json_error(doc, "metadata.frekuensi", "unknown frequency \"%s\"", frek);
        wd_error_hint(doc->err, "Use harian, mingguan, bulanan, triwulanan, semesteran, "
                                "tahunan or tidak_tetap.");
        return rc;
    }
    def->metadata = json_incref((json_t *)md);
    def->produsen_data = wd_strdup(json_string_value(json_object_get(md, "produsen_data")));
    def->frekuensi = wd_strdup(frek);
    def->cakupan = wd_strdup(json_string_value(json_object_get(md, "cakupan")));
    return 0;
}

/* Reads a one-character key; "" is allowed (as '\0') only when allow_empty. */
static int one_char(const struct wd_jdoc *doc, const json_t *obj, const char *path,
                    const char *key, bool allow_empty, char *out)
{
    const char *s = NULL;
    int rc = wd_json_string(doc, obj, path, key, false, &s);
    if (rc)
        return rc;
    char p[128];
    wd_json_path(p, sizeof(p), path, key);
    if (strlen(s) > 1 || (!allow_empty && !s[0]) || (s[0] && ((unsigned char)s[0] >= 0x80 ||
                                                              s[0] == '\n' || s[0] == '\r')))
        return wd_json_error(doc, p, "expected one ASCII character, found \"%s\"", s);
    *out = s[0];
    return 0;
}

static int load_source(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    wd_dialect_default(&def->dialect);
    def->decimal_char = '.';
    def->group_char = '\0';
    const json_t *src = json_object_get(root, "source");
    if (!src)
        return 0;
    int rc = wd_json_keys(doc, src, "source", source_keys);
    if (rc)
        return rc;
    const char *enc = NULL;
    long long max_field = 0;
    if ((rc = one_char(doc, src, "source", "delimiter", false, &def->dialect.delimiter)) < 0 ||
        (rc = one_char(doc, src, "source", "quoteChar", false, &def->dialect.quote)) < 0 ||
        (rc = wd_json_bool(doc, src, "source", "header", false, &def->dialect.header)) < 0 ||
        (rc = wd_json_string(doc, src, "source", "encoding", false, &enc)) < 0 ||
        (rc = one_char(doc, src, "source", "decimalChar", false, &def->decimal_char)) < 0 ||
        (rc = one_char(doc, src, "source", "groupChar", true, &def->group_char)) < 0 ||
        (rc = wd_json_integer(doc, src, "source", "maxFieldSize", false, 1, (long long)1 << 30,
                              &max_field)) < 0)
        return rc;
    if (max_field)
        def->dialect.max_field = (size_t)max_field;
    if (enc && !wd_encoding_parse(enc, &def->dialect.encoding)) {
        rc = wd_json_error(doc, "source.encoding", "unknown encoding \"%s\"", enc);
        wd_error_hint(doc->err, "Use utf-8, windows-1252 or iso-8859-1.");
        return rc;
    }
    if (def->dialect.delimiter == def->dialect.quote)
        return wd_json_error(doc, "source.quoteChar", "the quote character is the delimiter");
    if (def->decimal_char == def->group_char)
        return wd_json_error(doc, "source.groupChar", "the group character is the decimal "
                                                      "character");
    if (def->decimal_char >= '0' && def->decimal_char <= '9')
        return wd_json_error(doc, "source.decimalChar", "the decimal character is a digit");
    return 0;
}

static int load_target(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    def->table = wd_strdup(def->name);
    def->mode = WD_MODE_APPEND;
    const json_t *t = json_object_get(root, "target");
    if (!t)
        return 0;
    int rc = wd_json_keys(doc, t, "target", target_keys);
    if (rc)
        return rc;
    const char *table = NULL, *mode = NULL;
    if ((rc = wd_json_string(doc, t, "target", "table", false, &table)) < 0 ||
        (rc = wd_json_string(doc, t, "target", "mode", false, &mode)) < 0)
        return rc;
    if (table) {
        if (!wd_identifier_valid(table)) {
            rc = wd_json_error(doc, "target.table",
                               "invalid table name \"%s\": expected ^[a-z][a-z0-9_]{0,62}$", table);
            wd_error_hint(doc->err, "Use lowercase letters, digits and _, starting with a "
                                    "letter, at most 63 characters.");
            return rc;
        }
        free(def->table);
        def->table = wd_strdup(table);
    }
    if (mode) {
        if (strcmp(mode, "append") == 0)
            def->mode = WD_MODE_APPEND;
        else if (strcmp(mode, "upsert") == 0)
            def->mode = WD_MODE_UPSERT;
        else if (strcmp(mode, "replace") == 0)
            def->mode = WD_MODE_REPLACE;
        else
            return wd_json_error(doc, "target.mode",
                                 "unknown mode \"%s\": expected append, upsert or replace", mode);
    }
    return 0;
}

/* target.period needs the fields, so it is resolved after them. */
static int load_period(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    const json_t *per = json_object_get(json_object_get(root, "target"), "period");
    if (per) {
        if (!json_is_array(per) || json_array_size(per) == 0)
            return wd_json_error(doc, "target.period", "expected a non-empty array of field "
                                                       "names");
        def->nperiod = json_array_size(per);
        def->period = wd_calloc(def->nperiod, sizeof(size_t));
        for (size_t i = 0; i < def->nperiod; i++) {
            char p[64];
            wd_json_index(p, sizeof(p), "target.period", i);
            const json_t *v = json_array_get(per, i);
            if (!json_is_string(v))
                return wd_json_error(doc, p, "expected the name of a field of the schema");
            int idx = wd_definition_field(def, json_string_value(v));
            if (idx < 0)
                return wd_json_error(doc, p, "no field \"%s\" in the schema",
                                     json_string_value(v));
            def->period[i] = (size_t)idx;
        }
    }
    if (def->mode == WD_MODE_UPSERT && def->npk == 0)
        return wd_json_error(doc, "target.mode", "mode upsert needs schema.primaryKey");
    if (def->mode == WD_MODE_REPLACE && def->nperiod == 0)
        return wd_json_error(doc, "target.mode",
                             "mode replace needs target.period, the fields that name a period");
    if (def->mode != WD_MODE_REPLACE && def->nperiod)
        return wd_json_error(doc, "target.period", "a period is used only by mode replace");
    return 0;
}

static int load_quality(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    def->min_score = 0;
    def->max_reject_ratio = 1;
    const json_t *q = json_object_get(root, "quality");
    if (!q)
        return 0;
    int rc = wd_json_keys(doc, q, "quality", quality_keys);
    if (rc)
        return rc;
    if ((rc = wd_json_number(doc, q, "quality", "minScore", false, &def->min_score)) < 0 ||
        (rc = wd_json_number(doc, q, "quality", "maxRejectRatio", false,
                             &def->max_reject_ratio)) < 0)
        return rc;
    if (def->min_score < 0 || def->min_score > 100)
        return wd_json_error(doc, "quality.minScore", "expected a score from 0 to 100, found %g",
                             def->min_score);
    if (def->max_reject_ratio < 0 || def->max_reject_ratio > 1)
        return wd_json_error(doc, "quality.maxRejectRatio",
                             "expected a ratio from 0 to 1, found %g", def->max_reject_ratio);
    return 0;
}

static int load_identity(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *root)
{
    const char *name = NULL, *title = NULL, *version = NULL, *description = NULL;
    int rc;
    if ((rc = wd_json_string(doc, root, "", "name", true, &name)) < 0 ||
        (rc = wd_json_string(doc, root, "", "title", true, &title)) < 0 ||
        (rc = wd_json_string(doc, root, "", "version", true, &version)) < 0 ||
        (rc = wd_json_string(doc, root, "", "description", false, &description)) < 0)
        return rc;
    if (!wd_identifier_valid(name))
        return wd_json_error(doc, "name", "invalid dataset name \"%s\": expected "
                                          "^[a-z][a-z0-9_]{0,62}$", name);
    char *copy = wd_strdup(def->path);
    char *base = basename(copy);
    size_t n = strlen(base);
    bool match = n > 5 && strcmp(base + n - 5, ".json") == 0 && n - 5 == strlen(name) &&
                 strncmp(base, name, n - 5) == 0;
    free(copy);
    if (!match) {
        rc = wd_json_error(doc, "name", "the dataset \"%s\" must be in a file named %s.json",
                           name, name);
        wd_error_detail(doc->err, "A definition is found by its name, so the two must agree.");
        return rc;
    }
    def->name = wd_strdup(name);
    def->title = wd_strdup(title);
    def->version = wd_strdup(version);
    def->description = wd_strdup(description ? description : "");
    return 0;
}

int wd_definition_load(const char *path, const struct wd_codes *codes,
                       struct wd_definition **out, struct wd_error *err)
{
    *out = NULL;
    struct wd_jdoc doc = {path, WD_EMAPPING, err};
    json_t *root;
    int rc = wd_json_load_file(&doc, &root);
    if (rc)
        return rc;
    struct wd_definition *def = wd_calloc(1, sizeof(*def));
    def->path = wd_strdup(path);
    const json_t *schema;
    if ((rc = wd_json_keys(&doc, root, "", top_keys)) < 0 ||
        (rc = load_identity(def, &doc, root)) < 0 || (rc = load_metadata(def, &doc, root)) < 0 ||
        (rc = load_source(def, &doc, root)) < 0 || (rc = load_target(def, &doc, root)) < 0)
        goto fail;
    schema = json_object_get(root, "schema");
    if (!schema) {
        rc = wd_json_error(&doc, "schema", "required key is missing");
        goto fail;
    }
    if ((rc = wd__definition_load_fields(def, &doc, schema, codes)) < 0 ||
        (rc = wd__definition_load_nik(def, &doc, schema)) < 0 ||
        (rc = load_period(def, &doc, root)) < 0 ||
        (rc = wd__definition_load_checks(def, &doc, root)) < 0 ||
        (rc = wd__definition_load_period(def, &doc, root)) < 0 ||
        (rc = load_quality(def, &doc, root)) < 0)
        goto fail;
    json_decref(root);
    *out = def;
    return 0;
fail:
    json_decref(root);
    wd_definition_free(def);
    return rc;
}

void wd_definition_free(struct wd_definition *def)
{
    if (!def)
        return;
    for (size_t i = 0; i < def->nfields; i++) {
        struct wd_fielddef *f = &def->fields[i];
        free(f->name);
        free(f->source);
        free(f->title);
        free(f->description);
        free(f->unit);
        free(f->konsep);
        free(f->definisi);
        free(f->format);
        free(f->minimum_text);
        free(f->maximum_text);
        pcre2_code_free(f->regex);
        free(f->simple);
        free(f->pattern);
        wd__strlist_free(&f->enum_values);
        for (size_t k = 0; k < f->nrecode; k++) {
            free(f->recode[k].from);
            free(f->recode[k].to);
        }
        free(f->recode);
        wd__strlist_free(&f->true_values);
        wd__strlist_free(&f->false_values);
        wd__strlist_free(&f->missing_values);
        free(f->codelist_ref);
        free(f->parent_name);
    }
    wd__definition_free_checks(def);
    free(def->fields);
    free(def->primary_key);
    free(def->period);
    json_decref(def->metadata);
    free(def->produsen_data);
    free(def->frekuensi);
    free(def->cakupan);
    free(def->path);
    free(def->name);
    free(def->title);
    free(def->version);
    free(def->description);
    free(def->table);
    free(def);
}
