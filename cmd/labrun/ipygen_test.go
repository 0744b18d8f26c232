package main

// The generator of TestIPyDiff's lessons: from a seed, a course lesson of
// Python cells of many kinds, each made of pieces chosen at random:
// prints to stdout and stderr interleaved and without a last newline
// (print, end='', sys.stdout.write, \r), the last expression's value
// (ints, floats, strings with quotes, newlines and characters past
// ASCII, bytes, None, lists, dicts, sets and tuples long or nested
// enough for IPython's pretty printer to wrap them, classes with
// __repr__ or _repr_pretty_, functions and classes themselves, numpy
// arrays where numpy is installed), a ";" that hides it, _, __, Out[N]
// and In[N], exceptions of many kinds (at top level, in functions,
// generators and lambdas, chained, raised from, assert, SyntaxError,
// IndentationError, NameError with 3.11's suggestions, sys.exit),
// warnings, !cmd with output and a failing status, x = !cmd, %%bash,
// %%sh and %%script bash cells (failing ones too, --no-raise-error),
// %env, %time, %%time, %timeit and %%timeit (with -n: the loops it would
// choose differ with the speed of the two processes), display() of
// several objects and IPython.display's Markdown and HTML.

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// ipyGen makes one lesson.
type ipyGen struct {
	r     *rand.Rand
	numpy bool // numpy is installed for the kernel's Python
	cells []string
}

// genIPyLesson returns the cells of the lesson of a seed; numpy says
// whether cells may use numpy.
func genIPyLesson(seed uint64, numpy bool) []string {
	g := &ipyGen{r: rand.New(rand.NewPCG(seed, 0x69707964)), numpy: numpy}
	n := 8 + g.r.IntN(8)
	for i := 0; i < n; i++ {
		g.cells = append(g.cells, g.cell())
	}
	return g.cells
}

// ipyLessonMarkdown lays the cells out as a course lesson: a script
// cell (%%bash, %%sh, %%script) in a ```bash fence, as nbconvert writes
// it, every other in ```python.
func ipyLessonMarkdown(seed uint64, cells []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated lesson %d\n\n", seed)
	for i, c := range cells {
		lang := "python"
		if isScriptCell(c) {
			lang = "bash"
		}
		fmt.Fprintf(&b, "Cell %d.\n\n```%s\n%s\n```\n\n", i+1, lang, c)
	}
	return []byte(b.String())
}

// isScriptCell says whether a generated cell is one of IPython's script
// magics'.
func isScriptCell(src string) bool {
	return strings.HasPrefix(src, "%%bash") || strings.HasPrefix(src, "%%sh") || strings.HasPrefix(src, "%%script")
}

