/*
 * gen_penempatan.c - a deterministic generator of placement extracts for the benchmark.
 *
 * Writes N data rows of the penempatan_tenaga_kerja dataset in one of two dialects:
 *
 *   excel (default)  the dialect its mapping declares, the way a dinas ketenagakerjaan's Excel
 *                    writes it: ';' between fields, CRLF line ends, windows-1252 bytes in a
 *                    few company names, wages with dot groups and a decimal comma
 *                    ("4.500.000,00"), dates as DD/MM/YYYY, JK as L/P or 1/2, KBLI codes
 *                    whose leading zero a spreadsheet dropped;
 *   plain            what a database export writes, the shape PostgreSQL's COPY reads as it
 *                    is: UTF-8, ',' between fields, LF, '.' decimals without groups
 *                    ("4500000.00"), ISO dates (YYYY-MM-DD), JK as 1/2, KBLI with its leading
 *                    zeros. bench/run derives the matching definition from the shipped one.
 *
 * Both dialects draw the same numbers from the PRNG, so the same seed gives the same rows,
 * only written differently. Every code comes from the shipped reference lists (--codes DIR),
 * so a row the generator calls valid passes walidata's rules.
 *
 * Defects are planted at --defect-rate R, the share of rows that carry one (default 0.035
 * for excel, 0 for plain; 0 plants none). In every block of 200 rows, R * 200 distinct
 * positions (the fraction carried from block to block) drawn from the PRNG each get one
 * defect, the seven kinds taken in turn, so each kind is R / 7 of the rows and a defective
 * row breaks exactly one rule. At the default that is seven a block, each kind 0.5% of the
 * rows. The exact count per walidata rule name goes to --expect FILE as JSON, for bench/run
 * to compare with `walidata validate --format json`.
 *
 * The same --seed, --rows, --dialect and --defect-rate give the same bytes on every machine:
 * the PRNG is our own (splitmix64 to seed, xorshift64* to draw) and nothing depends on the
 * locale or the clock.
 *
 * Limits: the generator keeps the code lists and a ring of recent IDs in memory; rows are
 * streamed through one output buffer, so memory stays flat whatever N is.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 200    /* rows per block; each defect kind once per block */
#define ID_RING 4096 /* recent IDs a repeated key may copy */
#define OUTBUF (1u << 20)

/* ---- PRNG ---------------------------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t x = seed;
    r->s = splitmix64(&x);
    if (r->s == 0)
        r->s = 1;
}

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

/* A number in [0, n), n > 0, by multiply-and-shift of the high 32 bits. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability pct/100. */
static bool rng_pct(struct rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

/* ---- memory and errors --------------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_penempatan: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("gen_penempatan: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* ---- reference code lists ------------------------------------------------------------ */

/* A code list column pair: code and (for hierarchies) parent, both short digit strings. */
struct code {
    char code[8];
    char parent[8];
};

struct list {
    struct code *items;
    size_t n, cap;
};

static void list_add(struct list *l, const char *code, const char *parent)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
    }
    struct code *c = &l->items[l->n++];
    snprintf(c->code, sizeof(c->code), "%s", code);
    snprintf(c->parent, sizeof(c->parent), "%s", parent ? parent : "");
}

/*
 * Splits one CSV line in place into at most max fields (RFC 4180 quoting, "" inside quotes);
 * returns the number of fields. The shipped lists quote labels that hold commas.
 */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    break;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',')
                *out++ = *p++;
        } else {
            while (*p && *p != ',')
                p++;
            out = p;
        }
        char sep = *p;
        *out = '\0';
        if (n < max)
            fields[n++] = start;
        if (sep != ',')
            return n;
        p++;
    }
}

