# labrun's Python worker (part 4 of 12, after display.py): a value's text form, as IPython's pretty printer lays it out.


# ---- IPython's pretty printer ---------------------------------------------
# A port of IPython/lib/pretty.py (8.5; 7.20 lays out alike, but for a
# function, which it shows without its signature): Wadler's printer of
# groups and breakables (PrettyPrinter, Breakable, Group, GroupQueue) that
# breaks the outermost groups first when a line would pass 79 columns, and
# RepresentationPrinter.pretty's choice of a printer for an object: one
# for its singleton (None, True, ...), else the first class of its MRO
# with a printer for the type (_type_pprinters, then the collections ones
# by name), a _repr_pretty_ method or a __repr__ of its own; else
# _default_pprint. IPython's PlainTextFormatter (IPython/core/
# formatters.py) calls it with max_width 79 and max_seq_length 1000.

_MAX_SEQ_LENGTH = 1000


class _PText:
    def __init__(self):
        self.objs, self.width = [], 0

    def output(self, stream, width):
        stream.extend(self.objs)
        return width + self.width

    def add(self, obj, width):
        self.objs.append(obj)
        self.width += width


class _PBreakable:
    def __init__(self, sep, width, printer):
        self.obj, self.width, self.printer = sep, width, printer
        self.indentation = printer.indentation
        self.group = printer.group_stack[-1]
        self.group.breakables.append(self)

    def output(self, stream, width):
        self.group.breakables.popleft()
        if self.group.want_break:
            stream.append("\n" + " " * self.indentation)
            return self.indentation
        if not self.group.breakables:
            self.printer.group_queue.remove(self.group)
        stream.append(self.obj)
        return width + self.width


class _PGroup:
    def __init__(self, depth):
        self.depth, self.breakables, self.want_break = depth, collections.deque(), False


class _PGroupQueue:
    def __init__(self, group):
        self.queue = []
        self.enq(group)

    def enq(self, group):
        while group.depth > len(self.queue) - 1:
            self.queue.append([])
        self.queue[group.depth].append(group)

    def deq(self):
        for stack in self.queue:
            for idx, group in enumerate(reversed(stack)):
                if group.breakables:
                    del stack[idx]  # as IPython: the index counts from the end
                    group.want_break = True
                    return group
            for group in stack:
                group.want_break = True
            del stack[:]
        return None

    def remove(self, group):
        try:
            self.queue[group.depth].remove(group)
        except ValueError:
            pass


class _Printer:
    """IPython's RepresentationPrinter (PrettyPrinter below it): the
    object passed to a _repr_pretty_ method as p."""

    def __init__(self, max_width=79, max_seq_length=_MAX_SEQ_LENGTH):
        self.out, self.max_width, self.max_seq_length = [], max_width, max_seq_length
        self.output_width = self.buffer_width = self.indentation = 0
        self.buffer = collections.deque()
        root = _PGroup(0)
        self.group_stack, self.group_queue = [root], _PGroupQueue(root)
        self.stack, self.verbose = [], False

    def _break_one_group(self, group):
        while group.breakables:
            x = self.buffer.popleft()
            self.output_width = x.output(self.out, self.output_width)
            self.buffer_width -= x.width
        while self.buffer and isinstance(self.buffer[0], _PText):
            x = self.buffer.popleft()
            self.output_width = x.output(self.out, self.output_width)
            self.buffer_width -= x.width

    def _break_outer_groups(self):
        while self.max_width < self.output_width + self.buffer_width:
            group = self.group_queue.deq()
            if not group:
                return
            self._break_one_group(group)

    def text(self, obj):
        width = len(obj)
        if self.buffer:
            text = self.buffer[-1]
            if not isinstance(text, _PText):
                text = _PText()
                self.buffer.append(text)
            text.add(obj, width)
            self.buffer_width += width
            self._break_outer_groups()
        else:
            self.out.append(obj)
            self.output_width += width

    def breakable(self, sep=" "):
        if self.group_stack[-1].want_break:
            self.flush()
            self.out.append("\n" + " " * self.indentation)
            self.output_width, self.buffer_width = self.indentation, 0
        else:
            self.buffer.append(_PBreakable(sep, len(sep), self))
            self.buffer_width += len(sep)
            self._break_outer_groups()

    def break_(self):
        group = self.group_queue.deq()
        if group:
            self._break_one_group(group)
        self.flush()
        self.out.append("\n" + " " * self.indentation)
        self.output_width, self.buffer_width = self.indentation, 0

    def begin_group(self, indent=0, open=""):
        if open:
            self.text(open)
        group = _PGroup(self.group_stack[-1].depth + 1)
        self.group_stack.append(group)
        self.group_queue.enq(group)
        self.indentation += indent

    def end_group(self, dedent=0, close=""):
        self.indentation -= dedent
        group = self.group_stack.pop()
        if not group.breakables:
            self.group_queue.remove(group)
        if close:
            self.text(close)

    @contextlib.contextmanager
    def group(self, indent=0, open="", close=""):
        self.begin_group(indent, open)
        try:
            yield
        finally:
            self.end_group(indent, close)

    @contextlib.contextmanager
    def indent(self, indent):
        self.indentation += indent
        try:
            yield
        finally:
            self.indentation -= indent

    def _enumerate(self, seq):
        for idx, x in enumerate(seq):
            if self.max_seq_length and idx >= self.max_seq_length:
                self.text(",")
                self.breakable()
                self.text("...")
                return
            yield idx, x

    def flush(self):
        for data in self.buffer:
            self.output_width += data.output(self.out, self.output_width)
        self.buffer.clear()
        self.buffer_width = 0

    def pretty(self, obj):
        """RepresentationPrinter.pretty."""
        obj_id = id(obj)
        cycle = obj_id in self.stack
        self.stack.append(obj_id)
        self.begin_group()
        try:
            if obj_id in _SINGLETONS:
                return _repr_pprint(obj, self, cycle)
            cls = _safe_getattr(obj, "__class__", None) or type(obj)
            for c in getattr(cls, "__mro__", (cls,)):
                printer = _TYPE_PPRINTERS.get(c) or _BY_NAME.get(
                    (_safe_getattr(c, "__module__"), _safe_getattr(c, "__name__")))
                if printer is not None:
                    return printer(obj, self, cycle)
                if "_repr_pretty_" in c.__dict__ and callable(c._repr_pretty_):
                    return c._repr_pretty_(obj, self, cycle)
                if c is not object and callable(c.__dict__.get("__repr__")):
                    return _repr_pprint(obj, self, cycle)
            return _default_pprint(obj, self, cycle)
        finally:
            self.end_group()
            self.stack.pop()


