/*
 * pseudonym.c - keyed HMAC-SHA256 with OpenSSL.
 *
 * The key is set once. wd_pseudonym takes a copy of the keyed context per value, so that
 * threads can share the key; a pseudonymizer keeps one copy and re-initialises it per value
 * (EVP_MAC_init with no key restarts HMAC from the key's saved inner and outer states).
 */
#include "pseudonym.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigest.h"
#include "mem.h"

struct wd_pseudonym {
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed; /* initialised with the key; copied for every value */
};

int wd_pseudonym_open(const char *key_file, struct wd_pseudonym **out, struct wd_error *err)
{
    *out = NULL;
    FILE *f = fopen(key_file, "rb");
    if (!f) {
        wd_error_set(err, WD_ECONFIG, "could not open the pseudonym key file %s: %s", key_file,
                     strerror(errno));
        if (err)
            snprintf(err->field, sizeof(err->field), "pseudonym_key_file");
        return WD_ECONFIG;
    }
    unsigned char key[4096];
    size_t n = fread(key, 1, sizeof(key), f);
    fclose(f);
    while (n && (key[n - 1] == '\n' || key[n - 1] == '\r'))
        n--;
    if (n < WD_PSEUDONYM_KEY_MIN) {
        wd_error_set(err, WD_ECONFIG, "the pseudonym key in %s is %zu bytes; at least %d are "
                     "needed", key_file, n, WD_PSEUDONYM_KEY_MIN);
        wd_error_hint(err, "Make one with: head -c 32 /dev/urandom | base64 > %s", key_file);
        if (err)
            snprintf(err->field, sizeof(err->field), "pseudonym_key_file");
        return WD_ECONFIG;
    }
    struct wd_pseudonym *p = wd_calloc(1, sizeof(*p));
    p->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    p->keyed = p->mac ? EVP_MAC_CTX_new(p->mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (!p->keyed || !EVP_MAC_init(p->keyed, key, n, params)) {
        memset(key, 0, sizeof(key));
        wd_pseudonym_free(p);
        return wd_error_set(err, WD_ECONFIG, "could not set up HMAC-SHA256");
    }
    memset(key, 0, sizeof(key));
    *out = p;
    return 0;
}

void wd_pseudonym_free(struct wd_pseudonym *p)
{
    if (!p)
        return;
    EVP_MAC_CTX_free(p->keyed);
    EVP_MAC_free(p->mac);
    free(p);
}

void wd_pseudonym(struct wd_pseudonym *p, const char *v, size_t len,
                  char out[WD_PSEUDONYM_LEN + 1])
{
    unsigned char md[32];
    size_t n = 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(p->keyed);
    if (!ctx || !EVP_MAC_update(ctx, (const unsigned char *)v, len) ||
        !EVP_MAC_final(ctx, md, &n, sizeof(md)))
        abort(); /* only out of memory */
    EVP_MAC_CTX_free(ctx);
    wd_digest_hex(md, out);
}

struct wd_pseudonymizer {
    EVP_MAC_CTX *ctx; /* this thread's copy of the keyed context */
};

struct wd_pseudonymizer *wd_pseudonymizer_new(const struct wd_pseudonym *p)
{
    struct wd_pseudonymizer *z = wd_calloc(1, sizeof(*z));
    z->ctx = EVP_MAC_CTX_dup(p->keyed);
    if (!z->ctx)
        abort(); /* only out of memory */
    return z;
}

void wd_pseudonymizer_free(struct wd_pseudonymizer *z)
{
    if (!z)
        return;
    EVP_MAC_CTX_free(z->ctx);
    free(z);
}

void wd_pseudonymize_bytes(struct wd_pseudonymizer *z, const char *v, size_t len,
                           unsigned char out[WD_PSEUDONYM_BYTES])
{
    size_t n = 0;
    if (!EVP_MAC_init(z->ctx, NULL, 0, NULL) ||
        !EVP_MAC_update(z->ctx, (const unsigned char *)v, len) ||
        !EVP_MAC_final(z->ctx, out, &n, WD_PSEUDONYM_BYTES))
        abort(); /* only out of memory */
}

void wd_pseudonymize(struct wd_pseudonymizer *z, const char *v, size_t len,
                     char out[WD_PSEUDONYM_LEN + 1])
{
    unsigned char md[WD_PSEUDONYM_BYTES];
    wd_pseudonymize_bytes(z, v, len, md);
    wd_digest_hex(md, out);
}
