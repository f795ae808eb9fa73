/*
 * loadutil.c - the helpers the load tests share: loading the Bekasi sample, editing a file's
 * bytes, placement files of generated keys, and walidata run as a process of its own (fork and exec, its output in files), which
 * with WALIDATA_FAULT set SIGSTOPs itself at a named point until the test kills it or lets it
 * go on. The processes started and not yet reaped are kept in a static table, so that the
 * teardown finds them after a failed assertion left the test's frame.
 */
#include "loadutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void load_bekasi(const struct warehouse *w)
{
    wd_expect(w, 0, "load", "--mapping", "penempatan_tenaga_kerja", "--arrived", BEKASI_ARRIVED,
              BEKASI);
}

void replace_all(char *data, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    assert_int_equal(strlen(to), n);
    int found = 0;
    for (char *p = data; (p = memmem(p, len - (size_t)(p - data), from, n)); p += n) {
        memcpy(p, to, n);
        found++;
    }
    if (!found)
        fail_msg("\"%s\" not found", from);
}

char *placement_range(const char *name, int first, int last, const char *upah)
{
    int n = (first < last ? last - first : first - last) + 1, step = first <= last ? 1 : -1;
    size_t cap = (size_t)n * 160 + 256, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "%s", PLACEMENT_HEADER);
    for (int i = 0, k = first; i < n; i++, k += step)
        len += (size_t)snprintf(buf + len, cap - len,
                                "%d;GEN-%05d;" BEKASI_NIK_1 ";2;09/02/1989;3;32;3275;85154;"
                                "7214.03;PT Garmen Indah Lestari;%s;20/08/2025;4;AKL\r\n",
                                i + 1, k, upah);
    char *path = tu_write(name, buf, len);
    free(buf);
    return path;
}

/* ---- walidata as a process of its own ---- */

/* The processes a test started and has not reaped yet: a test that fails midway leaves
 * them stopped or running, and the teardown kills them. */
static pid_t children[8];

static void child_started(pid_t pid)
{
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (!children[i]) {
            children[i] = pid;
            return;
        }
    fail_msg("too many walidata processes at once");
}

void child_reaped(pid_t pid)
{
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (children[i] == pid)
            children[i] = 0;
}

int kill_children(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (children[i]) {
            kill(children[i], SIGKILL);
            waitpid(children[i], NULL, 0);
            children[i] = 0;
        }
    return 0;
}

void spawn_va(struct stopped_load *s, const struct warehouse *w, const char *fault, const char *arg,
              va_list ap)
{
    static int seq;
    seq++;
    snprintf(s->out, sizeof(s->out), "%s/spawn-%d.out", tu_tmpdir(), seq);
    snprintf(s->err, sizeof(s->err), "%s/spawn-%d.err", tu_tmpdir(), seq);
    char *argv[64];
    wd_argv(w, argv, arg, ap);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        int o = open(s->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(s->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (fault)
            setenv("WALIDATA_FAULT", fault, 1);
        else
            unsetenv("WALIDATA_FAULT");
        execv(argv[0], argv);
        _exit(127);
    }
    child_started(s->pid);
}

void start_stopped(struct stopped_load *s, const struct warehouse *w, const char *fault,
                   const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    spawn_va(s, w, fault, arg, ap);
    va_end(ap);
    for (int i = 0; i < 6000; i++) { /* 60 s */
        int st;
        pid_t r = waitpid(s->pid, &st, WUNTRACED | WNOHANG);
        if (r == s->pid) {
            if (WIFSTOPPED(st))
                return;
            child_reaped(s->pid);
            char *err = tu_read(s->err, NULL);
            fail_msg("the load with WALIDATA_FAULT=%s ended (status 0x%x) before it stopped: %s",
                     fault, st, err ? err : "");
        }
        tu_sleep_ms(10);
    }
    fail_msg("the load with WALIDATA_FAULT=%s did not stop within 60 s", fault);
}

int wait_exit(struct stopped_load *s, long timeout_ms)
{
    for (long t = 0; t < timeout_ms; t += 10) {
        int st;
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid) {
            child_reaped(s->pid);
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        tu_sleep_ms(10);
    }
    fail_msg("walidata did not end within %ld ms", timeout_ms);
    return -1;
}

int continue_stopped(struct stopped_load *s)
{
    assert_int_equal(kill(s->pid, SIGCONT), 0);
    return wait_exit(s, 60000);
}
