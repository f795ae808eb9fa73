/*
 * expr.c - recursive-descent parser and evaluator for check expressions.
 */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "definition.h"
#include "mem.h"

enum op { NUM, FIELD, ADD, SUB, MUL, DIV, NEG, LT, LE, GT, GE, EQ, NE, AND, OR };

struct wd_expr {
    enum op op;
    double num;
    size_t field;
    struct wd_expr *a, *b;
};

struct parser {
    const char *text, *p;
    const struct wd_definition *def;
    char *why;
    size_t whylen;
    bool failed;
};

static struct wd_expr *node(enum op op, struct wd_expr *a, struct wd_expr *b)
{
    struct wd_expr *e = wd_calloc(1, sizeof(*e));
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

void wd_expr_free(struct wd_expr *e)
{
    if (!e)
        return;
    wd_expr_free(e->a);
    wd_expr_free(e->b);
    free(e);
}

static struct wd_expr *fail(struct parser *ps, const char *what)
{
    if (!ps->failed) {
        ps->failed = true;
        size_t at = (size_t)(ps->p - ps->text) + 1;
        if (*ps->p)
            snprintf(ps->why, ps->whylen, "%s at character %zu (\"%.12s\")", what, at, ps->p);
        else
            snprintf(ps->why, ps->whylen, "%s at the end", what);
    }
    return NULL;
}

static void skip(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Consumes tok when it is next (words must not run on into a name). */
static bool accept(struct parser *ps, const char *tok)
{
    skip(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n) != 0)
        return false;
    if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_'))
        return false;
    ps->p += n;
    return true;
}

static bool is_boolean(const struct wd_expr *e)
{
    return e && e->op >= LT;
}

static struct wd_expr *parse_or(struct parser *ps);

static struct wd_expr *parse_factor(struct parser *ps)
{
    skip(ps);
    if (accept(ps, "(")) {
        struct wd_expr *e = parse_or(ps);
        if (!e)
            return NULL;
        if (!accept(ps, ")")) {
            wd_expr_free(e);
            return fail(ps, "expected \")\"");
        }
        return e;
    }
    if (accept(ps, "-")) {
        struct wd_expr *e = parse_factor(ps);
        return e ? node(NEG, e, NULL) : NULL;
    }
    if (isdigit((unsigned char)*ps->p) || *ps->p == '.') {
        char *end;
        double v = strtod(ps->p, &end);
        if (end == ps->p)
            return fail(ps, "expected a number");
        ps->p = end;
        struct wd_expr *e = node(NUM, NULL, NULL);
        e->num = v;
        return e;
    }
    if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
        const char *s = ps->p;
        while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
            ps->p++;
        char name[80];
        snprintf(name, sizeof(name), "%.*s", (int)(ps->p - s), s);
        int idx = wd_definition_field(ps->def, name);
        if (idx < 0) {
            ps->p = s;
            return fail(ps, "no such field");
        }
        enum wd_type t = ps->def->fields[idx].type;
        if (t != WD_TYPE_INTEGER && t != WD_TYPE_NUMBER && t != WD_TYPE_YEAR && t != WD_TYPE_DATE) {
            ps->p = s;
            return fail(ps, "only integer, number, year and date fields can be compared");
        }
        struct wd_expr *e = node(FIELD, NULL, NULL);
        e->field = (size_t)idx;
        return e;
    }
    return fail(ps, "expected a number, a field or \"(\"");
}

static struct wd_expr *parse_binary(struct parser *ps, struct wd_expr *(*next)(struct parser *),
                                    const char *const toks[], const enum op ops[], size_t n,
                                    bool once)
{
    struct wd_expr *left = next(ps);
    while (left) {
        size_t k = 0;
        while (k < n && !accept(ps, toks[k]))
            k++;
        if (k == n)
            break;
        struct wd_expr *right = next(ps);
        if (!right) {
            wd_expr_free(left);
            return NULL;
        }
        left = node(ops[k], left, right);
        if (once)
            break;
    }
    return left;
}

static struct wd_expr *parse_term(struct parser *ps)
{
    static const char *const t[] = {"*", "/"};
    static const enum op o[] = {MUL, DIV};
    return parse_binary(ps, parse_factor, t, o, 2, false);
}

