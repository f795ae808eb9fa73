/*
 * pseudonym.h - pseudonymizing personal identifiers (NIK) before they reach the warehouse.
 *
 * A value becomes HMAC-SHA256(key, value), stored as its 32 bytes (bytea; tables made before
 * 0.3.0 keep its 64 hex characters in text): the same NIK always gives the same
 * pseudonym under the same key, so rows can still be linked and counted, but the NIK cannot
 * be read back without the key (UU 27/2022 on personal data). The key is read from the file
 * the configuration names (pseudonym_key_file) and is never logged.
 */
#ifndef WD_PSEUDONYM_H
#define WD_PSEUDONYM_H

#include <stddef.h>

#include "error.h"

#define WD_PSEUDONYM_BYTES 32
#define WD_PSEUDONYM_LEN 64 /* hex characters */
#define WD_PSEUDONYM_KEY_MIN 16

struct wd_pseudonym;

/* Reads the key file (trailing newlines are not part of the key; at least
 * WD_PSEUDONYM_KEY_MIN bytes). */
int wd_pseudonym_open(const char *key_file, struct wd_pseudonym **out, struct wd_error *err);
void wd_pseudonym_free(struct wd_pseudonym *p);

/* Writes the pseudonym of the len bytes at v as 64 hex characters and a NUL into out.
 * Safe to call from several threads at once on the same key. */
void wd_pseudonym(struct wd_pseudonym *p, const char *v, size_t len, char out[WD_PSEUDONYM_LEN + 1]);

/* A pseudonymizer is one thread's own working copy of the keyed HMAC: a run that
 * pseudonymizes a million NIKs takes one, and each value then costs two SHA-256 compressions
 * from the key's saved states (about 0.1 s a million, against 0.43 s for a copy of OpenSSL's
 * keyed context per value). It gives the same
 * pseudonyms as wd_pseudonym and must not be shared between threads. */
struct wd_pseudonymizer;

struct wd_pseudonymizer *wd_pseudonymizer_new(const struct wd_pseudonym *p);
void wd_pseudonymizer_free(struct wd_pseudonymizer *z);
void wd_pseudonymize(struct wd_pseudonymizer *z, const char *v, size_t len,
                     char out[WD_PSEUDONYM_LEN + 1]);
/* The same pseudonym as its 32 bytes. */
void wd_pseudonymize_bytes(struct wd_pseudonymizer *z, const char *v, size_t len,
                           unsigned char out[WD_PSEUDONYM_BYTES]);

#endif
