# Are We Fast Yet: Richards (Martin Richards' operating-system task scheduler simulation),
# Python peer of benchmarks/awfy/richards.bs (runs on MicroPython and CPython).
# Checksum: 1 when queue_packet_count == 23246 and hold_count == 9297.
import sys
import time

IDLER = 0
WORKER = 1
HANDLER_A = 2
HANDLER_B = 3
DEVICE_A = 4
DEVICE_B = 5
NUM_TYPES = 6
DEVICE_PACKET_KIND = 0
WORK_PACKET_KIND = 1
DATA_SIZE = 4


class Packet:
    def __init__(self, link, identity, kind):
        self.link = link
        self.identity = identity
        self.kind = kind
        self.datum = 0
        self.data = [0] * DATA_SIZE

    def add_to(self, queue):
        self.link = None
        if queue is None:
            return self
        nxt = queue
        while nxt.link is not None:
            nxt = nxt.link
        nxt.link = self
        return queue


class TaskState:
    def __init__(self):
        self.packet_pending = True
        self.task_waiting = False
        self.task_holding = False

    def is_task_holding_or_waiting(self):
        return self.task_holding or (not self.packet_pending and self.task_waiting)

    def is_waiting_with_packet(self):
        return self.packet_pending and self.task_waiting and not self.task_holding

    def set_packet_pending(self):
        self.packet_pending = True
        self.task_waiting = False
        self.task_holding = False

    def set_running(self):
        self.packet_pending = False
        self.task_waiting = False
        self.task_holding = False

    def set_waiting(self):
        self.packet_pending = False
        self.task_waiting = True
        self.task_holding = False

    def set_waiting_with_packet(self):
        self.packet_pending = True
        self.task_waiting = True
        self.task_holding = False


def create_running():
    s = TaskState()
    s.set_running()
    return s


def create_waiting():
    s = TaskState()
    s.set_waiting()
    return s


def create_waiting_with_packet():
    s = TaskState()
    s.set_waiting_with_packet()
    return s


class DeviceTaskDataRecord:
    def __init__(self):
        self.pending = None


class HandlerTaskDataRecord:
    def __init__(self):
        self.work_in = None
        self.device_in = None

    def device_in_add(self, packet):
        self.device_in = packet.add_to(self.device_in)

    def work_in_add(self, packet):
        self.work_in = packet.add_to(self.work_in)


class IdleTaskDataRecord:
    def __init__(self):
        self.control = 1
        self.count = 10000


class WorkerTaskDataRecord:
    def __init__(self):
        self.destination = HANDLER_A
        self.count = 0


class TaskControlBlock(TaskState):
    def __init__(self, link, identity, priority, initial_work_queue, initial_state, private_data, fn):
        TaskState.__init__(self)
        self.link = link
        self.identity = identity
        self.priority = priority
        self.input = initial_work_queue
        self.packet_pending = initial_state.packet_pending
        self.task_waiting = initial_state.task_waiting
        self.task_holding = initial_state.task_holding
        self.fn = fn
        self.handle = private_data

    def add_input_and_check_priority(self, packet, old_task):
        if self.input is None:
            self.input = packet
            self.packet_pending = True
            if self.priority > old_task.priority:
                return self
        else:
            self.input = packet.add_to(self.input)
        return old_task

    def run_task(self):
        message = None
        if self.is_waiting_with_packet():
            message = self.input
            if message is not None:
                self.input = message.link
            if self.input is None:
                self.set_running()
            else:
                self.set_packet_pending()
        return self.fn(message, self.handle)


# the suite throws when a task is missing; record it instead
richards_error = False


def task_missing():
    global richards_error
    richards_error = True


