/*
 * peakrss.c - run a command and report its wall time and peak resident memory.
 *
 *   peakrss COMMAND [ARG...]
 *
 * Forks, runs COMMAND with its arguments (looked up in PATH), waits for it with wait4(2)
 * and prints one line to standard error once it has ended:
 *
 *   peakrss: wall_s=1.234567 user_s=1.100000 sys_s=0.120000 maxrss_kib=10240 status=0
 *
 * wall_s is measured on the monotonic clock from just before fork to just after wait4;
 * maxrss_kib is the child's ru_maxrss (Linux reports KiB). status is the child's exit
 * status, or 128+N when signal N killed it, and peakrss exits with that same status, so a
 * script can tell the command's failure from the measurement. The command's own output
 * goes where peakrss's goes; bench/run finds the line by its "peakrss:" prefix.
 */
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static double tv_seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs("usage: peakrss COMMAND [ARG...]\n"
              "  runs COMMAND, then prints its wall time and peak RSS to standard error\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int first = strcmp(argv[1], "--") == 0 ? 2 : 1;
    if (first >= argc) {
        fputs("peakrss: no command given\n", stderr);
        return 2;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "peakrss: could not fork: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        execvp(argv[first], argv + first);
        fprintf(stderr, "peakrss: could not run \"%s\": %s\n", argv[first], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }

    int wstatus;
    struct rusage ru;
    pid_t got;
    do
        got = wait4(pid, &wstatus, 0, &ru);
    while (got < 0 && errno == EINTR);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (got < 0) {
        fprintf(stderr, "peakrss: could not wait for \"%s\": %s\n", argv[first], strerror(errno));
        return 2;
    }

    int status = WIFEXITED(wstatus)     ? WEXITSTATUS(wstatus)
                 : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
                                        : 1;
    fprintf(stderr, "peakrss: wall_s=%.6f user_s=%.6f sys_s=%.6f maxrss_kib=%ld status=%d\n",
            seconds(&t0, &t1), tv_seconds(&ru.ru_utime), tv_seconds(&ru.ru_stime), ru.ru_maxrss,
            status);
    return status;
}