static bool digits_at(const char *s, size_t from, size_t n)
{
    for (size_t i = from; i < from + n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool all_digits(const char *s, size_t len)
{
    return strlen(s) == len && digits_at(s, 0, len);
}

/* "NNNN.NN", a KBJI 2014 occupation at its most detailed level. */
static bool kbji_shape(const char *s)
{
    return strlen(s) == 7 && digits_at(s, 0, 4) && s[4] == '.' && digits_at(s, 5, 2);
}

enum shape {
    SHAPE_KABKOTA,   /* 4 digits, parent 2 digits */
    SHAPE_KECAMATAN, /* 6 digits, parent 4 digits */
    SHAPE_KBLI5,     /* 5 digits */
    SHAPE_KBJI       /* NNNN.NN */
};

/* Reads dir/file (columns by header name: code, parent), keeping the codes of one shape. */
static void load_list(const char *dir, const char *file, enum shape shape, struct list *out)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        die("could not open code list \"%s\": %s", path, strerror(errno));
    char line[8192];
    char *fields[16];
    size_t code_col = SIZE_MAX, parent_col = SIZE_MAX, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        size_t n = split_csv(line, fields, 16);
        if (lineno == 1) {
            for (size_t i = 0; i < n; i++) {
                if (strcmp(fields[i], "code") == 0)
                    code_col = i;
                else if (strcmp(fields[i], "parent") == 0)
                    parent_col = i;
            }
            if (code_col == SIZE_MAX)
                die("code list \"%s\" has no column \"%s\"", path, "code");
            continue;
        }
        const char *code = code_col < n ? fields[code_col] : "";
        const char *parent = parent_col < n ? fields[parent_col] : "";
        bool keep = false;
        switch (shape) {
        case SHAPE_KABKOTA:
            keep = all_digits(code, 4) && all_digits(parent, 2);
            break;
        case SHAPE_KECAMATAN:
            keep = all_digits(code, 6) && all_digits(parent, 4);
            break;
        case SHAPE_KBLI5:
            keep = all_digits(code, 5);
            break;
        case SHAPE_KBJI:
            keep = kbji_shape(code);
            break;
        }
        if (keep)
            list_add(out, code, parent);
    }
    if (ferror(f))
        die("could not read code list \"%s\": %s", path, strerror(errno));
    fclose(f);
    if (out->n == 0)
        die("code list \"%s\" holds no usable codes", path);
}

static int cmp_parent_code(const void *a, const void *b)
{
    const struct code *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    return c ? c : strcmp(x->code, y->code);
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const struct code *)a)->code, ((const struct code *)b)->code);
}

struct refs {
    struct list kab, kec, kbli, kbji;
    struct list prov;    /* provinces that have a kab/kota; parent unused */
    struct list unknown; /* 4-digit kab/kota codes in no list, parent = a real province */
    size_t *kec_first;   /* per kab: first kecamatan (kec sorted by parent), and count */
    size_t *kec_count;
};

static bool in_list(const struct list *l, const struct code *key)
{
    return bsearch(key, l->items, l->n, sizeof(*key), cmp_code) != NULL;
}

static void load_refs(const char *dir, struct refs *r)
{
    memset(r, 0, sizeof(*r));
    load_list(dir, "wilayah_kabkota_2025.csv", SHAPE_KABKOTA, &r->kab);
    load_list(dir, "wilayah_kecamatan_2025.csv", SHAPE_KECAMATAN, &r->kec);
    load_list(dir, "kbli2020.csv", SHAPE_KBLI5, &r->kbli);
    load_list(dir, "kbji2014.csv", SHAPE_KBJI, &r->kbji);
    qsort(r->kab.items, r->kab.n, sizeof(struct code), cmp_code);
    qsort(r->kec.items, r->kec.n, sizeof(struct code), cmp_parent_code);

    r->kec_first = xrealloc(NULL, r->kab.n * sizeof(size_t));
    r->kec_count = xrealloc(NULL, r->kab.n * sizeof(size_t));
    size_t k = 0;
    for (size_t i = 0; i < r->kab.n; i++) {
        while (k < r->kec.n && strcmp(r->kec.items[k].parent, r->kab.items[i].code) < 0)
            k++;
        r->kec_first[i] = k;
        while (k < r->kec.n && strcmp(r->kec.items[k].parent, r->kab.items[i].code) == 0)
            k++;
        r->kec_count[i] = k - r->kec_first[i];
    }

    /* provinces, from the kab/kota parents (kab sorted by code, so grouped) */
    for (size_t i = 0; i < r->kab.n; i++)
        if (r->prov.n == 0 || strcmp(r->prov.items[r->prov.n - 1].code, r->kab.items[i].parent))
            list_add(&r->prov, r->kab.items[i].parent, NULL);
    if (r->prov.n < 2)
        die("code list %s has fewer than two provinces", "wilayah_kabkota_2025.csv");

    /* codes a province could have but does not: PP99 downwards */
    for (size_t p = 0; p < r->prov.n; p++)
        for (int s = 99; s >= 90; s--) {
            struct code cand;
            snprintf(cand.code, sizeof(cand.code), "%.2s%02d", r->prov.items[p].code, s);
            if (!in_list(&r->kab, &cand))
                list_add(&r->unknown, cand.code, r->prov.items[p].code);
        }
    if (r->unknown.n == 0)
        die("no unused kab/kota code found in %s", "wilayah_kabkota_2025.csv");
}

