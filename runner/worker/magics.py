# labrun's Python worker (part 8 of 12, after launcher.py): the cell magics labrun runs itself (%%bash, %%sh, %%script) and IPython's timing magics (%time, %%time, %timeit, %%timeit).


# ---- the script magics -----------------------------------------------------
# labrun runs a %%bash, %%sh or %%script cell's script itself (runner/
# script.go), then asks the worker to take the cell as IPython did (the
# "magic" request): its transformed source get_ipython().run_cell_magic(
# NAME, LINE, BODY) stored in the history and run, the script magic
# raising what IPython 8.5's ScriptMagics.shebang raises for the script's
# exit status (IPython/core/magics/script.py): CalledProcessError(rc,
# cell), cell the body as UTF-8 bytes, rc the status or -N for a death by
# signal N.

# The script cell being run (_run_magic_cell): (status, raise); None
# outside one.
_script_outcome = None

# IPython's own frames that a script magic's error shows below the cell's,
# by name ("cell_magic", "named_script", "script_raise": runner/
# ipython.go, ipythonPlaces): main sets them from the command line.
_FRAMES = {}


def _script_magic(name):
    """The cell magic %%name of IPython's script magics: %%script is
    ScriptMagics.shebang, %%bash and %%sh the named_script_magic that
    calls it, whose frame shows between run_cell_magic's and shebang's."""
    frames = ("cell_magic", "script_raise") if name == "script" else ("cell_magic", "named_script", "script_raise")

    def magic(line, cell):
        if _script_outcome is None:
            raise UsageError("labrun runs %%%%%s cells itself, not from Python" % name)
        status, raises = _script_outcome
        if raises and status != 0:
            e = subprocess.CalledProcessError(status, cell.encode("utf8", "replace"))
            e._ipython_frames = frames
            raise e
    return magic


def _run_magic_cell(msg):
    """Serve a "magic" request: the script cell labrun ran, run as IPython
    runs its transformed source, its outcome given."""
    global _script_outcome
    _script_outcome = (msg["status"], msg["raise"])
    try:
        _run_cell(msg)
    finally:
        _script_outcome = None


def _ipython_frame(f):
    """One of IPython's own frames (_FRAMES) as IPython 8.5's ultratb
    writes it: "File FILE:LINE, in NAME", then its lines, numbered."""
    head = "File %s:%d, in %s" % (_compress_user(f["file"]), f["line"], f["name"])
    return [head] + [_numbered(i, text, i == f["line"]) for i, text in enumerate(f["source"], f["first"])]


# ---- the timing magics -----------------------------------------------------
# IPython 8.5's ExecutionMagics.time and .timeit (IPython/core/magics/
# execution.py). IPython 7's differ where noted (TimeitResult's loops);
# elsewhere labrun knows of no difference (no 7 source is at hand).


def _arg_split(s, posix=False, strict=True):
    """IPython's arg_split (IPython/utils/_process_common.py): shlex,
    splitting at blanks only, no comments; not strict, an unclosed quote
    leaves the rest as the last word."""
    lex = shlex.shlex(s, posix=posix)
    lex.whitespace_split = True
    lex.commenters = ""
    tokens = []
    while True:
        try:
            tokens.append(next(lex))
        except StopIteration:
            break
        except ValueError:
            if strict:
                raise
            tokens.append(lex.token)
            break
    return tokens


def _parse_options(arg_str, opt_str):
    """Magics.parse_options as %timeit calls it (posix=False,
    strict=False, preserve_non_opts=True): getopt's options as a dict, and
    the argument string with each option and its value taken out once."""
    arg_str = " " + arg_str
    odict, rest = {}, arg_str
    if len(arg_str.split()) >= 1:
        try:
            opts, _ = getopt.getopt(_arg_split(arg_str, False, False), opt_str)
        except getopt.GetoptError as e:
            raise UsageError('%s ( allowed: "%s" )' % (e.msg, opt_str))
        for o, a in opts:
            rest = rest.replace(o, "", 1).replace(a, "", 1)
            odict[o[1:]] = a
    return odict, rest.lstrip()


