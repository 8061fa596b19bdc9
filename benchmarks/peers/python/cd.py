# Are We Fast Yet: CD (collision detection), the Python version of benchmarks/awfy/cd.bs.
# A simulator moves pairs of aircraft for 200 frames; each frame the detector hashes every
# aircraft's motion into 2 x 2 voxels (red-black trees keyed by voxel and by call sign) and tests
# the motions that share a voxel for a close approach.
# Checksum: the number of collisions over the 200 frames; inner_size is the number of aircraft
# (250, the suite's). Python floats are binary64, as the suite's, so the expected counts are
# the suite's (`expected_for`); the binary32 BlueScript and C versions happen to count the same.
# sin, cos and sqrt are computed as in cd.bs (a Taylor series after reduction to [-pi/2, pi/2], a
# Newton iteration), in binary64, rather than with the math module. Runs on MicroPython and
# CPython.
import sys

try:
    from time import ticks_us, ticks_diff
except ImportError:
    from time import perf_counter

    def ticks_us():
        return int(perf_counter() * 1000000)

    def ticks_diff(a, b):
        return a - b

MIN_X = 0.0
MIN_Y = 0.0
MAX_X = 1000.0
MAX_Y = 1000.0
MIN_Z = 0.0
MAX_Z = 10.0
PROXIMITY_RADIUS = 1.0
GOOD_VOXEL_SIZE = PROXIMITY_RADIUS * 2.0

PI = 3.141592653589793
TWO_PI = 2.0 * PI
HALF_PI = PI / 2.0
SERIES_TERMS = 10


# x less the nearest whole number of turns: in [-pi, pi]
def reduce_angle(x):
    turns = x / TWO_PI
    if turns >= 0.0:
        k = int(turns + 0.5)
    else:
        k = int(turns - 0.5)
    return x - TWO_PI * k


# Taylor series of sin and cos, for |x| <= pi/2
def sin_series(x):
    x2 = x * x
    term = x
    total = x
    for k in range(1, SERIES_TERMS + 1):
        term = -term * x2 / ((2 * k) * (2 * k + 1))
        total = total + term
    return total


def cos_series(x):
    x2 = x * x
    term = 1.0
    total = 1.0
    for k in range(1, SERIES_TERMS + 1):
        term = -term * x2 / ((2 * k - 1) * (2 * k))
        total = total + term
    return total


def sin_f(x):
    r = reduce_angle(x)
    if r > HALF_PI:
        r = PI - r
    elif r < -HALF_PI:
        r = -PI - r
    return sin_series(r)


def cos_f(x):
    r = reduce_angle(x)
    if r > HALF_PI:
        return -cos_series(PI - r)
    if r < -HALF_PI:
        return -cos_series(-PI - r)
    return cos_series(r)


# Newton's iteration from above: stops when the estimate no longer decreases
def sqrt_f(x):
    if x <= 0.0:
        return 0.0
    r = x if x > 1.0 else 1.0
    for _ in range(100):
        nxt = 0.5 * (r + x / r)
        if nxt >= r:
            return r
        r = nxt
    return r


def compare_numbers(a, b):
    if a == b:
        return 0
    if a < b:
        return -1
    if a > b:
        return 1
    # NaN is smaller than every number
    if a == a:
        return 1
    return -1


class Vector2D:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def plus(self, other):
        return Vector2D(self.x + other.x, self.y + other.y)

    def minus(self, other):
        return Vector2D(self.x - other.x, self.y - other.y)

    def compare_to(self, other):
        result = compare_numbers(self.x, other.x)
        if result != 0:
            return result
        return compare_numbers(self.y, other.y)


class Vector3D:
    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def plus(self, other):
        return Vector3D(self.x + other.x, self.y + other.y, self.z + other.z)

    def minus(self, other):
        return Vector3D(self.x - other.x, self.y - other.y, self.z - other.z)

    def dot(self, other):
        return self.x * other.x + self.y * other.y + self.z * other.z

    def squared_magnitude(self):
        return self.dot(self)

    def magnitude(self):
        return sqrt_f(self.squared_magnitude())

    def times(self, amount):
        return Vector3D(self.x * amount, self.y * amount, self.z * amount)


