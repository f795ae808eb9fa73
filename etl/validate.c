/*
 * validate.c - the per-file pipeline of the core.
 *
 * Data flow: reader record -> column of each field (by header name, matched without regard
 * to case or surrounding spaces) -> trim -> missing? -> recode/case/pad -> type, constraints,
 * code list, rules -> parent codes -> key uniqueness -> sink. Buffers are per field and
 * reused from row to row; the only state that grows is the key index (8-16 bytes a row).
 */
#include <stdlib.h>

#include "validate.h"

#include <stdio.h>
#include <string.h>

#include "expr.h"
#include "keyset.h"
#include "prefetch.h"
#include "mem.h"
#include "reader.h"
#include "strmap.h"
#include "timeliness.h"
#include "transform.h"

struct slot {
    struct wd_buf tbuf;       /* the transformed value */
    char canon[WD_CANON_MAX]; /* its canonical text */
    const struct wd_code *code;
    struct wd_nik nik; /* what a valid NIK says */
    bool ok;           /* present and valid */
};

/* The fields a per-row step looks at, listed once a run instead of searched for each row. */
struct field_list {
    size_t *at;
    size_t n;
};

struct run {
    const struct wd_definition *def;
    const struct wd_codes *codes;
    const struct wd_sink *sink;
    struct wd_counts *c;
    size_t *colmap;  /* field -> column */
    size_t ncols;    /* columns the header has */
    struct slot *slots;
    const char **values;
    size_t *lens;
    struct wd_keyset pk;
    struct wd_keyset *unique; /* one per field, used when the field is unique */
    struct wd_check_scratch *scratch;
    double *numbers; /* each field's numeric value, for checks */
    bool *valid;     /* each field present and valid, for the reference period */
    int64_t deadline_slack; /* arrival minus allowance: a period ending before it is late */
    bool timeliness;
    int last_key_field; /* the primary key is complete once this field is checked, or -1 */
    uint64_t key_fp;    /* the row's primary-key fingerprint, once known */
    bool key_ok;        /* every key field present and valid */
    bool bad;
    bool completeness_all; /* no required fields: completeness counts every field */
    struct field_list with_parent, with_nik, unique_fields;
};

static void list_fields(struct field_list *l, const struct wd_definition *def, int which)
{
    l->at = wd_calloc(def->nfields ? def->nfields : 1, sizeof(*l->at));
    l->n = 0;
    for (size_t i = 0; i < def->nfields; i++) {
        const struct wd_fielddef *f = &def->fields[i];
        bool wanted = which == 0   ? f->parent >= 0
                      : which == 1 ? f->nik_sex >= 0 || f->nik_birth >= 0
                                   : f->unique;
        if (wanted)
            l->at[l->n++] = i;
    }
}

void wd_validation_free(struct wd_validation *v)
{
    for (size_t i = 0; i < v->nignored; i++)
        free(v->ignored_columns[i]);
    free(v->ignored_columns);
    v->ignored_columns = NULL;
    v->nignored = 0;
}

/* Lowercased, trimmed copy of a header name into buf. */
static size_t header_key(const char *s, size_t len, char *buf, size_t cap)
{
    wd_trim(&s, &len);
    if (len >= cap)
        len = cap - 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    buf[len] = '\0';
    return len;
}

