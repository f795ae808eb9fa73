/*
 * worker.c - the pool of run threads.
 *
 * Data flow: wd_pool_submit (loop thread) -> queue (mutex + condition) -> a worker thread
 * runs the task -> done list (mutex) -> uv_async_send -> the loop thread calls done() for
 * each finished task. A worker's connection is opened on first use and again after it
 * breaks; PQcancel through a per-worker cancel handle stops a running statement.
 */
#include "worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../connectors/dropfolder.h"
#include "../connectors/pgsource.h"
#include "log.h"
#include "mem.h"
#include "report.h"
#include "runs.h"

struct worker {
    struct wd_pool *pool;
    pthread_t thread;
    struct wd_db *db;
    PGcancel *cancel; /* of the running statement's connection, under pool->mu */
};

struct wd_pool {
    uv_async_t async;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct wd_task *queue, *queue_tail, *done;
    int queued, running;
    bool stopping;
    struct worker *workers;
    int n;
    atomic_bool cancel; /* runs stop at their next row and roll back */
    char *conninfo;
    struct wd_paths paths;
    struct wd_pseudonym *pseudonym;
    void (*done_cb)(struct wd_task *, void *);
    void *ctx;
};

void wd_task_free(struct wd_task *t)
{
    if (!t)
        return;
    free(t->job);
    free(t->dataset);
    free(t->source);
    free(t->path);
    wd_catalog_unref(t->catalog);
    free(t);
}

static void on_async(uv_async_t *h)
{
    struct wd_pool *pool = h->data;
    pthread_mutex_lock(&pool->mu);
    struct wd_task *list = pool->done;
    pool->done = NULL;
    pthread_mutex_unlock(&pool->mu);
    /* the done list is newest first: hand tasks back in the order they finished */
    struct wd_task *rev = NULL;
    while (list) {
        struct wd_task *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev) {
        struct wd_task *next = rev->next;
        rev->next = NULL;
        pool->done_cb(rev, pool->ctx);
        rev = next;
    }
}

static void rejects_line(void *ctx, const json_t *r)
{
    struct wd_buf *b = ctx;
    const char *cols[] = {"row", "line", "field", "rule", "value", "message"};
    for (int i = 0; i < 6; i++) {
        const json_t *v = json_object_get(r, cols[i]);
        if (i)
            wd_buf_putc(b, ',');
        if (json_is_integer(v)) {
            wd_buf_printf(b, "%lld", (long long)json_integer_value(v));
            continue;
        }
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        wd_buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"')
                wd_buf_putc(b, '"');
            wd_buf_putc(b, *s);
        }
        wd_buf_putc(b, '"');
    }
    wd_buf_append(b, "\r\n", 2);
}

/* What the unit finds in its outbox after a run of one of its files. */
static void tell_unit(struct worker *w, struct wd_task *t, const char *unit,
                      const struct wd_report *rep, const char *name)
{
    struct wd_pool *pool = w->pool;
    struct wd_error err;
    char file[512];
    json_t *o = wd_report_json(rep);
    json_object_set_new(o, "run_id", json_integer(t->run_id));
    json_object_set_new(o, "state", json_string(wd_run_state_name(t->state)));
    if (t->state != WD_RUN_REFUSED) {
        /* a receipt: the run, what was received (SHA-256) and what became of it */
        PGresult *res = NULL;
        char id[24];
        snprintf(id, sizeof(id), "%" PRId64, t->run_id);
        const char *p[1] = {id};
        res = wd_db_query(w->db, "SELECT encode(sha256, 'hex'), size FROM etl.source_item "
                                 "WHERE run_id = $1", 1, p, &err);
        json_t *receipt = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:s?}", "run_id",
                                    (json_int_t)t->run_id, "file", name, "dataset", t->dataset,
                                    "state", wd_run_state_name(t->state), "rows",
                                    (json_int_t)rep->validation.counts.rows, "valid",
                                    (json_int_t)rep->validation.counts.valid, "rejected",
                                    (json_int_t)rep->validation.counts.rejected, "quality_score",
                                    rep->quality.score, "sha256",
                                    res && PQntuples(res) ? PQgetvalue(res, 0, 0) : NULL);
        PQclear(res);
        char *text =
            json_dumps(receipt, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        snprintf(file, sizeof(file), "%s.receipt.json", name);
        wd_outbox_write(pool->paths.outbox, unit, file, text, strlen(text), &err);
        free(text);
        json_decref(receipt);
    } else {
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        snprintf(file, sizeof(file), "%s.report.json", name);
        wd_outbox_write(pool->paths.outbox, unit, file, text, strlen(text), &err);
        free(text);
    }
    json_decref(o);
    if (rep->validation.counts.rejected || rep->failed) {
        struct wd_buf csv;
        wd_buf_init(&csv, 0);
        wd_buf_append(&csv, "row,line,field,rule,value,message\r\n", 35);
        wd_error_clear(&err);
        if (wd_rejects_each(w->db, t->run_id, rejects_line, &csv, &err) == 0) {
            snprintf(file, sizeof(file), "%s.rejects.csv", name);
            wd_outbox_write(pool->paths.outbox, unit, file, csv.data, csv.len, &err);
        }
        wd_buf_free(&csv);
    }
}

