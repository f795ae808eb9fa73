/*
 * copy.c - COPY FROM STDIN in text format, buffered.
 */
#include "copy.h"

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

static int send_piece(struct wd_copy *c, struct wd_error *err)
{
    if (c->buf.len == 0)
        return 0;
    if (PQputCopyData(c->db->conn, c->buf.data, (int)c->buf.len) != 1)
        return wd_db_error(c->db, NULL, err);
    wd_buf_reset(&c->buf);
    if (c->watch && !c->answered && server_spoke(c))
        c->answered = true;
    return 0;
}

int wd_copy_end_row(struct wd_copy *c, struct wd_error *err)
{
    if (!c->binary)
        wd_buf_putc(&c->buf, '\n');
    c->in_row = false;
    c->rows++;
    return c->buf.len >= WD_COPY_CHUNK ? send_piece(c, err) : 0;
}

int wd_copy_finish(struct wd_copy *c, struct wd_error *err)
{
    if (c->binary)
        wd_binary_trailer(&c->buf);
    int rc = send_piece(c, err);
    wd_buf_free(&c->buf);
    if (rc == 0 && PQputCopyEnd(c->db->conn, NULL) != 1)
        rc = wd_db_error(c->db, NULL, err);
    PGresult *res;
    while ((res = PQgetResult(c->db->conn))) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
            rc = wd_db_error(c->db, res, err);
        }
        PQclear(res);
    }
    return rc;
}

int wd_copy_stop(struct wd_copy *c, const char *why, struct wd_error *err)
{
    int rc = 0;
    if (PQputCopyEnd(c->db->conn, why) != 1)
        rc = wd_db_error(c->db, NULL, err);
    PGresult *res;
    while ((res = PQgetResult(c->db->conn))) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
            rc = wd_db_error(c->db, res, err);
        }
        PQclear(res);
    }
    wd_buf_free(&c->buf);
    return rc;
}

void wd_copy_abort(struct wd_copy *c, const char *why)
{
    (void)wd_copy_stop(c, why, NULL);
}
