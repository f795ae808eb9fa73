/*
 * csvparse.c - the benchmark's baseline: parse a CSV file with libcsv and nothing else.
 *
 * Reads the file in 1 MiB blocks, hands them to libcsv in strict mode with the given
 * delimiter (';' by default) and counts records and fields; it transcodes nothing, maps no
 * column and checks no value. Its time is "how fast can one merely parse this", the floor
 * under anything that reads the same bytes with the same library, such as walidata's reader.
 *
 * Prints one line to standard output:
 *   records=N fields=N min_fields=N max_fields=N bytes=N
 * where records counts the header too. Exits 0, 1 on a parse error (broken quoting), 2 on
 * a usage or I/O error.
 */
#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (1u << 20)

struct tally {
    uint64_t records;
    uint64_t fields;
    uint64_t in_record; /* fields of the record being read */
    uint64_t min_fields;
    uint64_t max_fields;
};

static void on_field(void *data, size_t len, void *ctx)
{
    (void)data;
    (void)len;
    struct tally *t = ctx;
    t->fields++;
    t->in_record++;
}

static void on_record(int term, void *ctx)
{
    (void)term;
    struct tally *t = ctx;
    if (t->records == 0 || t->in_record < t->min_fields)
        t->min_fields = t->in_record;
    if (t->in_record > t->max_fields)
        t->max_fields = t->in_record;
    t->records++;
    t->in_record = 0;
}

static void usage(FILE *f)
{
    fputs("usage: csvparse [-d DELIMITER] FILE|-\n"
          "  counts the records and fields of a CSV file with libcsv (strict mode)\n",
          f);
}

int main(int argc, char **argv)
{
    unsigned char delim = ';';
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc && strlen(argv[i + 1]) == 1) {
            delim = (unsigned char)argv[++i][0];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (!path) {
            path = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "csvparse: could not open \"%s\": %s\n", path, strerror(errno));
        return 2;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fputs("csvparse: could not initialise libcsv\n", stderr);
        return 2;
    }
    csv_set_delim(&p, delim);

    char *buf = malloc(BLOCK_SIZE);
    if (!buf) {
        fputs("csvparse: out of memory\n", stderr);
        return 2;
    }
    struct tally t = {0, 0, 0, 0, 0};
    uint64_t bytes = 0;
    int rc = 0;
    size_t n;
    while ((n = fread(buf, 1, BLOCK_SIZE, in)) > 0) {
        if (csv_parse(&p, buf, n, on_field, on_record, &t) != n) {
            fprintf(stderr, "csvparse: %s: %s near byte %llu\n", path, csv_strerror(csv_error(&p)),
                    (unsigned long long)bytes);
            rc = 1;
            break;
        }
        bytes += n;
    }
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "csvparse: could not read \"%s\": %s\n", path, strerror(errno));
        rc = 2;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_record, &t) != 0) {
        fprintf(stderr, "csvparse: %s: %s at the end of the file\n", path,
                csv_strerror(csv_error(&p)));
        rc = 1;
    }
    csv_free(&p);
    free(buf);
    if (in != stdin)
        fclose(in);
    if (rc == 0)
        printf("records=%llu fields=%llu min_fields=%llu max_fields=%llu bytes=%llu\n",
               (unsigned long long)t.records, (unsigned long long)t.fields,
               (unsigned long long)t.min_fields, (unsigned long long)t.max_fields,
               (unsigned long long)bytes);
    return rc;
}
