# Are We Fast Yet: Havlak (loop recognition), the Python version of benchmarks/awfy/havlak.bs.
# LoopTesterApp builds a control-flow graph of nested loops and runs Havlak's loop finder on it.
# Checksum: the number of loops found, when the graph has the expected number of blocks (else 0).
# inner_size scales the graph as in havlak.bs: inner_size x inner_size loop trees of 5 base loops
# (3 + inner_size * (1 + 52 * inner_size) blocks; 10 is the suite's graph of 5213 blocks), one
# dummy search of the small graph and 50 extra searches; expected loops
# 5 + 16 * inner_size * inner_size (1605 for the suite's graph, as the suite checks).
# Runs on MicroPython and CPython.
import sys

# the depth-first numbering recurses once per block on the graph's long paths
if hasattr(sys, "setrecursionlimit"):
    sys.setrecursionlimit(20000)

try:
    from time import ticks_us, ticks_diff
except ImportError:
    from time import perf_counter

    def ticks_us():
        return int(perf_counter() * 1000000)

    def ticks_diff(a, b):
        return a - b

BB_NONHEADER = 1  # a regular block
BB_REDUCIBLE = 2  # header of a reducible loop
BB_SELF = 3  # a block with a self edge
BB_IRREDUCIBLE = 4  # header of an irreducible loop
BB_DEAD = 5  # not reachable from the start block
UNVISITED = 2147483647
MAXNONBACKPREDS = 32 * 1024

NUM_DUMMY_LOOPS = 1
FIND_LOOP_ITERATIONS = 50
PPPAR_LOOPS = 5

havlak_error = False


class BasicBlock:
    def __init__(self, name):
        self.name = name
        self.in_edges = []
        self.out_edges = []

    def num_pred(self):
        return len(self.in_edges)


class BasicBlockEdge:
    def __init__(self, cfg, from_name, to_name):
        self.from_node = cfg.create_node(from_name)
        self.to_node = cfg.create_node(to_name)
        self.from_node.out_edges.append(self.to_node)
        self.to_node.in_edges.append(self.from_node)
        cfg.add_edge(self)


class ControlFlowGraph:
    def __init__(self):
        self.basic_block_map = []
        self.start_node = None
        self.edge_list = []

    def create_node(self, name):
        global havlak_error
        if name < len(self.basic_block_map):
            node = self.basic_block_map[name]
        else:
            # blocks are created in the order of their names, so the map has no holes
            if name != len(self.basic_block_map):
                havlak_error = True
            node = BasicBlock(name)
            self.basic_block_map.append(node)
        if len(self.basic_block_map) == 1:
            self.start_node = node
        return node

    def add_edge(self, edge):
        self.edge_list.append(edge)

    def num_nodes(self):
        return len(self.basic_block_map)


class SimpleLoop:
    def __init__(self, bb, is_reducible):
        self.basic_blocks = []  # an identity set
        self.children = []  # an identity set
        self.parent = None
        self.header = bb
        self.is_root = False
        self.is_reducible = is_reducible
        self.counter = 0
        self.nesting_level = 0
        self.depth_level = 0
        if bb is not None:
            self.basic_blocks.append(bb)

    def add_node(self, bb):
        for b in self.basic_blocks:
            if b is bb:
                return
        self.basic_blocks.append(bb)

    def add_child_loop(self, loop):
        for c in self.children:
            if c is loop:
                return
        self.children.append(loop)

    def set_parent(self, parent):
        self.parent = parent
        parent.add_child_loop(self)

    def set_nesting_level(self, level):
        self.nesting_level = level
        if level == 0:
            self.is_root = True


class LoopStructureGraph:
    def __init__(self):
        self.loop_counter = 0
        self.loops = []
        self.root = SimpleLoop(None, True)
        self.root.set_nesting_level(0)
        self.root.counter = self.loop_counter
        self.loop_counter += 1
        self.loops.append(self.root)

    def create_new_loop(self, bb, is_reducible):
        loop = SimpleLoop(bb, is_reducible)
        loop.counter = self.loop_counter
        self.loop_counter += 1
        self.loops.append(loop)
        return loop

    def calculate_nesting_level(self):
        for liter in self.loops:
            if not liter.is_root:
                if liter.parent is None:
                    liter.set_parent(self.root)
        self.calculate_nesting_level_rec(self.root, 0)

    def calculate_nesting_level_rec(self, loop, depth):
        loop.depth_level = depth
        for liter in loop.children:
            self.calculate_nesting_level_rec(liter, depth + 1)
            level = 1 + liter.nesting_level
            loop.set_nesting_level(loop.nesting_level if loop.nesting_level > level else level)

    def num_loops(self):
        return len(self.loops)


