package check

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// counterLesson is a lesson whose cell 2 prints "bad" in the first run
// of its lesson and "good" in each later one, as a file outside the
// lesson's scratch copy (counter) counts the runs; cell 3 prints "bad"
// in every run; cell 1 always "one". Its transcript records "good" for
// cells 2 and 3.
func counterLesson(t *testing.T) (l Lesson, counter string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "flaky")
	os.MkdirAll(dir, 0o755)
	counter = filepath.Join(t.TempDir(), "count")
	src := "# F\n\n```bash\n%%bash\necho one\n```\n\n```bash\n%%bash\n" +
		"n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter + "\n" +
		"if [ \"$n\" -ge 1 ]; then echo good; else echo bad; fi\n```\n\n```bash\n%%bash\necho bad\n```\n"
	tr := transcriptOf(t, dir, src)
	if strings.Count(tr, "    bad\n") != 2 {
		t.Fatalf("the transcript's runs: want bad twice:\n%s", tr)
	}
	tr = strings.ReplaceAll(tr, "    bad\n", "    good\n")
	path := filepath.Join(dir, "t.md")
	os.WriteFile(path, []byte(tr), 0o644)
	os.Remove(counter)
	return Lesson{Path: path}, counter
}

// runSuite checks ls with s and returns the lessons' ends and the totals.
func runSuite(t *testing.T, s Suite, ls ...Lesson) ([]LessonEnded, Totals, *recorder) {
	t.Helper()
	rec := &recorder{t: t}
	tot := s.Run(context.Background(), ls, rec)
	return rec.ends, tot, rec
}

// TestRerunFails: a cell that failed in the first run and passed in a
// rerun is flaky (its report the first failure's), one that failed in
// every run failed, one that passed first passed; the lesson ran again
// only while a failing cell was left; flaky cells leave the status OK
// unless FailOnFlaky.
func TestRerunFails(t *testing.T) {
	l, counter := counterLesson(t)
	ends, tot, rec := runSuite(t, Suite{RerunFails: 2}, l)
	cells := ends[0].Report.Cells
	if v := []Verdict{cells[0].Verdict, cells[1].Verdict, cells[2].Verdict}; v[0] != Pass || v[1] != Flaky || v[2] != Fail {
		t.Fatalf("verdicts %v, want pass flaky fail", v)
	}
	flaky := cells[1]
	if flaky.Runs.PassedIn != 2 || len(flaky.Runs.Failed) != 1 || flaky.Runs.Failed[0].Run != 1 || !strings.Contains(flaky.Diff, "+bad") {
		t.Errorf("flaky cell: runs %+v, diff %q", flaky.Runs, flaky.Diff)
	}
	if got := flaky.Runs.String(); got != "flaky: output differs in run 1, passed in run 2" {
		t.Errorf("flaky cell worded %q", got)
	}
	if f := cells[2].Runs; f == nil || f.N != 3 || len(f.Failed) != 3 {
		t.Errorf("failing cell: runs %+v, want 3 failed runs", f)
	}
	// three runs: cell 3 fails in each
	if b, _ := os.ReadFile(counter); strings.TrimSpace(string(b)) != "3" {
		t.Errorf("the lesson ran %s times, want 3", b)
	}
	if n := strings.Count(rec.of("flaky"), "ran flaky 1"); n != 3 {
		t.Errorf("cell 1 ran %d times, want 3: %s", n, rec.of("flaky"))
	}
	if tot.Passed != 1 || tot.Flaky != 1 || tot.Failed != 1 || tot.Line() != "1 passed, 1 failed, 1 flaky" {
		t.Errorf("totals %+v: %q", tot, tot.Line())
	}

	// No cell fails for good: the lesson runs again once, status OK; with
	// FailOnFlaky, failed.
	os.Remove(counter)
	b, _ := os.ReadFile(l.Path)
	os.WriteFile(l.Path, []byte(fixLast(string(b))), 0o644)
	for _, fail := range []bool{false, true} {
		os.Remove(counter)
		_, tot, _ = runSuite(t, Suite{RerunFails: 3, FailOnFlaky: fail}, l)
		if b, _ := os.ReadFile(counter); strings.TrimSpace(string(b)) != "2" {
			t.Errorf("the lesson ran %s times, want 2 (it stops once every cell passed)", b)
		}
		want := StatusOK
		if fail {
			want = StatusFailed
		}
		if tot.Flaky != 1 || tot.Failed != 0 || tot.Status() != want {
			t.Errorf("FailOnFlaky %v: totals %+v, status %v, want %v", fail, tot, tot.Status(), want)
		}
	}
	// Without RerunFails the flaky cell fails.
	os.Remove(counter)
	if _, tot, _ := runSuite(t, Suite{}, l); tot.Failed != 1 || tot.Flaky != 0 {
		t.Errorf("no reruns: totals %+v, want 1 failed", tot)
	}
}

