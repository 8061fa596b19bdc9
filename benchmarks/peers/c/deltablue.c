/* Are We Fast Yet: DeltaBlue (incremental one-way constraint solver: chain and projection tests),
   C peer of benchmarks/awfy/deltablue.bs. Checksum: 1 when every check of the chain and
   projection tests holds. INNER_SIZE is 1000 like the BlueScript version on the host device
   (the suite uses 12000); build with -DINNER_SIZE=50 for the Cortex-M3 (qemu-mps2-an385) size.
   Strengths are their arithmetic value (0 = required ... 6 = weakest). The constraint kinds share
   one struct and dispatch on their kind; every variable and constraint of a test is freed when
   the test ends. */
#include <stdbool.h>
#include <stdlib.h>

#define BENCH_NAME "DeltaBlue"
#ifndef INNER_SIZE
#define INNER_SIZE 1000
#endif

enum { REQUIRED = 0, STRONG_PREFERRED = 1, PREFERRED = 2, STRONG_DEFAULT = 3, NORMAL = 4,
       WEAK_DEFAULT = 5, WEAKEST = 6 };
enum { NONE = 0, FORWARD = 1, BACKWARD = 2 };
enum { STAY, EDIT, EQUALITY, SCALE };

static bool stronger(int s1, int s2) { return s1 < s2; }
static bool weaker(int s1, int s2) { return s1 > s2; }
static int weakest(int s1, int s2) { return weaker(s1, s2) ? s1 : s2; }

/* the suite throws on a failed check or an unsatisfiable constraint; record it instead */
static bool delta_error;

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) abort();
    return p;
}

/* growable array of pointers with a moving start, so that shift() is O(1) */
typedef struct {
    void **items;
    int first, last, cap;
} Vec;

static void vec_init(Vec *v) {
    v->items = NULL;
    v->first = v->last = v->cap = 0;
}
static void vec_free(Vec *v) {
    free(v->items);
    vec_init(v);
}
static int vec_size(const Vec *v) { return v->last - v->first; }
static void *vec_at(const Vec *v, int i) { return v->items[v->first + i]; }
static void vec_push(Vec *v, void *x) {
    if (v->last == v->cap) {
        if (v->first > 0) {
            for (int i = v->first; i < v->last; i++) v->items[i - v->first] = v->items[i];
            v->last -= v->first;
            v->first = 0;
        } else {
            int cap = v->cap == 0 ? 4 : v->cap * 2;
            void **items = xmalloc((size_t)cap * sizeof(void *));
            for (int i = 0; i < v->last; i++) items[i] = v->items[i];
            free(v->items);
            v->items = items;
            v->cap = cap;
        }
    }
    v->items[v->last++] = x;
}
static void *vec_shift(Vec *v) {
    if (v->first == v->last) return NULL;
    void *x = v->items[v->first++];
    if (v->first == v->last) v->first = v->last = 0;
    return x;
}

typedef struct Constraint Constraint;
typedef struct Variable Variable;

struct Variable {
    int value;
    Vec constraints;
    Constraint *determined_by;
    int mark;
    int walk_strength;
    bool stay;
    Variable *next_alloc;
};

struct Constraint {
    int kind;
    int strength;
    Variable *output;    /* STAY, EDIT */
    bool satisfied;      /* STAY, EDIT */
    Variable *v1, *v2;   /* EQUALITY, SCALE */
    int direction;       /* EQUALITY, SCALE */
    Variable *scale, *offset; /* SCALE */
    Constraint *next_alloc;
};

typedef struct {
    int current_mark;
} Planner;

/* every variable and constraint of a test, freed at its end */
static Variable *all_variables;
static Constraint *all_constraints;

static void free_all(void) {
    while (all_variables != NULL) {
        Variable *v = all_variables;
        all_variables = v->next_alloc;
        vec_free(&v->constraints);
        free(v);
    }
    while (all_constraints != NULL) {
        Constraint *c = all_constraints;
        all_constraints = c->next_alloc;
        free(c);
    }
}

static Variable *new_variable(int value) {
    Variable *v = xmalloc(sizeof *v);
    v->value = value;
    vec_init(&v->constraints);
    v->determined_by = NULL;
    v->mark = 0;
    v->walk_strength = WEAKEST;
    v->stay = true;
    v->next_alloc = all_variables;
    all_variables = v;
    return v;
}

static void variable_add_constraint(Variable *v, Constraint *c) { vec_push(&v->constraints, c); }

