/*
 * reader.c - CSV records from a byte stream, with line numbers, in bounded memory.
 *
 * Data flow: the stream fills a fixed chunk, which is taken one physical line at a time,
 * so the reader always knows the line it is on and where each record began. A whole line
 * in the chunk whose fields are bare or wholly in quotes, met between records, is split at
 * its delimiters here (split_plain_line): most lines of most files are such lines. Every other piece goes
 * to libcsv, which copies each field; the field callback appends it to a per-record arena
 * and the row callback marks the record complete. Both leave the arena alike: the fields
 * end to end, each with its NUL. A complete record is then checked for encoding (and
 * transcoded to UTF-8 when the dialect says windows-1252 or ISO-8859-1) and handed out.
 *
 * libcsv ends records at CR or LF (its default, kept because a function called for every
 * byte costs a tenth of the parse). Its pieces are therefore cut at CR as well as at LF, so
 * that at most one record completes per piece; the LF of a CRLF arrives as a piece of its
 * own and is skipped by libcsv. No byte counts as a "space", so spaces and tabs in values
 * reach the caller exactly as written; trimming is the transform step's job. Strict mode
 * turns broken quoting into an error instead of a silently merged field. How a file is cut
 * into reads changes nothing: tests/test_reader_lines.c reads random files whole, in pieces
 * and a byte at a time (past the first line, all through libcsv), and against libcsv's own
 * parse of the whole file, and compares.
 *
 * Limits: a field may not pass max_field bytes (checked after every piece, so memory stays
 * under max_field plus one chunk), a record may not have more than WD_MAX_FIELDS fields,
 * and a record's bytes together may not pass WD_MAX_RECORD.
 */
#include <stdlib.h>

#include "reader.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"

#define CHUNK_SIZE (256 * 1024)
#define WD_MAX_RECORD ((size_t)64 << 20)
#define LIBCSV_ROW_NOT_BEGUN 0   /* libcsv's pstate between records */
#define LIBCSV_QUOTE_MAY_CLOSE 3 /* and after a quote inside a quoted field */

struct field_span {
    size_t off; /* into the arena, or into conv when converted */
    size_t len;
    unsigned flags;
    bool converted;
};

struct wd_reader {
    struct wd_stream *in;
    struct wd_dialect d;
    struct csv_parser csv;
    iconv_t cd; /* (iconv_t)-1 when the text is UTF-8 */

    unsigned char *chunk;
    size_t chunk_len, chunk_pos;
    bool eof, started, finished;

    uint64_t line;        /* physical line of the next byte fed to libcsv */
    uint64_t record_line; /* line where the record being parsed began */
    uint64_t done_line;   /* line where the completed record began */
    bool record_done;
    bool too_many_fields, too_large;
    bool after_cr;      /* the last piece fed ended with CR */
    size_t big_field;   /* 1-based column of a completed field over max_field, or 0 */
    bool at_line_start; /* the next piece starts a physical line */

    struct wd_buf arena; /* bytes of the record being parsed */
    struct wd_buf conv;  /* transcoded bytes of the completed record */
    struct field_span *spans;
    size_t nspans, cap_spans;
    struct wd_field *fields;
    size_t cap_fields;
    struct wd_record rec;

    bool header_done;
    struct wd_record header;
    struct wd_field *header_fields;
    char *header_bytes;

    uint64_t rows, blank, bytes;
};

static int is_space_none(unsigned char c)
{
    (void)c;
    return 0;
}

/* Adds a field of len bytes at off in the arena; false when the record has too many. */
static bool add_span(struct wd_reader *r, size_t off, size_t len)
{
    if (r->nspans >= WD_MAX_FIELDS) {
        r->too_many_fields = true;
        return false;
    }
    if (r->nspans == r->cap_spans) {
        r->cap_spans = r->cap_spans ? r->cap_spans * 2 : 32;
        r->spans = wd_realloc(r->spans, r->cap_spans * sizeof(*r->spans));
    }
    if (len > r->d.max_field && !r->big_field)
        r->big_field = r->nspans + 1;
    struct field_span *sp = &r->spans[r->nspans++];
    sp->off = off;
    sp->len = len;
    sp->flags = 0;
    sp->converted = false;
    return true;
}