static int map_columns(struct run *r, const struct wd_record *hdr, struct wd_stream *in,
                       struct wd_validation *out, struct wd_error *err)
{
    const struct wd_definition *def = r->def;
    r->colmap = wd_calloc(def->nfields, sizeof(size_t));
    if (!def->dialect.header) {
        for (size_t i = 0; i < def->nfields; i++)
            r->colmap[i] = i;
        r->ncols = def->nfields;
        return 0;
    }
    wd_error_file(err, in->name);
    if (!hdr) {
        wd_error_set(err, WD_EHEADER, "the file is empty: expected a header line naming the "
                                      "columns");
        return WD_EHEADER;
    }
    r->ncols = hdr->nfields;
    bool *used = wd_calloc(hdr->nfields, sizeof(bool));
    int rc = 0;
    for (size_t i = 0; i < def->nfields && !rc; i++) {
        char want[256], have[256];
        header_key(def->fields[i].source, strlen(def->fields[i].source), want, sizeof(want));
        size_t found = SIZE_MAX;
        for (size_t k = 0; k < hdr->nfields; k++) {
            header_key(hdr->fields[k].value, hdr->fields[k].len, have, sizeof(have));
            if (strcmp(want, have) != 0)
                continue;
            if (found != SIZE_MAX) {
                err->line = hdr->line;
                err->column = (uint32_t)k + 1;
                rc = wd_error_set(err, WD_EHEADER, "column \"%s\" appears twice in the header "
                                  "(columns %zu and %zu)", def->fields[i].source, found + 1, k + 1);
                break;
            }
            found = k;
        }
        if (rc)
            break;
        if (found == SIZE_MAX) {
            err->line = hdr->line;
            snprintf(err->field, sizeof(err->field), "%s", def->fields[i].name);
            rc = wd_error_set(err, WD_EHEADER, "column \"%s\" is missing from the header",
                              def->fields[i].source);
            struct wd_buf names;
            wd_buf_init(&names, 700);
            for (size_t k = 0; k < hdr->nfields; k++)
                wd_buf_printf(&names, "%s\"%s\"", k ? ", " : "", hdr->fields[k].value);
            wd_error_detail(err, "The header has %zu columns: %s.", hdr->nfields,
                            names.data ? names.data : "");
            wd_error_hint(err, "Add the column, or set \"source\" on field %s to the column's "
                               "name in this file.", def->fields[i].name);
            wd_buf_free(&names);
            break;
        }
        r->colmap[i] = found;
        used[found] = true;
    }
    for (size_t k = 0; k < hdr->nfields && !rc; k++) {
        const char *s = hdr->fields[k].value;
        size_t len = hdr->fields[k].len;
        wd_trim(&s, &len);
        if (used[k] || len == 0)
            continue;
        out->ignored_columns = wd_realloc(out->ignored_columns, (out->nignored + 1) * sizeof(char *));
        out->ignored_columns[out->nignored++] = wd_strndup(s, len);
    }
    free(used);
    if (!rc)
        wd_error_clear(err);
    return rc;
}

static void note(struct run *r, const struct wd_record *rec, int field, enum wd_rule rule,
                 const char *value, size_t len, const char *message, bool rejects)
{
    if (rejects)
        r->bad = true;
    r->c->rules[rule]++;
    if (!r->sink || !r->sink->failure)
        return;
    struct wd_failure f = {rec->row, rec->line, field,
                           field >= 0 ? (uint32_t)r->colmap[field] + 1 : 0,
                           rule, value, len, message, rejects};
    r->sink->failure(r->sink->ctx, &f);
}

/* A failure that rejects the row. */
static void report(struct run *r, const struct wd_record *rec, int field, enum wd_rule rule,
                   const char *value, size_t len, const char *message)
{
    note(r, rec, field, rule, value, len, message, true);
}