static void variable_remove_constraint(Variable *v, Constraint *c) {
    Vec *cs = &v->constraints;
    int j = cs->first;
    for (int i = cs->first; i < cs->last; i++) {
        Constraint *d = cs->items[i];
        if (d != c) cs->items[j++] = d;
    }
    cs->last = j;
    if (v->determined_by == c) v->determined_by = NULL;
}

static bool is_unary(const Constraint *c) { return c->kind == STAY || c->kind == EDIT; }

/* ---- constraint methods (dispatch on the kind) ---- */

static bool c_is_input(const Constraint *c) { return c->kind == EDIT; }

static bool c_is_satisfied(const Constraint *c) {
    return is_unary(c) ? c->satisfied : c->direction != NONE;
}

static void c_add_to_graph(Constraint *c) {
    if (is_unary(c)) {
        variable_add_constraint(c->output, c);
        c->satisfied = false;
    } else {
        variable_add_constraint(c->v1, c);
        variable_add_constraint(c->v2, c);
        if (c->kind == SCALE) {
            variable_add_constraint(c->scale, c);
            variable_add_constraint(c->offset, c);
        }
        c->direction = NONE;
    }
}

static void c_remove_from_graph(Constraint *c) {
    if (is_unary(c)) {
        variable_remove_constraint(c->output, c);
        c->satisfied = false;
    } else {
        variable_remove_constraint(c->v1, c);
        variable_remove_constraint(c->v2, c);
        if (c->kind == SCALE) {
            variable_remove_constraint(c->scale, c);
            variable_remove_constraint(c->offset, c);
        }
        c->direction = NONE;
    }
}

static void c_choose_method(Constraint *c, int mark) {
    if (is_unary(c)) {
        c->satisfied = c->output->mark != mark && stronger(c->strength, c->output->walk_strength);
        return;
    }
    if (c->v1->mark == mark) {
        if (c->v2->mark != mark && stronger(c->strength, c->v2->walk_strength)) c->direction = FORWARD;
        else c->direction = BACKWARD;
    }
    if (c->v2->mark == mark) {
        if (c->v1->mark != mark && stronger(c->strength, c->v1->walk_strength)) c->direction = BACKWARD;
        else c->direction = NONE;
    }
    if (weaker(c->v1->walk_strength, c->v2->walk_strength)) {
        if (stronger(c->strength, c->v1->walk_strength)) c->direction = BACKWARD;
        else c->direction = NONE;
    } else {
        if (stronger(c->strength, c->v2->walk_strength)) c->direction = FORWARD;
        else c->direction = BACKWARD;
    }
}

static Variable *c_input(const Constraint *c) { return c->direction == FORWARD ? c->v1 : c->v2; }

static Variable *c_get_output(const Constraint *c) {
    if (is_unary(c)) return c->output;
    return c->direction == FORWARD ? c->v2 : c->v1;
}

static void c_mark_inputs(Constraint *c, int mark) {
    if (is_unary(c)) return;
    c_input(c)->mark = mark;
    if (c->kind == SCALE) {
        c->scale->mark = mark;
        c->offset->mark = mark;
    }
}

static void c_mark_unsatisfied(Constraint *c) {
    if (is_unary(c)) c->satisfied = false;
    else c->direction = NONE;
}

static bool c_inputs_known(const Constraint *c, int mark) {
    if (is_unary(c)) return true;
    Variable *i = c_input(c);
    return i->mark == mark || i->stay || i->determined_by == NULL;
}

static void c_execute(Constraint *c) {
    switch (c->kind) {
    case EQUALITY:
        c_get_output(c)->value = c_input(c)->value;
        break;
    case SCALE:
        if (c->direction == FORWARD) {
            c->v2->value = c->v1->value * c->scale->value + c->offset->value;
        } else {
            c->v1->value = (c->v2->value - c->offset->value) / c->scale->value;
        }
        break;
    default: /* stay and edit constraints do nothing */
        break;
    }
}

static void c_recalculate(Constraint *c) {
    if (is_unary(c)) {
        c->output->walk_strength = c->strength;
        c->output->stay = !c_is_input(c);
        if (c->output->stay) c_execute(c);
        return;
    }
    Variable *ihn = c_input(c);
    Variable *out = c_get_output(c);
    out->walk_strength = weakest(c->strength, ihn->walk_strength);
    out->stay = ihn->stay;
    if (c->kind == SCALE) out->stay = out->stay && c->scale->stay && c->offset->stay;
    if (out->stay) c_execute(c);
}

/* ---- planner ---- */

static void incremental_add(Planner *p, Constraint *c);
static void incremental_remove(Planner *p, Constraint *c);
static bool add_propagate(Planner *p, Constraint *c, int mark);

