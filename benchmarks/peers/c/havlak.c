/* Are We Fast Yet: Havlak (loop recognition), the C version of benchmarks/awfy/havlak.bs.
   LoopTesterApp builds a control-flow graph of nested loops and runs Havlak's loop finder on it.
   Checksum: the number of loops found, when the graph has the expected number of blocks (else 0).
   INNER_SIZE scales the graph as in havlak.bs: INNER_SIZE x INNER_SIZE loop trees of 5 base
   loops (3 + INNER_SIZE * (1 + 52 * INNER_SIZE) blocks; 10 is the suite's graph of 5213 blocks),
   one dummy search of the small graph and 50 extra searches; expected loops
   5 + 16 * INNER_SIZE * INNER_SIZE (1605 for the suite's graph, as the suite checks).
   Every block, edge, loop and finder array is freed at the end of each iteration. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "Havlak"
#ifndef INNER_SIZE
#define INNER_SIZE 4
#endif

#define NUM_DUMMY_LOOPS 1
#define FIND_LOOP_ITERATIONS 50
#define PPPAR_LOOPS 5

#define BB_NONHEADER 1   /* a regular block */
#define BB_REDUCIBLE 2   /* header of a reducible loop */
#define BB_SELF 3        /* a block with a self edge */
#define BB_IRREDUCIBLE 4 /* header of an irreducible loop */
#define BB_DEAD 5        /* not reachable from the start block */
#define UNVISITED INT32_MAX
#define MAXNONBACKPREDS (32 * 1024)

void bench_print(const char *line);

static int havlak_error;

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) {
        bench_print("Havlak: out of memory\n");
        exit(1);
    }
    return p;
}

/* --- growable arrays of pointers and of integers --- */

typedef struct {
    void **items;
    int32_t size, cap;
} PtrVec;

static void pv_init(PtrVec *v) {
    v->size = 0;
    v->cap = 4;
    v->items = xmalloc(4 * sizeof(void *));
}
static void pv_free(PtrVec *v) { free(v->items); }
static void pv_push(PtrVec *v, void *p) {
    if (v->size == v->cap) {
        void **bigger = xmalloc((size_t)v->cap * 2 * sizeof(void *));
        memcpy(bigger, v->items, (size_t)v->size * sizeof(void *));
        free(v->items);
        v->items = bigger;
        v->cap *= 2;
    }
    v->items[v->size++] = p;
}
static int pv_contains(const PtrVec *v, const void *p) {
    for (int32_t i = 0; i < v->size; i++)
        if (v->items[i] == p)
            return 1;
    return 0;
}

typedef struct {
    int32_t *items;
    int32_t size, cap;
} IntList;

static void il_init(IntList *l) {
    l->size = 0;
    l->cap = 4;
    l->items = xmalloc(4 * sizeof(int32_t));
}
static void il_free(IntList *l) { free(l->items); }
static void il_append(IntList *l, int32_t v) {
    if (l->size == l->cap) {
        int32_t *bigger = xmalloc((size_t)l->cap * 2 * sizeof(int32_t));
        memcpy(bigger, l->items, (size_t)l->size * sizeof(int32_t));
        free(l->items);
        l->items = bigger;
        l->cap *= 2;
    }
    l->items[l->size++] = v;
}
/* set semantics: append unless present */
static void il_add(IntList *l, int32_t v) {
    for (int32_t i = 0; i < l->size; i++)
        if (l->items[i] == v)
            return;
    il_append(l, v);
}

/* --- the graph --- */

typedef struct {
    int32_t name;
    PtrVec inEdges, outEdges; /* of BasicBlock */
} BasicBlock;

typedef struct {
    BasicBlock *from, *to;
} BasicBlockEdge;

typedef struct {
    PtrVec basicBlockMap; /* of BasicBlock, indexed by name */
    BasicBlock *startNode;
    PtrVec edgeList; /* of BasicBlockEdge */
} ControlFlowGraph;

static BasicBlock *cfg_create_node(ControlFlowGraph *cfg, int32_t name) {
    BasicBlock *node;
    if (name < cfg->basicBlockMap.size) {
        node = cfg->basicBlockMap.items[name];
    } else {
        /* blocks are created in the order of their names, so the map has no holes */
        if (name != cfg->basicBlockMap.size)
            havlak_error = 1;
        node = xmalloc(sizeof(BasicBlock));
        node->name = name;
        pv_init(&node->inEdges);
        pv_init(&node->outEdges);
        pv_push(&cfg->basicBlockMap, node);
    }
    if (cfg->basicBlockMap.size == 1)
        cfg->startNode = node;
    return node;
}

