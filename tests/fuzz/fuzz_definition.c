/*
 * fuzz_definition.c - libFuzzer harness for the dataset-definition loader.
 *
 * The input is written to a file and loaded against the shipped code lists. When it parses
 * as a JSON object its "name" is set to the file's, so that inputs get past the name check
 * into the metadata, source, target, fields and quality sections. Every load either
 * succeeds or fails with a message and a code; neither may leak or crash. Run from the
 * repository's top folder.
 */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../etl/codes.h"
#include "../../etl/definition.h"

static struct wd_codes *codes;
static char path[PATH_MAX + 32];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input file and its folder go when the harness exits (make check replays it). */
static void remove_folder(void)
{
    unlink(path);
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        rmdir(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct wd_error err;
    if (wd_codes_load("reference-codes", &codes, &err) != 0) {
        wd_error_print(stderr, &err);
        abort();
    }
    /* each input is written to a file of a private folder, under TMPDIR as mkdtemp wants */
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/walidata-fuzz-%s", tmp && tmp[0] ? tmp : "/tmp", "XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/fuzz_def.json", dir);
    atexit(remove_folder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    json_t *root = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(root)) {
        json_object_set_new(root, "name", json_string("fuzz_def"));
        json_dumpf(root, f, 0);
    } else {
        fwrite(data, 1, size, f);
    }
    json_decref(root);
    fclose(f);
    struct wd_definition *def = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    int rc = wd_definition_load(path, codes, &def, &err);
    if ((rc == 0) != (def != NULL) || (rc != 0 && err.msg[0] == '\0'))
        abort();
    wd_definition_free(def);
    return 0;
}