static int new_mark(Planner *p) { return ++p->current_mark; }

static Constraint *c_satisfy(Constraint *c, int mark, Planner *p) {
    c_choose_method(c, mark);
    if (!c_is_satisfied(c)) {
        if (c->strength == REQUIRED) delta_error = true; /* could not satisfy a required constraint */
        return NULL;
    }
    c_mark_inputs(c, mark);
    Variable *out = c_get_output(c);
    Constraint *overridden = out->determined_by;
    if (overridden != NULL) c_mark_unsatisfied(overridden);
    out->determined_by = c;
    if (!add_propagate(p, c, mark)) delta_error = true; /* cycle encountered */
    out->mark = mark;
    return overridden;
}

static void c_add_constraint(Constraint *c, Planner *p) {
    c_add_to_graph(c);
    incremental_add(p, c);
}

static void c_destroy_constraint(Constraint *c, Planner *p) {
    if (c_is_satisfied(c)) incremental_remove(p, c);
    c_remove_from_graph(c);
}

static Constraint *alloc_constraint(int kind, int strength) {
    Constraint *c = xmalloc(sizeof *c);
    c->kind = kind;
    c->strength = strength;
    c->output = c->v1 = c->v2 = c->scale = c->offset = NULL;
    c->satisfied = false;
    c->direction = NONE;
    c->next_alloc = all_constraints;
    all_constraints = c;
    return c;
}

static Constraint *new_unary(int kind, Variable *v, int strength, Planner *p) {
    Constraint *c = alloc_constraint(kind, strength);
    c->output = v;
    c_add_constraint(c, p);
    return c;
}

static Constraint *new_equality(Variable *v1, Variable *v2, int strength, Planner *p) {
    Constraint *c = alloc_constraint(EQUALITY, strength);
    c->v1 = v1;
    c->v2 = v2;
    c_add_constraint(c, p);
    return c;
}

static Constraint *new_scale(Variable *src, Variable *scale, Variable *offset, Variable *dest,
                             int strength, Planner *p) {
    Constraint *c = alloc_constraint(SCALE, strength);
    c->v1 = src;
    c->v2 = dest;
    c->scale = scale;
    c->offset = offset;
    c_add_constraint(c, p);
    return c;
}

static void incremental_add(Planner *p, Constraint *c) {
    int mark = new_mark(p);
    Constraint *overridden = c_satisfy(c, mark, p);
    while (overridden != NULL) overridden = c_satisfy(overridden, mark, p);
}

static void add_constraints_consuming_to(Variable *v, Vec *coll) {
    Constraint *determining = v->determined_by;
    for (int i = 0; i < vec_size(&v->constraints); i++) {
        Constraint *c = vec_at(&v->constraints, i);
        if (c != determining && c_is_satisfied(c)) vec_push(coll, c);
    }
}

/* fills `unsatisfied` with the constraints to re-add, strongest first */
static void remove_propagate_from(Variable *out, Vec *unsatisfied) {
    out->determined_by = NULL;
    out->walk_strength = WEAKEST;
    out->stay = true;
    Vec todo;
    vec_init(&todo);
    vec_push(&todo, out);
    while (vec_size(&todo) > 0) {
        Variable *v = vec_shift(&todo);
        for (int i = 0; i < vec_size(&v->constraints); i++) {
            Constraint *c = vec_at(&v->constraints, i);
            if (!c_is_satisfied(c)) vec_push(unsatisfied, c);
        }
        Constraint *determining = v->determined_by;
        for (int i = 0; i < vec_size(&v->constraints); i++) {
            Constraint *c = vec_at(&v->constraints, i);
            if (c != determining && c_is_satisfied(c)) {
                c_recalculate(c);
                vec_push(&todo, c_get_output(c));
            }
        }
    }
    vec_free(&todo);
    /* stable insertion sort, strongest first */
    void **u = unsatisfied->items + unsatisfied->first;
    int n = vec_size(unsatisfied);
    for (int i = 1; i < n; i++) {
        Constraint *c = u[i];
        int j = i - 1;
        while (j >= 0 && stronger(c->strength, ((Constraint *)u[j])->strength)) {
            u[j + 1] = u[j];
            j--;
        }
        u[j + 1] = c;
    }
}

static void incremental_remove(Planner *p, Constraint *c) {
    Variable *out = c_get_output(c);
    c_mark_unsatisfied(c);
    c_remove_from_graph(c);
    Vec unsatisfied;
    vec_init(&unsatisfied);
    remove_propagate_from(out, &unsatisfied);
    for (int i = 0; i < vec_size(&unsatisfied); i++) incremental_add(p, vec_at(&unsatisfied, i));
    vec_free(&unsatisfied);
}