// fixLast records cell 3's own output ("bad") in a counterLesson's
// transcript, so that only cell 2 is flaky.
func fixLast(tr string) string {
	i := strings.LastIndex(tr, "    good\n")
	return tr[:i] + "    bad\n" + tr[i+len("    good\n"):]
}

// variedLesson makes a transcript of src (one cell per kind of varying
// output) in its own folder.
func variedLesson(t *testing.T, src string) Lesson {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "varied")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, "t.md")
	os.WriteFile(path, []byte(transcriptOf(t, dir, src)), 0o644)
	return Lesson{Path: path}
}

// variedSrc has a stable cell, one printing its lines in another order
// each run, one whose numbers vary, and one whose lines vary in number.
// The counter file makes each run differ for sure.
const variedSrc = "# V\n\n```bash\n%%bash\necho stable\n```\n\n" +
	"```bash\n%%bash\nn=$(cat COUNTER 2>/dev/null || echo 0); echo $((n+1)) > COUNTER\nif [ $((n % 2)) = 0 ]; then printf 'a\\nb\\nc\\n'; else printf 'c\\na\\nb\\n'; fi\n```\n\n" +
	"```bash\n%%bash\nn=$(cat COUNTER)\necho \"worth $((n*7919)) points, exit 3\"; echo \"took $((n*13)) items\"\n```\n\n" +
	"```bash\n%%bash\nn=$(cat COUNTER)\nseq $n\n```\n"

// TestRuns: --runs K finds the cells whose outputs differ between runs
// and proposes for each the smallest rule (any-order, a normalize rule
// masking only the varying numbers, ignore-output); --write-rules writes
// them before the cells' fences, after which the runs agree, and a
// second pass writes no duplicate.
func TestRuns(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "count")
	l := variedLesson(t, strings.ReplaceAll(variedSrc, "COUNTER", counter))
	os.Remove(counter)
	ends, tot, _ := runSuite(t, Suite{Runs: 3, WriteRules: true}, l)
	cells := ends[0].Report.Cells
	want := []string{"", "<!-- labrun: any-order -->", `<!-- labrun: normalize /(took |worth )[0-9]+/${1}<N>/ -->`, "<!-- labrun: ignore-output -->"}
	for i, c := range cells {
		got := ""
		if c.Runs != nil && c.Runs.Rule != nil {
			got = c.Runs.Rule.Comment()
		}
		if got != want[i] {
			t.Errorf("cell %d: rule %q, want %q", i+1, got, want[i])
		}
		if wantV := map[bool]Verdict{true: Pass, false: Flaky}[i == 0]; c.Verdict != wantV {
			t.Errorf("cell %d: %v, want %v", i+1, c.Verdict, wantV)
		}
	}
	if tot.Flaky != 3 || tot.Status() != StatusOK || len(ends[0].Rules.Written) != 3 || ends[0].Rules.Err != nil {
		t.Fatalf("totals %+v, rules %+v", tot, ends[0].Rules)
	}
	text, _ := os.ReadFile(l.Path)
	for _, w := range want[1:] {
		if !regexp.MustCompile(regexp.QuoteMeta(w) + "\n```bash\n").Match(text) {
			t.Errorf("%s not on the line before its fence:\n%s", w, text)
		}
	}
	// With the rules, the runs agree: nothing is flaky, nothing written.
	ends, tot, _ = runSuite(t, Suite{Runs: 3, WriteRules: true}, l)
	if tot.Flaky != 0 || len(ends[0].Rules.Written) != 0 {
		t.Errorf("with the rules: totals %+v, written %d", tot, len(ends[0].Rules.Written))
	}
	again, _ := os.ReadFile(l.Path)
	if string(again) != string(text) {
		t.Errorf("a second pass changed the lesson:\n%s", again)
	}
}

