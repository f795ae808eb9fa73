/*
 * daemon.c - the loop: the tick, runs, drop folders, signals and shutdown. Jobs and the
 * LISTEN connection that keeps them current are daemon_jobs.c.
 *
 * State: struct daemon holds the loop's handles and the jobs (struct djob), refreshed from
 * etl.job at start, on every NOTIFY walidata_jobs, after every run, and every 30 s. A job
 * never has more than one task in flight (djob.running). Handles embedded in a djob are
 * closed before the djob is freed, in their close callbacks.
 */
#include "daemon.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <uv.h>

#include "../connectors/dropfolder.h"
#include "../connectors/source.h"
#include "catalog.h"
#include "cli_common.h"
#include "log.h"
#include "mem.h"
#include "schedule.h"
#include "worker.h"
#include "daemon_internal.h"


/* ---- runs ---- */

static int64_t today(struct daemon *d)
{
    return wd_cli_today(d->cli);
}

static void submit(struct daemon *d, struct djob *j, const char *path)
{
    struct wd_task *t = wd_calloc(1, sizeof(*t));
    t->job = wd_strdup(j->name);
    t->dataset = wd_strdup(j->dataset);
    t->source = wd_strdup(j->source);
    t->path = path ? wd_strdup(path) : NULL;
    t->drop_folder = j->src.kind == WD_SOURCE_DIR;
    t->arrival_day = today(d);
    t->catalog = wd_catalog_ref(d->catalog);
    j->running = true;
    wd_log(WD_LOG_INFO, j->name, 0, path ? path : NULL, "run started");
    wd_pool_submit(d->pool, t);
}


static void shutdown_now(struct daemon *d);

static void on_task_done(struct wd_task *t, void *ctx)
{
    struct daemon *d = ctx;
    struct djob *j = wd__daemon_find_job(d, t->job);
    if (j)
        j->running = false;
    switch (t->outcome) {
    case WD_TASK_DONE:
        wd_log(t->state == WD_RUN_REFUSED ? WD_LOG_NOTICE : WD_LOG_INFO, t->job, t->run_id,
               t->path, "%s", t->message);
        if (j && j->src.kind == WD_SOURCE_DIR) {
            j->due = true; /* more files may be waiting: look now, not at the next tick */
            if (!d->stopping && !j->paused) {
                j->due = false;
                wd__daemon_scan(d, j);
            }
        }
        break;
    case WD_TASK_BUSY:
        wd_log(WD_LOG_DEBUG, t->job, 0, t->path, "skipped: %s", t->message);
        break;
    case WD_TASK_FAILED:
        wd_log(WD_LOG_ERROR, t->job, 0, t->path, "run failed, will retry: %s", t->message);
        break;
    }
    wd_task_free(t);
    d->resync_wanted = true;
    if (d->stopping && wd_pool_busy(d->pool) == 0)
        shutdown_now(d);
}

/* ---- drop folders ---- */

struct scan {
    uv_work_t req;
    struct daemon *d;
    char *job;
    struct wd_source_uri src;
    char *inbox;
    long settle;
    struct wd_droplist list;
    int rc;
    char error[600];
    char *ready; /* the oldest complete file, or NULL */
};

static void scan_work(uv_work_t *req)
{
    struct scan *s = req->data;
    struct wd_error err;
    wd_error_clear(&err);
    s->rc = wd_dropfolder_list(&s->src, s->inbox, &s->list, &err);
    if (s->rc < 0) {
        snprintf(s->error, sizeof(s->error), "%.280s: %.300s", err.file, err.msg);
        return;
    }
    /* complete: unchanged for settle seconds; the oldest first */
    time_t now = time(NULL);
    const struct wd_dropfile *best = NULL;
    for (size_t i = 0; i < s->list.n; i++) {
        const struct wd_dropfile *f = &s->list.files[i];
        if (now - f->mtime <= s->settle) /* whole seconds: more than settle, surely */
            continue;
        if (!best || f->mtime < best->mtime ||
            (f->mtime == best->mtime && strcmp(f->name, best->name) < 0))
            best = f;
    }
    s->ready = best ? wd_strdup(best->path) : NULL;
}

