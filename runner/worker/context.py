# labrun's Python worker (part 10 of 12, after tracebacks.py): the lines around a traceback's line.


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