/* After a run: the file to the archive or to failed/, and word to the unit. */
static void settle_file(struct worker *w, struct wd_task *t, const struct wd_report *rep)
{
    struct wd_pool *pool = w->pool;
    char dir[4096], unit[256], dataset[256], dest[4400];
    snprintf(dir, sizeof(dir), "%s", t->path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    wd_dropfolder_names(dir, unit, sizeof(unit), dataset, sizeof(dataset));
    const char *name = slash ? t->path + (slash - dir) + 1 : t->path;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = t->state == WD_RUN_REFUSED
                 ? wd_dropfolder_fail(t->path, pool->paths.failed, unit, dataset, dest,
                                      sizeof(dest), &err)
                 : wd_dropfolder_archive(t->path, pool->paths.archive, unit, dataset,
                                         time(NULL), dest, sizeof(dest), &err);
    if (rc < 0)
        wd_log(WD_LOG_ERROR, t->job, t->run_id, t->path, "%s", err.msg);
    else
        wd_log(WD_LOG_INFO, t->job, t->run_id, t->path, "moved to %s", dest);
    tell_unit(w, t, unit, rep, name);
}

static void record_job(struct worker *w, struct wd_task *t)
{
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, t->run_id);
    const char *p[2] = {t->job, id};
    struct wd_error err;
    if (t->outcome == WD_TASK_DONE)
        wd_db_command(w->db,
                      "UPDATE etl.job SET last_run_id = $2, failures = 0, retry_at = NULL, "
                      "last_fired_at = now() WHERE name = $1",
                      2, p, &err);
    else if (t->outcome == WD_TASK_FAILED && !atomic_load(&w->pool->cancel) && w->db &&
             PQstatus(w->db->conn) == CONNECTION_OK)
        /* a run cancelled by the shutdown is no failure of the job: no back-off */
        /* back off: 30 s, 1, 2, 4 ... minutes, at most an hour */
        wd_db_command(w->db,
                      "UPDATE etl.job SET failures = failures + 1, retry_at = now() + "
                      "least(interval '30 seconds' * 2 ^ failures, interval '1 hour') "
                      "WHERE name = $1",
                      1, p, &err);
}

struct query_run {
    struct wd_pgsource *source;
    const char *job;
};

static void observe_query(void *ctx, const struct wd_record *rec, const size_t *colmap)
{
    wd_pgsource_observe(((struct query_run *)ctx)->source, rec, colmap);
}

/* Saves the source's new place with the data it describes (before COMMIT). */
static int save_place(void *ctx, struct wd_db *db, const struct wd_load_result *r,
                      struct wd_error *err)
{
    struct query_run *q = ctx;
    struct wd_pgsource *src = q->source;
    const char *job = q->job;
    if (r->state != WD_RUN_PUBLISHED)
        return 0; /* a refusal leaves the place where it was: the rows come again */
    char *state = wd_pgsource_state(src);
    const char *p[2] = {job, state};
    int rc = wd_db_command(db, "UPDATE etl.job SET state = $2::jsonb WHERE name = $1", 2, p,
                           err);
    free(state);
    return rc;
}

/* A run of a job whose source is a unit's PostgreSQL database. */
static int load_query(struct worker *w, struct wd_task *t, const struct wd_definition *def,
                      struct wd_report *rep, struct wd_load_result *lr, struct wd_error *err)
{
    struct wd_source_uri src;
    char why[300];
    if (!wd_source_parse(t->source, &src, why, sizeof(why)))
        return wd_error_set(err, WD_ECONFIG, "%s", why);
    const char *p[1] = {t->job};
    PGresult *res = wd_db_query(w->db, "SELECT state::text FROM etl.job WHERE name = $1", 1, p,
                                err);
    char *state = res && PQntuples(res) ? wd_strdup(PQgetvalue(res, 0, 0)) : NULL;
    PQclear(res);
    struct wd_pgsource *pg = NULL;
    int rc = res ? wd_pgsource_open(&src, def, state, &pg, err) : WD_EDB;
    free(state);
    if (rc == 0) {
        struct query_run q = {pg, t->job};
        struct wd_load_options opt = {.pseudonym = w->pool->pseudonym,
                                      .arrival_day = t->arrival_day,
                                      .job = t->job,
                                      .cancel = &w->pool->cancel,
                                      .observe = observe_query,
                                      .before_commit = save_place,
                                      .hook_ctx = &q};
        /* the name says where the rows came from, never the connection's password */
        char name[200];
        snprintf(name, sizeof(name), "postgresql source of job %s", t->job);
        rc = wd_load_stream(w->db, def, t->catalog->codes, name, wd_pgsource_stream(pg), &opt,
                            rep, lr, err);
    }
    wd_pgsource_close(pg);
    wd_source_uri_free(&src);
    return rc;
}

