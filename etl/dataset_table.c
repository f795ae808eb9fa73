/*
 * dataset_table.c - creating and extending dataset tables from their definitions.
 *
 * Identifiers come from definitions, which allow only ^[a-z][a-z0-9_]{0,62}$, and are
 * quoted all the same. Comments are the definitions' own words, passed through
 * PQescapeLiteral (COMMENT takes no parameters); every other value is a parameter.
 */
#include "dataset_table.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

const char *wd_sql_type(const struct wd_fielddef *f)
{
    if (f->privacy == WD_PRIVACY_PSEUDONYMIZE)
        return "bytea"; /* the HMAC's 32 bytes; tables made before 0.3.0 have its hex text */
    switch (f->type) {
    case WD_TYPE_INTEGER:
        return "bigint";
    case WD_TYPE_NUMBER:
        return "numeric";
    case WD_TYPE_BOOLEAN:
        return "boolean";
    case WD_TYPE_DATE:
        return "date";
    case WD_TYPE_DATETIME:
        return "timestamp without time zone";
    case WD_TYPE_YEAR:
        return "integer";
    case WD_TYPE_STRING:
    default:
        return "text";
    }
}

bool wd_field_stored(const struct wd_fielddef *f)
{
    return f->privacy != WD_PRIVACY_DROP;
}

/* Appends 'text' as a quoted literal. */
static void literal(struct wd_db *db, struct wd_buf *b, const char *text)
{
    char *q = PQescapeLiteral(db->conn, text, strlen(text));
    if (!q)
        abort();
    wd_buf_append(b, q, strlen(q));
    PQfreemem(q);
}

static void ident(struct wd_db *db, struct wd_buf *b, const char *name)
{
    char *q = wd_db_ident(db, name);
    wd_buf_append(b, q, strlen(q));
    PQfreemem(q);
}

/*
 * The index that finds a run's rows. A run's rows arrive together, at the end of the
 * table, so a BRIN index (the run ids of each 128 pages) finds them as well as a B-tree
 * would, at a fraction of the cost of keeping it: a B-tree on _run_id took a quarter of
 * the server's work in a COPY (0.54 s of 2.14 s a million rows, bench/), a BRIN 0.26 s.
 * autosummarize lets autovacuum summarize the pages of each load as they fill.
 */
