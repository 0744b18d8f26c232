package lessons

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"

	"github.com/labrun/labrun/internal/marker"
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
		if t := lines.text(n); marker.IsOpen(t) || marker.IsClose(t) {
			errs.add(name, n, "a labrun output marker: this is a transcript, not a lesson (run the lesson it came from)")
			return nil, errs
		}
	}
	doc := goldmark.New().Parser().Parse(gmtext.NewReader(text))
	p := &parser{name: name, text: text, lines: lines, errs: &errs,
		l: &Lesson{Name: name, Source: src}, names: map[string]bool{}, sessions: consoleSessions{}}
	// Settings first (dialect=native decides which fences run), then the
	// cells, the directives of the flow and the check rules, in order.
	flow := p.settings(doc)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		p.block(n, flow[n])
	}
	p.strandRules()
	p.l.After = p.pending
	if len(errs) > 0 {
		return nil, errs
	}
	return p.l, nil
}

// DialectOf is the dialect a lesson's text declares (a top-level
// <!-- labrun: dialect=native -->), read as Parse reads its settings,
// whatever else is wrong with the text: how a transcript's reader tells
// a native lesson, whose outputs go between labrun's markers, from a
// course transcript, whose outputs follow its cells in nbconvert's
// layout, when the text has no marker yet.
func DialectOf(src []byte) Dialect {
	text := bytes.TrimPrefix(src, []byte(bom))
	var errs ErrorList
	p := &parser{text: text, lines: splitLines(text), errs: &errs, l: &Lesson{}, names: map[string]bool{}, sessions: consoleSessions{}}
	p.settings(goldmark.New().Parser().Parse(gmtext.NewReader(text)))
	return p.l.Dialect
}

// parser holds what Parse knows while it reads a lesson's blocks in
// order.
type parser struct {
	name  string
	text  []byte
	lines *lineIndex
	l     *Lesson
	errs  *ErrorList
	// names are the background steps started so far.
	names map[string]bool
	// sessions are the console sessions begun so far.
	sessions consoleSessions
	// pending are the waits and stops read since the last cell, rules
	// its check rules (checkrules.go): both wait for the next cell.
	pending []*Directive
	rules   []rule
}

// settings lexes every directive at the top level (lexer.go) and applies
// those of settings; it returns the others, the flow's and the check
// rules, by their block.
func (p *parser) settings(doc ast.Node) map[ast.Node]*statement {
	flow := map[ast.Node]*statement{}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		hb, ok := n.(*ast.HTMLBlock)
		if !ok || hb.Lines().Len() == 0 {
			continue
		}
		seg := hb.Lines().At(0)
		t, colon, ok := directiveText(string(seg.Value(p.text)))
		if !ok {
			continue
		}
		at := p.lines.lineOf(seg.Start)
		st, err := lexDirective(at, t, colon)
		if err != nil {
			p.errs.add(p.name, at, "labrun directive: %v", err)
			continue
		}
		if !settingsDirective(p.name, st, p.l, p.errs) {
			flow[n] = st
		}
	}
	return flow
}

// block reads one top-level block: a directive of the flow or a check
// rule (st), a fence, or prose. Cells are the fenced blocks at the top
// level that run in the lesson's dialect: a fence inside a list or a
// blockquote is prose, as in the notebooks the lessons come from, where
// code cells are never nested.
func (p *parser) block(n ast.Node, st *statement) {
	switch n := n.(type) {
	case *ast.HTMLBlock:
		switch {
		case st != nil:
			p.directive(st)
		case !isComment(n, p.text):
			p.strandRules()
		}
	case *ast.FencedCodeBlock:
		p.fence(n)
	default:
		p.strandRules()
		notRunNested(p.l, p.lines, p.text, n)
	}
}

// directive reads a directive of the flow (a wait, a stop) or a check
// rule; both wait for the next cell.
func (p *parser) directive(st *statement) {
	if verb := st.verb(); isRule(verb) {
		// labrun check applies it; a malformed one is refused here,
		// before anything runs.
		r, err := readRule(st)
		if err != nil {
			p.errs.add(p.name, st.line, "labrun directive: %s: %v", verb, err)
			return
		}
		p.rules = append(p.rules, r)
		return
	}
	if d := flowDirective(p.name, st, p.names, p.errs); d != nil {
		d.Next = len(p.l.Cells)
		p.pending = append(p.pending, d)
	}
}