static void scan_done(uv_work_t *req, int status)
{
    struct scan *s = req->data;
    struct daemon *d = s->d;
    struct djob *j = wd__daemon_find_job(d, s->job);
    if (j)
        j->scanning = false;
    if (status == 0 && j && !d->stopping) {
        if (s->rc < 0) {
            wd_log(WD_LOG_ERROR, j->name, 0, NULL, "%s", s->error);
        } else {
            /* a refused entry is logged once, not at every rescan */
            for (size_t i = 0; i < s->list.nrefused; i++) {
                bool told = false;
                for (size_t k = 0; k < j->nrefused && !told; k++)
                    told = strcmp(j->refused[k], s->list.refused[i]) == 0;
                if (told)
                    continue;
                wd_log(WD_LOG_WARNING, j->name, 0, NULL, "refused %s", s->list.refused[i]);
                if (j->nrefused < 256) {
                    j->refused = wd_realloc(j->refused, (j->nrefused + 1) * sizeof(char *));
                    j->refused[j->nrefused++] = wd_strdup(s->list.refused[i]);
                }
            }
            if (s->ready && !j->running && !j->paused)
                submit(d, j, s->ready);
        }
    }
    wd_droplist_free(&s->list);
    wd_source_uri_free(&s->src);
    free(s->ready);
    free(s->job);
    free(s->inbox);
    free(s);
}

void wd__daemon_scan(struct daemon *d, struct djob *j)
{
    if (j->scanning || j->running || !j->src_ok)
        return;
    struct scan *s = wd_calloc(1, sizeof(*s));
    s->req.data = s;
    s->d = d;
    s->job = wd_strdup(j->name);
    char why[200];
    wd_source_parse(j->source, &s->src, why, sizeof(why));
    s->inbox = wd_strdup(d->paths.inbox);
    s->settle = (long)d->cli->config.settle_seconds;
    j->scanning = true;
    uv_queue_work(&d->loop, &s->req, scan_work, scan_done);
}


/* ---- the tick: what is due ---- */

static void job_tick(struct daemon *d, struct djob *j, time_t now)
{
    if (j->paused || j->running || !j->src_ok || (j->retry_at && now < j->retry_at))
        return;
    bool fire = j->due;
    if (j->sched.kind == WD_SCHEDULE_CRON && j->next_fire && now >= j->next_fire) {
        fire = true;
        j->next_fire = wd_schedule_next(&j->sched, now, j->tz);
    }
    if (j->sched.kind == WD_SCHEDULE_WATCH && now - d->last_rescan >= d->cli->config.rescan_seconds)
        fire = true;
    if (!fire)
        return;
    j->due = false;
    if (j->src.kind == WD_SOURCE_DIR)
        wd__daemon_scan(d, j);
    else if (j->src.kind == WD_SOURCE_FILE)
        submit(d, j, j->src.path);
    else
        submit(d, j, NULL); /* a unit's database: the rows after the job's watermark */
}

static void on_tick(uv_timer_t *h)
{
    struct daemon *d = h->data;
    if (d->stopping)
        return;
    time_t now = time(NULL);
    if (d->resync_wanted || now - d->last_sync >= RESYNC_SECONDS)
        wd__daemon_resync(d);
    for (struct djob *j = d->jobs; j; j = j->next)
        job_tick(d, j, now);
    if (now - d->last_rescan >= d->cli->config.rescan_seconds)
        d->last_rescan = now;
}

/* ---- signals, systemd, shutdown ---- */

static void status_line(struct daemon *d)
{
    int n = 0, running = 0;
    for (struct djob *j = d->jobs; j; j = j->next) {
        n++;
        running += j->running;
    }
    sd_notifyf(0, "STATUS=%d jobs, %d running", n, running);
}

