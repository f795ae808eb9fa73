/*
 * definition_fields.c - the schema part of a dataset definition: fields with their types,
 * constraints, transforms, code lists, parents and rules; the primary key; missing values.
 */
#include <string.h>

#include <stdlib.h>

#include "datefmt.h"
#include "definition.h"
#include "jsonkeys.h"
#include "mem.h"

static const char *const schema_keys[] = {"fields", "primaryKey", "missingValues", NULL};
static const char *const field_keys[] = {
    "name",     "source",    "title",  "description", "unit",   "konsep",      "definisi",
    "type",     "format",    "constraints", "rules",  "codelist", "parent",    "privacy",
    "personal", "recode",    "case",   "pad",         "missingValues", "bareNumber",
    "trueValues", "falseValues", "nik", NULL};
static const char *const constraint_keys[] = {"required",  "unique",    "minimum", "maximum",
                                              "minLength", "maxLength", "pattern", "enum",
                                              NULL};
static const char *const type_names[] = {"string", "integer",  "number", "boolean",
                                         "date",   "datetime", "year",   NULL};

/*
 * A value is looked up in its field's missing values, and often its enum, on every row: most
 * values are in neither, and their length or first byte says so (the loop over the list
 * was half of the 1 100 instructions a placement row spent here).
 */
int wd_strlist_index(const struct wd_strlist *list, const char *s, size_t len)
{
    if (list->max_len && len > list->max_len)
        return -1;
    if (list->firsts_known && len) {
        unsigned char c = (unsigned char)s[0];
        if (!(list->firsts[c >> 6] >> (c & 63) & 1))
            return -1;
    }
    for (size_t i = 0; i < list->n; i++) {
        size_t n = list->lens ? list->lens[i] : strlen(list->items[i]);
        if (n == len && memcmp(list->items[i], s, len) == 0)
            return (int)i;
    }
    return -1;
}

static void measure(struct wd_strlist *l)
{
    free(l->lens);
    l->lens = wd_calloc(l->n ? l->n : 1, sizeof(size_t));
    l->max_len = 0;
    memset(l->firsts, 0, sizeof(l->firsts));
    for (size_t i = 0; i < l->n; i++) {
        l->lens[i] = strlen(l->items[i]);
        if (l->lens[i] > l->max_len)
            l->max_len = l->lens[i];
        unsigned char c = (unsigned char)l->items[i][0];
        if (c)
            l->firsts[c >> 6] |= 1ull << (c & 63);
    }
    l->firsts_known = true;
}

int wd__strlist_load(const struct wd_jdoc *doc, const json_t *arr, const char *path,
                     struct wd_strlist *out)
{
    if (!json_is_array(arr))
        return wd_json_error(doc, path, "expected an array of strings");
    size_t n = json_array_size(arr);
    struct wd_strlist l = {wd_calloc(n ? n : 1, sizeof(char *)), 0, NULL, 0, {0}, false};
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        if (!json_is_string(v)) {
            wd__strlist_free(&l);
            char p[256];
            wd_json_index(p, sizeof(p), path, i);
            return wd_json_error(doc, p, "expected a string");
        }
        l.items[l.n++] = wd_strdup(json_string_value(v));
    }
    measure(&l);
    wd__strlist_free(out);
    *out = l;
    return 0;
}

void wd__strlist_free(struct wd_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    free(l->lens);
    l->items = NULL;
    l->lens = NULL;
    l->n = 0;
}

void wd__strlist_copy(struct wd_strlist *dst, const struct wd_strlist *src)
{
    dst->items = wd_calloc(src->n ? src->n : 1, sizeof(char *));
    dst->n = src->n;
    for (size_t i = 0; i < src->n; i++)
        dst->items[i] = wd_strdup(src->items[i]);
    dst->lens = NULL;
    measure(dst);
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? wd_strdup(s) : NULL;
}

