#!/bin/sh
# run.sh: runs one Python benchmark program on MicroPython for the BBC micro:bit v1 (nRF51822,
# Cortex-M0, 16 KiB RAM) under QEMU's "microbit" machine, and prints the program's output.
#
# Usage: benchmarks/peers/python/microbit/run.sh FILE.py [ITERATIONS] [INNER_SIZE]
#
# The firmware is Debian's firmware-microbit-micropython (MicroPython 1.9.2, micro:bit v1.0.1):
#   apt-get install firmware-microbit-micropython
# QEMU runs with -icount shift=0,sleep=off: guest time is one nanosecond per instruction, so
# time.ticks_us() counts thousands of instructions and the result does not depend on the host.
#
# The program goes in through MicroPython's paste mode (Ctrl-E, text, Ctrl-D), a few bytes at a
# time, each time waiting for the board's echo (bytes sent faster than the board reads them are
# lost, and the raw REPL does not echo). The board's heap is about 10 KiB, too small to hold a
# whole program's source and parse tree at once, so the program is sent one group of top-level
# statements at a time (all run in the same global namespace): a def, class or import may go
# alone, a run of other statements always goes whole (so a timed loop is never split). Comments,
# blank lines and indentation are squeezed out first (the squeezed text must parse to the same
# syntax tree on the host). Paste mode prints the value of an expression statement at module level,
# as the interactive prompt does: each of those becomes an assignment to a spare global variable.
# ITERATIONS and INNER_SIZE replace the numbers in the program's
# "iterations = N" and "inner_size = N" lines.
#
# Exit status: 0 when the program finished and printed no WRONG line; 1 for a WRONG line, an
# exception (its traceback goes to standard error), an early sys.exit() or a board that stopped
# answering; 124 for the timeout.
# Environment: TIMEOUT (seconds, default 120), CHUNK (bytes of source per execution, default 600;
#   0: the whole program at once), VERBOSE=1 (show the exchange on standard error),
#   FIRMWARE (default /usr/share/firmware-microbit-micropython/firmware.hex).
set -eu
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: $0 FILE.py [ITERATIONS] [INNER_SIZE]" >&2
    exit 2
fi
exec python3 - "$@" <<'PYTHON'
import ast, io, os, re, select, subprocess, sys, time, tokenize

firmware = os.environ.get("FIRMWARE", "/usr/share/firmware-microbit-micropython/firmware.hex")
timeout = float(os.environ.get("TIMEOUT", "120"))
chunk_limit = int(os.environ.get("CHUNK", "600"))
verbose = os.environ.get("VERBOSE", "0") == "1"
path = sys.argv[1]
if not os.path.isfile(firmware):
    sys.exit("run.sh: no firmware at %s (apt-get install firmware-microbit-micropython)" % firmware)
source = open(path).read()
for index, name in ((2, "iterations"), (3, "inner_size")):
    if len(sys.argv) > index and sys.argv[index] != "":
        source, count = re.subn(r"(?m)^%s = \d+" % name, "%s = %d" % (name, int(sys.argv[index])), source)
        if count == 0:
            sys.exit("run.sh: %s has no line '%s = N'" % (path, name))


def squeeze(text):
    """The statement without comments or blank lines, one space per indentation level."""
    out = []
    depth = 0
    line_start = True
    previous = None  # the last token written
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = tok.type
        if kind == tokenize.COMMENT or kind == tokenize.ENDMARKER:
            continue
        if kind == tokenize.INDENT:
            depth += 1
            continue
        if kind == tokenize.DEDENT:
            depth -= 1
            continue
        if kind == tokenize.NEWLINE:
            out.append("\n")
            line_start = True
            previous = None
            continue
        if kind == tokenize.NL:
            if previous is not None:  # a line break inside brackets
                out.append("\n")
                previous = tok
            continue
        if line_start:
            out.append(" " * depth)
            line_start = False
        elif previous is not None:
            if previous.type == tokenize.NL:
                pass
            elif tok.start[0] > previous.end[0]:
                out.append(" \\\n")  # a backslash continuation
            elif tok.start[1] > previous.end[1]:
                out.append(" ")
        out.append(tok.string)
        previous = tok
    result = "".join(out)
    if not result.endswith("\n"):
        result += "\n"
    return result


def module_expressions(node):
    """The expression statements run at module level inside node (not those inside a def, a class
    or a lambda)."""
    if isinstance(node, ast.Expr):
        yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for found in module_expressions(child):
                yield found


def discard_values(text, node, first):
    """Paste mode compiles like the interactive prompt, which prints the value of every expression
    statement at module level that is not None: each one becomes an assignment to DISCARD."""
    lines = [line.encode() for line in text.splitlines(keepends=True)]
    for expr in sorted(module_expressions(node), key=lambda e: (e.lineno, e.col_offset), reverse=True):
        row = expr.lineno - first
        line = lines[row]
        lines[row] = line[:expr.col_offset] + DISCARD.encode() + b" = " + line[expr.col_offset:]
    return b"".join(lines).decode()


DISCARD = "_discarded_value"


