/* Are We Fast Yet: Richards (Martin Richards' operating-system task scheduler simulation),
   C peer of benchmarks/awfy/richards.bs. Checksum: 1 when queuePacketCount == 23246 and
   holdCount == 9297. Each task runs a function through a pointer, with its private data record;
   the packets, tasks and records of one run are freed when it ends. */
#include <stdbool.h>
#include <stdlib.h>

#define BENCH_NAME "Richards"

enum { IDLER = 0, WORKER = 1, HANDLER_A = 2, HANDLER_B = 3, DEVICE_A = 4, DEVICE_B = 5,
       NUM_TYPES = 6 };
enum { DEVICE_PACKET_KIND = 0, WORK_PACKET_KIND = 1 };
#define DATA_SIZE 4

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) abort();
    return p;
}

typedef struct Packet Packet;
struct Packet {
    Packet *link;
    int identity;
    int kind;
    int datum;
    int data[DATA_SIZE];
};

typedef struct {
    bool packet_pending;
    bool task_waiting;
    bool task_holding;
} TaskState;

typedef struct { Packet *pending; } DeviceTaskDataRecord;
typedef struct { Packet *work_in; Packet *device_in; } HandlerTaskDataRecord;
typedef struct { int control; int count; } IdleTaskDataRecord;
typedef struct { int destination; int count; } WorkerTaskDataRecord;

typedef struct Scheduler Scheduler;
typedef struct TaskControlBlock TaskControlBlock;
typedef TaskControlBlock *(*TaskFn)(Scheduler *s, Packet *work, void *data);

struct TaskControlBlock {
    TaskState state;
    TaskControlBlock *link;
    int identity;
    int priority;
    Packet *input;
    TaskFn fn;
    void *handle;
};

struct Scheduler {
    TaskControlBlock *task_list;
    TaskControlBlock *current_task;
    int current_task_identity;
    TaskControlBlock *task_table[NUM_TYPES];
    int queue_packet_count;
    int hold_count;
    /* what this run allocated, freed by scheduler_free */
    Packet *packets[8];
    int packet_count;
    void *records[NUM_TYPES];
    int record_count;
};

/* the suite throws when a task is missing; record it instead */
static bool richards_error;

static Packet *packet_add_to(Packet *p, Packet *queue) {
    p->link = NULL;
    if (queue == NULL) return p;
    Packet *next = queue;
    while (next->link != NULL) next = next->link;
    next->link = p;
    return queue;
}

static bool is_task_holding_or_waiting(const TaskState *s) {
    return s->task_holding || (!s->packet_pending && s->task_waiting);
}
static bool is_waiting_with_packet(const TaskState *s) {
    return s->packet_pending && s->task_waiting && !s->task_holding;
}
static void set_state(TaskState *s, bool pending, bool waiting, bool holding) {
    s->packet_pending = pending;
    s->task_waiting = waiting;
    s->task_holding = holding;
}
static TaskState create_running(void) { TaskState s; set_state(&s, false, false, false); return s; }
static TaskState create_waiting(void) { TaskState s; set_state(&s, false, true, false); return s; }
static TaskState create_waiting_with_packet(void) {
    TaskState s;
    set_state(&s, true, true, false);
    return s;
}

static TaskControlBlock *tcb_add_input_and_check_priority(TaskControlBlock *t, Packet *packet,
                                                          TaskControlBlock *old_task) {
    if (t->input == NULL) {
        t->input = packet;
        t->state.packet_pending = true;
        if (t->priority > old_task->priority) return t;
    } else {
        t->input = packet_add_to(packet, t->input);
    }
    return old_task;
}

static TaskControlBlock *tcb_run_task(Scheduler *s, TaskControlBlock *t) {
    Packet *message = NULL;
    if (is_waiting_with_packet(&t->state)) {
        message = t->input;
        if (message != NULL) t->input = message->link;
        if (t->input == NULL) set_state(&t->state, false, false, false); /* running */
        else set_state(&t->state, true, false, false);                  /* packet pending */
    }
    return t->fn(s, message, t->handle);
}

/* ---- scheduler operations used by the tasks ---- */