class UnionFindNode:
    def __init__(self):
        # the suite starts with no parent; only nodes set up by init_node are ever looked at
        self.parent = self
        self.bb = None
        self.loop = None
        self.dfs_number = 0

    def init_node(self, bb, dfs_number):
        self.parent = self
        self.bb = bb
        self.dfs_number = dfs_number
        self.loop = None

    # the representative of this node's set, with path compression
    def find_set(self):
        node_list = []
        node = self
        while node is not node.parent:
            if node.parent is not node.parent.parent:
                node_list.append(node)
            node = node.parent
        for it in node_list:
            it.parent = self.parent
        return node


def int_set_add(lst, v):
    if v not in lst:
        lst.append(v)


class HavlakLoopFinder:
    def __init__(self, cfg, lsg):
        self.cfg = cfg
        self.lsg = lsg
        self.non_back_preds = []  # sets of DFS numbers
        self.back_preds = []
        self.number = []  # block name -> DFS number
        self.max_size = 0
        self.header = []
        self.type = []
        self.last = []
        self.nodes = []

    # is w an ancestor of v in the DFS tree (v's number lies in w's subtree)?
    def is_ancestor(self, w, v):
        return w <= v and v <= self.last[w]

    def do_dfs(self, current_node, current):
        self.nodes[current].init_node(current_node, current)
        self.number[current_node.name] = current
        last_id = current
        for target in current_node.out_edges:
            if self.number[target.name] == UNVISITED:
                last_id = self.do_dfs(target, last_id + 1)
        self.last[current] = last_id
        return last_id

    def init_all_nodes(self, start):
        for bb in self.cfg.basic_block_map:
            self.number[bb.name] = UNVISITED
        self.do_dfs(start, 0)

    def identify_edges(self, size):
        for w in range(size):
            self.header[w] = 0
            self.type[w] = BB_NONHEADER
            node_w = self.nodes[w].bb
            if node_w is None:
                self.type[w] = BB_DEAD
            else:
                self.process_edges(node_w, w)

    def process_edges(self, node_w, w):
        if node_w.num_pred() > 0:
            for pred in node_w.in_edges:
                v = self.number[pred.name]
                if v != UNVISITED:
                    if self.is_ancestor(w, v):
                        self.back_preds[w].append(v)
                    else:
                        int_set_add(self.non_back_preds[w], v)

    def find_loops(self):
        start = self.cfg.start_node
        if start is None:
            return
        size = self.cfg.num_nodes()
        self.non_back_preds = []
        self.back_preds = []
        if size > self.max_size:
            self.header = [0] * size
            self.type = [0] * size
            self.last = [0] * size
            self.number = [0] * size
            self.nodes = [None] * size
            self.max_size = size
        for i in range(size):
            self.non_back_preds.append([])
            self.back_preds.append([])
            self.nodes[i] = UnionFindNode()

        self.init_all_nodes(start)
        self.identify_edges(size)
        self.header[0] = 0

        # from the innermost headers (highest DFS numbers) outwards
        for w in range(size - 1, -1, -1):
            node_pool = []
            node_w = self.nodes[w].bb
            if node_w is not None:
                self.step_d(w, node_pool)
                work_list = []
                for niter in node_pool:
                    work_list.append(niter)
                if len(node_pool) != 0:
                    self.type[w] = BB_REDUCIBLE
                while len(work_list) > 0:
                    x = work_list.pop(0)
                    # the suite gives up on graphs with too many predecessors
                    if len(self.non_back_preds[x.dfs_number]) > MAXNONBACKPREDS:
                        return
                    self.step_e_process_non_back_preds(w, node_pool, work_list, x)
                if len(node_pool) > 0 or self.type[w] == BB_SELF:
                    loop = self.lsg.create_new_loop(node_w, self.type[w] != BB_IRREDUCIBLE)
                    self.set_loop_attributes(w, node_pool, loop)

    def step_e_process_non_back_preds(self, w, node_pool, work_list, x):
        preds = self.non_back_preds[x.dfs_number]
        i = 0
        while i < len(preds):
            y = self.nodes[preds[i]]
            ydash = y.find_set()
            if not self.is_ancestor(w, ydash.dfs_number):
                self.type[w] = BB_IRREDUCIBLE
                int_set_add(self.non_back_preds[w], ydash.dfs_number)
            elif ydash.dfs_number != w:
                in_pool = False
                for n in node_pool:
                    if n is ydash:
                        in_pool = True
                        break
                if not in_pool:
                    work_list.append(ydash)
                    node_pool.append(ydash)
            i += 1

    def set_loop_attributes(self, w, node_pool, loop):
        self.nodes[w].loop = loop
        for node in node_pool:
            self.header[node.dfs_number] = w
            node.parent = self.nodes[w]
            if node.loop is not None:
                node.loop.set_parent(loop)
            elif node.bb is not None:
                loop.add_node(node.bb)

    def step_d(self, w, node_pool):
        for v in self.back_preds[w]:
            if v != w:
                node_pool.append(self.nodes[v].find_set())
            else:
                self.type[w] = BB_SELF


