/*
 * load.c - one run: streaming the source through the validator into COPY, checking that its
 * content is new, and deciding what the run is. The statements that publish and record it
 * are publish.c.
 */
#include "load.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../connectors/connector.h"
#include "content_hash.h"
#include "load_internal.h"
#include "mem.h"
#include "quality.h"
#include "validate.h"
#include "version.h"

const char *wd_run_state_name(enum wd_run_state s)
{
    static const char *const names[] = {"published", "refused", "duplicate"};
    return names[s];
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wd__fault(const struct wd__load *l, const char *point)
{
    if (l->fault && strcmp(l->fault, point) == 0)
        raise(SIGSTOP);
}

static void progress(struct wd__load *l, uint64_t row, bool last)
{
    if (!l->opt->progress)
        return;
    double t = now_seconds();
    if (!last && t - l->last_progress < 0.5)
        return;
    l->last_progress = t;
    double secs = t - l->started;
    fprintf(stderr, "\r  %s: %llu rows, %.0f rows/s ", l->path, (unsigned long long)row,
            secs > 0 ? (double)row / secs : 0.0);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

static int on_row(void *ctx, const struct wd_good_row *row)
{
    struct wd__load *l = ctx;
    const struct wd_definition *def = l->def;
    char pseudo[WD_PSEUDONYM_LEN + 1];
    unsigned char pseudo_bytes[WD_PSEUDONYM_BYTES];
    struct wd_buf *b = &l->copy.buf;
    wd_binary_row(b, (int)l->nstored + 1);
    for (size_t i = 0; i < row->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (f->privacy == WD_PRIVACY_DROP)
            continue;
        const char *v = row->values[i];
        size_t len = row->lens[i];
        if (v && f->privacy == WD_PRIVACY_PSEUDONYMIZE) {
            if (l->pseudonym_hex[i]) {
                wd_pseudonymize(l->pseudonymizer, v, len, pseudo);
                v = pseudo;
                len = WD_PSEUDONYM_LEN;
            } else {
                /* bytea's binary form is its bytes, as text's is */
                wd_pseudonymize_bytes(l->pseudonymizer, v, len, pseudo_bytes);
                v = (const char *)pseudo_bytes;
                len = WD_PSEUDONYM_BYTES;
            }
        }
        if (!wd_binary_value(b, l->types[i], v, len)) {
            /* the validator's canonical text always encodes: this is a bug, not data */
            l->copy_failed = true;
            wd_error_set(&l->copy_err, WD_EDB, "internal error: value \"%.*s\" of field %s "
                         "has no binary form", (int)(len > 60 ? 60 : len), v, f->name);
            return WD_EDB;
        }
    }
    wd_buf_append(b, l->run_id_value.data, l->run_id_value.len);
    if (wd_copy_end_row(&l->copy, &l->copy_err) < 0) {
        l->copy_failed = true;
        return WD_EDB;
    }
    /* the server failed the COPY midway: reading on is of no use to it */
    return l->copy.answered ? WD_EDB : 0;
}

static void on_failure(void *ctx, const struct wd_failure *f)
{
    struct wd__load *l = ctx;
    wd_report_failure(l->rep, f);
    /* the row as etl.reject takes it: run, row, line, field, rule, value, message, rejects */
    struct wd_buf *b = &l->line;
    wd_buf_reset(b);
    wd_buf_printf(b, "%s\t%llu\t%llu\t", l->run_id, (unsigned long long)f->row,
                  (unsigned long long)f->line);
    if (f->field >= 0)
        wd_copy_escape(b, l->def->fields[f->field].name, strlen(l->def->fields[f->field].name));
    else
        wd_buf_append(b, "\\N", 2);
    wd_buf_printf(b, "\t%s\t", wd_rule_names[f->rule]);
    /* personal values are not kept in the rejects either */
    if (f->field >= 0 && l->def->fields[f->field].personal) {
        wd_buf_append(b, "\\N", 2);
    } else {
        char *v = wd_report_printable(f->value, f->value_len, 1000);
        wd_copy_escape(b, v, strlen(v));
        free(v);
    }
    wd_buf_putc(b, '\t');
    wd_copy_escape(b, f->message, strlen(f->message));
    wd_buf_printf(b, "\t%s\n", f->rejects ? "t" : "f");
    if (fwrite(b->data, 1, b->len, l->rejects) == b->len)
        l->nrejects++;
}

static void on_record(void *ctx, const struct wd_record *rec, const size_t *colmap)
{
    struct wd__load *l = ctx;
    if (l->opt->observe)
        l->opt->observe(l->opt->hook_ctx, rec, colmap);
}

static int check_content_midway(struct wd__load *l);

static int on_end(void *ctx, uint64_t row, bool rejected)
{
    (void)rejected;
    struct wd__load *l = ctx;
    progress(l, row, false);
    if (row == 1000)
        wd__fault(l, "stop-in-copy");
    if (!l->content_checked && l->content && (row & 1023) == 0 &&
        wd_content_hash_ready(l->content) && check_content_midway(l) < 0)
        return WD_EDB;
    /* a run that lasts, however fast the machine: 10 ms every thousand rows */
    if (row % 1000 == 0 && l->fault && strcmp(l->fault, "slow-rows") == 0)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    if (l->opt->cancel && atomic_load(l->opt->cancel))
        return WD_ECANCELLED;
    return 0;
}

/* "col1", "col2", ... of the stored fields. */
static char *column_list(struct wd_db *db, const struct wd_definition *def)
{
    struct wd_buf b;
    wd_buf_init(&b, 0);
    wd_buf_append(&b, "", 0);
    for (size_t i = 0; i < def->nfields; i++) {
        if (def->fields[i].privacy == WD_PRIVACY_DROP)
            continue;
        char *q = wd_db_ident(db, def->fields[i].name);
        wd_buf_printf(&b, "%s%s", b.len ? ", " : "", q);
        PQfreemem(q);
    }
    return b.data;
}

/* Which pseudonymized fields the table keeps as hex text (made before 0.3.0). */
static int pseudonym_columns(struct wd__load *l, struct wd_error *err)
{
    if (!l->pseudonymizer)
        return 0;
    const char *p[1] = {l->def->table};
    PGresult *res = wd_db_query(l->db,
                                "SELECT column_name FROM information_schema.columns WHERE "
                                "table_schema = 'walidata' AND table_name = $1 AND "
                                "data_type = 'text'",
                                1, p, err);
    if (!res)
        return WD_EDB;
    for (int r = 0; r < PQntuples(res); r++) {
        int i = wd_definition_field(l->def, PQgetvalue(res, r, 0));
        if (i >= 0)
            l->pseudonym_hex[i] = true;
    }
    PQclear(res);
    return 0;
}

/* Starts the run: its row in etl.run. */
static int start_run(struct wd__load *l, struct wd_error *err)
{
    char arrived[24];
    snprintf(arrived, sizeof(arrived), "%lld", (long long)l->opt->arrival_day);
    const char *p[7] = {l->def->name, l->def->version, l->path, l->opt->force ? "t" : "f",
                        WD_VERSION, arrived, l->opt->job};
    PGresult *res = wd_db_query(l->db,
                                l->opt->job
                                    ? "INSERT INTO etl.run (dataset, definition_version, "
                                      "source_name, forced, walidata_version, arrived_on, job) "
                                      "VALUES ($1, $2, $3, $4, $5, date '1970-01-01' + "
                                      "$6::integer, $7) RETURNING run_id"
                                    : "INSERT INTO etl.run (dataset, definition_version, "
                                      "source_name, forced, walidata_version, arrived_on) VALUES "
                                      "($1, $2, $3, $4, $5, date '1970-01-01' + $6::integer) "
                                      "RETURNING run_id",
                                l->opt->job ? 7 : 6, p, err);
    if (!res)
        return WD_EDB;
    snprintf(l->run_id, sizeof(l->run_id), "%s", PQgetvalue(res, 0, 0));
    wd_buf_init(&l->run_id_value, 0);
    wd_binary_value(&l->run_id_value, WD_BIN_INT8, l->run_id, strlen(l->run_id));
    l->out->run_id = atoll(l->run_id);
    PQclear(res);
    return 0;
}

/*
 * Once the content's hash is known: one run at a time for the same content of the same
 * dataset, and content published before makes this run a duplicate. Returns 1 when it is
 * (and the run is not forced). A query result keeps its own place in its source instead.
 */
static int check_content(struct wd__load *l, struct wd_error *err)
{
    l->content_checked = true;
    if (l->given)
        return 0;
    if (!l->sha_known) {
        int rc = wd_content_hash_finish(l->content, l->sha_hex, err);
        l->content = NULL;
        if (rc < 0)
            return rc;
        l->sha_known = true;
    }
    char key[200];
    snprintf(key, sizeof(key), "%s:%s", l->def->name, l->sha_hex);
    const char *k[1] = {key};
    if (wd_db_command(l->db, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, k,
                      err) < 0)
        return WD_EDB;
    const char *d[2] = {l->def->name, l->sha_hex};
    PGresult *res = wd_db_query(l->db,
                                "SELECT run_id FROM etl.source_item WHERE dataset = $1 AND "
                                "sha256 = decode($2, 'hex') AND published ORDER BY run_id DESC "
                                "LIMIT 1",
                                2, d, err);
    if (!res)
        return WD_EDB;
    int dup = PQntuples(res) > 0;
    if (dup)
        l->out->duplicate_of = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    l->duplicate = dup && !l->opt->force;
    return l->duplicate;
}

/*
 * The hash arrived while the rows stream (after about 75 ms for a million rows): the COPY so
 * far is ended, its rows staying under the run's savepoint, the content is checked, and a
 * new COPY carries on unless the content was a duplicate. The server thus never waits for
 * the hash, and a duplicate costs a few thousand rows, not the file.
 */
static int check_content_midway(struct wd__load *l)
{
    uint64_t rows = l->copy.rows;
    bool watch = l->copy.watch;
    l->copy_ended = true;
    int rc = wd_copy_finish(&l->copy, &l->copy_err);
    if (rc == 0 && (rc = check_content(l, &l->copy_err)) == 0 &&
        (rc = wd_copy_begin_binary(&l->copy, l->db, l->copy_sql, &l->copy_err)) == 0) {
        l->copy_ended = false;
        l->copy.rows = rows;
        l->copy.watch = watch;
        /* the rows so far are in the table (and their keys taken), the rest still to send */
        wd__fault(l, "stop-after-content-check");
        return 0;
    }
    return WD_EDB; /* stream_once says why: the COPY's error, or the duplicate */
}

#define KNOWN_KEY 1 /* stream_once: an upsert's COPY into the table met a key it holds */
#define STOPPED_COPY "walidata stopped the COPY to read the server's answer"
#define DUPLICATE 2 /* stream: the content was published before */

/* Streams the source once into COPY: into the dataset's table when l->direct, else into
 * wd_stage. Returns 0, or KNOWN_KEY, or WD_EDB when the warehouse failed (the run is
 * abandoned), or WD_ECANCELLED; an unreadable file is *file_rc (the run is then refused). */
static int stream_once(struct wd__load *l, int *file_rc, struct wd_error *file_err,
                       struct wd_error *err)
{
    struct wd_buf sql;
    wd_buf_init(&sql, 0);
    int rc = 0;
    if (!l->direct) {
        wd_buf_printf(&sql, "CREATE TEMP TABLE wd_stage ON COMMIT DROP AS SELECT %s, _run_id "
                            "FROM %s WITH NO DATA",
                      l->columns, l->table);
        rc = wd_db_exec(l->db, sql.data, err);
        wd_buf_reset(&sql);
        wd_buf_printf(&sql, "COPY wd_stage (%s, _run_id) FROM STDIN (FORMAT binary)",
                      l->columns);
    } else {
        wd_buf_printf(&sql, "COPY %s (%s, _run_id) FROM STDIN (FORMAT binary)", l->table,
                      l->columns);
    }
    l->copy_ended = l->copy_failed = false;
    if (rc == 0)
        rc = wd_copy_begin_binary(&l->copy, l->db, sql.data, err);
    free(l->copy_sql);
    l->copy_sql = sql.data;
    if (rc < 0)
        return rc;
    /* an upsert straight into the table fails at the first key already there */
    l->copy.watch = l->direct && l->def->mode == WD_MODE_UPSERT;
    struct wd_stream *in = NULL;
    struct wd_stream *hashing = NULL;
    struct wd_validation v;
    memset(&v, 0, sizeof(v));
    if (l->given) {
        in = hashing = wd_hashing_stream_open(l->given);
        *file_rc = 0;
    } else {
        *file_rc = wd_file_stream_open(l->path, &in, file_err);
    }
    if (*file_rc == 0) {
        struct wd_sink sink = {l, on_row, on_failure, on_record, on_end};
        struct wd_validate_options vo = {true, l->opt->arrival_day};
        *file_rc = wd_validate_ex(l->def, l->codes, in, &sink, &vo, &v, file_err);
        if (hashing)
            wd_hashing_stream_result(hashing, l->sha_hex, l->size);
        wd_stream_close(in);
    }
    if (l->copy_ended) { /* at the content check */
        wd_validation_free(&v);
        if (l->duplicate)
            return DUPLICATE;
        if (l->copy.watch && strcmp(l->copy.sqlstate, "23505") == 0)
            return KNOWN_KEY;
        *err = l->copy_err; /* the COPY's error, or the hash's (an unreadable file) */
        return l->copy_err.code ? l->copy_err.code : WD_EDB;
    }
    if (l->copy.answered) {
        wd_validation_free(&v);
        rc = wd_copy_stop(&l->copy, STOPPED_COPY, err);
        if (l->opt->cancel && atomic_load(l->opt->cancel))
            return wd_error_set(err, WD_ECANCELLED, "the run was cancelled: walidata is stopping");
        /* a key the table holds; or the server said something else (a WARNING) and our
         * own CopyFail ended the COPY: staging is right for both */
        if (strcmp(l->copy.sqlstate, "23505") == 0 ||
            (strcmp(l->copy.sqlstate, "57014") == 0 && strstr(err->msg, STOPPED_COPY)))
            return KNOWN_KEY;
        return rc < 0 ? rc : WD_EDB;
    }
    progress(l, v.counts.rows, true);
    if (*file_rc == WD_ECANCELLED) {
        wd_copy_abort(&l->copy, "walidata is stopping");
        wd_validation_free(&v);
        return wd_error_set(err, WD_ECANCELLED, "the run was cancelled: walidata is stopping");
    }
    if (l->copy_failed) {
        wd_copy_abort(&l->copy, "walidata stopped the load");
        *err = l->copy_err;
        wd_validation_free(&v);
        return WD_EDB;
    }
    if (*file_rc < 0 && !file_err->file[0])
        wd_error_file(file_err, l->path);
    wd_report_finish(l->rep, *file_rc, &v, file_err);
    if (*file_rc < 0) {
        wd_copy_abort(&l->copy, "the file could not be read");
        return 0;
    }
    rc = wd_copy_finish(&l->copy, err);
    return rc < 0 && l->copy.watch && strcmp(l->copy.sqlstate, "23505") == 0 ? KNOWN_KEY : rc;
}

/* Forgets what a first reading found: its failures, its rejects. */
static int start_over(struct wd__load *l, struct wd_error *err)
{
    wd_report_reset(l->rep);
    l->nrejects = 0;
    if (fflush(l->rejects) != 0 || ftruncate(fileno(l->rejects), 0) != 0 ||
        fseek(l->rejects, 0, SEEK_SET) != 0)
        return wd_error_set(err, WD_EIO, "could not empty the temporary file of rejected rows");
    return 0;
}

/*
 * Streams the source into COPY. An append COPYs into the dataset's table, under the run's
 * savepoint. So does an upsert from a file, as long as every key is new (a month of
 * placements or trainings): COPY is the cheapest insert there is (2.1 s a million rows
 * here, against 1.5 s of COPY into wd_stage and 2.2 s of INSERT ... SELECT from it). The
 * first key already in the table fails that COPY (unique_violation): the attempt is rolled
 * back and the file read again into wd_stage, for INSERT ... ON CONFLICT. A query result
 * cannot be read twice, so an upsert from one and a replace always go through wd_stage.
 */
static int stream(struct wd__load *l, int *file_rc, struct wd_error *file_err,
                  struct wd_error *err)
{
    l->direct = l->def->mode == WD_MODE_APPEND || (l->def->mode == WD_MODE_UPSERT && !l->given);
    int rc = stream_once(l, file_rc, file_err, err);
    if (rc == KNOWN_KEY) {
        wd__fault(l, "stop-in-upsert-fallback");
        wd_error_clear(err);
        wd_error_clear(file_err);
        if ((rc = wd_db_exec(l->db, "ROLLBACK TO SAVEPOINT data", err)) < 0 ||
            (rc = start_over(l, err)) < 0)
            return rc;
        l->direct = false;
        l->known_keys = true;
        l->content_checked = false; /* its lock went with the savepoint: taken again */
        rc = stream_once(l, file_rc, file_err, err);
    }
    if (rc == 0 && !l->content_checked) {
        /* an unreadable file's COPY was abandoned, and the transaction with it */
        if (*file_rc < 0 && (rc = wd_db_exec(l->db, "ROLLBACK TO SAVEPOINT data", err)) < 0)
            return rc;
        rc = check_content(l, err);
        if (rc > 0)
            rc = DUPLICATE;
    } else if (rc == WD_EDB && !l->content_checked && !l->given &&
               PQstatus(l->db->conn) == CONNECTION_OK) {
        /* a re-sent file fails an append's COPY at its first key (or waits for a run of
         * the same content to commit, then fails): a duplicate, when its content says so */
        struct wd_error dup_err;
        wd_error_clear(&dup_err);
        if (wd_db_exec(l->db, "ROLLBACK TO SAVEPOINT data", &dup_err) == 0 &&
            check_content(l, &dup_err) > 0)
            rc = DUPLICATE;
    }
    return rc;
}

static int run_load(struct wd__load *lp, struct wd_error *err);

/* What PostgreSQL asks to be run again: a deadlock (40P01) between two runs that insert
 * the same keys in other orders, or a serialization failure (40001). */
static bool worth_again(int rc, const struct wd_error *err, const struct wd_load_options *opt)
{
    return rc == WD_EDB && (strcmp(err->sqlstate, "40P01") == 0 ||
                            strcmp(err->sqlstate, "40001") == 0) &&
           !(opt->cancel && atomic_load(opt->cancel));
}

int wd_load_file(struct wd_db *db, const struct wd_definition *def, const struct wd_codes *codes,
                 const char *path, const struct wd_load_options *opt, struct wd_report *rep,
                 struct wd_load_result *out, struct wd_error *err)
{
    for (int attempt = 1;; attempt++) {
        memset(out, 0, sizeof(*out));
        struct wd__load l = {.db = db, .def = def, .codes = codes, .path = path, .opt = opt,
                             .rep = rep, .out = out};
        int rc = run_load(&l, err);
        out->attempts = attempt;
        if (!worth_again(rc, err, opt))
            return rc;
        if (attempt == WD_LOAD_ATTEMPTS) {
            wd_error_hint(err, "The load was run %d times and rolled back the same way each "
                               "time: another run is writing the same keys of %s. Load the "
                               "files one after the other.",
                          attempt, def->name);
            return rc;
        }
        /* the run left nothing: the file is read again, by a new run, after a pause of its
         * own length (0.1-0.3 s, more at each attempt), so that the two runs that met do
         * not start again in step and meet once more */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = 100L * attempt + (long)(((unsigned long)now.tv_nsec ^ (unsigned long)getpid()) %
                                          200);
        nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
        wd_report_reset(rep);
        wd_error_clear(err);
    }
}

int wd_load_stream(struct wd_db *db, const struct wd_definition *def, const struct wd_codes *codes,
                   const char *name, struct wd_stream *in, const struct wd_load_options *opt,
                   struct wd_report *rep, struct wd_load_result *out, struct wd_error *err)
{
    memset(out, 0, sizeof(*out));
    struct wd__load l = {.db = db, .def = def, .codes = codes, .path = name, .opt = opt,
                         .rep = rep, .out = out, .given = in};
    return run_load(&l, err);
}

static int run_load(struct wd__load *lp, struct wd_error *err)
{
    struct wd__load l = *lp;
    const struct wd_definition *def = l.def;
    const struct wd_load_options *opt = l.opt;
    struct wd_db *db = l.db;
    struct wd_load_result *out = l.out;
    struct wd_report *rep = l.rep;
    const char *path = l.path;
    l.fault = getenv("WALIDATA_FAULT");
    l.started = l.last_progress = now_seconds();
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].privacy == WD_PRIVACY_PSEUDONYMIZE && !opt->pseudonym) {
            wd_error_set(err, WD_ECONFIG, "dataset %s pseudonymizes field %s, but no pseudonym "
                         "key is configured", def->name, def->fields[i].name);
            snprintf(err->field, sizeof(err->field), "pseudonym_key_file");
            wd_error_hint(err, "Set pseudonym_key_file in the configuration to a file holding "
                               "a secret key of at least %d bytes.", WD_PSEUDONYM_KEY_MIN);
            return WD_ECONFIG;
        }
    int rc = l.given ? 0 : wd_content_hash_start(path, l.size, &l.content, err);
    if (rc < 0)
        return rc;
    l.table = wd_db_ident(db, def->table);
    {
        size_t n = strlen(l.table) + 16;
        char *q = wd_malloc(n);
        snprintf(q, n, "walidata.%s", l.table);
        PQfreemem(l.table);
        l.table = q;
    }
    l.columns = column_list(db, def);
    l.types = wd_calloc(def->nfields, sizeof(*l.types));
    l.pseudonym_hex = wd_calloc(def->nfields, sizeof(*l.pseudonym_hex));
    for (size_t i = 0; i < def->nfields; i++) {
        l.types[i] = wd_binary_type(&def->fields[i]);
        l.nstored += def->fields[i].privacy != WD_PRIVACY_DROP;
        if (def->fields[i].privacy == WD_PRIVACY_PSEUDONYMIZE && !l.pseudonymizer)
            l.pseudonymizer = wd_pseudonymizer_new(opt->pseudonym);
    }
    l.rejects = tmpfile();
    wd_buf_init(&l.line, 0);
    if (!l.rejects) {
        rc = wd_error_set(err, WD_EIO, "could not create a temporary file for rejected rows");
        goto out;
    }
    if ((rc = wd_db_exec(db, "BEGIN", err)) < 0)
        goto out;
    if ((rc = pseudonym_columns(&l, err)) < 0)
        goto rollback;
    if ((rc = start_run(&l, err)) < 0 || (rc = wd_db_exec(db, "SAVEPOINT data", err)) < 0)
        goto rollback;
    int file_rc = 0;
    struct wd_error file_err;
    wd_error_clear(&file_err);
    rc = stream(&l, &file_rc, &file_err, err);
    if (rc == DUPLICATE) {
        /* nothing of it is kept, not even what the validation found so far */
        out->state = WD_RUN_DUPLICATE;
        snprintf(out->reason, sizeof(out->reason), "the same content was published by run %lld",
                 (long long)out->duplicate_of);
        if ((rc = wd_db_exec(db, "ROLLBACK TO SAVEPOINT data", err)) < 0 ||
            (rc = start_over(&l, err)) < 0)
            goto rollback;
    } else if (rc < 0) {
        goto rollback;
    } else {
        /* a query with nothing new is a run that found nothing, not a refusal */
        if (l.given && file_rc == 0 && rep->validation.counts.rows == 0) {
            rep->quality.accepted = true;
            rep->quality.refusal[0] = '\0';
        }
        if (file_rc < 0 || !rep->quality.accepted) {
            out->state = WD_RUN_REFUSED;
            snprintf(out->reason, sizeof(out->reason), "%s", rep->quality.refusal);
            if ((rc = wd_db_exec(db, "ROLLBACK TO SAVEPOINT data", err)) < 0)
                goto rollback;
        } else {
            out->state = WD_RUN_PUBLISHED;
            if ((rc = wd__publish(&l, err)) < 0)
                goto rollback;
        }
    }
    if ((rc = wd__record(&l, err)) < 0 || (rc = wd__finish_run(db, out->run_id, err)) < 0)
        goto rollback;
    if (opt->before_commit && (rc = opt->before_commit(opt->hook_ctx, db, out, err)) < 0)
        goto rollback;
    wd__fault(&l, "stop-before-commit");
    if ((rc = wd_db_exec(db, "COMMIT", err)) < 0)
        goto rollback;
    rc = 0;
    goto out;
rollback:
    if (PQstatus(db->conn) == CONNECTION_OK)
        wd_db_exec(db, "ROLLBACK", NULL);
    if (!err->detail[0])
        wd_error_detail(err, "The run was rolled back: nothing of %s was published or recorded.",
                        path);
out:
    wd_content_hash_cancel(l.content);
    free(l.copy_sql);
    wd_buf_free(&l.run_id_value);
    if (l.rejects)
        fclose(l.rejects);
    wd_buf_free(&l.line);
    free(l.table);
    free(l.columns);
    free(l.types);
    free(l.pseudonym_hex);
    wd_pseudonymizer_free(l.pseudonymizer);
    return rc;
}
