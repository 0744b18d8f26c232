package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Check rules are what a lesson says about how "labrun check" compares
// its recorded outputs with fresh ones, in HTML comments (invisible on
// every forge), one rule a comment:
//
//	<!-- labrun: ignore-output -->              the cell's output is not compared
//	<!-- labrun: normalize /REGEX/REPLACEMENT/ --> replace in both outputs
//	<!-- labrun: any-order -->                  the output's lines in any order
//	<!-- labrun: expect interrupted -->         the cell must be interrupted
//	<!-- labrun: expect exit=N -->              its last step must exit with N
//
// A rule belongs to the code cell whose opening fence follows it, with
// only blank lines and other HTML comment lines between; a normalize rule
// that stands before no cell applies to the whole lesson. Other words
// after "labrun:" are other directives' (ParseCheckRules ignores them).

// RulePrefix begins a line holding a check rule or another directive of
// the lesson's own in an HTML comment.
const RulePrefix = MarkerPrefix + " "

// Normalize is a lesson's rule replacing what Re matches with Repl (Go
// regexp syntax: $1 names a group) in recorded and fresh outputs.
type Normalize struct {
	Re   *regexp.Regexp
	Repl string
	// Line is the 1-based line of the rule.
	Line int
}

// CellRules are the check rules of one cell.
type CellRules struct {
	IgnoreOutput bool
	AnyOrder     bool
	Normalize    []Normalize
	// Expect is the ending the cell must have (ExpectExit or
	// ExpectInterrupted: "expect exit=N", "expect interrupted"), the same
	// value a native fence's expect= gives; ExpectLine is its rule's line.
	Expect     *Expect
	ExpectLine int
}

// CheckRules are a lesson's check rules.
type CheckRules struct {
	// Lesson are the normalize rules for every cell, in order.
	Lesson []Normalize
	// Cells holds each cell's rules by its Index; a cell without rules
	// has none.
	Cells map[int]*CellRules
}

// For returns the rules of the cell with the given index (empty rules
// when it has none).
func (r *CheckRules) For(index int) *CellRules {
	if c, ok := r.Cells[index]; ok {
		return c
	}
	return &CellRules{}
}

// ParseCheckRules reads the check rules of a lesson's text src (named
// name in messages), given its cells as Parse found them. Errors name the
// rule's line.
func ParseCheckRules(name string, src []byte, cells []*Cell) (*CheckRules, error) {
	r := &CheckRules{Cells: map[int]*CellRules{}}
	var errs ErrorList
	byLine := map[int]*Cell{}
	for _, c := range cells {
		byLine[c.Line] = c
	}
	lines := strings.Split(strings.TrimPrefix(string(src), bom), "\n")
	// pending rules wait for the next fence
	type pend struct {
		line int
		word string
		arg  string
	}
	var pending []pend
	flush := func(c *Cell) {
		for _, p := range pending {
			if c == nil {
				if p.word == "normalize" {
					n, err := parseNormalize(p.arg)
					if err != nil {
						errs.add(name, p.line, "labrun: normalize: %v", err)
						continue
					}
					n.Line = p.line
					r.Lesson = append(r.Lesson, n)
				} else {
					errs.add(name, p.line, "labrun: %s: stands before no code cell (put it on the line before the cell's fence)", p.word)
				}
				continue
			}
			cr := r.Cells[c.Index]
			if cr == nil {
				cr = &CellRules{}
				r.Cells[c.Index] = cr
			}
			if err := cr.apply(p.word, p.arg, p.line); err != nil {
				errs.add(name, p.line, "labrun: %s: %v", p.word, err)
			}
		}
		pending = nil
	}
	for i, l := range lines {
		n := i + 1
		if c := byLine[n]; c != nil {
			flush(c)
			continue
		}
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, RulePrefix) && strings.HasSuffix(t, "-->"):
			body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, RulePrefix), "-->"))
			word, arg, _ := strings.Cut(body, " ")
			if isRule(word) {
				pending = append(pending, pend{n, word, strings.TrimSpace(arg)})
			}
			continue
		case strings.HasPrefix(t, "<!--") && strings.HasSuffix(t, "-->"):
			continue // another comment: rules still reach the cell
		}
		flush(nil)
	}
	flush(nil)
	if len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

// isRule says whether word names a check rule.
func isRule(word string) bool {
	switch word {
	case "ignore-output", "normalize", "any-order", "expect":
		return true
	}
	return false
}

// apply adds one rule to a cell's.
func (cr *CellRules) apply(word, arg string, line int) error {
	switch word {
	case "ignore-output", "any-order":
		if arg != "" {
			return fmt.Errorf("takes no argument (got %q)", arg)
		}
		if word == "any-order" {
			cr.AnyOrder = true
		} else {
			cr.IgnoreOutput = true
		}
	case "normalize":
		n, err := parseNormalize(arg)
		if err != nil {
			return err
		}
		n.Line = line
		cr.Normalize = append(cr.Normalize, n)
	case "expect":
		e, err := parseExpectRule(arg)
		if err != nil {
			return err
		}
		cr.Expect, cr.ExpectLine = e, line
	}
	return nil
}

// parseExpectRule reads "interrupted" or "exit=N".
func parseExpectRule(arg string) (*Expect, error) {
	if arg == "interrupted" {
		return &Expect{Kind: ExpectInterrupted}, nil
	}
	if v, ok := strings.CutPrefix(arg, "exit="); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("exit=%s: want a status from 0 to 255", v)
		}
		return &Expect{Kind: ExpectExit, Code: n}, nil
	}
	return nil, fmt.Errorf("%q: want \"interrupted\" or \"exit=N\"", arg)
}

// parseNormalize reads "/REGEX/REPLACEMENT/": the first character is the
// delimiter (any but a letter, digit, space or backslash); a backslash
// before it keeps it in the text.
func parseNormalize(arg string) (Normalize, error) {
	if arg == "" {
		return Normalize{}, fmt.Errorf("want /REGEX/REPLACEMENT/")
	}
	d := arg[0]
	if d == '\\' || d == ' ' || ('a' <= d && d <= 'z') || ('A' <= d && d <= 'Z') || ('0' <= d && d <= '9') {
		return Normalize{}, fmt.Errorf("%q: want /REGEX/REPLACEMENT/ (the first character is the delimiter)", arg)
	}
	var fields []string
	var cur strings.Builder
	for i := 1; i < len(arg); i++ {
		switch {
		case arg[i] == '\\' && i+1 < len(arg) && arg[i+1] == d:
			cur.WriteByte(d)
			i++
		case arg[i] == d:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(arg[i])
		}
	}
	if len(fields) != 2 || cur.Len() != 0 {
		return Normalize{}, fmt.Errorf("%q: want %cREGEX%cREPLACEMENT%c", arg, d, d, d)
	}
	re, err := regexp.Compile(fields[0])
	if err != nil {
		return Normalize{}, fmt.Errorf("%q: %w", fields[0], err)
	}
	return Normalize{Re: re, Repl: fields[1]}, nil
}
