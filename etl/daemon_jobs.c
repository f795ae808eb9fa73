/*
 * daemon_jobs.c - the daemon's jobs: read from etl.job over a LISTEN connection that never
 * blocks the loop (PQconnectStart/PQconnectPoll and PQsendQuery, driven by a uv_poll_t),
 * refreshed on every NOTIFY walidata_jobs, after runs and every RESYNC_SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "daemon_internal.h"
#include "log.h"
#include "mem.h"

static void djob_close_cb(uv_handle_t *h)
{
    struct djob *j = h->data;
    free(j->name);
    free(j->dataset);
    free(j->source);
    free(j->schedule);
    free(j->tz);
    free(j->requested);
    wd_source_uri_free(&j->src);
    for (size_t i = 0; i < j->nrefused; i++)
        free(j->refused[i]);
    free(j->refused);
    free(j);
}

void wd__djob_free(struct djob *j)
{
    if (j->event_active) {
        uv_fs_event_stop(&j->event);
        uv_close((uv_handle_t *)&j->event, djob_close_cb);
    } else {
        j->event.data = j;
        djob_close_cb((uv_handle_t *)&j->event);
    }
}

struct djob *wd__daemon_find_job(struct daemon *d, const char *name)
{
    for (struct djob *j = d->jobs; j; j = j->next)
        if (strcmp(j->name, name) == 0)
            return j;
    return NULL;
}

static void on_fs_event(uv_fs_event_t *h, const char *name, int events, int status)
{
    (void)name;
    (void)events;
    struct djob *j = h->data;
    /* a folder on a cron schedule is read at its times, not as files arrive */
    if (status == 0 && j->sched.kind == WD_SCHEDULE_WATCH)
        j->due = true; /* the next tick scans */
}

/* ---- jobs from etl.job ---- */

static void watch_folder(struct daemon *d, struct djob *j)
{
    if (j->event_active || j->src.kind != WD_SOURCE_DIR)
        return;
    uv_fs_event_init(&d->loop, &j->event);
    j->event.data = j;
    if (uv_fs_event_start(&j->event, on_fs_event, j->src.path, 0) == 0) {
        j->event_active = true;
    } else {
        uv_close((uv_handle_t *)&j->event, NULL);
        wd_log(WD_LOG_WARNING, j->name, 0, j->src.path,
               "cannot watch the folder; it is rescanned every %lld s",
               d->cli->config.rescan_seconds);
    }
}

static void apply_row(struct daemon *d, PGresult *res, int i, time_t now)
{
    const char *name = PQgetvalue(res, i, 0);
    struct djob *j = wd__daemon_find_job(d, name);
    bool fresh = !j;
    if (fresh) {
        j = wd_calloc(1, sizeof(*j));
        j->d = d;
        j->name = wd_strdup(name);
        j->next = d->jobs;
        d->jobs = j;
    }
    j->seen = true;
    bool changed = fresh || strcmp(j->source, PQgetvalue(res, i, 2)) != 0 ||
                   strcmp(j->schedule, PQgetvalue(res, i, 3)) != 0 ||
                   strcmp(j->tz, PQgetvalue(res, i, 4)) != 0;
    if (changed) {
        free(j->dataset);
        free(j->source);
        free(j->schedule);
        free(j->tz);
        j->dataset = wd_strdup(PQgetvalue(res, i, 1));
        j->source = wd_strdup(PQgetvalue(res, i, 2));
        j->schedule = wd_strdup(PQgetvalue(res, i, 3));
        j->tz = wd_strdup(PQgetvalue(res, i, 4));
        wd_source_uri_free(&j->src);
        char why[300];
        j->src_ok = wd_source_parse(j->source, &j->src, why, sizeof(why)) &&
                    wd_schedule_parse(j->schedule, &j->sched, why, sizeof(why));
        if (!j->src_ok)
            wd_log(WD_LOG_ERROR, j->name, 0, NULL, "cannot run: %s", why);
        j->next_fire = j->src_ok && j->sched.kind == WD_SCHEDULE_CRON
                           ? wd_schedule_next(&j->sched, now, j->tz)
                           : 0;
        time_t last = (time_t)atoll(PQgetvalue(res, i, 7));
        /* a schedule missed while no daemon ran fires once now (systemd's Persistent=) */
        if (fresh && j->src_ok && last && j->sched.kind == WD_SCHEDULE_CRON) {
            time_t after = wd_schedule_next(&j->sched, last, j->tz);
            if (after && after <= now) {
                j->due = true;
                wd_log(WD_LOG_INFO, j->name, 0, NULL, "a scheduled run was missed; running now");
            }
        }
        if (j->src_ok && j->src.kind == WD_SOURCE_DIR)
            watch_folder(d, j);
        if (j->src_ok) {
            char *shown = wd_source_redact(j->source);
            wd_log(WD_LOG_INFO, j->name, 0, NULL, "%s %s from %s, %s (%s)",
                   fresh ? "job" : "job changed:", j->dataset, shown, j->schedule, j->tz);
            free(shown);
        }
        if (j->src_ok && j->sched.kind == WD_SCHEDULE_WATCH)
            j->due = true;
    }
    j->paused = PQgetvalue(res, i, 5)[0] == 't';
    j->retry_at = (time_t)atoll(PQgetvalue(res, i, 8));
    /* `job run`: a request not handled yet */
    const char *req = PQgetisnull(res, i, 6) ? NULL : PQgetvalue(res, i, 6);
    if (req && (!j->requested || strcmp(req, j->requested) != 0)) {
        free(j->requested);
        j->requested = wd_strdup(req);
        j->due = true;
        j->retry_at = 0;
        wd_log(WD_LOG_INFO, j->name, 0, NULL, "run requested");
    }
}

