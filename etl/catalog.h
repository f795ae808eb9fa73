/*
 * catalog.h - the code lists and every dataset definition the daemon works with, loaded
 * together and replaced together (SIGHUP). Runs in progress hold a reference to the
 * catalog they started with, so a reload never pulls a definition from under a run.
 */
#ifndef WD_CATALOG_H
#define WD_CATALOG_H

#include <stdatomic.h>

#include "codes.h"
#include "definition.h"

struct wd_catalog {
    atomic_int refs;
    struct wd_codes *codes;
    struct wd_definition **defs;
    size_t ndefs;
};

/* Loads the code lists in codes_dir and every *.json in mappings_dir. Any error refuses
 * the whole catalog (err says which file and key). Returns a catalog with one reference. */
int wd_catalog_load(const char *codes_dir, const char *mappings_dir, struct wd_catalog **out,
                    struct wd_error *err);

/* The definition called name, or NULL. */
const struct wd_definition *wd_catalog_find(const struct wd_catalog *c, const char *name);

struct wd_catalog *wd_catalog_ref(struct wd_catalog *c);
/* Drops a reference; the last one frees the catalog. */
void wd_catalog_unref(struct wd_catalog *c);

#endif
