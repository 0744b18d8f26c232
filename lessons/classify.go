package lessons

import (
	"fmt"
	"path"
	"strings"
)

// fileMagics maps each file-writing cell magic to its line comment.
var fileMagics = map[string]string{
	"cpp":       "//",
	"asm":       "//",
	"save_file": "#",
	"cmake":     "#",
	"makefile":  "#",
}

// classify decides a cell's kind from its first line (or from its info
// string's attributes) and checks its magic lines. A magic line the
// course's argparse refused is, in the course dialect, a warning
// (l.Warnings), the cell failing as the course's magic did; in the native
// dialect, where the author asked for strictness, an error.
func classify(name string, l *Lesson, c *Cell, errs *ErrorList) {
	warns := &l.Warnings
	if l.Dialect == NativeDialect {
		warns = errs
	}
	lang, attrs, err := splitInfo(c.Info)
	if err != nil {
		errs.add(name, c.Line, "fence info: %v", err)
		return
	}
	if len(attrs) > 0 {
		classifyNative(name, c, lang, attrs, errs)
		return
	}
	if consoleLangs[lang] {
		classifyConsole(name, c, errs)
		return
	}
	c.Body = c.Source
	first, body, _ := strings.Cut(c.Source, "\n")
	if isSetup(c.Source) {
		c.Kind = Setup
		return
	}
	if !strings.HasPrefix(first, "%%") {
		c.Kind = Python
		checkPythonLines(name, c, errs)
		return
	}
	// As IPython does: strip the line's end, split at the first space.
	magic, args, _ := strings.Cut(strings.TrimRight(strings.TrimPrefix(first, "%%"), " \t\r"), " ")
	c.Magic, c.Args, c.Body = magic, args, body
	switch {
	case fileMagics[magic] != "":
		c.Kind = File
		c.File = fileSpec(name, c, fileMagics[magic], errs, warns)
		if warns == errs {
			c.MagicExit2019 = nil // native: what the current parser refuses is an error
		}
	case magic == "writefile" || magic == "file":
		c.Kind = WriteFile
		if fname, ok := writefileName(name, c, errs); ok && checkPath(name, c.Line+1, "%%"+magic, fname, errs) {
			c.File = &FileSpec{Name: fname, Verbatim: true}
		}
	case magic == "bash" || magic == "sh":
		c.Kind, c.Shell = Script, magic
	case magic == "script":
		if prog, ok := scriptProgram(args); ok {
			c.Kind, c.Shell = Script, prog
		} else {
			errs.add(name, c.Line+1, "%%%%script %s: labrun runs %%%%script bash and %%%%script sh", strings.TrimSpace(args))
		}
	case magic == "time" || magic == "timeit":
		// IPython's timing magics time the cell's Python: the worker
		// runs the cell whole, as IPython does (its cell_magic
		// transform), the body's lines checked as a Python cell's.
		c.Kind, c.Magic, c.Args, c.Body = Python, "", "", c.Source
		checkPythonBody(name, c, errs)
	case magic == "sql" || magic == "save_cell_as_string":
		c.Kind = Skipped
	default:
		errs.add(name, c.Line+1, "unknown magic %%%%%s", magic)
	}
}

// isSetup recognizes the course's set-up one-liner cell, and the one
// labrun export generated.
func isSetup(src string) bool {
	if _, ok := generatedMagics(src); ok {
		return true
	}
	return strings.Contains(src, "get_ipython().run_cell(") &&
		(strings.Contains(src, "MAGICS_SETUP_END") || strings.HasPrefix(src, "# look at tools/set_up_magics.ipynb"))
}

