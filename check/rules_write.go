package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// --write-rules writes the rule proposed for each flaky cell (propose)
// to its lesson's recorded transcript, the file check reads rules from:
// an HTML comment on its own line just before the cell's opening fence,
// indented as the fence is, which Parse gives to that cell. A cell that
// already has the rule right there gets no second copy. The file is
// rewritten as --update rewrites it: atomically, and only if it is still
// what the check read.

// RulesResult is what --write-rules did to a lesson's file.
type RulesResult struct {
	// Written are the cells a rule was written for, in the lesson's
	// order (their Runs.Rule).
	Written []*CellReport
	// Err is why the file could not be written (nothing was then).
	Err error
}

// writeRules writes the rules proposed for a lesson's flaky cells.
func writeRules(rep *Report) RulesResult {
	if rep.Result != nil && rep.Result.Interrupted {
		return RulesResult{}
	}
	var cells []*CellReport
	for _, c := range rep.Cells {
		if c.Runs != nil && c.Runs.Rule != nil {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return RulesResult{}
	}
	text, written, err := withRules(rep.Path, string(rep.rec.Source), cells)
	if err != nil || len(written) == 0 {
		return RulesResult{Err: err}
	}
	if err := checkRules(rep.Path, text, written); err != nil {
		return RulesResult{Err: err}
	}
	if err := atomicfile.WriteIfUnchanged(rep.Path, rep.snapshot, []byte(text)); err != nil {
		return RulesResult{Err: err}
	}
	return RulesResult{Written: written}
}

// withRules returns text with each cell's rule on the line before its
// fence, and the cells whose rule was not there yet.
func withRules(path, text string, cells []*CellReport) (string, []*CellReport, error) {
	lines := strings.SplitAfter(text, "\n")
	sorted := append([]*CellReport(nil), cells...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Fence > sorted[j].Fence })
	var written []*CellReport
	for _, c := range sorted { // from the last: the earlier lines stay where they are
		i := c.Fence - 1
		if i < 0 || i >= len(lines) || !isFence(lines[i]) {
			return "", nil, fmt.Errorf("%s:%d: cell %d: no opening fence on that line; rules not written", path, c.Fence, c.Number)
		}
		comment := c.Runs.Rule.Comment()
		if hasRule(lines[:i], comment) {
			continue
		}
		fence := lines[i]
		indent := fence[:len(fence)-len(strings.TrimLeft(fence, " \t"))]
		lines = append(lines[:i], append([]string{indent + comment + "\n"}, lines[i:]...)...)
		written = append([]*CellReport{c}, written...)
	}
	return strings.Join(lines, ""), written, nil
}

// isFence says whether a line opens a fenced code block.
func isFence(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// hasRule says whether the lines just before a fence (blank lines and
// one-line HTML comments, the cell's rules) hold comment.
func hasRule(before []string, comment string) bool {
	for i := len(before) - 1; i >= 0; i-- {
		t := strings.TrimSpace(before[i])
		switch {
		case t == comment:
			return true
		case t != "" && !(strings.HasPrefix(t, "<!--") && strings.HasSuffix(t, "-->")):
			return false
		}
	}
	return false
}

// checkRules reads the rewritten transcript back as check reads it and
// checks that each written cell now has its rule (a rule the lesson's
// parse would not give its cell is not written).
func checkRules(path, text string, written []*CellReport) error {
	t, err := transcript.Parse(path, []byte(text))
	if err == nil && len(t.Lesson.RuleErrors) > 0 {
		err = t.Lesson.RuleErrors
	}
	if err != nil {
		return fmt.Errorf("%s: with the rules: %w; rules not written", path, err)
	}
	l := t.Lesson
	for _, c := range written {
		if c.Index >= len(l.Cells) || !hasRuleOf(l.Cells[c.Index].Rules, c.Runs.Rule) {
			return fmt.Errorf("%s:%d: cell %d: %s would not be the cell's rule; rules not written", path, c.Fence, c.Number, c.Runs.Rule.Comment())
		}
	}
	return nil
}

// hasRuleOf says whether a cell's rules hold r.
func hasRuleOf(rules lessons.CellRules, r *Rule) bool {
	switch r.Kind {
	case RuleAnyOrder:
		return rules.AnyOrder
	case RuleIgnoreOutput:
		return rules.IgnoreOutput
	}
	for _, n := range rules.Normalize {
		if n.Re.String() == r.Re && n.Repl == r.Repl {
			return true
		}
	}
	return false
}
