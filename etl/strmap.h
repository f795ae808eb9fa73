/*
 * strmap.h - a hash table from byte strings to indexes, for O(1) lookups of reference
 * codes, column names and code-list names.
 *
 * Open addressing with linear probing, kept at most half full. Keys are borrowed: they
 * must outlive the map (code lists keep them in their own arena). Values are size_t.
 */
#ifndef WD_STRMAP_H
#define WD_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_strmap_slot {
    const char *key; /* NULL when empty */
    size_t len;
    uint64_t hash;
    size_t value;
};

struct wd_strmap {
    struct wd_strmap_slot *slots;
    size_t cap; /* a power of two */
    size_t count;
};

/* A 64-bit hash of len bytes (FNV-1a, then a final mix so that low bits spread). */
uint64_t wd_hash64(const void *data, size_t len, uint64_t seed);

void wd_strmap_init(struct wd_strmap *m);
void wd_strmap_free(struct wd_strmap *m);
/* Adds key -> value; returns false, changing nothing, when the key is already there. */
bool wd_strmap_put(struct wd_strmap *m, const char *key, size_t len, size_t value);
/* Finds key; returns true and sets *value when present. */
bool wd_strmap_get(const struct wd_strmap *m, const char *key, size_t len, size_t *value);

#endif