class Scheduler:
    def __init__(self):
        self.task_list = None
        self.current_task = None
        self.current_task_identity = 0
        self.task_table = [None] * NUM_TYPES
        self.queue_packet_count = 0
        self.hold_count = 0

    def current(self):
        t = self.current_task
        if t is None:
            task_missing()
            return TaskControlBlock(None, 0, 0, None, create_running(), None, lambda w, r: None)
        return t

    def add_idle_task(self, identity, priority, work, state):
        def fn(w, data_record):
            data_record.count = data_record.count - 1
            if data_record.count == 0:
                return self.hold_self()
            if (data_record.control & 1) == 0:
                data_record.control = data_record.control // 2
                return self.release(DEVICE_A)
            data_record.control = (data_record.control // 2) ^ 53256
            return self.release(DEVICE_B)
        self.create_task(identity, priority, work, state, IdleTaskDataRecord(), fn)

    def add_worker_task(self, identity, priority, work, state):
        def fn(w, data_record):
            if w is None:
                return self.mark_waiting()
            if data_record.destination == HANDLER_A:
                data_record.destination = HANDLER_B
            else:
                data_record.destination = HANDLER_A
            w.identity = data_record.destination
            w.datum = 0
            for i in range(DATA_SIZE):
                data_record.count = data_record.count + 1
                if data_record.count > 26:
                    data_record.count = 1
                w.data[i] = 65 + data_record.count - 1
            return self.queue_packet(w)
        self.create_task(identity, priority, work, state, WorkerTaskDataRecord(), fn)

    def add_handler_task(self, identity, priority, work, state):
        def fn(w, data_record):
            if w is not None:
                if w.kind == WORK_PACKET_KIND:
                    data_record.work_in_add(w)
                else:
                    data_record.device_in_add(w)
            work_packet = data_record.work_in
            if work_packet is None:
                return self.mark_waiting()
            count = work_packet.datum
            if count >= DATA_SIZE:
                data_record.work_in = work_packet.link
                return self.queue_packet(work_packet)
            device_packet = data_record.device_in
            if device_packet is None:
                return self.mark_waiting()
            data_record.device_in = device_packet.link
            device_packet.datum = work_packet.data[count]
            work_packet.datum = count + 1
            return self.queue_packet(device_packet)
        self.create_task(identity, priority, work, state, HandlerTaskDataRecord(), fn)

    def add_device_task(self, identity, priority, work, state):
        def fn(w, data_record):
            if w is None:
                function_work = data_record.pending
                if function_work is None:
                    return self.mark_waiting()
                data_record.pending = None
                return self.queue_packet(function_work)
            data_record.pending = w
            return self.hold_self()
        self.create_task(identity, priority, work, state, DeviceTaskDataRecord(), fn)

    def create_task(self, identity, priority, work, state, data_record, fn):
        t = TaskControlBlock(self.task_list, identity, priority, work, state, data_record, fn)
        self.task_list = t
        self.task_table[identity] = t

    def create_packet(self, link, identity, kind):
        return Packet(link, identity, kind)

    def start(self):
        self.add_idle_task(IDLER, 0, None, create_running())
        work_q = self.create_packet(None, WORKER, WORK_PACKET_KIND)
        work_q = self.create_packet(work_q, WORKER, WORK_PACKET_KIND)
        self.add_worker_task(WORKER, 1000, work_q, create_waiting_with_packet())

        work_q = self.create_packet(None, DEVICE_A, DEVICE_PACKET_KIND)
        work_q = self.create_packet(work_q, DEVICE_A, DEVICE_PACKET_KIND)
        work_q = self.create_packet(work_q, DEVICE_A, DEVICE_PACKET_KIND)
        self.add_handler_task(HANDLER_A, 2000, work_q, create_waiting_with_packet())

        work_q = self.create_packet(None, DEVICE_B, DEVICE_PACKET_KIND)
        work_q = self.create_packet(work_q, DEVICE_B, DEVICE_PACKET_KIND)
        work_q = self.create_packet(work_q, DEVICE_B, DEVICE_PACKET_KIND)
        self.add_handler_task(HANDLER_B, 3000, work_q, create_waiting_with_packet())

        self.add_device_task(DEVICE_A, 4000, None, create_waiting())
        self.add_device_task(DEVICE_B, 5000, None, create_waiting())

        self.schedule()
        return self.queue_packet_count == 23246 and self.hold_count == 9297

    def find_task(self, identity):
        t = self.task_table[identity]
        if t is None:
            task_missing()
            return self.current()
        return t

    def hold_self(self):
        self.hold_count += 1
        t = self.current()
        t.task_holding = True
        return t.link

    def mark_waiting(self):
        t = self.current()
        t.task_waiting = True
        return t

    def queue_packet(self, packet):
        t = self.find_task(packet.identity)
        self.queue_packet_count += 1
        packet.link = None
        packet.identity = self.current_task_identity
        return t.add_input_and_check_priority(packet, self.current())

    def release(self, identity):
        t = self.find_task(identity)
        t.task_holding = False
        cur = self.current()
        if t.priority > cur.priority:
            return t
        return cur

    def schedule(self):
        self.current_task = self.task_list
        while self.current_task is not None:
            t = self.current_task
            if t.is_task_holding_or_waiting():
                self.current_task = t.link
            else:
                self.current_task_identity = t.identity
                self.current_task = t.run_task()


def benchmark():
    global richards_error
    richards_error = False
    ok = Scheduler().start()
    return 1 if ok and not richards_error else 0


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
            print("Richards: WRONG got %d expected %d" % (result, expected))
            sys.exit(1)
    if hasattr(time, "ticks_us"):
        elapsed = time.ticks_diff(time.ticks_us(), start)
    else:
        elapsed = int((time.perf_counter() - start) * 1000000)
    print("Richards: ok %d" % elapsed)


main()
