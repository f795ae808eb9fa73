/*
 * stream.h - a source of bytes for the reader.
 *
 * Connectors (a file, a gzip file, later a query result) hand the core a struct wd_stream;
 * the reader knows nothing of where the bytes come from. A memory stream is here too, for
 * tests and fuzzing.
 */
#ifndef WD_STREAM_H
#define WD_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct wd_stream {
    const char *name; /* shown in messages: the file's path as the user gave it */
    /* Reads up to n bytes into buf: returns the count, 0 at the end, or a negative WD_E*
     * with err filled. */
    ssize_t (*read)(struct wd_stream *s, void *buf, size_t n, struct wd_error *err);
    /* Releases the stream and everything it holds, s included. */
    void (*close)(struct wd_stream *s);
};

/*
 * Returns a new stream over the len bytes at data, which are borrowed and must outlive the
 * stream; name is borrowed too. Close it with wd_stream_close().
 */
struct wd_stream *wd_stream_memory(const char *name, const void *data, size_t len);

/* The same, handing out at most piece bytes a read, as a pipe or a socket may: how a reader
 * copes with a file that arrives in pieces (tests and the fuzzer use it). */
struct wd_stream *wd_stream_memory_pieces(const char *name, const void *data, size_t len,
                                          size_t piece);

/* Closes s (NULL is allowed). */
void wd_stream_close(struct wd_stream *s);

#endif