/* ---- output -------------------------------------------------------------------------- */

struct out {
    FILE *f;
    const char *name;
    char *buf;
    size_t len;
};

static void out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        die("could not write \"%s\": %s", o->name, strerror(errno));
    o->len = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putc_(struct out *o, char c)
{
    o->buf[o->len++] = c;
}

/* v in exactly width digits, zero-padded (v must fit). */
static void put_num(struct out *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    o->len += (size_t)width;
}

/* v in as many digits as it takes, at least min. */
static void put_uint(struct out *o, uint64_t v, int min)
{
    int w = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        w++;
    put_num(o, v, w > min ? w : min);
}

/* Rupiah with '.' groups of three, e.g. 4500000 -> "4.500.000". */
static void put_grouped(struct out *o, uint64_t v)
{
    char tmp[32];
    int n = 0;
    do {
        if (n % 4 == 3)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_(o, tmp[--n]);
}

/* DD/MM/YYYY (excel) or YYYY-MM-DD (plain). */
static void put_date(struct out *o, bool iso, int d, int m, int y)
{
    if (iso) {
        put_num(o, (uint64_t)y, 4);
        putc_(o, '-');
        put_num(o, (uint64_t)m, 2);
        putc_(o, '-');
        put_num(o, (uint64_t)d, 2);
        return;
    }
    put_num(o, (uint64_t)d, 2);
    putc_(o, '/');
    put_num(o, (uint64_t)m, 2);
    putc_(o, '/');
    put_num(o, (uint64_t)y, 4);
}

/* ---- rows ---------------------------------------------------------------------------- */

enum defect {
    D_NONE,
    D_PARENT,   /* a kab/kota of another province */
    D_CODELIST, /* a kab/kota code in no list */
    D_TYPE,     /* TGL_PENEMPATAN that is no calendar date */
    D_REQUIRED, /* NIK missing ("-", "" or "NA") */
    D_NIK,      /* 16 digits, but digits 7-12 are no birth date or the serial is 0000 */
    D_UNIQUE,   /* the ID of an earlier row: the repeat is rejected, the first kept */
    D_ENUM,     /* MEKANISME outside AKL, AKAD, AKAN */
    D_COUNT
};

static const char *const rule_name[D_COUNT] = {NULL,       "parent", "codelist", "type",
                                               "required", "nik",    "unique",   "enum"};

static const char *const columns[] = {
    "ID",   "NIK",  "JK",         "TGL_LAHIR", "PENDIDIKAN",     "KODE_PROV", "KODE_KAB",
    "KBLI", "KBJI", "PERUSAHAAN", "UPAH",      "TGL_PENEMPATAN", "STATUS",    "MEKANISME"};

/* How the rows are written; see the top of the file. */
struct dialect {
    const char *name;
    char sep;
    const char *eol;
    bool iso_dates;             /* YYYY-MM-DD, else DD/MM/YYYY */
    bool grouped;               /* "4.500.000,00", else "4500000.00" */
    bool jk_letters;            /* L/P now and then, else always 1/2 */
    bool kbli_stripped;         /* a spreadsheet drops some leading zeros */
    const char *const *special; /* company names that test encoding and quoting */
};

static int days_in(int m, int y)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return md[m - 1] + (m == 2 && leap);
}

static const char *const company_form[] = {"PT", "PT", "PT", "CV", "CV", "UD", "Koperasi", "PT."};
static const char *const company_word1[] = {
    "Sinar",    "Maju",  "Karya",   "Mitra",   "Bumi",  "Cahaya", "Sumber", "Putra",
    "Anugerah", "Jaya",  "Sentosa", "Makmur",  "Indah", "Nusa",   "Surya",  "Berkah",
    "Mega",     "Prima", "Tunas",   "Harapan", "Citra", "Tiga",   "Abadi",  "Global"};
static const char *const company_word2[] = {
    "Abadi",     "Jaya",      "Sejahtera", "Mandiri",  "Perkasa",  "Lestari", "Utama",
    "Nusantara", "Makmur",    "Sentosa",   "Bersama",  "Gemilang", "Rejeki",  "Indonesia",
    "Persada",   "Cemerlang", "Agung",     "Logistik", "Tekstil",  "Pangan"};
