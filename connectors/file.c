/*
 * file.c - the file connector: a local file, plain or gzip, as a byte stream.
 *
 * zlib's gz* functions read gzip and plain files alike (plain ones "transparently"), so one
 * path serves both. A gzip stream that ends early or fails its check is an error with the
 * file's name, never a silently shorter file.
 */
#include <stdlib.h>

#include "connector.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../etl/mem.h"

struct file_stream {
    struct wd_stream base;
    gzFile gz;
    char *path;
};

static ssize_t file_read(struct wd_stream *s, void *buf, size_t n, struct wd_error *err)
{
    struct file_stream *f = (struct file_stream *)s;
    if (n > (1u << 30))
        n = 1u << 30;
    int got = gzread(f->gz, buf, (unsigned)n);
    int zerr = Z_OK;
    const char *zmsg = gzerror(f->gz, &zerr);
    if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
        wd_error_file(err, f->path);
        if (zerr == Z_ERRNO)
            return wd_error_set(err, WD_EIO, "could not read file: %s", strerror(errno));
        wd_error_set(err, WD_EFORMAT, "could not decompress gzip data: %s", zmsg);
        wd_error_detail(err, "The compressed file is truncated or damaged.");
        wd_error_hint(err, "Send the file again; check that the upload finished.");
        return WD_EFORMAT;
    }
    return got;
}

static void file_close(struct wd_stream *s)
{
    struct file_stream *f = (struct file_stream *)s;
    gzclose_r(f->gz);
    free(f->path);
    free(f);
}

int wd_file_stream_open(const char *path, struct wd_stream **out, struct wd_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        wd_error_file(err, path);
        return wd_error_set(err, errno == ENOENT ? WD_ENOTFOUND : WD_EIO,
                            "could not open file: %s", strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        wd_error_file(err, path);
        return wd_error_set(err, WD_EIO, "is a directory, not a data file");
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        wd_error_file(err, path);
        return wd_error_set(err, WD_EIO, "could not open file for reading");
    }
    gzbuffer(gz, 256 * 1024);
    struct file_stream *f = wd_calloc(1, sizeof(*f));
    f->gz = gz;
    f->path = wd_strdup(path);
    f->base.name = f->path;
    f->base.read = file_read;
    f->base.close = file_close;
    *out = &f->base;
    return 0;
}
