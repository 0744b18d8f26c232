// Package cram holds cram's expected-output lines, as cram 0.7 reads
// them, in one place for every reader of them (console blocks, .t
// files): which recorded line matches which output line (Matches: a
// literal line, " (esc)", " (glob)", " (re)"), the alignment of a
// command's recorded lines with its fresh ones that cram's diff makes
// (Opcodes: difflib's with cram's matchers), the lines "cram -i -y"
// writes back (Patch: matching matcher lines kept, the rest fresh), and
// cram's own escapes (Escape, Unescape, OutputLines). It imports nothing
// of labrun's.
//
// Lines are given without their newline, as the record holds them and
// as the record would write the fresh output (escapes, " (no-eol)"):
// cram matches a pattern against the output line as it would write it
// (_test.py builds postout, _diff.py matches against it). A .t file's
// lines keep their indent, as cram's do.
//
// Python's re and Go's RE2 differ: a " (re)" pattern is translated
// where RE2 can say the same (regex.go); a pattern RE2 cannot compile
// (backreferences, lookaround, atomic groups, possessive quantifiers,
// conditionals, verbose mode) matches no line, as cram's _regex does for
// a pattern Python cannot compile.
package cram

import "strings"

// The annotations that end cram's matcher lines.
const (
	EscSuffix   = " (esc)"
	GlobSuffix  = " (glob)"
	ReSuffix    = " (re)"
	NoEOLSuffix = " (no-eol)"
)

// Matcher matches recorded lines with output lines, keeping the
// patterns it compiled; the zero value is ready. It is not safe for
// concurrent use.
type Matcher struct {
	res map[string]*compiled
}

// Matches says whether recorded line el matches output line l, as cram's
// matchers do in its diff (_diff.py: _SequenceMatcher._match with esc,
// glob and regex, in that order): equal, equal once an " (esc)" line
// (either) is decoded, a " (glob)" pattern or a " (re)" pattern that
// matches the whole of l.
func (m *Matcher) Matches(el, l string) bool {
	return el == l || esc(el, l) || m.glob(el, l) || m.regex(el, l)
}

// IsMatcher says whether a recorded line is a pattern: it ends in
// " (re)" or " (glob)".
func IsMatcher(el string) bool {
	return strings.HasSuffix(el, ReSuffix) || strings.HasSuffix(el, GlobSuffix)
}

// esc is cram's esc matcher: el decoded if it ends in " (esc)" equals l,
// or equals l decoded if l does.
func esc(el, l string) bool {
	if body, ok := strings.CutSuffix(el, EscSuffix); ok {
		el = Unescape(body)
	}
	if el == l {
		return true
	}
	if body, ok := strings.CutSuffix(l, EscSuffix); ok {
		l = Unescape(body)
	}
	return el == l
}

// regex is cram's regex matcher: el ends in " (re)" and what comes
// before matches l from its start to its end (re.match(pattern + \Z)).
func (m *Matcher) regex(el, l string) bool {
	p, ok := strings.CutSuffix(el, ReSuffix)
	return ok && m.compile(p, false).match(l)
}

// glob is cram's glob matcher: el ends in " (glob)" and what comes
// before, "*" any run of characters, "?" one, "\*", "\?" and "\\" the
// characters themselves, matches the whole of l.
func (m *Matcher) glob(el, l string) bool {
	p, ok := strings.CutSuffix(el, GlobSuffix)
	return ok && m.compile(p, true).match(l)
}

// compile compiles a pattern once per Matcher.
func (m *Matcher) compile(p string, glob bool) *compiled {
	key := "r" + p
	if glob {
		key = "g" + p
	}
	if c, ok := m.res[key]; ok {
		return c
	}
	if m.res == nil {
		m.res = map[string]*compiled{}
	}
	var c *compiled
	if glob {
		c = compileGlob(p)
	} else {
		c = compileRegex(p)
	}
	m.res[key] = c
	return c
}

// Matches says whether recorded line el matches output line l (a
// Matcher's Matches, with patterns compiled for this call only).
func Matches(el, l string) bool {
	var m Matcher
	return m.Matches(el, l)
}
