# labrun's Python worker (part 12 of 12, after history.py): running a cell, exits and warnings, the request loop (main).


# The configured IPython's major version, "8" or "7" (main sets it from
# the command line).
_IPYTHON = "8"

# The file name of each cell run, and its execution count (_cell_file).
_cell_numbers = {}

# How much IPython's execution count is ahead of the cell's number: a
# cell whose transform fails counts twice (InteractiveShell.
# run_cell_async, 7.20 and 8.5: "self.execution_count += 1" after showing
# the error, and again in error_before_exec).
_count_skew = 0


def _cell_file(raw, code, n):
    """The file name of cell n (raw its source, code as transformed): under
    IPython 7 "<ipython-input-N-HASH>" (IPython/core/compilerop.py,
    code_name: HASH the first 12 hex digits of the sha1 of the transformed
    code, as CachingCompiler.cache names it); under 8 ipykernel's,
    "TMPDIR/ipykernel_PID/HASH.py" (ipykernel/compiler.py, XCachingCompiler.
    get_code_name and get_file_name: HASH murmur2_x86 of the raw cell,
    seeded 0xC70F6907), which the headers of IPython 8 do not show
    (_frame_header) but a warning's first line does. N is the cell's
    execution count: its number among the lesson's code cells, from 1."""
    if _IPYTHON == "7":
        name = "<ipython-input-%d-%s>" % (n, hashlib.sha1(code.encode("utf-8")).hexdigest()[:12])
    else:
        name = os.path.join(tempfile.gettempdir(), "ipykernel_%d" % os.getpid(),
                            "%d.py" % _murmur2_x86(raw, 0xC70F6907))
    _cell_numbers[name] = n
    return name


def _murmur2_x86(data, seed):
    """ipykernel/compiler.py's murmur2_x86: MurmurHash2 (32 bits) of the
    UTF-8 bytes of data."""
    m, b = 0x5BD1E995, data.encode("utf-8")
    h = seed ^ len(b)
    end = len(b) & ~3
    for i in range(0, end, 4):
        k = int.from_bytes(b[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    if len(b) & 3:
        h ^= int.from_bytes(b[end:], "little")
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


# IPython's compiler (IPython/core/compilerop.py, CachingCompiler, a
# codeop.Compile, 7.20 and 8.5 alike): its flags are codeop's
# (PyCF_DONT_IMPLY_DEDENT, and PyCF_ALLOW_INCOMPLETE_INPUT from Python
# 3.11 on, under which an unclosed bracket at the end of a cell is
# "SyntaxError: incomplete input"), plus the __future__ features a cell
# imported, for the cells after it (codeop.Compile.__call__).
_compiler = codeop.Compile()


def _run_source(src, n):
    """Run a cell's source as cell number n (0: a run_cell of the lesson's
    Python, which stores no history), as InteractiveShell.run_cell_async
    does: the cell stored in the history (history.py), then parsed and
    compiled as IPython does: CachingCompiler.ast_parse (compile with its
    flags and PyCF_ONLY_AST, not inheriting the worker's), then each part
    through the compiler, statement by statement, the last expression's
    value to the display hook."""
    global _count_skew
    count = n + _count_skew if n else n
    # IPython's pre_execute event, before every cell (run_cell_async):
    # InteractiveShell._clear_warning_registry deletes the namespace's
    # __warningregistry__ (gh-6611), so that a warning of a cell's line
    # shows again in a later cell whose file and line are the same (the
    # same source: ipykernel names a cell's file by its hash).
    _user_ns.pop("__warningregistry__", None)
    try:
        code = _transform(src)
    except Exception:
        if n:
            _store_inputs(count, src, src)
            _count_skew += 1
        raise
    if n:
        _store_inputs(count, code, src)
    filename = _cell_file(src, code, count)
    # Let tracebacks show the cell's lines, as IPython's do.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = compile(code, filename, "exec", _compiler.flags | ast.PyCF_ONLY_AST, True)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    # Each statement compiled and run in turn (InteractiveShell.
    # run_ast_nodes, 7.20 and 8.5): one that does not compile ('return'
    # outside a function) fails after those before it ran.
    for node in tree.body:
        exec(_compiler(ast.Module([node], []), filename, "exec"), _user_ns)
    if last is not None:
        value = eval(_compiler(last, filename, "eval"), _user_ns)
        if n:
            _display_hook(value, count)
        elif value is not None:
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

# The recursion limit a kernel's cells run under, 7 and 8 alike: IPython's
# completer imports jedi (IPython/core/completer.py: "import jedi", jedi a
# dependency of IPython since 6.0), and jedi's import sets it
# (jedi/api/__init__.py: sys.setrecursionlimit(3000)); a Jupyter kernel
# of IPython 8.5 shows sys.getrecursionlimit() == 3000.
_RECURSION_LIMIT = 3000


def main():
    global _SHOW_CAP
    global _IPYTHON
    if len(sys.argv) > 1:
        _SHOW_CAP = int(sys.argv[1])
    if len(sys.argv) > 3:
        _IPYTHON = sys.argv[2]
        for k, v in json.loads(sys.argv[3]).items():
            _PLACES[k] = (v["file"], v["line"])
            if "source" in v:
                _FRAMES[k] = v
    # What labrun set for the worker alone is no part of the lesson's
    # environment (runner/pyworker.go, workerEnv).
    for _k in os.environ.pop("LABRUN_WORKER_ADDED", "").split(","):
        os.environ.pop(_k, None)
    _install_ipython_modules()
    _init_history()
    sys.setrecursionlimit(_RECURSION_LIMIT)
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
        if op not in ("run", "expand", "magic"):
            raise ProtocolError("labrun sent %s #%d while no request of the worker awaited an answer" % (
                op, msg["seq"]))
        _begin(msg["seq"])
        try:
            if op == "run":
                _run_cell(msg)
            elif op == "magic":
                _run_magic_cell(msg)
            else:
                _answer("expanded", text=_expand(msg["text"]))
        except KeyboardInterrupt:
            if op != "expand":
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