static bool is_numeric(enum wd_type t)
{
    return t == WD_TYPE_INTEGER || t == WD_TYPE_NUMBER || t == WD_TYPE_YEAR;
}

/* minimum/maximum: a number for numeric types, an ISO date for dates. */
static int load_bound(struct wd_fielddef *f, const struct wd_jdoc *doc, const json_t *c,
                      const char *path, const char *key, bool *has, double *val, char **text)
{
    const json_t *v = json_object_get(c, key);
    if (!v)
        return 0;
    char p[256];
    wd_json_path(p, sizeof(p), path, key);
    if (is_numeric(f->type)) {
        if (!json_is_number(v))
            return wd_json_error(doc, p, "expected a number for a %s field", wd_type_name(f->type));
        *val = json_number_value(v);
        char buf[64];
        snprintf(buf, sizeof(buf), "%.15g", *val);
        set_str(text, buf);
    } else if (f->type == WD_TYPE_DATE) {
        struct wd_datetime dt;
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        if (!wd_datefmt_parse("%Y-%m-%d", s, strlen(s), &dt))
            return wd_json_error(doc, p, "expected a date as YYYY-MM-DD");
        *val = (double)wd_days_from_civil(dt.year, dt.month, dt.day);
        set_str(text, s);
    } else {
        return wd_json_error(doc, p, "%s applies to number, integer, year and date fields", key);
    }
    *has = true;
    return 0;
}

static int load_length(struct wd_fielddef *f, const struct wd_jdoc *doc, const json_t *c,
                       const char *path, const char *key, bool *has, size_t *out)
{
    long long n = -1;
    int rc = wd_json_integer(doc, c, path, key, false, 0, 1 << 30, &n);
    if (rc)
        return rc < 0 ? rc : 0;
    if (f->type != WD_TYPE_STRING) {
        char p[256];
        wd_json_path(p, sizeof(p), path, key);
        return wd_json_error(doc, p, "%s applies to string fields", key);
    }
    *has = true;
    *out = (size_t)n;
    return 0;
}

static int load_constraints(struct wd_fielddef *f, const struct wd_jdoc *doc, const json_t *fj,
                            const char *fpath)
{
    const json_t *c = json_object_get(fj, "constraints");
    if (!c)
        return 0;
    char path[192];
    wd_json_path(path, sizeof(path), fpath, "constraints");
    int rc = wd_json_keys(doc, c, path, constraint_keys);
    if (rc)
        return rc;
    if ((rc = wd_json_bool(doc, c, path, "required", false, &f->required)) < 0 ||
        (rc = wd_json_bool(doc, c, path, "unique", false, &f->unique)) < 0 ||
        (rc = load_bound(f, doc, c, path, "minimum", &f->has_minimum, &f->minimum,
                         &f->minimum_text)) < 0 ||
        (rc = load_bound(f, doc, c, path, "maximum", &f->has_maximum, &f->maximum,
                         &f->maximum_text)) < 0 ||
        (rc = load_length(f, doc, c, path, "minLength", &f->has_min_length, &f->min_length)) < 0 ||
        (rc = load_length(f, doc, c, path, "maxLength", &f->has_max_length, &f->max_length)) < 0)
        return rc;
    char p[256];
    if (f->has_minimum && f->has_maximum && f->minimum > f->maximum) {
        wd_json_path(p, sizeof(p), path, "maximum");
        return wd_json_error(doc, p, "maximum %s is below minimum %s", f->maximum_text,
                             f->minimum_text);
    }
    if (f->has_min_length && f->has_max_length && f->min_length > f->max_length) {
        wd_json_path(p, sizeof(p), path, "maxLength");
        return wd_json_error(doc, p, "maxLength %zu is below minLength %zu", f->max_length,
                             f->min_length);
    }
    const char *pattern = NULL;
    if ((rc = wd_json_string(doc, c, path, "pattern", false, &pattern)) < 0)
        return rc;
    if (pattern) {
        wd_json_path(p, sizeof(p), path, "pattern");
        if (f->type != WD_TYPE_STRING)
            return wd_json_error(doc, p, "pattern applies to string fields");
        /* Table Schema patterns match the whole value */
        int code;
        PCRE2_SIZE at;
        f->regex = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &at, NULL);
        if (!f->regex) {
            PCRE2_UCHAR why[256];
            pcre2_get_error_message(code, why, sizeof(why));
            return wd_json_error(doc, p, "invalid regular expression: %s at character %zu",
                                 (const char *)why, (size_t)at + 1);
        }
        /* without JIT it still matches, through the interpreter */
        f->regex_jit = pcre2_jit_compile(f->regex, PCRE2_JIT_COMPLETE) == 0;
        struct wd_simple_pattern simple;
        if (wd_simple_pattern_compile(pattern, &simple)) {
            f->simple = wd_malloc(sizeof(simple));
            *f->simple = simple;
        }
        f->pattern = wd_strdup(pattern);
    }
    const json_t *e = json_object_get(c, "enum");
    if (e) {
        wd_json_path(p, sizeof(p), path, "enum");
        if ((rc = wd__strlist_load(doc, e, p, &f->enum_values)) < 0)
            return rc;
        if (f->enum_values.n == 0)
            return wd_json_error(doc, p, "expected at least one value");
    }
    return 0;
}

