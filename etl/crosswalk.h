/*
 * crosswalk.h - maps between code systems (BPS and Kemendagri region codes differ: BPS
 * 1101 Simeulue is Kemendagri 1109; the Papua provinces differ).
 *
 * A crosswalk is named in reference-codes/codelists.json under "crosswalks", with the code
 * list it maps from and the one it maps to (each "name@version"), and a CSV of `from,to`
 * pairs. Every code on either side must exist in its list, and a code maps to one code.
 */
#ifndef WD_CROSSWALK_H
#define WD_CROSSWALK_H

#include <jansson.h>
#include <stddef.h>

#include "strmap.h"

struct wd_codes;
struct wd_codelist;
struct wd_jdoc;

struct wd_crosswalk_pair {
    const char *from;
    const char *to;
};

struct wd_crosswalk {
    char *name;
    char *from_ref, *to_ref; /* "name@version" */
    char *authority, *reference, *file;
    const struct wd_codelist *from, *to;
    struct wd_crosswalk_pair *pairs;
    size_t npairs;
    char *strings;
    struct wd_strmap index; /* from code -> pair */
};

/* Loads the manifest's "crosswalks" array (may be absent) into codes. Used by codes.c. */
int wd__crosswalks_load(struct wd_codes *codes, const struct wd_jdoc *doc, const json_t *arr);
void wd__crosswalk_free(struct wd_crosswalk *x);

/* The crosswalk called name, or NULL. */
const struct wd_crosswalk *wd_codes_crosswalk(const struct wd_codes *codes, const char *name);

/* The code that code (len bytes) maps to, or NULL. */
const char *wd_crosswalk_map(const struct wd_crosswalk *x, const char *code, size_t len);

#endif