def _pretty(obj):
    """The text/plain form of a value, as PlainTextFormatter gives it."""
    p = _Printer()
    p.pretty(obj)
    p.flush()
    return "".join(p.out)


def _safe_getattr(obj, attr, default=None):
    try:
        return getattr(obj, attr, default)
    except Exception:
        return default


def _sorted_for_pprint(items):
    items = list(items)
    try:
        return sorted(items)
    except Exception:
        try:
            return sorted(items, key=str)
        except Exception:
            return items


def _default_pprint(obj, p, cycle):
    klass = _safe_getattr(obj, "__class__", None) or type(obj)
    if _safe_getattr(klass, "__repr__", None) is not object.__repr__:
        return _repr_pprint(obj, p, cycle)
    p.begin_group(1, "<")
    p.pretty(klass)
    p.text(" at 0x%x" % id(obj))
    if cycle:
        p.text(" ...")
    p.end_group(1, ">")


def _seq_pprinter(start, end):
    def inner(obj, p, cycle):
        if cycle:
            return p.text(start + "..." + end)
        p.begin_group(len(start), start)
        for idx, x in p._enumerate(obj):
            if idx:
                p.text(",")
                p.breakable()
            p.pretty(x)
        if len(obj) == 1 and isinstance(obj, tuple):
            p.text(",")
        p.end_group(len(start), end)
    return inner


def _set_pprinter(start, end):
    def inner(obj, p, cycle):
        if cycle:
            return p.text(start + "..." + end)
        if not obj:
            return p.text(type(obj).__name__ + "()")
        p.begin_group(len(start), start)
        items = obj if p.max_seq_length and len(obj) >= p.max_seq_length else _sorted_for_pprint(obj)
        for idx, x in p._enumerate(items):
            if idx:
                p.text(",")
                p.breakable()
            p.pretty(x)
        p.end_group(len(start), end)
    return inner


def _dict_pprinter(start, end):
    def inner(obj, p, cycle):
        if cycle:
            return p.text("{...}")
        p.begin_group(len(start), start)
        for idx, key in p._enumerate(obj.keys()):
            if idx:
                p.text(",")
                p.breakable()
            p.pretty(key)
            p.text(": ")
            p.pretty(obj[key])
        p.end_group(len(start), end)
    return inner


def _repr_pprint(obj, p, cycle):
    """A value's repr, its newlines as p.break_()."""
    with p.group():
        for idx, line in enumerate(repr(obj).splitlines()):
            if idx:
                p.break_()
            p.text(line)