static void check_field(struct run *r, const struct wd_record *rec, size_t i)
{
    const struct wd_fielddef *f = &r->def->fields[i];
    struct slot *s = &r->slots[i];
    const struct wd_field *raw = &rec->fields[r->colmap[i]];
    const char *v = raw->value;
    size_t len = raw->len;
    bool counts_for_completeness = f->required || r->completeness_all;
    s->ok = false;
    s->code = NULL;
    r->values[i] = NULL;
    r->lens[i] = 0;
    if (raw->flags & WD_FIELD_BAD_ENCODING) {
        r->c->checked_values++;
        if (counts_for_completeness)
            r->c->present_required++;
        report(r, rec, (int)i, WD_R_ENCODING, v, len,
               memchr(v, '\0', len) ? "the value contains a NUL byte"
               : r->def->dialect.encoding == WD_ENCODING_UTF8
                   ? "the value is not valid UTF-8; is the file saved in another encoding, "
                     "such as windows-1252?"
                   : "the value has bytes that are not characters of the file's encoding");
        return;
    }
    wd_trim(&v, &len);
    if (wd_is_missing(f, v, len)) {
        if (f->required) {
            char msg[160];
            if (len)
                snprintf(msg, sizeof(msg), "\"%.*s\" means missing, but %s is required",
                         (int)len, v, f->name);
            else
                snprintf(msg, sizeof(msg), "%s is required but the value is missing", f->name);
            report(r, rec, (int)i, WD_R_REQUIRED, v, len, msg);
        }
        return;
    }
    if (counts_for_completeness)
        r->c->present_required++;
    r->c->checked_values++;
    const char *t = v;
    size_t tlen = len;
    if (wd_transforms(f)) {
        /* room for the longest result: the value or a recode's target, padded */
        size_t most = len > f->recode_longest ? len : f->recode_longest;
        if (!wd_buf_reserve(&s->tbuf, most + f->pad + 1) ||
            !wd_transform(f, v, len, s->tbuf.data, s->tbuf.cap, &t, &tlen))
            abort(); /* only out of memory: the room above always fits */
    }
    struct wd_value_check vc;
    if (!wd_check_value(r->def, i, r->codes, r->scratch, t, tlen, s->canon, &vc)) {
        report(r, rec, (int)i, vc.rule, v, len, vc.message);
        return;
    }
    r->c->valid_values++;
    s->ok = true;
    s->code = vc.code;
    s->nik = vc.nik;
    r->numbers[i] = vc.number;
    r->values[i] = vc.text;
    r->lens[i] = vc.len;
}

static void check_parents(struct run *r, const struct wd_record *rec)
{
    for (size_t k = 0; k < r->with_parent.n; k++) {
        size_t i = r->with_parent.at[k];
        const struct wd_fielddef *f = &r->def->fields[i];
        if (!r->slots[i].ok || !r->slots[f->parent].ok)
            continue;
        r->c->consistency_checks++;
        const char *want = r->slots[i].code->parent;
        const char *have = r->values[f->parent];
        size_t hlen = r->lens[f->parent];
        if (want && r->slots[i].code->parent_len == hlen && memcmp(want, have, hlen) == 0) {
            r->c->consistency_held++;
            continue;
        }
        const struct wd_fielddef *pf = &r->def->fields[f->parent];
        char msg[320];
        snprintf(msg, sizeof(msg), "%s %.*s is not in %s %.*s%s%s", f->codelist->title,
                 (int)r->lens[i], r->values[i], pf->codelist->title, (int)hlen, have,
                 want ? "; it belongs to " : "", want ? want : "");
        r->slots[i].ok = false;
        report(r, rec, (int)i, WD_R_PARENT, r->values[i], r->lens[i], msg);
    }
}