static bool add_propagate(Planner *p, Constraint *c, int mark) {
    Vec todo;
    vec_init(&todo);
    vec_push(&todo, c);
    while (vec_size(&todo) > 0) {
        Constraint *d = vec_shift(&todo);
        if (c_get_output(d)->mark == mark) {
            vec_free(&todo);
            incremental_remove(p, c);
            return false;
        }
        c_recalculate(d);
        add_constraints_consuming_to(c_get_output(d), &todo);
    }
    vec_free(&todo);
    return true;
}

/* a plan is a Vec of constraints; `sources` is consumed */
static void make_plan(Planner *p, Vec *sources, Vec *plan) {
    int mark = new_mark(p);
    Vec *todo = sources;
    while (vec_size(todo) > 0) {
        Constraint *c = vec_shift(todo);
        if (c_get_output(c)->mark != mark && c_inputs_known(c, mark)) {
            vec_push(plan, c);
            c_get_output(c)->mark = mark;
            add_constraints_consuming_to(c_get_output(c), todo);
        }
    }
}

static void extract_plan_from_constraints(Planner *p, Constraint **constraints, int n, Vec *plan) {
    Vec sources;
    vec_init(&sources);
    for (int i = 0; i < n; i++) {
        Constraint *c = constraints[i];
        if (c_is_input(c) && c_is_satisfied(c)) vec_push(&sources, c);
    }
    make_plan(p, &sources, plan);
    vec_free(&sources);
}

static void plan_execute(const Vec *plan) {
    for (int i = 0; i < vec_size(plan); i++) c_execute(vec_at(plan, i));
}

static void change_var(Planner *p, Variable *v, int new_value) {
    Constraint *edit = new_unary(EDIT, v, PREFERRED, p);
    Vec plan;
    vec_init(&plan);
    extract_plan_from_constraints(p, &edit, 1, &plan);
    for (int i = 0; i < 10; i++) {
        v->value = new_value;
        plan_execute(&plan);
    }
    vec_free(&plan);
    c_destroy_constraint(edit, p);
}

static void chain_test(int n) {
    Planner planner = { 1 };
    Variable **vars = xmalloc((size_t)(n + 1) * sizeof(Variable *));
    for (int i = 0; i <= n; i++) vars[i] = new_variable(0);
    for (int i = 0; i < n; i++) new_equality(vars[i], vars[i + 1], REQUIRED, &planner);
    new_unary(STAY, vars[n], STRONG_DEFAULT, &planner);
    Constraint *edit = new_unary(EDIT, vars[0], PREFERRED, &planner);
    Vec plan;
    vec_init(&plan);
    extract_plan_from_constraints(&planner, &edit, 1, &plan);
    for (int i = 0; i < 100; i++) {
        vars[0]->value = i;
        plan_execute(&plan);
        if (vars[n]->value != i) delta_error = true; /* chain test failed */
    }
    vec_free(&plan);
    c_destroy_constraint(edit, &planner);
    free(vars);
    free_all();
}

static void projection_test(int n) {
    Planner planner = { 1 };
    Variable *scale = new_variable(10);
    Variable *offset = new_variable(1000);
    Variable *src = new_variable(0);
    Variable *dst = new_variable(0);
    Variable **dests = xmalloc((size_t)n * sizeof(Variable *));
    for (int i = 0; i < n; i++) {
        src = new_variable(i);
        dst = new_variable(i);
        dests[i] = dst;
        new_unary(STAY, src, NORMAL, &planner);
        new_scale(src, scale, offset, dst, REQUIRED, &planner);
    }
    change_var(&planner, src, 17);
    if (dst->value != 1170) delta_error = true; /* projection test 1 failed */
    change_var(&planner, dst, 1050);
    if (src->value != 5) delta_error = true; /* projection test 2 failed */
    change_var(&planner, scale, 5);
    for (int i = 0; i < n - 1; i++) {
        if (dests[i]->value != i * 5 + 1000) delta_error = true; /* projection test 3 failed */
    }
    change_var(&planner, offset, 2000);
    for (int i = 0; i < n - 1; i++) {
        if (dests[i]->value != i * 5 + 2000) delta_error = true; /* projection test 4 failed */
    }
    free(dests);
    free_all();
}

int benchmark(void) {
    delta_error = false;
    chain_test(INNER_SIZE);
    projection_test(INNER_SIZE);
    return delta_error ? 0 : 1;
}

int verify_result(int result) { return result == 1; }

#include "harness.h"
