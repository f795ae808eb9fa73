/*
 * prefetch.c - a reading thread and a ring of record batches.
 */
#include "prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define RING 3

struct batch {
    struct wd_buf bytes;     /* every field's bytes, NUL-terminated */
    struct wd_field *fields; /* value points into bytes once the batch is sealed */
    size_t nfields, cap_fields;
    struct wd_record recs[WD_PREFETCH_RECORDS];
    size_t nrecs;
    int end; /* 0: more follow; 1: the end of the data; < 0: an error (err) */
    struct wd_error err;
};

struct wd_prefetch {
    struct wd_reader *r;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch ring[RING];
    bool full[RING];
    size_t fill, take; /* the producer's and the consumer's next slot */
    bool stop;
    struct batch *cur; /* the batch the caller reads */
    size_t pos;
};

/*
 * Copies a record into the batch; fields keep offsets until the batch is sealed. The
 * reader lays a record's fields end to end, each with its NUL, unless one was transcoded:
 * such a record is copied with one memcpy (a copy a field was 8 % of the reading thread's
 * instructions).
 */
static void add(struct batch *b, const struct wd_record *rec)
{
    if (b->nfields + rec->nfields > b->cap_fields) {
        b->cap_fields = (b->nfields + rec->nfields) * 2;
        b->fields = wd_realloc(b->fields, b->cap_fields * sizeof(*b->fields));
    }
    struct wd_record *out = &b->recs[b->nrecs++];
    *out = *rec;
    out->fields = (const struct wd_field *)(uintptr_t)b->nfields; /* an index until sealed */
    /* end to end: each field starts right after the previous one's NUL */
    bool whole = rec->nfields > 0;
    size_t span = 0;
    for (size_t i = 0; i < rec->nfields && whole; i++) {
        whole = rec->fields[i].value == rec->fields[0].value + span;
        span += rec->fields[i].len + 1;
    }
    size_t base = b->bytes.len;
    for (size_t i = 0, off = 0; i < rec->nfields; i++) {
        struct wd_field *f = &b->fields[b->nfields++];
        *f = rec->fields[i];
        if (whole) {
            f->value = (const char *)(uintptr_t)(base + off);
            off += f->len + 1;
        } else {
            f->value = (const char *)(uintptr_t)b->bytes.len;
            wd_buf_append(&b->bytes, rec->fields[i].value, rec->fields[i].len + 1);
        }
    }
    if (whole)
        wd_buf_append(&b->bytes, rec->fields[0].value, span);
}

static void seal(struct batch *b)
{
    for (size_t i = 0; i < b->nfields; i++)
        b->fields[i].value = b->bytes.data + (uintptr_t)b->fields[i].value;
    for (size_t i = 0; i < b->nrecs; i++)
        b->recs[i].fields = b->fields + (uintptr_t)b->recs[i].fields;
}

static void *reading(void *arg)
{
    struct wd_prefetch *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->full[p->fill] && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        bool stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        struct batch *b = &p->ring[p->fill];
        wd_buf_reset(&b->bytes);
        b->nfields = b->nrecs = 0;
        b->end = 0;
        wd_error_clear(&b->err);
        while (b->nrecs < WD_PREFETCH_RECORDS && b->bytes.len < WD_PREFETCH_BYTES) {
            const struct wd_record *rec;
            int rc = wd_reader_next(p->r, &rec, &b->err);
            if (rc <= 0) {
                b->end = rc == 0 ? 1 : rc;
                break;
            }
            add(b, rec);
        }
        seal(b);
        pthread_mutex_lock(&p->mu);
        p->full[p->fill] = true;
        p->fill = (p->fill + 1) % RING;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (b->end)
            return NULL;
    }
}

struct wd_prefetch *wd_prefetch_start(struct wd_reader *r)
{
    struct wd_prefetch *p = wd_calloc(1, sizeof(*p));
    p->r = r;
    for (int i = 0; i < RING; i++)
        wd_buf_init(&p->ring[i].bytes, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, reading, p) != 0)
        abort(); /* like running out of memory */
    return p;
}

int wd_prefetch_next(struct wd_prefetch *p, const struct wd_record **rec, struct wd_error *err)
{
    *rec = NULL;
    for (;;) {
        struct batch *b = p->cur;
        if (b && p->pos < b->nrecs) {
            *rec = &b->recs[p->pos++];
            return 1;
        }
        if (b && b->end) {
            if (b->end < 0 && err)
                *err = b->err;
            return b->end < 0 ? b->end : 0;
        }
        pthread_mutex_lock(&p->mu);
        if (b) {
            /* give the finished batch back to the reading thread */
            p->full[p->take] = false;
            p->take = (p->take + 1) % RING;
            pthread_cond_broadcast(&p->cv);
        }
        while (!p->full[p->take])
            pthread_cond_wait(&p->cv, &p->mu);
        p->cur = &p->ring[p->take];
        p->pos = 0;
        pthread_mutex_unlock(&p->mu);
    }
}

void wd_prefetch_free(struct wd_prefetch *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    for (int i = 0; i < RING; i++) {
        wd_buf_free(&p->ring[i].bytes);
        free(p->ring[i].fields);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