static void on_field(void *s, size_t len, void *data)
{
    struct wd_reader *r = data;
    if (!add_span(r, r->arena.len, len))
        return;
    /* every field is NUL-terminated in the arena */
    if (!s)
        len = 0;
    if (!wd_buf_reserve(&r->arena, len + 1)) {
        r->too_large = true;
        return;
    }
    if (len)
        memcpy(r->arena.data + r->arena.len, s, len);
    r->arena.data[r->arena.len + len] = '\0';
    r->arena.len += len + 1;
}

static void on_record(int term, void *data)
{
    (void)term;
    struct wd_reader *r = data;
    r->record_done = true;
    r->done_line = r->record_line;
}

/*
 * Whether libcsv would read the line's fields as they stand between its delimiters: each
 * bare (no quote), or wholly in quotes with no quote inside ("PT Maju", as tools that quote
 * every field write them). Anything else is libcsv's to read: a doubled quote, a delimiter
 * or line end inside quotes, a stray quote (which libcsv refuses).
 */
static bool simple_line(const unsigned char *s, size_t len, char delim, char quote)
{
    if (!memchr(s, quote, len))
        return true;
    const unsigned char *p = s, *end = s + len;
    for (;;) {
        const unsigned char *d = memchr(p, delim, (size_t)(end - p));
        const unsigned char *stop = d ? d : end;
        size_t n = (size_t)(stop - p);
        if (memchr(p, quote, n) &&
            (n < 2 || p[0] != quote || stop[-1] != quote || memchr(p + 1, quote, n - 2)))
            return false;
        if (!d)
            return true;
        p = d + 1;
    }
}

/* A simple line with quoted fields: each field's value copied after the one before, with
 * its NUL, its quotes left out. */
static void split_quoted_line(struct wd_reader *r, const unsigned char *seg, size_t len)
{
    if (!wd_buf_reserve(&r->arena, len + 1)) {
        r->too_large = true;
        return;
    }
    const unsigned char *p = seg, *end = seg + len;
    for (;;) {
        const unsigned char *d = memchr(p, r->d.delimiter, (size_t)(end - p));
        const unsigned char *stop = d ? d : end;
        const unsigned char *v = p;
        size_t n = (size_t)(stop - p);
        if (n >= 2 && p[0] == (unsigned char)r->d.quote) {
            v++;
            n -= 2;
        }
        if (!add_span(r, r->arena.len, n))
            break;
        memcpy(r->arena.data + r->arena.len, v, n);
        r->arena.data[r->arena.len + n] = '\0';
        r->arena.len += n + 1;
        if (!d)
            break;
        p = d + 1;
    }
    on_record(0, r);
}

/*
 * A whole simple line (simple_line), met while libcsv is between records, is split here
 * instead of by libcsv, which hands out the same fields at some thirty instructions a byte
 * (two thirds of the reading thread). Without quotes the line is copied once and each
 * delimiter overwritten with the NUL that ends its field; either way the arena is left as
 * on_field leaves it. seg holds the line's len bytes before its LF or CRLF.
 */
static void split_plain_line(struct wd_reader *r, const unsigned char *seg, size_t len)
{
    if (memchr(seg, r->d.quote, len)) {
        split_quoted_line(r, seg, len);
        return;
    }
    if (!wd_buf_reserve(&r->arena, len + 1)) {
        r->too_large = true;
        return;
    }
    size_t base = r->arena.len;
    char *line = r->arena.data + base;
    memcpy(line, seg, len);
    line[len] = '\0';
    r->arena.len += len + 1;
    char *p = line, *end = line + len;
    for (;;) {
        char *delim = memchr(p, r->d.delimiter, (size_t)(end - p));
        char *stop = delim ? delim : end;
        if (!add_span(r, base + (size_t)(p - line), (size_t)(stop - p)) || !delim)
            break;
        *delim = '\0';
        p = delim + 1;
    }
    on_record(0, r);
}

