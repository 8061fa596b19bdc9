# Are We Fast Yet: DeltaBlue (incremental one-way constraint solver: chain and projection tests),
# Python peer of benchmarks/awfy/deltablue.bs (runs on MicroPython and CPython).
# Checksum: 1 when every check of the chain and projection tests holds. inner_size is 1000 like
# the BlueScript version on the host device (the suite uses 12000); 50 is the Cortex-M3 size.
# Strengths are their arithmetic value (0 = required ... 6 = weakest); the suite's Vector is a
# list (pop(0) for its removeFirst).
import sys
import time

REQUIRED = 0
STRONG_PREFERRED = 1
PREFERRED = 2
STRONG_DEFAULT = 3
NORMAL = 4
WEAK_DEFAULT = 5
WEAKEST = 6

NONE = 0
FORWARD = 1
BACKWARD = 2


def stronger(s1, s2):
    return s1 < s2


def weaker(s1, s2):
    return s1 > s2


def weakest(s1, s2):
    return s1 if weaker(s1, s2) else s2


# the suite throws on a failed check or an unsatisfiable constraint; record it instead
delta_error = False


def fail():
    global delta_error
    delta_error = True


class Variable:
    def __init__(self, value):
        self.value = value
        self.constraints = []
        self.determined_by = None
        self.mark = 0
        self.walk_strength = WEAKEST
        self.stay = True

    def add_constraint(self, c):
        self.constraints.append(c)

    def remove_constraint(self, c):
        cs = self.constraints
        j = 0
        for i in range(len(cs)):
            d = cs[i]
            if d is not c:
                cs[j] = d
                j += 1
        while len(cs) > j:
            cs.pop()
        if self.determined_by is c:
            self.determined_by = None


class AbstractConstraint:
    def __init__(self, strength):
        self.strength = strength

    def is_input(self):
        return False

    def add_constraint(self, planner):
        self.add_to_graph()
        planner.incremental_add(self)

    def destroy_constraint(self, planner):
        if self.is_satisfied():
            planner.incremental_remove(self)
        self.remove_from_graph()

    def satisfy(self, mark, planner):
        self.choose_method(mark)
        if not self.is_satisfied():
            if self.strength == REQUIRED:
                fail()  # could not satisfy a required constraint
            return None
        self.mark_inputs(mark)
        out = self.get_output()
        overridden = out.determined_by
        if overridden is not None:
            overridden.mark_unsatisfied()
        out.determined_by = self
        if not planner.add_propagate(self, mark):
            fail()  # cycle encountered
        out.mark = mark
        return overridden


class UnaryConstraint(AbstractConstraint):
    def __init__(self, v, strength, planner):
        AbstractConstraint.__init__(self, strength)
        self.output = v
        self.satisfied = False
        self.add_constraint(planner)

    def add_to_graph(self):
        self.output.add_constraint(self)
        self.satisfied = False

    def choose_method(self, mark):
        self.satisfied = self.output.mark != mark and stronger(self.strength, self.output.walk_strength)

    def is_satisfied(self):
        return self.satisfied

    def mark_inputs(self, mark):
        pass

    def get_output(self):
        return self.output

    def recalculate(self):
        self.output.walk_strength = self.strength
        self.output.stay = not self.is_input()
        if self.output.stay:
            self.execute()

    def mark_unsatisfied(self):
        self.satisfied = False

    def inputs_known(self, mark):
        return True

    def remove_from_graph(self):
        self.output.remove_constraint(self)
        self.satisfied = False


class StayConstraint(UnaryConstraint):
    def execute(self):
        pass


class EditConstraint(UnaryConstraint):
    def is_input(self):
        return True

    def execute(self):
        pass


