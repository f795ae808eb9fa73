/*
 * strmap.c - open-addressing string map.
 */
#include <stdlib.h>

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

void wd_strmap_init(struct wd_strmap *m)
{
    m->cap = 16;
    m->count = 0;
    m->slots = wd_calloc(m->cap, sizeof(*m->slots));
}

void wd_strmap_free(struct wd_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static uint64_t prefix_of(const char *key, size_t len)
{
    uint64_t p = 0;
    memcpy(&p, key, len < 8 ? len : 8);
    return p;
}

static struct wd_strmap_slot *probe(const struct wd_strmap *m, const char *key, size_t len,
                                    uint64_t h, uint64_t prefix)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct wd_strmap_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && s->prefix == prefix &&
            (len <= 8 || memcmp(s->key + 8, key + 8, len - 8) == 0))
            return s;
    }
}

static void grow(struct wd_strmap *m)
{
    struct wd_strmap old = *m;
    m->cap *= 2;
    m->slots = wd_calloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *probe(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash,
                   old.slots[i].prefix) = old.slots[i];
    free(old.slots);
}

bool wd_strmap_put(struct wd_strmap *m, const char *key, size_t len, size_t value)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    if (len > UINT32_MAX || value > UINT32_MAX)
        abort(); /* a code list is never that large */
    uint64_t h = wd_hash64(key, len, 0), prefix = prefix_of(key, len);
    struct wd_strmap_slot *s = probe(m, key, len, h, prefix);
    if (s->key)
        return false;
    s->key = key;
    s->len = (uint32_t)len;
    s->hash = h;
    s->prefix = prefix;
    s->value = (uint32_t)value;
    m->count++;
    return true;
}

bool wd_strmap_get(const struct wd_strmap *m, const char *key, size_t len, size_t *value)
{
    if (!m->slots || len > UINT32_MAX)
        return false;
    struct wd_strmap_slot *s = probe(m, key, len, wd_hash64(key, len, 0), prefix_of(key, len));
    if (!s->key)
        return false;
    *value = s->value;
    return true;
}