static void new_edge(ControlFlowGraph *cfg, int32_t fromName, int32_t toName) {
    BasicBlockEdge *e = xmalloc(sizeof(BasicBlockEdge));
    e->from = cfg_create_node(cfg, fromName);
    e->to = cfg_create_node(cfg, toName);
    pv_push(&e->from->outEdges, e->to);
    pv_push(&e->to->inEdges, e->from);
    pv_push(&cfg->edgeList, e);
}

static void cfg_init(ControlFlowGraph *cfg) {
    pv_init(&cfg->basicBlockMap);
    cfg->startNode = NULL;
    pv_init(&cfg->edgeList);
}

static void cfg_free(ControlFlowGraph *cfg) {
    for (int32_t i = 0; i < cfg->basicBlockMap.size; i++) {
        BasicBlock *bb = cfg->basicBlockMap.items[i];
        pv_free(&bb->inEdges);
        pv_free(&bb->outEdges);
        free(bb);
    }
    pv_free(&cfg->basicBlockMap);
    for (int32_t i = 0; i < cfg->edgeList.size; i++)
        free(cfg->edgeList.items[i]);
    pv_free(&cfg->edgeList);
}

/* --- loops --- */

typedef struct SimpleLoop {
    PtrVec basicBlocks; /* identity set of BasicBlock */
    PtrVec children;    /* identity set of SimpleLoop */
    struct SimpleLoop *parent;
    BasicBlock *header;
    int isRoot, isReducible;
    int32_t counter, nestingLevel, depthLevel;
} SimpleLoop;

static SimpleLoop *loop_new(BasicBlock *bb, int isReducible) {
    SimpleLoop *l = xmalloc(sizeof(SimpleLoop));
    pv_init(&l->basicBlocks);
    pv_init(&l->children);
    l->parent = NULL;
    l->header = bb;
    l->isRoot = 0;
    l->isReducible = isReducible;
    l->counter = 0;
    l->nestingLevel = 0;
    l->depthLevel = 0;
    if (bb != NULL)
        pv_push(&l->basicBlocks, bb);
    return l;
}

static void loop_add_node(SimpleLoop *l, BasicBlock *bb) {
    if (!pv_contains(&l->basicBlocks, bb))
        pv_push(&l->basicBlocks, bb);
}

static void loop_set_parent(SimpleLoop *l, SimpleLoop *parent) {
    l->parent = parent;
    if (!pv_contains(&parent->children, l))
        pv_push(&parent->children, l);
}

static void loop_set_nesting_level(SimpleLoop *l, int32_t level) {
    l->nestingLevel = level;
    if (level == 0)
        l->isRoot = 1;
}

typedef struct {
    SimpleLoop *root;
    PtrVec loops; /* of SimpleLoop */
    int32_t loopCounter;
} LoopStructureGraph;

static SimpleLoop *lsg_create_new_loop(LoopStructureGraph *lsg, BasicBlock *bb, int isReducible) {
    SimpleLoop *loop = loop_new(bb, isReducible);
    loop->counter = lsg->loopCounter++;
    pv_push(&lsg->loops, loop);
    return loop;
}

static void lsg_init(LoopStructureGraph *lsg) {
    lsg->loopCounter = 0;
    pv_init(&lsg->loops);
    lsg->root = loop_new(NULL, 1);
    loop_set_nesting_level(lsg->root, 0);
    lsg->root->counter = lsg->loopCounter++;
    pv_push(&lsg->loops, lsg->root);
}

static void lsg_free(LoopStructureGraph *lsg) {
    for (int32_t i = 0; i < lsg->loops.size; i++) {
        SimpleLoop *l = lsg->loops.items[i];
        pv_free(&l->basicBlocks);
        pv_free(&l->children);
        free(l);
    }
    pv_free(&lsg->loops);
}

static void lsg_nesting_level_rec(SimpleLoop *loop, int32_t depth) {
    loop->depthLevel = depth;
    for (int32_t i = 0; i < loop->children.size; i++) {
        SimpleLoop *liter = loop->children.items[i];
        lsg_nesting_level_rec(liter, depth + 1);
        int32_t level = 1 + liter->nestingLevel;
        loop_set_nesting_level(loop, loop->nestingLevel > level ? loop->nestingLevel : level);
    }
}

