/*
 * keyset.h - a set of 64-bit key fingerprints, for primary-key uniqueness within a file.
 *
 * Each key is kept as its 64-bit hash in an open-addressing table at most 3/4 full, so the
 * set costs 8 to 16 bytes a row and never holds the keys themselves (memory stays flat in
 * the width of the key). Two different keys share a fingerprint with a probability of
 * about n^2 / 2^65: about 1 in 1.5 million for a 5-million-row file.
 */
#ifndef WD_KEYSET_H
#define WD_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_keyset {
    uint64_t *slots; /* 0 means empty; a real fingerprint of 0 is stored as 1 */
    size_t cap;
    size_t count;
};

void wd_keyset_init(struct wd_keyset *s);
void wd_keyset_free(struct wd_keyset *s);
/* Adds the fingerprint; returns false when it was already in the set. */
bool wd_keyset_add(struct wd_keyset *s, uint64_t fingerprint);
/* Starts loading the slot of a fingerprint into the cache, so that an add a little later
 * does not wait for memory. */
void wd_keyset_prefetch(const struct wd_keyset *s, uint64_t fingerprint);

/* Bytes the set holds now. */
size_t wd_keyset_bytes(const struct wd_keyset *s);

#endif