func (g *ipyGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

// cell makes one cell.
func (g *ipyGen) cell() string {
	kinds := []func() string{g.prints, g.prints, g.value, g.value, g.value, g.history,
		g.exception, g.exception, g.exception, g.syntax, g.warning, g.shell, g.bash,
		g.magic, g.display, g.classes, g.exit, g.timing}
	if g.numpy {
		kinds = append(kinds, g.numpyCell)
	}
	src := kinds[g.r.IntN(len(kinds))]()
	if g.r.IntN(6) == 0 {
		// a second kind in the same cell, before it
		other := []func() string{g.prints, g.value, g.shell}[g.r.IntN(3)]()
		if !strings.HasPrefix(src, "%%") {
			src = other + "\n" + src
		}
	}
	return src
}

// ipyStrings are strings the cells print and show.
var ipyStrings = []string{
	"plain", "it's", `say "hi"`, `both ' and "`, "line1\nline2", "ünïcödé ✓ 日本", "tab\tstop",
	"", `back\slash`, "trailing space ", strings.Repeat("long text ", 12), "\x1b[31mred\x1b[0m",
	"ends with newline\n", "a\rb", "progress 10%\rprogress 100%", "\n\nblank lines\n\n",
}

// pyStr is s as a Python string literal.
func (g *ipyGen) pyStr(s string) string {
	var b strings.Builder
	q := g.pick(`"`, `'`)
	b.WriteString(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case string(r) == q:
			b.WriteString(`\` + q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0x1b:
			b.WriteString(`\x1b`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(q)
	return b.String()
}

func (g *ipyGen) str() string { return g.pyStr(g.pick(ipyStrings...)) }

// prints writes to stdout and stderr.
func (g *ipyGen) prints() string {
	lines := []string{"import sys"}
	for i := 0; i < 1+g.r.IntN(5); i++ {
		s := g.str()
		lines = append(lines, g.pick(
			"print("+s+")",
			"print("+s+", file=sys.stderr)",
			"sys.stdout.write("+s+")",
			"sys.stderr.write("+s+")",
			"print("+s+", end='')",
			"print("+s+", "+g.str()+", sep='|')",
			"print("+s+", end='', file=sys.stderr)",
			"print()",
			fmt.Sprintf("print(%d, %s, None, %d.5)", g.r.IntN(100), s, g.r.IntN(9)),
			"for i in range(3): print(i, end=' ')",
			"sys.stdout.flush()",
		))
	}
	return strings.Join(lines, "\n")
}

// literal is a Python value's source; depth bounds the nesting.
func (g *ipyGen) literal(depth int) string {
	n := g.r.IntN(14)
	if depth > 2 {
		n = g.r.IntN(6)
	}
	switch n {
	case 0:
		return fmt.Sprint(g.r.IntN(2000) - 1000)
	case 1:
		return g.pick("1.5", "0.1 + 0.2", "1e100", "-0.0", "float('nan')", "2**0.5", "1/3", "10**20", "2**100", "True", "3+4j")
	case 2, 3:
		return g.str()
	case 4:
		return g.pick("b'bytes'", `b'\x00\xff'`, `"ü".encode()`, "bytearray(b'ab')", `b"it's"`)
	case 5:
		return g.pick("None", "...", "NotImplemented", "range(5)", "len")
	case 6, 7:
		return fmt.Sprintf("list(range(%d))", g.pick1(3, 20, 30, 60))
	case 8:
		return "[" + g.items(depth) + "]"
	case 9:
		return "(" + g.items(depth) + ",)"
	case 10:
		var kv []string
		for i := 0; i < g.r.IntN(8); i++ {
			kv = append(kv, fmt.Sprintf("%s: %s", g.pick(fmt.Sprintf("'k%d'", i), fmt.Sprint(i), fmt.Sprintf("(%d, 'x')", i)), g.literal(depth+1)))
		}
		return "{" + strings.Join(kv, ", ") + "}"
	case 11:
		return g.pick("{1, 2, 3}", "set()", "set(range(40))", "frozenset({'a'})", "{'a', 'b'}", "{(1, 2), (3, 4)}")
	case 12:
		return g.pick(fmt.Sprintf("{i: str(i) * %d for i in range(%d)}", g.r.IntN(6), g.r.IntN(25)),
			fmt.Sprintf("[[i] * %d for i in range(%d)]", g.r.IntN(5), g.r.IntN(10)),
			"dict(a=[1, 2], b={'c': (3, 4)})", "[None] * 30", "['x' * 20] * 5")
	default:
		return g.pick("__import__('collections').OrderedDict(a=1, b=2)", "__import__('collections').Counter('hello')",
			"__import__('collections').defaultdict(list)", "__import__('collections').deque(range(3))",
			"type(None)", "int", "ValueError('bad')", "object", "print")
	}
}

func (g *ipyGen) pick1(xs ...int) int { return xs[g.r.IntN(len(xs))] }

func (g *ipyGen) items(depth int) string {
	var xs []string
	for i := 0; i < g.r.IntN(7); i++ {
		xs = append(xs, g.literal(depth+1))
	}
	return strings.Join(xs, ", ")
}

// value ends a cell with an expression, after assignments now and then.
func (g *ipyGen) value() string {
	var lines []string
	if g.r.IntN(3) == 0 {
		lines = append(lines, "v = "+g.literal(0))
	}
	last := g.literal(0)
	switch g.r.IntN(8) {
	case 0:
		last += ";"
	case 1:
		last = "v = " + last
	case 2:
		last += "  # a comment"
	case 3:
		last = last + ", " + g.literal(1)
	}
	return strings.Join(append(lines, last), "\n")
}

// history uses _, __, Out and In.
func (g *ipyGen) history() string {
	n := len(g.cells) + 1
	k := 1 + g.r.IntN(n)
	return g.pick("_", "__", "___", fmt.Sprintf("Out[%d]", k), fmt.Sprintf("In[%d]", k),
		"len(In)", "_i", fmt.Sprintf("_%d", k), "sorted(Out)", fmt.Sprintf("_i%d", k), "type(Out)")
}

// exception raises one of many kinds.
func (g *ipyGen) exception() string {
	msg := g.str()
	switch g.r.IntN(18) {
	case 0:
		return fmt.Sprintf("raise %s(%s)", g.pick("ValueError", "RuntimeError", "KeyError", "TypeError", "Exception", "OSError"), msg)
	case 1:
		return fmt.Sprintf("def f(x):\n    y = x * 2\n    return g(y)\n\ndef g(y):\n    # divide\n    return y / 0\n\nf(%d)", g.r.IntN(9))
	case 2:
		return fmt.Sprintf("try:\n    {}['missing']\nexcept KeyError:\n    raise ValueError(%s)", msg)
	case 3:
		return fmt.Sprintf("try:\n    int('x')\nexcept ValueError as e:\n    raise RuntimeError(%s) from e", msg)
	case 4:
		return "try:\n    1 / 0\nexcept ZeroDivisionError:\n    raise LookupError('hidden') from None"
	case 5:
		return "def gen():\n    yield 1\n    raise StopIteration('x')\n\nlist(gen())"
	case 6:
		return "f = lambda x: x[5]\nf([1, 2])"
	case 7:
		return g.pick("assert 1 == 2", "assert False, "+msg, "x = 3\nassert x < 0, f'x is {x}'")
	case 8:
		return g.pick("counter = 1\nprint(countr)", "import math\nmath.sqr(2)", "'abc'.uper()", "undefined_name_zz",
			"def h():\n    local_value = 1\n    return local_valu\nh()", "class C:\n    attr = 1\nC().atr")
	case 9:
		return g.pick("[1, 2][5]", "{'a': 1}['b']", "int('12x')", "None + 1", "len(5)", "'a' + 1", "open('/nonexistent/zz')",
			"import nonexistent_module_zz", "from os import nonexistent_zz", "float('inf') // 0", "[].pop()")
	case 10:
		return "class MyError(Exception):\n    pass\n\nraise MyError(" + msg + ")"
	case 11:
		return "def outer():\n    def inner():\n        raise ValueError('in inner')\n    inner()\n\nouter()"
	case 12:
		return "import json\njson.loads('{bad json}')"
	case 13:
		return "try:\n    raise ValueError('first')\nfinally:\n    print('finally ran')"
	case 14:
		return "def rec(n):\n    return rec(n + 1)\n\nrec(0)"
	case 15:
		return "try:\n    raise KeyError('a')\nexcept KeyError as e:\n    try:\n        raise TypeError('b')\n    except TypeError:\n        raise ValueError('c')"
	case 16:
		return "print('before')\nraise ValueError()"
	default:
		return "x = [1, 2, 3]\nfor i in range(4):\n    print(x[i])"
	}
}

// syntax is a cell that does not compile, or compiles code that does not.
func (g *ipyGen) syntax() string {
	return g.pick("print('x'", "x = (1,\ny = 2", "def f(:\n    pass", `print "x"`, "x = 1 +", "if True:\nx = 1",
		"if True:\n    x = 1\n  y = 2", "for x in range(3) print(x)", "x = [1, 2\nprint(x)", "return 5",
		"class:", "a = 'unclosed", "1 = x", "f(**)", "x === 1", "    y = 1\n    y", "eval('1 +')",
		"exec('def g(:')", "compile('x x', 'zz.py', 'exec')", "def f():\n\treturn 1\n        return 2",
		"import ast\nast.parse('(')", "x = 1\n\n\n  print(x)", "else:\n    pass")
}

// warning warns.
func (g *ipyGen) warning() string {
	return "import warnings\n" + g.pick(
		"warnings.warn('careful')",
		"warnings.warn('old', DeprecationWarning)",
		"warnings.warn('future', FutureWarning)",
		"def w():\n    warnings.warn('from w', stacklevel=2)\n\nw()",
		"def w2():\n    warnings.warn('inside w2')\n\nw2()",
		"warnings.warn(RuntimeWarning('rt'))",
		"print('out')\nwarnings.warn('after out')\nprint('more')",
		"warnings.simplefilter('ignore')\nwarnings.warn('hidden')\nwarnings.resetwarnings()")
}

// shell runs !cmd.
func (g *ipyGen) shell() string {
	return g.pick("!echo hello", "!printf 'a\\nb'", "!echo out; echo err >&2", "!exit 3", "!false",
		"!ls /nonexistent_zz", "x = !echo a b; echo c\nx", "files = !printf 'x\\ny\\n'\nfiles.s",
		"!echo {1 + 2}", "name = 'world'\n!echo $name", "!printf 'no newline'", "!for i in 1 2 3; do echo $i; done",
		"!echo 'ü ✓'", "st = !exit 2\nst", "!printf 'a\\rb\\n'")
}

// bash is a script cell: %%bash mostly, %%sh, %%script bash, and
// --no-raise-error, which keeps a failing script's CalledProcessError
// back.
func (g *ipyGen) bash() string {
	lines := []string{g.pick("%%bash", "%%bash", "%%bash", "%%sh", "%%script bash", "%%bash --no-raise-error")}
	for i := 0; i < 1+g.r.IntN(4); i++ {
		lines = append(lines, g.pick("echo out", "echo err >&2", "printf 'no newline'", "ls /nonexistent_zz",
			"x=5; echo $((x * 2))", "echo 'ü ✓'", "false", "printf 'a\\nb\\n'"))
	}
	if g.r.IntN(4) == 0 {
		lines = append(lines, g.pick("exit 3", "exit 0"))
	}
	return strings.Join(lines, "\n")
}

// magic runs a line magic.
func (g *ipyGen) magic() string {
	return g.pick("%env LABDIFF_V=abc\nimport os\nos.environ['LABDIFF_V']", "%env LABDIFF_W=1",
		"%env LABDIFF_U=x y\n%env LABDIFF_U")
}

// timing runs IPython's timing magics: the value of %time, %%time's
// last one, exceptions in the timed code, a statement on %%time's line;
// %timeit and %%timeit with -n (the loops they would choose differ with
// the speed of the two processes), -q and -o.
func (g *ipyGen) timing() string {
	switch g.r.IntN(7) {
	case 0:
		return "%time " + g.literal(1)
	case 1:
		return "%time v = " + g.literal(1) + "\nv"
	case 2:
		return "%%time\n" + g.prints()
	case 3:
		return "%%time\n" + g.value()
	case 4:
		return g.pick("%time 1/0\nprint('after')", "def f(y):\n    return y / 0\n\n%time f(1)",
			"%time undefined_name_zz", "%%time\nx = 1\n[][0]")
	case 5:
		return g.pick("%time", "%time print('hi')", "%%time x\n1", "x = %time 5\nx", "%time %time 1",
			"def g():\n    z = 7\n    %time z + 1\n    return 3\n\ng()")
	default:
		return g.pick("%timeit -n 3 -r 2 sum(range(10))", "%%timeit -n 2 -r 3 x = 1\nx + 1", "%timeit -n 2 -r 1 print('x')",
			"r = %timeit -o -q -n 5 -r 2 pass\nr.loops, r.repeat, len(r.all_runs)", "%timeit", "%timeit -n 1000 -r 2 pass")
	}
}

// display shows several objects.
func (g *ipyGen) display() string {
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("display(%s, %s)", g.literal(1), g.literal(1))
	case 1:
		return "from IPython.display import Markdown, display\ndisplay(Markdown('**bold** and `code`'))"
	case 2:
		return "from IPython.display import HTML\nHTML('<b>bold</b>')"
	case 3:
		return "from IPython.display import display, HTML, Markdown\nprint('first')\ndisplay(HTML('<i>x</i>'), Markdown('# Title'))\nprint('last')"
	case 4:
		return "display(" + g.literal(0) + ")\n" + g.literal(0)
	default:
		return "from IPython.display import Markdown\nMarkdown('a\\n\\nb')"
	}
}

// classes shows objects with their own repr.
func (g *ipyGen) classes() string {
	switch g.r.IntN(8) {
	case 0:
		return "class P:\n    def __repr__(self):\n        return 'P(1)'\n\nP()"
	case 1:
		return "class Q:\n    def _repr_pretty_(self, p, cycle):\n        p.text('Q!')\n\nQ()"
	case 2:
		return "class S:\n    def __str__(self):\n        return 'S'\n\nS()"
	case 3:
		return "class T:\n    pass\n\nT"
	case 4:
		return "def func(a, b=2, *c, **d):\n    pass\n\nfunc"
	case 5:
		return "class R:\n    def __repr__(self):\n        return 'line1\\nline2'\n\n[R(), R()]"
	case 6:
		return "class B:\n    def __repr__(self):\n        raise ValueError('no repr')\n\nB()"
	default:
		return "class H:\n    def _repr_html_(self):\n        return '<p>html</p>'\n\nH()"
	}
}

// exit calls sys.exit.
func (g *ipyGen) exit() string {
	return "import sys\n" + g.pick("sys.exit(0)", "sys.exit(3)", "sys.exit('bye')", "raise SystemExit", "sys.exit(None)")
}

// numpyCell shows numpy values.
func (g *ipyGen) numpyCell() string {
	return "import numpy as np\n" + g.pick("np.arange(30)", "np.zeros((3, 4))", "np.array([1.5, 2.25])", "np.arange(2000)",
		"np.eye(3, dtype=int)", "np.array(['a', 'bc'])", "np.float64(1) / 0", "np.int64(5)", "np.array([1, 2]) + np.array([1, 2, 3])",
		"{'a': np.arange(3)}")
}