// fileSpec reads the arguments and %-lines of a file cell. Arguments the
// course's save_file refused leave the cell with a MagicExit (and a
// warning), and no FileSpec; those the 2019 one refused, with a
// MagicExit2019 (current's refusals are the 2019 one's too).
func fileSpec(name string, c *Cell, comment string, errs, warns *ErrorList) *FileSpec {
	fs := &FileSpec{Comment: comment, Header: c.Args, Tabs: c.Magic == "makefile"}
	args := c.Args
	if c.Magic == "makefile" && strings.TrimSpace(args) == "" {
		args = "makefile" // makefile(): fname = fname or "makefile"
	}
	a, exit := argparseSaveFile(args, saveFileCurrent)
	_, c.MagicExit2019 = argparseSaveFile(args, saveFile2019)
	if exit != nil {
		// The course's magic printed argparse's words and raised
		// SystemExit: that is the cell's output; the lesson goes on.
		c.MagicExit = exit
		if exit.Code != 0 {
			*warns = append(*warns, &Error{Name: name, Line: c.Line + 1,
				Msg: fmt.Sprintf("%%%%%s %s: %s", c.Magic, c.Args, lastLine(exit.Text))})
		}
		return nil
	}
	fs.Name, fs.EjudgeStyle, fs.SpoilerThreshold = a.fname, a.ejudge, a.threshold
	if c.Magic == "makefile" {
		if fs.Name == "" {
			fs.Name = "makefile"
		}
		fs.Header = fs.Name
	}
	if !checkPath(name, c.Line+1, "%%"+c.Magic, fs.Name, errs) {
		return nil
	}
	lines := strings.Split(c.Source, "\n")[1:]
	for i, line := range lines {
		if !strings.HasPrefix(line, "%") {
			continue
		}
		at := c.BodyLine(i + 1)
		switch {
		case strings.HasPrefix(line, "%run "):
			fs.Commands = append(fs.Commands, Command{Run, strings.TrimSpace(line[len("%run "):]), at})
		case strings.HasPrefix(line, "%MD "):
			fs.Commands = append(fs.Commands, Command{Markdown, strings.TrimSpace(line[len("%MD "):]), at})
		case strings.HasPrefix(line, "%#") || strings.HasPrefix(line, "%//"):
			// A comment line: save_file's comment_prefix is "%" and the
			// cell's comment ("%//" in %%cpp); labrun reads either.
			text := strings.TrimPrefix(line, "%#")
			if strings.HasPrefix(line, "%//") {
				text = line[len("%//"):]
			}
			fs.Commands = append(fs.Commands, Command{Comment, strings.TrimSpace(text), at})
		default:
			word, _, _ := strings.Cut(line, " ")
			errs.add(name, at, "unknown %%%%%s subcommand %s (known: %%run CMD, %%MD TEXT, %%// or %%# comment)", c.Magic, word)
		}
	}
	return fs
}

// writefileName reads %%writefile's arguments as IPython does: split by
// splitIPythonArgs, then argparse with -a/--append and one file name, whose
// quotes go ('my file.txt' names my file.txt). A name starting with ~
// would be expanded to the home folder: refused, as outside the work dir.
func writefileName(name string, c *Cell, errs *ErrorList) (string, bool) {
	at, label := c.Line+1, "%%"+c.Magic
	argv, err := splitIPythonArgs(c.Args)
	if err != nil {
		errs.add(name, at, "%s %s: %v", label, c.Args, err)
		return "", false
	}
	var fname string
	for _, a := range argv {
		switch {
		case a == "-a" || a == "--append":
			errs.add(name, at, "%s -a (append) is not supported", label)
			return "", false
		case len(a) > 1 && a[0] == '-':
			errs.add(name, at, "%s: unknown option %s", label, a)
			return "", false
		case fname != "":
			errs.add(name, at, "%s: more than one file name (%s, %s): quote a name with spaces", label, fname, a)
			return "", false
		}
		fname = a
		if q := a[0]; (q == '"' || q == '\'') && len(a) >= 2 && a[len(a)-1] == q {
			fname = a[1 : len(a)-1]
		}
	}
	if strings.HasPrefix(fname, "~") {
		errs.add(name, at, "%s %s: a home folder path; files are written inside the work directory", label, fname)
		return "", false
	}
	return fname, true
}

// checkPath refuses a missing file name or one that leaves the work dir.
// label names where the name came from: "%%cpp" or "file=".
func checkPath(name string, line int, label, fname string, errs *ErrorList) bool {
	given := label + " " + fname
	if strings.HasSuffix(label, "=") {
		given = label + fname
	}
	switch {
	case fname == "":
		errs.add(name, line, "%s needs a file name", label)
		return false
	case path.IsAbs(fname):
		errs.add(name, line, "%s: absolute path; files are written inside the work directory", given)
		return false
	case path.Clean(fname) == ".." || strings.HasPrefix(path.Clean(fname), "../"):
		errs.add(name, line, "%s: path leaves the work directory", given)
		return false
	}
	return true
}

// checkPythonLines refuses line magics labrun does not know and cell
// magics out of place.
func checkPythonLines(name string, c *Cell, errs *ErrorList) {
	checkPythonFrom(name, c, 0, errs)
}

// checkPythonBody checks the lines of a Python cell after its cell
// magic's line (%%time) as checkPythonLines does.
func checkPythonBody(name string, c *Cell, errs *ErrorList) {
	checkPythonFrom(name, c, 1, errs)
}

// checkPythonFrom checks the lines of a Python cell from line first on.
func checkPythonFrom(name string, c *Cell, first int, errs *ErrorList) {
	lines := strings.Split(c.Source, "\n")
	for i, pl := range PythonLines(c.Source) {
		if i < first {
			continue
		}
		switch {
		case pl.Kind == PyCode && strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), "%%"):
			word, _, _ := strings.Cut(strings.TrimLeft(lines[i], " \t")[2:], " ")
			errs.add(name, c.BodyLine(i), "cell magic %%%%%s must be the first line of its cell", word)
		case pl.Kind != PyMagic && pl.Kind != PyMagicAssign, lineMagics[pl.Magic]:
		case pl.Magic == "run":
			errs.add(name, c.BodyLine(i), "%%run is only known inside a file cell (%%%%cpp FILE ...): use !CMD in a Python cell")
		default:
			errs.add(name, c.BodyLine(i), "unknown magic %%%s", pl.Magic)
		}
	}
}