int wd_reader_open(struct wd_reader **out, struct wd_stream *in, const struct wd_dialect *d,
                   struct wd_error *err)
{
    *out = NULL;
    if (d->quote == d->delimiter && d->delimiter) {
        wd_error_file(err, in->name);
        return wd_error_set(err, WD_EFORMAT, "the delimiter and the quote character are the same");
    }
    struct wd_reader *r = wd_calloc(1, sizeof(*r));
    r->in = in;
    r->d = *d;
    if (!r->d.max_field)
        r->d.max_field = WD_MAX_FIELD_DEFAULT;
    if (!r->d.quote)
        r->d.quote = '"';
    r->cd = (iconv_t)-1;
    if (d->encoding != WD_ENCODING_UTF8) {
        const char *from = d->encoding == WD_ENCODING_WINDOWS_1252 ? "WINDOWS-1252" : "ISO-8859-1";
        r->cd = iconv_open("UTF-8", from);
        if (r->cd == (iconv_t)-1) {
            free(r);
            wd_error_file(err, in->name);
            return wd_error_set(err, WD_EFORMAT, "cannot transcode from %s: %s", from,
                                strerror(errno));
        }
    }
    csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_quote(&r->csv, (unsigned char)r->d.quote);
    csv_set_space_func(&r->csv, is_space_none);
    csv_set_blk_size(&r->csv, 64 * 1024);
    r->chunk = wd_malloc(CHUNK_SIZE);
    r->line = 1;
    r->at_line_start = true;
    wd_buf_init(&r->arena, WD_MAX_RECORD);
    wd_buf_init(&r->conv, WD_MAX_RECORD * 3);
    *out = r;
    return 0;
}

char wd_reader_delimiter(const struct wd_reader *r)
{
    return r->d.delimiter;
}

uint64_t wd_reader_blank_lines(const struct wd_reader *r)
{
    return r->blank;
}

uint64_t wd_reader_bytes(const struct wd_reader *r)
{
    return r->bytes;
}

void wd_reader_free(struct wd_reader *r)
{
    if (!r)
        return;
    csv_free(&r->csv);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    free(r->chunk);
    wd_buf_free(&r->arena);
    wd_buf_free(&r->conv);
    free(r->spans);
    free(r->fields);
    free(r->header_fields);
    free(r->header_bytes);
    free(r);
}

static int format_error(struct wd_reader *r, struct wd_error *err, uint64_t line, size_t column)
{
    wd_error_file(err, r->in->name);
    if (err) {
        err->line = line;
        err->column = (uint32_t)column;
        err->row = r->rows + (r->header_done || !r->d.header ? 1 : 0);
    }
    return WD_EFORMAT;
}

/* Where the first line with text starts in the chunk (after the BOM and empty lines). */
static size_t first_text(const struct wd_reader *r)
{
    size_t i = r->chunk_pos;
    /* before start() strips it, the byte-order mark is not text */
    if (i == 0 && r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < r->chunk_len && (r->chunk[i] == '\r' || r->chunk[i] == '\n'))
        i++;
    return i;
}

/* Counts unquoted delimiter candidates on the first line with text and picks the most
 * frequent. */