static void lsg_calculate_nesting_level(LoopStructureGraph *lsg) {
    for (int32_t i = 0; i < lsg->loops.size; i++) {
        SimpleLoop *liter = lsg->loops.items[i];
        if (!liter->isRoot && liter->parent == NULL)
            loop_set_parent(liter, lsg->root);
    }
    lsg_nesting_level_rec(lsg->root, 0);
}

/* --- union-find --- */

typedef struct UnionFindNode {
    struct UnionFindNode *parent;
    BasicBlock *bb;
    SimpleLoop *loop;
    int32_t dfsNumber;
} UnionFindNode;

static void ufn_init_node(UnionFindNode *n, BasicBlock *bb, int32_t dfsNumber) {
    n->parent = n;
    n->bb = bb;
    n->dfsNumber = dfsNumber;
    n->loop = NULL;
}

/* the representative of this node's set, with path compression */
static UnionFindNode *ufn_find_set(UnionFindNode *self) {
    PtrVec nodeList;
    pv_init(&nodeList);
    UnionFindNode *node = self;
    while (node != node->parent) {
        if (node->parent != node->parent->parent)
            pv_push(&nodeList, node);
        node = node->parent;
    }
    for (int32_t i = 0; i < nodeList.size; i++)
        ((UnionFindNode *)nodeList.items[i])->parent = self->parent;
    pv_free(&nodeList);
    return node;
}

/* --- the loop finder --- */

typedef struct {
    ControlFlowGraph *cfg;
    LoopStructureGraph *lsg;
    IntList *nonBackPreds; /* sets of DFS numbers */
    IntList *backPreds;
    int32_t *number; /* block name -> DFS number */
    int32_t *header, *type, *last;
    UnionFindNode *nodes;
} HavlakLoopFinder;

/* is w an ancestor of v in the DFS tree (v's number lies in w's subtree)? */
static int is_ancestor(const HavlakLoopFinder *f, int32_t w, int32_t v) {
    return w <= v && v <= f->last[w];
}

static int32_t do_dfs(HavlakLoopFinder *f, BasicBlock *currentNode, int32_t current) {
    ufn_init_node(&f->nodes[current], currentNode, current);
    f->number[currentNode->name] = current;
    int32_t lastId = current;
    for (int32_t i = 0; i < currentNode->outEdges.size; i++) {
        BasicBlock *target = currentNode->outEdges.items[i];
        if (f->number[target->name] == UNVISITED)
            lastId = do_dfs(f, target, lastId + 1);
    }
    f->last[current] = lastId;
    return lastId;
}

static void step_d(HavlakLoopFinder *f, int32_t w, PtrVec *nodePool) {
    IntList *preds = &f->backPreds[w];
    for (int32_t i = 0; i < preds->size; i++) {
        int32_t v = preds->items[i];
        if (v != w)
            pv_push(nodePool, ufn_find_set(&f->nodes[v]));
        else
            f->type[w] = BB_SELF;
    }
}

static void step_e_process_non_back_preds(HavlakLoopFinder *f, int32_t w, PtrVec *nodePool,
                                          PtrVec *workList, UnionFindNode *x) {
    IntList *preds = &f->nonBackPreds[x->dfsNumber];
    for (int32_t i = 0; i < preds->size; i++) {
        UnionFindNode *y = &f->nodes[preds->items[i]];
        UnionFindNode *ydash = ufn_find_set(y);
        if (!is_ancestor(f, w, ydash->dfsNumber)) {
            f->type[w] = BB_IRREDUCIBLE;
            il_add(&f->nonBackPreds[w], ydash->dfsNumber);
        } else if (ydash->dfsNumber != w) {
            if (!pv_contains(nodePool, ydash)) {
                pv_push(workList, ydash);
                pv_push(nodePool, ydash);
            }
        }
    }
}

static void set_loop_attributes(HavlakLoopFinder *f, int32_t w, PtrVec *nodePool, SimpleLoop *loop) {
    f->nodes[w].loop = loop;
    for (int32_t i = 0; i < nodePool->size; i++) {
        UnionFindNode *node = nodePool->items[i];
        f->header[node->dfsNumber] = w;
        node->parent = &f->nodes[w];
        if (node->loop != NULL)
            loop_set_parent(node->loop, loop);
        else if (node->bb != NULL)
            loop_add_node(loop, node->bb);
    }
}