class CallSign:
    def __init__(self, value):
        self.value = value

    def compare_to(self, other):
        if self.value == other.value:
            return 0
        return -1 if self.value < other.value else 1


class Aircraft:
    def __init__(self, callsign, position):
        self.callsign = callsign
        self.position = position


class Collision:
    def __init__(self, aircraft_a, aircraft_b, position):
        self.aircraft_a = aircraft_a
        self.aircraft_b = aircraft_b
        self.position = position


# --- the red-black tree (keys have compare_to) ---

RED = 0
BLACK = 1


class RbNode:
    def __init__(self, key, value):
        self.key = key
        self.value = value
        self.left = None
        self.right = None
        self.parent = None
        self.color = RED

    def successor(self):
        x = self
        if x.right is not None:
            return tree_minimum(x.right)
        y = x.parent
        while y is not None and x is y.right:
            x = y
            y = y.parent
        return y


def tree_minimum(x):
    current = x
    while current.left is not None:
        current = current.left
    return current


class Entry:
    def __init__(self, key, value):
        self.key = key
        self.value = value


class InsertResult:
    def __init__(self, is_new_entry, new_node, old_value):
        self.is_new_entry = is_new_entry
        self.new_node = new_node
        self.old_value = old_value


class RedBlackTree:
    def __init__(self):
        self.root = None

    # stores value under key; returns the value it replaces, or None
    def put(self, key, value):
        insertion_result = self.tree_insert(key, value)
        if not insertion_result.is_new_entry:
            return insertion_result.old_value
        x = insertion_result.new_node
        while x is not self.root and x.parent.color == RED:
            if x.parent is x.parent.parent.left:
                y = x.parent.parent.right
                if y is not None and y.color == RED:
                    # the uncle is red: recolour and go up
                    x.parent.color = BLACK
                    y.color = BLACK
                    x.parent.parent.color = RED
                    x = x.parent.parent
                else:
                    if x is x.parent.right:
                        x = x.parent
                        self.left_rotate(x)
                    x.parent.color = BLACK
                    x.parent.parent.color = RED
                    self.right_rotate(x.parent.parent)
            else:
                y = x.parent.parent.left
                if y is not None and y.color == RED:
                    x.parent.color = BLACK
                    y.color = BLACK
                    x.parent.parent.color = RED
                    x = x.parent.parent
                else:
                    if x is x.parent.left:
                        x = x.parent
                        self.right_rotate(x)
                    x.parent.color = BLACK
                    x.parent.parent.color = RED
                    self.left_rotate(x.parent.parent)
        self.root.color = BLACK
        return None

    def remove(self, key):
        z = self.find_node(key)
        if z is None:
            return None
        # y: the node that is unlinked from the tree
        if z.left is None or z.right is None:
            y = z
        else:
            y = z.successor()
        # x: y's only child (or None), which takes y's place
        if y.left is not None:
            x = y.left
        else:
            x = y.right
        if x is not None:
            x.parent = y.parent
            x_parent = x.parent
        else:
            x_parent = y.parent
        if y.parent is None:
            self.root = x
        elif y is y.parent.left:
            y.parent.left = x
        else:
            y.parent.right = x
        if y is not z:
            if y.color == BLACK:
                self.remove_fixup(x, x_parent)
            y.parent = z.parent
            y.color = z.color
            y.left = z.left
            y.right = z.right
            if z.left is not None:
                z.left.parent = y
            if z.right is not None:
                z.right.parent = y
            if z.parent is not None:
                if z.parent.left is z:
                    z.parent.left = y
                else:
                    z.parent.right = y
            else:
                self.root = y
        elif y.color == BLACK:
            self.remove_fixup(x, x_parent)
        return z.value

    def get(self, key):
        node = self.find_node(key)
        if node is None:
            return None
        return node.value

    # calls fn with an Entry for every node, in key order
    def for_each(self, fn):
        if self.root is None:
            return
        current = tree_minimum(self.root)
        while current is not None:
            fn(Entry(current.key, current.value))
            current = current.successor()

    def find_node(self, key):
        current = self.root
        while current is not None:
            comparison_result = key.compare_to(current.key)
            if comparison_result == 0:
                return current
            if comparison_result < 0:
                current = current.left
            else:
                current = current.right
        return None

    def tree_insert(self, key, value):
        y = None
        x = self.root
        while x is not None:
            y = x
            comparison_result = key.compare_to(x.key)
            if comparison_result < 0:
                x = x.left
            elif comparison_result > 0:
                x = x.right
            else:
                old_value = x.value
                x.value = value
                return InsertResult(False, None, old_value)
        z = RbNode(key, value)
        z.parent = y
        if y is None:
            self.root = z
        elif key.compare_to(y.key) < 0:
            y.left = z
        else:
            y.right = z
        return InsertResult(True, z, None)

    def left_rotate(self, x):
        y = x.right
        # y's left subtree becomes x's right subtree
        x.right = y.left
        if y.left is not None:
            y.left.parent = x
        # y takes x's place under x's parent
        y.parent = x.parent
        if x.parent is None:
            self.root = y
        elif x is x.parent.left:
            x.parent.left = y
        else:
            x.parent.right = y
        # x goes under y, on the left
        y.left = x
        x.parent = y
        return y

    def right_rotate(self, y):
        x = y.left
        y.left = x.right
        if x.right is not None:
            x.right.parent = y
        x.parent = y.parent
        if y.parent is None:
            self.root = x
        elif y is y.parent.left:
            y.parent.left = x
        else:
            y.parent.right = x
        x.right = y
        y.parent = x
        return x

    def remove_fixup(self, x, x_parent):
        while x is not self.root and (x is None or x.color == BLACK):
            if x is x_parent.left:
                # w, x's sibling, is not None: the black heights of the two sides differ
                w = x_parent.right
                if w.color == RED:
                    w.color = BLACK
                    x_parent.color = RED
                    self.left_rotate(x_parent)
                    w = x_parent.right
                if (w.left is None or w.left.color == BLACK) and \
                        (w.right is None or w.right.color == BLACK):
                    w.color = RED
                    x = x_parent
                    x_parent = x.parent
                else:
                    if w.right is None or w.right.color == BLACK:
                        w.left.color = BLACK
                        w.color = RED
                        self.right_rotate(w)
                        w = x_parent.right
                    w.color = x_parent.color
                    x_parent.color = BLACK
                    if w.right is not None:
                        w.right.color = BLACK
                    self.left_rotate(x_parent)
                    x = self.root
                    x_parent = x.parent
            else:
                w = x_parent.left
                if w.color == RED:
                    w.color = BLACK
                    x_parent.color = RED
                    self.right_rotate(x_parent)
                    w = x_parent.left
                if (w.right is None or w.right.color == BLACK) and \
                        (w.left is None or w.left.color == BLACK):
                    w.color = RED
                    x = x_parent
                    x_parent = x.parent
                else:
                    if w.left is None or w.left.color == BLACK:
                        w.right.color = BLACK
                        w.color = RED
                        self.left_rotate(w)
                        w = x_parent.left
                    w.color = x_parent.color
                    x_parent.color = BLACK
                    if w.left is not None:
                        w.left.color = BLACK
                    self.right_rotate(x_parent)
                    x = self.root
                    x_parent = x.parent
        if x is not None:
            x.color = BLACK


