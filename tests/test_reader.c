/*
 * test_reader.c - the CSV reader: quoting, line numbers, line ends (LF, CRLF, CR), byte-order
 * marks, blank lines, ragged rows, delimiter sniffing, gzip through the file connector,
 * transcoding and encoding flags, streams that deliver a few bytes at a time, and the
 * errors that stop a file (size limits, broken quoting, UTF-16, a truncated or damaged
 * gzip).
 *
 * Each case reads a small file from memory (wd_stream_memory) or from the test's temporary
 * folder (wd_file_stream_open) and asserts what comes out: the values byte for byte, the
 * field counts, the data-record number `row`, the physical `line`, and for errors the code,
 * the key words of the message, and the line and column it names.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../connectors/connector.h"
#include "../etl/reader.h"
#include "../etl/stream.h"
#include "../etl/utf8.h"

/*
 * What a test holds (readers, streams, buffers) is released by the teardown too, so that a
 * failed assertion, which leaves the test at once, does not show up as a leak as well.
 */
#define MAX_HELD 16
static struct {
    void *p;
    void (*release)(void *p);
} held[MAX_HELD];

static void *hold(void *p, void (*fn)(void *p))
{
    for (size_t i = 0; i < MAX_HELD; i++) {
        if (!held[i].p) {
            held[i].p = p;
            held[i].release = fn;
            return p;
        }
    }
    fail_msg("more than %d things held at once", MAX_HELD);
    return p;
}

static void release(void *p)
{
    for (size_t i = 0; p && i < MAX_HELD; i++) {
        if (held[i].p == p) {
            held[i].release(p);
            held[i].p = NULL;
            return;
        }
    }
}

static int release_all(void **state)
{
    (void)state;
    for (size_t i = MAX_HELD; i-- > 0;) {
        if (held[i].p) {
            held[i].release(held[i].p);
            held[i].p = NULL;
        }
    }
    return 0;
}

static void free_reader(void *p)
{
    wd_reader_free(p);
}

static void close_stream(void *p)
{
    wd_stream_close(p);
}

/* Returns p, freed when the test ends. */
static void *hold_mem(void *p)
{
    return hold(p, free);
}

/* One reader over one stream, with its error context. */
struct rd {
    struct wd_stream *in;
    struct wd_reader *r;
    struct wd_error err;
};

/* Opens a reader over in, taking in over. */
static void rd_open_stream(struct rd *t, struct wd_stream *in, const struct wd_dialect *d)
{
    wd_error_clear(&t->err);
    t->in = hold(in, close_stream);
    t->r = NULL;
    assert_int_equal(wd_reader_open(&t->r, t->in, d, &t->err), 0);
    assert_non_null(t->r);
    hold(t->r, free_reader);
}

static void rd_open(struct rd *t, const void *data, size_t len, const struct wd_dialect *d)
{
    rd_open_stream(t, wd_stream_memory("test.csv", data, len), d);
}

static void rd_open_str(struct rd *t, const char *text, const struct wd_dialect *d)
{
    rd_open(t, text, strlen(text), d);
}

static void rd_close(struct rd *t)
{
    release(t->r);
    release(t->in);
    t->r = NULL;
    t->in = NULL;
}

static struct wd_dialect dialect(char delimiter, bool header)
{
    struct wd_dialect d;
    wd_dialect_default(&d);
    d.delimiter = delimiter;
    d.header = header;
    return d;
}

/* Reads the next record, asserting that there is one. */
static const struct wd_record *rd_next(struct rd *t)
{
    const struct wd_record *rec = NULL;
    int rc = wd_reader_next(t->r, &rec, &t->err);
    if (rc != 1)
        print_error("wd_reader_next returned %d: %s\n", rc, t->err.msg);
    assert_int_equal(rc, 1);
    assert_non_null(rec);
    return rec;
}

/* Asserts that the reader is at the end of the data. */
static void rd_expect_end(struct rd *t)
{
    const struct wd_record *rec = (const struct wd_record *)&rec;
    int rc = wd_reader_next(t->r, &rec, &t->err);
    if (rc != 0)
        print_error("expected the end of the data, wd_reader_next returned %d (%s)\n", rc,
                    t->err.msg);
    assert_int_equal(rc, 0);
    assert_null(rec);
}

/* Reads records until one call does not return 1; returns that call's result. */
static int rd_drain(struct rd *t, uint64_t *nrecords)
{
    const struct wd_record *rec;
    int rc;
    uint64_t n = 0;
    while ((rc = wd_reader_next(t->r, &rec, &t->err)) == 1)
        n++;
    if (nrecords)
        *nrecords = n;
    return rc;
}

/* Asserts field i of rec: its bytes, its length and its flags. */
#define assert_field(rec, i, want) check_field((rec), (i), (want), strlen(want), 0u, __LINE__)
#define assert_field_n(rec, i, want, n, flags)                                                     \
    check_field((rec), (i), (want), (n), (flags), __LINE__)

