# labrun's Python worker (part 11 of 12, after context.py): the input and output history (In, Out, _, _iN) and the display hook.


# ---- history ---------------------------------------------------------------
# IPython's HistoryManager (IPython/core/history.py) and DisplayHook
# (IPython/core/displayhook.py), 7.20 and 8.5 alike: In (_ih) is the list
# of the cells' transformed sources, '' first, a cell stored before it
# runs (InteractiveShell.run_cell_async: store_inputs(execution_count,
# cell, raw_cell), the raw cell when its transform failed); Out (_oh) the
# dict of the values shown, by execution count; _, __, ___ the last three
# values shown; _i, _ii, _iii the last three raw cells, _iN and _N those of
# count N. The shell's init_user_ns puts In, Out, _ih, _oh and _dh in the
# namespace; HistoryManager's and DisplayHook's __init__ start _i*, and _*
# with ''.

_input_hist = [""]
_output_hist = {}
# DisplayHook's own _, __, ___ and HistoryManager's _i00, _i, _ii, _iii.
_unders = {"_": "", "__": "", "___": ""}
_inputs = {"_i00": "", "_i": "", "_ii": "", "_iii": ""}

# HistoryManager._exit_re: an exit or quit cell is not stored.
_EXIT_RE = re.compile(r"(exit|quit)(\s*\(.*\))?$")


def _init_history():
    """The names InteractiveShell.init_user_ns and the history's and
    display hook's __init__ give the namespace."""
    _user_ns.update({"_ih": _input_hist, "_oh": _output_hist, "_dh": [os.getcwd()],
                     "In": _input_hist, "Out": _output_hist})
    _user_ns.update(_unders)
    _user_ns.update((k, v) for k, v in _inputs.items() if k != "_i00")


def _store_inputs(count, source, raw):
    """HistoryManager.store_inputs: the cell (final newlines stripped) in
    In, and the _i variables shifted, unless the cell is an exit."""
    source, raw = source.rstrip("\n"), raw.rstrip("\n")
    if _EXIT_RE.match(raw.strip()):
        return
    _input_hist.append(source)
    _inputs["_iii"], _inputs["_ii"], _inputs["_i"], _inputs["_i00"] = \
        _inputs["_ii"], _inputs["_i"], _inputs["_i00"], raw
    _user_ns.update({"_i": _inputs["_i"], "_ii": _inputs["_ii"], "_iii": _inputs["_iii"],
                     "_i%d" % count: raw})


def _quiet():
    """DisplayHook.quiet: whether the last cell stored ends in ";" (its
    last token that is no newline, comment or end)."""
    if not _input_hist[1:]:
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(_input_hist[-1]).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    for tok in reversed(tokens):
        if tok[0] in (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            continue
        return tok[0] == tokenize.OP and tok[1] == ";"
    return False


def _display_hook(value, count):
    """DisplayHook.__call__ for a cell's last expression: nothing for None
    or a cell ending in ";"; else the value's display, after which
    update_user_ns records it: _, __ and ___ move on unless the lesson
    assigned one of them, _N and Out[N] are it."""
    if value is None or _quiet():
        return
    _flush_all()
    _display(value)
    if value is _output_hist:
        return
    update = all(_user_ns.get(u, _unders[u]) is _unders[u] for u in _unders if u in _user_ns)
    _unders["___"], _unders["__"], _unders["_"] = _unders["__"], _unders["_"], value
    if update:
        _user_ns.update(_unders)
    _user_ns["_%d" % count] = value
    _output_hist[count] = value