static void sniff_delimiter(struct wd_reader *r)
{
    size_t counts[3] = {0, 0, 0};
    static const char cand[3] = {',', ';', '\t'};
    bool quoted = false;
    for (size_t i = first_text(r); i < r->chunk_len && r->chunk[i] != '\n'; i++) {
        char c = (char)r->chunk[i];
        if (c == r->d.quote)
            quoted = !quoted;
        for (int k = 0; !quoted && k < 3; k++)
            counts[k] += c == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (counts[k] > counts[best])
            best = k;
    r->d.delimiter = cand[best];
}

/* Reads the first bytes: strips a UTF-8 BOM, refuses UTF-16, sniffs the delimiter. */
static int start(struct wd_reader *r, struct wd_error *err)
{
    r->started = true;
    /* read until the byte-order mark and, when sniffing, the first line with text are in */
    for (;;) {
        if (r->eof || r->chunk_len == CHUNK_SIZE)
            break;
        if (r->chunk_len >= 4) {
            if (r->d.delimiter)
                break;
            size_t t = first_text(r);
            if (t < r->chunk_len && memchr(r->chunk + t, '\n', r->chunk_len - t))
                break;
        }
        ssize_t n = r->in->read(r->in, r->chunk + r->chunk_len, CHUNK_SIZE - r->chunk_len, err);
        if (n < 0)
            return (int)n;
        if (n == 0)
            r->eof = true;
        r->chunk_len += (size_t)n;
        r->bytes += (uint64_t)n;
    }
    const unsigned char *c = r->chunk;
    if (r->chunk_len >= 3 && c[0] == 0xEF && c[1] == 0xBB && c[2] == 0xBF) {
        r->chunk_pos = 3;
    } else if (r->chunk_len >= 2 &&
               ((c[0] == 0xFF && c[1] == 0xFE) || (c[0] == 0xFE && c[1] == 0xFF))) {
        wd_error_set(err, WD_EFORMAT, "the file is UTF-16 text, which walidata does not read");
        wd_error_hint(err, "In Excel, save the file as \"CSV UTF-8\" or \"CSV (semicolon "
                           "delimited)\" instead of \"Unicode Text\".");
        return format_error(r, err, 1, 0);
    }
    if (!r->d.delimiter)
        sniff_delimiter(r);
    csv_set_delim(&r->csv, (unsigned char)r->d.delimiter);
    return 0;
}

static int fill(struct wd_reader *r, struct wd_error *err)
{
    ssize_t n = r->in->read(r->in, r->chunk, CHUNK_SIZE, err);
    if (n < 0) {
        if (err && !err->line)
            err->line = r->line;
        return (int)n;
    }
    r->chunk_pos = 0;
    r->chunk_len = (size_t)n;
    r->bytes += (uint64_t)n;
    if (n == 0)
        r->eof = true;
    return 0;
}

static int field_too_large(struct wd_reader *r, struct wd_error *err, size_t column)
{
    wd_error_set(err, WD_EFORMAT, "field %zu is larger than the limit of %zu bytes", column,
                 r->d.max_field);
    wd_error_detail(err, "The field starts in the record that begins on line %llu.",
                    (unsigned long long)r->record_line);
    wd_error_hint(err, "A quote that is never closed makes the rest of the file one field; "
                       "check the quoting near that line.");
    return format_error(r, err, r->line, column);
}

/* The first limit the record passed, in the order of its bytes: a field over max_field
 * comes before the field past WD_MAX_FIELDS, whichever piece either was met in. */
static int limits_error(struct wd_reader *r, struct wd_error *err)
{
    if (r->big_field)
        return field_too_large(r, err, r->big_field);
    if (r->too_many_fields) {
        wd_error_set(err, WD_EFORMAT, "record has more than %d fields", WD_MAX_FIELDS);
        return format_error(r, err, r->record_line, WD_MAX_FIELDS + 1);
    }
    if (r->too_large) {
        wd_error_set(err, WD_EFORMAT, "record is larger than %zu bytes", WD_MAX_RECORD);
        return format_error(r, err, r->record_line, r->nspans);
    }
    /* libcsv keeps a quote met inside a quoted field until it sees what follows: the
     * closing quote of a field still being read is not the field's */
    size_t reading = r->csv.entry_pos;
    if (r->csv.pstate == LIBCSV_QUOTE_MAY_CLOSE && reading)
        reading--;
    if (reading > r->d.max_field)
        return field_too_large(r, err, r->nspans + 1);
    return 0;
}

/* Parses until one record is complete. Returns 1, 0 at the end, or a WD_E*. */
static int parse_record(struct wd_reader *r, struct wd_error *err)
{
    int rc;
    if (!r->started && (rc = start(r, err)) < 0)
        return rc;
    while (!r->record_done) {
        if (r->chunk_pos == r->chunk_len) {
            if (r->eof) {
                if (r->finished)
                    return 0;
                r->finished = true;
                if (csv_fini(&r->csv, on_field, on_record, r) != 0) {
                    wd_error_set(err, WD_EFORMAT, "a quoted field is never closed");
                    wd_error_detail(err, "The quote opens in the record that begins on line %llu.",
                                    (unsigned long long)r->record_line);
                    return format_error(r, err, r->record_line, r->nspans + 1);
                }
                if ((rc = limits_error(r, err)) < 0)
                    return rc;
                continue;
            }
            if ((rc = fill(r, err)) < 0)
                return rc;
            continue;
        }
        /* the next piece: a whole line the reader splits itself, or up to and including the
         * first CR or LF for libcsv */
        unsigned char *seg = r->chunk + r->chunk_pos;
        size_t avail = r->chunk_len - r->chunk_pos;
        unsigned char *nl = memchr(seg, '\n', avail);
        size_t len = nl ? (size_t)(nl - seg) + 1 : avail;
        unsigned char *cr = memchr(seg, '\r', len);
        size_t text = nl ? (size_t)(nl - seg) - (cr && cr + 1 == nl) : 0;
        bool plain = nl && text && (!cr || cr + 1 == nl) && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN &&
                     simple_line(seg, text, r->d.delimiter, r->d.quote);
        if (cr && !plain) {
            len = (size_t)(cr - seg) + 1;
            nl = NULL;
        }
        /* a CR that no LF follows ended a line of its own (Excel for Mac's line ends) */
        if (r->after_cr && seg[0] != '\n') {
            r->line++;
            r->at_line_start = true;
        }
        if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN) {
            r->record_line = r->line;
            /* libcsv skips an empty line without a word: count it here (the LF of a CRLF
             * is not a line of its own) */
            if (len == 1 && r->at_line_start && (cr || (nl && !r->after_cr)))
                r->blank++;
        }
        if (plain) {
            split_plain_line(r, seg, text);
        } else if (csv_parse(&r->csv, seg, len, on_field, on_record, r) < len) {
            /* a field before the broken quote that was already too large is named first, as
             * it is when the line arrives in pieces */
            if ((rc = limits_error(r, err)) < 0)
                return rc;
            wd_error_set(err, WD_EFORMAT,
                         "malformed quoting in field %zu: a quote inside an unquoted field, or "
                         "text after a closing quote",
                         r->nspans + 1);
            wd_error_hint(err, "Put the whole value in quotes and double every quote inside it "
                               "(\"like \"\"this\"\"\").");
            return format_error(r, err, r->line, r->nspans + 1);
        }
        if ((rc = limits_error(r, err)) < 0)
            return rc;
        r->chunk_pos += len;
        r->after_cr = cr && !nl;
        r->at_line_start = nl != NULL;
        if (nl)
            r->line++;
    }
    return 1;
}

