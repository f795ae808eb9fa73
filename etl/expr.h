/*
 * expr.h - the small expression language of a definition's "checks": cross-field rules of
 * one row such as `lulus <= peserta` or `bekerja + pengangguran == angkatan_kerja`.
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := cmp ("and" cmp)*
 *   cmp    := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
 *   sum    := term (("+" | "-") term)*
 *   term   := factor (("*" | "/") factor)*
 *   factor := NUMBER | FIELD | "(" expr ")" | "-" factor
 *
 * Fields are the definition's integer, number, year and date fields (dates as days). The
 * whole expression must be a comparison, or comparisons joined by and/or. It is parsed
 * once, when the definition loads; evaluating it allocates nothing.
 */
#ifndef WD_EXPR_H
#define WD_EXPR_H

#include <stdbool.h>
#include <stddef.h>

struct wd_definition;
struct wd_expr;

/*
 * Parses text against def's fields into *out (new; free with wd_expr_free). On failure
 * writes why (naming the offending word and its position) and returns false.
 */
bool wd_expr_parse(const char *text, const struct wd_definition *def, struct wd_expr **out,
                   char *why, size_t whylen);
void wd_expr_free(struct wd_expr *e);

/*
 * Evaluates e over the row's numeric values (values[field]); == and != compare within
 * tolerance. Returns 1 when it holds, 0 when it does not, -1 when it cannot be decided
 * (a division by zero).
 */
int wd_expr_eval(const struct wd_expr *e, const double *values, double tolerance);

/* Marks used[field] for every field e names; returns the first field named. */
size_t wd_expr_fields(const struct wd_expr *e, bool *used);

#endif