static void execute(struct worker *w, struct wd_task *t)
{
    struct wd_pool *pool = w->pool;
    struct wd_error err;
    wd_error_clear(&err);
    if (w->db && PQstatus(w->db->conn) != CONNECTION_OK) {
        wd_db_close(w->db);
        w->db = NULL;
    }
    if (!w->db && wd_db_connect(pool->conninfo, &w->db, &err) < 0) {
        t->outcome = WD_TASK_FAILED;
        snprintf(t->message, sizeof(t->message), "%.500s", err.msg);
        return;
    }
    pthread_mutex_lock(&pool->mu);
    w->cancel = PQgetCancel(w->db->conn);
    pthread_mutex_unlock(&pool->mu);
    const char *p[1] = {t->job};
    PGresult *res = wd_db_query(w->db,
                                "SELECT pg_try_advisory_lock(hashtextextended('walidata job ' "
                                "|| $1, 0))",
                                1, p, &err);
    bool locked = res && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!res) {
        t->outcome = WD_TASK_FAILED;
        snprintf(t->message, sizeof(t->message), "%.500s", err.msg);
        goto out;
    }
    if (!locked) {
        t->outcome = WD_TASK_BUSY;
        snprintf(t->message, sizeof(t->message), "another daemon is running this job");
        goto out;
    }
    wd_db_command(w->db, "UPDATE etl.job SET run_requested = NULL WHERE name = $1", 1, p, &err);
    const struct wd_definition *def = wd_catalog_find(t->catalog, t->dataset);
    if (!def) {
        t->outcome = WD_TASK_FAILED;
        snprintf(t->message, sizeof(t->message), "no dataset definition named %s", t->dataset);
    } else if (!t->path) {
        struct wd_report rep;
        wd_report_init(&rep, def, t->source, 1000);
        struct wd_load_result lr;
        wd_error_clear(&err);
        int rc = load_query(w, t, def, &rep, &lr, &err);
        if (rc < 0) {
            t->outcome = WD_TASK_FAILED;
            snprintf(t->message, sizeof(t->message), "%.500s", err.msg);
        } else {
            t->outcome = WD_TASK_DONE;
            t->run_id = lr.run_id;
            t->state = lr.state;
            snprintf(t->message, sizeof(t->message), "%s: %" PRIu64 " rows read, %" PRIu64
                     " published", wd_run_state_name(lr.state), rep.validation.counts.rows,
                     lr.published);
        }
        wd_report_free(&rep);
    } else if (access(t->path, F_OK) != 0) {
        /* taken by another daemon meanwhile */
        t->outcome = WD_TASK_BUSY;
        snprintf(t->message, sizeof(t->message), "the file is gone");
    } else {
        struct wd_report rep;
        wd_report_init(&rep, def, t->path, 1000);
        struct wd_load_options opt = {.pseudonym = pool->pseudonym,
                                      .arrival_day = t->arrival_day,
                                      .job = t->job,
                                      .cancel = &pool->cancel};
        struct wd_load_result lr;
        wd_error_clear(&err);
        int rc = wd_load_file(w->db, def, t->catalog->codes, t->path, &opt, &rep, &lr, &err);
        if (rc < 0) {
            t->outcome = WD_TASK_FAILED;
            snprintf(t->message, sizeof(t->message), "%.300s%s%.250s", err.msg,
                     err.detail[0] ? " " : "", err.detail);
        } else {
            t->outcome = WD_TASK_DONE;
            t->run_id = lr.run_id;
            t->state = lr.state;
            if (lr.state == WD_RUN_PUBLISHED)
                snprintf(t->message, sizeof(t->message),
                         "published %" PRIu64 " rows (%" PRIu64 " rejected), quality %.1f",
                         lr.published, rep.validation.counts.rejected, rep.quality.score);
            else
                snprintf(t->message, sizeof(t->message), "%s: %s",
                         wd_run_state_name(lr.state), lr.reason);
            if (t->drop_folder)
                settle_file(w, t, &rep);
        }
        wd_report_free(&rep);
    }
    record_job(w, t);
    wd_db_command(w->db, "SELECT pg_advisory_unlock(hashtextextended('walidata job ' || $1, 0))",
                  1, p, &err);