# --- motions and the detector ---


class Motion:
    def __init__(self, callsign, pos_one, pos_two):
        self.callsign = callsign
        self.pos_one = pos_one
        self.pos_two = pos_two

    def delta(self):
        return self.pos_two.minus(self.pos_one)

    # where the two aircraft come within PROXIMITY_RADIUS during this frame, or None
    def find_intersection(self, other):
        init1 = self.pos_one
        init2 = other.pos_one
        vec1 = self.delta()
        vec2 = other.delta()
        radius = PROXIMITY_RADIUS
        # Both move at constant speed along their segments, positions I + v * V for v in [0, 1];
        # the squared distance is a * v^2 + b * v + c + r^2 with these a, b, c.
        a = vec2.minus(vec1).squared_magnitude()
        if a != 0.0:
            b = 2.0 * init1.minus(init2).dot(vec1.minus(vec2))
            c = -radius * radius + init2.minus(init1).squared_magnitude()
            discr = b * b - 4.0 * a * c
            if discr < 0.0:
                return None
            v1 = (-b - sqrt_f(discr)) / (2.0 * a)
            v2 = (-b + sqrt_f(discr)) / (2.0 * a)
            if v1 <= v2 and ((v1 <= 1.0 and 1.0 <= v2) or (v1 <= 0.0 and 0.0 <= v2) or
                             (0.0 <= v1 and v2 <= 1.0)):
                # report it where it begins, or at the start of the frame if it began earlier
                if v1 <= 0.0:
                    v = 0.0
                else:
                    v = v1
                result1 = init1.plus(vec1.times(v))
                result2 = init2.plus(vec2.times(v))
                result = result1.plus(result2).times(0.5)
                if (result.x >= MIN_X and result.x <= MAX_X and result.y >= MIN_Y and
                        result.y <= MAX_Y and result.z >= MIN_Z and result.z <= MAX_Z):
                    return result
            return None
        # same velocity: the distance does not change
        dist = init2.minus(init1).magnitude()
        if dist <= radius:
            return init1.plus(init2).times(0.5)
        return None