static int load_transforms(struct wd_fielddef *f, const struct wd_jdoc *doc, const json_t *fj,
                           const char *path)
{
    char p[256];
    int rc;
    const json_t *rec = json_object_get(fj, "recode");
    if (rec) {
        wd_json_path(p, sizeof(p), path, "recode");
        if (!json_is_object(rec))
            return wd_json_error(doc, p, "expected an object of values and their replacements");
        f->recode = wd_calloc(json_object_size(rec) + 1, sizeof(*f->recode));
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)rec, k, v)
        {
            if (!json_is_string(v)) {
                char pk[320];
                wd_json_path(pk, sizeof(pk), p, k);
                return wd_json_error(doc, pk, "expected a string");
            }
            struct wd_recode *r = &f->recode[f->nrecode++];
            r->from = wd_strdup(k);
            r->to = wd_strdup(json_string_value(v));
            r->from_len = strlen(r->from);
            r->to_len = strlen(r->to);
            if (r->to_len > f->recode_longest)
                f->recode_longest = r->to_len;
        }
    }
    const char *cs = NULL;
    if ((rc = wd_json_string(doc, fj, path, "case", false, &cs)) < 0)
        return rc;
    if (cs) {
        wd_json_path(p, sizeof(p), path, "case");
        if (strcmp(cs, "upper") == 0)
            f->letter_case = WD_CASE_UPPER;
        else if (strcmp(cs, "lower") == 0)
            f->letter_case = WD_CASE_LOWER;
        else
            return wd_json_error(doc, p, "expected \"upper\" or \"lower\", found \"%s\"", cs);
    }
    long long pad = 0;
    if ((rc = wd_json_integer(doc, fj, path, "pad", false, 1, 64, &pad)) < 0)
        return rc;
    f->pad = (unsigned)pad;
    f->bare_number = true;
    if ((rc = wd_json_bool(doc, fj, path, "bareNumber", false, &f->bare_number)) < 0)
        return rc;
    if (!f->bare_number && !is_numeric(f->type)) {
        wd_json_path(p, sizeof(p), path, "bareNumber");
        return wd_json_error(doc, p, "bareNumber applies to number and integer fields");
    }
    static const char *const tv[] = {"true", "True", "TRUE", "1"};
    static const char *const fv[] = {"false", "False", "FALSE", "0"};
    const json_t *t = json_object_get(fj, "trueValues"), *fl = json_object_get(fj, "falseValues");
    if ((t || fl) && f->type != WD_TYPE_BOOLEAN) {
        wd_json_path(p, sizeof(p), path, t ? "trueValues" : "falseValues");
        return wd_json_error(doc, p, "%s applies to boolean fields; %s is a %s field",
                             t ? "trueValues" : "falseValues", f->name, wd_type_name(f->type));
    }
    if (t) {
        wd_json_path(p, sizeof(p), path, "trueValues");
        if ((rc = wd__strlist_load(doc, t, p, &f->true_values)) < 0)
            return rc;
    } else {
        struct wd_strlist d = {(char **)tv, 4, NULL, 0, {0}, false};
        wd__strlist_copy(&f->true_values, &d);
    }
    if (fl) {
        wd_json_path(p, sizeof(p), path, "falseValues");
        if ((rc = wd__strlist_load(doc, fl, p, &f->false_values)) < 0)
            return rc;
    } else {
        struct wd_strlist d = {(char **)fv, 4, NULL, 0, {0}, false};
        wd__strlist_copy(&f->false_values, &d);
    }
    return 0;
}