static void check_field(const struct wd_record *rec, size_t i, const char *want, size_t want_len,
                        unsigned want_flags, int line)
{
    if (i >= rec->nfields) {
        print_error("%s:%d: record at line %llu has %zu fields, wanted field %zu\n", __FILE__, line,
                    (unsigned long long)rec->line, rec->nfields, i);
        _fail(__FILE__, line);
    }
    const struct wd_field *f = &rec->fields[i];
    if (f->len != want_len || memcmp(f->value, want, want_len) != 0 || f->value[f->len] != '\0' ||
        f->flags != want_flags) {
        print_error("%s:%d: field %zu of the record at line %llu is \"%.*s\" (len %zu, "
                    "flags %u), wanted \"%.*s\" (len %zu, flags %u)\n",
                    __FILE__, line, i, (unsigned long long)rec->line, (int)f->len, f->value, f->len,
                    f->flags, (int)want_len, want, want_len, want_flags);
        _fail(__FILE__, line);
    }
}

static void assert_place(const struct wd_record *rec, uint64_t row, uint64_t line, size_t nfields)
{
    assert_int_equal(rec->row, row);
    assert_int_equal(rec->line, line);
    assert_int_equal(rec->nfields, nfields);
}

/* ---- quoting ---- */

static void test_quoted_delimiter_and_doubled_quotes(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open_str(&t,
                "id,nama,catatan\n"
                "1,\"Budi, S.Kom\",\"kata \"\"lulus\"\" di BLK\"\n"
                "2,\"\"\"\",\",\"\n",
                &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_non_null(hdr);
    assert_place(hdr, 0, 1, 3);
    assert_field(hdr, 0, "id");
    assert_field(hdr, 2, "catatan");

    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 3);
    assert_field(rec, 0, "1");
    assert_field(rec, 1, "Budi, S.Kom");
    assert_field(rec, 2, "kata \"lulus\" di BLK");

    rec = rd_next(&t);
    assert_place(rec, 2, 3, 3);
    assert_field(rec, 1, "\"");
    assert_field(rec, 2, ",");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_embedded_newlines_and_line_numbers(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open_str(&t,
                "id,alamat\n"                             /* line 1 */
                "1,\"Jl. Merdeka No. 1\nRT 01\nRW 02\"\n" /* lines 2-4 */
                "2,Bekasi\n"                              /* line 5 */
                "3,\"a\r\nb\"\r\n"                        /* lines 6-7 */
                "4,Bogor\n",                              /* line 8 */
                &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 2);
    assert_field(rec, 1, "Jl. Merdeka No. 1\nRT 01\nRW 02");

    rec = rd_next(&t);
    assert_place(rec, 2, 5, 2);
    assert_field(rec, 1, "Bekasi");

    rec = rd_next(&t);
    assert_place(rec, 3, 6, 2);
    assert_field(rec, 1, "a\r\nb"); /* a line end inside quotes is data, kept as written */

    rec = rd_next(&t);
    assert_place(rec, 4, 8, 2);
    assert_field(rec, 1, "Bogor");
    rd_expect_end(&t);
    rd_close(&t);
}

/* ---- line ends, byte-order marks, spaces ---- */

static void read_two_rows(const char *text, int line)
{
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    rd_open_str(&t, text, &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_non_null(hdr);
    assert_int_equal(hdr->nfields, 2);
    check_field(hdr, 0, "kode", 4, 0, line);
    check_field(hdr, 1, "jumlah", 6, 0, line);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 2);
    check_field(rec, 0, "3171", 4, 0, line);
    check_field(rec, 1, "12", 2, 0, line);
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 2);
    check_field(rec, 0, "3273", 4, 0, line);
    check_field(rec, 1, "7", 1, 0, line);
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_crlf_and_lf_read_alike(void **state)
{
    (void)state;
    read_two_rows("kode;jumlah\n3171;12\n3273;7\n", __LINE__);
    read_two_rows("kode;jumlah\r\n3171;12\r\n3273;7\r\n", __LINE__);
    read_two_rows("kode;jumlah\r\n3171;12\n3273;7\r\n", __LINE__);
    read_two_rows("kode;jumlah\r\n3171;12\r\n3273;7", __LINE__); /* no final line end */
    read_two_rows("kode;jumlah\r\n\"3171\";\"12\"\r\n3273;\"7\"\r\n", __LINE__);
}

static void test_cr_only_line_ends(void **state)
{
    (void)state;
    /* Excel for Mac's "CSV (Macintosh)" ends lines with CR alone: records and their line
     * numbers come out as for LF, and an empty CR line counts as blank */
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    rd_open_str(&t, "kode;jumlah\r3171;12\r\r3273;\"7\"\r;\r", &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_non_null(hdr);
    assert_place(hdr, 0, 1, 2);
    assert_field(hdr, 1, "jumlah");
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 2);
    assert_field(rec, 0, "3171");
    assert_field(rec, 1, "12");
    rec = rd_next(&t);
    assert_place(rec, 2, 4, 2);
    assert_field(rec, 0, "3273");
    assert_field(rec, 1, "7");
    rd_expect_end(&t);
    assert_int_equal(wd_reader_blank_lines(t.r), 2);
    rd_close(&t);
}

static void test_utf8_bom_stripped(void **state)
{
    (void)state;
    read_two_rows("\xEF\xBB\xBFkode;jumlah\r\n3171;12\r\n3273;7\r\n", __LINE__);
    read_two_rows("\xEF\xBB\xBF\"kode\";jumlah\n3171;12\n3273;7\n", __LINE__);
}

static void expect_utf16_refused(const void *data, size_t len)
{
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    rd_open(&t, data, len, &d);
    const struct wd_record *rec;
    int rc = wd_reader_next(t.r, &rec, &t.err);
    assert_int_equal(rc, WD_EFORMAT);
    assert_int_equal(t.err.code, WD_EFORMAT);
    tu_assert_contains(t.err.msg, "UTF-16");
    assert_int_equal(t.err.line, 1);
    assert_string_equal(t.err.file, "test.csv");
    rd_close(&t);
}

static void test_utf16_bom_refused(void **state)
{
    (void)state;
    static const unsigned char le[] = {0xFF, 0xFE, 'k', 0,   'o', 0,    'd', 0,    'e',
                                       0,    '\t', 0,   'n', 0,   '\r', 0,   '\n', 0};
    static const unsigned char be[] = {0xFE, 0xFF, 0, 'k', 0, 'o', 0, '\n'};
    expect_utf16_refused(le, sizeof(le));
    expect_utf16_refused(be, sizeof(be));
}

static void test_spaces_kept_exactly(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(';', false);
    rd_open_str(&t,
                " a ;\tb\t;  c  \n"
                "x ;\" y \"; z\r\n"
                "\xC2\xA0n\xC2\xA0;  \n",
                &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 1, 3);
    assert_field(rec, 0, " a ");
    assert_field(rec, 1, "\tb\t");
    assert_field(rec, 2, "  c  ");
    rec = rd_next(&t);
    assert_place(rec, 2, 2, 3);
    assert_field(rec, 0, "x ");
    assert_field(rec, 1, " y ");
    assert_field(rec, 2, " z");
    rec = rd_next(&t);
    assert_place(rec, 3, 3, 2);
    assert_field(rec, 0, "\xC2\xA0n\xC2\xA0");
    assert_field(rec, 1, "  ");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_empty_field_and_quoted_empty_field(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open_str(&t, "a,b,c,d\n1,,\"\",4\n,2,,\n", &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 4);
    assert_field(rec, 0, "1");
    assert_field(rec, 1, "");
    assert_field(rec, 2, "");
    assert_field(rec, 3, "4");
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 4);
    assert_field(rec, 0, "");
    assert_field(rec, 1, "2");
    assert_field(rec, 2, "");
    assert_field(rec, 3, "");
    rd_expect_end(&t);
    rd_close(&t);
}

/* ---- blank lines ---- */

static void test_all_empty_records_skipped_and_counted(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    rd_open_str(&t,
                "kode;nama;jumlah\n" /* 1 */
                ";;\n"               /* 2 */
                "3171;Gambir;5\n"    /* 3 */
                ";;;\r\n"            /* 4 */
                " ; \t;\n"           /* 5 */
                "3273;Sukasari;7\n"  /* 6 */
                ";;\n"               /* 7 */
                ";;\r\n",            /* 8 */
                &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 3, 3);
    assert_field(rec, 1, "Gambir");
    rec = rd_next(&t);
    assert_place(rec, 2, 6, 3);
    assert_field(rec, 1, "Sukasari");
    rd_expect_end(&t);
    assert_int_equal(wd_reader_blank_lines(t.r), 5);
    rd_close(&t);
}

static void test_wholly_blank_lines_skipped_and_counted(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    rd_open_str(&t,
                "\n"            /* 1 */
                "kode;jumlah\n" /* 2 */
                "\n"            /* 3 */
                "3171;5\n"      /* 4 */
                "\r\n"          /* 5 */
                "\n"            /* 6 */
                "3273;7\r\n"    /* 7 */
                "\r\n"          /* 8 */
                "\n",           /* 9 */
                &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_non_null(hdr);
    assert_place(hdr, 0, 2, 2);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 4, 2);
    assert_field(rec, 0, "3171");
    rec = rd_next(&t);
    assert_place(rec, 2, 7, 2);
    assert_field(rec, 1, "7");
    rd_expect_end(&t);
    assert_int_equal(wd_reader_blank_lines(t.r), 6);
    rd_close(&t);
}

/* ---- ragged rows ---- */

static void test_ragged_rows_come_out_as_they_are(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open_str(&t, "a,b,c\n1,2\n1,2,3\n1,2,3,4,5\n1\n", &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_int_equal(hdr->nfields, 3);
    static const size_t want[] = {2, 3, 5, 1};
    for (size_t i = 0; i < 4; i++) {
        const struct wd_record *rec = rd_next(&t);
        assert_place(rec, i + 1, i + 2, want[i]);
        assert_field(rec, 0, "1");
    }
    rd_expect_end(&t);
    rd_close(&t);
}

/* ---- delimiter sniffing ---- */

static void expect_sniffed(const char *text, char want, const char *field1)
{
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    rd_open_str(&t, text, &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_int_equal(wd_reader_delimiter(t.r), want);
    assert_non_null(hdr);
    assert_int_equal(hdr->nfields, 3);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 3);
    assert_field(rec, 1, field1);
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_sniff_delimiter(void **state)
{
    (void)state;
    expect_sniffed("kode,nama,upah\n3171,Gambir,\"4.500.000,00\"\n", ',', "Gambir");
    expect_sniffed("kode;nama;upah\n3171;Gambir;4.500.000,00\n", ';', "Gambir");
    expect_sniffed("kode\tnama\tupah\r\n3171\tGambir, Jakarta\t4.500.000,00\r\n", '\t',
                   "Gambir, Jakarta");
    /* delimiters inside quotes do not count */
    expect_sniffed("\"a;b;c;d\",nama,\"x;y\"\n1,Gambir,2\n", ',', "Gambir");
    /* a byte-order mark does not get in the way */
    expect_sniffed("\xEF\xBB\xBFkode;nama;upah\n3171;Gambir;5\n", ';', "Gambir");
}

/* ---- gzip through the file connector ---- */

static void test_gzip_file(void **state)
{
    (void)state;
    static const char csv[] =
        "kode;nama\r\n3171;Gambir\r\n3273;\"Suka\nsari\"\r\n3201;Cibinong\r\n";
    char *path = hold_mem(tu_write_gz("kecamatan.csv.gz", csv, strlen(csv), 0));
    struct wd_stream *in;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_file_stream_open(path, &in, &err), 0);
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    rd_open_stream(&t, in, &d);
    const struct wd_record *rec = rd_next(&t);
    assert_int_equal(wd_reader_delimiter(t.r), ';');
    assert_place(rec, 1, 2, 2);
    assert_field(rec, 1, "Gambir");
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 2);
    assert_field(rec, 1, "Suka\nsari");
    rec = rd_next(&t);
    assert_place(rec, 3, 5, 2);
    assert_field(rec, 1, "Cibinong");
    rd_expect_end(&t);
    assert_int_equal(wd_reader_bytes(t.r), strlen(csv)); /* bytes after decompression */
    rd_close(&t);
    release(path);

    /* gzip is told by its magic bytes, not by the file's name */
    path = hold_mem(tu_write_gz("kecamatan.csv", csv, strlen(csv), 0));
    assert_int_equal(wd_file_stream_open(path, &in, &err), 0);
    rd_open_stream(&t, in, &d);
    uint64_t n;
    assert_int_equal(rd_drain(&t, &n), 0);
    assert_int_equal(n, 3);
    rd_close(&t);
    release(path);
}

static void test_plain_file_and_missing_file(void **state)
{
    (void)state;
    char *path = hold_mem(tu_write_str("plain.csv", "a,b\n1,2\n"));
    struct wd_stream *in;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_file_stream_open(path, &in, &err), 0);
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open_stream(&t, in, &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 2);
    assert_field(rec, 1, "2");
    rd_expect_end(&t);
    rd_close(&t);

    char missing[600];
    snprintf(missing, sizeof(missing), "%s/no-such-file.csv", tu_tmpdir());
    wd_error_clear(&err);
    in = (struct wd_stream *)&err;
    assert_int_equal(wd_file_stream_open(missing, &in, &err), WD_ENOTFOUND);
    assert_null(in);
    assert_string_equal(err.file, missing);

    /* a directory is no data file */
    wd_error_clear(&err);
    assert_int_equal(wd_file_stream_open(tu_tmpdir(), &in, &err), WD_EIO);
    assert_null(in);
    tu_assert_contains(err.msg, "directory");
    release(path);
}

