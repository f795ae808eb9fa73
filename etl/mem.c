/*
 * mem.c - aborting allocators and the bounded buffer.
 */
#include "mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "walidata: out of memory allocating %zu bytes\n", n);
    abort();
}

void *wd_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *wd_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *wd_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *wd_strdup(const char *s)
{
    return s ? wd_strndup(s, strlen(s)) : NULL;
}

char *wd_strndup(const char *s, size_t n)
{
    char *p = wd_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void wd_buf_init(struct wd_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

bool wd__buf_grow(struct wd_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return false;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = wd_realloc(b->data, cap);
    b->cap = cap;
    return true;
}

bool wd_buf_append(struct wd_buf *b, const void *p, size_t n)
{
    if (!wd_buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool wd_buf_putc(struct wd_buf *b, char c)
{
    return wd_buf_append(b, &c, 1);
}

bool wd_buf_printf(struct wd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !wd_buf_reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

void wd_buf_reset(struct wd_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void wd_buf_free(struct wd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
