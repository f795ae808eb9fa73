/*
 * pseudonym.h - pseudonymizing personal identifiers (NIK) before they reach the warehouse.
 *
 * A value becomes the hex of HMAC-SHA256(key, value): the same NIK always gives the same
 * pseudonym under the same key, so rows can still be linked and counted, but the NIK cannot
 * be read back without the key (UU 27/2022 on personal data). The key is read from the file
 * the configuration names (pseudonym_key_file) and is never logged.
 */
#ifndef WD_PSEUDONYM_H
#define WD_PSEUDONYM_H

#include <stddef.h>

#include "error.h"

#define WD_PSEUDONYM_LEN 64 /* hex characters */
#define WD_PSEUDONYM_KEY_MIN 16

struct wd_pseudonym;

/* Reads the key file (trailing newlines are not part of the key; at least
 * WD_PSEUDONYM_KEY_MIN bytes). */
int wd_pseudonym_open(const char *key_file, struct wd_pseudonym **out, struct wd_error *err);
void wd_pseudonym_free(struct wd_pseudonym *p);

/* Writes the pseudonym of the len bytes at v as 64 hex characters and a NUL into out. */
void wd_pseudonym(struct wd_pseudonym *p, const char *v, size_t len, char out[WD_PSEUDONYM_LEN + 1]);

#endif
