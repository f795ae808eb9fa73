/*
 * test_expr.c - the check expression language: what parses, what is refused and why, and
 * what each expression evaluates to, table-driven.
 */
#include "testutil.h"

#include <string.h>

#include "../etl/expr.h"

static const char *const fields =
    "[{\"name\": \"peserta\", \"type\": \"integer\"}, {\"name\": \"lulus\", \"type\": \"integer\"},"
    " {\"name\": \"tpt\", \"type\": \"number\"}, {\"name\": \"tahun\", \"type\": \"year\"},"
    " {\"name\": \"mulai\", \"type\": \"date\"}, {\"name\": \"selesai\", \"type\": \"date\"},"
    " {\"name\": \"nama\"}]";

struct ecase {
    const char *text;
    int want; /* 1 holds, 0 does not, -1 undecided, -2 refused at parse */
    const char *why;
};

/* values: peserta 10, lulus 8, tpt 5.32, tahun 2024, mulai 100, selesai 130 */
static const struct ecase cases[] = {
    {"lulus <= peserta", 1, NULL},
    {"peserta <= lulus", 0, NULL},
    {"lulus + 2 == peserta", 1, NULL},
    {"lulus+2==peserta and tahun>=2020", 1, NULL},
    {"lulus > peserta or tahun == 2024", 1, NULL},
    {"lulus > peserta or tahun != 2024", 0, NULL},
    {"(peserta - lulus) * 2 == 4", 1, NULL},
    {"-lulus < 0", 1, NULL},
    {"tpt == 100 * 4 / 75.2", 0, NULL},
    {"tpt == 100 * 4 / 75.2", 0, NULL},
    {"selesai - mulai == 30", 1, NULL},
    {"selesai >= mulai", 1, NULL},
    {"lulus / (peserta - 10) > 1", -1, NULL},
    {"peserta_total <= 5", -2, "no such field at character 1"},
    {"nama == 1", -2, "only integer, number, year and date fields"},
    {"lulus + peserta", -2, "expected a comparison"},
    {"lulus <= peserta <= 3", -2, "unexpected text"},
    {"(lulus <= peserta", -2, "expected \")\""},
    {"lulus <=", -2, "at the end"},
    {"lulus and peserta", -2, "and/or join comparisons"},
    {"lulus <= peserta andx 1", -2, "unexpected text"},
};

static void test_expressions(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition("uji_ekspresi", "{}", fields, "", "");
    double values[7] = {10, 8, 5.32, 2024, 100, 130, 0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct ecase *c = &cases[i];
        struct wd_expr *e = NULL;
        char why[200] = "";
        bool ok = wd_expr_parse(c->text, def, &e, why, sizeof(why));
        if (c->want == -2) {
            if (ok)
                fail_msg("case %zu \"%s\": parsed, expected refusal", i, c->text);
            tu_assert_contains(why, c->why);
            continue;
        }
        if (!ok)
            fail_msg("case %zu \"%s\": refused: %s", i, c->text, why);
        int got = wd_expr_eval(e, values, 0);
        if (got != c->want)
            fail_msg("case %zu \"%s\": got %d, expected %d", i, c->text, got, c->want);
        wd_expr_free(e);
    }
    wd_definition_free(def);
}

static void test_tolerance_and_fields(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition("uji_toleransi", "{}", fields, "", "");
    struct wd_expr *e;
    char why[200];
    assert_true(wd_expr_parse("tpt == 100 * lulus / 150", def, &e, why, sizeof(why)));
    double v[7] = {0, 8, 5.33, 0, 0, 0, 0}; /* 100 * 8 / 150 = 5.333... */
    assert_int_equal(wd_expr_eval(e, v, 0), 0);
    assert_int_equal(wd_expr_eval(e, v, 0.01), 1);
    bool used[7] = {false};
    assert_int_equal(wd_expr_fields(e, used), 2); /* tpt is named first */
    assert_true(used[1] && used[2] && !used[0]);
    wd_expr_free(e);
    wd_definition_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_tolerance_and_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