static void find_loops_in(ControlFlowGraph *cfg, LoopStructureGraph *lsg) {
    HavlakLoopFinder finder;
    HavlakLoopFinder *f = &finder;
    if (cfg->startNode == NULL)
        return;
    int32_t size = cfg->basicBlockMap.size;
    f->cfg = cfg;
    f->lsg = lsg;
    f->nonBackPreds = xmalloc((size_t)size * sizeof(IntList));
    f->backPreds = xmalloc((size_t)size * sizeof(IntList));
    f->number = xmalloc((size_t)size * sizeof(int32_t));
    f->header = xmalloc((size_t)size * sizeof(int32_t));
    f->type = xmalloc((size_t)size * sizeof(int32_t));
    f->last = xmalloc((size_t)size * sizeof(int32_t));
    f->nodes = xmalloc((size_t)size * sizeof(UnionFindNode));
    for (int32_t i = 0; i < size; i++) {
        il_init(&f->nonBackPreds[i]);
        il_init(&f->backPreds[i]);
        f->nodes[i].parent = &f->nodes[i];
        f->nodes[i].bb = NULL;
        f->nodes[i].loop = NULL;
        f->nodes[i].dfsNumber = 0;
    }

    /* number the blocks depth first */
    for (int32_t i = 0; i < size; i++)
        f->number[((BasicBlock *)cfg->basicBlockMap.items[i])->name] = UNVISITED;
    do_dfs(f, cfg->startNode, 0);

    /* back edges and other predecessors */
    for (int32_t w = 0; w < size; w++) {
        f->header[w] = 0;
        f->type[w] = BB_NONHEADER;
        BasicBlock *nodeW = f->nodes[w].bb;
        if (nodeW == NULL) {
            f->type[w] = BB_DEAD;
        } else if (nodeW->inEdges.size > 0) {
            for (int32_t i = 0; i < nodeW->inEdges.size; i++) {
                int32_t v = f->number[((BasicBlock *)nodeW->inEdges.items[i])->name];
                if (v != UNVISITED) {
                    if (is_ancestor(f, w, v))
                        il_append(&f->backPreds[w], v);
                    else
                        il_add(&f->nonBackPreds[w], v);
                }
            }
        }
    }
    f->header[0] = 0;

    /* from the innermost headers (highest DFS numbers) outwards */
    int gave_up = 0;
    for (int32_t w = size - 1; w >= 0 && !gave_up; w--) {
        BasicBlock *nodeW = f->nodes[w].bb;
        if (nodeW == NULL)
            continue;
        PtrVec nodePool, workList;
        pv_init(&nodePool);
        pv_init(&workList);
        step_d(f, w, &nodePool);
        for (int32_t i = 0; i < nodePool.size; i++)
            pv_push(&workList, nodePool.items[i]);
        if (nodePool.size != 0)
            f->type[w] = BB_REDUCIBLE;
        int32_t head = 0; /* the work list's first element */
        while (head < workList.size) {
            UnionFindNode *x = workList.items[head++];
            /* the suite gives up on graphs with too many predecessors */
            if (f->nonBackPreds[x->dfsNumber].size > MAXNONBACKPREDS) {
                gave_up = 1;
                break;
            }
            step_e_process_non_back_preds(f, w, &nodePool, &workList, x);
        }
        if (!gave_up && (nodePool.size > 0 || f->type[w] == BB_SELF)) {
            SimpleLoop *loop = lsg_create_new_loop(lsg, nodeW, f->type[w] != BB_IRREDUCIBLE);
            set_loop_attributes(f, w, &nodePool, loop);
        }
        pv_free(&nodePool);
        pv_free(&workList);
    }

    for (int32_t i = 0; i < size; i++) {
        il_free(&f->nonBackPreds[i]);
        il_free(&f->backPreds[i]);
    }
    free(f->nonBackPreds);
    free(f->backPreds);
    free(f->number);
    free(f->header);
    free(f->type);
    free(f->last);
    free(f->nodes);
}

/* --- LoopTesterApp --- */

/* a diamond of four blocks; returns the bottom block */
static int32_t build_diamond(ControlFlowGraph *cfg, int32_t start) {
    int32_t bb0 = start;
    new_edge(cfg, bb0, bb0 + 1);
    new_edge(cfg, bb0, bb0 + 2);
    new_edge(cfg, bb0 + 1, bb0 + 3);
    new_edge(cfg, bb0 + 2, bb0 + 3);
    return bb0 + 3;
}

