/*
 * pgsource.c - reading a unit's database through COPY, and following its watermark.
 */
#include "pgsource.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../etl/mem.h"

struct wd_pgsource {
    struct wd_stream base;
    PGconn *conn;
    char *chunk; /* the current row from PQgetCopyData */
    int len, pos;
    bool done;
    const struct wd_definition *def;
    int wm_field;
    json_t *old;        /* the state this run started from */
    char *last;         /* the watermark of the last record read */
    json_t *last_keys;  /* the keys of the records with that watermark */
    uint64_t rows;
};

static ssize_t copy_read(struct wd_stream *st, void *buf, size_t n, struct wd_error *err)
{
    struct wd_pgsource *s = (struct wd_pgsource *)st;
    while (s->pos >= s->len) {
        if (s->chunk) {
            PQfreemem(s->chunk);
            s->chunk = NULL;
        }
        if (s->done)
            return 0;
        s->len = PQgetCopyData(s->conn, &s->chunk, 0);
        s->pos = 0;
        if (s->len == -1) {
            s->done = true;
            PGresult *res;
            int rc = 0;
            while ((res = PQgetResult(s->conn))) {
                if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
                    rc = wd_error_set(err, WD_EIO, "the source database: %s",
                                      PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                                          ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                                          : "the query failed");
                PQclear(res);
            }
            if (rc)
                return rc;
            s->len = 0;
            return 0;
        }
        if (s->len < 0)
            return wd_error_set(err, WD_EIO, "the source database: %s", PQerrorMessage(s->conn));
    }
    size_t take = (size_t)(s->len - s->pos);
    if (take > n)
        take = n;
    memcpy(buf, s->chunk + s->pos, take);
    s->pos += (int)take;
    return (ssize_t)take;
}

static void copy_close(struct wd_stream *st)
{
    (void)st; /* closed with wd_pgsource_close */
}

/* Appends a quoted literal or identifier. */
static void quoted(PGconn *c, struct wd_buf *b, const char *s, bool ident)
{
    char *q = ident ? PQescapeIdentifier(c, s, strlen(s)) : PQescapeLiteral(c, s, strlen(s));
    if (!q)
        abort();
    wd_buf_append(b, q, strlen(q));
    PQfreemem(q);
}

static int field_by_source(const struct wd_definition *def, const char *column)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (strcasecmp(def->fields[i].source, column) == 0)
            return (int)i;
    return -1;
}