/* stands in for a missing task (which makes the result wrong) */
static TaskControlBlock *no_task_fn(Scheduler *s, Packet *work, void *data) {
    (void)s;
    (void)work;
    (void)data;
    return NULL;
}
static TaskControlBlock missing_task = { { false, false, false }, NULL, 0, 0, NULL, no_task_fn, NULL };

static TaskControlBlock *current(Scheduler *s) {
    if (s->current_task == NULL) {
        richards_error = true;
        return &missing_task;
    }
    return s->current_task;
}

static TaskControlBlock *find_task(Scheduler *s, int identity) {
    TaskControlBlock *t = s->task_table[identity];
    if (t == NULL) {
        richards_error = true;
        return current(s);
    }
    return t;
}

static TaskControlBlock *hold_self(Scheduler *s) {
    s->hold_count++;
    TaskControlBlock *t = current(s);
    t->state.task_holding = true;
    return t->link;
}

static TaskControlBlock *mark_waiting(Scheduler *s) {
    TaskControlBlock *t = current(s);
    t->state.task_waiting = true;
    return t;
}

static TaskControlBlock *queue_packet(Scheduler *s, Packet *packet) {
    TaskControlBlock *t = find_task(s, packet->identity);
    s->queue_packet_count++;
    packet->link = NULL;
    packet->identity = s->current_task_identity;
    return tcb_add_input_and_check_priority(t, packet, current(s));
}

static TaskControlBlock *release(Scheduler *s, int identity) {
    TaskControlBlock *t = find_task(s, identity);
    t->state.task_holding = false;
    TaskControlBlock *cur = current(s);
    return t->priority > cur->priority ? t : cur;
}

/* ---- the four task functions ---- */

static TaskControlBlock *idle_fn(Scheduler *s, Packet *work, void *data) {
    (void)work;
    IdleTaskDataRecord *r = data;
    r->count = r->count - 1;
    if (0 == r->count) return hold_self(s);
    if (0 == (r->control & 1)) {
        r->control = r->control / 2;
        return release(s, DEVICE_A);
    }
    r->control = (r->control / 2) ^ 53256;
    return release(s, DEVICE_B);
}

static TaskControlBlock *worker_fn(Scheduler *s, Packet *work, void *data) {
    WorkerTaskDataRecord *r = data;
    if (work == NULL) return mark_waiting(s);
    if (HANDLER_A == r->destination) r->destination = HANDLER_B;
    else r->destination = HANDLER_A;
    work->identity = r->destination;
    work->datum = 0;
    for (int i = 0; i < DATA_SIZE; i++) {
        r->count = r->count + 1;
        if (r->count > 26) r->count = 1;
        work->data[i] = 65 + r->count - 1;
    }
    return queue_packet(s, work);
}

static TaskControlBlock *handler_fn(Scheduler *s, Packet *work, void *data) {
    HandlerTaskDataRecord *r = data;
    if (work != NULL) {
        if (WORK_PACKET_KIND == work->kind) r->work_in = packet_add_to(work, r->work_in);
        else r->device_in = packet_add_to(work, r->device_in);
    }
    Packet *work_packet = r->work_in;
    if (work_packet == NULL) return mark_waiting(s);
    int count = work_packet->datum;
    if (count >= DATA_SIZE) {
        r->work_in = work_packet->link;
        return queue_packet(s, work_packet);
    }
    Packet *device_packet = r->device_in;
    if (device_packet == NULL) return mark_waiting(s);
    r->device_in = device_packet->link;
    device_packet->datum = work_packet->data[count];
    work_packet->datum = count + 1;
    return queue_packet(s, device_packet);
}

static TaskControlBlock *device_fn(Scheduler *s, Packet *work, void *data) {
    DeviceTaskDataRecord *r = data;
    if (work == NULL) {
        Packet *function_work = r->pending;
        if (function_work == NULL) return mark_waiting(s);
        r->pending = NULL;
        return queue_packet(s, function_work);
    }
    r->pending = work;
    return hold_self(s);
}

/* ---- building and running the system ---- */

static void create_task(Scheduler *s, int identity, int priority, Packet *work, TaskState state,
                        void *data, TaskFn fn) {
    TaskControlBlock *t = xmalloc(sizeof *t);
    t->state = state;
    t->link = s->task_list;
    t->identity = identity;
    t->priority = priority;
    t->input = work;
    t->fn = fn;
    t->handle = data;
    s->task_list = t;
    s->task_table[identity] = t;
    s->records[s->record_count++] = data;
}

