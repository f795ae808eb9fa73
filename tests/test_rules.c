/*
 * test_rules.c - each value rule passing and failing, table-driven, through wd_check_value:
 * type (every type), minLength, maxLength, pattern, enum, minimum, maximum (numbers and
 * dates), codelist (with leading zeros), nik and npwp; with the canonical text of what
 * passes and the rule name and message of what fails.
 */
#include "testutil.h"

#include <string.h>

#include "../etl/rules.h"

static const char *const fields =
    "[{\"name\": \"s\", \"constraints\": {\"minLength\": 2, \"maxLength\": 5, "
    "    \"pattern\": \"[a-zé]+\"}},"
    " {\"name\": \"i\", \"type\": \"integer\", \"constraints\": {\"minimum\": -5, \"maximum\": 1000}},"
    " {\"name\": \"n\", \"type\": \"number\", \"constraints\": {\"minimum\": 0}},"
    " {\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": [\"ya\"], \"falseValues\": [\"tidak\"]},"
    " {\"name\": \"d\", \"type\": \"date\", \"format\": \"%d %B %Y\","
    "    \"constraints\": {\"minimum\": \"2020-01-01\", \"maximum\": \"2030-12-31\"}},"
    " {\"name\": \"t\", \"type\": \"datetime\"},"
    " {\"name\": \"y\", \"type\": \"year\"},"
    " {\"name\": \"e\", \"constraints\": {\"enum\": [\"AKL\", \"AKAD\", \"AKAN\"]}},"
    " {\"name\": \"k\", \"codelist\": \"kbli2020\"},"
    " {\"name\": \"nik\", \"rules\": [\"nik\"]},"
    " {\"name\": \"npwp\", \"rules\": [\"npwp\"]},"
    " {\"name\": \"ic\", \"type\": \"integer\", \"codelist\": \"jenis_kelamin\"}]";

struct rcase {
    const char *field;
    const char *value;
    const char *rule;  /* NULL: passes */
    const char *text;  /* passes: the canonical text; fails: part of the message */
};

static const struct rcase cases[] = {
    {"s", "abé", NULL, "abé"},
    {"s", "a", "minLength", "\"a\" has 1 character, fewer than 2"},
    {"s", "abcdef", "maxLength", "has 6 characters, more than 5"},
    {"s", "éééé", NULL, "éééé"}, /* lengths count characters, not bytes */
    /* the bounds by bytes alone, and where the characters must be counted */
    {"s", "é", "minLength", "\"é\" has 1 character, fewer than 2"},
    {"s", "ab", NULL, "ab"},
    {"s", "abcde", NULL, "abcde"},
    {"s", "éééééé", "maxLength", "has 6 characters, more than 5"},
    {"s", "\xF0\x9F\x98\x80", "minLength", "has 1 character, fewer than 2"},
    {"s", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", "pattern", "does not match"},
    {"s", "ab1", "pattern", "does not match the pattern [a-zé]+"},
    {"i", "1.000", NULL, "1000"},
    {"i", "08", NULL, "8"}, /* one key, whatever the leading zeros */
    {"i", "0.500", "type", "expected a whole number"},
    {"i", "-5", NULL, "-5"},
    {"i", "-6", "minimum", "-6 is below the minimum -5"},
    {"i", "1.001", "maximum", "1.001 is above the maximum 1000"},
    {"i", "1,5", "type", "expected a whole number, found \"1,5\""},
    {"i", "3.17101E+15", "type", "expected a whole number"},
    {"n", "4.500.000,50", NULL, "4500000.50"},
    {"n", "0", NULL, "0"},
    {"n", "-0,01", "minimum", "-0,01 is below the minimum 0"},
    {"n", "11.10", "type", "groups of three digits split by \".\""},
    {"b", "ya", NULL, "true"},
    {"b", "tidak", NULL, "false"},
    {"b", "true", "type", "expected ya or tidak, found \"true\""},
    {"d", "17 Agustus 2025", NULL, "2025-08-17"},
    {"d", "1 Jan 2020", NULL, "2020-01-01"},
    {"d", "31 Desember 2019", "minimum", "is below the minimum 2020-01-01"},
    {"d", "1 Januari 2031", "maximum", "is above the maximum 2030-12-31"},
    {"d", "30 Februari 2024", "type", "\"30 Februari 2024\" is not a real date"},
    {"d", "2024-02-01", "type", "expected a date as DD month YYYY"},
    {"t", "2025-08-17T10:30:00", NULL, "2025-08-17 10:30:00"},
    {"t", "2025-08-17T24:00:00", "type", "is not a real date and time"},
    {"y", "2024", NULL, "2024"},
    {"y", "24", "type", "expected a year of four digits"},
    {"e", "AKAD", NULL, "AKAD"},
    {"e", "AKD", "enum", "\"AKD\" is not one of: AKL, AKAD, AKAN"},
    {"k", "01111", NULL, "01111"},
    {"k", "1111", "codelist", "1111 is not a code of KBLI 2020 (list kbli2020, version 2020, BPS)"},
    {"nik", "3275014108900001", NULL, "3275014108900001"},
    {"nik", "3275019908900001", "nik", "not a birth date"},
    {"nik", "9999011708900001", "nik", "are not a kecamatan code"},
    {"nik", "3275011708900000", "nik", "serial"},
    {"npwp", "01.234.567.4-012.000", NULL, "01.234.567.4-012.000"},
    {"npwp", "012345675012000", "npwp", "check digit"},
    {"npwp", "0012345674012000", NULL, "0012345674012000"},
    {"npwp", "3275011708900001", NULL, "3275011708900001"},
    {"npwp", "12345", "npwp", "15 or 16 digits"},
    {"ic", "2", NULL, "2"},
    {"ic", "3", "codelist", "3 is not a code of jenis kelamin"},
};

static void test_rule_table(void **state)
{
    (void)state;
    struct wd_definition *def = tu_definition(
        "uji_aturan", "{\"decimalChar\": \",\", \"groupChar\": \".\"}", fields, "", "");
    struct wd_check_scratch *scratch = wd_check_scratch_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rcase *c = &cases[i];
        int fi = wd_definition_field(def, c->field);
        assert_true(fi >= 0);
        char canon[WD_CANON_MAX];
        struct wd_value_check vc;
        bool ok = wd_check_value(def, (size_t)fi, tu_codes(), scratch, c->value, strlen(c->value),
                                 canon, &vc);
        if (ok != (c->rule == NULL))
            fail_msg("case %zu (%s = \"%s\"): expected %s, got %s: %s", i, c->field, c->value,
                     c->rule ? c->rule : "pass", ok ? "pass" : wd_rule_names[vc.rule],
                     ok ? "" : vc.message);
        if (ok) {
            if (vc.len != strlen(c->text) || memcmp(vc.text, c->text, vc.len) != 0)
                fail_msg("case %zu: canonical \"%.*s\", expected \"%s\"", i, (int)vc.len, vc.text,
                         c->text);
        } else {
            assert_string_equal(wd_rule_names[vc.rule], c->rule);
            tu_assert_contains(vc.message, c->text);
        }
    }
    wd_check_scratch_free(scratch);
    wd_definition_free(def);
}

static void test_rule_names_are_stable(void **state)
{
    (void)state;
    static const char *const names[] = {"columns",  "encoding", "type",      "required",
                                         "pattern",  "minimum",  "maximum",   "minLength",
                                         "maxLength", "enum",    "codelist",  "parent",
                                         "unique",   "nik",      "npwp",     "consistency"};
    assert_int_equal(WD_NRULES, sizeof(names) / sizeof(names[0]));
    for (int i = 0; i < WD_NRULES; i++)
        assert_string_equal(wd_rule_names[i], names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_rule_names_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
