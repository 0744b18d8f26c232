package lessons

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/limits"
	"golang.org/x/sys/unix"
)

// Directives are HTML comments, invisible on every forge:
//
//	<!-- labrun: dialect=native console=run timeout=30s cpu=60 -->  lesson settings
//	<!-- labrun: cram=foo.t -->                                      run as cram runs foo.t (runner)
//	<!-- labrun: timeout 30s -->                                     the lesson's step timeout
//	<!-- labrun: wait NAME output=/REGEX/ 5s -->                     until background step NAME printed a match
//	<!-- labrun: wait port=8080 5s -->                               until something listens on TCP port 8080
//	<!-- labrun: wait file=PATH 5s -->                               until PATH exists in the work dir
//	<!-- labrun: stop NAME [SIGTERM] -->                             signal background step NAME, kill it after a grace
//	<!-- labrun: ignore-output ... -->                               check rules (checkrules.go)
//
// The older form <!-- labrun timeout=30s cpu=60 --> still sets settings.
// Their grammar is read once, by lexDirective (lexer.go); this file says
// what settings, waits and stops mean. A wait or a stop runs where it
// stands: before the next cell (or after the last one).

// DirectiveKind says what a directive does.
type DirectiveKind int

// The kinds of directive that stand in the lesson's flow.
const (
	// Wait waits until something is ready.
	Wait DirectiveKind = iota
	// Stop signals a background step and waits for its end.
	Stop
)

// WaitFor says what a wait waits for.
type WaitFor int

// The things a wait waits for.
const (
	WaitOutput WaitFor = iota
	WaitPort
	WaitFile
)

// DefaultWait bounds a wait that names no duration.
const DefaultWait = 5 * time.Second

// Directive is one wait or stop.
type Directive struct {
	Kind DirectiveKind
	// Line is its lesson line; Text what follows "labrun:", trimmed, as
	// written.
	Line int
	Text string
	// Next is the index of the cell it runs before (the number of cells
	// when it follows the last one).
	Next int
	// Name is the background step a wait on output or a stop is about.
	Name string
	// For says what a wait waits for: a match of Regexp in Name's
	// output, something listening on Port, a file at Path.
	For    WaitFor
	Regexp *regexp.Regexp
	Port   int
	Path   string
	// Timeout bounds a wait.
	Timeout time.Duration
	// Signal is what a stop sends first (default SIGTERM).
	Signal unix.Signal
}

// settingsDirective applies a directive of settings (key=value words, or
// "timeout 30s") to l; it reports false for a directive of the flow or a
// check rule.
func settingsDirective(name string, st *statement, l *Lesson, errs *ErrorList) bool {
	at, attrs := st.line, st.words
	if err := checkPairs(attrs); err != nil {
		errs.add(name, at, "labrun directive: %v", err)
		return true
	}
	if len(attrs) == 0 {
		errs.add(name, at, "labrun directive: empty")
		return true
	}
	if st.colon && attrs[0].bare {
		if attrs[0].key != "timeout" {
			return false
		}
		if len(attrs) != 2 || !attrs[1].bare {
			errs.add(name, at, "labrun directive: timeout DURATION (such as timeout 30s)")
			return true
		}
		attrs = []attr{{key: "timeout", value: attrs[1].key}}
	}
	for _, a := range attrs {
		if a.bare {
			errs.add(name, at, "labrun directive: %s: expected key=value", a.key)
			continue
		}
		isLimit, err := l.set(a.key, a.value)
		if err != nil {
			errs.add(name, at, "labrun directive: %v", err)
		} else if isLimit {
			l.LimitsLine = at
		}
	}
	return true
}

// set applies one lesson-wide setting; isLimit says it was a resource
// limit.
func (l *Lesson) set(k, v string) (isLimit bool, err error) {
	switch k {
	case "timeout":
		l.Timeout, err = parseTimeout(v)
		return false, err
	case "dialect":
		switch v {
		case "native":
			l.Dialect = NativeDialect
		case "course":
			l.Dialect = CourseDialect
		default:
			return false, fmt.Errorf("dialect=%s: want native or course", v)
		}
		return false, nil
	case "console":
		if v != "run" {
			return false, fmt.Errorf("console=%s: want console=run", v)
		}
		l.ConsoleRun = true
		return false, nil
	case "magics":
		l.Magics = v
		return false, CheckMagics(v)
	case "cram":
		if !IsCram(v) || v != filepath.Base(v) || v == CramExt {
			return false, fmt.Errorf("cram=%s: want the base name of a cram test file, such as cram=foo.t", v)
		}
		l.CramName = v
		return false, nil
	}
	if ok, err := l.Limits.Set(k, v); ok {
		return true, err
	}
	return false, fmt.Errorf("unknown setting %q (known: timeout, dialect, console, magics, cram, %s)", k, limits.Keys)
}