// fence reads a fenced block: a cell, with the directives and check
// rules before it, or a fence that does not run.
func (p *parser) fence(fc *ast.FencedCodeBlock) {
	l := p.l
	if fc.Info == nil {
		p.strandRules()
		if fc.Lines().Len() > 0 {
			l.NotRun = append(l.NotRun, NotRun{Line: p.lines.lineOf(fc.Lines().At(0).Start) - 1, Reason: NoLanguage, Dialect: l.Dialect})
		}
		return
	}
	c := fencedCell(p.name, p.text, p.lines, fc, p.errs)
	if c == nil {
		return
	}
	if ok, why := runs(l, c.Info, c.Source); !ok {
		p.strandRules()
		l.NotRun = append(l.NotRun, NotRun{Line: c.Line, Info: c.Info, Reason: why, Dialect: l.Dialect})
		return
	}
	c.Index = len(l.Cells)
	classify(p.name, l, c, p.errs)
	c.Before, p.pending = p.pending, nil
	p.attachRules(c)
	if c.Kind == Background && c.Attrs.Name != "" {
		if p.names[c.Attrs.Name] {
			p.errs.add(p.name, c.Line, "fence info: name=%s: a background step of that name was started before", c.Attrs.Name)
		}
		p.names[c.Attrs.Name] = true
	}
	p.sessions.check(p.name, c, p.errs)
	l.Cells = append(l.Cells, c)
	if c.Kind == Setup && l.SetupMagics == "" {
		l.SetupMagics, _ = SetupMagics(c.Source)
	}
}

// isComment says whether an HTML block is one comment on one line: such
// a line stands between a check rule and its cell as a blank line does.
func isComment(hb *ast.HTMLBlock, src []byte) bool {
	if hb.Lines().Len() != 1 || hb.HasClosure() {
		return false
	}
	seg := hb.Lines().At(0)
	t := strings.TrimSpace(string(seg.Value(src)))
	return strings.HasPrefix(t, "<!--") && strings.HasSuffix(t, "-->")
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
	fence := FenceOf(li.text(open))
	nbody := fc.Lines().Len()
	closeLine := open + nbody + 1
	if closeLine > li.count() || !ClosesFence(li.text(closeLine), fence) {
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
		Fence:   fence,
		Source:  strings.Join(body, "\n"),
	}
}

// FenceOf returns the run of backticks or tildes that opens line (a
// fence's opening line, as CommonMark reads it).
func FenceOf(line string) string {
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

// ClosesFence reports whether line closes a block opened by fence (at
// most three spaces of indent, and a run of the fence's character at least
// as long as it, as CommonMark has it).
func ClosesFence(line, fence string) bool {
	s := strings.TrimSpace(line)
	if len(line)-len(strings.TrimLeft(line, " ")) > 3 || len(s) < len(fence) {
		return false
	}
	return strings.Trim(s, fence[:1]) == ""
}

// notRunNested lists the fences inside n (a list, a blockquote) as not
// run.
func notRunNested(l *Lesson, li *lineIndex, src []byte, n ast.Node) {
	_ = ast.Walk(n, func(m ast.Node, entering bool) (ast.WalkStatus, error) {
		fc, ok := m.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		nr := NotRun{Reason: Nested, Dialect: l.Dialect}
		if fc.Info != nil {
			nr.Line, nr.Info = li.lineOf(fc.Info.Segment.Start), strings.TrimSpace(string(fc.Info.Segment.Value(src)))
		} else if fc.Lines().Len() > 0 {
			nr.Line = li.lineOf(fc.Lines().At(0).Start) - 1
		} else {
			return ast.WalkSkipChildren, nil // an empty fence without info: no line to name
		}
		l.NotRun = append(l.NotRun, nr)
		return ast.WalkSkipChildren, nil
	})
}

// SetupMagics reads which version of the course's magics a set-up cell
// defines, and says whether src is one: the course's one-liner (the
// current save_file has a comment_prefix, as it shows comment lines; the
// 2019 one only knows %run), or the cell labrun export generated (its
// first line names the version: GeneratedSetup).
func SetupMagics(src string) (version string, ok bool) {
	if v, ok := generatedMagics(src); ok {
		return v, true
	}
	if !isSetup(src) {
		return "", false
	}
	if strings.Contains(src, "comment_prefix") {
		return MagicsCurrent, true
	}
	return Magics2019, true
}
