# labrun's Python worker: one per lesson, state kept across cells.
#
# It runs Python cells the way an IPython kernel with the course's magics
# did, but it starts no external process itself: every shell command and
# background step is a request to the Go side, which owns processes,
# timeouts and cleanup. Protocol: one JSON object a line; requests from Go
# on fd 3, events and requests to Go on fd 4.
import ast
import builtins
import json
import linecache
import os
import pprint
import re
import signal
import string
import sys
import time
import traceback
import types

_IN = os.fdopen(3, "r", encoding="utf-8", errors="surrogateescape")
_OUT = os.fdopen(4, "w", encoding="utf-8", errors="surrogateescape")


def _send(msg):
    _OUT.write(json.dumps(msg) + "\n")
    _OUT.flush()


def _recv():
    line = _IN.readline()
    if not line:
        os._exit(0)
    return json.loads(line)


def _call(op, **kw):
    """Ask the Go side to do something and wait for its answer."""
    _flush_all()
    kw["op"] = op
    _send(kw)
    while True:
        msg = _recv()
        if msg.get("op") == "reply":
            if msg.get("error"):
                raise RuntimeError(msg["error"])
            return msg


# Like ipykernel, each stream keeps what is written and sends it 0.2 s
# after its first write, or when something else is shown (a display, a
# shell step, the cell's end: stdout first, then stderr). That is what
# decides the order of stdout and stderr in the recorded lessons.
_FLUSH_INTERVAL = 0.2


class _Stream:
    """sys.stdout / sys.stderr, buffered as ipykernel's OutStream."""

    def __init__(self, name):
        self.name = name
        self.encoding = "utf-8"
        self.errors = "replace"
        self._buf = []
        self._since = None
        self._size = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            now = time.monotonic()
            _flush_due(now)
            self._buf.append(s)
            if self._since is None:
                self._since = now
            self._size += len(s)
            if self._size > (1 << 20):
                self.flush()
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._buf:
            text = "".join(self._buf)
            self._buf, self._since, self._size = [], None, 0
            for i in range(0, len(text), 1 << 16):  # bounded protocol lines
                _send({"op": "stream", "name": self.name, "text": text[i:i + (1 << 16)]})

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


def _flush_due(now):
    """Send the streams whose first pending write is 0.2 s old, oldest first."""
    due = [s for s in (sys.stdout, sys.stderr)
           if isinstance(s, _Stream) and s._since is not None and now - s._since >= _FLUSH_INTERVAL]
    for s in sorted(due, key=lambda s: s._since):
        s.flush()


def _flush_all():
    for s in (sys.stdout, sys.stderr):
        s.flush()


# ---- display ---------------------------------------------------------------


class _DisplayObject:
    mime = "text/plain"

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data is None and filename:
            with open(filename, encoding="utf-8") as f:
                data = f.read()
        self.data = "" if data is None else str(data)

    def __repr__(self):
        return "<%s.%s object>" % (type(self).__module__, type(self).__name__)


class Markdown(_DisplayObject):
    mime = "text/markdown"

    def _repr_markdown_(self):
        return self.data


class HTML(_DisplayObject):
    mime = "text/html"

    def _repr_html_(self):
        return self.data


class IFrame:
    def __init__(self, src, width, height, **kwargs):
        self.src, self.width, self.height = src, width, height

    def _repr_html_(self):
        return '<iframe width="%s" height="%s" src="%s" frameborder="0" allowfullscreen></iframe>' % (
            self.width, self.height, self.src)


def _display_event(obj):
    if hasattr(obj, "_repr_html_"):
        return {"op": "display", "mime": "text/html", "data": obj._repr_html_()}
    if hasattr(obj, "_repr_markdown_"):
        return {"op": "display", "mime": "text/markdown", "data": obj._repr_markdown_()}
    return {"op": "display", "mime": "text/plain", "data": _pretty(obj)}


def _pretty(obj):
    """The text form Jupyter shows for a value, after IPython's pretty."""
    if isinstance(obj, type):
        mod = obj.__module__
        return obj.__qualname__ if mod in ("builtins", "__builtin__") else mod + "." + obj.__qualname__
    if isinstance(obj, types.FunctionType):
        return "<function %s.%s>" % (obj.__module__, obj.__qualname__)
    if type(obj) in (list, tuple, dict, set, frozenset):
        try:
            return pprint.pformat(obj, width=79, sort_dicts=False)
        except Exception:
            pass
    return repr(obj)


def display(*objs, **kwargs):
    """IPython.display.display: show each object in the transcript."""
    _flush_all()
    for obj in objs:
        _send(_display_event(obj))


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