// TestMaskVarying: the rule masks the varying tokens after their fixed
// context, with a class made of what they hold; lines that do not align
// give none.
func TestMaskVarying(t *testing.T) {
	for _, c := range []struct {
		runs     [][]string
		re, repl string
	}{
		{[][]string{{"pid 12 up", "x"}, {"pid 345 up", "x"}}, `(pid )[0-9]+`, "${1}<N>"},
		{[][]string{{"==1== a"}, {"==22== a"}}, `(^==)[0-9]+`, "${1}<N>"},
		{[][]string{{"id: 3f2a-x"}, {"id: 9bc1-x"}}, `(id: )[0-9a-f]+`, "${1}<V>"},
		{[][]string{{"at 12:30:01 go"}, {"at 13:01:59 go"}}, `(at )[0-9\:]+`, "${1}<V>"},
		{[][]string{{"--opt=5"}, {"--opt=6"}}, `(opt=)[0-9]+`, "${1}<N>"},
		{[][]string{{"a -5"}, {"a -6"}}, `(a \-)[0-9]+`, "${1}<N>"}, // never "--" in a comment
		// the letters a varying token begins or ends with stay: the class
		// masks the number alone, after the previous token's fixed end
		{[][]string{{"0.01user 0.00system 0:00.01elapsed"}, {"0.02user 0.01system 0:00.03elapsed"}}, `(0:|^|user )[0-9\.]+`, "${1}<V>"},
		{[][]string{{"run1 ok"}, {"run22 ok"}}, `(^run)[0-9]+`, "${1}<N>"},
		{[][]string{{"abc1"}, {"abd2"}}, `(^)[0-9a-f]+`, "${1}<V>"},
		// digits and letters of both cases are base64: its whole alphabet,
		// though the samples hold no "+", "/" or "="
		{[][]string{{"b64: 'q3Xb9Kd0'"}, {"b64: 'Z81mPq2A'"}}, `(b64: ')[0-9A-Za-z\+\/\=]+`, "${1}<V>"},
		{[][]string{{"id Ab1"}, {"id Xy2"}}, `(id )[0-9A-Za-z\+\/\=]+`, "${1}<V>"},
		{[][]string{{"day Mon"}, {"day Tue"}}, `(day )[A-Za-z]+`, "${1}<V>"},
		// base64 with another number of "+", "/" in each run
		{[][]string{{"k: 'a+b/Z9=='"}, {"k: 'Qx7Lm2pA'"}}, `(k: ')[0-9A-Za-z\+\/\=]+`, "${1}<V>"},
		// a placeholder of the built-in normalizers is one word
		{[][]string{{"mmap(0x<H>) = 5"}, {"mmap(0x<H>) = 6"}}, `(<H>\) = )[0-9]+`, "${1}<N>"},
	} {
		re, repl, ok := maskVarying(c.runs)
		if !ok || re != c.re || repl != c.repl {
			t.Errorf("%q: %q %q %v, want %q %q", c.runs, re, repl, ok, c.re, c.repl)
		}
	}
	for _, runs := range [][][]string{
		{{"a", "b"}, {"a"}},
		{{"a b"}, {"a b c"}},
		{{"same"}, {"same"}},
	} {
		if re, _, ok := maskVarying(runs); ok {
			t.Errorf("%q: %q, want no rule", runs, re)
		}
	}
}

// TestProposeWithRecord: the normalize rule is derived from the runs and
// the record when it makes them all agree (the record's other varying
// token masked too), from the runs alone when not.
func TestProposeWithRecord(t *testing.T) {
	cell := func(fresh, rec string) *CellReport {
		return &CellReport{RawFresh: fresh, RawRecorded: rec, Fresh: Normalize(fresh, nil, nil), Recorded: Normalize(rec, nil, nil)}
	}
	rep := &Report{}
	for _, c := range []struct{ rec, want string }{
		{"id 4 x 9\n", `normalize /(id |x )[0-9]+/${1}<N>/`},
		{"other\nlines\n", `normalize /(id )[0-9]+/${1}<N>/`},
	} {
		first := cell("id 5 x 7\n", c.rec)
		r := rep.propose(first, []*CellReport{first, cell("id 6 x 7\n", c.rec)})
		if r.Text() != c.want {
			t.Errorf("record %q: %s, want %s", c.rec, r.Text(), c.want)
		}
	}
}

