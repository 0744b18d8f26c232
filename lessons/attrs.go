package lessons

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The fence-attribute grammar: words split at blanks as a shell splits
// them (splitShell, words_shell.go), each word either key=value or a bare
// word:
//
//	```c file=hello.c run="gcc hello.c -o hello" run=./hello timeout=2s
//	```sh run stdin="hello" cwd=sub env="LANG=C TZ=UTC" no-pty
//	```sh name=server background
//	```python run expect=fail
//	```console run
//	```console run session=server no-pty
//	```text skip

// attr is one attribute as written: key=value, or a bare word (value
// empty, bare set); in a directive, a KEY=/REGEX/ token (pattern set,
// value the regular expression between the slashes as written).
type attr struct {
	key, value    string
	bare, pattern bool
}

// String returns the attribute as written, but for quotes.
func (a attr) String() string {
	switch {
	case a.bare:
		return a.key
	case a.pattern:
		return a.key + "=/" + a.value + "/"
	}
	return a.key + "=" + a.value
}

// Attrs are the attributes of a native fence, read and checked.
type Attrs struct {
	// Run is set by the bare word run: the fence runs in its language.
	Run bool
	// Stdin, when set, is fed to the cell's steps on a pipe (stdin=).
	Stdin *string
	// Cwd is the folder, relative to the work dir, the steps run in
	// (cwd=); "" is the work dir.
	Cwd string
	// Env are K=V pairs added to the steps' environment (env="K=V K2=V2").
	Env []string
	// Pty, when set, says whether steps run under a pseudo-terminal (pty,
	// no-pty); unset keeps each kind's default (run= commands: a pty;
	// scripts: pipes).
	Pty *bool
	// Skip: the cell is shown, not run (skip).
	Skip bool
	// Name names a background step (name=), for wait and stop.
	Name string
	// Session names the shell session a console block runs in
	// (session=); "" is the lesson's default session (lessons.Cell's
	// ConsoleSession).
	Session string
	// Background starts the cell's command in the background (background).
	Background bool
	// Expect is how the cell is expected to end (expect=); nil is the
	// default: exit 0 (a console block expects nothing).
	Expect *Expect
}

// ExpectKind says what ending a cell expects.
type ExpectKind int

// The expectations a cell may state. A cell's exit status is its last
// step's, as a shell script's is its last command's (0 when it ran no
// step); transcript.Ending.Meets is what each means, for a fence's expect=
// and a check rule's expect alike.
const (
	// ExpectExit: the cell ends by itself, without failing, its last step
	// exiting with Expect.Code (exit:N; the default is exit 0).
	ExpectExit ExpectKind = iota
	// ExpectInterrupted: the cell is interrupted (timeout or stuck).
	ExpectInterrupted
	// ExpectFail: the cell fails (a non-zero exit, an exception).
	ExpectFail
)

// Expect is how a cell is expected to end.
type Expect struct {
	Kind ExpectKind
	// Code is the exit status of ExpectExit.
	Code int
}

// String returns the expectation as written: "exit:0", "interrupted",
// "fail".
func (e Expect) String() string {
	switch e.Kind {
	case ExpectInterrupted:
		return "interrupted"
	case ExpectFail:
		return "fail"
	}
	return "exit:" + strconv.Itoa(e.Code)
}

// parseExpect reads an expectation, the one spelling of a fence's
// expect= and a check rule's expect: exit:N, interrupted or fail;
// exit=N, the check rule's older spelling, is exit:N.
func parseExpect(v string) (Expect, error) {
	switch v {
	case "interrupted":
		return Expect{Kind: ExpectInterrupted}, nil
	case "fail":
		return Expect{Kind: ExpectFail}, nil
	}
	n, ok := strings.CutPrefix(v, "exit:")
	if !ok {
		n, ok = strings.CutPrefix(v, "exit=")
	}
	if ok {
		code, err := strconv.Atoi(n)
		if err == nil && code >= 0 && code <= 255 {
			return Expect{Kind: ExpectExit, Code: code}, nil
		}
	}
	return Expect{}, fmt.Errorf("%s: want exit:N (0-255), interrupted or fail", v)
}

// attrKeys are the known key=value attributes; bareWords the known bare
// words.
var (
	attrKeys  = map[string]bool{"file": true, "run": true, "timeout": true, "stdin": true, "cwd": true, "env": true, "name": true, "expect": true, "session": true}
	bareWords = map[string]bool{"run": true, "pty": true, "no-pty": true, "skip": true, "background": true}
)

const knownAttrs = "file=, run=, run, timeout=, stdin=, cwd=, env=, pty, no-pty, skip, name=, background, expect=, session="