class BinaryConstraint(AbstractConstraint):
    def __init__(self, v1, v2, strength):
        AbstractConstraint.__init__(self, strength)
        self.v1 = v1
        self.v2 = v2
        self.direction = NONE

    def is_satisfied(self):
        return self.direction != NONE

    def add_to_graph(self):
        self.v1.add_constraint(self)
        self.v2.add_constraint(self)
        self.direction = NONE

    def remove_from_graph(self):
        self.v1.remove_constraint(self)
        self.v2.remove_constraint(self)
        self.direction = NONE

    def choose_method(self, mark):
        if self.v1.mark == mark:
            if self.v2.mark != mark and stronger(self.strength, self.v2.walk_strength):
                self.direction = FORWARD
            else:
                self.direction = BACKWARD
        if self.v2.mark == mark:
            if self.v1.mark != mark and stronger(self.strength, self.v1.walk_strength):
                self.direction = BACKWARD
            else:
                self.direction = NONE
        if weaker(self.v1.walk_strength, self.v2.walk_strength):
            if stronger(self.strength, self.v1.walk_strength):
                self.direction = BACKWARD
            else:
                self.direction = NONE
        else:
            if stronger(self.strength, self.v2.walk_strength):
                self.direction = FORWARD
            else:
                self.direction = BACKWARD

    def input(self):
        return self.v1 if self.direction == FORWARD else self.v2

    def get_output(self):
        return self.v2 if self.direction == FORWARD else self.v1

    def mark_inputs(self, mark):
        self.input().mark = mark

    def recalculate(self):
        ihn = self.input()
        out = self.get_output()
        out.walk_strength = weakest(self.strength, ihn.walk_strength)
        out.stay = ihn.stay
        if out.stay:
            self.execute()

    def mark_unsatisfied(self):
        self.direction = NONE

    def inputs_known(self, mark):
        i = self.input()
        return i.mark == mark or i.stay or i.determined_by is None


class EqualityConstraint(BinaryConstraint):
    def __init__(self, v1, v2, strength, planner):
        BinaryConstraint.__init__(self, v1, v2, strength)
        self.add_constraint(planner)

    def execute(self):
        self.get_output().value = self.input().value


def int_div(a, b):
    # integer division truncating toward zero, like the BlueScript and C versions
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


class ScaleConstraint(BinaryConstraint):
    def __init__(self, src, scale, offset, dest, strength, planner):
        BinaryConstraint.__init__(self, src, dest, strength)
        self.scale = scale
        self.offset = offset
        self.add_constraint(planner)

    def add_to_graph(self):
        self.v1.add_constraint(self)
        self.v2.add_constraint(self)
        self.scale.add_constraint(self)
        self.offset.add_constraint(self)
        self.direction = NONE

    def remove_from_graph(self):
        self.v1.remove_constraint(self)
        self.v2.remove_constraint(self)
        self.scale.remove_constraint(self)
        self.offset.remove_constraint(self)
        self.direction = NONE

    def mark_inputs(self, mark):
        self.input().mark = mark
        self.scale.mark = mark
        self.offset.mark = mark

    def execute(self):
        if self.direction == FORWARD:
            self.v2.value = self.v1.value * self.scale.value + self.offset.value
        else:
            self.v1.value = int_div(self.v2.value - self.offset.value, self.scale.value)

    def recalculate(self):
        ihn = self.input()
        out = self.get_output()
        out.walk_strength = weakest(self.strength, ihn.walk_strength)
        out.stay = ihn.stay and self.scale.stay and self.offset.stay
        if out.stay:
            self.execute()


class Plan:
    def __init__(self):
        self.constraints = []

    def append(self, c):
        self.constraints.append(c)

    def execute(self):
        for c in self.constraints:
            c.execute()


