package lessons

import "strings"

// Dialect says which fences of a lesson run.
//
// In the course dialect (the default) a ```python fence is an IPython
// cell, a fence whose first line is a %%magic is that magic's cell, and
// every other fence is prose, left alone. In the native dialect
// (<!-- labrun: dialect=native -->) a fence runs only when its info
// string says so: ```python fences are prose too unless marked. In both,
// a fence with attributes (```sh run, ```c file=a.c run="gcc a.c") runs
// as they say, so a lesson may mix both.
type Dialect int

// The dialects.
const (
	CourseDialect Dialect = iota
	NativeDialect
)

// String names the dialect as the directive writes it.
func (d Dialect) String() string {
	if d == NativeDialect {
		return "native"
	}
	return "course"
}

// NotRunReason says why a fence is not a cell.
type NotRunReason int

// The reasons a fence does not run.
const (
	// NoLanguage: the fence has no info string.
	NoLanguage NotRunReason = iota
	// Prose: the fence's language does not run in the lesson's dialect.
	Prose
	// Nested: the fence is inside a list or a blockquote.
	Nested
	// ConsoleNotRun: a console block neither marked run nor under
	// console=run.
	ConsoleNotRun
)

// NotRun is a fence that is not a cell.
type NotRun struct {
	// Line is the fence's opening line; Info its info string.
	Line int
	Info string
	// Reason says why it does not run; Dialect is the lesson's.
	Reason  NotRunReason
	Dialect Dialect
}

// consoleLangs are the languages of console blocks.
var consoleLangs = map[string]bool{"console": true, "shell-session": true}

// pythonLangs are the languages of Python cells.
var pythonLangs = map[string]bool{"python": true, "python3": true, "py": true, "ipython": true, "ipython3": true}

// CourseCell says whether a top-level fence with info string info and
// body src is a code cell of a course lesson (a lesson of the course's
// dialect with no rule making console blocks run), as runs decides: how
// a course transcript's reader tells a code cell, which nbconvert puts
// two blank lines before, from a fence in a Markdown cell, which gets one.
func CourseCell(info, src string) bool {
	ok, _ := runs(&Lesson{Dialect: CourseDialect}, info, src)
	return ok
}

// runs decides whether a top-level fence with info string info and
// body src is a cell in lesson l, and why not when it is not.
func runs(l *Lesson, info, src string) (bool, NotRunReason) {
	lang, rest, _ := strings.Cut(strings.TrimSpace(info), " ")
	first, _, _ := strings.Cut(src, "\n")
	switch {
	case strings.TrimSpace(rest) != "":
		return true, 0 // attributes say how it runs (or what is wrong)
	case strings.HasPrefix(first, "%%"):
		return true, 0
	case consoleLangs[lang]:
		return l.ConsoleRun, ConsoleNotRun
	case l.Dialect == CourseDialect && (pythonLangs[lang] || isSetup(src)):
		return true, 0
	}
	return false, Prose
}
