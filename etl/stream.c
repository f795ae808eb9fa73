/*
 * stream.c - the memory stream and the generic close.
 */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct memory_stream {
    struct wd_stream base; /* first, so a struct wd_stream * is a struct memory_stream * */
    const unsigned char *data;
    size_t len;
    size_t pos;
    size_t piece; /* the most one read hands out, or 0 */
};

static ssize_t memory_read(struct wd_stream *s, void *buf, size_t n, struct wd_error *err)
{
    (void)err;
    struct memory_stream *m = (struct memory_stream *)s;
    size_t left = m->len - m->pos;
    if (m->piece && n > m->piece)
        n = m->piece;
    if (n > left)
        n = left;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static void memory_close(struct wd_stream *s)
{
    free(s);
}

struct wd_stream *wd_stream_memory(const char *name, const void *data, size_t len)
{
    return wd_stream_memory_pieces(name, data, len, 0);
}

struct wd_stream *wd_stream_memory_pieces(const char *name, const void *data, size_t len,
                                          size_t piece)
{
    struct memory_stream *m = wd_calloc(1, sizeof(*m));
    m->piece = piece;
    m->base.name = name;
    m->base.read = memory_read;
    m->base.close = memory_close;
    m->data = data;
    m->len = len;
    return &m->base;
}

void wd_stream_close(struct wd_stream *s)
{
    if (s)
        s->close(s);
}