int wd_pgsource_open(const struct wd_source_uri *src, const struct wd_definition *def,
                     const char *state, struct wd_pgsource **out, struct wd_error *err)
{
    *out = NULL;
    int wm = field_by_source(def, src->watermark);
    if (wm < 0)
        return wd_error_set(err, WD_ECONFIG, "the watermark column %s is not a column of "
                            "dataset %s's definition", src->watermark, def->name);
    if (def->npk == 0)
        return wd_error_set(err, WD_ECONFIG, "a PostgreSQL source needs a dataset with a "
                            "primary key; %s has none", def->name);
    struct wd_pgsource *s = wd_calloc(1, sizeof(*s));
    s->def = def;
    s->wm_field = wm;
    s->last_keys = json_array();
    s->old = state ? json_loads(state, 0, NULL) : NULL;
    s->base.name = "postgresql source";
    s->base.read = copy_read;
    s->base.close = copy_close;
    s->conn = PQconnectdb(src->conninfo);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        /* the message may name the host, never the password */
        wd_error_set(err, WD_EIO, "could not connect to the source database: %s",
                     PQerrorMessage(s->conn));
        wd_pgsource_close(s);
        return WD_EIO;
    }
    struct wd_buf sql;
    wd_buf_init(&sql, 0);
    wd_buf_printf(&sql, "COPY (SELECT * FROM (%s) AS q", src->query);
    const char *w = json_string_value(json_object_get(s->old, "watermark"));
    if (w) {
        wd_buf_printf(&sql, " WHERE q.");
        quoted(s->conn, &sql, src->watermark, true);
        wd_buf_printf(&sql, " > ");
        quoted(s->conn, &sql, w, false);
        const json_t *keys = json_object_get(s->old, "keys");
        wd_buf_printf(&sql, " OR (q.");
        quoted(s->conn, &sql, src->watermark, true);
        wd_buf_printf(&sql, " = ");
        quoted(s->conn, &sql, w, false);
        if (json_array_size(keys)) {
            wd_buf_printf(&sql, " AND (");
            for (size_t k = 0; k < def->npk; k++) {
                wd_buf_printf(&sql, "%sq.", k ? ", " : "");
                quoted(s->conn, &sql, def->fields[def->primary_key[k]].source, true);
                wd_buf_printf(&sql, "::text");
            }
            wd_buf_printf(&sql, ") NOT IN (");
            size_t i;
            json_t *key;
            json_array_foreach(keys, i, key)
            {
                wd_buf_printf(&sql, "%s(", i ? ", " : "");
                for (size_t k = 0; k < json_array_size(key); k++) {
                    if (k)
                        wd_buf_printf(&sql, ", ");
                    const char *v = json_string_value(json_array_get(key, k));
                    quoted(s->conn, &sql, v ? v : "", false);
                }
                wd_buf_printf(&sql, ")");
            }
            wd_buf_printf(&sql, ")");
        }
        wd_buf_printf(&sql, ")");
    }
    wd_buf_printf(&sql, " ORDER BY q.");
    quoted(s->conn, &sql, src->watermark, true);
    wd_buf_printf(&sql, ") TO STDOUT (FORMAT csv, HEADER)");
    PGresult *res = PQexec(s->conn, sql.data);
    wd_buf_free(&sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        wd_error_set(err, WD_EIO, "the source query failed: %s",
                     PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                         ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                         : PQerrorMessage(s->conn));
        PQclear(res);
        wd_pgsource_close(s);
        return WD_EIO;
    }
    PQclear(res);
    *out = s;
    return 0;
}

struct wd_stream *wd_pgsource_stream(struct wd_pgsource *s)
{
    return &s->base;
}

void wd_pgsource_observe(void *ctx, const struct wd_record *rec, const size_t *colmap)
{
    struct wd_pgsource *s = ctx;
    const struct wd_definition *def = s->def;
    size_t col = colmap[s->wm_field];
    if (col >= rec->nfields)
        return;
    const struct wd_field *wm = &rec->fields[col];
    /* rows come ordered by the watermark: a new value starts a new set of keys */
    if (!s->last || strlen(s->last) != wm->len || memcmp(s->last, wm->value, wm->len) != 0) {
        free(s->last);
        s->last = wd_strndup(wm->value, wm->len);
        json_array_clear(s->last_keys);
    }
    json_t *key = json_array();
    for (size_t k = 0; k < def->npk; k++) {
        size_t c = colmap[def->primary_key[k]];
        json_array_append_new(key, json_stringn(c < rec->nfields ? rec->fields[c].value : "",
                                                c < rec->nfields ? rec->fields[c].len : 0));
    }
    json_array_append_new(s->last_keys, key);
    s->rows++;
}

char *wd_pgsource_state(const struct wd_pgsource *s)
{
    if (!s->last)
        return s->old ? json_dumps(s->old, JSON_COMPACT) : wd_strdup("{}");
    json_t *keys = json_deep_copy(s->last_keys);
    /* still at the old watermark: the keys seen before stay excluded too */
    const char *old = json_string_value(json_object_get(s->old, "watermark"));
    if (old && strcmp(old, s->last) == 0)
        json_array_extend(keys, json_object_get(s->old, "keys"));
    json_t *st = json_pack("{s:s, s:o}", "watermark", s->last, "keys", keys);
    char *text = json_dumps(st, JSON_COMPACT);
    json_decref(st);
    return text;
}

void wd_pgsource_close(struct wd_pgsource *s)
{
    if (!s)
        return;
    if (s->chunk)
        PQfreemem(s->chunk);
    if (s->conn)
        PQfinish(s->conn);
    json_decref(s->old);
    json_decref(s->last_keys);
    free(s->last);
    free(s);
}
