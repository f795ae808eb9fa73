/*
 * content_hash.c - the SHA-256 of a file's content on a thread of its own.
 */
#include "content_hash.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../connectors/connector.h"
#include "hexdigest.h"
#include "mem.h"

#define PIECE ((size_t)1 << 18)

struct wd_content_hash {
    pthread_t thread;
    struct wd_stream *in;
    atomic_bool done; /* the thread has finished: md and rc are set */
    atomic_bool stop; /* asked to give up */
    unsigned char md[32];
    int rc;
    struct wd_error err;
};

static void *hash_content(void *arg)
{
    struct wd_content_hash *h = arg;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char *buf = wd_malloc(PIECE);
    ssize_t n = 0;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        abort(); /* only out of memory */
    while (!atomic_load_explicit(&h->stop, memory_order_relaxed) &&
           (n = h->in->read(h->in, buf, PIECE, &h->err)) > 0)
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, h->md, &len);
    EVP_MD_CTX_free(ctx);
    free(buf);
    h->rc = n < 0 ? (int)n : 0;
    atomic_store_explicit(&h->done, true, memory_order_release);
    return NULL;
}

int wd_content_hash_start(const char *path, char size[24], struct wd_content_hash **out,
                          struct wd_error *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        wd_error_file(err, path);
        return wd_error_set(err, WD_ENOTFOUND, "could not open file: No such file or directory");
    }
    if (!S_ISREG(st.st_mode)) {
        /* a pipe would be shared between the hash and the rows, each getting part */
        wd_error_file(err, path);
        wd_error_set(err, WD_EIO, "not a regular file: a load reads its file twice, for the "
                     "content's hash and for the rows");
        wd_error_hint(err, "Save the data to a file first, then load that file.");
        return WD_EIO;
    }
    snprintf(size, 24, "%lld", (long long)st.st_size);
    struct wd_content_hash *h = wd_calloc(1, sizeof(*h));
    int rc = wd_file_stream_open(path, &h->in, err);
    if (rc < 0) {
        free(h);
        return rc;
    }
    atomic_init(&h->done, false);
    atomic_init(&h->stop, false);
    wd_error_clear(&h->err);
    if (pthread_create(&h->thread, NULL, hash_content, h) != 0)
        abort(); /* no thread: nothing can run */
    *out = h;
    return 0;
}

bool wd_content_hash_ready(const struct wd_content_hash *h)
{
    return atomic_load_explicit(&h->done, memory_order_acquire);
}

/* Once the thread has ended. */
static void release(struct wd_content_hash *h)
{
    wd_stream_close(h->in);
    free(h);
}

int wd_content_hash_finish(struct wd_content_hash *h, char hex[65], struct wd_error *err)
{
    pthread_join(h->thread, NULL);
    int rc = h->rc;
    if (rc < 0)
        *err = h->err;
    wd_digest_hex(h->md, hex);
    release(h);
    return rc;
}

void wd_content_hash_cancel(struct wd_content_hash *h)
{
    if (!h)
        return;
    atomic_store_explicit(&h->stop, true, memory_order_relaxed);
    pthread_join(h->thread, NULL);
    release(h);
}

struct hashing_stream {
    struct wd_stream base;
    struct wd_stream *inner;
    EVP_MD_CTX *ctx;
    uint64_t bytes;
};

static ssize_t hashing_read(struct wd_stream *s, void *buf, size_t n, struct wd_error *err)
{
    struct hashing_stream *h = (struct hashing_stream *)s;
    ssize_t got = h->inner->read(h->inner, buf, n, err);
    if (got > 0) {
        EVP_DigestUpdate(h->ctx, buf, (size_t)got);
        h->bytes += (uint64_t)got;
    }
    return got;
}

static void hashing_close(struct wd_stream *s)
{
    struct hashing_stream *h = (struct hashing_stream *)s;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

struct wd_stream *wd_hashing_stream_open(struct wd_stream *inner)
{
    struct hashing_stream *h = wd_calloc(1, sizeof(*h));
    h->base.name = inner->name;
    h->base.read = hashing_read;
    h->base.close = hashing_close;
    h->inner = inner;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
        abort(); /* only out of memory */
    return &h->base;
}

void wd_hashing_stream_result(struct wd_stream *s, char hex[65], char size[24])
{
    struct hashing_stream *h = (struct hashing_stream *)s;
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->ctx, md, &n);
    wd_digest_hex(md, hex);
    snprintf(size, 24, "%llu", (unsigned long long)h->bytes);
}