def _type_pprint(obj, p, cycle):
    if [m for m in type(obj).__mro__ if "__repr__" in vars(m)][:1] != [type]:
        return _repr_pprint(obj, p, cycle)
    mod = _safe_getattr(obj, "__module__", None)
    try:
        name = obj.__qualname__
        if not isinstance(name, str):
            raise TypeError
    except Exception:
        name = obj.__name__ if isinstance(getattr(obj, "__name__", None), str) else "<unknown type>"
    p.text(name if mod in (None, "__builtin__", "builtins", "exceptions") else mod + "." + name)


def _function_pprint(obj, p, cycle):
    """A function with its signature (IPython 8; 7 shows none)."""
    name = _safe_getattr(obj, "__qualname__", obj.__name__)
    mod = obj.__module__
    if mod and mod not in ("__builtin__", "builtins", "exceptions"):
        name = mod + "." + name
    if _IPYTHON != "7":
        try:
            name += str(inspect.signature(obj))
        except (ValueError, TypeError):
            pass
    p.text("<function %s>" % name)


def _call_pprint(p, name, args, kwargs=()):
    """IPython's CallExpression: name(arg, ..., key=value) in a group."""
    prefix = name + "("
    with p.group(len(prefix), prefix, ")"):
        items = [(None, a) for a in args] + list(kwargs)
        for idx, (key, arg) in enumerate(items):
            if idx:
                p.text(",")
                p.breakable()
            if key is None:
                p.pretty(arg)
            else:
                with p.group(len(key) + 1, key + "="):
                    p.pretty(arg)


class _RawText:
    def __init__(self, value):
        self.value = value

    def _repr_pretty_(self, p, cycle):
        p.text(self.value)


def _exception_pprint(obj, p, cycle):
    name = getattr(obj.__class__, "__qualname__", obj.__class__.__name__)
    if obj.__class__.__module__ not in ("exceptions", "builtins"):
        name = "%s.%s" % (obj.__class__.__module__, name)
    _call_pprint(p, name, getattr(obj, "args", ()))


def _re_pattern_pprint(obj, p, cycle):
    r = repr(obj.pattern)
    args = [_RawText("r" + r.replace("\\\\", "\\"))]
    if obj.flags:
        flags = [f for f in ("TEMPLATE", "IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "UNICODE", "VERBOSE", "DEBUG")
                 if hasattr(re, f) and obj.flags & getattr(re, f)]
        args.append(_RawText("|".join("re." + f for f in flags)))
    _call_pprint(p, "re.compile", args)


def _namespace_pprint(obj, p, cycle):
    if cycle:
        return _call_pprint(p, "namespace", [_RawText("...")])
    _call_pprint(p, "namespace", [], obj.__dict__.items())


def _collection_pprint(args):
    """The printers of collections' types (defaultdict, OrderedDict, deque,
    Counter, UserList): their class's name and args(obj) as a call."""
    def inner(obj, p, cycle):
        name = obj.__class__.__name__
        if cycle:
            return _call_pprint(p, name, [_RawText("...")])
        a, kw = args(obj)
        _call_pprint(p, name, a, kw)
    return inner


def _super_pprint(obj, p, cycle):
    p.begin_group(8, "<super: ")
    p.pretty(obj.__thisclass__)
    p.text(",")
    p.breakable()
    p.pretty(obj.__self__)
    p.end_group(8, ">")


_SINGLETONS = {id(x) for x in (None, True, False, Ellipsis, NotImplemented)}
_TYPE_PPRINTERS = {
    int: _repr_pprint, float: _repr_pprint, str: _repr_pprint, bytes: _repr_pprint, range: _repr_pprint,
    slice: _repr_pprint, types.MethodType: _repr_pprint,
    tuple: _seq_pprinter("(", ")"), list: _seq_pprinter("[", "]"), dict: _dict_pprinter("{", "}"),
    set: _set_pprinter("{", "}"), frozenset: _set_pprinter("frozenset({", "})"),
    types.MappingProxyType: _dict_pprinter("mappingproxy({", "})"), type(os.environ): _dict_pprinter("environ{", "}"),
    super: _super_pprint, type(re.compile("")): _re_pattern_pprint, type: _type_pprint,
    types.FunctionType: _function_pprint, types.BuiltinFunctionType: _function_pprint,
    types.SimpleNamespace: _namespace_pprint, BaseException: _exception_pprint,
}
_BY_NAME = {
    ("collections", "defaultdict"): _collection_pprint(lambda o: ([o.default_factory, dict(o)], ())),
    ("collections", "OrderedDict"): _collection_pprint(lambda o: ([list(o.items())] if o else [], ())),
    ("collections", "deque"): _collection_pprint(
        lambda o: ([list(o)], [("maxlen", o.maxlen)] if o.maxlen is not None else ())),
    ("collections", "Counter"): _collection_pprint(lambda o: ([dict(o)] if o else [], ())),
    ("collections", "UserList"): _collection_pprint(lambda o: ([o.data], ())),
}