static void test_gzip_truncated(void **state)
{
    (void)state;
    /* enough varied text that the compressed file is several kilobytes */
    size_t cap = 200000, len = 0;
    char *csv = hold_mem(malloc(cap));
    len += (size_t)snprintf(csv + len, cap - len, "id;nik;upah\n");
    uint32_t x = 12345;
    for (int i = 1; i <= 3000; i++) {
        x = x * 1103515245u + 12345u;
        len += (size_t)snprintf(csv + len, cap - len, "%d;3171%012u;%u\n", i, x, x % 9000000);
    }
    char *whole = hold_mem(tu_write_gz("whole.csv.gz", csv, len, 0));
    size_t gzlen;
    char *gz = hold_mem(tu_read(whole, &gzlen));
    assert_true(gzlen > 4000);
    release(gz);

    static const size_t cuts[] = {10, 2000, 0};
    for (size_t k = 0; k < 3; k++) {
        /* cut inside the header, inside the data, and just before the 8-byte trailer */
        size_t cut = cuts[k] ? cuts[k] : gzlen - 4;
        char *path = hold_mem(tu_write_gz("cut.csv.gz", csv, len, cut));
        struct wd_stream *in;
        struct wd_error err;
        wd_error_clear(&err);
        assert_int_equal(wd_file_stream_open(path, &in, &err), 0);
        struct rd t;
        struct wd_dialect d = dialect(';', true);
        rd_open_stream(&t, in, &d);
        uint64_t n;
        int rc = rd_drain(&t, &n);
        if (rc != WD_EFORMAT)
            print_error("cut at %zu of %zu: %llu records, rc %d\n", cut, gzlen,
                        (unsigned long long)n, rc);
        assert_int_equal(rc, WD_EFORMAT);
        assert_int_equal(t.err.code, WD_EFORMAT);
        tu_assert_contains(t.err.msg, "gzip");
        tu_assert_contains(t.err.detail, "truncated");
        assert_string_equal(t.err.file, path);
        assert_true(n < 3000);
        rd_close(&t);
        release(path);
    }
    release(whole);
    release(csv);
}