def _format_time(timespan, precision=3):
    """IPython's _format_time: a minute or more as "1min 3s" (days, hours,
    minutes, whole seconds); else PRECISION significant digits in s, ms, µs
    or ns."""
    if timespan >= 60.0:
        parts = [("d", 60 * 60 * 24), ("h", 60 * 60), ("min", 60), ("s", 1)]
        out, leftover = [], timespan
        for suffix, length in parts:
            value = int(leftover / length)
            if value > 0:
                leftover = leftover % length
                out.append("%s%s" % (value, suffix))
            if leftover < 1:
                break
        return " ".join(out)
    units = ["s", "ms", "\xb5s", "ns"]  # sys.stdout's encoding is UTF-8: µ
    scaling = [1, 1e3, 1e6, 1e9]
    order = min(-int(math.floor(math.log10(timespan)) // 3), 3) if timespan > 0.0 else 3
    return "%.*g %s" % (precision, timespan * scaling[order], units[order])


def _cpu_times():
    """IPython's clock2: the process's user and system CPU times."""
    return resource.getrusage(resource.RUSAGE_SELF)[:2]


def _clock():
    """IPython's clock: user plus system CPU time."""
    u, s = _cpu_times()
    return u + s


def _time(line="", cell=None, local_ns=None):
    """%time and %%time: run the statement or the cell once and print its
    CPU and wall times; the value of an expression (or of a cell's last
    one) is the magic's. An exception is shown as IPython's showtraceback
    shows one, and the cell goes on (it does not fail: the magic
    returned)."""
    if line and cell:
        raise UsageError("Can't use statement directly after '%%time'!")
    expr = _transform(cell if cell else line)
    t0 = _clock()
    expr_ast = _ast_parse(expr)
    tp = _clock() - t0
    expr_val = None
    if len(expr_ast.body) == 1 and isinstance(expr_ast.body[0], ast.Expr):
        mode, source = "eval", "<timed eval>"
        expr_ast = ast.Expression(expr_ast.body[0].value)
    else:
        mode, source = "exec", "<timed exec>"
        if len(expr_ast.body) > 1 and isinstance(expr_ast.body[-1], ast.Expr):
            expr_val = ast.Expression(expr_ast.body[-1].value)
            expr_ast = ast.Module(expr_ast.body[:-1], [])
    t0 = _clock()
    code = _compiler(expr_ast, source, mode)
    tc = _clock() - t0
    glob = _user_ns
    wall_st = time.time()
    st = _cpu_times()
    try:
        if mode == "eval":
            out = eval(code, glob, local_ns)
        else:
            exec(code, glob, local_ns)
            out = None
            if expr_val is not None:
                out = eval(_compiler(expr_val, source, "eval"), glob, local_ns)
    except Exception:
        _show_traceback()
        return None
    end = _cpu_times()
    wall_time = time.time() - wall_st
    cpu_user, cpu_sys = end[0] - st[0], end[1] - st[1]
    print("CPU times: user %s, sys: %s, total: %s" % (
        _format_time(cpu_user), _format_time(cpu_sys), _format_time(cpu_user + cpu_sys)))
    print("Wall time: %s" % _format_time(wall_time))
    if tc > 0.1:
        print("Compiler : %s" % _format_time(tc))
    if tp > 0.1:
        print("Parser   : %s" % _format_time(tp))
    return out


def _show_traceback():
    """InteractiveShell.showtraceback from within a magic: the exception
    being handled shown as a cell's, from the frame below the magic's on
    (the shell's InteractiveTB has tb_offset 1: "File <timed eval>:1",
    then what it called), and the cell goes on."""
    etype, value, tb = sys.exc_info()
    _flush_all()
    _event("error", ename=etype.__name__, evalue=_cut(str(value)),
           traceback=_cut(_format_exception(etype, value, tb.tb_next, from_cell=False)), fails=False)


class TimeitResult(object):
    """IPython's TimeitResult, what %timeit -o gives: the loops and runs,
    the best and worst time a loop, each run's time, the compile time;
    shown as "<TimeitResult : MEAN ± STD per loop (...)>"."""

    def __init__(self, loops, repeat, best, worst, all_runs, compile_time, precision):
        self.loops = loops
        self.repeat = repeat
        self.best = best
        self.worst = worst
        self.all_runs = all_runs
        self.compile_time = compile_time
        self._precision = precision
        self.timings = [dt / self.loops for dt in all_runs]

    @property
    def average(self):
        return math.fsum(self.timings) / len(self.timings)

    @property
    def stdev(self):
        mean = self.average
        return (math.fsum([(x - mean) ** 2 for x in self.timings]) / len(self.timings)) ** 0.5

    def __str__(self):
        # IPython 8.0 put a comma between thousands of loops (whatsnew
        # version8.rst: "%/%%timeit magic now adds a comma every
        # thousands", PR 13379); 7's wrote the number alone.
        loops = "{:,}".format(self.loops) if _IPYTHON != "7" else str(self.loops)
        return "{mean} {pm} {std} per loop (mean {pm} std. dev. of {runs} run{run_plural}, {loops} loop{loop_plural} each)".format(
            pm="\xb1", runs=self.repeat, loops=loops,
            loop_plural="" if self.loops == 1 else "s", run_plural="" if self.repeat == 1 else "s",
            mean=_format_time(self.average, self._precision), std=_format_time(self.stdev, self._precision))

    def _repr_pretty_(self, p, cycle):
        p.text("<TimeitResult : " + self.__str__() + ">")


TimeitResult.__module__ = "IPython.core.magics.execution"


class _Timer(timeit.Timer):
    """IPython's Timer: timeit.Timer running the inner function IPython
    compiled (the statement in the lesson's namespace), the garbage
    collector off while it runs."""

    def timeit(self, number=timeit.default_number):
        it = itertools.repeat(None, number)
        gcold = gc.isenabled()
        gc.disable()
        try:
            return self.inner(it, self.timer)
        finally:
            if gcold:
                gc.enable()


# IPython's template of the timed function (timeit.template as an AST):
# setup once, then the statement in a loop, the time of the loop returned.
_TIMEIT_TEMPLATE = ("def inner(_it, _timer):\n    setup\n    _t0 = _timer()\n"
                    "    for _i in _it:\n        stmt\n    _t1 = _timer()\n    return _t1 - _t0\n")


def _timeit_ast(setup, stmt):
    """The template with the setup and the statement filled in
    (TimeitTemplateFiller)."""
    tree = ast.parse(_TIMEIT_TEMPLATE)
    inner = tree.body[0]
    inner.body[:1] = setup.body
    loop = next(n for n in inner.body if isinstance(n, ast.For))
    loop.body = stmt.body
    return ast.fix_missing_locations(tree)


def _ast_parse(src):
    """CachingCompiler.ast_parse: the source parsed with the compiler's flags."""
    return compile(src, "<unknown>", "exec", _compiler.flags | ast.PyCF_ONLY_AST, True)


def _timeit(line="", cell=None, local_ns=None):
    """%timeit and %%timeit: time the statement (the cell, after the line's
    setup) over -r runs (7) of -n loops each (by default the first power
    of 10 whose loops take 0.2 s or more), print the mean and standard
    deviation of a loop's time (-p digits, 3), and with -o give the
    TimeitResult; -q prints nothing; -t times with time.time, -c with
    the CPU clock."""
    opts, stmt = _parse_options(line, "n:r:tcp:qo")
    if stmt == "" and cell is None:
        return None
    timefunc = timeit.default_timer
    number = int(opts.get("n", 0))
    repeat = int(opts.get("r", 7 if timeit.default_repeat < 7 else timeit.default_repeat))
    precision = int(opts.get("p", 3))
    if "t" in opts:
        timefunc = time.time
    if "c" in opts:
        timefunc = _clock
    timer = _Timer(timer=timefunc)
    if cell is None:
        setup, body = _ast_parse("pass"), _ast_parse(_transform(stmt))
    else:
        setup, body = _ast_parse(_transform(stmt)), _ast_parse(_transform(cell))
    _compiler(setup, "<magic-timeit-setup>", "exec")
    _compiler(body, "<magic-timeit-stmt>", "exec")
    tree = _timeit_ast(setup, body)
    t0 = _clock()
    code = _compiler(tree, "<magic-timeit>", "exec")
    tc = _clock() - t0
    ns, glob, conflict = {}, _user_ns, {}
    if local_ns and cell is None:
        conflict = {k: v for k, v in glob.items() if k in local_ns}
        glob.update(local_ns)
    exec(code, glob, ns)
    timer.inner = ns["inner"]
    if number == 0:
        for index in range(0, 10):
            number = 10 ** index
            if timer.timeit(number) >= 0.2:
                break
    all_runs = timer.repeat(repeat, number)
    best, worst = min(all_runs) / number, max(all_runs) / number
    result = TimeitResult(number, repeat, best, worst, all_runs, tc, precision)
    if conflict:
        glob.update(conflict)
    if "q" not in opts:
        if worst > 4 * best and best > 0 and worst > 1e-6:
            print("The slowest run took %0.2f times longer than the fastest. This could mean that an "
                  "intermediate result is being cached." % (worst / best))
        print(result)
        if tc > 0.1:
            print("Compiler time: %.2f s" % tc)
    return result if "o" in opts else None


# The timing magics: line and cell magics alike, their line not expanded
# ({x}, $x stay: @no_var_expand), given the caller's local namespace
# (@needs_local_scope).
for _fn in (_time, _timeit):
    _fn.no_var_expand = True
    _fn.needs_local_scope = True
