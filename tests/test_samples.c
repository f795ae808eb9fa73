/*
 * test_samples.c - every bundled sample extract gives exactly the defects planted in it.
 *
 * For each tests/samples/<dataset>/<file> with a <file>.expected.json beside it, the binary
 * is run as `walidata validate --mapping <dataset> --format json <file>`, and the counts,
 * the verdict, the failures by rule and the list of (row, field, rule) must equal the
 * expectation exactly: a sample that suddenly shows one more failure, or one fewer, fails.
 */
#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES "tests/samples"

struct sample {
    char dataset[128];
    char path[512];
    char expected[560];
};

static json_t *load_json(const char *path)
{
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!o)
        fail_msg("%s: %s (line %d)", path, je.text, je.line);
    return o;
}

static void assert_same_integer(const char *file, const json_t *want, const json_t *got,
                                const char *key)
{
    const json_t *w = json_object_get(want, key), *g = json_object_get(got, key);
    if (!json_is_integer(w))
        fail_msg("%s: expected.json lacks \"%s\"", file, key);
    if (!json_is_integer(g) || json_integer_value(w) != json_integer_value(g))
        fail_msg("%s: %s is %lld, expected %lld", file, key,
                 g ? (long long)json_integer_value(g) : -1LL, (long long)json_integer_value(w));
}

static void test_sample(void **state)
{
    const struct sample *s = *state;
    json_t *want = load_json(s->expected);
    struct tu_result r = tu_walidata("validate", "--mapping", s->dataset, "--format", "json",
                                     s->path, NULL);
    json_error_t je;
    json_t *got = json_loadb(r.out, strcspn(r.out, "\n"), 0, &je);
    if (!got)
        fail_msg("%s: no JSON report (exit %d): %s", s->path, r.status, r.err);
    bool accepted = json_is_true(json_object_get(want, "accepted"));
    assert_int_equal(r.status, accepted ? 0 : 1);
    assert_same_integer(s->path, want, got, "rows");
    assert_same_integer(s->path, want, got, "valid");
    assert_same_integer(s->path, want, got, "rejected");
    if (json_is_true(json_object_get(got, "accepted")) != accepted)
        fail_msg("%s: accepted is %s, expected %s", s->path, accepted ? "false" : "true",
                 accepted ? "true" : "false");
    if (!json_equal(json_object_get(want, "rules"), json_object_get(got, "rules"))) {
        char *w = json_dumps(json_object_get(want, "rules"), JSON_SORT_KEYS);
        char *g = json_dumps(json_object_get(got, "rules"), JSON_SORT_KEYS);
        fail_msg("%s: rules %s, expected %s", s->path, g, w);
    }
    const json_t *we = json_object_get(want, "errors"), *ge = json_object_get(got, "errors");
    size_t n = json_array_size(we);
    for (size_t i = 0; i < n || i < json_array_size(ge); i++) {
        const json_t *w = json_array_get(we, i), *g = json_array_get(ge, i);
        if (!w || !g)
            fail_msg("%s: %zu failures listed, expected %zu (first difference at %zu: %s)",
                     s->path, json_array_size(ge), n, i,
                     g ? json_string_value(json_object_get(g, "message")) : "missing");
        const char *wf = json_string_value(json_object_get(w, "field"));
        const char *gf = json_string_value(json_object_get(g, "field"));
        if (json_integer_value(json_object_get(w, "row")) !=
                json_integer_value(json_object_get(g, "row")) ||
            strcmp(json_string_value(json_object_get(w, "rule")),
                   json_string_value(json_object_get(g, "rule"))) != 0 ||
            (wf || gf ? !wf || !gf || strcmp(wf, gf) != 0 : false))
            fail_msg("%s: failure %zu is row %lld %s %s (%s), expected row %lld %s %s", s->path,
                     i, (long long)json_integer_value(json_object_get(g, "row")),
                     gf ? gf : "(row)", json_string_value(json_object_get(g, "rule")),
                     json_string_value(json_object_get(g, "message")),
                     (long long)json_integer_value(json_object_get(w, "row")), wf ? wf : "(row)",
                     json_string_value(json_object_get(w, "rule")));
    }
    json_decref(want);
    json_decref(got);
    tu_result_free(&r);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

int main(void)
{
    struct sample *samples = NULL;
    size_t n = 0;
    DIR *top = opendir(SAMPLES);
    if (!top) {
        fprintf(stderr, "test_samples: cannot open %s (run from the repository)\n", SAMPLES);
        return 1;
    }
    struct dirent *d;
    while ((d = readdir(top))) {
        if (d->d_name[0] == '.')
            continue;
        char dir[300];
        snprintf(dir, sizeof(dir), "%s/%s", SAMPLES, d->d_name);
        DIR *sub = opendir(dir);
        if (!sub)
            continue;
        struct dirent *f;
        while ((f = readdir(sub))) {
            if (!has_suffix(f->d_name, ".expected.json"))
                continue;
            samples = realloc(samples, (n + 1) * sizeof(*samples));
            struct sample *s = &samples[n++];
            snprintf(s->dataset, sizeof(s->dataset), "%.127s", d->d_name);
            snprintf(s->expected, sizeof(s->expected), "%s/%s", dir, f->d_name);
            snprintf(s->path, sizeof(s->path), "%.*s", (int)(strlen(s->expected) - 14),
                     s->expected);
        }
        closedir(sub);
    }
    closedir(top);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        tests[i].name = samples[i].path;
        tests[i].test_func = test_sample;
        tests[i].initial_state = &samples[i];
    }
    int rc = n ? _cmocka_run_group_tests("samples", tests, n, NULL, NULL) : 1;
    if (!n)
        fprintf(stderr, "test_samples: no sample has an .expected.json\n");
    free(tests);
    free(samples);
    return rc;
}