/* A NIK against the sex and birth date the same row gives: reported, the row kept. */
static void check_nik(struct run *r, const struct wd_record *rec)
{
    for (size_t k = 0; k < r->with_nik.n; k++) {
        size_t i = r->with_nik.at[k];
        const struct wd_fielddef *f = &r->def->fields[i];
        if (!r->slots[i].ok)
            continue;
        const struct wd_nik *nik = &r->slots[i].nik;
        char msg[256];
        if (f->nik_sex >= 0 && r->slots[f->nik_sex].ok) {
            r->c->consistency_checks++;
            char sex = (char)('0' + nik->sex);
            if (r->lens[f->nik_sex] == 1 && r->values[f->nik_sex][0] == sex) {
                r->c->consistency_held++;
            } else {
                snprintf(msg, sizeof(msg), "the NIK is of a %s (day of birth %s 40) but %s is %.*s",
                         nik->sex == 2 ? "woman" : "man", nik->sex == 2 ? "over" : "under",
                         r->def->fields[f->nik_sex].name, (int)r->lens[f->nik_sex],
                         r->values[f->nik_sex]);
                note(r, rec, (int)i, WD_R_CONSISTENCY, r->values[i], r->lens[i], msg, false);
            }
        }
        if (f->nik_birth >= 0 && r->slots[f->nik_birth].ok) {
            r->c->consistency_checks++;
            const char *d = r->values[f->nik_birth]; /* YYYY-MM-DD */
            int yy = (d[2] - '0') * 10 + (d[3] - '0');
            int mm = (d[5] - '0') * 10 + (d[6] - '0');
            int dd = (d[8] - '0') * 10 + (d[9] - '0');
            if (yy == nik->year2 && mm == nik->month && dd == nik->day) {
                r->c->consistency_held++;
            } else {
                snprintf(msg, sizeof(msg), "the NIK gives the birth date %02d-%02d-..%02d but %s "
                         "is %.10s", nik->day, nik->month, nik->year2,
                         r->def->fields[f->nik_birth].name, d);
                note(r, rec, (int)i, WD_R_CONSISTENCY, r->values[i], r->lens[i], msg, false);
            }
        }
    }
}

/* The definition's row checks, over the fields that are present and valid. */
static void check_rows(struct run *r, const struct wd_record *rec)
{
    const struct wd_definition *def = r->def;
    for (size_t k = 0; k < def->nchecks; k++) {
        const struct wd_check *c = &def->checks[k];
        bool ready = true;
        for (size_t i = 0; i < def->nfields && ready; i++)
            ready = !c->uses[i] || r->slots[i].ok;
        if (!ready)
            continue;
        int holds = wd_expr_eval(c->expr, r->numbers, c->tolerance);
        if (holds < 0)
            continue;
        r->c->consistency_checks++;
        if (holds) {
            r->c->consistency_held++;
            continue;
        }
        struct wd_buf msg;
        wd_buf_init(&msg, 600);
        if (c->message)
            wd_buf_printf(&msg, "%s (check %s:", c->message, c->name);
        else
            wd_buf_printf(&msg, "check %s failed: %s does not hold (", c->name, c->assert_text);
        /* the values as the unit wrote them ("223,88", not 223.88) */
        const char *sep = c->message ? " " : "";
        for (size_t i = 0; i < def->nfields; i++) {
            if (!c->uses[i])
                continue;
            const char *v = rec->fields[r->colmap[i]].value;
            size_t len = rec->fields[r->colmap[i]].len;
            wd_trim(&v, &len);
            wd_buf_printf(&msg, "%s%s %.*s", sep, def->fields[i].name, (int)len, v);
            sep = ", ";
        }
        wd_buf_putc(&msg, ')');
        size_t f0 = c->first;
        const char *v0 = rec->fields[r->colmap[f0]].value;
        size_t l0 = rec->fields[r->colmap[f0]].len;
        wd_trim(&v0, &l0);
        note(r, rec, (int)f0, WD_R_CONSISTENCY, v0, l0, msg.data, c->reject);
        wd_buf_free(&msg);
    }
}

/* Whether the row's reference period ended recently enough before the file arrived. */
static void check_timely(struct run *r)
{
    if (!r->timeliness)
        return;
    for (size_t i = 0; i < r->def->nfields; i++)
        r->valid[i] = r->slots[i].ok;
    int64_t end;
    if (!wd_period_end(r->def, r->numbers, r->valid, &end))
        return;
    r->c->dated_rows++;
    if (end >= r->deadline_slack)
        r->c->timely_rows++;
}

static uint64_t key_fingerprint(const struct run *r, const size_t *fields, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < n; k++) {
        size_t i = fields[k];
        h = wd_hash64(r->values[i] ? r->values[i] : "", r->lens[i], h + k);
    }
    return h;
}

/* The key fields are checked: compute the fingerprint now and start fetching its slot,
 * so that the rest of the row's checks hide the memory latency of the index. */
