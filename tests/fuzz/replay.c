/*
 * replay.c - runs a libFuzzer harness over its committed corpus as a cmocka test, so that
 * `make check` (and `make check SANITIZE=1`) replays every input without clang.
 *
 * Built once per harness with WD_CORPUS naming the corpus folder (relative to the
 * repository's top folder, where the tests run). A harness reports a finding by aborting,
 * which fails the test program.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole file at path (caller frees), or NULL. */
static unsigned char *read_input(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (buf && (fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)size, f) != (size_t)size)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *len = (size_t)size;
    return buf;
}

static void test_corpus(void **state)
{
    (void)state;
    DIR *dir = opendir(WD_CORPUS);
    if (!dir)
        fail_msg("cannot open the corpus %s", WD_CORPUS);
    struct dirent *e;
    int inputs = 0;
    char path[4096];
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", WD_CORPUS, e->d_name);
        size_t len;
        unsigned char *data = read_input(path, &len);
        if (!data)
            fail_msg("cannot read %s", path);
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        inputs++;
    }
    closedir(dir);
    print_message("%d inputs of %s replayed\n", inputs, WD_CORPUS);
    assert_true(inputs > 0);
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