static const char *const company_suffix[] = {
    "", "", "", "", " Tbk", " (Persero)", " Cabang Bekasi", " Cabang Medan"};

/* Names with windows-1252 bytes (0xE9 e-acute, 0x96 en dash, 0x92 right quote, 0xC9) and
 * names that need CSV quoting. Written as they are, quotes included. */
#define NSPECIAL 10
static const char *const company_special_1252[NSPECIAL] = {
    "PT Caf\xE9 Nusantara",
    "CV Maju \x96 Jaya",
    "PT Sinar Abadi \x96 Cabang Surabaya",
    "Toko Roti Ren\xE9",
    "PT Bumi Karya \x96 Unit Cikarang",
    "PT Karya Anak Bangsa\x92s",
    "Klinik Sant\xE9 Medika",
    "PT \xC9lite Garmen Indonesia",
    "\"PT Mitra Usaha; Cabang Bekasi\"",
    "\"CV \"\"Sumber Rejeki\"\"\"",
};

/* The same names in UTF-8, the quoted one holding the plain dialect's delimiter. */
static const char *const company_special_utf8[NSPECIAL] = {
    "PT Caf\xC3\xA9 Nusantara",
    "CV Maju \xE2\x80\x93 Jaya",
    "PT Sinar Abadi \xE2\x80\x93 Cabang Surabaya",
    "Toko Roti Ren\xC3\xA9",
    "PT Bumi Karya \xE2\x80\x93 Unit Cikarang",
    "PT Karya Anak Bangsa\xE2\x80\x99s",
    "Klinik Sant\xC3\xA9 Medika",
    "PT \xC3\x89lite Garmen Indonesia",
    "\"PT Mitra Usaha, Cabang Bekasi\"",
    "\"CV \"\"Sumber Rejeki\"\"\"",
};

