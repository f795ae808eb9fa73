/*
 * keyset.c - open-addressing set of 64-bit fingerprints.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keyset.h"

#include "mem.h"

/* The size of a transparent huge page on x86-64 and arm64 with 4 KiB pages. */
#define HUGE_PAGE ((size_t)2 << 20)

/*
 * Zeroed slots, written rather than calloc'ed: calloc's fresh pages are the shared zero
 * page until written, and the first insert's read-then-write makes every one of them a
 * copy-on-write fault that flushes the other thread's TLB (3 % of a validation).
 *
 * A table of 2 MiB or more (a file of 100 000 keys and up) is laid on huge pages where the
 * kernel gives them on request (transparent_hugepage "madvise", Debian's default): a
 * million keys' 16 MiB are then 8 page faults instead of 4 096 (10 800 -> 3 100 for a
 * validation), and the random probes of the table stop missing the TLB.
 */
static uint64_t *new_slots(size_t cap)
{
    size_t bytes = cap * sizeof(uint64_t);
    uint64_t *slots;
    if (bytes >= HUGE_PAGE && bytes % HUGE_PAGE == 0) {
        slots = aligned_alloc(HUGE_PAGE, bytes);
        if (!slots)
            slots = wd_malloc(bytes);
        else
            (void)madvise(slots, bytes, MADV_HUGEPAGE); /* a hint: 4 KiB pages work too */
    } else {
        slots = wd_malloc(bytes);
    }
    memset(slots, 0, bytes);
    return slots;
}

void wd_keyset_init(struct wd_keyset *s)
{
    s->cap = 1024;
    s->count = 0;
    s->slots = new_slots(s->cap);
}

void wd_keyset_free(struct wd_keyset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}

static bool insert(uint64_t *slots, size_t cap, uint64_t fp)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)fp & mask;; i = (i + 1) & mask) {
        if (slots[i] == fp)
            return false;
        if (slots[i] == 0) {
            slots[i] = fp;
            return true;
        }
    }
}

bool wd_keyset_add(struct wd_keyset *s, uint64_t fp)
{
    if (fp == 0)
        fp = 1;
    if ((s->count + 1) * 4 > s->cap * 3) {
        size_t cap = s->cap * 2;
        uint64_t *slots = new_slots(cap);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                insert(slots, cap, s->slots[i]);
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    if (!insert(s->slots, s->cap, fp))
        return false;
    s->count++;
    return true;
}

void wd_keyset_prefetch(const struct wd_keyset *s, uint64_t fp)
{
    __builtin_prefetch(&s->slots[(size_t)(fp ? fp : 1) & (s->cap - 1)], 1);
}

size_t wd_keyset_bytes(const struct wd_keyset *s)
{
    return s->cap * sizeof(*s->slots);
}