class LoopTesterApp:
    def __init__(self):
        self.cfg = ControlFlowGraph()
        self.lsg = LoopStructureGraph()
        self.cfg.create_node(0)

    # a diamond of four blocks; returns the bottom block
    def build_diamond(self, start):
        bb0 = start
        BasicBlockEdge(self.cfg, bb0, bb0 + 1)
        BasicBlockEdge(self.cfg, bb0, bb0 + 2)
        BasicBlockEdge(self.cfg, bb0 + 1, bb0 + 3)
        BasicBlockEdge(self.cfg, bb0 + 2, bb0 + 3)
        return bb0 + 3

    def build_connect(self, start, end):
        BasicBlockEdge(self.cfg, start, end)

    def build_straight(self, start, n):
        for i in range(n):
            self.build_connect(start + i, start + i + 1)
        return start + n

    # a loop around two diamonds that are loops themselves: three loops
    def build_base_loop(self, frm):
        header = self.build_straight(frm, 1)
        diamond1 = self.build_diamond(header)
        d11 = self.build_straight(diamond1, 1)
        diamond2 = self.build_diamond(d11)
        footer = self.build_straight(diamond2, 1)
        self.build_connect(diamond2, d11)
        self.build_connect(diamond1, header)
        self.build_connect(footer, frm)
        return self.build_straight(footer, 1)

    def main(self, num_dummy_loops, find_loop_iterations, par_loops, ppar_loops, pppar_loops):
        self.construct_simple_cfg()
        self.add_dummy_loops(num_dummy_loops)
        self.construct_cfg(par_loops, ppar_loops, pppar_loops)
        self.find_loops(self.lsg)
        for _ in range(find_loop_iterations):
            self.find_loops(LoopStructureGraph())
        self.lsg.calculate_nesting_level()
        return [self.lsg.num_loops(), self.cfg.num_nodes()]

    def construct_cfg(self, par_loops, ppar_loops, pppar_loops):
        n = 2
        for _ in range(par_loops):
            self.cfg.create_node(n + 1)
            self.build_connect(2, n + 1)
            n = n + 1
            for _ in range(ppar_loops):
                top = n
                n = self.build_straight(n, 1)
                for _ in range(pppar_loops):
                    n = self.build_base_loop(n)
                bottom = self.build_straight(n, 1)
                self.build_connect(n, top)
                n = bottom
            self.build_connect(n, 1)

    def add_dummy_loops(self, num_dummy_loops):
        for _ in range(num_dummy_loops):
            self.find_loops(self.lsg)

    def find_loops(self, loop_structure):
        finder = HavlakLoopFinder(self.cfg, loop_structure)
        finder.find_loops()

    def construct_simple_cfg(self):
        self.cfg.create_node(0)
        self.build_base_loop(0)
        self.cfg.create_node(1)
        BasicBlockEdge(self.cfg, 0, 2)


inner_size = 4


# blocks 0 .. 2, then one per outer tree and 2 + 10 per base loop per inner tree (the numbering
# starts at block 3, so the graph reuses the small graph's blocks 3 .. 10)
def expected_nodes(size):
    return 3 + size * (1 + size * (2 + 10 * PPPAR_LOOPS))


# the root, 3 per search of the small graph, 16 * size * size + 1 in the first search of the
# whole graph (1605 for the suite's graph, size 10)
def expected_loops(size):
    return 1 + 3 * NUM_DUMMY_LOOPS + 16 * size * size + 1


def benchmark():
    global havlak_error
    havlak_error = False
    result = LoopTesterApp().main(NUM_DUMMY_LOOPS, FIND_LOOP_ITERATIONS, inner_size, inner_size,
                                  PPPAR_LOOPS)
    if result[1] != expected_nodes(inner_size) or havlak_error:
        return 0
    return result[0]


iterations = 3


def main():
    expected = expected_loops(inner_size)
    start = ticks_us()
    for _ in range(iterations):
        got = benchmark()
        if got != expected:
            print("Havlak: WRONG got " + str(got) + " expected " + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print("Havlak: ok " + str(elapsed))


main()
