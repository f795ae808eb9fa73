/*
 * copy.c - COPY FROM STDIN in text format, buffered.
 */
#include "copy.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "binary.h"

void wd_copy_escape(struct wd_buf *b, const char *v, size_t len)
{
    wd_buf_reserve(b, len * 2);
    char *o = b->data + b->len;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        switch (c) {
        case '\\':
            *o++ = '\\';
            *o++ = '\\';
            break;
        case '\t':
            *o++ = '\\';
            *o++ = 't';
            break;
        case '\n':
            *o++ = '\\';
            *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\';
            *o++ = 'r';
            break;
        default:
            *o++ = c;
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

/*
 * A Unix socket's default send buffer (about 200 KiB) holds three pieces of rows: the
 * client then waits for the server to drain it, and the server for the client to fill it,
 * each a scheduler wake-up. Four MiB (the kernel caps it at net.core.wmem_max) lets both
 * run at their own pace: 2.59 s -> 2.47 s for a million rows here (bench/). TCP sizes its
 * buffers itself.
 */
static void widen_send_buffer(PGconn *conn)
{
    int fd = PQsocket(conn);
    struct sockaddr_storage addr;
    socklen_t len = sizeof(addr);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0 ||
        addr.ss_family != AF_UNIX)
        return;
    int size = 4 << 20;
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int wd_copy_begin(struct wd_copy *c, struct wd_db *db, const char *sql, struct wd_error *err)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    wd_buf_init(&c->buf, 0);
    widen_send_buffer(db->conn);
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_COPY_IN)
        rc = wd_db_error(db, res, err);
    PQclear(res);
    /* sends that never wait, so that ship() can go on encoding while the socket is full;
     * should it fail, sends wait as before, which is slower but as correct */
    if (rc == 0)
        (void)PQsetnonblocking(db->conn, 1);
    return rc;
}

int wd_copy_begin_binary(struct wd_copy *c, struct wd_db *db, const char *sql,
                         struct wd_error *err)
{
    int rc = wd_copy_begin(c, db, sql, err);
    if (rc == 0) {
        c->binary = true;
        wd_binary_header(&c->buf);
    }
    return rc;
}

void wd_copy_value(struct wd_copy *c, const char *v, size_t len)
{
    if (c->in_row)
        wd_buf_putc(&c->buf, '\t');
    c->in_row = true;
    if (!v)
        wd_buf_append(&c->buf, "\\N", 2);
    else
        wd_copy_escape(&c->buf, v, len);
}

/* During COPY FROM STDIN the server says nothing until the end unless the COPY failed:
 * anything to read on the socket means it did. */
