# make mem only: asyncio and time for the 32-bit VM on a virtual clock (the WebAssembly build's
# asyncio has no run() or start_server and a real clock): runs the firmware's tasks in asyncio's
# order and jumps the clock to the next timer when all wait. The firmware's subset only; never on a device.
import gc
import sys

_PERIOD = 1 << 30
now_ms = 0  # the virtual clock
_ready = []  # [task, value to send] in run order
_timers = []  # [wake_ms, task, token]
_current = None
_servers = {}  # port -> client callback (start_server)


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


class Task:
    def __init__(self, coro):
        self.coro = coro
        self.done = False
        self.result = None
        self.error = None
        self.token = 0  # a wake-up for an older token is stale (the task moved on or was cancelled)
        self.joiners = []  # [task, token] waiting for this one
        self.cancelling = False

    def cancel(self):
        if self.done or self.cancelling:
            return False
        self.cancelling = True
        self.token += 1
        _ready.append([self, CancelledError()])
        return True


def create_task(coro):
    task = Task(coro)
    _ready.append([task, None])
    return task


def _park(task):
    task.token += 1
    return [task, task.token]


def _wake_all(entries):
    for entry in entries:
        _wake(entry)


def _wake(entry, value=None):
    task, token = entry
    if task.token == token and not task.done:
        task.token += 1
        _ready.append([task, value])


def _step(task, value):
    global _current
    _current = task
    try:
        if isinstance(value, BaseException):
            request = task.coro.throw(value)
        else:
            request = task.coro.send(value)
    except StopIteration as e:
        _finish(task, e.value, None)
        return
    except BaseException as e:  # noqa: B036 - CancelledError included: the task is over
        _finish(task, None, e)
        return
    finally:
        _current = None
    if request is None:  # plain yield: run again after the others
        _ready.append([task, None])
    elif request is _PARKED:  # sleep_ms's singleton has set the timer already
        pass
    elif request[0] == "sleep":
        _timers.append([now_ms + request[1], task, _park(task)[1]])
    elif request[0] == "park":  # the object it waits on holds the entry and wakes it
        request[1].append(_park(task))
    elif request[0] == "join":  # ("join", other task, deadline ms or None)
        entry = _park(task)
        request[1].joiners.append(entry)
        if request[2] is not None:
            _timers.append([request[2], task, entry[1]])


def _finish(task, result, error):
    task.done = True
    task.result = result
    task.error = error
    _wake_all(task.joiners)
    task.joiners = []
    if error is not None and not isinstance(error, CancelledError) and task is not _main:
        print("vasyncio: task ended by %s: %s" % (type(error).__name__, error))
        sys.print_exception(error)


_main = None
largest_step = [0, 0, ""]  # bytes one task step allocated (garbage included), when, which coroutine


def start(coro):
    """Makes coro the main task; step() then runs it (make mem returns to the VM's top level
    between steps, where the WebAssembly port's garbage collector runs)."""
    global _main
    _main = create_task(coro)
    return _main


def step():
    """Runs one ready task, or moves the clock to the next timer. False once the main task is done."""
    global now_ms
    if _main.done:
        return False
    if _ready:
        task, value = _ready.pop(0)
        if not task.done:
            before = gc.mem_alloc()
            _step(task, value)
            made = gc.mem_alloc() - before
            if made > largest_step[0]:  # this VM never collects within a step: all of it counts
                largest_step[0], largest_step[1], largest_step[2] = made, now_ms, str(task.coro)
        return True
    if not _timers:
        raise RuntimeError("every task waits and no timer is set")
    first = _timers[0]
    for timer in _timers:
        if timer[0] < first[0]:
            first = timer
    _timers.remove(first)
    if first[0] > now_ms:
        now_ms = first[0]
    _wake([first[1], first[2]])
    return True


def result():
    if _main.error is not None:
        raise _main.error
    return _main.result


def run(coro):
    """Runs coro to its end on the virtual clock; returns its result."""
    start(coro)
    while step():
        pass
    return result()


_PARKED = ("parked",)


