/*
 * codes.h - reference code lists (kode referensi), loaded once, looked up in O(1).
 *
 * reference-codes/codelists.json lists each code list: its name, version, authority
 * (BPS, Kemendagri, Kemnaker), legal reference, valid_from date and CSV file. Each CSV has
 * `code,label` and, for hierarchies, `parent` (the code of the enclosing unit: a kab/kota's
 * province) and optionally `level`. Versions of one list are kept side by side; a bare
 * name means its newest version (latest valid_from), `name@version` a given one.
 *
 * Everything loaded is owned by struct wd_codes and replaced whole on reload.
 */
#ifndef WD_CODES_H
#define WD_CODES_H

#include <stddef.h>

#include "error.h"
#include "crosswalk.h"
#include "strmap.h"

struct wd_code {
    const char *code;
    const char *label;
    const char *parent; /* NULL when the list has no hierarchy */
    size_t parent_len;
};

struct wd_codelist {
    char *name;       /* e.g. "wilayah_kabkota" */
    char *title;      /* what one code names, for messages: "kabupaten/kota" */
    char *version;    /* e.g. "2025" */
    char *authority;  /* e.g. "Kemendagri" */
    char *reference;  /* legal basis, e.g. "Kepmendagri 300.2.2-2138/2025" */
    char *valid_from; /* ISO date */
    char *file;       /* CSV path as given in the manifest */
    struct wd_code *codes;
    size_t ncodes;
    char *strings; /* one block holding every code, label and parent */
    struct wd_strmap index;
    long older; /* index of the next older version of the same list, or -1 */
};

struct wd_codes {
    char *dir;
    struct wd_codelist *lists;
    size_t nlists;
    struct wd_strmap by_name; /* "name" -> newest version, "name@version" -> that one */
    char **keys;              /* the "name@version" strings by_name borrows */
    struct wd_crosswalk *crosswalks;
    size_t ncrosswalks;
    const struct wd_codelist *kecamatan; /* newest wilayah_kecamatan, found once for the
                                          * NIK check of every row; NULL without it */
};

/*
 * Loads dir/codelists.json and every list it names into *out (new; free with
 * wd_codes_free). Every mistake names the file and key, or the file and line.
 */
int wd_codes_load(const char *dir, struct wd_codes **out, struct wd_error *err);
void wd_codes_free(struct wd_codes *codes);

/* The list a definition names ("name" or "name@version"), or NULL. */
const struct wd_codelist *wd_codes_list(const struct wd_codes *codes, const char *ref);

/* The code of len bytes in list, or NULL. */
const struct wd_code *wd_codelist_lookup(const struct wd_codelist *list, const char *code,
                                         size_t len);

/* Whether any version of the list called name holds the code (a NIK's district may be of
 * an older version). */
const struct wd_code *wd_codes_lookup_any_version(const struct wd_codes *codes,
                                                  const char *name, const char *code,
                                                  size_t len);

/* The same, from a list already found: list, then each older version of it. */
const struct wd_code *wd_codelist_lookup_any_version(const struct wd_codes *codes,
                                                     const struct wd_codelist *list,
                                                     const char *code, size_t len);

#endif
