# labrun's Python worker (part 6 of 12, after syntax.py): IPython's default aliases, automagic, and the get_ipython() shell.


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


def _leading_empty_lines(lines):
    """IPython's leading_empty_lines (inputtransformer2.py, a cleanup
    transform of TransformerManager): blank lines before the first line
    that holds something are dropped."""
    for i, line in enumerate(lines):
        if line and not line.isspace():
            return lines[i:]
    return lines


def _leading_indent(lines):
    """IPython's leading_indent (inputtransformer2.py, 7.20 and 8.5): the
    spaces and tabs the first line starts with are removed from every
    line that starts with them."""
    indent = re.match(r"[ \t]+", lines[0]) if lines else None
    if not indent:
        return lines
    space = indent.group(0)
    return [l[len(space):] if l.startswith(space) else l for l in lines]


# IPython's prompt strippers (inputtransformer2.py, PromptStripper, the
# classic_prompt and ipython_prompt cleanup transforms) as (prompt,
# initial prompt): ">>> " and "... " (the first line must hold ">>> "),
# and IPython's "In [N]: " and "...: " (8.5's also after a vi mode's
# "[nav] " or "[ins] ").
_CLASSIC_PROMPT = (re.compile(r"^(>>>|\.\.\.)( |$)"), re.compile(r"^>>>( |$)"))
_IPYTHON_PROMPTS = {
    "7": re.compile(r"^(In \[\d+\]: |\s*\.{3,}: ?)"),
    "8": re.compile(r"^(((\[nav\]|\[ins\])? )?In \[\d+\]: |\s*\.{3,}: ?)"),
}


def _strip_prompts(lines, prompt, initial):
    """PromptStripper.__call__: when the first line starts with the
    initial prompt, or the second with a prompt, the prompt is removed
    from every line that starts with it."""
    if lines and (initial.match(lines[0]) or (len(lines) > 1 and prompt.match(lines[1]))):
        return [prompt.sub("", l, count=1) for l in lines]
    return lines


def _check_tokens(lines):
    """Tokenize the cell as IPython's token transforms do first
    (inputtransformer2.py, make_tokens_by_line): a cell that ends inside
    a string or brackets is theirs to pass on (tokenize.TokenError is
    caught), but a dedent to no outer level raises tokenize's
    IndentationError (file "<tokenize>") from transform_cell."""
    try:
        for _ in tokenize.generate_tokens(iter(lines).__next__):
            pass
    except tokenize.TokenError:
        pass


def _transform(src):
    """The cell as IPython's InteractiveShell.transform_cell makes it
    (TransformerManager.transform_cell, 7.20 and 8.5): a final newline
    added, the cleanup transforms (leading blank lines and indentation,
    then >>> and In [N]: prompts removed), the token transforms
    (tokenizing first, then transform_cell), then, for a cell of one line
    only, the dynamic one (_automagic). A cell that starts with %%NAME is
    the call of that cell magic (IPython's line transform cell_magic,
    before the token transforms)."""
    if not src.endswith("\n"):
        src += "\n"
    lines = _leading_indent(_leading_empty_lines(src.splitlines(True)))
    lines = _strip_prompts(lines, *_CLASSIC_PROMPT)
    prompt = _IPYTHON_PROMPTS.get(_IPYTHON, _IPYTHON_PROMPTS["8"])
    lines = _strip_prompts(lines, prompt, prompt)
    if lines and lines[0].startswith("%%") and not re.match(r"%%\w+\?", lines[0]):
        # IPython's cell_magic, its line transform: the cell becomes the
        # call of its magic, the magic's line and the body its arguments.
        name, _, first = lines[0][2:].rstrip().partition(" ")
        return "get_ipython().run_cell_magic(%r, %r, %r)\n" % (name, first, "".join(lines[1:]))
    _check_tokens(lines)
    code = transform_cell("".join(lines))
    if not code.endswith("\n"):
        code += "\n"
    if len(code.splitlines()) == 1:
        code = _automagic(code.rstrip("\n")) + "\n"
    return code


class _Shell:
    """get_ipython(): system, getoutput, run_cell and the line magics."""

    def __init__(self):
        self.user_ns = _user_ns
        self.magics = {"p": _p, "MD": _md, "bash_async": _bash_async, "pwd": _pwd, "env": _env,
                       "time": _time, "timeit": _timeit}
        for name in _ALIASES:
            self.magics[name] = _alias_magic(name)
        self.cell_magics = {"time": _time, "timeit": _timeit}
        for name in ("bash", "sh", "script"):
            self.cell_magics[name] = _script_magic(name)

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
        """InteractiveShell.run_line_magic: the line expanded ({x}, $x)
        unless the magic opted out, the caller's locals given to a magic
        that needs them."""
        fn = self.magics.get(name)
        if fn is None:
            raise NameError("unknown line magic %%%s" % name)
        scope = sys._getframe(_stack_depth).f_locals
        if not getattr(fn, "no_var_expand", False):
            line = _expand(line, scope)
        if getattr(fn, "needs_local_scope", False):
            return fn(line, local_ns=scope)
        return fn(line)

    def run_cell_magic(self, name, line, cell):
        """InteractiveShell.run_cell_magic: a cell magic with its line
        (expanded unless the magic opted out) and its body; a magic that
        needs the local scope gets the namespace."""
        fn = self.cell_magics.get(name)
        if fn is None:
            extra = "" if name not in self.magics else (
                " (But line magic `%{0}` exists, did you mean that instead?)".format(name))
            raise UsageError("Cell magic `%%{0}` not found{1}.".format(name, extra))
        if cell == "":
            message = "%%{0} is a cell magic, but the cell body is empty.".format(name)
            if name in self.magics:
                message += " Did you mean the line magic %{0} (single %)?".format(name)
            raise UsageError(message)
        if not getattr(fn, "no_var_expand", False):
            line = _expand(line, sys._getframe(1).f_locals)
        if getattr(fn, "needs_local_scope", False):
            return fn(line, cell, local_ns=_user_ns)
        return fn(line, cell)

    def run_cell(self, src, store_history=False, silent=False, shell_futures=True):
        _run_source(src, 0)

    def ev(self, expr):
        return eval(expr, _user_ns)

    def ex(self, cmd):
        exec(cmd, _user_ns)
