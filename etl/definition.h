/*
 * definition.h - dataset definitions (mappings/NAME.json): the data standard, the Satu Data
 * metadata, the unit's file dialect, and the mapping from the unit's columns to fields.
 *
 * The field vocabulary is Frictionless Table Schema's (name, type, format, constraints,
 * missingValues, primaryKey); walidata adds source, codelist, parent, rules, privacy,
 * recode, case, pad, and the metadata Satu Data requires. A definition is loaded against
 * the code lists, so a field naming a list that does not exist is refused at load, never
 * discovered in the middle of a file.
 */
#ifndef WD_DEFINITION_H
#define WD_DEFINITION_H

#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"

#include "codes.h"
#include "error.h"
#include "reader.h"

enum wd_type {
    WD_TYPE_STRING,
    WD_TYPE_INTEGER,  /* 64-bit signed */
    WD_TYPE_NUMBER,   /* decimal, kept as its canonical text */
    WD_TYPE_BOOLEAN,
    WD_TYPE_DATE,     /* YYYY-MM-DD */
    WD_TYPE_DATETIME, /* YYYY-MM-DD HH:MM:SS */
    WD_TYPE_YEAR      /* four digits */
};

enum wd_case { WD_CASE_KEEP, WD_CASE_UPPER, WD_CASE_LOWER };
enum wd_privacy { WD_PRIVACY_NONE, WD_PRIVACY_PSEUDONYMIZE, WD_PRIVACY_DROP };
enum wd_mode { WD_MODE_APPEND, WD_MODE_UPSERT, WD_MODE_REPLACE };

/* Built-in checks a field may name in "rules". */
#define WD_RULE_NIK 1u
#define WD_RULE_NPWP 2u

struct wd_recode {
    char *from;
    char *to;
    size_t from_len, to_len;
};

struct wd_strlist {
    char **items;
    size_t n;
    size_t *lens;    /* lengths of the items, or NULL (then measured when used) */
    size_t max_len;  /* the longest item's length; 0 when not known */
    uint64_t firsts[4]; /* with firsts_known: bit c is set when an item begins with byte c */
    bool firsts_known;
};

/* The index of the len bytes at s in list, or -1. */
int wd_strlist_index(const struct wd_strlist *list, const char *s, size_t len);

struct wd_fielddef {
    char *name;   /* the dataset's column: ^[a-z][a-z0-9_]{0,62}$ */
    char *source; /* the unit's column header (default: name) */
    char *title, *description, *unit, *konsep, *definisi;
    enum wd_type type;
    char *format; /* date/datetime format, strptime-style; NULL for the type's default */

    /* constraints */
    bool required, unique;
    bool has_minimum, has_maximum;
    double minimum, maximum; /* numbers, integers, years; dates as days since 1970 */
    char *minimum_text, *maximum_text; /* as written, for messages */
    bool has_min_length, has_max_length;
    size_t min_length, max_length; /* in characters */
    char *pattern;
    pcre2_code *regex; /* the pattern compiled to match whole values (JIT when available) */
    bool regex_jit;    /* compiled to machine code: matched with pcre2_jit_match */
    struct wd_simple_pattern *simple; /* the same pattern matched without PCRE, or NULL */
    struct wd_strlist enum_values;

    /* transforms, applied after trimming, in this order: recode, case, pad */
    struct wd_recode *recode;
    size_t nrecode;
    size_t recode_longest; /* the longest recode target's length */
    enum wd_case letter_case;
    unsigned pad; /* zero-pad to this many characters; 0 for none */
    bool bare_number; /* false: strip text around a number ("Rp 5.000", "12 %") */
    struct wd_strlist true_values, false_values;
    struct wd_strlist missing_values; /* the schema's unless the field sets its own */

    /* reference codes and rules */
    char *codelist_ref;
    const struct wd_codelist *codelist; /* borrowed from the codes the definition was
                                           loaded with */
    char *parent_name;
    int parent; /* index of the parent field, or -1 */
    unsigned rules; /* WD_RULE_* */
    enum wd_privacy privacy;
    bool personal; /* hidden from analysts (implied by privacy) */
    int nik_sex, nik_birth; /* fields the NIK must agree with ("nik": {...}), or -1 */
};

/* Where a row's reference period is ("referencePeriod"), for timeliness: a date field, or a
 * year field with optionally a month (12 a year), quarter (4) or semester (2) field. */
struct wd_reference_period {
    int date, year, sub; /* field indexes, or -1 */
    int per_year;        /* 12, 4 or 2 when sub is set */
};

/* A cross-field rule of one row ("checks"). */
struct wd_check {
    char *name;
    char *assert_text;
    char *message; /* NULL: say which comparison failed */
    bool reject;   /* false: reported, row kept */
    double tolerance;
    struct wd_expr *expr;
    bool *uses;       /* uses[field]: the check names the field */
    size_t first;     /* the first field it names: where a failure is reported */
};

struct wd_definition {
    char *path; /* the file it was loaded from */
    char *name, *title, *version, *description;
    json_t *metadata; /* the Satu Data metadata object, as written */
    char *produsen_data, *frekuensi, *cakupan;

    struct wd_dialect dialect;
    char decimal_char, group_char; /* group '\0' when none */

    char *table;
    enum wd_mode mode;
    size_t *period; /* field indexes of target.period */
    size_t nperiod;

    struct wd_fielddef *fields;
    size_t nfields;
    size_t *primary_key; /* field indexes */
    size_t npk;

    struct wd_check *checks;
    size_t nchecks;
    struct wd_reference_period reference_period;

    double min_score;        /* 0..100 */
    double max_reject_ratio; /* 0..1 */
};

/* Metadata keys every definition must carry (Permenaker 15/2020's data standard and the
 * dataset metadata of Satu Data Indonesia), NULL-terminated. */
extern const char *const wd_required_metadata[];

/*
 * Loads the definition at path, checking it against codes, into *out (new; free with
 * wd_definition_free). Every mistake is WD_EMAPPING with err->file the path and err->field
 * the key path, e.g. "schema.fields[3].constraints.minimun".
 */
int wd_definition_load(const char *path, const struct wd_codes *codes,
                       struct wd_definition **out, struct wd_error *err);
void wd_definition_free(struct wd_definition *def);

/* Index of the field called name, or -1. */
int wd_definition_field(const struct wd_definition *def, const char *name);

/* Whether s is a valid table or field name: ^[a-z][a-z0-9_]{0,62}$. */
bool wd_identifier_valid(const char *s);

const char *wd_type_name(enum wd_type type);
const char *wd_mode_name(enum wd_mode mode);

/* Used by definition.c and definition_fields.c only. */
struct wd_jdoc;
struct wd_expr;
int wd__definition_load_fields(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *schema, const struct wd_codes *codes);
int wd__definition_load_checks(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *root);
int wd__definition_load_nik(struct wd_definition *def, const struct wd_jdoc *doc,
                            const json_t *schema);
int wd__definition_load_period(struct wd_definition *def, const struct wd_jdoc *doc,
                               const json_t *root);
void wd__definition_free_checks(struct wd_definition *def);
int wd__strlist_load(const struct wd_jdoc *doc, const json_t *arr, const char *path,
                     struct wd_strlist *out);
void wd__strlist_free(struct wd_strlist *l);
void wd__strlist_copy(struct wd_strlist *dst, const struct wd_strlist *src);

#endif
