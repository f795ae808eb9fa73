/*
 * test_reader_lines.c - the reader's own splitting of simple lines agrees with libcsv.
 *
 * The reader splits a whole simple line (fields bare, or wholly in quotes with no quote
 * inside) itself and gives every other piece to libcsv. A line is only whole when it lies
 * in one read of the stream, so a stream that hands out one byte at a time sends
 * everything after the first line through libcsv (the first is read whole to sniff the
 * delimiter or skip a byte-order mark): that reading is one oracle, libcsv's own parse of
 * the whole file the other. Each case generates a file of random lines (plain, quoted,
 * every field quoted, with delimiters, CR, LF and CRLF line ends, blank and all-empty
 * lines, broken quoting, bytes that are not UTF-8, NULs, oversized fields) and asserts
 * that reading it whole, one byte at a time and in odd-sized pieces gives the same
 * records, rows, lines, fields, flags, blank-line count and final error, word for word,
 * and that a UTF-8 file read to its end gives libcsv's records.
 */
#include "testutil.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../etl/reader.h"
#include "../etl/stream.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: a fixed seed gives the same files on every machine */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

struct text {
    char *data;
    size_t len, cap;
};

static void put(struct text *t, const char *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->data = realloc(t->data, t->cap);
        assert_non_null(t->data);
    }
    memcpy(t->data + t->len, p, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void putc_(struct text *t, char c)
{
    put(t, &c, 1);
}

/* A value without the delimiter, the quote or a line end: letters, spaces, a tab, and now
 * and then a two-byte UTF-8 letter, a byte that is not UTF-8, or a NUL. */
static void plain_value(struct text *t, unsigned most)
{
    static const char *const bits[] = {"a",        "B",    "7",          " ", "\t", "PT Maju",
                                       "\xC3\xA9", "\xFF", "2024-01-31", "-", "."};
    unsigned n = below(most + 1);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = below(40);
        const char *bit = k < 3 ? bits[6 + below(2)] : bits[k % 11];
        if (k == 0)
            putc_(t, '\0');
        else
            put(t, bit, strlen(bit));
    }
}

static const char *line_end(unsigned style)
{
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    /* style 3 mixes the three, line by line */
    return ends[style < 3 ? style : below(3)];
}

/* One line of the kinds a unit's file holds, and some it should not. */
static bool quote_all; /* the file being made quotes its plain values too */

static void random_line(struct text *t, char delim, unsigned style, unsigned most_fields)
{
    unsigned kind = below(20);
    unsigned nfields = 1 + below(most_fields);
    if (kind == 0) {        /* blank */
    } else if (kind == 1) { /* all empty, as Excel leaves at the end */
        for (unsigned i = 1; i < nfields; i++)
            putc_(t, delim);
    } else {
        for (unsigned i = 0; i < nfields; i++) {
            if (i)
                putc_(t, delim);
            unsigned q = kind < 6 ? below(6) : 9;
            if (q == 0) { /* quoted, with what needs quoting */
                putc_(t, '"');
                plain_value(t, 3);
                static const char *const inner[] = {"\"\"", ";", ",", "\n", "\r\n", "\t", ""};
                const char *in = inner[below(7)];
                put(t, in, strlen(in));
                plain_value(t, 3);
                putc_(t, '"');
            } else if (q == 1 && below(8) == 0) { /* a stray quote: refused */
                plain_value(t, 2);
                putc_(t, '"');
                plain_value(t, 2);
            } else if (quote_all) { /* as tools that quote every field write them */
                putc_(t, '"');
                plain_value(t, 6);
                putc_(t, '"');
            } else {
                plain_value(t, 6);
            }
        }
    }
    const char *end = line_end(style);
    put(t, end, strlen(end));
}

static void random_file(struct text *t, char delim, unsigned lines, unsigned most_fields)
{
    t->len = 0;
    put(t, "", 0);
    if (below(8) == 0)
        put(t, "\xEF\xBB\xBF", 3);
    unsigned style = below(4);
    quote_all = below(4) == 0;
    for (unsigned i = 0; i < lines; i++)
        random_line(t, delim, style, most_fields);
    if (t->len && below(4) == 0) /* no line end after the last line */
        t->len -= t->data[t->len - 1] == '\n' && t->len > 1 && t->data[t->len - 2] == '\r' ? 2 : 1;
}

