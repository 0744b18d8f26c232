# labrun's Python worker (part 9 of 12, after magics.py): a cell's exceptions as the configured IPython shows them.


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


def _format_exception(etype, value, tb, from_cell=True):
    """A traceback shaped like IPython's, without colours (Python's own,
    should that fail); from_cell as _user_frames's for the raised
    exception's frames."""
    try:
        return _format_ipython(etype, value, tb, from_cell)
    except Exception:
        return "".join(traceback.format_exception(etype, value, tb)).rstrip("\n")


# A chained exception's frames show 3 lines of context (ultratb's
# VerboseTB.structured_traceback, lines_of_context = 3, 7.20 and 8.5
# alike), the raised one's _CONTEXT.
_CHAINED_CONTEXT = 3

_DIRECT_CAUSE = "The above exception was the direct cause of the following exception:"
_DURING_HANDLING = "During handling of the above exception, another exception occurred:"


def _format_ipython(etype, value, tb, from_cell=True):
    """The raised exception's traceback and, above it, those of the
    exceptions it chains, first the innermost (VerboseTB.
    structured_traceback, 7.20 and 8.5 alike: __cause__, else
    __context__ unless __suppress_context__, each chained one once), a
    line between two saying how they chain."""
    if isinstance(value, SyntaxError):
        return _syntax_traceback(etype, value, tb)
    parts = [_one_traceback(etype, value, tb, _CONTEXT, from_cell)]
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


# The source line of InteractiveShell.run_code's exec(...), where a cell's
# code runs (IPython/core/interactiveshell.py, 7.20 and 8.5 alike); its
# place is "run_code" in _PLACES.
_RUN_CODE_SOURCE = "exec(code_obj, self.user_global_ns, self.user_ns)"


def _syntax_traceback(etype, value, tb):
    """A SyntaxError as IPython shows it, 7.20 and 8.5 alike:
    InteractiveShell.showtraceback hands any SyntaxError to
    showsyntaxerror, which formats it with SyntaxTB, a ListTB. Raised
    while the cell ran (compile() or exec() of bad code: run_code passes
    running_compiled_code=True), it shows every frame of its traceback,
    run_code's first; a cell that did not compile shows none (run_cell's
    showsyntaxerror()). The parts ListTB.structured_traceback gives are
    joined with a newline, as Jupyter joins a traceback's list."""
    frames = [f for f, _ in _user_frames([(f, None) for f in traceback.extract_tb(tb)])]
    if frames and "run_code" in _PLACES:
        filename, lineno = _PLACES["run_code"]
        frames.insert(0, traceback.FrameSummary(filename, lineno, "run_code", lookup_line=False,
                                                line=_RUN_CODE_SOURCE))
    return "\n".join(_list_tb(etype, value, frames, set())).rstrip("\n")


def _list_tb(etype, value, frames, seen):
    """ListTB.structured_traceback (SyntaxTB's, which first takes a
    SyntaxError's line afresh from linecache): "Traceback (most recent
    call last):" and an entry a frame when there are frames, the
    exception's lines, and above them the exception it chains (its
    frames those of its own traceback) and how they chain."""
    if isinstance(value, SyntaxError) and isinstance(value.filename, str) and isinstance(value.lineno, int):
        linecache.checkcache(value.filename)
        text = linecache.getline(value.filename, value.lineno)
        if text:
            value.text = text
    out = []
    if frames:
        out.append("Traceback (most recent call last):\n")
        out.extend(_list_entry(f) for f in frames)
    out.append("".join(_list_exception_only(etype, value)))
    chained = _chained(value)
    if chained is not None and id(chained) not in seen:
        seen.add(id(chained))
        how = "\n%s\n" % (_DIRECT_CAUSE if value.__cause__ else _DURING_HANDLING)
        ctb = chained.__traceback__
        cframes = [f for f, _ in _user_frames([(f, None) for f in traceback.extract_tb(ctb)], False)] if ctb else []
        out = _list_tb(type(chained), chained, cframes, seen) + [how] + out
    return out


def _list_entry(f):
    """One frame as ListTB._format_list writes it: 7.20 '  File "FILE",
    line L, in NAME'; 8.5 "  Cell In [N], line L" or "  File FILE:L"
    (_format_filename), then " in NAME" unless at module level; the
    frame's line, stripped, under it."""
    if _IPYTHON == "7":
        item = '  File "%s", line %d, in %s\n' % (f.filename, f.lineno, f.name)
    else:
        item = "  " + _filename_link(f.filename, f.lineno)
        item += " in %s\n" % f.name if f.name != "<module>" else "\n"
    if f.line:
        item += "    %s\n" % f.line.strip()
    return item


def _filename_link(filename, lineno):
    """IPython 8.5's ultratb._format_filename: a cell "Cell In [N]", a file
    "File FILE" (the home folder as ~), and the line, if known, after
    ", line " or ":"."""
    if filename in _cell_numbers:
        link = "Cell In [%d]" % _cell_numbers[filename]
        return link if lineno is None else "%s, line %s" % (link, lineno)
    link = "File " + _compress_user(filename)
    return link if lineno is None else "%s:%s" % (link, lineno)


def _list_exception_only(etype, value):
    """ListTB._format_exception_only, 7.20 and 8.5 alike but for the file
    line: a SyntaxError's file and line (7.20 '  File "FILE", line L', 8.5
    as _filename_link, without the line when unknown), its text, stripped,
    and one caret under its offset; then "NAME: MSG" (the value's msg, or
    str of it), or the name alone when that is empty."""
    lines = []
    if issubclass(etype, SyntaxError):
        if not value.filename:
            value.filename = "<string>"
        lineno, text = "unknown", ""
        if value.lineno:
            lineno, text = value.lineno, linecache.getline(value.filename, value.lineno)
        if _IPYTHON == "7":
            lines.append('  File "%s", line %s\n' % (value.filename, lineno))
        else:
            lines.append("  %s\n" % _filename_link(value.filename, None if lineno == "unknown" else lineno))
        if text == "":
            text = value.text
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if text is not None:
            indent = len(text) - len(text.lstrip())
            lines.append("    %s\n" % text.strip())
            if value.offset is not None:
                lines.append("    %s^\n" % "".join(c if c.isspace() else " " for c in text[indent:value.offset - 1]))
    try:
        msg = value.msg
    except Exception:
        try:
            msg = str(value)
        except Exception:
            msg = "<unprintable %s object>" % type(value).__name__
    lines.append("%s: %s\n" % (etype.__name__, msg) if msg else "%s\n" % etype.__name__)
    return lines


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
    # The frames of IPython's own that labrun stands in for (a script
    # magic's: magics.py), below the cell's.
    for key in getattr(value, "_ipython_frames", ()):
        if key in _FRAMES:
            lines += _ipython_frame(_FRAMES[key]) + [""]
    lines.extend(_exception_line(etype, value))
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
    gives them (VerboseTB's own form failing)."""
    return [l.rstrip("\n") for l in traceback.format_exception_only(etype, value)]


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
