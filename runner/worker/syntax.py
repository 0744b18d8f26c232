# labrun's Python worker (part 5 of 12, after pretty.py): IPython's syntax: {expr}/$name expansion, SList, the cell transforms.


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
