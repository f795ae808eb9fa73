/*
 * loadutil.h - what the integration tests of `walidata load` share (test_load_publish.c,
 * test_load_faults.c, test_load_concurrent.c, test_load_privacy.c): the samples they load and
 * the arrival days that make them timely, a placement file's header, the mappings folder of
 * their own, and walidata run as a process of its own that may stop itself at a named point
 * (WALIDATA_FAULT). Implemented in loadutil.c, linked into every test.
 *
 * Every process started here is remembered until it is reaped: the teardown of each load test,
 * kill_children, kills what a failed test left stopped or running.
 */
#ifndef WD_LOADUTIL_H
#define WD_LOADUTIL_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "dbassert.h"

#define BEKASI "tests/samples/penempatan_tenaga_kerja/penempatan_2025-08_kota_bekasi.csv"
#define UMP_2024 "tests/samples/upah_minimum_provinsi/ump_2024_ditjen_phi_jamsos.csv"
/* Arrival days that make the samples timely, so that scores do not depend on today. */
#define BEKASI_ARRIVED "2025-09-10"
#define UMP_ARRIVED "2025-01-10"

#define PLACEMENT_HEADER                                                                           \
    "NO;ID;NIK;JK;TGL_LAHIR;PENDIDIKAN;KODE_PROV;KODE_KAB;KBLI;KBJI;PERUSAHAAN;UPAH;"              \
    "TGL_PENEMPATAN;STATUS;MEKANISME\r\n"
/* The first row of the Bekasi sample, with its NIK. */
#define BEKASI_NIK_1 "3275024902897738"

/* Two definitions of our own, in a mappings folder of their own: uji_teks (upsert by id; a
 * free text, a dropped name, a personal phone number, a short code) and uji_append (append,
 * no key). db migrate with this folder makes just these two tables. */
#define UJI_MAPPINGS "tests/integration/data/mappings"

/* Loads the Bekasi sample (arrived in time) and asserts it was published. */
void load_bekasi(const struct warehouse *w);

/* Replaces every occurrence of from in data (len bytes) by to, of the same length; fails
 * the test when there is none. */
void replace_all(char *data, size_t len, const char *from, const char *to);

/* A placement file (the shipped definition's dialect) of the keys GEN-<first> to GEN-<last>
 * in that order (descending when last < first), every row valid and with the wage given
 * ("4.500.000,00"); returns its path in the test's folder (caller frees). */
char *placement_range(const char *name, int first, int last, const char *upah);

/* ---- running a load that stops itself (WALIDATA_FAULT) ---- */

/* A walidata process started here, and the files its stdout and stderr go to. */
struct stopped_load {
    pid_t pid;
    char out[PATH_MAX], err[PATH_MAX];
};

/* The teardown of every load test: kills and reaps the processes the test started and has
 * not reaped yet (a test that fails midway leaves them stopped or running). Returns 0. */
int kill_children(void **state);

/* Forgets a process the test has reaped itself, so that the teardown does not kill it. */
void child_reaped(pid_t pid);

/* Starts walidata ARGS as a process of its own, with WALIDATA_FAULT=fault unless NULL; its
 * stdout and stderr go to the files s->out and s->err. */
void spawn_va(struct stopped_load *s, const struct warehouse *w, const char *fault, const char *arg,
              va_list ap);

/* Starts walidata ARGS with WALIDATA_FAULT=fault, and waits until it stops there. */
void start_stopped(struct stopped_load *s, const struct warehouse *w, const char *fault,
                   const char *arg, ...);

/* Waits for a process started by spawn_va to end; returns its exit status. After timeout_ms it
 * is killed and the test fails. */
int wait_exit(struct stopped_load *s, long timeout_ms);

/* Lets a stopped load go on; returns its exit status. */
int continue_stopped(struct stopped_load *s);

#endif