def statements(text):
    """The program's top-level statements, as (syntax tree, source text) pairs."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text, path)
    result = []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        original = discard_values("".join(lines[first - 1:node.end_lineno]), node, first)
        small = squeeze(original)
        try:
            same = ast.dump(ast.parse(small)) == ast.dump(ast.parse(original))
        except SyntaxError:
            same = False
        result.append((node, small if same else original))
    return result


# Definitions (def, class, import) may each go in a chunk of their own; a run of other statements
# always stays in one chunk, so that a timed loop and its clock readings are never split. Groups
# share a chunk up to chunk_limit bytes. Each chunk ends by printing SENTINEL, so that a chunk
# stopped by sys.exit() (which the REPL does not report) is noticed.
SENTINEL = b"\x05"
DEFINITIONS = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
groups = []
plain = False
for node, text in statements(source):
    if isinstance(node, DEFINITIONS) or not plain or not groups:
        groups.append(text)
    else:
        groups[-1] += text
    plain = not isinstance(node, DEFINITIONS)
chunks = []
for text in groups:
    if chunks and (chunk_limit == 0 or len(chunks[-1]) + len(text) <= chunk_limit):
        chunks[-1] += text
    else:
        chunks.append(text)
# Each chunk first collects the garbage its own compilation left, so that it runs with as much
# of the small heap free as the board has, whatever the order of earlier allocations was.
chunks = [("__import__('gc').collect()\n" + c + "print(chr(5),end='')\n").encode() for c in chunks]

qemu = subprocess.Popen(
    ["qemu-system-arm", "-M", "microbit", "-device", "loader,file=" + firmware, "-nographic",
     "-monitor", "none", "-serial", "stdio", "-icount", "shift=0,align=off,sleep=off"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.monotonic() + timeout
received = b""


class Timeout(Exception):
    pass


class Failed(Exception):
    pass


class Quiet(Exception):
    pass


def fill(count=1, quiet_limit=None):
    """Reads more of the board's output, until received holds at least count bytes; fails when the
    board says nothing for quiet_limit seconds."""
    global received
    quiet_since = time.monotonic()
    while len(received) < count:
        now = time.monotonic()
        left = deadline - now
        if left <= 0:
            raise Timeout()
        if quiet_limit is not None and now - quiet_since > quiet_limit:
            raise Quiet()
        ready, _, _ = select.select([qemu.stdout], [], [], min(left, 1.0))
        if ready:
            data = os.read(qemu.stdout.fileno(), 4096)
            if not data:
                raise Failed("QEMU stopped")
            if verbose:
                sys.stderr.write("<< %r\n" % data)
            received += data
            quiet_since = time.monotonic()


def expect(marker):
    """Reads the board's output up to and including marker; returns what came before it."""
    global received
    while marker not in received:
        fill(len(received) + 1)
    before, _, received = received.partition(marker)
    return before


def send(data):
    if verbose:
        sys.stderr.write(">> %r\n" % data)
    qemu.stdin.write(data)
    qemu.stdin.flush()


def paste(text):
    """Types text into paste mode, a few bytes at a time, each time waiting for their echo: the
    board's receive buffer is small, and bytes sent faster than it reads them are lost."""
    global received
    for i in range(0, len(text), PIECE):
        piece = text[i:i + PIECE]
        send(piece)
        try:
            fill(len(piece), quiet_limit=10.0)
        except Quiet:
            raise Failed("the board stopped echoing after %d of the %d bytes of a chunk: out of "
                         "memory for the text (the firmware stops then)" % (i, len(text)))
        echo, received = received[:len(piece)], received[len(piece):]
        if echo != piece:
            raise Failed("the board echoed %r for %r" % (echo, piece))


PIECE = 16
output = b""
status = 0
problem = None
try:
    expect(b">>> ")
    for chunk in chunks:
        send(b"\x05")  # Ctrl-E: paste mode
        expect(b"paste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ")
        paste(chunk)
        send(b"\x04")  # Ctrl-D: compile and run
        expect(b"\r\n")
        out = expect(b">>> ")
        if out.endswith(SENTINEL):
            output += out[:-1]
            continue
        out, traceback, error = out.partition(b"Traceback (most recent call last):")
        if not traceback:
            # An error while compiling the chunk comes without a traceback (MemoryError: ...).
            last = re.search(rb"(?:^|\r\n)(\w+Error\b[^\r\n]*)\r\n\Z", out)
            if last:
                out, error = out[:last.start(1)], last.group(1) + b"\r\n"
        output += out
        status = 1
        if traceback or error:
            problem = (traceback + error).decode(errors="replace").replace("\r\n", "\n").lstrip()
        break  # an exception, or sys.exit()
except Timeout:
    output += received
    status = 124
    problem = "run.sh: %s: timed out after %g s\n" % (path, timeout)
except Failed as failure:
    status = 1
    problem = "run.sh: %s: %s\n" % (path, failure)
finally:
    qemu.kill()
    qemu.wait()
text = output.decode(errors="replace").replace("\r\n", "\n")
sys.stdout.write(text)
sys.stdout.flush()
if problem is not None:
    sys.stderr.write(problem)
    if problem.startswith("run.sh") and status != 124 and not text:
        sys.stderr.write(qemu.stderr.read().decode(errors="replace"))
if status == 0 and re.search(r"(?m)^\w+: WRONG", text):
    status = 1
sys.exit(status)
PYTHON
