/*
 * catalog.c - loading and sharing code lists and definitions.
 */
#include "catalog.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int wd_catalog_load(const char *codes_dir, const char *mappings_dir, struct wd_catalog **out,
                    struct wd_error *err)
{
    *out = NULL;
    struct wd_catalog *c = wd_calloc(1, sizeof(*c));
    atomic_init(&c->refs, 1);
    int rc = wd_codes_load(codes_dir, &c->codes, err);
    DIR *d = rc == 0 ? opendir(mappings_dir) : NULL;
    if (rc == 0 && !d) {
        wd_error_file(err, mappings_dir);
        rc = wd_error_set(err, WD_ECONFIG, "could not open the folder of dataset definitions");
    }
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", mappings_dir, e->d_name);
        struct wd_definition *def;
        if ((rc = wd_definition_load(path, c->codes, &def, err)) < 0)
            break;
        c->defs = wd_realloc(c->defs, (c->ndefs + 1) * sizeof(*c->defs));
        c->defs[c->ndefs++] = def;
    }
    if (d)
        closedir(d);
    if (rc < 0) {
        wd_catalog_unref(c);
        return rc;
    }
    *out = c;
    return 0;
}

const struct wd_definition *wd_catalog_find(const struct wd_catalog *c, const char *name)
{
    for (size_t i = 0; c && i < c->ndefs; i++)
        if (strcmp(c->defs[i]->name, name) == 0)
            return c->defs[i];
    return NULL;
}

struct wd_catalog *wd_catalog_ref(struct wd_catalog *c)
{
    atomic_fetch_add(&c->refs, 1);
    return c;
}

void wd_catalog_unref(struct wd_catalog *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    for (size_t i = 0; i < c->ndefs; i++)
        wd_definition_free(c->defs[i]);
    free(c->defs);
    wd_codes_free(c->codes);
    free(c);
}