static bool is_blank(const struct wd_reader *r)
{
    for (size_t i = 0; i < r->nspans; i++) {
        const char *p = r->arena.data + r->spans[i].off;
        for (size_t k = 0; k < r->spans[i].len; k++)
            if (p[k] != ' ' && p[k] != '\t')
                return false;
    }
    return true;
}

/* Transcodes one field into conv; false when the bytes are not valid in the encoding. */
static bool transcode(struct wd_reader *r, struct field_span *sp)
{
    const char *src = r->arena.data + sp->off;
    size_t out_cap = sp->len * 3 + 1;
    size_t off = r->conv.len;
    if (!wd_buf_reserve(&r->conv, out_cap + 1))
        return false;
    char *inp = (char *)src;
    size_t inleft = sp->len;
    char *outp = r->conv.data + off;
    size_t outleft = out_cap;
    iconv(r->cd, NULL, NULL, NULL, NULL);
    if (iconv(r->cd, &inp, &inleft, &outp, &outleft) == (size_t)-1)
        return false;
    size_t produced = out_cap - outleft;
    r->conv.len = off + produced;
    wd_buf_putc(&r->conv, '\0');
    sp->off = off;
    sp->len = produced;
    sp->converted = true;
    return true;
}

/*
 * Whether every field of the record is plain ASCII without a NUL of its own, looked at in
 * one pass over the arena, where the fields lie end to end each with its NUL: the record is
 * plain when no byte has its high bit set and the zero bytes are exactly one a field. Most
 * records of most files are; checking field by field cost 1.5 % of a load's instructions,
 * mostly in the bytes after the last whole word of each short field.
 */
static bool record_is_plain(const struct wd_reader *r)
{
    const unsigned char *p = (const unsigned char *)r->arena.data;
    size_t len = r->arena.len, zeros = 0, i = 0;
    const uint64_t high = 0x8080808080808080ull, low7 = 0x7f7f7f7f7f7f7f7full;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & high)
            return false;
        /* every byte is below 0x80: adding 0x7f sets the high bit of each that is not 0,
         * with no carry into the next; the multiply adds the eight 0/1 bytes up */
        uint64_t nonzero = ((w + low7) & high) >> 7;
        zeros += 8 - (size_t)((nonzero * 0x0101010101010101ull) >> 56);
    }
    for (; i < len; i++) {
        if (p[i] & 0x80)
            return false;
        zeros += p[i] == 0;
    }
    return zeros == r->nspans;
}

