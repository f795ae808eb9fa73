/*
 * daemon.h - `walidata daemon`: the libuv loop that runs the jobs in etl.job.
 *
 * One loop that never waits on the database or a run: a 1-second tick decides what is
 * due (cron schedules, retries after failures, `job run` requests); drop folders are
 * watched with uv_fs_event and rescanned periodically (inotify misses things on some file
 * systems), the scans running on libuv's threadpool; a non-blocking LISTEN connection,
 * driven by a uv_poll_t, hears of job changes; runs execute on the worker pool. SIGTERM
 * stops taking work, lets runs finish within shutdown_timeout, then cancels them (they roll
 * back) and exits 0; SIGHUP reloads the configuration, code lists and definitions, keeping
 * the old ones when the new ones do not load. systemd hears READY=1, STATUS=, WATCHDOG=1
 * and STOPPING=1.
 */
#ifndef WD_DAEMON_H
#define WD_DAEMON_H

struct wd_cli;

/* Runs the daemon until SIGTERM or SIGINT; returns the exit status. */
int wd_daemon_run(struct wd_cli *cli);

#endif