static void key_known(struct run *r)
{
    const struct wd_definition *def = r->def;
    r->key_ok = true;
    for (size_t k = 0; k < def->npk; k++)
        r->key_ok = r->key_ok && r->slots[def->primary_key[k]].ok;
    if (!r->key_ok)
        return;
    r->key_fp = key_fingerprint(r, def->primary_key, def->npk);
    wd_keyset_prefetch(&r->pk, r->key_fp);
}

static void check_unique(struct run *r, const struct wd_record *rec)
{
    const struct wd_definition *def = r->def;
    if (def->npk) {
        if (r->key_ok && !wd_keyset_add(&r->pk, r->key_fp)) {
            r->c->repeated_keys++;
            size_t f0 = def->primary_key[0];
            struct wd_buf msg;
            wd_buf_init(&msg, 600);
            wd_buf_printf(&msg, "the primary key (");
            for (size_t k = 0; k < def->npk; k++) {
                size_t i = def->primary_key[k];
                wd_buf_printf(&msg, "%s%s %.*s", k ? ", " : "", def->fields[i].name,
                              (int)r->lens[i], r->values[i]);
            }
            wd_buf_printf(&msg, ") repeats an earlier row; the first is kept");
            report(r, rec, (int)f0, WD_R_UNIQUE, r->values[f0], r->lens[f0],
                   msg.data ? msg.data : "the primary key repeats an earlier row");
            wd_buf_free(&msg);
        }
    }
    for (size_t k = 0; k < r->unique_fields.n; k++) {
        size_t i = r->unique_fields.at[k];
        if (!r->slots[i].ok)
            continue;
        if (!wd_keyset_add(&r->unique[i], key_fingerprint(r, &i, 1))) {
            char msg[160];
            snprintf(msg, sizeof(msg), "%s must be unique and repeats an earlier row",
                     def->fields[i].name);
            report(r, rec, (int)i, WD_R_UNIQUE, r->values[i], r->lens[i], msg);
        }
    }
}

/* Fields past the header are allowed only when empty (Excel's trailing ";;"). */
static bool extra_fields_empty(const struct wd_record *rec, size_t ncols)
{
    for (size_t k = ncols; k < rec->nfields; k++) {
        const char *v = rec->fields[k].value;
        size_t len = rec->fields[k].len;
        wd_trim(&v, &len);
        if (len)
            return false;
    }
    return true;
}

static int end_of_row(struct run *r, const struct wd_record *rec)
{
    if (r->sink && r->sink->end_of_row)
        return r->sink->end_of_row(r->sink->ctx, rec->row, r->bad);
    return 0;
}

static int check_record(struct run *r, const struct wd_record *rec)
{
    struct wd_counts *c = r->c;
    c->rows++;
    r->bad = false;
    if (r->sink && r->sink->record)
        r->sink->record(r->sink->ctx, rec, r->colmap);
    if (rec->nfields < r->ncols || (rec->nfields > r->ncols && !extra_fields_empty(rec, r->ncols))) {
        char msg[128];
        snprintf(msg, sizeof(msg), "expected %zu fields, found %zu", r->ncols, rec->nfields);
        report(r, rec, -1, WD_R_COLUMNS, "", 0, msg);
        c->rejected++;
        return end_of_row(r, rec);
    }
    r->key_ok = false;
    for (size_t i = 0; i < r->def->nfields; i++) {
        check_field(r, rec, i);
        if ((int)i == r->last_key_field)
            key_known(r);
    }
    check_parents(r, rec);
    check_nik(r, rec);
    check_rows(r, rec);
    check_unique(r, rec);
    check_timely(r);
    if (r->bad) {
        c->rejected++;
        return end_of_row(r, rec);
    }
    c->valid++;
    if (r->sink && r->sink->row) {
        struct wd_good_row row = {rec->row, rec->line, r->def->nfields, r->values, r->lens};
        int rc = r->sink->row(r->sink->ctx, &row);
        if (rc < 0)
            return rc;
    }
    return end_of_row(r, rec);
}

