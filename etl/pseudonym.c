/*
 * pseudonym.c - keyed HMAC-SHA256 with OpenSSL.
 *
 * The key is set once. wd_pseudonym takes a copy of OpenSSL's keyed HMAC context per value,
 * so that threads can share the key. A pseudonymizer, which a load uses for every NIK of a
 * file, computes HMAC from its definition instead (RFC 2104):
 *
 *     HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m))
 *
 * where the SHA-256 states after the one block K ^ ipad and the one block K ^ opad are
 * computed once, at open. A value then costs two SHA-256 compressions and two struct
 * copies. OpenSSL 3 marks its SHA256_CTX calls deprecated in favour of EVP, but an EVP
 * digest context can only be copied by its provider, with an allocation and a free: through
 * EVP_MAC, a million NIKs took 0.17-0.21 s; this way 0.10-0.11 s (same outputs; the tests
 * check both ways against RFC 4231 and each other).
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init, _Update, _Final: see above */

#include "pseudonym.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigest.h"
#include "mem.h"

/* SHA-256 having hashed the key's inner and outer blocks: secret, as the key is. */
struct hmac_states {
    SHA256_CTX inner, outer;
};

struct wd_pseudonym {
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed; /* initialised with the key; copied for every value */
    struct hmac_states states;
};

/* The key padded to one block (hashed first when longer), XORed with ipad and opad. */
static void hmac_states_init(struct hmac_states *s, const unsigned char *key, size_t n)
{
    unsigned char block[SHA256_CBLOCK] = {0};
    unsigned char pad[SHA256_CBLOCK];
    if (n > sizeof(block))
        SHA256(key, n, block);
    else
        memcpy(block, key, n);
    for (size_t i = 0; i < sizeof(pad); i++)
        pad[i] = block[i] ^ 0x36;
    SHA256_Init(&s->inner);
    SHA256_Update(&s->inner, pad, sizeof(pad));
    for (size_t i = 0; i < sizeof(pad); i++)
        pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&s->outer);
    SHA256_Update(&s->outer, pad, sizeof(pad));
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(pad, sizeof(pad));
}

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
        OPENSSL_cleanse(key, sizeof(key));
        wd_pseudonym_free(p);
        return wd_error_set(err, WD_ECONFIG, "could not set up HMAC-SHA256");
    }
    hmac_states_init(&p->states, key, n);
    OPENSSL_cleanse(key, sizeof(key));
    *out = p;
    return 0;
}

void wd_pseudonym_free(struct wd_pseudonym *p)
{
    if (!p)
        return;
    EVP_MAC_CTX_free(p->keyed);
    EVP_MAC_free(p->mac);
    OPENSSL_cleanse(&p->states, sizeof(p->states));
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
    struct hmac_states states; /* this thread's copy of the keyed states */
};

struct wd_pseudonymizer *wd_pseudonymizer_new(const struct wd_pseudonym *p)
{
    struct wd_pseudonymizer *z = wd_calloc(1, sizeof(*z));
    z->states = p->states;
    return z;
}

void wd_pseudonymizer_free(struct wd_pseudonymizer *z)
{
    if (!z)
        return;
    OPENSSL_cleanse(&z->states, sizeof(z->states));
    free(z);
}

void wd_pseudonymize_bytes(struct wd_pseudonymizer *z, const char *v, size_t len,
                           unsigned char out[WD_PSEUDONYM_BYTES])
{
    unsigned char inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX c = z->states.inner;
    SHA256_Update(&c, v, len);
    SHA256_Final(inner, &c);
    c = z->states.outer;
    SHA256_Update(&c, inner, sizeof(inner));
    SHA256_Final(out, &c);
}

void wd_pseudonymize(struct wd_pseudonymizer *z, const char *v, size_t len,
                     char out[WD_PSEUDONYM_LEN + 1])
{
    unsigned char md[WD_PSEUDONYM_BYTES];
    wd_pseudonymize_bytes(z, v, len, md);
    wd_digest_hex(md, out);
}
