# labrun's Python worker (part 5 of 9, after syntax.py): IPython's default aliases, automagic, and the get_ipython() shell.


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