/* Everything a reading gave, written out as text to compare. */
static void read_all(struct text *out, struct wd_stream *in, const struct wd_dialect *d)
{
    out->len = 0;
    put(out, "", 0);
    struct wd_reader *r;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_reader_open(&r, in, d, &err), 0);
    const struct wd_record *rec;
    int rc;
    char head[128];
    while ((rc = wd_reader_next(r, &rec, &err)) == 1) {
        snprintf(head, sizeof(head), "row %llu line %llu fields %zu:", (unsigned long long)rec->row,
                 (unsigned long long)rec->line, rec->nfields);
        put(out, head, strlen(head));
        for (size_t i = 0; i < rec->nfields; i++) {
            const struct wd_field *f = &rec->fields[i];
            assert_int_equal(f->value[f->len], '\0');
            snprintf(head, sizeof(head), " [%zu %u]", f->len, f->flags);
            put(out, head, strlen(head));
            put(out, f->value, f->len);
        }
        putc_(out, '\n');
    }
    snprintf(head, sizeof(head), "end %d row %llu line %llu column %u blank %llu: ", rc,
             (unsigned long long)err.row, (unsigned long long)err.line, err.column,
             (unsigned long long)wd_reader_blank_lines(r));
    put(out, head, strlen(head));
    put(out, err.msg, strlen(err.msg));
    put(out, err.detail, strlen(err.detail));
    wd_reader_free(r);
    wd_stream_close(in);
}

static void assert_same_reading(const struct text *want, const struct text *got,
                                const struct text *file, const char *how)
{
    if (want->len == got->len && memcmp(want->data, got->data, want->len) == 0)
        return;
    size_t at = 0;
    while (at < want->len && at < got->len && want->data[at] == got->data[at])
        at++;
    size_t from = at > 200 ? at - 200 : 0;
    print_error("reading %s differs from reading a byte at a time, at byte %zu of the "
                "readings\n--- a byte at a time:\n%.*s\n--- %s:\n%.*s\n--- the file (%zu "
                "bytes, escaped):\n",
                how, at, (int)(want->len - from > 400 ? 400 : want->len - from), want->data + from,
                how, (int)(got->len - from > 400 ? 400 : got->len - from), got->data + from,
                file->len);
    for (size_t i = 0; i < file->len && i < 2000; i++) {
        unsigned char c = (unsigned char)file->data[i];
        if (c >= 0x20 && c < 0x7f)
            print_error("%c", c);
        else
            print_error("\\x%02x", c);
    }
    print_error("\n");
    fail();
}

/* libcsv's own parse of a whole file, as the reader should see it: each record that is not
 * all blank written out as "[len]bytes" a field, a line a record. */
struct libcsv_reading {
    struct text *out, rec;
    bool blank;
};

static void libcsv_field(void *s, size_t len, void *data)
{
    struct libcsv_reading *o = data;
    char head[32];
    snprintf(head, sizeof(head), "[%zu]", len);
    put(&o->rec, head, strlen(head));
    put(&o->rec, s ? s : "", s ? len : 0);
    for (size_t i = 0; i < len && o->blank; i++)
        o->blank = ((const char *)s)[i] == ' ' || ((const char *)s)[i] == '\t';
}

static void libcsv_record(int term, void *data)
{
    (void)term;
    struct libcsv_reading *o = data;
    if (!o->blank) {
        put(o->out, o->rec.data, o->rec.len);
        putc_(o->out, '\n');
    }
    o->rec.len = 0;
    put(&o->rec, "", 0);
    o->blank = true;
}

/* As the reader asks of libcsv: no byte is a space to trim. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void put_record(struct text *out, const struct wd_record *rec)
{
    char head[32];
    for (size_t i = 0; i < rec->nfields; i++) {
        snprintf(head, sizeof(head), "[%zu]", rec->fields[i].len);
        put(out, head, strlen(head));
        put(out, rec->fields[i].value, rec->fields[i].len);
    }
    putc_(out, '\n');
}

/*
 * The oracle for the first line too, which the reader takes whole even from a stream of
 * one byte a read (it reads on until the line to sniff from is in): a UTF-8 file the reader
 * reads to its end must give the records libcsv itself gives, header included.
 */
