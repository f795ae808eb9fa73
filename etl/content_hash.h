/*
 * content_hash.h - the SHA-256 of a source's content: a file's computed on a thread of its
 * own, a stream's as it passes.
 *
 * A run needs the hash to tell whether the content was published before, but hashing a
 * million-row file first (75 ms for 116 MB here) leaves the server idle that long. The
 * load starts streaming at once and asks for the hash when it is ready (load.c).
 */
#ifndef WD_CONTENT_HASH_H
#define WD_CONTENT_HASH_H

#include <stdbool.h>

#include "error.h"
#include "stream.h"

struct wd_content_hash;

/* Starts hashing the content of path (decompressed when gzip). Fails at once, naming the
 * file, when it cannot be opened; *size is then its size on disk, as text. */
int wd_content_hash_start(const char *path, char size[24], struct wd_content_hash **out,
                          struct wd_error *err);

/* Whether the hash is known, without waiting. */
bool wd_content_hash_ready(const struct wd_content_hash *h);

/* Waits for the hash, writes it as 64 hex characters and a NUL, and frees h. Returns 0 or
 * the read error (the file changed or vanished midway). */
int wd_content_hash_finish(struct wd_content_hash *h, char hex[65], struct wd_error *err);

/* Stops hashing (the run ended without needing it) and frees h; NULL is allowed. */
void wd_content_hash_cancel(struct wd_content_hash *h);

/* A stream that hashes what it passes on from inner (which it does not close): the
 * SHA-256 of a query result, which cannot be read twice. */
struct wd_stream *wd_hashing_stream_open(struct wd_stream *inner);
/* The hash and byte count of what passed so far, as hex and as text. */
void wd_hashing_stream_result(struct wd_stream *s, char hex[65], char size[24]);

#endif
