# labrun's Python worker: one per lesson, state kept across cells.
#
# It runs Python cells the way an IPython kernel with the course's magics
# did, but it starts no external process itself: every shell command and
# background step is a request to the Go side, which owns processes,
# timeouts and cleanup. The protocol (one JSON object a line; requests from
# Go on fd 3, events and requests to Go on fd 4) is documented, op by op,
# in runner/protocol.go; _TO_GO and _FROM_GO below are its table.
#
# Everything the worker needs, and what it pre-imports for the lesson, is
# imported here, before the work dir goes on sys.path (in main): a
# lesson's glob.py or shlex.py must not replace them.
import ast
import builtins
import codecs
import collections
import hashlib
import inspect
import itertools
import json
import keyword
import linecache
import os
import pprint
import re
import select
import signal
import string
import sys
import textwrap
import threading
import time
import traceback
import types
import unicodedata  # noqa: F401 -- traceback imports it lazily
import warnings

# What the course's set-up cell imported for the lessons.
_PREIMPORTED = ("os", "sys", "re", "signal", "shutil", "shlex", "glob", "time", "random", "subprocess")
for _name in _PREIMPORTED:
    __import__(_name)

_IN = os.fdopen(3, "r", encoding="utf-8", errors="surrogateescape")
_OUT = os.fdopen(4, "w", encoding="utf-8", errors="surrogateescape")

# The fields of each op, beside "op" and "seq" (runner/protocol.go).
_TO_GO = {
    "ready": (),
    "stream": ("name", "text"),
    "display": ("mime", "data"),
    "error": ("ename", "evalue", "traceback", "fails"),
    "done": (),
    "expanded": ("text",),
    "system": ("cmd", "stderr", "stderr_due"),
    "getoutput": ("cmd",),
    "bg_start": ("cmd", "style"),
    "bg_write": ("id", "data"),
    "bg_close": ("id", "timeout"),
    "bg_terminate_all": (),
}
_FROM_GO = {
    "run": ("cell", "code"),
    "expand": ("text",),
    "status": ("status", "stderr_shown"),
    "output": ("output",),
    "started": ("id", "pid", "inq"),
    "ok": (),
    "refused": ("error",),
}
# The answer each request of the worker awaits ("refused" answers any).
_ANSWER = {"system": "status", "getoutput": "output", "bg_start": "started",
           "bg_write": "ok", "bg_close": "ok", "bg_terminate_all": "ok"}


class ProtocolError(BaseException):
    """A message from labrun that the protocol does not allow. A
    BaseException, so that the lesson's `except Exception` does not hide
    it: it fails the cell."""


# _seq is the seq of labrun's request being served (events carry it);
# _req_seq numbers the worker's own requests.
_seq = 0
_req_seq = 0


def _send(op, seq, **fields):
    """The one encoder: write message op with exactly its fields."""
    if set(fields) != set(_TO_GO[op]):
        raise ProtocolError("labrun worker: %s takes %s, not %s" % (op, _TO_GO[op], sorted(fields)))
    fields["op"], fields["seq"] = op, seq
    line = json.dumps(fields) + "\n"
    with _io_lock:
        _OUT.write(line)
        _OUT.flush()


def _event(op, **fields):
    """Send an event of the request being served (a thread of the lesson
    that displays something between cells gets an error)."""
    if not _active:
        raise RuntimeError("labrun worker: no cell is running to show this %s in" % op)
    _send(op, _seq, **fields)


def _decode(line):
    """Parse one line from labrun, checking its op and fields."""
    try:
        msg = json.loads(line)
    except ValueError as e:
        raise ProtocolError("labrun sent a line that is not a message (%s): %r" % (e, line[:300]))
    if not isinstance(msg, dict) or msg.get("op") not in _FROM_GO:
        raise ProtocolError("labrun sent an unknown message: %r" % line[:300])
    want = set(_FROM_GO[msg["op"]]) | {"op", "seq"}
    if set(msg) != want or not isinstance(msg["seq"], int):
        raise ProtocolError("labrun sent a %s message with fields %s, want %s: %r" % (
            msg["op"], sorted(msg), sorted(want), line[:300]))
    return msg


def _recv():
    line = _IN.readline()
    if not line:
        os._exit(0)
    return _decode(line)


def _await_answer(op, seq):
    """Wait for labrun's answer to the worker's request op #seq."""
    msg = _recv()
    if msg["seq"] != seq or msg["op"] not in (_ANSWER[op], "refused"):
        raise ProtocolError("labrun answered %s #%d with %s #%d: %r" % (
            op, seq, msg["op"], msg["seq"], json.dumps(msg)[:300]))
    if msg["op"] == "refused":
        raise RuntimeError(msg["error"])
    return msg


# The worker's requests whose answer it stopped waiting for (an interrupt
# came first): their answers are read, and discarded, later.
_abandoned = {}


# Before a request, what the streams hold is sent: stdout, then stderr,
# as IPython's getoutput does (IPython/utils/_process_common.py,
# process_handler: sys.stdout.flush(); sys.stderr.flush()), except before
# system, which flushes as _system says.
_NO_FLUSH = ("system",)


def _call(op, **kw):
    """Ask the Go side to do something and wait for its answer."""
    global _req_seq
    if op not in _NO_FLUSH:
        _flush_all()
    _req_seq += 1
    seq = _req_seq
    # An interrupt right after the request went out (labrun interrupts as
    # soon as it reads a request that comes past the cell's deadline) must
    # abandon it too: its answer comes all the same.
    try:
        _send(op, seq, **kw)
        return _await_answer(op, seq)
    except KeyboardInterrupt:
        _abandoned[seq] = op
        raise


# Like ipykernel, each stream keeps what is written and sends it 0.2 s
# after its first write, or when something else is shown (a display, the
# cell's end: stdout first, then stderr; a !cmd step sends stdout's, and
# stderr's when its time comes among the step's output: _system). That is
# what decides the order of stdout and stderr in the recorded lessons.
_FLUSH_INTERVAL = 0.2
# A stream sends what it keeps once it holds this many characters.
_FLUSH_SIZE = 1 << 20

# What reaches the worker's fd 1 and 2 (os.write, C code, a child process
# of the lesson's Python) is captured too, as ipykernel's OutStream with
# watchfd does: fd 1 and 2 are pipes the worker reads itself. To keep the
# order of writes, every write to sys.stdout or sys.stderr first takes in
# what the pipes hold (a write to a pipe is there once os.write returns),
# and so does every event sent; a thread (_pump) takes in what arrives
# while the cell's Python does not write. (Writes to fd 1 and fd 2 with no
# Python write between them cannot be told apart in time: fd 1's come
# first.) _io_lock guards the streams' buffers and every send; the thread
# sends nothing between requests (_active false): what arrives then is
# kept, up to _FLUSH_SIZE a stream, for the next request.
_io_lock = threading.RLock()
_active = False
_fd_pipes = {}  # read end -> (stream, incremental decoder)
_RAW_ERR = 2  # the worker's own stderr (labrun's pipe), for its last words


