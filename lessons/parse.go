package lessons

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/limits"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"
)

// MaxLineBytes is the longest lesson line Parse accepts.
const MaxLineBytes = 1 << 20

// bom is the UTF-8 byte order mark some editors put at a file's start.
const bom = "\ufeff"

// Parse reads a lesson. name is used in messages only. It returns an
// ErrorList when the lesson is malformed: invalid UTF-8 or binary
// content, an unclosed fence, an unknown magic, a file cell without a
// file name or with a path outside the work directory.
func Parse(name string, src []byte) (*Lesson, error) {
	var errs ErrorList
	if err := checkText(name, src); err != nil {
		errs = append(errs, err)
		return nil, errs
	}
	// A byte order mark is no part of line 1's text: Markdown would read
	// "\ufeff```python" as prose. The lesson keeps it in Source (the
	// transcript starts with it too); lines are read without it, at the
	// same line numbers.
	text := bytes.TrimPrefix(src, []byte(bom))
	lines := splitLines(text)
	for n := 1; n <= lines.count(); n++ {
		if t := lines.text(n); strings.HasPrefix(t, OutOpen) || t == OutClose {
			errs.add(name, n, "a labrun output marker: this is a transcript, not a lesson (run the lesson it came from)")
			return nil, errs
		}
	}
	doc := goldmark.New().Parser().Parse(gmtext.NewReader(text))
	l := &Lesson{Name: name, Source: src}
	lessonSettings(name, doc, text, l, &errs)
	// Cells are the fenced blocks with an info string at the top level: a
	// fence inside a list or a blockquote is prose, as in the notebooks
	// the lessons come from, where code cells are never nested.
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		fc, ok := n.(*ast.FencedCodeBlock)
		if !ok || fc.Info == nil {
			continue
		}
		c := fencedCell(name, text, lines, fc, &errs)
		if c == nil {
			continue
		}
		c.Index = len(l.Cells)
		classify(name, c, &errs, &l.Warnings)
		l.Cells = append(l.Cells, c)
		if c.Kind == Setup && l.Magics == "" {
			l.Magics = setupMagics(c.Source)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

// checkText refuses bytes that are not text: a NUL byte, invalid UTF-8,
// or a line too long to be a lesson's.
func checkText(name string, src []byte) *Error {
	line := 1
	start := 0
	for i := 0; i < len(src); {
		b := src[i]
		if b == '\n' {
			if i-start > MaxLineBytes {
				return &Error{name, line, "line longer than 1 MiB: not a lesson"}
			}
			line++
			start = i + 1
			i++
			continue
		}
		if b == 0 {
			return &Error{name, line, "binary content (NUL byte): not a Markdown lesson"}
		}
		if b < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{name, line, "invalid UTF-8"}
		}
		i += size
	}
	if len(src)-start > MaxLineBytes {
		return &Error{name, line, "line longer than 1 MiB: not a lesson"}
	}
	return nil
}

// lineIndex holds the byte offset where each line starts.
type lineIndex struct {
	starts []int
	src    []byte
}

func splitLines(src []byte) *lineIndex {
	li := &lineIndex{starts: []int{0}, src: src}
	for i, b := range src {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// lineOf returns the 1-based line holding byte offset off.
func (li *lineIndex) lineOf(off int) int {
	lo, hi := 0, len(li.starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if li.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// count returns the number of lines (a final newline does not start one).
func (li *lineIndex) count() int {
	n := len(li.starts)
	if li.starts[n-1] == len(li.src) {
		n--
	}
	return n
}

// text returns line n (1-based) without its newline and carriage return.
func (li *lineIndex) text(n int) string {
	start := li.starts[n-1]
	end := len(li.src)
	if n < len(li.starts) {
		end = li.starts[n] - 1
	}
	return strings.TrimSuffix(string(li.src[start:end]), "\r")
}

// fencedCell turns a fenced block into a cell, checking that it is closed.
func fencedCell(name string, src []byte, li *lineIndex, fc *ast.FencedCodeBlock, errs *ErrorList) *Cell {
	open := li.lineOf(fc.Info.Segment.Start)
	fence := fenceOf(li.text(open))
	nbody := fc.Lines().Len()
	closeLine := open + nbody + 1
	if closeLine > li.count() || !closes(li.text(closeLine), fence) {
		errs.add(name, open, "unclosed code fence %q: no closing %s before the end of its block", li.text(open), fence)
		return nil
	}
	body := make([]string, 0, nbody)
	for n := open + 1; n < closeLine; n++ {
		body = append(body, li.text(n))
	}
	return &Cell{
		Info:    strings.TrimSpace(string(fc.Info.Segment.Value(src))),
		Line:    open,
		EndLine: closeLine,
		Source:  strings.Join(body, "\n"),
	}
}

// fenceOf returns the run of backticks or tildes that opens line.
func fenceOf(line string) string {
	s := strings.TrimLeft(line, " ")
	if s == "" {
		return "```"
	}
	c := s[0]
	i := 0
	for i < len(s) && s[i] == c {
		i++
	}
	return s[:i]
}

// closes reports whether line closes a block opened by fence.
func closes(line, fence string) bool {
	s := strings.TrimSpace(line)
	if len(line)-len(strings.TrimLeft(line, " ")) > 3 || len(s) < len(fence) {
		return false
	}
	return strings.Trim(s, fence[:1]) == ""
}

// lessonSettings reads lesson-wide directives in HTML comments:
// <!-- labrun timeout=30s cpu=60 procs=64 fsize=10M nofile=256 as=2G -->.
func lessonSettings(name string, doc ast.Node, src []byte, l *Lesson, errs *ErrorList) {
	li := splitLines(src)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		hb, ok := n.(*ast.HTMLBlock)
		if !ok || hb.Lines().Len() == 0 {
			continue
		}
		seg := hb.Lines().At(0)
		line := strings.TrimSpace(string(seg.Value(src)))
		rest, ok := strings.CutPrefix(line, "<!-- labrun ")
		if !ok {
			continue
		}
		at := li.lineOf(seg.Start)
		rest = strings.TrimSuffix(strings.TrimSpace(rest), "-->")
		attrs, err := parseAttrs(rest)
		if err != nil {
			errs.add(name, at, "labrun directive: %v", err)
			continue
		}
		for _, a := range attrs {
			isLimit, err := l.set(a.key, a.value)
			if err != nil {
				errs.add(name, at, "labrun directive: %v", err)
			} else if isLimit {
				l.LimitsLine = at
			}
		}
	}
}

// set applies one lesson-wide setting; isLimit says it was a resource
// limit.
func (l *Lesson) set(k, v string) (isLimit bool, err error) {
	if k == "timeout" {
		l.Timeout, err = parseTimeout(v)
		return false, err
	}
	if k == "magics" {
		l.Magics = v
		return false, config.CheckMagics(v)
	}
	if ok, err := l.Limits.Set(k, v); ok {
		return true, err
	}
	return false, fmt.Errorf("unknown setting %q (known: timeout, magics, %s)", k, limits.Keys)
}

// setupMagics reads which version of the course's magics a lesson's own
// set-up cell defines: the current save_file has a comment_prefix (it
// shows comment lines), the 2019 one only knows %run.
func setupMagics(src string) string {
	if strings.Contains(src, "comment_prefix") {
		return config.MagicsCurrent
	}
	return config.Magics2019
}