// parseAttrs reads the attributes of a fence: key=value words and bare
// words, in order, checked by checkPairs.
func parseAttrs(s string) ([]attr, error) {
	words, err := splitShell(s)
	if err != nil {
		return nil, err
	}
	var attrs []attr
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			attrs = append(attrs, attr{key: k, value: v})
		} else {
			attrs = append(attrs, attr{key: w, bare: true})
		}
	}
	return attrs, checkPairs(attrs)
}

// checkPairs refuses a key=value word without a key, and a key given
// twice (but run=, which a cell may give several times).
func checkPairs(attrs []attr) error {
	seen := map[string]bool{}
	for _, a := range attrs {
		switch {
		case a.bare:
			continue
		case a.key == "":
			return fmt.Errorf("expected key=value at %q", a.String())
		case seen[a.key] && a.key != "run":
			return fmt.Errorf("%s given twice", a.key)
		}
		seen[a.key] = true
	}
	return nil
}

// splitInfo splits a fence info string into its language and its
// attributes.
func splitInfo(info string) (string, []attr, error) {
	lang, rest, _ := strings.Cut(strings.TrimSpace(info), " ")
	attrs, err := parseAttrs(rest)
	return lang, attrs, err
}

// readAttrs checks a native fence's attributes and gathers them; file and
// runs are what a file cell writes and runs.
func readAttrs(name string, c *Cell, attrs []attr, errs *ErrorList) (a *Attrs, file string, runs []Command) {
	a = &Attrs{}
	for _, at := range attrs {
		if at.bare {
			bareAttr(name, c, a, at.key, errs)
			continue
		}
		switch at.key {
		case "file":
			if checkPath(name, c.Line, "file=", at.value, errs) {
				file = at.value
			}
		case "run":
			runs = append(runs, Command{Run, at.value, c.Line})
		default:
			pairAttr(name, c, a, at, errs)
		}
	}
	if a.Name != "" && !a.Background {
		errs.add(name, c.Line, "fence info: name=%s names a background step: add the word background", a.Name)
	}
	if a.Stdin != nil && a.Pty != nil && *a.Pty {
		errs.add(name, c.Line, "fence info: stdin= is fed on a pipe: it does not go with pty")
	}
	return a, file, runs
}

// bareAttr reads a bare word of a fence's attributes into a.
func bareAttr(name string, c *Cell, a *Attrs, word string, errs *ErrorList) {
	switch word {
	case "run":
		a.Run = true
	case "pty", "no-pty":
		if a.Pty != nil {
			errs.add(name, c.Line, "fence info: pty and no-pty given together")
		}
		on := word == "pty"
		a.Pty = &on
	case "skip":
		a.Skip = true
	case "background":
		a.Background = true
	default:
		if attrKeys[word] {
			errs.add(name, c.Line, "fence info: %s needs a value (%s=...)", word, word)
		} else {
			errs.add(name, c.Line, "fence info: unknown attribute %q (known: %s)", word, knownAttrs)
		}
	}
}

// pairAttr reads a key=value attribute of a fence (but file= and run=,
// which readAttrs gathers) into a and c.
func pairAttr(name string, c *Cell, a *Attrs, at attr, errs *ErrorList) {
	switch at.key {
	case "timeout":
		d, err := parseTimeout(at.value)
		if err != nil {
			errs.add(name, c.Line, "fence info: %v", err)
		}
		c.Timeout = d
	case "stdin":
		v := at.value
		a.Stdin = &v
	case "cwd":
		if at.value != "." && checkPath(name, c.Line, "cwd=", at.value, errs) {
			a.Cwd = at.value
		}
	case "env":
		env, err := splitShell(at.value)
		for _, kv := range env {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				err = fmt.Errorf("%q is not K=V", kv)
			}
		}
		if err != nil {
			errs.add(name, c.Line, "fence info: env=%s: %v", at.value, err)
		}
		a.Env = env
	case "name":
		if at.value == "" || strings.ContainsAny(at.value, " \t/") {
			errs.add(name, c.Line, "fence info: name=%q: want a word", at.value)
		}
		a.Name = at.value
	case "session":
		if at.value == "" || strings.ContainsAny(at.value, " \t/") {
			errs.add(name, c.Line, "fence info: session=%q: want a word", at.value)
		}
		a.Session = at.value
	case "expect":
		e, err := parseExpect(at.value)
		if err != nil {
			errs.add(name, c.Line, "fence info: expect=%v", err)
		}
		a.Expect = &e
	default:
		if bareWords[at.key] {
			errs.add(name, c.Line, "fence info: %s is a bare word, not %s=...", at.key, at.key)
		} else {
			errs.add(name, c.Line, "fence info: unknown attribute %q (known: %s)", at.key, knownAttrs)
		}
	}
}

// parseTimeout reads a positive duration such as "2s" or "1m30s".
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout=%s: want a positive duration such as 2s or 1m", v)
	}
	return d, nil
}