static void assert_as_libcsv(const struct text *file, const struct wd_dialect *d)
{
    if (d->encoding != WD_ENCODING_UTF8)
        return;
    struct text got = {0}, want = {0};
    put(&got, "", 0);
    put(&want, "", 0);
    struct wd_stream *in = wd_stream_memory("t.csv", file->data, file->len);
    struct wd_reader *r;
    struct wd_error err;
    assert_int_equal(wd_reader_open(&r, in, d, &err), 0);
    const struct wd_record *rec;
    int rc = wd_reader_header(r, &rec, &err);
    if (rc == 0 && rec)
        put_record(&got, rec);
    while (rc >= 0 && (rc = wd_reader_next(r, &rec, &err)) == 1)
        put_record(&got, rec);
    char delimiter = wd_reader_delimiter(r);
    wd_reader_free(r);
    wd_stream_close(in);
    if (rc == 0) {
        struct csv_parser p;
        struct libcsv_reading o = {.out = &want, .blank = true};
        put(&o.rec, "", 0);
        assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
        csv_set_delim(&p, (unsigned char)delimiter);
        csv_set_quote(&p, (unsigned char)d->quote);
        csv_set_space_func(&p, no_space);
        size_t bom = file->len >= 3 && memcmp(file->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        assert_int_equal(
            csv_parse(&p, file->data + bom, file->len - bom, libcsv_field, libcsv_record, &o),
            file->len - bom);
        assert_int_equal(csv_fini(&p, libcsv_field, libcsv_record, &o), 0);
        csv_free(&p);
        free(o.rec.data);
        if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0) {
            print_error("--- libcsv:\n%.*s\n--- the reader:\n%.*s\n", (int)want.len, want.data,
                        (int)got.len, got.data);
            fail_msg("the reader's records differ from libcsv's");
        }
    }
    free(got.data);
    free(want.data);
}

/* Reads file whole, a byte at a time and in pieces of step bytes, and compares; and with
 * libcsv's own reading of it. */
static void compare_readings(const struct text *file, const struct wd_dialect *d, size_t step)
{
    assert_as_libcsv(file, d);
    struct text oracle = {0}, got = {0};
    read_all(&oracle, wd_stream_memory_pieces("trickle.csv", file->data, file->len, 1), d);
    read_all(&got, wd_stream_memory("trickle.csv", file->data, file->len), d);
    assert_same_reading(&oracle, &got, file, "whole");
    read_all(&got, wd_stream_memory_pieces("trickle.csv", file->data, file->len, step), d);
    assert_same_reading(&oracle, &got, file, "in pieces");
    free(oracle.data);
    free(got.data);
}

static void test_random_small_files(void **state)
{
    (void)state;
    rng_state = 0x5A7D47A0ull;
    static const char delims[] = {';', ',', '\t'};
    struct text file = {0};
    for (int i = 0; i < 4000; i++) {
        struct wd_dialect d;
        wd_dialect_default(&d);
        d.delimiter = delims[below(3)];
        d.header = below(2) == 0;
        d.encoding = below(4) == 0 ? WD_ENCODING_WINDOWS_1252 : WD_ENCODING_UTF8;
        if (below(6) == 0)
            d.max_field = 1 + below(12);
        random_file(&file, d.delimiter, 1 + below(12), 8);
        if (below(10) == 0)
            d.delimiter = '\0'; /* sniffed, on every reading alike */
        compare_readings(&file, &d, 2 + below(9));
    }
    free(file.data);
}

/* Files larger than the reader's 256 KiB chunk, so that lines cross its end. */
static void test_random_files_across_chunks(void **state)
{
    (void)state;
    rng_state = 0x1B2C3D4Eull;
    struct text file = {0};
    for (int i = 0; i < 3; i++) {
        struct wd_dialect d;
        wd_dialect_default(&d);
        d.delimiter = ';';
        random_file(&file, ';', 9000, 14);
        compare_readings(&file, &d, 4093);
    }
    free(file.data);
}

/*
 * Reads file (';' between fields; max_field bytes a field, or the default for 0) whole, in
 * pieces of step bytes, a byte at a time and as libcsv, asserts that they agree, and that
 * the whole reading holds each of the NULL-terminated wants. Frees file's bytes.
 */
static void assert_reading(struct text *file, size_t max_field, size_t step, ...)
{
    struct wd_dialect d;
    wd_dialect_default(&d);
    d.delimiter = ';';
    if (max_field)
        d.max_field = max_field;
    compare_readings(file, &d, step);
    struct text got = {0};
    read_all(&got, wd_stream_memory("t.csv", file->data, file->len), &d);
    va_list ap;
    va_start(ap, step);
    const char *want;
    while ((want = va_arg(ap, const char *)))
        tu_assert_contains(got.data, want);
    va_end(ap);
    free(got.data);
    free(file->data);
}