static const struct dialect dialects[] = {
    {"excel", ';', "\r\n", false, true, true, true, company_special_1252},
    {"plain", ',', "\n", true, false, false, false, company_special_utf8},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *pick(struct rng *r, const char *const *a, size_t n)
{
    return a[rng_below(r, (uint32_t)n)];
}

struct gen {
    struct rng rng;
    const struct refs *refs;
    const struct dialect *dia;
    struct out out;
    uint64_t ring[ID_RING]; /* IDs written so far, most recent ID_RING */
    uint64_t nring;
    uint64_t counts[D_COUNT];
};

static void put_id(struct out *o, uint64_t id)
{
    put(o, "PN-", 3);
    put_uint(o, id, 7);
}

static void gen_row(struct gen *g, uint64_t rowno, enum defect d)
{
    struct rng *r = &g->rng;
    const struct refs *refs = g->refs;
    struct out *o = &g->out;
    const struct dialect *dia = g->dia;

    /* ID */
    uint64_t id = rowno;
    if (d == D_UNIQUE) {
        uint64_t have = g->nring < ID_RING ? g->nring : ID_RING;
        id = g->ring[rng_below(r, (uint32_t)have)];
    }
    g->ring[g->nring++ % ID_RING] = id;
    put_id(o, id);
    putc_(o, dia->sep);

    /* where: kab/kota, province, and a kecamatan of the kab/kota for the NIK */
    size_t kab = rng_below(r, (uint32_t)refs->kab.n);
    const char *kab_code = refs->kab.items[kab].code;
    const char *prov_code = refs->kab.items[kab].parent;
    if (d == D_CODELIST) {
        const struct code *u = &refs->unknown.items[rng_below(r, (uint32_t)refs->unknown.n)];
        kab_code = u->code;
        prov_code = u->parent;
    } else if (d == D_PARENT) {
        const char *p;
        do
            p = refs->prov.items[rng_below(r, (uint32_t)refs->prov.n)].code;
        while (strcmp(p, prov_code) == 0);
        prov_code = p;
    }
    const char *kec;
    if (refs->kec_count[kab])
        kec = refs->kec.items[refs->kec_first[kab] + rng_below(r, (uint32_t)refs->kec_count[kab])]
                  .code;
    else
        kec = refs->kec.items[rng_below(r, (uint32_t)refs->kec.n)].code;

    /* person */
    bool woman = rng_below(r, 2);
    int by = 1960 + (int)rng_below(r, 47);
    int bm = 1 + (int)rng_below(r, 12);
    int bd = 1 + (int)rng_below(r, (uint32_t)days_in(bm, by));

    /* NIK: kecamatan, DDMMYY (women +40 on the day), serial */
    if (d == D_REQUIRED) {
        static const char *const missing[] = {"-", "-", "", "NA"};
        puts_(o, pick(r, missing, NELEM(missing)));
    } else {
        int nd = bd + (woman ? 40 : 0), nm = bm;
        unsigned serial = 1 + rng_below(r, 9999);
        if (d == D_NIK) {
            switch (rng_below(r, 5)) {
            case 0:
                nm = 13 + (int)rng_below(r, 7); /* month 13-19 */
                break;
            case 1:
                nd = 32 + (int)rng_below(r, 9); /* day 32-40 */
                break;
            case 2:
                nd = 72 + (int)rng_below(r, 8); /* a woman's day 32-39 */
                break;
            case 3:
                nd = 0;
                break;
            default:
                serial = 0;
                break;
            }
        }
        puts_(o, kec);
        put_num(o, (uint64_t)nd, 2);
        put_num(o, (uint64_t)nm, 2);
        put_num(o, (uint64_t)(by % 100), 2);
        put_num(o, serial, 4);
    }
    putc_(o, dia->sep);

    /* JK: L/P or 1/2 (plain: always 1/2, the draw kept so both dialects hold the same rows) */
    if (rng_pct(r, 75) && dia->jk_letters)
        putc_(o, woman ? 'P' : 'L');
    else
        putc_(o, woman ? '2' : '1');
    putc_(o, dia->sep);

    put_date(o, dia->iso_dates, bd, bm, by);
    putc_(o, dia->sep);

    /* PENDIDIKAN 1-9, now and then left empty */
    if (!rng_pct(r, 2))
        putc_(o, (char)('1' + rng_below(r, 9)));
    putc_(o, dia->sep);

    puts_(o, prov_code);
    putc_(o, dia->sep);
    puts_(o, kab_code);
    putc_(o, dia->sep);

    /* KBLI: a spreadsheet drops the leading zero of some */
    const char *kbli = refs->kbli.items[rng_below(r, (uint32_t)refs->kbli.n)].code;
    if (kbli[0] == '0' && rng_pct(r, 30) && dia->kbli_stripped)
        kbli++;
    puts_(o, kbli);
    putc_(o, dia->sep);

    /* KBJI, sometimes "-" */
    if (rng_pct(r, 3))
        putc_(o, '-');
    else
        puts_(o, refs->kbji.items[rng_below(r, (uint32_t)refs->kbji.n)].code);
    putc_(o, dia->sep);

    /* PERUSAHAAN */
    if (rng_below(r, 1000) < 15) {
        puts_(o, pick(r, dia->special, NSPECIAL));
    } else {
        puts_(o, pick(r, company_form, NELEM(company_form)));
        putc_(o, ' ');
        puts_(o, pick(r, company_word1, NELEM(company_word1)));
        putc_(o, ' ');
        puts_(o, pick(r, company_word2, NELEM(company_word2)));
        puts_(o, pick(r, company_suffix, NELEM(company_suffix)));
    }
    putc_(o, dia->sep);

    /* UPAH: whole thousands of rupiah, "4.500.000,00" or "4.500.000" (plain: "4500000.00") */
    uint64_t upah = (uint64_t)(1500 + rng_below(r, 13500)) * 1000;
    if (dia->grouped)
        put_grouped(o, upah);
    else
        put_uint(o, upah, 1);
    if (rng_pct(r, 80))
        put(o, dia->grouped ? ",00" : ".00", 3);
    putc_(o, dia->sep);

    /* TGL_PENEMPATAN */
    if (d == D_TYPE) {
        /* day, month, year of dates the calendar does not have */
        static const int bad[][3] = {{31, 2, 2024}, {30, 2, 2025}, {29, 2, 2023},  {31, 4, 2024},
                                     {31, 6, 2023}, {31, 9, 2025}, {31, 11, 2024}, {32, 1, 2024}};
        const int *b = bad[rng_below(r, (uint32_t)NELEM(bad))];
        put_date(o, dia->iso_dates, b[0], b[1], b[2]);
    } else {
        /* January 2023 to June 2025: never in the future */
        int months = (int)rng_below(r, 30);
        int py = 2023 + months / 12, pm = 1 + months % 12;
        put_date(o, dia->iso_dates, 1 + (int)rng_below(r, (uint32_t)days_in(pm, py)), pm, py);
    }
    putc_(o, dia->sep);

    /* STATUS: mostly 4 (buruh/karyawan/pegawai) */
    putc_(o, rng_pct(r, 80) ? '4' : (char)('1' + rng_below(r, 7)));
    putc_(o, dia->sep);

    /* MEKANISME */
    if (d == D_ENUM) {
        static const char *const bad[] = {"XYZ", "XYZ", "BKK", "AKLN"};
        puts_(o, pick(r, bad, NELEM(bad)));
    } else {
        uint32_t m = rng_below(r, 100);
        puts_(o, m < 5 ? "akl" : m < 70 ? "AKL" : m < 95 ? "AKAD" : "AKAN");
    }
    puts_(o, dia->eol);

    g->counts[d]++;
}

#define PPM 1000000u /* the defect rate is kept in parts per million of rows */

/* How many rows of each block carry a defect, and which kind comes next. */
struct planner {
    uint32_t rate_ppm;  /* 0..PPM */
    uint64_t carry;     /* fraction of a defective row owed from earlier blocks, in ppm */
    unsigned next_kind; /* 0..D_COUNT-2: the kinds are taken in turn, D_PARENT first */
};

/*
 * Chooses the defect of each position of a block: rate * BLOCK positions (plus the fraction
 * carried over), distinct, by a partial Fisher-Yates shuffle, each given the next kind in
 * turn. At the default rate that is seven positions, D_PARENT..D_ENUM, every block: the same
 * draws, hence the same file, as before the rate could be chosen.
 */
static void plan_block(struct rng *r, struct planner *pl, unsigned char *plan)
{
    pl->carry += (uint64_t)pl->rate_ppm * BLOCK;
    unsigned m = (unsigned)(pl->carry / PPM);
    pl->carry -= (uint64_t)m * PPM;
    unsigned pos[BLOCK];
    for (unsigned i = 0; i < BLOCK; i++) {
        pos[i] = i;
        plan[i] = D_NONE;
    }
    for (unsigned j = 0; j < m; j++) {
        unsigned k = j + rng_below(r, BLOCK - j);
        unsigned t = pos[j];
        pos[j] = pos[k];
        pos[k] = t;
        plan[pos[j]] = (unsigned char)(1 + pl->next_kind);
        pl->next_kind = (pl->next_kind + 1) % (D_COUNT - 1);
    }
}

static void write_expect(const char *path, uint64_t rows, uint64_t seed, const char *dialect,
                         uint32_t rate_ppm, const uint64_t *counts)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("could not open \"%s\": %s", path, strerror(errno));
    uint64_t rejected = 0;
    for (int d = 1; d < D_COUNT; d++)
        rejected += counts[d];
    fprintf(f,
            "{\"rows\": %llu, \"valid\": %llu, \"rejected\": %llu, \"seed\": %llu,\n"
            " \"dialect\": \"%s\", \"defect_rate\": %u.%06u,\n \"rules\": {",
            (unsigned long long)rows, (unsigned long long)(rows - rejected),
            (unsigned long long)rejected, (unsigned long long)seed, dialect, rate_ppm / PPM,
            rate_ppm % PPM);
    for (int d = 1; d < D_COUNT; d++)
        fprintf(f, "%s\"%s\": %llu", d > 1 ? ", " : "", rule_name[d],
                (unsigned long long)counts[d]);
    fputs("}}\n", f);
    if (fclose(f) != 0)
        die("could not write \"%s\": %s", path, strerror(errno));
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/*
 * A rate as parts per million: a decimal fraction from 0 to 1 with at most six decimals
 * ("0", "0.035", "1"), read digit by digit so that no locale or rounding is involved.
 */
static bool parse_rate(const char *s, uint32_t *ppm)
{
    if (!s || !*s)
        return false;
    uint64_t whole = 0, frac = 0, scale = PPM;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9' && whole <= PPM)
        whole = whole * 10 + (uint64_t)(*p++ - '0');
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9') {
            if (scale == 1)
                return false; /* more than six decimals */
            scale /= 10;
            frac += (uint64_t)(*p++ - '0') * scale;
        }
    }
    if (*p || whole > 1 || (whole == 1 && frac))
        return false;
    *ppm = (uint32_t)(whole * PPM + frac);
    return true;
}