static Packet *create_packet(Scheduler *s, Packet *link, int identity, int kind) {
    Packet *p = xmalloc(sizeof *p);
    p->link = link;
    p->identity = identity;
    p->kind = kind;
    p->datum = 0;
    for (int i = 0; i < DATA_SIZE; i++) p->data[i] = 0;
    s->packets[s->packet_count++] = p;
    return p;
}

static void schedule(Scheduler *s) {
    s->current_task = s->task_list;
    while (s->current_task != NULL) {
        TaskControlBlock *t = s->current_task;
        if (is_task_holding_or_waiting(&t->state)) {
            s->current_task = t->link;
        } else {
            s->current_task_identity = t->identity;
            s->current_task = tcb_run_task(s, t);
        }
    }
}

static bool start(Scheduler *s) {
    IdleTaskDataRecord *idle = xmalloc(sizeof *idle);
    idle->control = 1;
    idle->count = 10000;
    create_task(s, IDLER, 0, NULL, create_running(), idle, idle_fn);

    WorkerTaskDataRecord *worker = xmalloc(sizeof *worker);
    worker->destination = HANDLER_A;
    worker->count = 0;
    Packet *work_q = create_packet(s, NULL, WORKER, WORK_PACKET_KIND);
    work_q = create_packet(s, work_q, WORKER, WORK_PACKET_KIND);
    create_task(s, WORKER, 1000, work_q, create_waiting_with_packet(), worker, worker_fn);

    HandlerTaskDataRecord *handler_a = xmalloc(sizeof *handler_a);
    handler_a->work_in = handler_a->device_in = NULL;
    work_q = create_packet(s, NULL, DEVICE_A, DEVICE_PACKET_KIND);
    work_q = create_packet(s, work_q, DEVICE_A, DEVICE_PACKET_KIND);
    work_q = create_packet(s, work_q, DEVICE_A, DEVICE_PACKET_KIND);
    create_task(s, HANDLER_A, 2000, work_q, create_waiting_with_packet(), handler_a, handler_fn);

    HandlerTaskDataRecord *handler_b = xmalloc(sizeof *handler_b);
    handler_b->work_in = handler_b->device_in = NULL;
    work_q = create_packet(s, NULL, DEVICE_B, DEVICE_PACKET_KIND);
    work_q = create_packet(s, work_q, DEVICE_B, DEVICE_PACKET_KIND);
    work_q = create_packet(s, work_q, DEVICE_B, DEVICE_PACKET_KIND);
    create_task(s, HANDLER_B, 3000, work_q, create_waiting_with_packet(), handler_b, handler_fn);

    DeviceTaskDataRecord *device_a = xmalloc(sizeof *device_a);
    device_a->pending = NULL;
    create_task(s, DEVICE_A, 4000, NULL, create_waiting(), device_a, device_fn);
    DeviceTaskDataRecord *device_b = xmalloc(sizeof *device_b);
    device_b->pending = NULL;
    create_task(s, DEVICE_B, 5000, NULL, create_waiting(), device_b, device_fn);

    schedule(s);
    return s->queue_packet_count == 23246 && s->hold_count == 9297;
}

static void scheduler_free(Scheduler *s) {
    while (s->task_list != NULL) {
        TaskControlBlock *t = s->task_list;
        s->task_list = t->link;
        free(t);
    }
    for (int i = 0; i < s->packet_count; i++) free(s->packets[i]);
    for (int i = 0; i < s->record_count; i++) free(s->records[i]);
}

int benchmark(void) {
    richards_error = false;
    Scheduler s;
    s.task_list = NULL;
    s.current_task = NULL;
    s.current_task_identity = 0;
    for (int i = 0; i < NUM_TYPES; i++) s.task_table[i] = NULL;
    s.queue_packet_count = 0;
    s.hold_count = 0;
    s.packet_count = 0;
    s.record_count = 0;
    bool ok = start(&s);
    scheduler_free(&s);
    return ok && !richards_error ? 1 : 0;
}

int verify_result(int result) { return result == 1; }

#include "harness.h"