HORIZONTAL = Vector2D(GOOD_VOXEL_SIZE, 0.0)
VERTICAL = Vector2D(0.0, GOOD_VOXEL_SIZE)


class CollisionDetector:
    def __init__(self):
        self.state = RedBlackTree()

    def handle_new_frame(self, frame):
        motions = []
        seen = RedBlackTree()
        for aircraft in frame:
            old_position = self.state.put(aircraft.callsign, aircraft.position)
            new_position = aircraft.position
            seen.put(aircraft.callsign, True)
            if old_position is None:
                # a new aircraft: treat it as stationary
                old_position = new_position
            motions.append(Motion(aircraft.callsign, old_position, new_position))

        # forget the aircraft that have gone
        to_remove = []

        def note_gone(e):
            if not seen.get(e.key):
                to_remove.append(e.key)

        self.state.for_each(note_gone)
        for key in to_remove:
            self.state.remove(key)

        all_reduced = self.reduce_collision_set(motions)
        collisions = []
        for reduced in all_reduced:
            for i in range(len(reduced)):
                motion1 = reduced[i]
                for j in range(i + 1, len(reduced)):
                    motion2 = reduced[j]
                    collision = motion1.find_intersection(motion2)
                    if collision is not None:
                        collisions.append(Collision(motion1.callsign, motion2.callsign, collision))
        return collisions

    # does the motion pass through the voxel (grown by half the radius)?
    def is_in_voxel(self, voxel, motion):
        if voxel.x > MAX_X or voxel.x < MIN_X or voxel.y > MAX_Y or voxel.y < MIN_Y:
            return False
        init = motion.pos_one
        fin = motion.pos_two
        v_s = GOOD_VOXEL_SIZE
        r = PROXIMITY_RADIUS / 2.0
        v_x = voxel.x
        x0 = init.x
        xv = fin.x - init.x
        v_y = voxel.y
        y0 = init.y
        yv = fin.y - init.y
        # the interval of v in which the motion is within the voxel's x (and y) range; a
        # division by a zero speed gives an infinity or NaN, which the tests below handle
        low_x = fdiv(v_x - r - x0, xv)
        high_x = fdiv(v_x + v_s + r - x0, xv)
        if xv < 0.0:
            tmp = low_x
            low_x = high_x
            high_x = tmp
        low_y = fdiv(v_y - r - y0, yv)
        high_y = fdiv(v_y + v_s + r - y0, yv)
        if yv < 0.0:
            tmp = low_y
            low_y = high_y
            high_y = tmp
        return (((xv == 0.0 and v_x <= x0 + r and x0 - r <= v_x + v_s) or
                 ((low_x <= 1.0 and 1.0 <= high_x) or (low_x <= 0.0 and 0.0 <= high_x) or
                  (0.0 <= low_x and high_x <= 1.0))) and
                ((yv == 0.0 and v_y <= y0 + r and y0 - r <= v_y + v_s) or
                 ((low_y <= 1.0 and 1.0 <= high_y) or (low_y <= 0.0 and 0.0 <= high_y) or
                  (0.0 <= low_y and high_y <= 1.0))))

    def put_into_map(self, voxel_map, voxel, motion):
        array = voxel_map.get(voxel)
        if array is None:
            array = []
            voxel_map.put(voxel, array)
        array.append(motion)

    def recurse(self, voxel_map, seen, next_voxel, motion):
        if not self.is_in_voxel(next_voxel, motion):
            return
        if seen.put(next_voxel, True):
            return
        self.put_into_map(voxel_map, next_voxel, motion)
        self.recurse(voxel_map, seen, next_voxel.minus(HORIZONTAL), motion)
        self.recurse(voxel_map, seen, next_voxel.plus(HORIZONTAL), motion)
        self.recurse(voxel_map, seen, next_voxel.minus(VERTICAL), motion)
        self.recurse(voxel_map, seen, next_voxel.plus(VERTICAL), motion)
        self.recurse(voxel_map, seen, next_voxel.minus(HORIZONTAL).minus(VERTICAL), motion)
        self.recurse(voxel_map, seen, next_voxel.minus(HORIZONTAL).plus(VERTICAL), motion)
        self.recurse(voxel_map, seen, next_voxel.plus(HORIZONTAL).minus(VERTICAL), motion)
        self.recurse(voxel_map, seen, next_voxel.plus(HORIZONTAL).plus(VERTICAL), motion)

    # the groups of motions that share a voxel
    def reduce_collision_set(self, motions):
        voxel_map = RedBlackTree()
        for motion in motions:
            self.draw_motion_on_voxel_map(voxel_map, motion)
        result = []

        def keep_shared(e):
            if len(e.value) > 1:
                result.append(e.value)

        voxel_map.for_each(keep_shared)
        return result

    def voxel_hash(self, position):
        x_div = int(position.x / GOOD_VOXEL_SIZE)
        y_div = int(position.y / GOOD_VOXEL_SIZE)
        x = GOOD_VOXEL_SIZE * x_div
        y = GOOD_VOXEL_SIZE * y_div
        if position.x < 0:
            x = x - GOOD_VOXEL_SIZE
        if position.y < 0:
            y = y - GOOD_VOXEL_SIZE
        return Vector2D(x, y)

    def draw_motion_on_voxel_map(self, voxel_map, motion):
        seen = RedBlackTree()
        self.recurse(voxel_map, seen, self.voxel_hash(motion.pos_one), motion)