static void usage(FILE *f)
{
    fputs("usage: gen_penempatan [--rows N] [--seed S] [--dialect excel|plain] [--defect-rate R]\n"
          "                      [--codes DIR] [--out FILE] [--expect FILE]\n"
          "  --rows N           data rows to write (default 1000)\n"
          "  --seed S           PRNG seed (default 1); the same seed gives the same rows\n"
          "  --dialect D        excel: ';', CRLF, windows-1252, 4.500.000,00, DD/MM/YYYY, as the\n"
          "                     shipped definition reads (default); plain: ',', LF, UTF-8,\n"
          "                     4500000.00, YYYY-MM-DD, JK 1/2, KBLI with its leading zeros\n"
          "  --defect-rate R    share of rows with one planted defect, 0 to 1 (default 0.035\n"
          "                     for excel, 0 for plain; 0 plants none)\n"
          "  --codes DIR        the reference code lists (default reference-codes)\n"
          "  --out FILE         where the CSV goes (default standard output)\n"
          "  --expect FILE      write the expected walidata counts as JSON\n",
          f);
}

int main(int argc, char **argv)
{
    uint64_t rows = 1000, seed = 1;
    const char *codes = "reference-codes", *out_path = NULL, *expect = NULL;
    const struct dialect *dia = &dialects[0];
    uint32_t rate_ppm = 0;
    bool rate_set = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        bool ok = v != NULL;
        if (strcmp(a, "--rows") == 0)
            ok = ok && parse_u64(v, &rows);
        else if (strcmp(a, "--seed") == 0)
            ok = ok && parse_u64(v, &seed);
        else if (strcmp(a, "--dialect") == 0) {
            ok = false;
            for (size_t k = 0; k < NELEM(dialects) && v && !ok; k++)
                if (strcmp(v, dialects[k].name) == 0) {
                    dia = &dialects[k];
                    ok = true;
                }
        } else if (strcmp(a, "--defect-rate") == 0)
            ok = ok && (rate_set = parse_rate(v, &rate_ppm));
        else if (strcmp(a, "--codes") == 0)
            codes = v;
        else if (strcmp(a, "--out") == 0)
            out_path = v;
        else if (strcmp(a, "--expect") == 0)
            expect = v;
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "gen_penempatan: bad argument \"%s\"%s%s\n", a, v ? " " : "",
                    v ? v : "");
            usage(stderr);
            return 2;
        }
        i++;
    }

    if (!rate_set)
        rate_ppm = dia == &dialects[0] ? 35000 : 0; /* excel: 7 in every 200 rows */

    struct refs refs;
    load_refs(codes, &refs);

    struct gen *g = xrealloc(NULL, sizeof(*g));
    memset(g, 0, sizeof(*g));
    rng_seed(&g->rng, seed);
    g->refs = &refs;
    g->dia = dia;
    g->out.name = out_path ? out_path : "standard output";
    g->out.f = out_path ? fopen(out_path, "wb") : stdout;
    if (!g->out.f)
        die("could not open \"%s\": %s", out_path, strerror(errno));
    g->out.buf = xrealloc(NULL, OUTBUF);

    for (size_t k = 0; k < NELEM(columns); k++) {
        if (k)
            putc_(&g->out, dia->sep);
        puts_(&g->out, columns[k]);
    }
    puts_(&g->out, dia->eol);
    struct planner planner = {rate_ppm, 0, 0};
    unsigned char plan[BLOCK];
    for (uint64_t row = 1; row <= rows; row++) {
        uint64_t at = (row - 1) % BLOCK;
        if (at == 0)
            plan_block(&g->rng, &planner, plan);
        enum defect d = (enum defect)plan[at];
        if (d == D_UNIQUE && g->nring == 0)
            d = D_NONE; /* the first row has nothing to repeat */
        gen_row(g, row, d);
        if (g->out.len > OUTBUF - 4096)
            out_flush(&g->out);
    }
    out_flush(&g->out);
    if (out_path ? fclose(g->out.f) != 0 : fflush(stdout) != 0)
        die("could not write \"%s\": %s", g->out.name, strerror(errno));

    if (expect)
        write_expect(expect, rows, seed, dia->name, rate_ppm, g->counts);
    free(g->out.buf);
    free(g);
    return 0;
}