class _Sleep:
    """One reusable awaitable for every sleep, as MicroPython's asyncio has (its
    SingletonGenerator): a poll loop's sleep allocates nothing but its timer entry."""

    def __init__(self):
        self.ms = None
        self.stop = StopIteration()

    def __iter__(self):
        return self

    def __next__(self):
        if self.ms is not None:
            _timers.append([now_ms + self.ms, _current, _park(_current)[1]])
            self.ms = None
            return _PARKED
        self.stop.__traceback__ = None  # a re-raised exception keeps growing its traceback otherwise
        raise self.stop


_sleeper = _Sleep()


def sleep_ms(ms):
    _sleeper.ms = max(0, int(ms))
    return _sleeper


def sleep(seconds):
    return sleep_ms(seconds * 1000)


def wait_for(awaitable, timeout):
    task = create_task(awaitable)
    yield ("join", task, None if timeout is None else now_ms + int(timeout * 1000))
    if not task.done:
        task.cancel()
        raise TimeoutError()
    if task.error is not None:
        raise task.error
    return task.result


class Event:
    def __init__(self):
        self.state = False
        self.waiting = []

    def is_set(self):
        return self.state

    def set(self):
        self.state = True
        _wake_all(self.waiting)
        self.waiting = []

    def clear(self):
        self.state = False

    def wait(self):
        while not self.state:
            yield ("park", self.waiting)
        return True


class Lock:
    def __init__(self):
        self.held = False
        self.waiting = []

    def locked(self):
        return self.held

    def acquire(self):
        while self.held:
            yield ("park", self.waiting)
        self.held = True
        return True

    def release(self):
        self.held = False
        if self.waiting:
            _wake(self.waiting.pop(0))

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, *exc):
        self.release()


# Streams: an in-memory pipe per direction; start_server registers the callback by port and
# open_connection (the mem tool's HTTP client) creates a connection to it.
class Pipe:
    def __init__(self):
        self.data = bytearray()
        self.closed = False
        self.waiting = []

    def put(self, data):
        self.data.extend(data)
        self._wake()

    def close(self):
        self.closed = True
        self._wake()

    def _wake(self):
        _wake_all(self.waiting)
        self.waiting = []


class StreamReader:
    def __init__(self, pipe):
        self.pipe = pipe

    def read(self, n):
        pipe = self.pipe
        while not pipe.data and not pipe.closed:
            yield ("park", pipe.waiting)
        chunk = bytes(pipe.data[:n])
        pipe.data = pipe.data[n:]
        return chunk


class StreamWriter:
    def __init__(self, pipe):
        self.pipe = pipe

    def write(self, data):
        self.pipe.put(data)

    def drain(self):
        yield None

    def close(self):
        self.pipe.close()

    def wait_closed(self):
        yield None


class Server:
    def __init__(self, port):
        self.port = port

    def close(self):
        _servers.pop(self.port, None)

    def wait_closed(self):
        yield None


def start_server(callback, host, port):
    _servers[port] = callback
    yield None
    return Server(port)


def open_connection(port):
    """(reader, writer) of a new client connection to the server on port (ConnectionError if none)."""
    if port not in _servers:
        raise OSError(111)
    up = Pipe()
    down = Pipe()
    create_task(_servers[port](StreamReader(up), StreamWriter(down)))
    return StreamReader(down), StreamWriter(up)


# time: the same ticks arithmetic as MicroPython's, on the virtual clock.
class Time:
    def ticks_ms(self):
        return now_ms & (_PERIOD - 1)

    def ticks_diff(self, a, b):
        return ((a - b + (_PERIOD >> 1)) & (_PERIOD - 1)) - (_PERIOD >> 1)

    def ticks_add(self, a, delta):
        return (a + delta) & (_PERIOD - 1)

    def time(self):
        return 1767225600 + now_ms // 1000  # 2026-01-01 00:00 UTC + elapsed

    def sleep_ms(self, ms):
        global now_ms
        now_ms += ms


def install():
    """asyncio and time as seen by every later import."""
    sys.modules["asyncio"] = sys.modules[__name__]
    sys.modules["time"] = Time()
