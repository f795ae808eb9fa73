/*
 * definition_checks.c - the cross-field parts of a definition: the row checks ("checks")
 * and the fields a NIK must agree with ("nik": {"sex": ..., "birthDate": ...}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "definition.h"
#include "expr.h"
#include "jsonkeys.h"
#include "mem.h"

static const char *const check_keys[] = {"name", "assert", "message", "reject", "tolerance",
                                         "description", NULL};
static const char *const nik_keys[] = {"sex", "birthDate", NULL};
static const char *const period_keys[] = {"date", "year", "month", "quarter", "semester", NULL};

void wd__definition_free_checks(struct wd_definition *def)
{
    for (size_t i = 0; i < def->nchecks; i++) {
        struct wd_check *c = &def->checks[i];
        free(c->name);
        free(c->assert_text);
        free(c->message);
        free(c->uses);
        wd_expr_free(c->expr);
    }
    free(def->checks);
    def->checks = NULL;
    def->nchecks = 0;
}

static int load_check(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *cj,
                      size_t i)
{
    char path[48], p[96];
    wd_json_index(path, sizeof(path), "checks", i);
    int rc = wd_json_keys(doc, cj, path, check_keys);
    if (rc)
        return rc;
    struct wd_check *c = &def->checks[i];
    c->reject = true;
    const char *name = NULL, *text = NULL, *message = NULL;
    if ((rc = wd_json_string(doc, cj, path, "name", true, &name)) < 0 ||
        (rc = wd_json_string(doc, cj, path, "assert", true, &text)) < 0 ||
        (rc = wd_json_string(doc, cj, path, "message", false, &message)) < 0 ||
        (rc = wd_json_bool(doc, cj, path, "reject", false, &c->reject)) < 0 ||
        (rc = wd_json_number(doc, cj, path, "tolerance", false, &c->tolerance)) < 0)
        return rc;
    wd_json_path(p, sizeof(p), path, "name");
    if (!wd_identifier_valid(name))
        return wd_json_error(doc, p, "invalid check name \"%s\": expected ^[a-z][a-z0-9_]{0,62}$",
                             name);
    for (size_t k = 0; k < i; k++)
        if (strcmp(def->checks[k].name, name) == 0)
            return wd_json_error(doc, p, "check \"%s\" is defined twice", name);
    if (c->tolerance < 0) {
        wd_json_path(p, sizeof(p), path, "tolerance");
        return wd_json_error(doc, p, "expected a tolerance of 0 or more, found %g", c->tolerance);
    }
    c->name = wd_strdup(name);
    c->assert_text = wd_strdup(text);
    c->message = message ? wd_strdup(message) : NULL;
    char why[200];
    if (!wd_expr_parse(text, def, &c->expr, why, sizeof(why))) {
        wd_json_path(p, sizeof(p), path, "assert");
        return wd_json_error(doc, p, "invalid expression \"%s\": %s", text, why);
    }
    c->uses = wd_calloc(def->nfields, sizeof(bool));
    c->first = wd_expr_fields(c->expr, c->uses);
    return 0;
}

int wd__definition_load_checks(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *root)
{
    const json_t *arr = json_object_get(root, "checks");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return wd_json_error(doc, "checks", "expected an array of checks");
    size_t n = json_array_size(arr);
    def->checks = wd_calloc(n ? n : 1, sizeof(*def->checks));
    for (size_t i = 0; i < n; i++) {
        def->nchecks = i + 1; /* so that a failure frees what was loaded */
        int rc = load_check(def, doc, json_array_get(arr, i), i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* One of the fields a NIK is compared with; -1 when the key is absent. */
static int nik_field(struct wd_definition *def, const struct wd_jdoc *doc, const json_t *nj,
                     const char *path, const char *key, int *out)
{
    const char *name = NULL;
    int rc = wd_json_string(doc, nj, path, key, false, &name);
    if (rc)
        return rc < 0 ? rc : 0;
    char p[128];
    wd_json_path(p, sizeof(p), path, key);
    int idx = wd_definition_field(def, name);
    if (idx < 0)
        return wd_json_error(doc, p, "no field \"%s\" in the schema", name);
    const struct wd_fielddef *f = &def->fields[idx];
    if (strcmp(key, "sex") == 0 &&
        (!f->codelist || strcmp(f->codelist->name, "jenis_kelamin") != 0))
        return wd_json_error(doc, p, "the sex field \"%s\" must use the code list "
                                     "jenis_kelamin (1 laki-laki, 2 perempuan)", name);
    if (strcmp(key, "birthDate") == 0 && f->type != WD_TYPE_DATE)
        return wd_json_error(doc, p, "the birth date field \"%s\" must be of type date", name);
    *out = idx;
    return 0;
}

int wd__definition_load_nik(struct wd_definition *def, const struct wd_jdoc *doc,
                            const json_t *schema)
{
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < def->nfields; i++) {
        const json_t *nj = json_object_get(json_array_get(fields, i), "nik");
        if (!nj)
            continue;
        char path[64];
        snprintf(path, sizeof(path), "schema.fields[%zu].nik", i);
        struct wd_fielddef *f = &def->fields[i];
        if (!(f->rules & WD_RULE_NIK))
            return wd_json_error(doc, path, "applies to a field with \"rules\": [\"nik\"]");
        int rc = wd_json_keys(doc, nj, path, nik_keys);
        if (rc == 0)
            rc = nik_field(def, doc, nj, path, "sex", &f->nik_sex);
        if (rc == 0)
            rc = nik_field(def, doc, nj, path, "birthDate", &f->nik_birth);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* One field of "referencePeriod": its index, checked against the types it may have. */
static int period_field(const struct wd_definition *def, const struct wd_jdoc *doc,
                        const json_t *pj, const char *key, bool date, int *out)
{
    const char *name = NULL;
    int rc = wd_json_string(doc, pj, "referencePeriod", key, false, &name);
    if (rc)
        return rc < 0 ? rc : 0;
    char p[64];
    wd_json_path(p, sizeof(p), "referencePeriod", key);
    int idx = wd_definition_field(def, name);
    if (idx < 0)
        return wd_json_error(doc, p, "no field \"%s\" in the schema", name);
    enum wd_type t = def->fields[idx].type;
    if (date ? t != WD_TYPE_DATE && t != WD_TYPE_DATETIME
             : t != WD_TYPE_INTEGER && t != WD_TYPE_YEAR)
        return wd_json_error(doc, p, "the field \"%s\" must be %s", name,
                             date ? "a date" : "an integer or year");
    *out = idx;
    return 0;
}

int wd__definition_load_period(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *root)
{
    struct wd_reference_period *rp = &def->reference_period;
    rp->date = rp->year = rp->sub = -1;
    rp->per_year = 0;
    const json_t *pj = json_object_get(root, "referencePeriod");
    if (!pj)
        return 0;
    int rc = wd_json_keys(doc, pj, "referencePeriod", period_keys);
    if (rc == 0)
        rc = period_field(def, doc, pj, "date", true, &rp->date);
    if (rc == 0)
        rc = period_field(def, doc, pj, "year", false, &rp->year);
    static const struct {
        const char *key;
        int per_year;
    } subs[] = {{"month", 12}, {"quarter", 4}, {"semester", 2}};
    for (int i = 0; rc == 0 && i < 3; i++) {
        int idx = -1;
        rc = period_field(def, doc, pj, subs[i].key, false, &idx);
        if (rc == 0 && idx >= 0) {
            if (rp->sub >= 0)
                return wd_json_error(doc, "referencePeriod",
                                     "give one of month, quarter and semester, not several");
            rp->sub = idx;
            rp->per_year = subs[i].per_year;
        }
    }
    if (rc < 0)
        return rc;
    if ((rp->date >= 0) == (rp->year >= 0))
        return wd_json_error(doc, "referencePeriod",
                             "expected either a date field (\"date\") or a year field (\"year\")");
    if (rp->date >= 0 && rp->sub >= 0)
        return wd_json_error(doc, "referencePeriod", "a date needs no month, quarter or semester");
    return 0;
}