static int load_rules(struct wd_fielddef *f, const struct wd_jdoc *doc, const json_t *fj,
                      const char *path, const struct wd_codes *codes)
{
    const json_t *rules = json_object_get(fj, "rules");
    if (!rules)
        return 0;
    char p[256];
    wd_json_path(p, sizeof(p), path, "rules");
    if (!json_is_array(rules))
        return wd_json_error(doc, p, "expected an array of rule names");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        char pi[288];
        wd_json_index(pi, sizeof(pi), p, i);
        const char *r = json_string_value(json_array_get(rules, i));
        if (r && strcmp(r, "nik") == 0) {
            f->rules |= WD_RULE_NIK;
            if (!wd_codes_list(codes, "wilayah_kecamatan"))
                return wd_json_error(doc, pi, "rule nik needs the code list wilayah_kecamatan");
        } else if (r && strcmp(r, "npwp") == 0) {
            f->rules |= WD_RULE_NPWP;
        } else {
            return wd_json_error(doc, pi, "unknown rule \"%s\": expected nik or npwp",
                                 r ? r : "(not a string)");
        }
    }
    if (f->type != WD_TYPE_STRING)
        return wd_json_error(doc, p, "rules apply to string fields");
    return 0;
}

static int load_field(struct wd_definition *def, size_t i, const struct wd_jdoc *doc,
                      const json_t *fj, const struct wd_codes *codes,
                      const struct wd_strlist *schema_missing)
{
    struct wd_fielddef *f = &def->fields[i];
    f->parent = -1;
    f->nik_sex = f->nik_birth = -1;
    char path[64];
    wd_json_index(path, sizeof(path), "schema.fields", i);
    int rc = wd_json_keys(doc, fj, path, field_keys);
    if (rc)
        return rc;
    const char *name = NULL, *type = "string", *format = NULL, *source = NULL;
    const char *cl = NULL, *parent = NULL, *privacy = NULL;
    const char *title = NULL, *description = NULL, *unit = NULL, *konsep = NULL, *definisi = NULL;
    if ((rc = wd_json_string(doc, fj, path, "name", true, &name)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "type", false, &type)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "format", false, &format)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "source", false, &source)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "codelist", false, &cl)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "parent", false, &parent)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "privacy", false, &privacy)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "title", false, &title)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "description", false, &description)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "unit", false, &unit)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "konsep", false, &konsep)) < 0 ||
        (rc = wd_json_string(doc, fj, path, "definisi", false, &definisi)) < 0 ||
        (rc = wd_json_bool(doc, fj, path, "personal", false, &f->personal)) < 0)
        return rc;
    char p[256];
    wd_json_path(p, sizeof(p), path, "name");
    if (!wd_identifier_valid(name))
        return wd_json_error(doc, p, "invalid field name \"%s\": expected ^[a-z][a-z0-9_]{0,62}$",
                             name);
    if (wd_definition_field(def, name) >= 0)
        return wd_json_error(doc, p, "field \"%s\" is defined twice", name);
    f->name = wd_strdup(name);
    f->source = wd_strdup(source ? source : name);
    set_str(&f->title, title);
    set_str(&f->description, description);
    set_str(&f->unit, unit);
    set_str(&f->konsep, konsep);
    set_str(&f->definisi, definisi);
    size_t t = 0;
    while (type_names[t] && strcmp(type_names[t], type) != 0)
        t++;
    wd_json_path(p, sizeof(p), path, "type");
    if (!type_names[t])
        return wd_json_error(doc, p, "unknown type \"%s\": expected string, integer, number, "
                                     "boolean, date, datetime or year", type);
    f->type = (enum wd_type)t;
    if (format) {
        wd_json_path(p, sizeof(p), path, "format");
        if (f->type != WD_TYPE_DATE && f->type != WD_TYPE_DATETIME)
            return wd_json_error(doc, p, "format applies to date and datetime fields");
        const char *why = wd_datefmt_check(format, f->type == WD_TYPE_DATETIME);
        if (why)
            return wd_json_error(doc, p, "invalid date format \"%s\": %s", format, why);
        f->format = wd_strdup(format);
    }
    if ((rc = load_constraints(f, doc, fj, path)) < 0 ||
        (rc = load_transforms(f, doc, fj, path)) < 0 ||
        (rc = load_rules(f, doc, fj, path, codes)) < 0)
        return rc;
    const json_t *mv = json_object_get(fj, "missingValues");
    if (mv) {
        wd_json_path(p, sizeof(p), path, "missingValues");
        if ((rc = wd__strlist_load(doc, mv, p, &f->missing_values)) < 0)
            return rc;
    } else {
        wd__strlist_copy(&f->missing_values, schema_missing);
    }
    if (cl) {
        wd_json_path(p, sizeof(p), path, "codelist");
        f->codelist = wd_codes_list(codes, cl);
        if (!f->codelist) {
            rc = wd_json_error(doc, p, "no code list \"%s\" in the reference codes", cl);
            const char *names[64];
            size_t n = 0;
            for (size_t k = 0; codes && k < codes->nlists && n < 63; k++)
                names[n++] = codes->lists[k].name;
            names[n] = NULL;
            const char *near = wd_json_suggest(cl, names);
            if (near)
                wd_error_hint(doc->err, "Did you mean \"%s\"?", near);
            return rc;
        }
        if (f->type != WD_TYPE_STRING && f->type != WD_TYPE_INTEGER)
            return wd_json_error(doc, p, "a code list applies to string and integer fields");
        f->codelist_ref = wd_strdup(cl);
    }
    set_str(&f->parent_name, parent);
    if (privacy) {
        wd_json_path(p, sizeof(p), path, "privacy");
        if (strcmp(privacy, "pseudonymize") == 0)
            f->privacy = WD_PRIVACY_PSEUDONYMIZE;
        else if (strcmp(privacy, "drop") == 0)
            f->privacy = WD_PRIVACY_DROP;
        else
            return wd_json_error(doc, p, "expected \"pseudonymize\" or \"drop\", found \"%s\"",
                                 privacy);
        f->personal = true;
    }
    return 0;
}