/* A plain line of more fields than a record may have is refused as it is by libcsv. */
static void test_plain_line_with_too_many_fields(void **state)
{
    (void)state;
    struct text file = {0};
    put(&file, "a;b\n1;2\n", 8);
    for (int i = 0; i < WD_MAX_FIELDS + 10; i++)
        putc_(&file, ';');
    put(&file, "x\n3;4\n", 6);
    assert_reading(&file, 0, 7, "record has more than 4096 fields",
                   "end -6 row 2 line 3 column 4097", (char *)NULL);
}

/* A plain line's field over max_field is refused, naming its column. */
static void test_plain_line_with_oversized_field(void **state)
{
    (void)state;
    const char *csv = "a;b\r\n1;2\r\n3;abcdefghijk\r\n";
    struct text file = {0};
    put(&file, csv, strlen(csv));
    assert_reading(&file, 10, 3, "row 1 line 2 fields 2: [1 0]1 [1 0]2\n",
                   "field 2 is larger than the limit of 10 bytes", (char *)NULL);
}

/* Found in review: a field over max_field before the field past WD_MAX_FIELDS was named
 * when the line came in pieces, and the field count when it came whole. */
static void test_oversized_field_before_too_many_fields(void **state)
{
    (void)state;
    struct text file = {0};
    put(&file, "a;b\nABCDEFGHIJK", 15);
    for (int i = 0; i < WD_MAX_FIELDS + 10; i++)
        putc_(&file, ';');
    putc_(&file, '\n');
    assert_reading(&file, 10, 5,
                   "end -6 row 1 line 2 column 1 blank 0: field 1 is larger than the limit of "
                   "10 bytes",
                   (char *)NULL);
}

/* A field that is one quote character alone opens a quoted field to libcsv; the reader
 * must not take it for a quoted empty value (nor look past the field for its other end). */
static void test_lone_quote_field_goes_to_libcsv(void **state)
{
    (void)state;
    const char *csv = "a;b\nx;\"\n";
    struct text file = {0};
    put(&file, csv, strlen(csv));
    assert_reading(&file, 0, 3,
                   "end -6 row 1 line 2 column 2 blank 0: a quoted field is never closed",
                   (char *)NULL);
}

/* Found by the comparison: a byte-order mark before a blank first line hid the line to
 * sniff from a stream that delivers a few bytes at a time, so it fell back to ','. */
static void test_sniff_after_bom_and_blank_line_in_pieces(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBF\r\nkode\tnama\r\n3171\tJakarta Pusat\r\n";
    struct wd_dialect d;
    wd_dialect_default(&d);
    d.delimiter = '\0';
    struct text got = {0};
    read_all(&got, wd_stream_memory_pieces("trickle.csv", csv, strlen(csv), 1), &d);
    tu_assert_contains(got.data, "row 1 line 3 fields 2: [4 0]3171 [13 0]Jakarta Pusat\n");
    tu_assert_contains(got.data, "end 0 row 0 line 0 column 0 blank 1: ");
    free(got.data);
}

/* Found by the comparison: a quoted field of exactly max_field bytes was refused when a
 * read ended right after its closing quote (libcsv holds that quote until it sees the next
 * byte). */
static void test_quoted_field_at_the_limit_in_pieces(void **state)
{
    (void)state;
    const char *csv = "a;b\n\"0123456789\";x\n";
    struct wd_dialect d;
    wd_dialect_default(&d);
    d.delimiter = ';';
    d.max_field = 10;
    for (size_t step = 1; step <= 16; step++) {
        struct text got = {0};
        read_all(&got, wd_stream_memory_pieces("trickle.csv", csv, strlen(csv), step), &d);
        tu_assert_contains(got.data, "row 1 line 2 fields 2: [10 0]0123456789 [1 0]x\nend 0 ");
        free(got.data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_small_files),
        cmocka_unit_test(test_random_files_across_chunks),
        cmocka_unit_test(test_plain_line_with_too_many_fields),
        cmocka_unit_test(test_plain_line_with_oversized_field),
        cmocka_unit_test(test_oversized_field_before_too_many_fields),
        cmocka_unit_test(test_lone_quote_field_goes_to_libcsv),
        cmocka_unit_test(test_sniff_after_bom_and_blank_line_in_pieces),
        cmocka_unit_test(test_quoted_field_at_the_limit_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
