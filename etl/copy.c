/*
 * copy.c - COPY FROM STDIN in text format, buffered.
 */
#include "copy.h"

#include <string.h>

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

int wd_copy_begin(struct wd_copy *c, struct wd_db *db, const char *sql, struct wd_error *err)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    wd_buf_init(&c->buf, 0);
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

static int send(struct wd_copy *c, struct wd_error *err)
{
    if (c->buf.len == 0)
        return 0;
    if (PQputCopyData(c->db->conn, c->buf.data, (int)c->buf.len) != 1)
        return wd_db_error(c->db, NULL, err);
    wd_buf_reset(&c->buf);
    return 0;
}

int wd_copy_end_row(struct wd_copy *c, struct wd_error *err)
{
    if (!c->binary)
        wd_buf_putc(&c->buf, '\n');
    c->in_row = false;
    c->rows++;
    return c->buf.len >= WD_COPY_CHUNK ? send(c, err) : 0;
}

int wd_copy_finish(struct wd_copy *c, struct wd_error *err)
{
    if (c->binary)
        wd_binary_trailer(&c->buf);
    int rc = send(c, err);
    wd_buf_free(&c->buf);
    if (rc == 0 && PQputCopyEnd(c->db->conn, NULL) != 1)
        rc = wd_db_error(c->db, NULL, err);
    PGresult *res;
    while ((res = PQgetResult(c->db->conn))) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = wd_db_error(c->db, res, err);
        PQclear(res);
    }
    return rc;
}

void wd_copy_abort(struct wd_copy *c, const char *why)
{
    PQputCopyEnd(c->db->conn, why);
    PGresult *res;
    while ((res = PQgetResult(c->db->conn)))
        PQclear(res);
    wd_buf_free(&c->buf);
}
