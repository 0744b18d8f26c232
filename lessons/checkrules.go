package lessons

import (
	"fmt"
	"regexp"
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
//	<!-- labrun: expect exit:N -->              it must exit N (exit=N too)
//	<!-- labrun: expect fail -->                it must fail
//
// expect takes what a native fence's expect= takes (parseExpect), with
// the same meaning. A rule governs the code cell whose opening fence
// follows it, with only blank lines and other one-line HTML comments
// between: Parse gives it to that cell (Cell.Rules). A normalize rule
// that stands before no cell applies to the whole lesson
// (Lesson.Normalize); another such rule is an error of the lesson's
// check (Lesson.RuleErrors). Their grammar is the directives' (lexer.go).

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
	// Expect is the ending the cell must have ("expect exit:N",
	// "expect interrupted", "expect fail"), the same value a native
	// fence's expect= gives; ExpectLine is its rule's line.
	Expect     *Expect
	ExpectLine int
}

// isRule says whether word names a check rule.
func isRule(word string) bool {
	switch word {
	case "ignore-output", "normalize", "any-order", "expect":
		return true
	}
	return false
}

// rule is one check rule, read and checked, waiting for the cell it
// governs.
type rule struct {
	line   int
	verb   string
	norm   Normalize
	expect Expect
}

// readRule reads a check rule's directive.
func readRule(st *statement) (rule, error) {
	r := rule{line: st.line, verb: st.verb()}
	args := st.args()
	switch r.verb {
	case "ignore-output", "any-order":
		if len(args) > 0 {
			return r, fmt.Errorf("takes no argument (got %q)", strings.Join(args, " "))
		}
	case "normalize":
		if st.subst == nil {
			return r, fmt.Errorf("want /REGEX/REPLACEMENT/")
		}
		re, err := regexp.Compile(st.subst.re)
		if err != nil {
			return r, fmt.Errorf("%q: %w", st.subst.re, err)
		}
		r.norm = Normalize{Re: re, Repl: st.subst.repl, Line: st.line}
	case "expect":
		if len(args) != 1 {
			return r, fmt.Errorf("%q: want one of exit:N, interrupted, fail", strings.Join(args, " "))
		}
		e, err := parseExpect(args[0])
		if err != nil {
			return r, err
		}
		r.expect = e
	}
	return r, nil
}

// add gives one rule to a cell's.
func (cr *CellRules) add(r rule) {
	switch r.verb {
	case "ignore-output":
		cr.IgnoreOutput = true
	case "any-order":
		cr.AnyOrder = true
	case "normalize":
		cr.Normalize = append(cr.Normalize, r.norm)
	case "expect":
		e := r.expect
		cr.Expect, cr.ExpectLine = &e, r.line
	}
}

// attachRules gives the rules read since the last cell to c, the cell
// whose opening fence follows them.
func (p *parser) attachRules(c *Cell) {
	for _, r := range p.rules {
		c.Rules.add(r)
	}
	p.rules = nil
}

// strandRules is for the rules read since the last cell when something
// other than a cell or a one-line comment follows them: a normalize rule
// then governs the whole lesson; another rule stands before no code cell.
func (p *parser) strandRules() {
	for _, r := range p.rules {
		if r.verb == "normalize" {
			p.l.Normalize = append(p.l.Normalize, r.norm)
			continue
		}
		p.l.RuleErrors.add(p.name, r.line, "labrun: %s: stands before no code cell (put it on the line before the cell's fence)", r.verb)
	}
	p.rules = nil
}
