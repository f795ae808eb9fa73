/*
 * strmap.c - open-addressing string map.
 */
#include <stdlib.h>

#include "strmap.h"

#include <string.h>

#include "mem.h"

uint64_t wd_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    /* splitmix64's finaliser */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
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

static struct wd_strmap_slot *probe(const struct wd_strmap *m, const char *key, size_t len,
                                    uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct wd_strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
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
            *probe(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
    free(old.slots);
}

bool wd_strmap_put(struct wd_strmap *m, const char *key, size_t len, size_t value)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    uint64_t h = wd_hash64(key, len, 0);
    struct wd_strmap_slot *s = probe(m, key, len, h);
    if (s->key)
        return false;
    s->key = key;
    s->len = len;
    s->hash = h;
    s->value = value;
    m->count++;
    return true;
}

bool wd_strmap_get(const struct wd_strmap *m, const char *key, size_t len, size_t *value)
{
    if (!m->slots)
        return false;
    struct wd_strmap_slot *s = probe(m, key, len, wd_hash64(key, len, 0));
    if (!s->key)
        return false;
    *value = s->value;
    return true;
}