static struct wd_expr *parse_sum(struct parser *ps)
{
    static const char *const t[] = {"+", "-"};
    static const enum op o[] = {ADD, SUB};
    return parse_binary(ps, parse_term, t, o, 2, false);
}

static struct wd_expr *parse_cmp(struct parser *ps)
{
    /* two-character operators first */
    static const char *const t[] = {"<=", ">=", "==", "!=", "<", ">"};
    static const enum op o[] = {LE, GE, EQ, NE, LT, GT};
    return parse_binary(ps, parse_sum, t, o, 6, true);
}

static struct wd_expr *parse_and(struct parser *ps)
{
    static const char *const t[] = {"and"};
    static const enum op o[] = {AND};
    return parse_binary(ps, parse_cmp, t, o, 1, false);
}

static struct wd_expr *parse_or(struct parser *ps)
{
    static const char *const t[] = {"or"};
    static const enum op o[] = {OR};
    return parse_binary(ps, parse_and, t, o, 1, false);
}

/* and/or join comparisons; comparisons join numbers */
static bool well_typed(const struct wd_expr *e, bool want_bool)
{
    switch (e->op) {
    case NUM:
    case FIELD:
        return !want_bool;
    case NEG:
        return !want_bool && well_typed(e->a, false);
    case ADD:
    case SUB:
    case MUL:
    case DIV:
        return !want_bool && well_typed(e->a, false) && well_typed(e->b, false);
    case AND:
    case OR:
        return want_bool && well_typed(e->a, true) && well_typed(e->b, true);
    default:
        return want_bool && well_typed(e->a, false) && well_typed(e->b, false);
    }
}

bool wd_expr_parse(const char *text, const struct wd_definition *def, struct wd_expr **out,
                   char *why, size_t whylen)
{
    struct parser ps = {text, text, def, why, whylen, false};
    struct wd_expr *e = parse_or(&ps);
    skip(&ps);
    if (e && *ps.p)
        fail(&ps, "unexpected text");
    if (e && !ps.failed && !well_typed(e, true)) {
        ps.p = text;
        fail(&ps, is_boolean(e) ? "and/or join comparisons, and comparisons join numbers"
                                : "expected a comparison such as \"a <= b\"");
    }
    if (ps.failed) {
        wd_expr_free(e);
        *out = NULL;
        return false;
    }
    *out = e;
    return true;
}

static double num(const struct wd_expr *e, const double *v)
{
    switch (e->op) {
    case NUM:
        return e->num;
    case FIELD:
        return v[e->field];
    case NEG:
        return -num(e->a, v);
    case ADD:
        return num(e->a, v) + num(e->b, v);
    case SUB:
        return num(e->a, v) - num(e->b, v);
    case MUL:
        return num(e->a, v) * num(e->b, v);
    case DIV:
        return num(e->a, v) / num(e->b, v);
    default:
        return NAN;
    }
}

int wd_expr_eval(const struct wd_expr *e, const double *v, double tol)
{
    if (e->op == AND || e->op == OR) {
        int a = wd_expr_eval(e->a, v, tol);
        if (e->op == AND && a == 0)
            return 0;
        if (e->op == OR && a == 1)
            return 1;
        int b = wd_expr_eval(e->b, v, tol);
        if (a < 0 || b < 0)
            return e->op == AND ? (b == 0 ? 0 : -1) : (b == 1 ? 1 : -1);
        return b;
    }
    double a = num(e->a, v), b = num(e->b, v);
    if (!isfinite(a) || !isfinite(b))
        return -1;
    /* a little slack for decimal fractions that binary floating point cannot hold */
    double eps = tol + 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
    switch (e->op) {
    case LT:
        return a < b - eps;
    case LE:
        return a <= b + eps;
    case GT:
        return a > b + eps;
    case GE:
        return a >= b - eps;
    case EQ:
        return fabs(a - b) <= eps;
    case NE:
        return fabs(a - b) > eps;
    default:
        return -1;
    }
}

size_t wd_expr_fields(const struct wd_expr *e, bool *used)
{
    size_t first = (size_t)-1;
    if (!e)
        return first;
    if (e->op == FIELD) {
        used[e->field] = true;
        return e->field;
    }
    size_t a = wd_expr_fields(e->a, used), b = wd_expr_fields(e->b, used);
    return a != (size_t)-1 ? a : b;
}