static bool server_spoke(const struct wd_copy *c)
{
    struct pollfd p = {.fd = PQsocket(c->db->conn), .events = POLLIN};
    return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

/*
 * Waits until the socket takes bytes again, or has failed (PQflush then says which);
 * WD_EDB when it cannot wait at all. What the server says meanwhile is read into libpq, as
 * its documentation asks: a server sending notices while the client sends rows would
 * otherwise fill the other direction and wait for the client, which waits for it. During
 * COPY FROM STDIN the server speaks only to warn, or when the COPY failed: a watched COPY
 * takes it as answered.
 */
static int wait_writable(struct wd_copy *c, struct wd_error *err)
{
    PGconn *conn = c->db->conn;
    struct pollfd p = {.fd = PQsocket(conn), .events = POLLOUT | POLLIN};
    int n;
    while (p.fd >= 0 && (n = poll(&p, 1, -1)) < 0 && errno == EINTR)
        ;
    if (p.fd < 0 || n < 0)
        return wd_error_set(err, WD_EDB, "database error: could not wait for the server to "
                            "take more rows: %s", p.fd < 0 ? "no connection" : strerror(errno));
    if (p.revents & POLLIN) {
        if (c->watch)
            c->answered = true;
        (void)PQconsumeInput(conn); /* a failure shows in the next PQflush or result */
    }
    return 0;
}

/*
 * Hands the buffer to libpq a piece at a time, without waiting while the backlog is short.
 * A blocked send on a Unix socket sleeps until the server has drained three quarters of
 * the socket's buffer (the kernel wakes writers at a quarter), and the server stops
 * draining now and then for its own writes (a WAL segment's fsync): a client that waited
 * left one core idle a tenth of a load (perf timeline, bench/). Now the client goes on
 * encoding rows into the buffer and tops the socket up at every piece; it waits only when
 * WD_COPY_BACKLOG bytes are queued, or when `all` asks for everything to be sent.
 *
 * libpq is given at most WD_COPY_CHUNK at once: it moves what a send leaves over to the
 * front of its buffer, and a large piece would be moved again at every partial send.
 */
static int ship(struct wd_copy *c, bool all, struct wd_error *err)
{
    PGconn *conn = c->db->conn;
    int pending, rc;
    while (c->handed < c->buf.len) {
        if ((pending = PQflush(conn)) < 0)
            return wd_db_error(c->db, NULL, err);
        if (pending) {
            if (!all && c->buf.len - c->handed < WD_COPY_BACKLOG)
                break;
            if ((rc = wait_writable(c, err)) < 0)
                return rc;
            continue;
        }
        size_t n = c->buf.len - c->handed;
        if (n > WD_COPY_CHUNK)
            n = WD_COPY_CHUNK;
        if (PQputCopyData(conn, c->buf.data + c->handed, (int)n) != 1)
            return wd_db_error(c->db, NULL, err);
        c->handed += n;
    }
    while (all && (pending = PQflush(conn)) != 0) {
        if (pending < 0)
            return wd_db_error(c->db, NULL, err);
        if ((rc = wait_writable(c, err)) < 0)
            return rc;
    }
    if (c->handed == c->buf.len) {
        wd_buf_reset(&c->buf);
        c->handed = 0;
    } else if (c->handed >= c->buf.len / 2) {
        /* what is left is the smaller part: each byte is moved at most once or twice */
        size_t left = c->buf.len - c->handed;
        memmove(c->buf.data, c->buf.data + c->handed, left);
        c->buf.len = left;
        c->buf.data[left] = '\0';
        c->handed = 0;
    }
    c->left_over = c->buf.len - c->handed;
    if (c->watch && !c->answered && server_spoke(c))
        c->answered = true;
    return 0;
}

/* Sends what is queued and gives the connection back blocking, as the rest of walidata
 * uses it; `discard` drops the rows libpq has not taken yet (the COPY is being failed). */
static int drain(struct wd_copy *c, bool discard, struct wd_error *err)
{
    if (discard) {
        c->buf.len = c->handed;
        if (c->buf.data)
            c->buf.data[c->buf.len] = '\0';
    }
    int rc = ship(c, true, err);
    if (PQsetnonblocking(c->db->conn, 0) != 0 && rc == 0)
        rc = wd_db_error(c->db, NULL, err);
    return rc;
}

/* Ships once a piece more than the last try left over has come: one send a piece, even
 * while the socket is full. */
static int ship_when_due(struct wd_copy *c, struct wd_error *err)
{
    return c->buf.len - c->handed >= c->left_over + WD_COPY_CHUNK ? ship(c, false, err) : 0;
}

int wd_copy_data(struct wd_copy *c, const void *data, size_t n, struct wd_error *err)
{
    if (!wd_buf_append(&c->buf, data, n))
        return wd_error_set(err, WD_EDB, "database error: no memory for %zu bytes of rows", n);
    return ship_when_due(c, err);
}

int wd_copy_end_row(struct wd_copy *c, struct wd_error *err)
{
    if (!c->binary)
        wd_buf_putc(&c->buf, '\n');
    c->in_row = false;
    c->rows++;
    return ship_when_due(c, err);
}

/* Ends the COPY, failing it with `why` unless NULL (the rows not taken yet are dropped
 * then), and reads the server's answer: its error's SQLSTATE goes to c->sqlstate. */
static int end_copy(struct wd_copy *c, const char *why, struct wd_error *err)
{
    int rc = drain(c, why != NULL, err);
    wd_buf_free(&c->buf);
    /* ended even when the rows could not all be sent, or libpq would stay in COPY and
     * answer every PQgetResult with another PGRES_COPY_IN */
    const char *fail = why ? why : rc < 0 ? "walidata could not send the rows" : NULL;
    if (PQputCopyEnd(c->db->conn, fail) != 1 && rc == 0)
        rc = wd_db_error(c->db, NULL, err);
    PGresult *res;
    while ((res = PQgetResult(c->db->conn))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) { /* still in COPY: give up */
            PQclear(res);
            if (rc == 0)
                rc = wd_db_error(c->db, NULL, err);
            break;
        }
        if (rc == 0 && st != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
            rc = wd_db_error(c->db, res, err);
        }
        PQclear(res);
    }
    return rc;
}

int wd_copy_finish(struct wd_copy *c, struct wd_error *err)
{
    if (c->binary)
        wd_binary_trailer(&c->buf);
    return end_copy(c, NULL, err);
}

int wd_copy_stop(struct wd_copy *c, const char *why, struct wd_error *err)
{
    return end_copy(c, why, err);
}

void wd_copy_abort(struct wd_copy *c, const char *why)
{
    (void)wd_copy_stop(c, why, NULL);
}
