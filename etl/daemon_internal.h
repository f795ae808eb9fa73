/*
 * daemon_internal.h - the daemon's state, shared by daemon.c (the loop, runs, drop folders,
 * signals) and daemon_jobs.c (jobs from etl.job and the LISTEN connection). Not for other
 * modules.
 */
#ifndef WD_DAEMON_INTERNAL_H
#define WD_DAEMON_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>
#include <uv.h>

#include "../connectors/source.h"
#include "catalog.h"
#include "schedule.h"
#include "worker.h"

#define RESYNC_SECONDS 30

struct wd_cli;
struct daemon;

struct djob {
    struct daemon *d;
    char *name, *dataset, *source, *schedule, *tz, *requested;
    bool paused, seen, running, scanning, due, src_ok;
    struct wd_schedule sched;
    struct wd_source_uri src;
    time_t next_fire, retry_at, last_fired;
    uv_fs_event_t event;
    bool event_active;
    char **refused; /* entries refused and logged already */
    size_t nrefused;
    struct djob *next;
};

struct daemon {
    uv_loop_t loop;
    struct wd_cli *cli;
    struct wd_catalog *catalog;
    struct wd_pool *pool;
    struct wd_pseudonym *pseudonym;
    struct wd_paths paths;
    PGconn *listen;
    uv_poll_t *poll; /* one per LISTEN connection, closed when it is lost */
    bool poll_active, query_pending, resync_wanted;
    uv_timer_t tick, watchdog, stop_timer;
    uv_signal_t sigterm, sigint, sighup;
    struct djob *jobs;
    bool stopping, cancelled, closed;
    time_t last_sync, last_rescan, last_connect;
    int status;
};

/* daemon_jobs.c */
struct djob *wd__daemon_find_job(struct daemon *d, const char *name);
void wd__djob_free(struct djob *j);
/* Reads etl.job again (or opens the LISTEN connection first); never blocks. */
void wd__daemon_resync(struct daemon *d);
/* Opens the LISTEN connection without blocking, when it is not open. */
void wd__daemon_connect(struct daemon *d);
/* Closes the LISTEN connection and its poll handle. */
void wd__daemon_listen_close(struct daemon *d);

/* daemon.c */
/* Scans a job's drop folder on the threadpool and starts a run for a complete file. */
void wd__daemon_scan(struct daemon *d, struct djob *j);

#endif
