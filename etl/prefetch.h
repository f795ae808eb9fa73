/*
 * prefetch.h - reading ahead on a second thread: the reader parses the next records while
 * the caller checks the ones before, so a file is parsed and validated on two cores.
 *
 * The reading thread fills batches of records (copied, so they outlive the reader's own
 * buffers) into a ring of three; the caller takes them in order. Memory is bounded by
 * the ring: three batches of at most WD_PREFETCH_RECORDS records or WD_PREFETCH_BYTES
 * bytes (a single larger record makes its batch larger, once). Errors arrive in order,
 * after the records that preceded them. Only the reading thread touches the reader and its
 * stream until wd_prefetch_free returns.
 */
#ifndef WD_PREFETCH_H
#define WD_PREFETCH_H

#include "reader.h"

#define WD_PREFETCH_RECORDS 2048
#define WD_PREFETCH_BYTES ((size_t)1 << 20)

struct wd_prefetch;

/* Starts reading ahead from r (whose header, if any, was read already). */
struct wd_prefetch *wd_prefetch_start(struct wd_reader *r);

/* As wd_reader_next: 1 with *rec (valid until the next call), 0 at the end, or a WD_E*. */
int wd_prefetch_next(struct wd_prefetch *p, const struct wd_record **rec, struct wd_error *err);

/* Stops the reading thread (wherever it is) and frees the batches; the reader is the
 * caller's again. */
void wd_prefetch_free(struct wd_prefetch *p);

#endif