class _Stream:
    """sys.stdout / sys.stderr, buffered as ipykernel's OutStream."""

    def __init__(self, name):
        self.name = name
        self.encoding = "utf-8"
        self.errors = "replace"
        self._buf = []
        self._since = None
        self._size = 0
        self._dropped = 0  # characters dropped between requests

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            with _io_lock:
                _drain_fds()
                _flush_due(time.monotonic())
                self._append(s)
        return len(s)

    def _append(self, s):
        if not _active and self._size > _FLUSH_SIZE:
            self._dropped += len(s)  # a thread of the lesson floods between cells
            return
        if self._since is None:
            self._since = time.monotonic()
        self._buf.append(s)
        self._size += len(s)
        if self._size > _FLUSH_SIZE and _active:
            self.flush()

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def _take(self):
        """Empty the buffer (_io_lock held): (text, time of its first
        write), or ("", None)."""
        if not self._buf:
            return "", None
        text, since = "".join(self._buf), self._since
        self._buf, self._since, self._size = [], None, 0
        return text, since

    def _restore(self, text, since):
        """Hold text again, before what came since (_io_lock held)."""
        if text:
            self._buf.insert(0, text)
            self._size += len(text)
            self._since = since if self._since is None else min(since, self._since)

    def flush(self):
        with _io_lock:
            if self._buf and _active:  # between requests, kept for the next one
                if self._dropped:
                    self._buf.append("\n[labrun: %d characters written between cells dropped]\n" % self._dropped)
                    self._dropped = 0
                text = "".join(self._buf)
                self._buf, self._since, self._size = [], None, 0
                for i in range(0, len(text), 1 << 16):  # bounded protocol lines
                    _event("stream", name=self.name, text=text[i:i + (1 << 16)])

    def isatty(self):
        return False

    def fileno(self):
        return 1 if self.name == "stdout" else 2

    @property
    def closed(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True


_STDOUT = _Stream("stdout")
_STDERR = _Stream("stderr")


def _capture_fds():
    """Make fd 1 and 2 pipes that the worker reads (see _io_lock)."""
    global _RAW_ERR
    _RAW_ERR = os.dup(2)
    for fd, stream in ((1, _STDOUT), (2, _STDERR)):
        r, w = os.pipe()
        os.dup2(w, fd)
        os.close(w)
        os.set_blocking(r, False)
        _fd_pipes[r] = (stream, codecs.getincrementaldecoder("utf-8")("replace"))
    threading.Thread(target=_pump, name="labrun-fd-pump", daemon=True).start()


def _before_fork():
    """The lesson's Python forks: no other thread holds _io_lock meanwhile,
    and what was written so far is sent first."""
    _io_lock.acquire()
    _flush_all()


def _after_fork_in_child():
    """In the child: a fresh lock (the pump thread is not there), nothing
    of the parent's output to send again, and the fd output is the
    parent's to read."""
    global _io_lock
    _io_lock = threading.RLock()
    _fd_pipes.clear()
    for stream in (_STDOUT, _STDERR):
        stream._buf, stream._since, stream._size = [], None, 0


os.register_at_fork(before=_before_fork, after_in_parent=lambda: _io_lock.release(),
                    after_in_child=_after_fork_in_child)


def _drain_fds():
    """Take in what fd 1 and 2 hold, without waiting (_io_lock held)."""
    for r, (stream, decoder) in _fd_pipes.items():
        while True:
            try:
                data = os.read(r, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            text = decoder.decode(data)
            if text:
                stream._append(text)


def _pump():
    """Take in fd output while the cell's Python is not writing."""
    fds = list(_fd_pipes)
    while True:
        select.select(fds, [], [])
        with _io_lock:
            full = not _active and max(_STDOUT._size, _STDERR._size) > _FLUSH_SIZE
            if not full:
                _drain_fds()
        if full:
            time.sleep(_FLUSH_INTERVAL)  # the writers wait on the full pipe


def _flush_due(now):
    """Send the streams whose first pending write is 0.2 s old, oldest first."""
    due = [s for s in (_STDOUT, _STDERR) if s._since is not None and now - s._since >= _FLUSH_INTERVAL]
    for s in sorted(due, key=lambda s: s._since):
        s.flush()


def _system(cmd):
    """Run !cmd, returning its exit status, with the flushes of IPython's
    system() (IPython/utils/_process_posix.py, ProcessHandler.system): it
    prints the command's output to sys.stdout and calls sys.stdout.flush()
    after each read, so what stdout held goes first; it never flushes
    sys.stderr, whose text goes when ipykernel's timer fires
    (iostream.py, OutStream._schedule_flush: flush_interval after its first
    write). That may be while the command runs: labrun, which reads its
    output, puts the text there at that moment (runner/heldstream.go); if
    the command ends first, the text is held here again."""
    with _io_lock:
        _drain_fds()
        now = time.monotonic()
        _flush_due(now)  # what ipykernel's timers sent by now
        _STDOUT.flush()
        held, since = _STDERR._take() if _active else ("", None)
    due = max(0.0, since + _FLUSH_INTERVAL - now) if held else 0.0
    try:
        rep = _call("system", cmd=cmd, stderr=held, stderr_due=due)
    except KeyboardInterrupt:
        raise  # the cell ends interrupted: labrun showed the text with the step
    except BaseException:
        with _io_lock:
            _STDERR._restore(held, since)  # refused: the command never ran
        raise
    if not rep["stderr_shown"]:
        with _io_lock:
            _STDERR._restore(held, since)
    return rep["status"]


def _flush_all():
    """Send everything written so far: stdout first, then stderr."""
    with _io_lock:
        _drain_fds()
        _STDOUT.flush()
        _STDERR.flush()


# ---- display ---------------------------------------------------------------


class _DisplayObject:
    """IPython.core.display.TextDisplayObject: data given, read from a
    file, or (Image) a URL; its text/plain form names its class in
    IPython.core.display, as IPython's DisplayObject shows it."""
    mime = "text/plain"

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data is None and filename:
            with open(filename, encoding="utf-8") as f:
                data = f.read()
        self.data, self.url = data, url
        self.metadata = metadata or {}

    def __repr__(self):
        return "<IPython.core.display.%s object>" % type(self).__name__


class Markdown(_DisplayObject):
    def _repr_markdown_(self):
        return self.data


class HTML(_DisplayObject):
    """IPython.core.display.HTML: an <iframe> given as HTML warns, as
    HTML.__init__ does (IPython/core/display.py: data whose first 10
    characters, lowered, start with "<iframe " and whose last 10 end
    with "</iframe>")."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data and data[:10].lower().startswith("<iframe ") and data[-10:].lower().endswith("</iframe>"):
            _ipython_warn("html_iframe", "Consider using IPython.display.IFrame instead",
                          'warnings.warn("Consider using IPython.display.IFrame instead")',
                          "IPython.core.display")
        super().__init__(data, url, filename, metadata)

    def _repr_html_(self):
        return self.data


class Latex(_DisplayObject):
    def _repr_latex_(self):
        return self.data


class Math(_DisplayObject):
    def _repr_latex_(self):
        s = r"$\displaystyle %s$" % self.data.strip("$")
        return s


class JSON(_DisplayObject):
    """Its application/json form is no part of nbconvert's Markdown
    (display_data_priority): the transcript shows the text/plain one."""

    def __init__(self, data=None, url=None, filename=None, **kwargs):
        super().__init__(data, url, filename)


class Image(_DisplayObject):
    """An image by URL (embed=False) shows as IPython's <img> element;
    embedded image data becomes a file of nbconvert's, which labrun does
    not write: it shows the text/plain form."""

    def __init__(self, data=None, url=None, filename=None, format=None, embed=None,
                 width=None, height=None, **kwargs):
        if data is not None and isinstance(data, str) and data.startswith(("http://", "https://")):
            url, data = data, None
        self.embed = embed if embed is not None else url is None
        super().__init__(None, url, None)
        self.width, self.height = width, height

    def _repr_html_(self):
        if self.embed or not self.url:
            return None
        width = height = ""
        if self.width:
            width = ' width="%d"' % self.width
        if self.height:
            height = ' height="%d"' % self.height
        return '<img src="%s"%s%s/>' % (self.url, width, height)


class IFrame:
    """IPython.lib.display.IFrame: its HTML spans several lines."""

    iframe = """
        <iframe
            width="{width}"
            height="{height}"
            src="{src}{params}"
            frameborder="0"
            allowfullscreen
            {extras}
        ></iframe>
        """

    def __init__(self, src, width, height, extras=None, **kwargs):
        self.src, self.width, self.height = src, width, height
        self.extras = extras if extras is not None else []
        self.params = kwargs

    def _repr_html_(self):
        params = ""
        if self.params:
            from urllib.parse import urlencode
            params = "?" + urlencode(self.params)
        return self.iframe.format(src=self.src, width=self.width, height=self.height,
                                  params=params, extras=" ".join(self.extras))


class YouTubeVideo(IFrame):
    """IPython.lib.display.YouTubeVideo (its JPEG thumbnail needs the
    network: offline, as here, IPython shows the iframe only)."""

    def __init__(self, id, width=400, height=300, allow_autoplay=False, **kwargs):
        self.id = id
        src = "https://www.youtube.com/embed/{0}".format(id)
        if allow_autoplay:
            extras = list(kwargs.get("extras", [])) + ['allow="autoplay"']
            kwargs.update(autoplay=1, extras=extras)
        super().__init__(src, width, height, **kwargs)


# How many bytes of a display or a traceback labrun shows (its
# Options.OutputCap, the worker's argument): the worker cuts longer text
# itself, head and tail, marked as labrun marks a step's cut output, so
# that it never sends more than labrun keeps.
_SHOW_CAP = 1 << 20  # main() sets it from the argument
_MARKER_ROOM = 100


def _cut(text):
    if len(text) * 4 <= _SHOW_CAP - _MARKER_ROOM:
        return text
    b = text.encode("utf-8", "replace")
    if len(b) <= _SHOW_CAP - _MARKER_ROOM:
        return text
    half = (_SHOW_CAP - _MARKER_ROOM) // 2
    return "%s\n[labrun: %d bytes of output dropped here; %d kept]\n%s" % (
        b[:half].decode("utf-8", "ignore"), len(b) - 2 * half, 2 * half, b[-half:].decode("utf-8", "ignore"))


# The forms of a display labrun can show, in the order nbconvert's
# Markdown exporter prefers them (MarkdownExporter.default_config,
# display_data_priority: text/html, text/markdown, ..., text/latex, ...,
# text/plain).
_DISPLAY_FORMS = (("text/html", "_repr_html_"), ("text/markdown", "_repr_markdown_"),
                  ("text/latex", "_repr_latex_"))


def _display(obj):
    """Send obj's display in the form nbconvert's Markdown shows: the
    first of its _repr_*_ methods (as IPython's DisplayFormatter calls
    them) that gives something, else its text/plain form."""
    for mime, method in _DISPLAY_FORMS:
        f = getattr(obj, method, None)
        if f is None or isinstance(obj, type):
            continue
        data = f()
        if isinstance(data, tuple) and len(data) == 2:
            data = data[0]  # (data, metadata)
        if data is not None:
            _event("display", mime=mime, data=_cut(str(data)))
            return
    _event("display", mime="text/plain", data=_cut(_pretty(obj)))


def _pretty(obj):
    """The text form Jupyter shows for a value, after IPython's pretty."""
    if isinstance(obj, type):
        mod = obj.__module__
        return obj.__qualname__ if mod in ("builtins", "__builtin__") else mod + "." + obj.__qualname__
    if isinstance(obj, types.FunctionType):
        return "<function %s.%s>" % (obj.__module__, obj.__qualname__)
    base = next((t for t in (list, tuple, dict, set) if isinstance(obj, t) and type(obj).__repr__ is t.__repr__), None)
    if base is not None:
        # Subclasses too (x = !cmd gives an SList), as IPython's pretty;
        # like it, at most _MAX_SEQ_LENGTH items, then "...".
        try:
            if len(obj) <= _MAX_SEQ_LENGTH:
                return pprint.pformat(obj, width=79, sort_dicts=False)
            items = itertools.islice(obj.items() if base is dict else obj, _MAX_SEQ_LENGTH)
            text = pprint.pformat(base(items), width=79, sort_dicts=False)
            return text[:-1] + (",\n ...%s" if "\n" in text else ", ...%s") % text[-1]
        except Exception:
            pass
    if type(obj).__repr__ is object.__repr__:
        # IPython's pretty (_default_pprint) leaves out "object".
        return "<%s.%s at 0x%x>" % (type(obj).__module__, type(obj).__qualname__, id(obj))
    return repr(obj)


# IPython's PlainTextFormatter.max_seq_length: items shown of a collection.
_MAX_SEQ_LENGTH = 1000


def display(*objs, **kwargs):
    """IPython.display.display: show each object in the transcript."""
    _flush_all()
    for obj in objs:
        _display(obj)


# ---- IPython's variable expansion: {expr} and $name ----------------------


class _DollarFormatter(string.Formatter):
    """{expr} evaluates any expression, $name (and $a.b) a name; $$ is $."""

    _dollar = re.compile(r"(.*?)\$(\$?[\w\.]+)", re.S)

    def parse(self, fmt):
        for literal, field, spec, conv in string.Formatter.parse(self, fmt):
            done, text = 0, ""
            for m in self._dollar.finditer(literal):
                before, name = m.group(1, 2)
                if name.startswith("$"):
                    text += before + name
                else:
                    yield (text + before, name, "", None)
                    text = ""
                done = m.end()
            yield (text + literal[done:], field, spec, conv)

    def vformat(self, fmt, args, kwargs):
        out = []
        for literal, field, spec, conv in self.parse(fmt):
            out.append(literal)
            if field is not None:
                if spec:
                    field = field + ":" + spec
                obj = eval(field, kwargs)
                obj = self.convert_field(obj, conv)
                out.append(self.format_field(obj, ""))
        return "".join(out)


_formatter = _DollarFormatter()


def _expand(cmd, frame_locals=None):
    ns = dict(_user_ns)
    if frame_locals:
        ns.update(frame_locals)
    try:
        return _formatter.vformat(cmd, args=[], kwargs=ns)
    except Exception:
        return cmd  # as IPython: leave it as written


class SList(list):
    """The list of lines that x = !cmd gives, with IPython's shortcuts."""

    def get_list(self):
        return self

    l = list = property(get_list)

    def get_spstr(self):
        return " ".join(self)

    s = spstr = property(get_spstr)

    def get_nlstr(self):
        return "\n".join(self)

    n = nlstr = property(get_nlstr)

    def get_paths(self):
        return [p for p in self if os.path.exists(p)]

    p = paths = property(get_paths)

    def grep(self, pattern, prune=False, field=None):
        rx = re.compile(pattern) if isinstance(pattern, str) else None
        pred = (lambda s: rx.search(s)) if rx else pattern
        sel = [s for s in self if bool(pred(s if field is None else (s.split() + [""] * (field + 1))[field])) != prune]
        return SList(sel)

    def fields(self, *idx):
        out = SList()
        for line in self:
            parts = line.split()
            if not idx:
                out.append(parts)
                continue
            out.append(" ".join(parts[i] for i in idx if -len(parts) <= i < len(parts)))
        return out


# ---- the IPython surface the lessons touch ------------------------------

def _in_string(lines):
    """For each line, whether it starts inside a string spanning lines
    (labrun's lessons.InString does the same on the Go side)."""
    out, quote = [], ""
    for line in lines:
        out.append(quote != "")
        j = 0
        while j < len(line):
            c = line[j]
            if not quote and c == "#":
                break
            if not quote and c in "\"'":
                quote = c * 3 if line.startswith(c * 3, j) else c
                j += len(quote)
                continue
            if quote and c == "\\":
                j += 2
                continue
            if quote and line.startswith(quote, j):
                j += len(quote)
                quote = ""
                continue
            j += 1
        if len(quote) == 1 and not line.endswith("\\"):
            quote = ""
    return out


def _is_target(s):
    """Whether s can be what "s = !cmd" assigns to (lessons.isTarget)."""
    return s.strip(" \t") != "" and all(c.isalnum() or c in "_.,[] \t" for c in s)


def _line_kind(line):
    """What one logical line is, as lessons.pyLine reads it: (kind,
    target, magic name, text after ! or the magic's arguments)."""
    s = line.lstrip(" \t")
    if s.startswith("!"):
        return "shell", None, None, s[1:]
    if s.startswith("%%"):
        return "code", None, None, None  # a cell magic out of place: Python's error
    if s.startswith("%"):
        name, _, args = s[1:].partition(" ")  # as IPython splits it
        return "magic", None, name, args
    target, eq, rhs = s.partition("=")
    if eq and _is_target(target):
        rhs, target = rhs.lstrip(" \t"), target.rstrip(" \t")
        if rhs.startswith("!"):
            return "shell-assign", target, None, rhs[1:]
        if rhs.startswith("%"):
            name, _, args = rhs[1:].partition(" ")
            return "magic-assign", target, name, args
    return "code", None, None, None


def _logical_lines(src):
    """Read a cell's lines as IPython's input transformers do, by the
    rules of lessons.PythonLines (a test holds the two together): for each
    logical line, (first line index, lines joined, line, kind, target,
    magic name, text). An escape or magic line ending with a backslash
    goes on with the next line, as in IPython."""
    lines = src.split("\n")
    in_string = _in_string(lines)
    i = 0
    while i < len(lines):
        first, line = i, lines[i]
        if in_string[i]:
            yield (first, 1, line, "text", None, None, None)
            i += 1
            continue
        if _line_kind(line)[0] != "code":
            parts = [line]
            while lines[i].endswith("\\") and i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
            # As IPython's assemble_continued_line.
            line = " ".join([p[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])
        yield (first, i + 1 - first, line) + _line_kind(line)
        i += 1


def transform_cell(src):
    """Turn IPython syntax (!cmd, x = !cmd, %magic) into Python calls, on
    lines that start code (not inside a string that spans lines). Lines
    joined by a backslash leave blank lines, so that line numbers hold."""
    out = []
    for _, n, line, kind, target, magic, text in _logical_lines(src):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if kind == "shell":
            fn, cmd = ("getoutput", text[1:]) if text.startswith("!") else ("system", text)
            out.append("%sget_ipython().%s(%r)" % (indent, fn, cmd))
        elif kind == "shell-assign":
            out.append("%s%s = get_ipython().getoutput(%r)" % (indent, target, text))
        elif kind == "magic-assign":
            out.append("%s%s = get_ipython().run_line_magic(%r, %r)" % (indent, target, magic, text))
        elif kind == "magic":
            out.append("%sget_ipython().run_line_magic(%r, %r)" % (indent, magic, text))
        else:
            out.append(line)
        out.extend([""] * (n - 1))
    return "\n".join(out)


def _p(line):
    """%p EXPR  # comment: show EXPR and its value as Markdown."""
    line = line.strip()
    frame = sys._getframe(2)
    ns = dict(_user_ns)
    ns.update(frame.f_locals)
    if line.startswith("#"):
        display(Markdown(line[1:].strip()))
        return
    try:
        expr, comment = line.split(" #")
        display(Markdown("`{} = {}`  # {}".format(expr.strip(), eval(expr, ns), comment.strip())))
    except Exception:
        display(Markdown("{} = {}".format(line, eval(line, ns))))


def _md(line):
    display(Markdown(line.strip()))


# ---- IPython's default aliases and automagic -------------------------------


class UsageError(Exception):
    """IPython.core.error.UsageError: a magic used wrongly. IPython shows
    "UsageError: MESSAGE" on stderr, no traceback (InteractiveShell.
    show_usage_error); the cell fails."""


# IPython's default aliases, as a kernel on Linux has them
# (IPython/core/alias.py, default_aliases: the posix list, then the ls
# forms for sys.platform "linux"; the same in IPython 7 and 8). A kernel's
# shell has colours (its colors is "Neutral", not "NoColor"), so
# AliasManager.init_aliases keeps their " --color". The terminal-only ones
# (man, less, more, clear) a kernel does not define.
_ALIASES = {
    "mkdir": "mkdir", "rmdir": "rmdir", "mv": "mv", "rm": "rm", "cp": "cp", "cat": "cat",
    "ls": "ls -F --color", "ll": "ls -F -o --color",
    "lf": "ls -F -o --color %l | grep ^-", "lk": "ls -F -o --color %l | grep ^l",
    "ldir": "ls -F -o --color %l | grep /$", "lx": "ls -F -o --color %l | grep ^-..x",
}


def _alias_command(name, rest):
    """The command alias name runs for the arguments rest, as IPython's
    Alias.__call__ builds it: %l is the whole argument line; else each %s
    takes one blank-separated argument and the others follow; an alias
    without %s gets the line after a space."""
    cmd = _ALIASES[name]
    nargs = cmd.count("%s") - cmd.count("%%s")
    if cmd.find("%l") >= 0:
        cmd, rest = cmd.replace("%l", rest), ""
    if nargs == 0:
        if cmd.find("%%s") >= 1:
            cmd = cmd.replace("%%s", "%s")
        return "%s %s" % (cmd, rest)
    args = rest.split(None, nargs)
    if len(args) < nargs:
        raise UsageError("Alias <%s> requires %s arguments, %s given." % (name, nargs, len(args)))
    return "%s %s" % (cmd % tuple(args[:nargs]), " ".join(args[nargs:]))


def _alias_magic(name):
    """The line magic of alias name: it runs its command as !cmd does,
    through labrun (IPython's Alias.__call__: shell.system(cmd))."""
    def alias(line):
        _shell.system(_alias_command(name, line))
    return alias


def _pwd(line):
    """%pwd (IPython/core/magics/osm.py, OSMagics.pwd): the current
    directory, as a value."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise UsageError("CWD no longer exists - please use %cd to change directory.")


def _env(line):
    """%env (OSMagics.env): with no argument the environment as a dict,
    likely secrets hidden; with a name its value; "var val" or "var=val"
    sets it (OSMagics.set_env) and says so."""
    if line.strip():
        split = "=" if "=" in line else " "
        if len(line.split(split)) == 1:
            key = line.strip()
            if key in os.environ:
                return os.environ[key]
            raise UsageError("Environment does not have key: {0}".format(key))
        var, val = (b.strip() for b in line.split(split, 1))
        if re.match(r".*\s.*", var):
            raise UsageError("refusing to set env var with whitespace: '{0}'".format(val))
        os.environ[var] = val
        print("env: {0}={1}".format(var, val))
        return None
    env = dict(os.environ)
    for key in list(env):
        if any(s in key.lower() for s in ("key", "token", "secret")):
            env[key] = "<hidden>"
    return env


# IPython's split of a line for its prefilter (IPython/core/splitinput.py,
# line_split): indent, escape, the "function part", the rest.
_LINE_SPLIT = re.compile(r"^(\s*)([,;/%]|!!?|\?\??)?\s*(%{0,2}[\w\.\*]*)(.*?$|$)")


def _shadowed(name):
    """IPython's prefilter.is_shadowed: a name of the lesson's namespace,
    a builtin or a keyword is Python, not a magic."""
    return name in _user_ns or hasattr(builtins, name) or keyword.iskeyword(name)


def _automagic(line):
    """A one-line cell as IPython's prefilter reads it (PrefilterManager.
    prefilter_line): a line whose first word is a line magic (an alias is
    one) that no Python name shadows calls that magic (AutoMagicChecker,
    MagicHandler), unless "=" or "," follows the word (AssignmentChecker,
    which comes first: ls = 3 stays Python). Else the line is as written."""
    if not line.strip():
        return line
    pre, esc, ifun, rest = _LINE_SPLIT.match(line).groups()
    ifun, rest = ifun.strip(), rest.lstrip()
    if esc or (rest and rest[0] in "=,"):
        return line
    if ifun not in _shell.magics or _shadowed(ifun.split(".", 1)[0]):
        return line
    name, _, args = (ifun + " " + rest).partition(" ")
    return "%sget_ipython().run_line_magic(%r, %r)" % (pre, name.lstrip("%"), args)


def _leading_empty_lines(src):
    """IPython's leading_empty_lines (inputtransformer2.py, a cleanup
    transform of TransformerManager): blank lines before the first line
    that holds something are dropped."""
    lines = src.splitlines(True)
    for i, line in enumerate(lines):
        if line and not line.isspace():
            return "".join(lines[i:])
    return src


def _transform(src):
    """The cell as IPython's InteractiveShell.transform_cell makes it: the
    static transformations (leading blank lines dropped, transform_cell,
    a final newline as TransformerManager.transform_cell adds), then, for
    a cell of one line only, the dynamic one (_automagic)."""
    code = transform_cell(_leading_empty_lines(src))
    if not code.endswith("\n"):
        code += "\n"
    if len(code.splitlines()) == 1:
        code = _automagic(code.rstrip("\n")) + "\n"
    return code


class _Shell:
    """get_ipython(): system, getoutput, run_cell and the line magics."""

    def __init__(self):
        self.user_ns = _user_ns
        self.magics = {"p": _p, "MD": _md, "bash_async": _bash_async, "pwd": _pwd, "env": _env}
        for name in _ALIASES:
            self.magics[name] = _alias_magic(name)

    def var_expand(self, cmd, depth=0):
        return _expand(cmd, sys._getframe(depth + 1).f_locals)

    def system(self, cmd):
        cmd = _expand(cmd, sys._getframe(1).f_locals)
        _user_ns["_exit_code"] = _system(cmd)
        return None

    system_piped = system_raw = system

    def getoutput(self, cmd, split=True, depth=0):
        cmd = _expand(cmd, sys._getframe(depth + 1).f_locals)
        rep = _call("getoutput", cmd=cmd)
        out = rep["output"]
        return SList(out.splitlines()) if split else out

    def run_line_magic(self, name, line, _stack_depth=1):
        fn = self.magics.get(name)
        if fn is None:
            raise NameError("unknown line magic %%%s" % name)
        line = _expand(line, sys._getframe(_stack_depth).f_locals)
        return fn(line)

    def run_cell(self, src, store_history=False, silent=False, shell_futures=True):
        _run_source(src, 0)

    def ev(self, expr):
        return eval(expr, _user_ns)

    def ex(self, cmd):
        exec(cmd, _user_ns)


# ---- background steps ----------------------------------------------------


class TInteractiveLauncher:
    """Runs a command in the background (bash -c, pipes, own process group).

    Its log (L | started/finished, O | stdout, E | stderr, I | input) is
    shown at the cell that created it, with its final content."""

    def __init__(self, cmd):
        rep = _call("bg_start", cmd=cmd, style="launcher")
        self._id = rep["id"]
        self.pid = rep["pid"]
        self._inq = rep["inq"]
        self._closed = False

    # After close(), the course's launcher had closed its queue file and
    # set pid and the paths to None: its calls then raised these errors.

    def write(self, s):
        if self._closed:
            raise ValueError("I/O operation on closed file")
        _call("bg_write", id=self._id, data=s if isinstance(s, str) else s.decode())

    def get_pid(self):
        if self._closed:
            raise TypeError("expected str, bytes or os.PathLike object, not NoneType")
        return self.pid

    def input_queue_path(self):
        return None if self._closed else self._inq

    def close(self, timeout=3):
        if self._closed:
            raise TypeError("'NoneType' object cannot be interpreted as an integer")
        _call("bg_close", id=self._id, timeout=float(timeout))
        self._closed, self.pid = True, None

    @staticmethod
    def terminate_all():
        _call("bg_terminate_all")


def _bash_async(line):
    _call("bg_start", cmd=line, style="bash_async")


# ---- running cells -------------------------------------------------------


def _user_frames(frames, from_cell=True):
    """The frames (FrameSummary, code) a traceback shows: from the first
    cell frame on (from its first frame for a chained exception's, as
    ultratb's chained_exceptions_tb_offset 0 shows them), the library
    frames it ends in included (a stdlib function that raised), without
    the worker's own frames and the library frames the worker called (an
    interrupt landing in them while the worker waits for labrun, an
    error of the worker's own call): what follows the last worker frame
    is kept only when a cell's code runs there again (a callback)."""
    start = next((i for i, (f, _) in enumerate(frames) if f.filename in _cell_numbers), 0) if from_cell else 0
    frames = frames[start:]
    worker = [i for i, (f, _) in enumerate(frames) if f.filename == __file__]
    if worker and not any(f.filename in _cell_numbers for f, _ in frames[worker[-1] + 1:]):
        frames = frames[:worker[-1]]
    return [(f, code) for f, code in frames if f.filename != __file__]


def _collapse_repeated(frames):
    """Collapse repeated frames as IPython 8's tracebacks do (stack_data's
    collapse_repeated, IPython's ultratb): in a run of frames whose (code,
    line) appears more than 3 times in the traceback, the first, second
    and last frame of each such (code, line) are kept and every stretch of
    the others becomes one "[... skipping similar frames: ...]" line,
    naming each (code, line) and its count. Gives (FrameSummary, code)
    pairs and description strings."""
    keys = [(code, f.lineno) for f, code in frames]
    counts = collections.Counter(keys)
    shown = []
    for common, group in itertools.groupby(keys, key=lambda k: counts[k] > 3):
        group = list(group)
        if not common:
            shown += [True] * len(group)
            continue
        keep = [False] * len(group)
        for k in set(group):
            first = group.index(k)
            keep[first] = True
            if k in group[first + 1:]:
                keep[group.index(k, first + 1)] = True
            keep[len(group) - 1 - group[::-1].index(k)] = True
        shown += keep
    out = []
    for keep, stretch in itertools.groupby(zip(frames, keys, shown), key=lambda t: t[2]):
        stretch = list(stretch)
        if keep:
            out += [fc for fc, _, _ in stretch]
            continue
        n = sorted(collections.Counter(k for _, k, _ in stretch).items(),
                   key=lambda item: (-item[1], item[0][0].co_name))
        out.append(", ".join("%s at line %d (%d times)" % (getattr(code, "co_qualname", code.co_name), line, count)
                             for (code, line), count in n))
    return out


# IPython 7.20's _FRAME_RECURSION_LIMIT: a RecursionError's traceback over
# this many frames is cut where its recursion starts.
_RECURSION_FRAMES = 500


def _recursion_7(etype, value, frames):
    """IPython 7.20's frames of a RecursionError (ultratb.find_recursion,
    VerboseTB.format_records): past 500 frames, those whose file, line
    and function are among the innermost quarter's repeat; shown are the
    frames up to the last one that does not, and one stretch of the
    longest repeat, then "... last N frames repeated, from the frame
    below ..." and the frame after them. Gives (FrameSummary, code)
    pairs and that line."""
    if not (etype is RecursionError and "recursion" in str(value).lower() and len(frames) > _RECURSION_FRAMES):
        return list(frames)
    keys = [(f.filename, f.lineno, f.name) for f, _ in frames]
    repeated = set(keys[-(len(keys) // 4):])
    last_seen, repeat, last_unique = {}, 0, 0
    for i in range(len(keys) - 1, -1, -1):
        if keys[i] not in repeated:
            last_unique = i
            break
        if keys[i] in last_seen:
            repeat = max(repeat, last_seen[keys[i]] - i)
        last_seen[keys[i]] = i
    end = last_unique + repeat + 1
    if not repeat:
        return frames[:end]
    return frames[:end] + ["... last %d frames repeated, from the frame below ..." % repeat, frames[end]]


def _format_exception(etype, value, tb):
    """A traceback shaped like IPython's, without colours (Python's own,
    should that fail)."""
    try:
        return _format_ipython(etype, value, tb)
    except Exception:
        return "".join(traceback.format_exception(etype, value, tb)).rstrip("\n")


# A chained exception's frames show 3 lines of context (ultratb's
# VerboseTB.structured_traceback, lines_of_context = 3, 7.20 and 8.5
# alike), the raised one's _CONTEXT.
_CHAINED_CONTEXT = 3

_DIRECT_CAUSE = "The above exception was the direct cause of the following exception:"
_DURING_HANDLING = "During handling of the above exception, another exception occurred:"


def _format_ipython(etype, value, tb):
    """The raised exception's traceback and, above it, those of the
    exceptions it chains, first the innermost (VerboseTB.
    structured_traceback, 7.20 and 8.5 alike: __cause__, else
    __context__ unless __suppress_context__, each chained one once), a
    line between two saying how they chain."""
    if isinstance(value, SyntaxError) and getattr(value, "filename", None) in _cell_numbers and not _user_frames(
            [(f, None) for f in traceback.extract_tb(tb)]):
        # The cell did not compile: IPython's showsyntaxerror shows the
        # error alone (InteractiveShell.run_cell, SyntaxTB).
        return "\n".join(_exception_only(etype, value))
    parts = [_one_traceback(etype, value, tb, _CONTEXT, True)]
    chained, seen = _chained(value), set()
    while chained is not None:
        parts.append(["", _DIRECT_CAUSE if value.__cause__ else _DURING_HANDLING, ""])
        value = chained
        parts.append(_one_traceback(type(value), value, value.__traceback__, _CHAINED_CONTEXT, False))
        chained = _chained(value)
        if chained is not None and id(chained) in seen:
            chained = None  # a loop of causes
        elif chained is not None:
            seen.add(id(chained))
    lines = ["-" * 75]
    for part in reversed(parts):
        lines += part
    return "\n".join(lines)


def _chained(value):
    """The exception value chains (ultratb's _get_chained_exception)."""
    cause = getattr(value, "__cause__", None)
    if cause:
        return cause
    if getattr(value, "__suppress_context__", False):
        return None
    return getattr(value, "__context__", None)


def _one_traceback(etype, value, tb, context, from_cell):
    """One exception's lines (ultratb's format_exception_as_a_whole): the
    header, the frames (those of _user_frames; from_cell as there) with
    context lines of source each, the exception's line."""
    lines = ["%-42sTraceback (most recent call last)" % etype.__name__]
    walked = list(traceback.walk_tb(tb))
    codes = [frame.f_code for frame, _ in walked]
    frame_of = {frame.f_code: frame for frame, _ in walked}
    frames = _user_frames(list(zip(traceback.extract_tb(tb, limit=len(codes)), codes)), from_cell)
    if _IPYTHON == "7":
        shown = _recursion_7(etype, value, frames)
    else:
        shown = ["    [... skipping similar frames: %s]" % f if isinstance(f, str) else f
                 for f in _collapse_repeated(frames)]
    hidden = 0
    for i, f in enumerate(shown):
        # A frame whose locals set __tracebackhide__ is left out, but for
        # the last (ultratb: VerboseTB.format_exception_as_a_whole in 8.5,
        # format_records in 7.20).
        if not isinstance(f, str) and i != len(shown) - 1 and frame_of[f[1]].f_locals.get("__tracebackhide__"):
            hidden += 1
            continue
        if hidden:
            lines += ["    [... skipping hidden %d frame]" % hidden, ""]
            hidden = 0
        if isinstance(f, str):
            lines.append(f)
        else:
            f, code = f
            lines.append(_frame_header(f, code, frame_of[code]))
            lines.extend(_context_lines(f.filename, f.lineno, code, context))
        lines.append("")
    lines.extend(_exception_only(etype, value) if issubclass(etype, SyntaxError) else _exception_line(etype, value))
    return lines


def _exception_line(etype, value):
    """The line under a traceback's frames as ultratb writes it
    (VerboseTB.format_exception, 7.20 and 8.5 alike): the type's bare
    name, ": " and the value, even an empty one; no __notes__ (Python's
    own form should str fail)."""
    try:
        return ["%s: %s" % (etype.__name__, value)]
    except Exception:
        return _exception_only(etype, value)


def _exception_only(etype, value):
    """The exception's last lines, as traceback.format_exception_only
    gives them, but for a SyntaxError in a cell under IPython 8, whose
    first line names the cell as its headers do (ultratb.ListTB.
    _format_exception_only, _format_filename)."""
    lines = [l.rstrip("\n") for l in traceback.format_exception_only(etype, value)]
    name = getattr(value, "filename", None)
    if isinstance(value, SyntaxError) and _IPYTHON != "7" and name in _cell_numbers and lines:
        first = [i for i, l in enumerate(lines) if l.startswith('  File "%s"' % name)]
        if first:
            lines[first[0]] = "  Cell In [%d], line %s" % (_cell_numbers[name], value.lineno)
    return lines


def _frame_header(f, code, frame):
    """A frame's header line as the configured IPython's ultratb writes it
    (VerboseTB.format_record, without colours; a function's arguments by
    name, as include_vars off shows them):
      IPython 7: "<ipython-input-N-HASH> in <module>", "FILE in f(a, b)",
      FILE the frame's module's __file__ where it has one (fix_frame_
      records_filenames: a frozen stdlib module's source file);
      IPython 8 (8.5, Debian bookworm's): "Cell In [N], line L" and
      "File FILE:L, in f(a, b)" (_format_filename; later 8.x releases
      write "Cell In[N]"), the function by its qualified name."""
    f_locals = frame.f_locals
    if code.co_name == "<module>":
        call = "<module>" if _IPYTHON == "7" else ""
    else:
        try:
            args = inspect.formatargvalues(*inspect.getargs(code), f_locals, formatvalue=lambda v: "")
        except KeyError:
            args = "(***failed resolving arguments***)"
        name = f.name if _IPYTHON == "7" else getattr(code, "co_qualname", f.name)
        call = name + args
    if _IPYTHON == "7":
        name = frame.f_globals.get("__file__")
        if not isinstance(name, str) or f.filename.endswith((".pyx", ".pxd", ".pxi")):
            name = f.filename
        return "%s in %s" % (_compress_user(name), call)
    if f.filename in _cell_numbers:
        link = "Cell In [%d], line %d" % (_cell_numbers[f.filename], f.lineno)
    else:
        link = "File %s:%d" % (_compress_user(f.filename), f.lineno)
    return link + (", in " + call if call else "")


def _compress_user(path):
    """IPython's util.path.compress_user: the home folder as "~"."""
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home != "/" and path.startswith(home) else path


# ---- the lines around a traceback's line ---------------------------------
# Both IPython versions show 5 lines of context (ultratb's
# number_of_lines_of_context=5, a kernel's Context mode), numbered in 7
# columns, the failing line's number after an arrow (debugger.make_arrow).
# IPython 7.20 shows the 5 lines of the file around it (ultratb.
# _fixed_getinnerframes); IPython 8.5 shows stack_data's pieces (0.6.2:
# Options(before=2, after=2), FrameInfo.lines), a piece being a statement
# or what lies between two (a compound statement's header, comments).

# ultratb's number_of_lines_of_context (VerboseTB.structured_traceback);
# 8.5's get_records gives stack_data 2 pieces before and 2 after for it
# (1 and 1 for a chained exception's 3).
_CONTEXT = 5


def _context_lines(filename, lineno, code, context):
    """The source lines a frame shows under its header, as the configured
    IPython's ultratb writes them (_format_traceback_lines) for context
    lines of context (none for a file linecache cannot read: a frozen
    module's "<frozen posixpath>")."""
    lines = [l.rstrip("\r\n") for l in linecache.getlines(filename)]
    if _IPYTHON == "7":
        start = max(lineno - 1 - context // 2, 0)
        return [_numbered(i, text, i == lineno) for i, text in enumerate(lines[start:start + context], start + 1)]
    try:
        shown, text_of = _shown_pieces(filename, lines, lineno, code, context)
    except Exception:
        return []  # stack_data found no piece for the line
    out = []
    for i in shown:
        out.append("   (...)" if i is None else _numbered(i, text_of(i), i == lineno))
    return out


def _numbered(i, text, current):
    """A source line with its number: "----> 3 x", "      2 y"
    (_format_traceback_lines, debugger.make_arrow)."""
    if not current:
        return "%7d %s" % (i, text)
    pad = 7 - len(str(i))
    arrow = "-" * (pad - 2) + "> " if pad >= 2 else ">" * pad
    return "%s%d %s" % (arrow, i, text)


def _shown_pieces(filename, lines, lineno, code, context):
    """IPython 8.5's lines of a frame (stack_data FrameInfo.lines with
    ultratb's options): the line numbers (None for a gap, "(...)") and a
    function giving each one's text. The pieces of the frame's scope (the
    function, class or module whose statement runs) are cut as
    Source.pieces cuts them; shown are the executing piece and, for 5
    lines of context, 2 before and 2 after (1 and 1 for 3); another piece longer than 6 lines keeps its first 3 and last
    2 (max_lines_per_piece, utils.truncate); blank lines between pieces
    are left out (BlankLines.HIDDEN)."""
    tree, pieces = _source_pieces(filename, "\n".join(lines))
    scope = _frame_scope(tree, lineno, code) if tree is not None else None
    if scope is not None and not isinstance(scope, ast.Module):
        first, end = _line_range(scope)
        pieces = [p for p in pieces if first <= p[0] and p[1] <= end]
    pos = next(i for i, p in enumerate(pieces) if p[0] <= lineno < p[1])
    shown = []
    after = (context - 1) // 2  # VerboseTB.get_records
    before = context - 1 - after
    for p in pieces[max(0, pos - before):pos + 1 + after]:
        numbers = list(range(*p))
        if p != pieces[pos] and len(numbers) > 6:
            numbers = numbers[:3] + [None] + numbers[-2:]
        shown += numbers
    real = [lines[i - 1] for i in shown if i is not None]
    indent = len(real[0]) - len(textwrap.dedent("\n".join(real)).splitlines()[0])
    return shown, lambda i: _scope_text(lines, scope, i).replace(lines[i - 1][:indent], "", 1)


def _scope_text(lines, scope, i):
    """Line i as a kernel's coloured traceback takes it from the scope's
    text (stack_data's _pygmented_scope_lines: asttokens get_text(scope),
    padded): a function or class on one line starts at its first
    decorator's or its own column, and the scope ends where its last
    statement ends."""
    text = lines[i - 1]
    if scope is None or isinstance(scope, ast.Module):
        return text
    last = _last_stmt(scope)
    if i == last.end_lineno:
        text = _upto(text, last.end_col_offset)
    start = (scope.decorator_list or [scope])[0]
    if i == start.lineno and last.lineno == scope.lineno:
        text = text[len(_upto(lines[i - 1], start.col_offset)):]
    return text


def _upto(line, byte_offset):
    """line up to an AST column, a UTF-8 byte offset."""
    return line.encode("utf-8")[:byte_offset].decode("utf-8", "replace")


_PIECES = {}


def _source_pieces(filename, text):
    """A source's tree and pieces (stack_data Source.pieces: each
    statement's lines and what lies between them, overlapping ones
    joined, blank lines at either end left out); one line a piece where
    the source does not parse."""
    key = (filename, text)
    if key not in _PIECES:
        lines = text.split("\n")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            _PIECES[key] = None, [(i, i + 1) for i in range(1, len(lines) + 1)]
            return _PIECES[key]
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                child.parent = node
        raw = [p for p in _split_pieces(tree, 1, len(lines) + 1) if p[1] > p[0]]
        joined = raw[:1]
        for start, end in raw[1:]:
            if start < joined[-1][1]:
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        pieces = []
        blank = lambda i: 1 <= i <= len(lines) and not lines[i - 1].strip()
        for start, end in joined:
            while blank(start):
                start += 1
            while blank(end - 1):
                end -= 1
            if start < end:
                pieces.append((start, end))
        _PIECES[key] = tree, pieces
    return _PIECES[key]


def _split_pieces(stmt, start, end):
    """stack_data's Source._raw_split_into_pieces."""
    for _, body in ast.iter_fields(stmt):
        if not (isinstance(body, list) and body and isinstance(body[0], _BLOCK)):
            continue
        groups = {}
        for sub in body:
            groups.setdefault(_line_range(sub), []).append(sub)
        for rang, group in sorted(groups.items()):
            for inner_start, inner_end in _split_pieces(group[0], *rang):
                if start < inner_start:
                    yield start, inner_start
                if inner_start < inner_end:
                    yield inner_start, inner_end
                start = inner_end
    yield start, end


_BLOCK = (ast.stmt, ast.ExceptHandler) + ((ast.match_case,) if hasattr(ast, "match_case") else ())


def _line_range(node):
    """The half-open range of a statement's lines, its decorators included
    (stack_data utils.line_range with asttokens' ASTText)."""
    if hasattr(ast, "match_case") and isinstance(node, ast.match_case):
        return _line_range(node.pattern)[0], _line_range(node.body[-1])[1]
    start = (getattr(node, "decorator_list", None) or [node])[0]
    return start.lineno, _last_stmt(node).end_lineno + 1


def _last_stmt(node):
    """asttokens util.last_stmt: the last statement within node."""
    children = [c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCK)]
    return _last_stmt(children[-1]) if children else node


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)


def _frame_scope(tree, lineno, code):
    """The innermost function, class or module around the statement the
    frame runs at lineno (stack_data FrameInfo.scope; executing's
    statements_at_line, among them the one in the frame's own code)."""
    scopes = []
    for node in ast.walk(tree):
        if not hasattr(node, "lineno"):
            continue
        span = range(node.lineno, node.end_lineno + 1) if isinstance(node, ast.expr) else (node.lineno,)
        if lineno not in span:
            continue
        while not isinstance(node, ast.stmt):
            node = node.parent
        node = node.parent
        while not isinstance(node, _SCOPES):
            node = node.parent
        scopes.append(node)
    for s in scopes:
        if isinstance(s, ast.Module) and code.co_name == "<module>":
            return s
        if not isinstance(s, ast.Module) and s.name == code.co_name and _line_range(s)[0] == code.co_firstlineno:
            return s
    return scopes[0] if scopes else None


# The configured IPython's major version, "8" or "7" (main sets it from
# the command line).
_IPYTHON = "8"

# The file name of each cell run, and its execution count (_cell_file).
_cell_numbers = {}


def _cell_file(code, n):
    """The file name of cell n's code: under IPython 7 its own,
    "<ipython-input-N-HASH>" (IPython/core/compilerop.py, code_name: HASH
    the first 12 hex digits of the sha1 of the transformed code, as
    CachingCompiler.cache names it), else labrun's "<cell-N>", which the
    headers of IPython 8 do not show (_frame_header). N is the cell's
    execution count: its number among the lesson's code cells, from 1."""
    if _IPYTHON == "7":
        name = "<ipython-input-%d-%s>" % (n, hashlib.sha1(code.encode("utf-8")).hexdigest()[:12])
    else:
        name = "<cell-%d>" % n
    _cell_numbers[name] = n
    return name


def _run_source(src, n):
    """Run a cell's source as cell number n (0: a run_cell of the lesson's
    Python)."""
    code = _transform(src)
    filename = _cell_file(code, n)
    # Let tracebacks show the cell's lines, as IPython's do.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code, filename=filename, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), _user_ns)
    if last is not None:
        value = eval(compile(last, filename, "eval"), _user_ns)
        if value is not None:
            _user_ns["_"] = value
            _flush_all()
            _display(value)


def _system_exit(e):
    """Show a SystemExit as IPython's run_code does: the exception only
    (labrun adds the "To exit" warning that follows it, once a lesson, as
    it does after a magic's exit: runner/ipython.go, exitWarned); the
    worker goes on. A code other than 0 or None (an exit status of 1 or
    more for Python) fails the cell."""
    _flush_all()
    text = "An exception has occurred, use %tb to see the full traceback.\n\n" + \
        "".join(traceback.format_exception_only(SystemExit, e)).rstrip("\n")
    _event("error", ename="SystemExit", evalue=str(e), traceback=text, fails=e.code not in (None, 0))


# The lines of the configured IPython that warn from the lesson's Python,
# by what they warn of ("html_iframe": runner/ipython.go, ipythonPlaces),
# as (file, line); main sets them from the command line. A warning without
# a place is not one of that version's.
_PLACES = {}
# The warnings registry of each place's module (its __warningregistry__).
_registries = collections.defaultdict(dict)


def _ipython_warn(where, message, source, module):
    """IPython's warnings.warn(message) at its line where, through Python's
    warnings module: its filters decide (a UserWarning shows once from
    one place: once a lesson), formatwarning writes "FILE:LINE:
    UserWarning: MESSAGE" and the source line, on sys.stderr."""
    if where not in _PLACES:
        return
    filename, lineno = _PLACES[where]
    if filename not in linecache.cache:
        linecache.cache[filename] = (0, None, [""] * (lineno - 1) + [source + "\n"], filename)
    warnings.warn_explicit(message, UserWarning, filename, lineno, module=module,
                           registry=_registries[filename])


def _run_cell(msg):
    n = msg["cell"]
    try:
        _run_source(msg["code"], n + 1)
    except SystemExit as e:
        _system_exit(e)
    except UsageError as e:
        _flush_all()
        _STDERR.write("UsageError: %s\n" % e)
        _event("error", ename="UsageError", evalue=_cut(str(e)), traceback="", fails=True)
    except BaseException:
        etype, value, tb = sys.exc_info()
        _flush_all()
        _event("error", ename=etype.__name__, evalue=_cut(str(value)),
               traceback=_cut(_format_exception(etype, value, tb)), fails=True)
    _answer("done")


# _answered says whether the request being served got its final answer.
_answered = True


def _begin(seq):
    """Start serving labrun's request seq."""
    global _seq, _active, _answered
    with _io_lock:
        _seq, _active, _answered = seq, True, False


def _answer(op, **fields):
    """Send what was written, then the request's final answer (once)."""
    global _active, _answered
    with _io_lock:
        if _answered:
            return
        _flush_all()
        _answered = True
        _event(op, **fields)
        _active = False


_user_ns = {"__name__": "__main__", "__builtins__": builtins}


def _install_ipython_modules():
    ipy = types.ModuleType("IPython")
    disp = types.ModuleType("IPython.display")
    core = types.ModuleType("IPython.core")
    coredisp = types.ModuleType("IPython.core.display")
    lib = types.ModuleType("IPython.lib")
    libdisp = types.ModuleType("IPython.lib.display")
    names = {"display": display, "Markdown": Markdown, "HTML": HTML, "Latex": Latex, "Math": Math,
             "JSON": JSON, "Image": Image, "IFrame": IFrame, "YouTubeVideo": YouTubeVideo}
    for m in (disp, coredisp, libdisp):
        for k, v in names.items():
            setattr(m, k, v)
    for cls in (Markdown, HTML, Latex, Math, JSON, Image):
        cls.__module__ = "IPython.core.display"
    for cls in (IFrame, YouTubeVideo):
        cls.__module__ = "IPython.lib.display"
    ipy.display, ipy.core, ipy.lib, core.display, lib.display = disp, core, lib, coredisp, libdisp
    ipy.get_ipython = lambda: _shell
    sys.modules.update({"IPython": ipy, "IPython.display": disp, "IPython.core": core,
                        "IPython.core.display": coredisp, "IPython.lib": lib,
                        "IPython.lib.display": libdisp})


_shell = _Shell()


def main():
    global _SHOW_CAP
    global _IPYTHON
    if len(sys.argv) > 1:
        _SHOW_CAP = int(sys.argv[1])
    if len(sys.argv) > 3:
        _IPYTHON = sys.argv[2]
        _PLACES.update((k, (v["file"], v["line"])) for k, v in json.loads(sys.argv[3]).items())
    # What labrun set for the worker alone is no part of the lesson's
    # environment (runner/pyworker.go, workerEnv).
    for _k in os.environ.pop("LABRUN_WORKER_ADDED", "").split(","):
        os.environ.pop(_k, None)
    _install_ipython_modules()
    builtins.get_ipython = lambda: _shell
    builtins.display = display
    _capture_fds()
    sys.stdout, sys.stderr = _STDOUT, _STDERR
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in _PREIMPORTED:
        _user_ns[name] = sys.modules[name]
    sys.path[0] = ""  # the work dir, as in IPython: last, see the imports
    _user_ns.update({"display": display, "Markdown": Markdown, "HTML": HTML, "IFrame": IFrame,
                     "TInteractiveLauncher": TInteractiveLauncher, "get_ipython": lambda: _shell})
    _send("ready", 0)
    while True:
        try:
            msg = _recv()
        except KeyboardInterrupt:
            continue  # a late interrupt, after the cell ended
        op = msg["op"]
        if msg["seq"] in _abandoned and op in (_ANSWER[_abandoned[msg["seq"]]], "refused"):
            del _abandoned[msg["seq"]]
            continue
        if op not in ("run", "expand"):
            raise ProtocolError("labrun sent %s #%d while no request of the worker awaited an answer" % (
                op, msg["seq"]))
        _begin(msg["seq"])
        try:
            if op == "run":
                _run_cell(msg)
            else:
                _answer("expanded", text=_expand(msg["text"]))
        except KeyboardInterrupt:
            if op == "run":
                _answer("done")
            else:
                _answer("expanded", text=msg["text"])


def _classify_main():
    """For labrun's lexer agreement test: read a JSON list of cells on
    stdin, write for each the kind of every line (as lessons.PythonLines
    names them, a magic's name after it) and the known line magics, as
    JSON on stdout."""
    cells = json.load(sys.stdin)
    kinds = []
    for src in cells:
        k = ["continued"] * len(src.split("\n"))
        for first, _, _, kind, _, magic, _ in _logical_lines(src):
            k[first] = kind if magic is None else kind + " " + magic
        kinds.append(k)
    json.dump({"kinds": kinds, "magics": sorted(_Shell().magics)}, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        # The worker cannot go on: its last words go to its own stderr,
        # which labrun shows with the cell.
        os.write(_RAW_ERR, traceback.format_exc().encode("utf-8", "replace"))
        os._exit(1)