static void apply_jobs(struct daemon *d, PGresult *res)
{
    time_t now = time(NULL);
    for (struct djob *j = d->jobs; j; j = j->next)
        j->seen = false;
    for (int i = 0; i < PQntuples(res); i++)
        apply_row(d, res, i, now);
    /* jobs removed from etl.job: forget them once nothing of theirs runs */
    struct djob **pp = &d->jobs;
    while (*pp) {
        struct djob *j = *pp;
        if (!j->seen && !j->running && !j->scanning) {
            wd_log(WD_LOG_INFO, j->name, 0, NULL, "job removed");
            *pp = j->next;
            wd__djob_free(j);
        } else {
            pp = &j->next;
        }
    }
    d->last_sync = now;
}

#define JOBS_SQL                                                                               \
    "SELECT name, dataset, source, schedule, timezone, paused, run_requested::text, "          \
    "coalesce(extract(epoch FROM last_fired_at)::bigint, 0), "                                 \
    "coalesce(extract(epoch FROM retry_at)::bigint, 0) FROM etl.job"

static void on_poll(uv_poll_t *h, int status, int events);

/* What the server says on the LISTEN connection (it is going down...) goes to our log. */
static void on_notice(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n && message[n - 1] == '\n')
        n--;
    wd_log(WD_LOG_WARNING, NULL, 0, NULL, "the warehouse says: %.*s", (int)n, message);
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void listen_lost(struct daemon *d)
{
    if (d->poll) {
        uv_close((uv_handle_t *)d->poll, free_handle);
        d->poll = NULL;
        d->poll_active = false;
    }
    d->resync_wanted = true; /* the next tick connects again */
    if (d->listen) {
        PQfinish(d->listen);
        d->listen = NULL;
    }
    d->query_pending = false;
    wd_log(WD_LOG_WARNING, NULL, 0, NULL, "lost the warehouse connection; reconnecting");
}

/* The LISTEN connection, opened without blocking the loop: PQconnectStart, then
 * PQconnectPoll as the socket becomes ready. */
void wd__daemon_connect(struct daemon *d)
{
    time_t now = time(NULL);
    if (d->listen || now - d->last_connect < 2)
        return;
    d->last_connect = now;
    const char *keys[] = {"dbname", "application_name", "options", NULL};
    const char *vals[] = {d->cli->config.database, "walidata daemon",
                          "-c lc_messages=C -c TimeZone=UTC", NULL};
    d->listen = PQconnectStartParams(keys, vals, 1);
    if (!d->listen || PQstatus(d->listen) == CONNECTION_BAD) {
        listen_lost(d);
        return;
    }
    PQsetNoticeProcessor(d->listen, on_notice, NULL);
    d->poll = wd_calloc(1, sizeof(*d->poll));
    uv_poll_init_socket(&d->loop, d->poll, PQsocket(d->listen));
    d->poll->data = d;
    d->poll_active = true;
    uv_poll_start(d->poll, UV_WRITABLE, on_poll);
}

void wd__daemon_resync(struct daemon *d)
{
    d->resync_wanted = true;
    if (!d->listen) {
        wd__daemon_connect(d);
        return;
    }
    if (d->query_pending || PQstatus(d->listen) != CONNECTION_OK)
        return;
    if (!PQsendQuery(d->listen, JOBS_SQL)) {
        listen_lost(d);
        return;
    }
    d->query_pending = true;
    d->resync_wanted = false;
    PQflush(d->listen);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)events;
    struct daemon *d = h->data;
    if (status < 0 || !d->listen) {
        listen_lost(d);
        return;
    }
    if (PQstatus(d->listen) != CONNECTION_OK) {
        PostgresPollingStatusType st = PQconnectPoll(d->listen);
        if (st == PGRES_POLLING_FAILED) {
            listen_lost(d);
        } else if (st == PGRES_POLLING_READING || st == PGRES_POLLING_WRITING) {
            uv_poll_start(d->poll, st == PGRES_POLLING_READING ? UV_READABLE : UV_WRITABLE,
                          on_poll);
        } else if (st == PGRES_POLLING_OK) {
            PQsetnonblocking(d->listen, 1);
            PQsendQuery(d->listen, "LISTEN walidata_jobs");
            d->query_pending = true;
            d->resync_wanted = true;
            uv_poll_start(d->poll, UV_READABLE, on_poll);
            wd_log(WD_LOG_INFO, NULL, 0, NULL, "listening for job changes");
        }
        return;
    }
    if (!PQconsumeInput(d->listen)) {
        listen_lost(d);
        return;
    }
    while (d->query_pending && !PQisBusy(d->listen)) {
        PGresult *res = PQgetResult(d->listen);
        if (!res) {
            d->query_pending = false;
            break;
        }
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            apply_jobs(d, res);
        else if (PQresultStatus(res) != PGRES_COMMAND_OK)
            wd_log(WD_LOG_ERROR, NULL, 0, NULL, "reading jobs: %s",
                   PQresultErrorMessage(res));
        PQclear(res);
    }
    PGnotify *n;
    while ((n = PQnotifies(d->listen))) {
        d->resync_wanted = true;
        PQfreemem(n);
    }
    if (d->resync_wanted && !d->query_pending)
        wd__daemon_resync(d);
}

void wd__daemon_listen_close(struct daemon *d)
{
    if (d->poll) {
        uv_close((uv_handle_t *)d->poll, free_handle);
        d->poll = NULL;
        d->poll_active = false;
    }
}
