/*
 * strmap.h - a hash table from byte strings to indexes, for O(1) lookups of reference
 * codes, column names and code-list names.
 *
 * Open addressing with linear probing, kept at most half full. Keys are borrowed: they
 * must outlive the map (code lists keep them in their own arena). Keys are shorter than
 * 4 GiB and values below 2^32 (indexes into a code list).
 */
#ifndef WD_STRMAP_H
#define WD_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_strmap_slot {
    uint64_t hash;
    uint64_t prefix; /* the key's first 8 bytes, zero-padded: short keys (codes) compare
                        without reading the key itself */
    const char *key; /* NULL when empty */
    uint32_t len;
    uint32_t value;
};

struct wd_strmap {
    struct wd_strmap_slot *slots;
    size_t cap; /* a power of two */
    size_t count;
};

/* A 64-bit hash of len bytes: eight bytes at a time through splitmix64's finaliser. */
uint64_t wd_hash64(const void *data, size_t len, uint64_t seed);

void wd_strmap_init(struct wd_strmap *m);
void wd_strmap_free(struct wd_strmap *m);
/* Adds key -> value; returns false, changing nothing, when the key is already there. */
bool wd_strmap_put(struct wd_strmap *m, const char *key, size_t len, size_t value);
/* Finds key; returns true and sets *value when present. */
bool wd_strmap_get(const struct wd_strmap *m, const char *key, size_t len, size_t *value);

#endif