// flowDirective reads a wait or a stop; names are the background steps
// started so far.
func flowDirective(name string, st *statement, names map[string]bool, errs *ErrorList) *Directive {
	d := &Directive{Line: st.line, Text: st.text}
	switch st.verb() {
	case "stop":
		return stopDirective(name, d, st.args(), names, errs)
	case "wait":
		return waitDirective(name, d, st.words[1:], names, errs)
	}
	errs.add(name, st.line, "labrun directive: unknown directive %q (known: wait, stop, timeout, ignore-output, normalize, any-order, expect; settings key=value)", st.verb())
	return nil
}

// stopDirective reads the words of a stop.
func stopDirective(name string, d *Directive, args []string, names map[string]bool, errs *ErrorList) *Directive {
	bad := func(format string, args ...any) *Directive {
		errs.add(name, d.Line, "labrun directive: "+format, args...)
		return nil
	}
	d.Kind, d.Signal = Stop, unix.SIGTERM
	if len(args) == 0 || len(args) > 2 {
		return bad("stop NAME [SIGNAL]")
	}
	d.Name = args[0]
	if len(args) == 2 {
		sig := strings.ToUpper(args[1])
		if !strings.HasPrefix(sig, "SIG") {
			sig = "SIG" + sig
		}
		if d.Signal = unix.SignalNum(sig); d.Signal == 0 {
			return bad("stop %s: unknown signal %s", d.Name, args[1])
		}
	}
	if !names[d.Name] {
		return bad("stop %s: no background step named %s before this line (```sh name=%s background)", d.Name, d.Name, d.Name)
	}
	return d
}

// waitDirective reads the words of a wait.
func waitDirective(name string, d *Directive, args []attr, names map[string]bool, errs *ErrorList) *Directive {
	d.Kind, d.Timeout = Wait, DefaultWait
	bad := func(format string, args ...any) *Directive {
		errs.add(name, d.Line, "labrun directive: "+format, args...)
		return nil
	}
	const usage = "wait NAME output=/REGEX/ [5s], wait port=N [5s] or wait file=PATH [5s]"
	var what int
	for _, arg := range args {
		a, k, v, kv := arg.String(), arg.key, arg.value, !arg.bare
		switch {
		case kv && k == "output":
			if !arg.pattern {
				// a pattern in quotes: "output=/REGEX/"
				if len(v) < 2 || v[0] != '/' || v[len(v)-1] != '/' {
					return bad("wait: output=%s: write the pattern between slashes, output=/REGEX/", v)
				}
				v = v[1 : len(v)-1]
			}
			re, err := regexp.Compile(v)
			if err != nil {
				return bad("wait: output=/%s/: %v", v, err)
			}
			d.For, d.Regexp = WaitOutput, re
			what++
		case kv && k == "port":
			p, err := strconv.Atoi(v)
			if err != nil || p < 1 || p > 65535 {
				return bad("wait: port=%s: want a TCP port, 1-65535", v)
			}
			d.For, d.Port = WaitPort, p
			what++
		case kv && k == "file":
			if !checkPath(name, d.Line, "file=", v, errs) {
				return nil
			}
			d.For, d.Path = WaitFile, v
			what++
		case kv:
			return bad("wait: unknown %s= (%s)", k, usage)
		default:
			if t, err := time.ParseDuration(a); err == nil {
				if t <= 0 {
					return bad("wait: %s: want a positive duration", a)
				}
				d.Timeout = t
				continue
			}
			if d.Name != "" {
				return bad("wait: %q: not a duration such as 5s (%s)", a, usage)
			}
			d.Name = a
		}
	}
	switch {
	case what != 1:
		return bad("wait: say what to wait for, once: %s", usage)
	case d.For == WaitOutput && d.Name == "":
		return bad("wait output=: name the background step: wait NAME output=/REGEX/")
	case d.For != WaitOutput && d.Name != "":
		return bad("wait %s: a name goes with output=/REGEX/ only", d.Name)
	case d.Name != "" && !names[d.Name]:
		return bad("wait %s: no background step named %s before this line (```sh name=%s background)", d.Name, d.Name, d.Name)
	}
	return d
}