// orderSrc has a cell printing "b" then "a", one printing "x 2", a
// console block whose command prints "d" then "c", one whose two
// commands print "e" and "f", and one printing a number that grows each
// run (the counter file COUNTER). Every run prints the same but the
// last.
const orderSrc = "# O\n\n```bash\n%%bash\nprintf 'b\\na\\n'\n```\n\n" +
	"```bash\n%%bash\necho x 2\n```\n\n" +
	"```console run\n$ printf 'd\\nc\\n'\nd\nc\n```\n\n" +
	"```console run\n$ echo e\ne\n$ echo f\nf\n```\n\n" +
	"```bash\n%%bash\nn=$(cat COUNTER 2>/dev/null || echo 0); echo $((n+1)) > COUNTER\necho \"n is $((n*7))\"\n```\n"

// TestRunsRecordOrder: --runs counts the record as an observation of
// the order of lines only. A cell whose runs agree and whose record
// holds the same lines in another order (cell 1; a console command's,
// cell 3) is flaky, any-order proposed and written, after which it
// passes; one whose record differs by a token (cell 2), or whose lines
// moved from one console command to another (cell 4), gets no rule and
// fails; one whose runs vary (cell 5) gets its rule from the runs, as
// before.
func TestRunsRecordOrder(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "count")
	l := variedLesson(t, strings.ReplaceAll(orderSrc, "COUNTER", counter))
	b, _ := os.ReadFile(l.Path)
	tr := string(b)
	for _, r := range [][2]string{{"    b\n    a\n", "    a\n    b\n"}, {"    x 2\n", "    x 3\n"},
		{"$ printf 'd\\nc\\n'\nd\nc\n", "$ printf 'd\\nc\\n'\nc\nd\n"}, {"$ echo e\ne\n$ echo f\nf\n", "$ echo e\nf\n$ echo f\ne\n"}} {
		if !strings.Contains(tr, r[0]) {
			t.Fatalf("the transcript has no %q:\n%s", r[0], tr)
		}
		tr = strings.Replace(tr, r[0], r[1], 1)
	}
	os.WriteFile(l.Path, []byte(tr), 0o644)
	os.Remove(counter)
	ends, tot, _ := runSuite(t, Suite{Runs: 2, WriteRules: true}, l)
	cells := ends[0].Report.Cells
	want := []struct {
		v        Verdict
		rule     string
		reorderd bool
	}{
		{Flaky, "any-order", true}, {Fail, "", false}, {Flaky, "any-order", true}, {Fail, "", false},
		{Flaky, `normalize /(is )[0-9]+/${1}<N>/`, false},
	}
	for i, c := range cells {
		rule, reordered := "", false
		if c.Runs != nil && c.Runs.Rule != nil {
			rule, reordered = c.Runs.Rule.Text(), c.Runs.Reordered
		}
		if c.Verdict != want[i].v || rule != want[i].rule || reordered != want[i].reorderd {
			t.Errorf("cell %d: %v, rule %q, reordered %v; want %v, %q, %v", i+1, c.Verdict, rule, reordered, want[i].v, want[i].rule, want[i].reorderd)
		}
	}
	if got := cells[0].Runs.String(); got != "flaky: its record holds another order of the same lines (2 runs agree)" {
		t.Errorf("cell 1 worded %q", got)
	}
	if d := cells[0].Runs.Diff(cells[0]); !strings.Contains(d, "\n-a\n b\n+a\n") {
		t.Errorf("cell 1's diff, recorded → fresh: %q", d)
	}
	if tot.Flaky != 3 || tot.Failed != 2 || len(ends[0].Rules.Written) != 3 || ends[0].Rules.Err != nil {
		t.Fatalf("totals %+v, rules %+v", tot, ends[0].Rules)
	}
	// A plain check: the reordered cells pass under their rule, the
	// others fail as before.
	ends, _, _ = runSuite(t, Suite{}, l)
	for i, c := range ends[0].Report.Cells {
		if wantV := map[bool]Verdict{true: Fail, false: Pass}[i == 1 || i == 3]; c.Verdict != wantV {
			t.Errorf("plain check, cell %d: %v, want %v", i+1, c.Verdict, wantV)
		}
	}
}