static void test_gzip_bad_check(void **state)
{
    (void)state;
    /* a whole gzip stream whose CRC-32 or length in the trailer does not match its data */
    static const char csv[] = "kode;nama\n3171;Gambir\n3273;Sukasari\n";
    char *good = hold_mem(tu_write_gz("good.csv.gz", csv, strlen(csv), 0));
    size_t gzlen;
    char *gz = hold_mem(tu_read(good, &gzlen));
    assert_true(gzlen > 8);
    static const size_t spots[] = {8, 2}; /* from the end: the CRC-32, the length */
    for (size_t k = 0; k < 2; k++) {
        gz[gzlen - spots[k]] ^= 0x5A;
        char *path = hold_mem(tu_write("bad.csv.gz", gz, gzlen));
        gz[gzlen - spots[k]] ^= 0x5A;
        struct wd_stream *in;
        struct wd_error err;
        wd_error_clear(&err);
        assert_int_equal(wd_file_stream_open(path, &in, &err), 0);
        struct rd t;
        struct wd_dialect d = dialect(';', true);
        rd_open_stream(&t, in, &d);
        assert_int_equal(rd_drain(&t, NULL), WD_EFORMAT);
        tu_assert_contains(t.err.msg, "gzip");
        assert_string_equal(t.err.file, path);
        rd_close(&t);
        release(path);
    }
    release(gz);
    release(good);
}

