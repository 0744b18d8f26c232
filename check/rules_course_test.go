package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// ruleCourseSrc is a course skeleton whose second cell prints its lines
// in another order each run (COUNTER counts the runs), after a cell that
// prints: --write-rules puts any-order right under that cell's outputs.
const ruleCourseSrc = "# Rules\n\n\n" +
	"```python\nprint('first')\n```\n\n\n" +
	"```python\nimport os\nn = int(open('COUNTER').read()) + 1 if os.path.exists('COUNTER') else 1\n" +
	"open('COUNTER', 'w').write(str(n))\nprint(*(['a', 'b', 'c'] if n % 2 else ['c', 'a', 'b']), sep='\\n')\n```\n\n\n" +
	"```python\nprint('last')\n```\n\nEnd.\n"

// TestWriteRulesCourse: in a course README.md, the rule --write-rules
// writes above a cell's fence leaves the skeleton whole: strip gives the
// skeleton plus the rule line, byte for byte; a check then passes and
// --update changes no byte; an --update of the cell above the rule
// mends its outputs only, and strip still gives the skeleton plus the
// rule.
func TestWriteRulesCourse(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(t.TempDir(), "count")
	src := strings.ReplaceAll(ruleCourseSrc, "COUNTER", counter)
	l := writeLesson(t, dir, src, transcriptOf(t, dir, src), courseLayout)
	os.Remove(counter)
	ends, tot, _ := runSuite(t, Suite{Runs: 3, WriteRules: true}, l)
	if tot.Flaky != 1 || len(ends[0].Rules.Written) != 1 || ends[0].Rules.Err != nil {
		t.Fatalf("totals %+v, rules %+v", tot, ends[0].Rules)
	}
	rule := ends[0].Rules.Written[0].Runs.Rule.Comment()
	if rule != "<!-- labrun: any-order -->" {
		t.Fatalf("rule %q", rule)
	}
	i := strings.Index(src, "```python\nimport os")
	want := src[:i] + rule + "\n" + src[i:]
	rec, _ := os.ReadFile(l.Path)
	if got := transcript.StripAny(rec); string(got) != want {
		t.Fatalf("strip after --write-rules:\n%s", firstLineDiff(string(got), want))
	}
	rep, err := Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, f, _ := rep.Counts(); f != 0 || p != len(rep.Cells) {
		t.Errorf("%d passed, %d failed of %d cells:\n%s", p, f, len(rep.Cells), failures(rep))
	}
	if text, changed := rep.Updated(); changed || string(text) != string(rec) {
		t.Errorf("--update after --write-rules changed the transcript:\n%s", firstLineDiff(string(text), string(rec)))
	}
	stale := strings.Replace(string(rec), "    first\n", "    stale\n", 1)
	os.WriteFile(l.Path, []byte(stale), 0o644)
	rep, err = Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, changed := rep.Updated()
	if !changed || string(text) != string(rec) {
		t.Errorf("the update is not the one line:\n%s", firstLineDiff(string(text), string(rec)))
	}
	if got := transcript.StripAny(text); string(got) != want {
		t.Errorf("strip after --update:\n%s", firstLineDiff(string(got), want))
	}
}