class Planner:
    def __init__(self):
        self.current_mark = 1

    def incremental_add(self, c):
        mark = self.new_mark()
        overridden = c.satisfy(mark, self)
        while overridden is not None:
            overridden = overridden.satisfy(mark, self)

    def incremental_remove(self, c):
        out = c.get_output()
        c.mark_unsatisfied()
        c.remove_from_graph()
        unsatisfied = self.remove_propagate_from(out)
        for u in unsatisfied:
            self.incremental_add(u)

    def extract_plan_from_constraints(self, constraints):
        sources = []
        for c in constraints:
            if c.is_input() and c.is_satisfied():
                sources.append(c)
        return self.make_plan(sources)

    def make_plan(self, sources):
        mark = self.new_mark()
        plan = Plan()
        todo = sources
        while len(todo) > 0:
            c = todo.pop(0)
            if c.get_output().mark != mark and c.inputs_known(mark):
                plan.append(c)
                c.get_output().mark = mark
                self.add_constraints_consuming_to(c.get_output(), todo)
        return plan

    def add_constraints_consuming_to(self, v, coll):
        determining = v.determined_by
        for c in v.constraints:
            if c is not determining and c.is_satisfied():
                coll.append(c)

    def add_propagate(self, c, mark):
        todo = [c]
        while len(todo) > 0:
            d = todo.pop(0)
            if d.get_output().mark == mark:
                self.incremental_remove(c)
                return False
            d.recalculate()
            self.add_constraints_consuming_to(d.get_output(), todo)
        return True

    def change_var(self, variable, new_value):
        edit = EditConstraint(variable, PREFERRED, self)
        plan = self.extract_plan_from_constraints([edit])
        for _ in range(10):
            variable.value = new_value
            plan.execute()
        edit.destroy_constraint(self)

    def new_mark(self):
        self.current_mark += 1
        return self.current_mark

    def remove_propagate_from(self, out):
        unsatisfied = []
        out.determined_by = None
        out.walk_strength = WEAKEST
        out.stay = True
        todo = [out]
        while len(todo) > 0:
            v = todo.pop(0)
            for c in v.constraints:
                if not c.is_satisfied():
                    unsatisfied.append(c)
            determining = v.determined_by
            for c in v.constraints:
                if c is not determining and c.is_satisfied():
                    c.recalculate()
                    todo.append(c.get_output())
        # stable insertion sort, strongest first
        for i in range(1, len(unsatisfied)):
            c = unsatisfied[i]
            j = i - 1
            while j >= 0 and stronger(c.strength, unsatisfied[j].strength):
                unsatisfied[j + 1] = unsatisfied[j]
                j -= 1
            unsatisfied[j + 1] = c
        return unsatisfied


def chain_test(n):
    planner = Planner()
    variables = [Variable(0) for _ in range(n + 1)]
    for i in range(n):
        EqualityConstraint(variables[i], variables[i + 1], REQUIRED, planner)
    StayConstraint(variables[n], STRONG_DEFAULT, planner)
    edit = EditConstraint(variables[0], PREFERRED, planner)
    plan = planner.extract_plan_from_constraints([edit])
    for i in range(100):
        variables[0].value = i
        plan.execute()
        if variables[n].value != i:
            fail()  # chain test failed
    edit.destroy_constraint(planner)


def projection_test(n):
    planner = Planner()
    scale = Variable(10)
    offset = Variable(1000)
    src = Variable(0)
    dst = Variable(0)
    dests = []
    for i in range(n):
        src = Variable(i)
        dst = Variable(i)
        dests.append(dst)
        StayConstraint(src, NORMAL, planner)
        ScaleConstraint(src, scale, offset, dst, REQUIRED, planner)
    planner.change_var(src, 17)
    if dst.value != 1170:
        fail()  # projection test 1 failed
    planner.change_var(dst, 1050)
    if src.value != 5:
        fail()  # projection test 2 failed
    planner.change_var(scale, 5)
    for i in range(n - 1):
        if dests[i].value != i * 5 + 1000:
            fail()  # projection test 3 failed
    planner.change_var(offset, 2000)
    for i in range(n - 1):
        if dests[i].value != i * 5 + 2000:
            fail()  # projection test 4 failed


inner_size = 1000


def benchmark():
    global delta_error
    delta_error = False
    chain_test(inner_size)
    projection_test(inner_size)
    return 0 if delta_error else 1


def verify_result(result):
    return result == 1


iterations = 3


def main():
    expected = 1
    if hasattr(time, "ticks_us"):
        start = time.ticks_us()
    else:
        start = time.perf_counter()
    for _ in range(iterations):
        result = benchmark()
        if not verify_result(result):
            print("DeltaBlue: WRONG got %d expected %d" % (result, expected))
            sys.exit(1)
    if hasattr(time, "ticks_us"):
        elapsed = time.ticks_diff(time.ticks_us(), start)
    else:
        elapsed = int((time.perf_counter() - start) * 1000000)
    print("DeltaBlue: ok %d" % elapsed)


main()