// classifyNative reads a native-dialect cell (attrs.go has the grammar):
// ```c file=hello.c run="gcc hello.c && ./a.out" timeout=2s
// A cell with file= writes its body verbatim to the file, then runs each
// run= command (there may be several) as %run does; a cell with run= and
// no body only runs them; ```sh run / ```bash run feed the body to that
// shell (with file=, after writing it there: classifyRunFile); ```python run is a Python cell; ```console run a console block;
// background starts the body (or the run= commands) in the background.
func classifyNative(name string, c *Cell, lang string, attrs []attr, errs *ErrorList) {
	c.Body = c.Source
	before := len(*errs)
	a, file, runs := readAttrs(name, c, attrs, errs)
	c.Attrs = a
	shell := lang == "bash" || lang == "sh"
	hasBody := strings.TrimSpace(c.Source) != ""
	switch {
	case len(*errs) > before:
		return // the attributes said what is wrong
	case a.Background && file != "":
		errs.add(name, c.Line, "fence info: background does not go with file=: write the file in a cell of its own")
	case a.Background && hasBody && len(runs) > 0:
		errs.add(name, c.Line, "fence info: background runs the body or the run= commands, not both")
	case a.Background && hasBody && !shell:
		errs.add(name, c.Line, "fence info: a %s body cannot run in the background: use ```sh or run=CMD", lang)
	case a.Background && !hasBody && len(runs) == 0:
		errs.add(name, c.Line, "fence info: background with nothing to run: give a body or run=CMD")
	case a.Background:
		c.Kind = Background
		if !hasBody {
			cmds := make([]string, len(runs))
			for i, r := range runs {
				cmds[i] = r.Text
			}
			c.Body = strings.Join(cmds, "\n")
		}
	case consoleLangs[lang] && (a.Run || a.Skip) && file == "" && len(runs) == 0:
		classifyConsole(name, c, errs)
	case file != "" && a.Run:
		classifyRunFile(name, c, lang, file, runs, errs)
	case file != "":
		c.Kind = File
		c.File = &FileSpec{Name: file, Verbatim: true, Commands: runs}
	case len(runs) > 0 && hasBody:
		errs.add(name, c.Line, "fence info: run= without file=: the cell's body would be ignored (add file=NAME to write it)")
	case len(runs) > 0:
		c.Kind = File
		c.File = &FileSpec{Commands: runs}
	case shell:
		c.Kind, c.Shell = Script, lang
	case pythonLangs[lang] || lang == "":
		c.Kind = Python
		checkPythonLines(name, c, errs)
	case a.Skip:
		c.Kind = Skipped
	default:
		errs.add(name, c.Line, "fence info: a %s cell with attributes needs file=, run=CMD or a language that runs (sh, bash, python, console)", lang)
	}
	if a.Session != "" && c.Kind != Console && len(*errs) == before {
		errs.add(name, c.Line, "fence info: session=%s names the shell session of a console block (```console run): not of a %s cell", a.Session, lang)
	}
}

// classifyRunFile reads a fence with both run and file=: ```sh run
// file=x.sh writes the body to x.sh, then runs the body as ```sh run does
// (```bash, ```python likewise). What cannot mean both is refused: run=
// beside run (which of them runs?), a console block, a body no shell or
// Python runs.
func classifyRunFile(name string, c *Cell, lang, file string, runs []Command, errs *ErrorList) {
	switch {
	case len(runs) > 0:
		errs.add(name, c.Line, "fence info: run runs the body, run= runs commands after writing %s: give one or the other", file)
	case consoleLangs[lang]:
		errs.add(name, c.Line, "fence info: a console block does not go with file=: drop run to write %s, or file= to run the block", file)
	case lang == "bash" || lang == "sh":
		c.Kind, c.Shell = Script, lang
		c.File = &FileSpec{Name: file, Verbatim: true}
	case pythonLangs[lang] || lang == "":
		c.Kind = Python
		c.File = &FileSpec{Name: file, Verbatim: true}
		checkPythonLines(name, c, errs)
	default:
		errs.add(name, c.Line, "fence info: run runs a sh, bash or python body, not a %s one: to run a command after writing %s, give run=CMD", lang, file)
	}
}

// lastLine returns the last non-empty line of text.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return lines[len(lines)-1]
}

// IsFileMagic says whether a cell magic (without its %%) is one of the
// course's file magics: %%cpp, %%asm, %%save_file, %%cmake, %%makefile.
func IsFileMagic(magic string) bool { return fileMagics[magic] != "" }
