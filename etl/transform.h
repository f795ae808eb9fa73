/*
 * transform.h - what happens to a value between the unit's file and validation.
 *
 * Each value is trimmed (spaces, tabs, line ends and no-break spaces), compared with the
 * field's missing values, then transformed as the field says: recode (an exact match
 * replaced), case (ASCII upper or lower, for codes), pad (a digits-only code shorter than
 * pad gets leading zeros back, as spreadsheets strip them: 111 -> 0111).
 */
#ifndef WD_TRANSFORM_H
#define WD_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "definition.h"

/* Narrows [*s, *s + *len) to drop surrounding white space. */
void wd_trim(const char **s, size_t *len);

/* Whether the (trimmed) value is one of the field's missing values. */
bool wd_is_missing(const struct wd_fielddef *f, const char *s, size_t len);

/* Whether the field recodes, changes case or pads at all: most fields do none of these,
 * and their values are checked as they are. */
static inline bool wd_transforms(const struct wd_fielddef *f)
{
    return f->nrecode || f->pad || f->letter_case != WD_CASE_KEEP;
}

/*
 * Applies recode, case and pad to a present, trimmed value. The result is either the input
 * (*out = s) or written into buf (cap bytes); *out_len is its length. Returns false only
 * when the result would not fit buf.
 */
bool wd_transform(const struct wd_fielddef *f, const char *s, size_t len, char *buf, size_t cap,
                  const char **out, size_t *out_len);

#endif
