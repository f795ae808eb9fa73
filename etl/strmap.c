/*
 * strmap.c - open-addressing string map.
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

static inline uint64_t mix(uint64_t x)
{
    /* a 64-bit finaliser (Stafford's variant 13, as in splitmix64) */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

uint64_t wd_hash64(const void *data, size_t len, uint64_t seed)
{
    /* eight bytes at a time: codes and keys are short, so this is a few multiplies */
    const unsigned char *p = data;
    uint64_t h = mix(seed ^ (len * 0x9e3779b97f4a7c15ull));
    uint64_t w;
    while (len >= 8) {
        memcpy(&w, p, 8);
        h = mix(h ^ w);
        p += 8;
        len -= 8;
    }
    if (len) {
        w = 0;
        memcpy(&w, p, len);
        h = mix(h ^ w ^ 0xff51afd7ed558ccdull);
    }
    return h;
}

/*
 * The key's bytes in one word, with fixed-size loads only (a memcpy of a variable length
 * is a library call). Up to 8 bytes the packing loses nothing: for 4 to 8 bytes the first
 * four and the last four (overlapping) hold every byte, for 1 to 3 the first, middle and
 * last do; with the length, equal words mean equal keys. A longer key packs its first 8.
 */
static inline uint64_t pack(const char *key, size_t len)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t w;
    if (len >= 8) {
        memcpy(&w, p, 8);
        return w;
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        return a | (uint64_t)b << 32;
    }
    if (len == 0)
        return 0;
    return p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
}

static inline uint64_t hash_of(const char *key, size_t len, uint64_t word)
{
    return len <= 8 ? mix(word ^ (len * 0x9e3779b97f4a7c15ull)) : wd_hash64(key, len, 0);
}

void wd_strmap_init(struct wd_strmap *m)
{
    m->cap = 16;
    m->count = 0;
    m->slots = wd_calloc(m->cap, sizeof(*m->slots));
    m->keys = wd_calloc(m->cap, sizeof(*m->keys));
}

void wd_strmap_free(struct wd_strmap *m)
{
    free(m->slots);
    free(m->keys);
    m->slots = NULL;
    m->keys = NULL;
    m->cap = m->count = 0;
}

/* The slot of key, or the empty slot where it would go. */
static size_t find(const struct wd_strmap *m, const char *key, size_t len, uint64_t word)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash_of(key, len, word) & mask;; i = (i + 1) & mask) {
        const struct wd_strmap_slot *s = &m->slots[i];
        if (!s->value)
            return i;
        if (s->word == word && s->len == len &&
            (len <= 8 || memcmp(m->keys[i] + 8, key + 8, len - 8) == 0))
            return i;
    }
}

static void grow(struct wd_strmap *m)
{
    struct wd_strmap old = *m;
    m->cap *= 2;
    m->slots = wd_calloc(m->cap, sizeof(*m->slots));
    m->keys = wd_calloc(m->cap, sizeof(*m->keys));
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].value)
            continue;
        size_t k = find(m, old.keys[i], old.slots[i].len, old.slots[i].word);
        m->slots[k] = old.slots[i];
        m->keys[k] = old.keys[i];
    }
    free(old.slots);
    free(old.keys);
}

bool wd_strmap_put(struct wd_strmap *m, const char *key, size_t len, size_t value)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    if (len > UINT32_MAX || value >= UINT32_MAX)
        abort(); /* a code list is never that large */
    uint64_t word = pack(key, len);
    size_t i = find(m, key, len, word);
    if (m->slots[i].value)
        return false;
    m->slots[i] = (struct wd_strmap_slot){word, (uint32_t)len, (uint32_t)value + 1};
    m->keys[i] = key;
    m->count++;
    return true;
}

bool wd_strmap_get(const struct wd_strmap *m, const char *key, size_t len, size_t *value)
{
    if (!m->slots || len > UINT32_MAX)
        return false;
    const struct wd_strmap_slot *s = &m->slots[find(m, key, len, pack(key, len))];
    if (!s->value)
        return false;
    *value = s->value - 1;
    return true;
}
