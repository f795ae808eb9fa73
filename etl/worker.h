/*
 * worker.h - the daemon's workers: dedicated threads that execute runs, each with its own
 * warehouse connection, reporting back to the loop through a uv_async_t (not libuv's
 * shared threadpool, which the loop's file-system requests need).
 *
 * The loop submits a task (a job, and for a drop folder the file to take); a worker claims
 * the job across all daemons on the warehouse with a session advisory lock (another daemon
 * running it makes the task BUSY), loads the file as `walidata load` does, moves it to the
 * archive or to failed/ with what the unit is told in its outbox, records the outcome on
 * the job, and hands the task back to the loop.
 */
#ifndef WD_WORKER_H
#define WD_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "catalog.h"
#include "load.h"

enum wd_task_outcome {
    WD_TASK_DONE,  /* a run was recorded: published, refused or duplicate */
    WD_TASK_BUSY,  /* another daemon holds the job */
    WD_TASK_FAILED /* nothing recorded (database, file system); the file stays for a retry */
};

struct wd_paths {
    char *inbox, *archive, *failed, *outbox;
};

struct wd_task {
    char *job, *dataset, *source;
    char *path;            /* the file to load (drop folder or file: source) */
    bool drop_folder;      /* move the file afterwards */
    int64_t arrival_day;
    struct wd_catalog *catalog; /* a reference, dropped when the task is freed */
    /* filled by the worker */
    enum wd_task_outcome outcome;
    int64_t run_id;
    enum wd_run_state state;
    char message[600];
    struct wd_task *next;
};

struct wd_pool;

/* Starts n workers connecting with conninfo. done(task, ctx) runs on the loop's thread for
 * each finished task. */
int wd_pool_start(struct wd_pool **out, uv_loop_t *loop, int n, const char *conninfo,
                  const struct wd_paths *paths, struct wd_pseudonym *pseudonym,
                  void (*done)(struct wd_task *task, void *ctx), void *ctx,
                  struct wd_error *err);

/* Queues a task (the pool owns it until done). */
void wd_pool_submit(struct wd_pool *pool, struct wd_task *task);

/* Asks the server to cancel the statements of running tasks: their runs roll back. */
void wd_pool_cancel(struct wd_pool *pool);

/* Stops the workers once the queue is empty and joins them; closes the async handle (the
 * loop must run for its close callback). Tasks still queued are handed back as FAILED. */
void wd_pool_stop(struct wd_pool *pool);

/* Tasks queued or running. */
int wd_pool_busy(const struct wd_pool *pool);

void wd_task_free(struct wd_task *t);

#endif