/* ---- encodings ---- */

static void test_windows1252_transcoded(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    d.encoding = WD_ENCODING_WINDOWS_1252;
    rd_open_str(&t,
                "nama;periode;caf\xE9\r\n"
                "Jos\xE9 Rizal;2020\x96"
                "2021;\x93kutip\x94\r\n"
                "Andi;\x80 5;\xA0x\r\n",
                &d);
    const struct wd_record *hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_non_null(hdr);
    assert_field(hdr, 2, "caf\xC3\xA9");

    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 3);
    assert_field(rec, 0, "Jos\xC3\xA9 Rizal");
    assert_field(rec, 1,
                 "2020\xE2\x80\x93"
                 "2021"); /* en dash U+2013 */
    assert_field(rec, 2, "\xE2\x80\x9Ckutip\xE2\x80\x9D");
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 3);
    assert_field(rec, 0, "Andi");
    assert_field(rec, 1, "\xE2\x82\xAC 5"); /* euro sign */
    assert_field(rec, 2, "\xC2\xA0x");      /* no-break space */
    /* the header stays what it was after records were read */
    assert_field(hdr, 2, "caf\xC3\xA9");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_iso8859_1_transcoded(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', false);
    d.encoding = WD_ENCODING_ISO_8859_1;
    rd_open_str(&t, "Jos\xE9,\xB5,\x81\n", &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 1, 3);
    assert_field(rec, 0, "Jos\xC3\xA9");
    assert_field(rec, 1, "\xC2\xB5");
    assert_field(rec, 2, "\xC2\x81"); /* a C1 control, but a character of Latin-1 */
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_windows1252_undefined_byte_flagged(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(';', true);
    d.encoding = WD_ENCODING_WINDOWS_1252;
    rd_open_str(&t, "a;b;c\r\nJos\xE9;x\x81y;z\r\nok;\x96;ok\r\n", &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 3);
    assert_field(rec, 0, "Jos\xC3\xA9");
    assert_field_n(rec, 1, "x\x81y", 3, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 2, "z");
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 3);
    assert_field(rec, 0, "ok");
    assert_field(rec, 1, "\xE2\x80\x93");
    assert_field(rec, 2, "ok");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_windows1252_every_byte(void **state)
{
    (void)state;
    /* one record per byte 0x80-0xFF, each byte alone in the second field: the five bytes
     * windows-1252 leaves undefined are flagged, every other one becomes valid UTF-8 */
    char *text = hold_mem(malloc(128 * 8 + 1));
    size_t len = 0;
    for (int b = 0x80; b <= 0xFF; b++) {
        text[len++] = 'x';
        text[len++] = ';';
        text[len++] = (char)b;
        text[len++] = ';';
        text[len++] = 'y';
        text[len++] = '\n';
    }
    struct rd t;
    struct wd_dialect d = dialect(';', false);
    d.encoding = WD_ENCODING_WINDOWS_1252;
    rd_open(&t, text, len, &d);
    for (int b = 0x80; b <= 0xFF; b++) {
        const struct wd_record *rec = rd_next(&t);
        assert_place(rec, (uint64_t)(b - 0x7F), (uint64_t)(b - 0x7F), 3);
        bool undefined = b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D;
        const struct wd_field *f = &rec->fields[1];
        if (undefined) {
            assert_int_equal(f->flags, WD_FIELD_BAD_ENCODING);
            assert_int_equal(f->len, 1);
            assert_int_equal((unsigned char)f->value[0], b);
        } else {
            if (f->flags != 0 || f->len < 2 || !wd_utf8_valid(f->value, f->len))
                fail_msg("byte 0x%02X came out as %zu bytes, flags %u", (unsigned)b, f->len,
                         f->flags);
        }
        assert_int_equal(rec->fields[0].flags, 0);
        assert_int_equal(rec->fields[2].flags, 0);
        assert_field(rec, 2, "y");
    }
    rd_expect_end(&t);
    rd_close(&t);
    release(text);
}

static void test_invalid_utf8_flagged(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', false);
    rd_open_str(&t,
                "Jos\xC3\xA9,\xC3\x28,ok\n"        /* 1: a lead byte without its continuation */
                "\xC0\xAF,\xED\xA0\x80,\xE2\x82\n" /* 2: overlong, surrogate, cut short */
                "\xF4\x90\x80\x80,\xE9t\xE9,\xE2\x80\x93\n", /* 3: past U+10FFFF, Latin-1 */
                &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 1, 3);
    assert_field(rec, 0, "Jos\xC3\xA9");
    assert_field_n(rec, 1, "\xC3\x28", 2, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 2, "ok");
    rec = rd_next(&t);
    assert_place(rec, 2, 2, 3);
    assert_field_n(rec, 0, "\xC0\xAF", 2, WD_FIELD_BAD_ENCODING);
    assert_field_n(rec, 1, "\xED\xA0\x80", 3, WD_FIELD_BAD_ENCODING);
    assert_field_n(rec, 2, "\xE2\x82", 2, WD_FIELD_BAD_ENCODING);
    rec = rd_next(&t);
    assert_place(rec, 3, 3, 3);
    assert_field_n(rec, 0, "\xF4\x90\x80\x80", 4, WD_FIELD_BAD_ENCODING);
    assert_field_n(rec, 1, "\xE9t\xE9", 3, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 2, "\xE2\x80\x93");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_nul_byte_flagged(void **state)
{
    (void)state;
    static const char data[] = "a,b,c\n1,x\0y,3\n\"q\0\",ok,\0\n";
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    rd_open(&t, data, sizeof(data) - 1, &d);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 2, 3);
    assert_field(rec, 0, "1");
    assert_field_n(rec, 1, "x\0y", 3, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 2, "3");
    rec = rd_next(&t);
    assert_place(rec, 2, 3, 3);
    assert_field_n(rec, 0, "q\0", 2, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 1, "ok");
    assert_field_n(rec, 2, "\0", 1, WD_FIELD_BAD_ENCODING);
    rd_expect_end(&t);
    rd_close(&t);

    /* in windows-1252 too, where iconv would otherwise pass the NUL through */
    d.encoding = WD_ENCODING_WINDOWS_1252;
    rd_open(&t, data, sizeof(data) - 1, &d);
    rec = rd_next(&t);
    assert_field_n(rec, 1, "x\0y", 3, WD_FIELD_BAD_ENCODING);
    assert_field(rec, 2, "3");
    rd_close(&t);
}

/* ---- limits ---- */

static void expect_format_error(const char *text, const struct wd_dialect *d, uint64_t records,
                                uint64_t line, uint32_t column, const char *words)
{
    struct rd t;
    rd_open_str(&t, text, d);
    uint64_t n;
    int rc = rd_drain(&t, &n);
    if (rc != WD_EFORMAT)
        print_error("expected WD_EFORMAT after %llu records, got %d after %llu records\n",
                    (unsigned long long)records, rc, (unsigned long long)n);
    assert_int_equal(rc, WD_EFORMAT);
    assert_int_equal(t.err.code, WD_EFORMAT);
    assert_int_equal(n, records);
    tu_assert_contains(t.err.msg, words);
    assert_string_equal(t.err.file, "test.csv");
    if (t.err.line != line || t.err.column != column)
        print_error("error at line %llu column %u, expected line %llu column %u: %s\n",
                    (unsigned long long)t.err.line, t.err.column, (unsigned long long)line, column,
                    t.err.msg);
    assert_int_equal(t.err.line, line);
    assert_int_equal(t.err.column, column);
    rd_close(&t);
}

static void test_max_field_exact_fits(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', true);
    d.max_field = 16;
    rd_open_str(&t, "a,b\n1,0123456789abcdef\n", &d);
    const struct wd_record *rec = rd_next(&t);
    assert_field(rec, 1, "0123456789abcdef");
    rd_expect_end(&t);
    rd_close(&t);
}

static void test_max_field_in_one_line(void **state)
{
    (void)state;
    struct wd_dialect d = dialect(',', true);
    d.max_field = 16;
    /* a field of 17 bytes on line 3, second column; the line ends normally */
    expect_format_error("a,b,c\n1,2,3\n4,0123456789abcdefg,6\n7,8,9\n", &d, 1, 3, 2,
                        "larger than the limit");
    /* and the same as the last field of the line, quoted */
    expect_format_error("a,b,c\n1,2,3\n4,5,\"0123456789abcdefg\"\r\n", &d, 1, 3, 3,
                        "larger than the limit");
}

static void test_max_field_unclosed_quote(void **state)
{
    (void)state;
    struct wd_dialect d = dialect(',', true);
    d.max_field = 16;
    /* a quote that never closes swallows the lines after it: stopped at the limit, at the
     * line where the field passes it ("abc\n" and line 4 make 15 bytes, line 5 makes 26) */
    struct rd t;
    rd_open_str(&t, "a,b\n1,2\n3,\"abc\n0123456789\n0123456789\n0123456789\n", &d);
    uint64_t n;
    assert_int_equal(rd_drain(&t, &n), WD_EFORMAT);
    assert_int_equal(n, 1);
    tu_assert_contains(t.err.msg, "larger than the limit of 16 bytes");
    assert_int_equal(t.err.line, 5);
    assert_int_equal(t.err.column, 2);
    assert_int_equal(t.err.row, 2);
    tu_assert_contains(t.err.detail, "line 3"); /* where the record, and the quote, began */
    rd_close(&t);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    size_t n = WD_MAX_FIELDS + 1;
    char *text = hold_mem(malloc(2 * n + 16));
    size_t len = 0;
    memcpy(text, "a\n1\n", 4);
    len = 4;
    for (size_t i = 0; i < n; i++) {
        text[len++] = 'x';
        text[len++] = i + 1 < n ? ',' : '\n';
    }
    text[len] = '\0';
    struct wd_dialect d = dialect(',', true);
    expect_format_error(text, &d, 1, 3, WD_MAX_FIELDS + 1, "more than");
    release(text);
}

/* ---- broken quoting ---- */

static void test_unterminated_quote_at_eof(void **state)
{
    (void)state;
    struct wd_dialect d = dialect(',', true);
    struct rd t;
    rd_open_str(&t, "a,b\n1,2\n3,\"never\nclosed,4\n", &d);
    uint64_t n;
    assert_int_equal(rd_drain(&t, &n), WD_EFORMAT);
    assert_int_equal(n, 1);
    assert_int_equal(t.err.code, WD_EFORMAT);
    tu_assert_contains(t.err.msg, "never closed");
    tu_assert_contains(t.err.detail, "line 3");
    assert_int_equal(t.err.line, 3);
    assert_int_equal(t.err.column, 2);
    assert_int_equal(t.err.row, 2);
    rd_close(&t);

    /* without a final line end */
    expect_format_error("a,b\n\"x", &d, 0, 2, 1, "never closed");
}

static void test_stray_quote_strict(void **state)
{
    (void)state;
    struct wd_dialect d = dialect(',', true);
    /* a quote inside an unquoted field */
    expect_format_error("a,b,c\n1,2,3\n4,5 \"inci\" 6,7\n", &d, 1, 3, 2, "quot");
    /* text after a closing quote */
    expect_format_error("a,b,c\n\"1\"x,2,3\n", &d, 0, 2, 1, "quot");
    /* after a multi-line record, the line is still the physical one */
    expect_format_error("a,b\n1,\"x\ny\nz\"\n2,ab\"c\n", &d, 1, 5, 2, "quot");

    struct rd t;
    rd_open_str(&t, "a,b\n1,ab\"c\n", &d);
    assert_int_equal(rd_drain(&t, NULL), WD_EFORMAT);
    assert_int_equal(t.err.row, 1);
    assert_true(t.err.hint[0] != '\0');
    rd_close(&t);
}

/* ---- header or not ---- */

static void test_empty_file(void **state)
{
    (void)state;
    static const char *const files[] = {"", "\xEF\xBB\xBF", "\n", "\r\n\r\n", ";;;\n"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct rd t;
        struct wd_dialect d = dialect(';', true);
        rd_open_str(&t, files[i], &d);
        const struct wd_record *hdr = (const struct wd_record *)&hdr;
        assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
        assert_null(hdr);
        rd_expect_end(&t);
        rd_expect_end(&t); /* and stays there */
        rd_close(&t);
    }
    /* the same when the caller asks for records without the header first */
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    rd_open_str(&t, "", &d);
    rd_expect_end(&t);
    assert_int_equal(wd_reader_bytes(t.r), 0);
    rd_close(&t);
}

static void test_header_only(void **state)
{
    (void)state;
    static const char *const files[] = {"kode;nama;jumlah\n", "kode;nama;jumlah",
                                        "kode;nama;jumlah\r\n;;\r\n\r\n"};
    for (size_t i = 0; i < 3; i++) {
        struct rd t;
        struct wd_dialect d = dialect(';', true);
        rd_open_str(&t, files[i], &d);
        const struct wd_record *hdr;
        assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
        assert_non_null(hdr);
        assert_place(hdr, 0, 1, 3);
        assert_field(hdr, 0, "kode");
        assert_field(hdr, 2, "jumlah");
        rd_expect_end(&t);
        /* asking again gives the same header */
        const struct wd_record *again;
        assert_int_equal(wd_reader_header(t.r, &again, &t.err), 0);
        assert_ptr_equal(again, hdr);
        assert_field(again, 1, "nama");
        rd_close(&t);
    }
}

static void test_no_header(void **state)
{
    (void)state;
    struct rd t;
    struct wd_dialect d = dialect(',', false);
    rd_open_str(&t, "kode,nama\n3171,Gambir\n", &d);
    const struct wd_record *hdr = (const struct wd_record *)&hdr;
    assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
    assert_null(hdr);
    const struct wd_record *rec = rd_next(&t);
    assert_place(rec, 1, 1, 2);
    assert_field(rec, 0, "kode");
    rec = rd_next(&t);
    assert_place(rec, 2, 2, 2);
    assert_field(rec, 1, "Gambir");
    rd_expect_end(&t);
    rd_close(&t);
}

/* ---- reads that come in small pieces ---- */

/* One file with the line end nl, read 1 to 7 bytes at a time: every piece boundary falls
 * somewhere awkward (inside the BOM, between CR and LF, inside a doubled quote) and nothing
 * may change. */
static void small_reads(const char *nl)
{
    char text[256], value[64];
    snprintf(text, sizeof(text),
             "\xEF\xBB\xBF"
             "id;alamat;n%s"                  /* 1 */
             "1;\"Jl. \"\"A\"\";%sRT 1\";5%s" /* 2-3 */
             "%s"                             /* 4 */
             ";;%s"                           /* 5 */
             "2;Bogor;6%s",                   /* 6 */
             nl, nl, nl, nl, nl, nl);
    snprintf(value, sizeof(value), "Jl. \"A\";%sRT 1", nl);
    for (size_t step = 1; step <= 7; step++) {
        struct rd t;
        struct wd_dialect d = dialect(';', true);
        rd_open_stream(&t, wd_stream_memory_pieces("trickle.csv", text, strlen(text), step), &d);
        const struct wd_record *hdr;
        assert_int_equal(wd_reader_header(t.r, &hdr, &t.err), 0);
        assert_non_null(hdr);
        assert_place(hdr, 0, 1, 3);
        assert_field(hdr, 0, "id");
        assert_field(hdr, 2, "n");
        const struct wd_record *rec = rd_next(&t);
        assert_place(rec, 1, 2, 3);
        assert_field(rec, 1, value);
        rec = rd_next(&t);
        assert_place(rec, 2, 6, 3);
        assert_field(rec, 1, "Bogor");
        assert_field(rec, 2, "6");
        rd_expect_end(&t);
        assert_int_equal(wd_reader_blank_lines(t.r), 2);
        rd_close(&t);
    }
}

static void test_small_reads_lf(void **state)
{
    (void)state;
    small_reads("\n");
}

static void test_small_reads_crlf(void **state)
{
    (void)state;
    small_reads("\r\n");
}

static void test_small_reads_cr(void **state)
{
    (void)state;
    small_reads("\r");
}

static void test_sniff_small_reads(void **state)
{
    (void)state;
    /* the first line is longer than the first read: sniffing must still see all of it */
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    const char *csv = "kode_kecamatan;nama\n317101;Gambir\n";
    rd_open_stream(&t, wd_stream_memory_pieces("trickle.csv", csv, strlen(csv), 2), &d);
    const struct wd_record *rec = rd_next(&t);
    assert_int_equal(wd_reader_delimiter(t.r), ';');
    assert_place(rec, 1, 2, 2);
    assert_field(rec, 1, "Gambir");
    rd_close(&t);
}

static void test_sniff_after_leading_blank_line(void **state)
{
    (void)state;
    /* an empty first line says nothing about the delimiter: the first line with text does */
    struct rd t;
    struct wd_dialect d = dialect('\0', true);
    rd_open_str(&t, "\r\nkode;nama\r\n317101;Gambir\r\n", &d);
    const struct wd_record *rec = rd_next(&t);
    assert_int_equal(wd_reader_delimiter(t.r), ';');
    assert_place(rec, 1, 3, 2);
    assert_field(rec, 1, "Gambir");
    rd_close(&t);
}

/* ---- dialect and encoding names ---- */

static void test_dialect_and_encoding_names(void **state)
{
    (void)state;
    struct wd_dialect d;
    wd_dialect_default(&d);
    assert_int_equal(d.delimiter, ',');
    assert_int_equal(d.quote, '"');
    assert_true(d.header);
    assert_int_equal(d.encoding, WD_ENCODING_UTF8);
    assert_int_equal(d.max_field, WD_MAX_FIELD_DEFAULT);

    enum wd_encoding e;
    assert_true(wd_encoding_parse("UTF-8", &e));
    assert_int_equal(e, WD_ENCODING_UTF8);
    assert_true(wd_encoding_parse("Windows-1252", &e));
    assert_int_equal(e, WD_ENCODING_WINDOWS_1252);
    assert_true(wd_encoding_parse("CP1252", &e));
    assert_int_equal(e, WD_ENCODING_WINDOWS_1252);
    assert_true(wd_encoding_parse("latin1", &e));
    assert_int_equal(e, WD_ENCODING_ISO_8859_1);
    assert_false(wd_encoding_parse("utf-16", &e));
    assert_false(wd_encoding_parse("", &e));
    assert_string_equal(wd_encoding_name(WD_ENCODING_WINDOWS_1252), "windows-1252");

    /* a delimiter that is also the quote cannot be read */
    d.delimiter = '"';
    struct wd_stream *in = hold(wd_stream_memory("test.csv", "a", 1), close_stream);
    struct wd_reader *r = (struct wd_reader *)&r;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_reader_open(&r, in, &d, &err), WD_EFORMAT);
    assert_null(r);
    tu_assert_contains(err.msg, "quote");
    release(in);
}