static void on_watchdog(uv_timer_t *h)
{
    struct daemon *d = h->data;
    sd_notify(0, "WATCHDOG=1");
    status_line(d);
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void shutdown_now(struct daemon *d)
{
    if (d->closed)
        return;
    d->closed = true;
    wd_pool_stop(d->pool);
    d->pool = NULL;
    uv_timer_stop(&d->stop_timer);
    close_handle((uv_handle_t *)&d->tick);
    close_handle((uv_handle_t *)&d->watchdog);
    close_handle((uv_handle_t *)&d->stop_timer);
    close_handle((uv_handle_t *)&d->sigterm);
    close_handle((uv_handle_t *)&d->sigint);
    close_handle((uv_handle_t *)&d->sighup);
    wd__daemon_listen_close(d);
    while (d->jobs) {
        struct djob *j = d->jobs;
        d->jobs = j->next;
        wd__djob_free(j);
    }
    wd_log(WD_LOG_INFO, NULL, 0, NULL, "stopped%s", d->cancelled ? " (runs cancelled)" : "");
}

static void on_stop_timeout(uv_timer_t *h)
{
    struct daemon *d = h->data;
    wd_log(WD_LOG_WARNING, NULL, 0, NULL, "runs still going after %lld s; cancelling them "
                                         "(they roll back)",
           d->cli->config.shutdown_timeout);
    d->cancelled = true;
    wd_pool_cancel(d->pool);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;
    if (d->stopping)
        return;
    d->stopping = true;
    sd_notify(0, "STOPPING=1");
    wd_log(WD_LOG_INFO, NULL, 0, NULL, "%s: taking no new work",
           signum == SIGTERM ? "SIGTERM" : "SIGINT");
    uv_timer_stop(&d->tick);
    for (struct djob *j = d->jobs; j; j = j->next)
        if (j->event_active)
            uv_fs_event_stop(&j->event);
    if (wd_pool_busy(d->pool) == 0) {
        shutdown_now(d);
        return;
    }
    uv_timer_start(&d->stop_timer, on_stop_timeout,
                   (uint64_t)d->cli->config.shutdown_timeout * 1000, 0);
}

static int load_catalog(struct wd_cli *cli, struct wd_catalog **out)
{
    char mbuf[4096], cbuf[4096];
    const char *mdir = wd_cli_mappings_dir(cli, mbuf, sizeof(mbuf));
    const char *cdir = cli->codes_dir ? cli->codes_dir : cli->config.reference_codes;
    if (!cdir) {
        snprintf(cbuf, sizeof(cbuf), "./reference-codes");
        cdir = cbuf;
    }
    struct wd_error err;
    wd_error_clear(&err);
    if (wd_catalog_load(cdir, mdir, out, &err) < 0) {
        wd_error_print(stderr, &err);
        return -1;
    }
    return 0;
}

static void on_hup(uv_signal_t *h, int signum)
{
    (void)signum;
    struct daemon *d = h->data;
    wd_log(WD_LOG_INFO, NULL, 0, NULL, "SIGHUP: reloading");
    struct wd_cli *cli = d->cli;
    struct wd_config old = cli->config;
    cli->config_loaded = false;
    struct wd_catalog *cat = NULL;
    if (wd_cli_config(cli) != 0 || load_catalog(cli, &cat) != 0) {
        if (cli->config_loaded && cli->config.path != old.path)
            wd_config_free(&cli->config);
        cli->config = old;
        cli->config_loaded = true;
        wd_log(WD_LOG_ERROR, NULL, 0, NULL, "reload failed; keeping the configuration, code "
                                            "lists and definitions in use");
        return;
    }
    wd_config_free(&old);
    wd_log_set_level(cli->config.log_level);
    wd_catalog_unref(d->catalog);
    d->catalog = cat;
    d->resync_wanted = true;
    wd_log(WD_LOG_INFO, NULL, 0, NULL, "reloaded: %zu dataset definitions", cat->ndefs);
}

int wd_daemon_run(struct wd_cli *cli)
{
    struct daemon *d = wd_calloc(1, sizeof(*d));
    d->cli = cli;
    int rc = wd_cli_config(cli);
    if (rc) {
        free(d);
        return rc;
    }
    wd_log_set_level(cli->config.log_level);
    /* the process's own zone, set once: schedules switch TZ for a moment on the loop
     * thread, and with TZ already set that never moves the environment under the workers */
    setenv("TZ", cli->config.timezone, 1);
    tzset();
    if (load_catalog(cli, &d->catalog) != 0) {
        free(d);
        return WD_EXIT_USAGE;
    }
    struct wd_error err;
    wd_error_clear(&err);
    if (cli->config.pseudonym_key_file &&
        wd_pseudonym_open(cli->config.pseudonym_key_file, &d->pseudonym, &err) < 0) {
        wd_error_print(stderr, &err);
        wd_catalog_unref(d->catalog);
        free(d);
        return WD_EXIT_USAGE;
    }
    /* the folders are the daemon's own copies: a reload (SIGHUP) frees the config they came
     * from, and new folders take effect at the next start */
    d->paths = (struct wd_paths){wd_strdup(cli->config.inbox), wd_strdup(cli->config.archive),
                                 wd_strdup(cli->config.failed), wd_strdup(cli->config.outbox)};
    uv_loop_init(&d->loop);
    if (wd_pool_start(&d->pool, &d->loop, (int)cli->config.workers, cli->config.database,
                      &d->paths, d->pseudonym, on_task_done, d, &err) < 0) {
        wd_error_print(stderr, &err);
        d->status = WD_EXIT_RUNTIME;
        goto out;
    }
    uv_timer_init(&d->loop, &d->tick);
    uv_timer_init(&d->loop, &d->watchdog);
    uv_timer_init(&d->loop, &d->stop_timer);
    d->tick.data = d->watchdog.data = d->stop_timer.data = d;
    uv_signal_init(&d->loop, &d->sigterm);
    uv_signal_init(&d->loop, &d->sigint);
    uv_signal_init(&d->loop, &d->sighup);
    d->sigterm.data = d->sigint.data = d->sighup.data = d;
    uv_signal_start(&d->sigterm, on_stop_signal, SIGTERM);
    uv_signal_start(&d->sigint, on_stop_signal, SIGINT);
    uv_signal_start(&d->sighup, on_hup, SIGHUP);
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        uv_timer_start(&d->watchdog, on_watchdog, usec / 2000, usec / 2000);
    wd__daemon_connect(d);
    uv_timer_start(&d->tick, on_tick, 100, 1000);
    wd_log(WD_LOG_INFO, NULL, 0, NULL, "walidata daemon started: %lld workers, %zu dataset "
                                       "definitions",
           cli->config.workers, d->catalog->ndefs);
    sd_notify(0, "READY=1");
    status_line(d);
    uv_run(&d->loop, UV_RUN_DEFAULT);
out:
    if (d->pool) {
        wd_pool_stop(d->pool);
        uv_run(&d->loop, UV_RUN_DEFAULT);
    }
    if (d->listen)
        PQfinish(d->listen);
    int closed = uv_loop_close(&d->loop);
    if (closed != 0) {
        wd_log(WD_LOG_ERROR, NULL, 0, NULL, "the loop did not close cleanly: %s",
               uv_strerror(closed));
        d->status = WD_EXIT_RUNTIME;
    }
    wd_catalog_unref(d->catalog);
    wd_pseudonym_free(d->pseudonym);
    free(d->paths.inbox);
    free(d->paths.archive);
    free(d->paths.failed);
    free(d->paths.outbox);
    int status = d->status;
    free(d);
    return status;
}
