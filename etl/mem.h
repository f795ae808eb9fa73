/*
 * mem.h - allocation that aborts on out-of-memory, and a bounded growable buffer.
 *
 * Out of memory is not an error walidata recovers from: it aborts, and systemd restarts
 * the daemon (as Redis's zmalloc and PostgreSQL's palloc do). Every growable buffer has a
 * maximum, so a hostile file cannot make one grow without end.
 */
#ifndef WD_MEM_H
#define WD_MEM_H

#include <stdbool.h>
#include <stddef.h>

void *wd_malloc(size_t n);
void *wd_calloc(size_t count, size_t size);
void *wd_realloc(void *p, size_t n);
/* Returns a new copy of s (NULL stays NULL); caller frees. */
char *wd_strdup(const char *s);
/* Returns a new NUL-terminated copy of the n bytes at s; caller frees. */
char *wd_strndup(const char *s, size_t n);

/* A growable byte buffer, always NUL-terminated after len bytes once anything is added. */
struct wd_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* the most it may hold; 0 means SIZE_MAX / 2 */
};

void wd_buf_init(struct wd_buf *b, size_t max);
/* Appends n bytes; returns false (and appends nothing) when that would pass the maximum. */
bool wd_buf_append(struct wd_buf *b, const void *p, size_t n);
/* Makes room for extra more bytes (and the NUL); false when that would pass the maximum. */
bool wd__buf_grow(struct wd_buf *b, size_t extra);
static inline bool wd_buf_reserve(struct wd_buf *b, size_t extra)
{
    /* the common case, room already there, costs a compare */
    if (extra < b->cap && b->len < b->cap - extra)
        return true;
    return wd__buf_grow(b, extra);
}
bool wd_buf_putc(struct wd_buf *b, char c);
bool wd_buf_printf(struct wd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wd_buf_reset(struct wd_buf *b);
void wd_buf_free(struct wd_buf *b);

#endif