#define T(f) cmocka_unit_test_teardown(f, release_all)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_quoted_delimiter_and_doubled_quotes),
        T(test_embedded_newlines_and_line_numbers),
        T(test_crlf_and_lf_read_alike),
        T(test_cr_only_line_ends),
        T(test_utf8_bom_stripped),
        T(test_utf16_bom_refused),
        T(test_spaces_kept_exactly),
        T(test_empty_field_and_quoted_empty_field),
        T(test_all_empty_records_skipped_and_counted),
        T(test_wholly_blank_lines_skipped_and_counted),
        T(test_ragged_rows_come_out_as_they_are),
        T(test_sniff_delimiter),
        T(test_gzip_file),
        T(test_plain_file_and_missing_file),
        T(test_gzip_truncated),
        T(test_gzip_bad_check),
        T(test_windows1252_transcoded),
        T(test_iso8859_1_transcoded),
        T(test_windows1252_undefined_byte_flagged),
        T(test_windows1252_every_byte),
        T(test_invalid_utf8_flagged),
        T(test_nul_byte_flagged),
        T(test_max_field_exact_fits),
        T(test_max_field_in_one_line),
        T(test_max_field_unclosed_quote),
        T(test_too_many_fields),
        T(test_unterminated_quote_at_eof),
        T(test_stray_quote_strict),
        T(test_empty_file),
        T(test_header_only),
        T(test_no_header),
        T(test_small_reads_lf),
        T(test_small_reads_crlf),
        T(test_small_reads_cr),
        T(test_sniff_small_reads),
        T(test_sniff_after_leading_blank_line),
        T(test_dialect_and_encoding_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