out:
    pthread_mutex_lock(&pool->mu);
    PQfreeCancel(w->cancel);
    w->cancel = NULL;
    pthread_mutex_unlock(&pool->mu);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct wd_pool *pool = w->pool;
    for (;;) {
        pthread_mutex_lock(&pool->mu);
        while (!pool->queue && !pool->stopping)
            pthread_cond_wait(&pool->cv, &pool->mu);
        struct wd_task *t = pool->queue;
        if (!t) {
            pthread_mutex_unlock(&pool->mu);
            break;
        }
        pool->queue = t->next;
        if (!pool->queue)
            pool->queue_tail = NULL;
        pool->queued--;
        pool->running++;
        pthread_mutex_unlock(&pool->mu);
        t->next = NULL;
        execute(w, t);
        pthread_mutex_lock(&pool->mu);
        pool->running--;
        t->next = pool->done;
        pool->done = t;
        pthread_mutex_unlock(&pool->mu);
        uv_async_send(&pool->async);
    }
    wd_db_close(w->db);
    w->db = NULL;
    return NULL;
}

int wd_pool_start(struct wd_pool **out, uv_loop_t *loop, int n, const char *conninfo,
                  const struct wd_paths *paths, struct wd_pseudonym *pseudonym,
                  void (*done)(struct wd_task *task, void *ctx), void *ctx,
                  struct wd_error *err)
{
    struct wd_pool *pool = wd_calloc(1, sizeof(*pool));
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    pool->conninfo = wd_strdup(conninfo ? conninfo : "");
    pool->paths.inbox = wd_strdup(paths->inbox);
    pool->paths.archive = wd_strdup(paths->archive);
    pool->paths.failed = wd_strdup(paths->failed);
    pool->paths.outbox = wd_strdup(paths->outbox);
    pool->pseudonym = pseudonym;
    pool->done_cb = done;
    pool->ctx = ctx;
    uv_async_init(loop, &pool->async, on_async);
    pool->async.data = pool;
    pool->workers = wd_calloc((size_t)n, sizeof(*pool->workers));
    for (int i = 0; i < n; i++) {
        pool->workers[i].pool = pool;
        if (pthread_create(&pool->workers[i].thread, NULL, worker_main, &pool->workers[i]) != 0) {
            pool->n = i;
            wd_pool_stop(pool);
            return wd_error_set(err, WD_EIO, "could not start worker threads");
        }
    }
    pool->n = n;
    *out = pool;
    return 0;
}

void wd_pool_submit(struct wd_pool *pool, struct wd_task *t)
{
    pthread_mutex_lock(&pool->mu);
    t->next = NULL;
    if (pool->queue_tail)
        pool->queue_tail->next = t;
    else
        pool->queue = t;
    pool->queue_tail = t;
    pool->queued++;
    pthread_cond_signal(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
}

int wd_pool_busy(const struct wd_pool *pool)
{
    struct wd_pool *p = (struct wd_pool *)pool;
    pthread_mutex_lock(&p->mu);
    int n = p->queued + p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void wd_pool_cancel(struct wd_pool *pool)
{
    /* the flag stops a run between rows; PQcancel stops a statement in the server */
    atomic_store(&pool->cancel, true);
    pthread_mutex_lock(&pool->mu);
    for (int i = 0; i < pool->n; i++) {
        char why[256];
        if (pool->workers[i].cancel)
            PQcancel(pool->workers[i].cancel, why, sizeof(why));
    }
    pthread_mutex_unlock(&pool->mu);
}

static void free_pool(uv_handle_t *h)
{
    struct wd_pool *pool = h->data;
    free(pool->workers);
    free(pool->conninfo);
    free(pool->paths.inbox);
    free(pool->paths.archive);
    free(pool->paths.failed);
    free(pool->paths.outbox);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool);
}

void wd_pool_stop(struct wd_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    /* tasks never started are handed back as failed: their files stay in the inbox */
    struct wd_task *t = pool->queue;
    pool->queue = pool->queue_tail = NULL;
    pool->queued = 0;
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    for (int i = 0; i < pool->n; i++)
        pthread_join(pool->workers[i].thread, NULL);
    while (t) {
        struct wd_task *next = t->next;
        t->outcome = WD_TASK_FAILED;
        snprintf(t->message, sizeof(t->message), "not started: walidata is stopping");
        t->next = NULL;
        pool->done_cb(t, pool->ctx);
        t = next;
    }
    on_async(&pool->async); /* the last results */
    uv_close((uv_handle_t *)&pool->async, free_pool);
}