/* parent: resolved once every field is known. */
static int resolve_parent(struct wd_definition *def, size_t i, const struct wd_jdoc *doc)
{
    struct wd_fielddef *f = &def->fields[i];
    if (!f->parent_name)
        return 0;
    char p[96];
    snprintf(p, sizeof(p), "schema.fields[%zu].parent", i);
    int idx = wd_definition_field(def, f->parent_name);
    if (idx < 0)
        return wd_json_error(doc, p, "no field \"%s\" in the schema", f->parent_name);
    if ((size_t)idx == i)
        return wd_json_error(doc, p, "a field cannot be its own parent");
    if (!f->codelist)
        return wd_json_error(doc, p, "parent needs a codelist on this field");
    if (!def->fields[idx].codelist)
        return wd_json_error(doc, p, "the parent field \"%s\" has no codelist", f->parent_name);
    bool any = false, found = false;
    const struct wd_codelist *pl = def->fields[idx].codelist;
    for (size_t k = 0; k < f->codelist->ncodes && !found; k++) {
        const struct wd_code *c = &f->codelist->codes[k];
        any = any || c->parent != NULL;
        found = c->parent && wd_codelist_lookup(pl, c->parent, c->parent_len);
    }
    if (!any)
        return wd_json_error(doc, p, "the code list %s has no parent codes",
                             f->codelist->name);
    if (!found)
        return wd_json_error(doc, p, "the parent field \"%s\" is coded by %s, which holds none "
                             "of the parent codes of %s", f->parent_name, pl->name,
                             f->codelist->name);
    f->parent = idx;
    return 0;
}

