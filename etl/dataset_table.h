/*
 * dataset_table.h - a dataset's place in the warehouse: its table in schema walidata, its
 * Satu Data metadata in meta.dataset and meta.variable, COMMENT ON the table and columns,
 * the analysts' view walidata.v_<dataset>, and the grants of the two roles.
 */
#ifndef WD_DATASET_TABLE_H
#define WD_DATASET_TABLE_H

#include <stdio.h>

#include "db.h"
#include "definition.h"

/* The SQL type of a field in the warehouse. */
const char *wd_sql_type(const struct wd_fielddef *f);

/* Whether the field reaches the warehouse (a "drop" field never does). */
bool wd_field_stored(const struct wd_fielddef *f);

/*
 * Creates the dataset's table or extends it with new columns, in one transaction with its
 * metadata, comments, view and grants. A change the table cannot take (a column dropped or
 * retyped, another primary key) is refused with WD_ESCHEMA, saying what to do. Reports
 * what it did to log (may be NULL).
 */
int wd_dataset_sync(struct wd_db *db, const struct wd_definition *def, FILE *log,
                    struct wd_error *err);

#endif