static void build_connect(ControlFlowGraph *cfg, int32_t start, int32_t end) {
    new_edge(cfg, start, end);
}

static int32_t build_straight(ControlFlowGraph *cfg, int32_t start, int32_t n) {
    for (int32_t i = 0; i < n; i++)
        build_connect(cfg, start + i, start + i + 1);
    return start + n;
}

/* a loop around two diamonds that are loops themselves: three loops */
static int32_t build_base_loop(ControlFlowGraph *cfg, int32_t from) {
    int32_t header = build_straight(cfg, from, 1);
    int32_t diamond1 = build_diamond(cfg, header);
    int32_t d11 = build_straight(cfg, diamond1, 1);
    int32_t diamond2 = build_diamond(cfg, d11);
    int32_t footer = build_straight(cfg, diamond2, 1);
    build_connect(cfg, diamond2, d11);
    build_connect(cfg, diamond1, header);
    build_connect(cfg, footer, from);
    return build_straight(cfg, footer, 1);
}

static void construct_simple_cfg(ControlFlowGraph *cfg) {
    cfg_create_node(cfg, 0);
    build_base_loop(cfg, 0);
    cfg_create_node(cfg, 1);
    new_edge(cfg, 0, 2);
}

static void construct_cfg(ControlFlowGraph *cfg, int32_t parLoops, int32_t pparLoops, int32_t ppparLoops) {
    int32_t n = 2;
    for (int32_t parlooptrees = 0; parlooptrees < parLoops; parlooptrees++) {
        cfg_create_node(cfg, n + 1);
        build_connect(cfg, 2, n + 1);
        n = n + 1;
        for (int32_t i = 0; i < pparLoops; i++) {
            int32_t top = n;
            n = build_straight(cfg, n, 1);
            for (int32_t j = 0; j < ppparLoops; j++)
                n = build_base_loop(cfg, n);
            int32_t bottom = build_straight(cfg, n, 1);
            build_connect(cfg, n, top);
            n = bottom;
        }
        build_connect(cfg, n, 1);
    }
}

/* LoopTesterApp.main: returns the number of loops, stores the number of blocks in *numNodes */
static int32_t loop_tester_main(int32_t numDummyLoops, int32_t findLoopIterations, int32_t parLoops,
                                int32_t pparLoops, int32_t ppparLoops, int32_t *numNodes) {
    ControlFlowGraph cfg;
    LoopStructureGraph lsg;
    cfg_init(&cfg);
    lsg_init(&lsg);
    cfg_create_node(&cfg, 0);

    construct_simple_cfg(&cfg);
    for (int32_t i = 0; i < numDummyLoops; i++)
        find_loops_in(&cfg, &lsg);
    construct_cfg(&cfg, parLoops, pparLoops, ppparLoops);
    find_loops_in(&cfg, &lsg);
    for (int32_t i = 0; i < findLoopIterations; i++) {
        LoopStructureGraph other;
        lsg_init(&other);
        find_loops_in(&cfg, &other);
        lsg_free(&other);
    }
    lsg_calculate_nesting_level(&lsg);
    int32_t numLoops = lsg.loops.size;
    *numNodes = cfg.basicBlockMap.size;
    lsg_free(&lsg);
    cfg_free(&cfg);
    return numLoops;
}

/* blocks 0 .. 2, then one per outer tree and 2 + 10 per base loop per inner tree (the numbering
   starts at block 3, so the graph reuses the small graph's blocks 3 .. 10) */
static int32_t expected_nodes(int32_t size) { return 3 + size * (1 + size * (2 + 10 * PPPAR_LOOPS)); }

/* the root, 3 per search of the small graph, 16 * size * size + 1 in the first search of the
   whole graph (1605 for the suite's graph, size 10) */
static int32_t expected_loops(int32_t size) { return 1 + 3 * NUM_DUMMY_LOOPS + 16 * size * size + 1; }

int benchmark(void) {
    int32_t numNodes = 0;
    havlak_error = 0;
    int32_t numLoops = loop_tester_main(NUM_DUMMY_LOOPS, FIND_LOOP_ITERATIONS, INNER_SIZE, INNER_SIZE,
                                        PPPAR_LOOPS, &numNodes);
    if (numNodes != expected_nodes(INNER_SIZE) || havlak_error)
        return 0;
    return numLoops;
}

int verify_result(int result) { return result == expected_loops(INNER_SIZE); }

#include "harness.h"