static int load_primary_key(struct wd_definition *def, const struct wd_jdoc *doc,
                            const json_t *schema)
{
    const json_t *pk = json_object_get(schema, "primaryKey");
    if (!pk)
        return 0;
    json_t *arr = json_is_string(pk) ? json_pack("[O]", pk) : json_incref((json_t *)pk);
    int rc = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        rc = wd_json_error(doc, "schema.primaryKey", "expected a field name or an array of them");
        goto out;
    }
    def->npk = json_array_size(arr);
    def->primary_key = wd_calloc(def->npk, sizeof(size_t));
    for (size_t i = 0; i < def->npk; i++) {
        char p[64];
        wd_json_index(p, sizeof(p), "schema.primaryKey", i);
        const json_t *v = json_array_get(arr, i);
        int idx = json_is_string(v) ? wd_definition_field(def, json_string_value(v)) : -1;
        if (idx < 0) {
            rc = wd_json_error(doc, json_is_string(pk) ? "schema.primaryKey" : p,
                               "primary key field \"%s\" is not in the schema",
                               json_is_string(v) ? json_string_value(v) : "(not a string)");
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (def->primary_key[k] == (size_t)idx) {
                rc = wd_json_error(doc, p, "field \"%s\" is named twice", json_string_value(v));
                goto out;
            }
        def->primary_key[i] = (size_t)idx;
        def->fields[idx].required = true;
    }
out:
    json_decref(arr);
    return rc;
}

int wd__definition_load_fields(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *schema, const struct wd_codes *codes)
{
    int rc = wd_json_keys(doc, schema, "schema", schema_keys);
    if (rc)
        return rc;
    struct wd_strlist missing = {NULL, 0, NULL, 0, {0}, false};
    const json_t *mv = json_object_get(schema, "missingValues");
    if (mv) {
        if ((rc = wd__strlist_load(doc, mv, "schema.missingValues", &missing)) < 0)
            return rc;
    } else {
        static const char *const dflt[] = {""};
        struct wd_strlist d = {(char **)dflt, 1, NULL, 0, {0}, false};
        wd__strlist_copy(&missing, &d);
    }
    const json_t *fields = json_object_get(schema, "fields");
    if (!json_is_array(fields) || json_array_size(fields) == 0) {
        rc = wd_json_error(doc, "schema.fields", fields ? "expected a non-empty array of fields"
                                                        : "required key is missing");
        goto out;
    }
    size_t n = json_array_size(fields);
    def->fields = wd_calloc(n, sizeof(*def->fields));
    for (size_t i = 0; i < n; i++) {
        def->nfields = i + 1; /* so that a failure frees what was loaded */
        if ((rc = load_field(def, i, doc, json_array_get(fields, i), codes, &missing)) < 0)
            goto out;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = resolve_parent(def, i, doc)) < 0)
            goto out;
    rc = load_primary_key(def, doc, schema);
out:
    wd__strlist_free(&missing);
    return rc;
}