INF = float("inf")


# IEEE division (Python raises on division by zero). The divisors here are differences of
# coordinates, so a zero divisor is +0.0.
def fdiv(a, b):
    if b != 0.0:
        return a / b
    if a == 0.0 or a != a:
        return float("nan")
    return INF if a > 0.0 else -INF


class Simulator:
    def __init__(self, num_aircraft):
        self.aircraft = []
        for i in range(num_aircraft):
            self.aircraft.append(CallSign(i))

    def simulate(self, time):
        frame = []
        for i in range(0, len(self.aircraft), 2):
            frame.append(Aircraft(self.aircraft[i], Vector3D(time, cos_f(time) * 2 + i * 3, 10.0)))
            frame.append(Aircraft(self.aircraft[i + 1], Vector3D(time, sin_f(time) * 2 + i * 3, 10.0)))
        return frame


inner_size = 250
NUM_FRAMES = 200


def cd(num_aircraft):
    simulator = Simulator(num_aircraft)
    detector = CollisionDetector()
    actual_collisions = 0
    for i in range(NUM_FRAMES):
        time = i / 10.0
        collisions = detector.handle_new_frame(simulator.simulate(time))
        actual_collisions += len(collisions)
    return actual_collisions


def benchmark():
    return cd(inner_size)


# Each pair of aircraft (i, i + 1), circling around y = 3 * i, collides in the same 87 frames,
# except the first pair (42: its voxels below y = 0 lie outside the space); pairs above
# y = 1000 never count. This gives every count the suite checks (2: 42, 10: 390, 100: 4305,
# 200: 8655, 250: 10830, 500 and 1000: 14484) and the counts of this program for 2 to 500.
# (The binary32 versions count the same.)
def expected_for(num_aircraft):
    pairs = num_aircraft // 2
    if pairs > 167:
        pairs = 167
    return 42 + 87 * (pairs - 1)


iterations = 3


def main():
    expected = expected_for(inner_size)
    start = ticks_us()
    for _ in range(iterations):
        got = benchmark()
        if got != expected:
            print("CD: WRONG got " + str(got) + " expected " + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print("CD: ok " + str(elapsed))


main()
