/*
 * strmap.h - a hash table from byte strings to indexes, for O(1) lookups of reference
 * codes, column names and code-list names.
 *
 * Open addressing with linear probing, kept at most half full. A slot is 16 bytes: the
 * key's bytes packed into one word (all of a key of up to 8 bytes, as codes are), its
 * length and its value, so a code is found in one cache line without reading the key.
 * Keys are borrowed: they must outlive the map (code lists keep them in their own arena).
 * Keys are shorter than 4 GiB and values below 2^32 - 1 (indexes into a code list).
 */
#ifndef WD_STRMAP_H
#define WD_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_strmap_slot {
    uint64_t word;  /* the key packed (up to 8 bytes), else its first 8 bytes */
    uint32_t len;
    uint32_t value; /* the value + 1; 0 marks an empty slot */
};

struct wd_strmap {
    struct wd_strmap_slot *slots;
    const char **keys; /* beside the slots: read only for keys longer than 8 bytes */
    size_t cap;        /* a power of two */
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