class _Shell:
    """get_ipython(): system, getoutput, run_cell and the line magics."""

    def __init__(self):
        self.user_ns = _user_ns
        self.magics = {"p": _p, "MD": _md, "bash_async": _bash_async}

    def var_expand(self, cmd, depth=0):
        return _expand(cmd, sys._getframe(depth + 1).f_locals)

    def system(self, cmd):
        cmd = _expand(cmd, sys._getframe(1).f_locals)
        rep = _call("system", cmd=cmd)
        _user_ns["_exit_code"] = rep.get("status", 0)
        return None

    system_piped = system_raw = system

    def getoutput(self, cmd, split=True, depth=0):
        cmd = _expand(cmd, sys._getframe(depth + 1).f_locals)
        rep = _call("getoutput", cmd=cmd)
        out = rep.get("output", "")
        return SList(out.splitlines()) if split else out

    def run_line_magic(self, name, line, _stack_depth=1):
        fn = self.magics.get(name)
        if fn is None:
            raise NameError("unknown line magic %%%s" % name)
        line = _expand(line, sys._getframe(_stack_depth).f_locals)
        return fn(line)

    def run_cell(self, src, store_history=False, silent=False, shell_futures=True):
        _run_source(src, "<cell>")

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
        self._inq = rep.get("inq", "")

    def write(self, s):
        _call("bg_write", id=self._id, data=s if isinstance(s, str) else s.decode())

    def get_pid(self):
        return self.pid

    def input_queue_path(self):
        return self._inq

    def close(self, timeout=3):
        _call("bg_close", id=self._id, timeout=float(timeout))

    @staticmethod
    def terminate_all():
        _call("bg_terminate_all")


def _bash_async(line):
    _call("bg_start", cmd=line, style="bash_async")


# ---- running cells -------------------------------------------------------


def _user_frames(frames):
    """The frames of the user's code: from the first cell frame on, without
    the worker's own frames and the library frames an interrupt may land
    in while the worker waits for labrun."""
    start = next((i for i, f in enumerate(frames) if f.filename.startswith("<cell")), 0)
    frames = frames[start:]
    while frames and (frames[-1].filename == __file__ or frames[-1].filename.startswith("<frozen")
                      or frames[-1].filename.startswith(_STDLIB)):
        frames = frames[:-1]
    return [f for f in frames if f.filename != __file__]


_STDLIB = os.path.dirname(os.__file__)


def _format_exception(etype, value, tb):
    """A traceback shaped like IPython's, without colours."""
    lines = ["-" * 75, "%-42sTraceback (most recent call last)" % etype.__name__]
    for f in _user_frames(traceback.extract_tb(tb)):
        lines.append("%s in %s" % (f.filename, f.name))
        if f.line:
            lines.append("----> %d %s" % (f.lineno, f.line))
        lines.append("")
    lines.extend(l.rstrip("\n") for l in traceback.format_exception_only(etype, value))
    return "\n".join(lines)


def _run_source(src, filename):
    code = transform_cell(src)
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
            _send(_display_event(value))


def _run_cell(msg):
    n = msg.get("cell", 0)
    ok = True
    try:
        _run_source(msg["code"], "<cell-%d>" % n)
    except SystemExit:
        pass
    except BaseException:
        ok = False
        etype, value, tb = sys.exc_info()
        _flush_all()
        _send({"op": "error", "ename": etype.__name__, "evalue": str(value),
               "traceback": _format_exception(etype, value, tb)})
    _flush_all()
    _send({"op": "done", "ok": ok})


_user_ns = {"__name__": "__main__", "__builtins__": builtins}


def _install_ipython_modules():
    ipy = types.ModuleType("IPython")
    disp = types.ModuleType("IPython.display")
    core = types.ModuleType("IPython.core")
    coredisp = types.ModuleType("IPython.core.display")
    for m in (disp, coredisp):
        m.display, m.Markdown, m.HTML, m.IFrame = display, Markdown, HTML, IFrame
    ipy.display, ipy.core, core.display = disp, core, coredisp
    ipy.get_ipython = lambda: _shell
    sys.modules.update({"IPython": ipy, "IPython.display": disp, "IPython.core": core,
                        "IPython.core.display": coredisp})


_shell = _Shell()


def main():
    _install_ipython_modules()
    builtins.get_ipython = lambda: _shell
    builtins.display = display
    sys.stdout = _Stream("stdout")
    sys.stderr = _Stream("stderr")
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path[0] = ""  # the work dir, as in IPython
    exec("import os, sys, re, signal, shutil, shlex, glob, time, random, subprocess", _user_ns)
    _user_ns.update({"display": display, "Markdown": Markdown, "HTML": HTML, "IFrame": IFrame,
                     "TInteractiveLauncher": TInteractiveLauncher, "get_ipython": lambda: _shell})
    _send({"op": "ready", "pid": os.getpid()})
    while True:
        try:
            msg = _recv()
        except KeyboardInterrupt:
            continue  # a late interrupt, after the cell ended
        op = msg.get("op")
        try:
            if op == "run":
                _run_cell(msg)
            elif op == "expand":
                _send({"op": "expanded", "text": _expand(msg["text"])})
        except KeyboardInterrupt:
            _send({"op": "done", "ok": False})


if __name__ == "__main__":
    main()


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