static void run_index(struct wd_db *db, const struct wd_definition *def, struct wd_buf *sql)
{
    wd_buf_printf(sql, "CREATE INDEX ON walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " USING brin (_run_id) WITH (autosummarize = on);\n");
}

/* Tables made before 0.3.0 found a run's rows with a B-tree: replaced by run_index's (a
 * B-tree of another name is someone's own, and stays). */
static int upgrade_run_index(struct wd_db *db, const struct wd_definition *def,
                             struct wd_buf *sql, struct wd_error *err)
{
    const char *p[1] = {def->table};
    PGresult *res = wd_db_query(
        db,
        "SELECT i.indexrelid::regclass::text, am.amname FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE i.indrelid = ('walidata.' || quote_ident($1))::regclass AND i.indnatts = 1 "
        "AND a.attname = '_run_id' AND (am.amname <> 'btree' OR c.relname = "
        "left($1 || '__run_id_idx', 63))",
        1, p, err);
    if (!res)
        return WD_EDB;
    bool brin = false;
    for (int r = 0; r < PQntuples(res); r++)
        brin = brin || strcmp(PQgetvalue(res, r, 1), "brin") == 0;
    if (!brin) {
        for (int r = 0; r < PQntuples(res); r++)
            if (strcmp(PQgetvalue(res, r, 1), "btree") == 0)
                wd_buf_printf(sql, "DROP INDEX %s;\n", PQgetvalue(res, r, 0));
        run_index(db, def, sql);
    }
    PQclear(res);
    return 0;
}

static void create_table(struct wd_db *db, const struct wd_definition *def, struct wd_buf *sql)
{
    wd_buf_printf(sql, "CREATE TABLE walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " (");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (!wd_field_stored(f))
            continue;
        ident(db, sql, f->name);
        wd_buf_printf(sql, " %s%s, ", wd_sql_type(f), f->required ? " NOT NULL" : "");
    }
    /* _run_id names the run that wrote the row, in the same transaction; a foreign key
     * would check what cannot go wrong at about 3 s per million rows */
    wd_buf_printf(sql, "_run_id bigint NOT NULL, "
                       "_loaded_at timestamptz NOT NULL DEFAULT now()");
    if (def->npk) {
        wd_buf_printf(sql, ", PRIMARY KEY (");
        for (size_t k = 0; k < def->npk; k++) {
            if (k)
                wd_buf_printf(sql, ", ");
            ident(db, sql, def->fields[def->primary_key[k]].name);
        }
        wd_buf_printf(sql, ")");
    }
    wd_buf_printf(sql, ");\n");
    run_index(db, def, sql);
}

/* Compares the existing table with the definition; adds new columns to sql. */
static int extend_table(struct wd_db *db, const struct wd_definition *def, PGresult *cols,
                        struct wd_buf *sql, FILE *log, struct wd_error *err)
{
    int n = PQntuples(cols);
    for (int r = 0; r < n; r++) {
        const char *name = PQgetvalue(cols, r, 0), *type = PQgetvalue(cols, r, 1);
        if (strcmp(name, "_run_id") == 0 || strcmp(name, "_loaded_at") == 0)
            continue;
        int fi = wd_definition_field(def, name);
        if (fi < 0 || !wd_field_stored(&def->fields[fi])) {
            wd_error_set(err, WD_ESCHEMA, "table walidata.%s has column %s, which the definition "
                         "%s", def->table, name, fi < 0 ? "no longer has" : "now drops");
            wd_error_detail(err, "A definition change may add fields, never remove them: the "
                                 "column holds published data.");
            wd_error_hint(err, "Put the field back in %s, or, once its data is no longer "
                               "needed, drop the column yourself: ALTER TABLE walidata.%s DROP "
                               "COLUMN %s.", def->path, def->table, name);
            return WD_ESCHEMA;
        }
        const char *want = wd_sql_type(&def->fields[fi]);
        bool hex_pseudonym = def->fields[fi].privacy == WD_PRIVACY_PSEUDONYMIZE &&
                             strcmp(type, "text") == 0;
        if (strcmp(want, type) != 0 && !hex_pseudonym) {
            wd_error_set(err, WD_ESCHEMA, "column %s of walidata.%s is %s in the warehouse, but "
                         "the definition makes it %s", name, def->table, type, want);
            wd_error_hint(err, "Keep the field's type, or publish the new type as a new dataset "
                               "(another name and target.table).");
            return WD_ESCHEMA;
        }
    }
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        bool found = false;
        for (int r = 0; r < n && !found; r++)
            found = strcmp(PQgetvalue(cols, r, 0), f->name) == 0;
        if (found || !wd_field_stored(f))
            continue;
        wd_buf_printf(sql, "ALTER TABLE walidata.");
        ident(db, sql, def->table);
        wd_buf_printf(sql, " ADD COLUMN ");
        ident(db, sql, f->name);
        wd_buf_printf(sql, " %s;\n", wd_sql_type(f));
        if (log)
            fprintf(log, "  added column %s %s to walidata.%s\n", f->name, wd_sql_type(f),
                    def->table);
    }
    return 0;
}

static int check_primary_key(struct wd_db *db, const struct wd_definition *def,
                             struct wd_error *err)
{
    const char *p[1] = {def->table};
    PGresult *res = wd_db_query(
        db,
        "SELECT coalesce(string_agg(a.attname, ',' ORDER BY k.n), '') "
        "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indisprimary AND i.indrelid = ('walidata.' || quote_ident($1))::regclass",
        1, p, err);
    if (!res)
        return WD_EDB;
    struct wd_buf want;
    wd_buf_init(&want, 0);
    wd_buf_append(&want, "", 0);
    for (size_t k = 0; k < def->npk; k++)
        wd_buf_printf(&want, "%s%s", k ? "," : "", def->fields[def->primary_key[k]].name);
    int rc = 0;
    if (strcmp(PQgetvalue(res, 0, 0), want.data) != 0) {
        wd_error_set(err, WD_ESCHEMA, "walidata.%s has the primary key (%s), but the definition "
                     "says (%s)", def->table, PQgetvalue(res, 0, 0), want.data);
        wd_error_hint(err, "A published dataset keeps its key; publish a new key as a new "
                           "dataset (another name and target.table).");
        rc = WD_ESCHEMA;
    }
    wd_buf_free(&want);
    PQclear(res);
    return rc;
}

static void comments(struct wd_db *db, const struct wd_definition *def, struct wd_buf *sql)
{
    struct wd_buf text;
    wd_buf_init(&text, 0);
    wd_buf_printf(&text, "%s. %s Produsen data: %s. Frekuensi: %s. Cakupan: %s.", def->title,
                  def->description, def->produsen_data, def->frekuensi, def->cakupan);
    const char *definisi = json_string_value(json_object_get(def->metadata, "definisi"));
    if (definisi)
        wd_buf_printf(&text, " Definisi: %s", definisi);
    wd_buf_printf(sql, "COMMENT ON TABLE walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " IS ");
    literal(db, sql, text.data);
    wd_buf_printf(sql, ";\n");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (!wd_field_stored(f))
            continue;
        wd_buf_reset(&text);
        wd_buf_printf(&text, "%s.", f->title ? f->title : f->name);
        if (f->definisi)
            wd_buf_printf(&text, " %s", f->definisi);
        else if (f->description)
            wd_buf_printf(&text, " %s", f->description);
        if (f->unit)
            wd_buf_printf(&text, " Satuan: %s.", f->unit);
        if (f->codelist)
            wd_buf_printf(&text, " Kode referensi: %s %s (%s).", f->codelist->name,
                          f->codelist->version, f->codelist->authority);
        if (f->privacy == WD_PRIVACY_PSEUDONYMIZE)
            wd_buf_printf(&text, " Pseudonymized (HMAC-SHA256): personal data.");
        else if (f->personal)
            wd_buf_printf(&text, " Personal data.");
        wd_buf_printf(sql, "COMMENT ON COLUMN walidata.");
        ident(db, sql, def->table);
        wd_buf_putc(sql, '.');
        ident(db, sql, f->name);
        wd_buf_printf(sql, " IS ");
        literal(db, sql, text.data);
        wd_buf_printf(sql, ";\n");
    }
    wd_buf_free(&text);
}

/* The analysts' view: every column that is not personal, each code's label beside it, and
 * each row's run, source file and quality score. */
static void view(struct wd_db *db, const struct wd_definition *def, struct wd_buf *sql,
                 bool replace)
{
    char vname[80];
    snprintf(vname, sizeof(vname), "v_%s", def->name);
    if (replace) {
        wd_buf_printf(sql, "CREATE OR REPLACE VIEW walidata.");
    } else {
        wd_buf_printf(sql, "DROP VIEW IF EXISTS walidata.");
        ident(db, sql, vname);
        wd_buf_printf(sql, ";\nCREATE VIEW walidata.");
    }
    ident(db, sql, vname);
    wd_buf_printf(sql, " AS SELECT ");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (!wd_field_stored(f) || f->personal)
            continue;
        wd_buf_printf(sql, "t.");
        ident(db, sql, f->name);
        wd_buf_printf(sql, ", ");
        if (f->codelist) {
            char label[80];
            snprintf(label, sizeof(label), "%s_label", f->name);
            wd_buf_printf(sql, "l%zu.label AS ", i);
            ident(db, sql, label);
            wd_buf_printf(sql, ", ");
        }
    }
    wd_buf_printf(sql, "t._run_id AS run_id, s.name AS source_file, r.quality_score, "
                       "t._loaded_at AS loaded_at FROM walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " t JOIN etl.run r ON r.run_id = t._run_id "
                       "LEFT JOIN etl.source_item s ON s.run_id = t._run_id");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (!wd_field_stored(f) || f->personal || !f->codelist)
            continue;
        wd_buf_printf(sql, " LEFT JOIN ref.code l%zu ON l%zu.name = ", i, i);
        literal(db, sql, f->codelist->name);
        wd_buf_printf(sql, " AND l%zu.version = ", i);
        literal(db, sql, f->codelist->version);
        wd_buf_printf(sql, " AND l%zu.code = t.", i);
        ident(db, sql, f->name);
        wd_buf_printf(sql, "::text");
    }
    wd_buf_printf(sql, ";\nCOMMENT ON VIEW walidata.");
    ident(db, sql, vname);
    wd_buf_printf(sql, " IS ");
    char text[400];
    snprintf(text, sizeof(text), "%s, for analysts: code labels beside codes, each row's run, "
                                 "source file and quality score; personal columns left out",
             def->title);
    literal(db, sql, text);
    wd_buf_printf(sql, ";\n");
}

