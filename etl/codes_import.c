/*
 * codes_import.c - copying code lists and crosswalks into ref.*, once per version.
 */
#include "codes_import.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "hexdigest.h"

/* SHA-256 of a list's codes, labels and parents, as hex (65 bytes). */
static void content_hash(const struct wd_codelist *l, char hex[65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < l->ncodes; i++) {
        const struct wd_code *c = &l->codes[i];
        EVP_DigestUpdate(ctx, c->code, strlen(c->code) + 1);
        EVP_DigestUpdate(ctx, c->label, strlen(c->label) + 1);
        EVP_DigestUpdate(ctx, c->parent ? c->parent : "", (c->parent ? strlen(c->parent) : 0) + 1);
    }
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    EVP_MD_CTX_free(ctx);
    wd_digest_hex(md, hex);
}

static int import_list(struct wd_db *db, const struct wd_codelist *l, FILE *log, int *imported,
                       struct wd_error *err)
{
    char hex[65], count[24];
    content_hash(l, hex);
    snprintf(count, sizeof(count), "%zu", l->ncodes);
    const char *p[8] = {l->name, l->version, l->title, l->authority, l->reference, l->valid_from,
                        count, hex};
    PGresult *res = wd_db_query(db,
                                "SELECT encode(content_sha256, 'hex') FROM ref.codelist "
                                "WHERE name = $1 AND version = $2",
                                2, p, err);
    if (!res)
        return WD_EDB;
    int rc = 0;
    if (PQntuples(res) == 1) {
        if (strcmp(PQgetvalue(res, 0, 0), hex) != 0) {
            wd_error_set(err, WD_ECODES, "code list %s version %s is already in the warehouse "
                         "with other codes", l->name, l->version);
            wd_error_hint(err, "A changed list needs a new version: give it a new \"version\" "
                               "and \"valid_from\" in codelists.json, keeping the old one.");
            rc = WD_ECODES;
        }
        PQclear(res);
        return rc;
    }
    PQclear(res);
    rc = wd_db_command(db,
                       "INSERT INTO ref.codelist (name, version, title, authority, reference, "
                       "valid_from, codes, content_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                       "decode($8, 'hex'))",
                       8, p, err);
    struct wd_copy c;
    if (rc == 0)
        rc = wd_copy_begin(&c, db, "COPY ref.code (name, version, code, label, parent) FROM STDIN",
                           err);
    for (size_t i = 0; rc == 0 && i < l->ncodes; i++) {
        const struct wd_code *code = &l->codes[i];
        wd_copy_value(&c, l->name, strlen(l->name));
        wd_copy_value(&c, l->version, strlen(l->version));
        wd_copy_value(&c, code->code, strlen(code->code));
        wd_copy_value(&c, code->label, strlen(code->label));
        wd_copy_value(&c, code->parent, code->parent ? code->parent_len : 0);
        if ((rc = wd_copy_end_row(&c, err)) < 0)
            wd_copy_abort(&c, "failed");
    }
    if (rc == 0)
        rc = wd_copy_finish(&c, err);
    if (rc == 0) {
        (*imported)++;
        if (log)
            fprintf(log, "imported %s %s (%zu codes, %s)\n", l->name, l->version, l->ncodes,
                    l->authority);
    }
    return rc;
}

static int import_crosswalk(struct wd_db *db, const struct wd_crosswalk *x, FILE *log,
                            int *imported, struct wd_error *err)
{
    const char *p[1] = {x->name};
    PGresult *res = wd_db_query(db, "SELECT count(*) FROM ref.crosswalk WHERE name = $1", 1, p,
                                err);
    if (!res)
        return WD_EDB;
    long have = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (have > 0) {
        if ((size_t)have == x->npairs)
            return 0;
        wd_error_set(err, WD_ECODES, "crosswalk %s is already in the warehouse with %ld pairs, "
                     "not %zu", x->name, have, x->npairs);
        wd_error_hint(err, "A changed crosswalk needs a new name.");
        return WD_ECODES;
    }
    struct wd_copy c;
    int rc = wd_copy_begin(&c, db,
                           "COPY ref.crosswalk (name, authority, from_list, from_version, "
                           "to_list, to_version, from_code, to_code) FROM STDIN",
                           err);
    for (size_t i = 0; rc == 0 && i < x->npairs; i++) {
        const char *v[8] = {x->name,          x->authority,      x->from->name, x->from->version,
                            x->to->name,      x->to->version,    x->pairs[i].from, x->pairs[i].to};
        for (int k = 0; k < 8; k++)
            wd_copy_value(&c, v[k], strlen(v[k]));
        if ((rc = wd_copy_end_row(&c, err)) < 0)
            wd_copy_abort(&c, "failed");
    }
    if (rc == 0)
        rc = wd_copy_finish(&c, err);
    if (rc == 0) {
        (*imported)++;
        if (log)
            fprintf(log, "imported crosswalk %s (%zu pairs, %s to %s)\n", x->name, x->npairs,
                    x->from_ref, x->to_ref);
    }
    return rc;
}

int wd_codes_import(struct wd_db *db, const struct wd_codes *codes, FILE *log, int *imported,
                    struct wd_error *err)
{
    *imported = 0;
    int rc = wd_db_exec(db, "BEGIN; LOCK TABLE ref.codelist IN SHARE ROW EXCLUSIVE MODE", err);
    for (size_t i = 0; rc == 0 && i < codes->nlists; i++)
        rc = import_list(db, &codes->lists[i], log, imported, err);
    for (size_t i = 0; rc == 0 && i < codes->ncrosswalks; i++)
        rc = import_crosswalk(db, &codes->crosswalks[i], log, imported, err);
    if (rc == 0)
        rc = wd_db_exec(db, "COMMIT", err);
    else
        wd_db_exec(db, "ROLLBACK", NULL);
    return rc;
}