int wd_validate(const struct wd_definition *def, const struct wd_codes *codes,
                struct wd_stream *in, const struct wd_sink *sink, struct wd_validation *out,
                struct wd_error *err)
{
    return wd_validate_ex(def, codes, in, sink, NULL, out, err);
}

int wd_validate_ex(const struct wd_definition *def, const struct wd_codes *codes,
                   struct wd_stream *in, const struct wd_sink *sink,
                   const struct wd_validate_options *opts, struct wd_validation *out,
                   struct wd_error *err)
{
    memset(out, 0, sizeof(*out));
    struct run r = {.def = def, .codes = codes, .sink = sink, .c = &out->counts};
    int allowance = wd_timeliness_allowance(def->frekuensi);
    if (opts && opts->timeliness && allowance >= 0 &&
        (def->reference_period.date >= 0 || def->reference_period.year >= 0)) {
        r.timeliness = true;
        r.deadline_slack = opts->arrival_day - allowance;
    }
    bool any_required = false;
    for (size_t i = 0; i < def->nfields; i++)
        any_required = any_required || def->fields[i].required;
    /* completeness counts required fields; with none, every field */
    r.completeness_all = !any_required;
    r.slots = wd_calloc(def->nfields, sizeof(*r.slots));
    r.values = wd_calloc(def->nfields, sizeof(char *));
    r.lens = wd_calloc(def->nfields, sizeof(size_t));
    r.numbers = wd_calloc(def->nfields, sizeof(double));
    r.valid = wd_calloc(def->nfields, sizeof(bool));
    r.unique = wd_calloc(def->nfields, sizeof(*r.unique));
    for (size_t i = 0; i < def->nfields; i++) {
        wd_buf_init(&r.slots[i].tbuf, 0);
        if (def->fields[i].unique)
            wd_keyset_init(&r.unique[i]);
    }
    wd_keyset_init(&r.pk);
    list_fields(&r.with_parent, def, 0);
    list_fields(&r.with_nik, def, 1);
    list_fields(&r.unique_fields, def, 2);
    r.scratch = wd_check_scratch_new();
    r.last_key_field = -1;
    for (size_t k = 0; k < def->npk; k++)
        if ((int)def->primary_key[k] > r.last_key_field)
            r.last_key_field = (int)def->primary_key[k];
    struct wd_reader *rd = NULL;
    const struct wd_record *hdr = NULL, *rec;
    int rc = wd_reader_open(&rd, in, &def->dialect, err);
    if (rc == 0)
        rc = wd_reader_header(rd, &hdr, err);
    if (rc == 0)
        rc = map_columns(&r, hdr, in, out, err);
    /* read ahead on a second thread while this one checks */
    struct wd_prefetch *pf = rc == 0 ? wd_prefetch_start(rd) : NULL;
    while (rc == 0 && (rc = wd_prefetch_next(pf, &rec, err)) == 1)
        rc = check_record(&r, rec);
    wd_prefetch_free(pf);
    if (rc > 0)
        rc = 0;
    /* rows rejected for their column count had no cells read: their cells count as missing */
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].required || r.completeness_all)
            out->counts.required_cells += out->counts.rows;
    if (rd)
        out->counts.blank_lines = wd_reader_blank_lines(rd);
    out->key_index_bytes = wd_keyset_bytes(&r.pk);
    wd_reader_free(rd);
    for (size_t i = 0; i < def->nfields; i++) {
        wd_buf_free(&r.slots[i].tbuf);
        if (def->fields[i].unique)
            wd_keyset_free(&r.unique[i]);
    }
    wd_keyset_free(&r.pk);
    wd_check_scratch_free(r.scratch);
    free(r.slots);
    free(r.values);
    free(r.lens);
    free(r.numbers);
    free(r.valid);
    free(r.unique);
    free(r.colmap);
    free(r.with_parent.at);
    free(r.with_nik.at);
    free(r.unique_fields.at);
    return rc;
}
