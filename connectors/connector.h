/*
 * connector.h - sources of data behind one small interface.
 *
 * A connector turns a source item (a dropped file, later a query result) into a byte
 * stream for the core reader. This issue has one: a local file, plain or gzip-compressed.
 * The daemon's drop folders and the PostgreSQL source come with later work and join the
 * same table of operations.
 */
#ifndef WD_CONNECTOR_H
#define WD_CONNECTOR_H

#include "../etl/error.h"
#include "../etl/stream.h"

/*
 * Opens the file at path as a stream of its bytes, decompressed when it is gzip (told by
 * its magic bytes, not its name). A truncated or corrupt gzip is reported by the stream's
 * read as WD_EFORMAT. On success *out is a new stream; close it with wd_stream_close().
 */
int wd_file_stream_open(const char *path, struct wd_stream **out, struct wd_error *err);

#endif
