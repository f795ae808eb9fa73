/*
 * rules.h - the checks a present value goes through, with their stable names.
 *
 * The rule names are part of walidata's interface (reports, etl.reject): never rename one.
 * A value is checked in this order, and the first failure is the one reported: type, then
 * minLength/maxLength, pattern, enum, minimum/maximum, codelist, then the built-in rules
 * (nik, npwp). `columns`, `encoding`, `required`, `parent`, `unique` and `consistency` are
 * decided by the validator, which sees the whole row and the whole file.
 */
#ifndef WD_RULES_H
#define WD_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "codes.h"
#include "definition.h"
#include "identifiers.h"

enum wd_rule {
    WD_R_COLUMNS,   /* wrong number of fields in the record */
    WD_R_ENCODING,  /* bytes the declared encoding cannot hold, or NUL */
    WD_R_TYPE,      /* not a value of the field's type */
    WD_R_REQUIRED,  /* a required value is missing */
    WD_R_PATTERN,
    WD_R_MINIMUM,
    WD_R_MAXIMUM,
    WD_R_MINLENGTH,
    WD_R_MAXLENGTH,
    WD_R_ENUM,
    WD_R_CODELIST,  /* not a code of the field's code list */
    WD_R_PARENT,    /* a code outside the code in its parent field */
    WD_R_UNIQUE,    /* a repeated primary key (or unique field); the first is kept */
    WD_R_NIK,
    WD_R_NPWP,
    WD_R_CONSISTENCY, /* a row check ("checks") or a NIK that contradicts sex or birth date */
    WD_NRULES
};

extern const char *const wd_rule_names[WD_NRULES];

/* The canonical text of a value is at most this long (a longer string is kept as is). */
#define WD_CANON_MAX 128

struct wd_value_check {
    enum wd_rule rule;    /* the failed rule, when the check fails */
    char message[320];    /* why, for the unit's clerk */
    const char *text;     /* the value to load: canonical for numbers and dates */
    size_t len;
    const struct wd_code *code; /* the code found in the field's list, or NULL */
    double number;              /* numbers, integers, years; dates as days since 1970 */
    struct wd_nik nik;          /* what a valid NIK says (rules nik) */
};

/*
 * Per-thread scratch space for checks (the pattern matcher's match data). A definition is
 * shared by the threads that validate with it; each thread brings its own scratch.
 */
struct wd_check_scratch;
struct wd_check_scratch *wd_check_scratch_new(void);
void wd_check_scratch_free(struct wd_check_scratch *s);

/*
 * Checks a present, transformed value of field index fi. canon (WD_CANON_MAX bytes) holds the
 * canonical text when the type has one. Returns true when the value passes.
 */
bool wd_check_value(const struct wd_definition *def, size_t fi, const struct wd_codes *codes,
                    struct wd_check_scratch *scratch, const char *v, size_t len, char *canon,
                    struct wd_value_check *out);

#endif
