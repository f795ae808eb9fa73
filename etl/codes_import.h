/*
 * codes_import.h - the reference code lists into the warehouse (ref.codelist, ref.code,
 * ref.crosswalk), every version side by side.
 *
 * A list version already in the warehouse is left alone when its codes are the same (by a
 * SHA-256 of its content), so importing twice changes nothing; one whose codes differ is
 * refused: a changed list needs a new version.
 */
#ifndef WD_CODES_IMPORT_H
#define WD_CODES_IMPORT_H

#include <stdio.h>

#include "codes.h"
#include "db.h"

/* Imports what is new; *imported counts the lists and crosswalks added. */
int wd_codes_import(struct wd_db *db, const struct wd_codes *codes, FILE *log, int *imported,
                    struct wd_error *err);

#endif