/* Checks encoding, transcodes when needed, and points r->rec at the record. */
static void finish_record(struct wd_reader *r, struct wd_record *rec)
{
    wd_buf_reset(&r->conv);
    if (r->cap_fields < r->nspans) {
        r->cap_fields = r->nspans;
        r->fields = wd_realloc(r->fields, r->cap_fields * sizeof(*r->fields));
    }
    size_t to_check = record_is_plain(r) ? 0 : r->nspans;
    for (size_t i = 0; i < to_check; i++) {
        struct field_span *sp = &r->spans[i];
        const char *p = r->arena.data + sp->off;
        if (wd_utf8_is_plain(p, sp->len))
            continue;
        if (memchr(p, '\0', sp->len)) {
            sp->flags |= WD_FIELD_BAD_ENCODING;
            continue;
        }
        if (r->cd == (iconv_t)-1) {
            if (!wd_utf8_valid(p, sp->len))
                sp->flags |= WD_FIELD_BAD_ENCODING;
        } else if (!transcode(r, sp)) {
            sp->flags |= WD_FIELD_BAD_ENCODING;
        }
    }
    for (size_t i = 0; i < r->nspans; i++) {
        const struct field_span *sp = &r->spans[i];
        r->fields[i].value = (sp->converted ? r->conv.data : r->arena.data) + sp->off;
        r->fields[i].len = sp->len;
        r->fields[i].flags = sp->flags;
    }
    rec->line = r->done_line;
    rec->nfields = r->nspans;
    rec->fields = r->fields;
}

/* Reads the next non-blank record into r->rec. Returns 1, 0 at the end, or a WD_E*. */
static int next_record(struct wd_reader *r, struct wd_error *err)
{
    for (;;) {
        wd_buf_reset(&r->arena);
        r->nspans = 0;
        r->record_done = false;
        int rc = parse_record(r, err);
        if (rc <= 0)
            return rc;
        if (is_blank(r)) {
            r->blank++;
            continue;
        }
        finish_record(r, &r->rec);
        return 1;
    }
}

int wd_reader_header(struct wd_reader *r, const struct wd_record **hdr, struct wd_error *err)
{
    if (!r->d.header) {
        *hdr = NULL;
        return 0;
    }
    if (!r->header_done) {
        int rc = next_record(r, err);
        if (rc < 0)
            return rc;
        r->header_done = true;
        if (rc == 1) {
            /* keep a copy: the header outlives the record buffers */
            r->header_bytes = wd_malloc(r->arena.len + r->conv.len + 2);
            memcpy(r->header_bytes, r->arena.data, r->arena.len);
            if (r->conv.len)
                memcpy(r->header_bytes + r->arena.len, r->conv.data, r->conv.len);
            r->header_fields =
                wd_malloc((r->rec.nfields ? r->rec.nfields : 1) * sizeof(struct wd_field));
            for (size_t i = 0; i < r->rec.nfields; i++) {
                const struct field_span *sp = &r->spans[i];
                r->header_fields[i] = r->rec.fields[i];
                r->header_fields[i].value =
                    r->header_bytes + (sp->converted ? r->arena.len : 0) + sp->off;
            }
            r->header.row = 0;
            r->header.line = r->rec.line;
            r->header.nfields = r->rec.nfields;
            r->header.fields = r->header_fields;
        }
    }
    *hdr = r->header_fields ? &r->header : NULL;
    return 0;
}

int wd_reader_next(struct wd_reader *r, const struct wd_record **rec, struct wd_error *err)
{
    *rec = NULL;
    if (r->d.header && !r->header_done) {
        const struct wd_record *hdr;
        int rc = wd_reader_header(r, &hdr, err);
        if (rc < 0)
            return rc;
    }
    int rc = next_record(r, err);
    if (rc <= 0)
        return rc;
    r->rec.row = ++r->rows;
    *rec = &r->rec;
    return 1;
}