static void grants(struct wd_db *db, const struct wd_definition *def, struct wd_buf *sql)
{
    wd_buf_printf(sql, "REVOKE ALL ON walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " FROM walidata_analyst;\nGRANT SELECT, INSERT, UPDATE, DELETE ON "
                       "walidata.");
    ident(db, sql, def->table);
    wd_buf_printf(sql, " TO walidata_loader;\n");
    bool any = false;
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        if (!wd_field_stored(f) || f->personal)
            continue;
        wd_buf_printf(sql, any ? ", " : "GRANT SELECT (_run_id, _loaded_at, ");
        ident(db, sql, f->name);
        any = true;
    }
    if (any) {
        wd_buf_printf(sql, ") ON walidata.");
        ident(db, sql, def->table);
        wd_buf_printf(sql, " TO walidata_analyst;\n");
    }
    char vname[80];
    snprintf(vname, sizeof(vname), "v_%s", def->name);
    wd_buf_printf(sql, "GRANT SELECT ON walidata.");
    ident(db, sql, vname);
    wd_buf_printf(sql, " TO walidata_analyst;\n");
}

static int metadata(struct wd_db *db, const struct wd_definition *def, struct wd_error *err)
{
    char *md = json_dumps(def->metadata, JSON_COMPACT | JSON_SORT_KEYS);
    struct wd_buf pk, period;
    wd_buf_init(&pk, 0);
    wd_buf_init(&period, 0);
    wd_buf_append(&pk, "{", 1);
    for (size_t k = 0; k < def->npk; k++)
        wd_buf_printf(&pk, "%s%s", k ? "," : "", def->fields[def->primary_key[k]].name);
    wd_buf_append(&pk, "}", 1);
    wd_buf_append(&period, "{", 1);
    for (size_t k = 0; k < def->nperiod; k++)
        wd_buf_printf(&period, "%s%s", k ? "," : "", def->fields[def->period[k]].name);
    wd_buf_append(&period, "}", 1);
    const char *p[12] = {def->name,      def->title,    def->version,  def->description,
                         def->produsen_data, def->frekuensi, def->cakupan, md,
                         def->table,     wd_mode_name(def->mode), pk.data, period.data};
    int rc = wd_db_command(
        db,
        "INSERT INTO meta.dataset (name, title, version, description, produsen_data, frekuensi, "
        "cakupan, metadata, table_name, mode, primary_key, period) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, $10, $11, $12) ON CONFLICT (name) DO UPDATE SET title = $2, version = "
        "$3, description = $4, produsen_data = $5, frekuensi = $6, cakupan = $7, metadata = $8, "
        "table_name = $9, mode = $10, primary_key = $11, period = $12, updated_at = now()",
        12, p, err);
    free(md);
    wd_buf_free(&pk);
    wd_buf_free(&period);
    if (rc == 0)
        rc = wd_db_command(db, "DELETE FROM meta.variable WHERE dataset = $1", 1, p, err);
    for (size_t i = 0; rc == 0 && i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        char pos[24];
        snprintf(pos, sizeof(pos), "%zu", i + 1);
        const char *v[13] = {def->name,
                             f->name,
                             pos,
                             f->title,
                             f->description,
                             f->konsep,
                             f->definisi,
                             wd_field_stored(f) ? wd_sql_type(f) : "(dropped)",
                             f->unit,
                             f->codelist ? f->codelist_ref : NULL,
                             f->personal ? "true" : "false",
                             f->privacy == WD_PRIVACY_PSEUDONYMIZE ? "pseudonymize"
                             : f->privacy == WD_PRIVACY_DROP       ? "drop"
                                                                   : NULL,
                             NULL};
        rc = wd_db_command(db,
                           "INSERT INTO meta.variable (dataset, name, position, title, "
                           "description, konsep, definisi, type, unit, codelist, personal, "
                           "privacy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                           12, v, err);
    }
    return rc;
}

int wd_dataset_sync(struct wd_db *db, const struct wd_definition *def, FILE *log,
                    struct wd_error *err)
{
    if (strlen(def->name) > 61) {
        wd_error_set(err, WD_ESCHEMA, "dataset name %s is too long for its view v_%s (at most "
                     "61 characters)", def->name, def->name);
        return WD_ESCHEMA;
    }
    int rc = wd_db_exec(db, "BEGIN", err);
    if (rc)
        return rc;
    const char *p[1] = {def->table};
    PGresult *cols = wd_db_query(
        db,
        "SELECT column_name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type "
        "END FROM information_schema.columns WHERE table_schema = 'walidata' AND table_name = $1 "
        "ORDER BY ordinal_position",
        1, p, err);
    struct wd_buf sql;
    wd_buf_init(&sql, 0);
    if (!cols) {
        rc = WD_EDB;
    } else if (PQntuples(cols) == 0) {
        create_table(db, def, &sql);
        if (log)
            fprintf(log, "  created table walidata.%s\n", def->table);
    } else {
        rc = extend_table(db, def, cols, &sql, log, err);
        if (rc == 0)
            rc = check_primary_key(db, def, err);
        if (rc == 0)
            rc = upgrade_run_index(db, def, &sql, err);
        /* tables made before 0.2.0 carried a foreign key on _run_id */
        char fk[140];
        snprintf(fk, sizeof(fk), "%s__run_id_fkey", def->table);
        wd_buf_printf(&sql, "ALTER TABLE walidata.");
        ident(db, &sql, def->table);
        wd_buf_printf(&sql, " DROP CONSTRAINT IF EXISTS ");
        ident(db, &sql, fk);
        wd_buf_printf(&sql, ";\n");
    }
    PQclear(cols);
    if (rc == 0) {
        comments(db, def, &sql);
        rc = wd_db_exec(db, sql.data, err);
    }
    if (rc == 0) {
        /* replace the view in place, so that analysts' own views on it survive; only a
         * change of its columns needs DROP and CREATE, which such views would block */
        wd_buf_reset(&sql);
        wd_buf_printf(&sql, "SAVEPOINT wd_view;\n");
        view(db, def, &sql, true);
        if (wd_db_exec(db, sql.data, NULL) != 0) {
            wd_db_exec(db, "ROLLBACK TO SAVEPOINT wd_view", NULL);
            wd_buf_reset(&sql);
            view(db, def, &sql, false);
            rc = wd_db_exec(db, sql.data, err);
            if (rc < 0)
                wd_error_hint(err, "Views of your own on walidata.v_%s stand in the way of its "
                                   "new columns: drop them, run db migrate, and create them "
                                   "again.", def->name);
        }
    }
    if (rc == 0) {
        wd_buf_reset(&sql);
        grants(db, def, &sql);
        rc = wd_db_exec(db, sql.data, err);
    }
    if (rc == 0)
        rc = metadata(db, def, err);
    if (rc == 0)
        rc = wd_db_exec(db, "COMMIT", err);
    else
        wd_db_exec(db, "ROLLBACK", NULL);
    wd_buf_free(&sql);
    if (rc == WD_ESCHEMA || rc == WD_EDB)
        wd_error_file(err, def->path);
    return rc;
}
