package check

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// The update round trip, fuzzed: a lesson of several cells of several
// kinds, a transcript of it with outputs O0 (render.Transcript, as
// labrun run writes it), and fresh outputs O1 of random hostile text,
// compared and updated as check --update does (Report.judge,
// Report.Updated), with no process run. FuzzUpdate checks labrun's own
// transcripts, FuzzUpdateCourse (update_course_fuzz_test.go) course
// pairs. The properties:
//
//	P1 strip(update(T, O)) is strip(T): the skeleton, byte for byte
//	   (a console block's record is its skeleton's: there, the
//	   commands that differ get their fresh lines and nothing else
//	   changes), also after three passes;
//	P2 update(update(T, O), O) is update(T, O), byte for byte;
//	P3 a cell whose normalized fresh output equals its record keeps its
//	   block byte for byte, no prose, code or rule line is lost or
//	   duplicated, no record is copied (the update is exactly the
//	   transcript of the cells that passed as recorded and the fresh
//	   outputs of those that failed, but for the lines P5 keeps);
//	P4 checking update(T, O) against O again passes every cell: the
//	   record reads back as exactly what was printed;
//	P5 an update keeps recorded lines only in place of fresh ones: it
//	   has the lines of the update P3 says, each the same but for some
//	   of a failing cell's (or command's) that are a recorded line in
//	   place of a fresh one (keepRecorded) — and P4 holds of it.

// fuzzText is a reader of fuzz bytes that gives 0 once they are used up.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) next() int {
	if len(f.b) == 0 {
		return 0
	}
	v := int(f.b[0])
	f.b = f.b[1:]
	return v
}

// hostileLines are output lines that look like layout: fences of every
// length and kind, HTML comments, <pre> and <details>, labrun's own
// markers, escapes and entities, trailing blanks, CR, volatile values.
var hostileLines = []string{
	"```", "````", "```python", "~~~", "~~~~~", "    ```", "<!-- x -->", "<!---->", "<pre>", "</pre>",
	"<pre><code>", "</code></pre>", "<details> <summary> output </summary>", "</details>",
	marker.Open + " cell=0 kind=python status=ok -->", marker.Close, " " + marker.Close, marker.Prefix + " any-order -->",
	`\#\#\#\# ` + "`x`", `\#`, "&amp; &lt;b&gt;", "trailing  ", "tab\t", "cr\r", "a\rb", "", "    ", "    indented",
	"pid=123", "12:34:56", "Run: `x`", "$ echo", "> more", "[1]", "x (re)", "O | log", "L | Process started. PID = 7",
	"<iframe src=\"u\"></iframe>", "\x1b[31mred\x1b[0m", "\\x00 (esc)",
	// a course cell and its outputs, as nbconvert lays them out
	"```python\nprint(x)\n```\n\n    x\n", "```python\n%p x\n```\n\n\nx = " + marker.Open + " -->",
}

// fuzzOutputText makes an output's text of hostile lines and the fuzzed
// strings, with a final newline or not.
func fuzzOutputText(f *fuzzBytes, strs []string) string {
	n := f.next() % 5
	var lines []string
	for range n {
		k := f.next()
		if k%4 == 0 {
			lines = append(lines, strs[(k/4)%len(strs)])
		} else {
			lines = append(lines, hostileLines[k%len(hostileLines)])
		}
	}
	text := strings.Join(lines, "\n")
	if f.next()%3 != 0 {
		text += "\n"
	}
	return text
}

// cellSpec is what a fuzzed run gives a cell: its outputs and exit
// status, and each console command's output and exit status.
type cellSpec struct {
	outs        []transcript.Output
	exit        int
	interrupted bool
	console     []consoleSpec
}

type consoleSpec struct {
	out  string
	exit int
}

// outputKinds are the kinds of output a fuzzed cell may print.
var outputKinds = []transcript.OutputKind{transcript.Stream, transcript.Stream, transcript.Markdown,
	transcript.HTML, transcript.Text, transcript.Error, transcript.Log}

// fuzzSpecs makes the outputs of each cell of lesson l: the first run's
// (old) and a fresh one that is the same, differs in its volatile
// values, in how the cell ended, in its text, or in some of its console
// commands.
func fuzzSpecs(f *fuzzBytes, l *lessons.Lesson, strs []string) (old, fresh []cellSpec) {
	for _, c := range l.Cells {
		var o cellSpec
		if c.Kind == lessons.Console {
			for range c.Console {
				o.console = append(o.console, consoleSpec{out: fuzzOutputText(f, strs), exit: f.next() % 3 / 2})
			}
		} else {
			for range f.next() % 4 {
				k := outputKinds[f.next()%len(outputKinds)]
				o.outs = append(o.outs, transcript.Output{Kind: k, Name: transcript.StreamName(f.next() % 2), Text: fuzzOutputText(f, strs)})
			}
		}
		n := o
		n.outs = slices.Clone(o.outs)
		n.console = slices.Clone(o.console)
		switch f.next() % 6 {
		case 1: // the same but for volatile values
			for i := range n.outs {
				n.outs[i].Text = strings.ReplaceAll(n.outs[i].Text, "123", "4567")
			}
			for i := range n.console {
				n.console[i].out = strings.ReplaceAll(n.console[i].out, "12:34:56", "01:02:03")
			}
		case 5: // volatile values and one line differ: an update merges
			for i := range n.outs {
				n.outs[i].Text = strings.ReplaceAll(n.outs[i].Text, "123", "4567") + "12:34:56 new\n"
			}
			for i := range n.console {
				n.console[i].out = strings.ReplaceAll(n.console[i].out, "12:34:56", "01:02:03") + "pid=4 new\n"
			}
		case 2: // it ends otherwise
			n.exit = 1 - n.exit
			n.interrupted = f.next()%3 == 0
		case 3, 4: // it prints something else
			n.outs = nil
			for range f.next() % 4 {
				k := outputKinds[f.next()%len(outputKinds)]
				n.outs = append(n.outs, transcript.Output{Kind: k, Name: transcript.StreamName(f.next() % 2), Text: fuzzOutputText(f, strs)})
			}
			for i := range n.console {
				if f.next()%2 == 0 {
					n.console[i] = consoleSpec{out: fuzzOutputText(f, strs), exit: f.next() % 3 / 2}
				}
			}
		}
		old, fresh = append(old, o), append(fresh, n)
	}
	return old, fresh
}

// fuzzRun is what running lesson l gave, cell by cell, as specs say.
func fuzzRun(l *lessons.Lesson, specs []cellSpec, d time.Duration) *transcript.Result {
	res := &transcript.Result{Lesson: l}
	for i, c := range l.Cells {
		s := specs[i]
		cr := &transcript.CellResult{Cell: c, Status: transcript.OK, Steps: 1, Duration: d,
			Exit: transcript.Exit{Code: s.exit}}
		if s.interrupted {
			cr.Interrupt(&transcript.Interruption{Cause: transcript.Timeout, After: time.Second})
		}
		for _, o := range s.outs {
			if o.Kind == transcript.Stream {
				cr.AddStream(o.Name, o.Text) // as a run gives them: a stream's text merged
			} else {
				cr.Add(o.Kind, o.Text)
			}
		}
		for j, cmd := range c.Console {
			cr.Console = append(cr.Console, transcript.ConsoleOutput{Command: cmd, Ran: true, Output: s.console[j].out, Exit: s.console[j].exit})
		}
		res.Cells = append(res.Cells, cr)
	}
	return res
}

// judged is the check of transcript text against the fresh run specs
// give (the run's lesson is the transcript's skeleton, as in Run).
func judged(t *testing.T, text []byte, specs []cellSpec, d time.Duration) (*Report, *transcript.Result) {
	t.Helper()
	rec, err := transcript.Parse("t.md", text)
	if err != nil {
		t.Fatalf("the transcript does not read: %v\n%s", err, text)
	}
	run, err := lessons.Parse("t.md", rec.Lesson.Source)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != len(specs) {
		t.Fatalf("the transcript has %d cells, the lesson %d:\n%s", len(run.Cells), len(specs), text)
	}
	rep := &Report{Lesson: Lesson{Path: "t.md"}, rec: rec}
	res := fuzzRun(run, specs, d)
	rep.judge(res)
	return rep, res
}

// updateFuzzPieces are the pieces FuzzUpdate's lessons are made of, in
// the course's dialect and in the native one.
var updateFuzzPieces = [2][]string{{
	"```python\nprint(x)\n```\n",
	"```bash\n%%bash\necho hi\n```\n",
	"```cpp\n%%cpp a.c\n%// note\n%run gcc a.c\n%run ./a.out\n```\n",
	"```python\n%p x\n%MD **bold**\n```\n",
	"```python\na = TInteractiveLauncher('cat')\n```\n",
	"<!-- labrun: any-order -->\n```python\nprint(y)\n```\n",
	"```text\nnot run\n```\n",
	"Some prose, `code`, <b>html</b>.\n",
	"## A heading\n",
}, {
	"```sh run\necho\n```\n",
	"```console run\n$ first\nrecorded\n$ second |\n> more\n$ third\n```\n",
	"~~~console run\n$ one\n~~~\n",
	"```python run\nprint(1)\n```\n",
	"<!-- labrun: normalize /[0-9]+/N/ -->\n```sh run\necho 1\n```\n",
	"```text\nprose\n```\n",
	"Prose.\n",
}}

// fuzzLesson makes a lesson of a few pieces, blank lines between them;
// the last may lack its final newline.
func fuzzLesson(f *fuzzBytes) string {
	native := f.next()%2 == 1
	pieces := updateFuzzPieces[0]
	var b strings.Builder
	b.WriteString("# Fuzzed\n\n")
	if native {
		pieces = updateFuzzPieces[1]
		b.WriteString("<!-- labrun: dialect=native -->\n\n")
	}
	n := 1 + f.next()%6
	for i := range n {
		b.WriteString(pieces[f.next()%len(pieces)])
		if i < n-1 {
			b.WriteString(strings.Repeat("\n", 1+f.next()%2))
		}
	}
	src := b.String()
	if f.next()%4 == 0 {
		src = strings.TrimSuffix(src, "\n")
	}
	return src
}

// Durations of the first run and of the fresh ones: a cell that ended as
// recorded keeps its recorded time.
const (
	oldTime   = 10 * time.Millisecond
	freshTime = 20 * time.Millisecond
)

// FuzzUpdate: P1-P4 (above) for labrun's own transcripts.
func FuzzUpdate(f *testing.F) {
	seeds := []struct {
		shape   []byte
		a, b, c string
	}{
		{[]byte{0, 5, 0, 1, 2, 3, 4, 5, 1, 3, 0, 7, 9, 3, 1, 0, 2, 3}, "hello", "", "no newline"},
		{[]byte{1, 5, 1, 0, 1, 1, 2, 2, 3, 1, 8, 12, 16, 3, 3, 3, 4, 4, 4}, "$ x", "```", "<!-- labrun:end -->"},
		{[]byte{0, 3, 2, 6, 3, 2, 2, 4, 8, 9, 10, 11, 3, 3, 2, 1, 2, 8}, "````\n~~~", "</details>", "&amp;"},
		{[]byte{1, 3, 1, 1, 1, 4, 4, 4, 4, 4, 3, 3, 3, 1, 2, 3, 4}, "trail \r\n", "\\#", "x (re)"},
		{[]byte{0, 5, 3, 4, 5, 0, 1, 2, 2, 3, 3, 6, 6, 6, 5, 5, 5, 4, 4, 3}, "<pre>", "O | x", ""},
		{[]byte{0, 0, 0, 3, 4, 0, 3, 4, 0, 4, 0}, "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.shape, s.a, s.b, s.c)
	}
	f.Fuzz(updateOnce)
}

// updateOnce is one input of FuzzUpdate.
func updateOnce(t *testing.T, shape []byte, a, b, c string) {
	fb := &fuzzBytes{shape}
	src := fuzzLesson(fb)
	l, err := lessons.Parse("l.md", []byte(src))
	if err != nil {
		t.Skip() // not every piece parses in every place (a rule before prose)
	}
	old, fresh := fuzzSpecs(fb, l, []string{a, b, c})
	// a cell may have no block: a cell added to the lesson by hand
	dropped, kept := map[int]bool{}, false
	for _, c := range l.Cells {
		dropped[c.Index] = fb.next()%5 == 4
		kept = kept || !dropped[c.Index]
	}
	if !kept {
		clear(dropped) // a transcript without a block is a lesson: check refuses it
	}
	text := dropBlocks(t, render.Transcript(fuzzRun(l, old, oldTime)), dropped)
	if fb.next()%6 == 5 {
		// a file saved with \r\n line ends: the update is no longer
		// the transcript render writes, but keeps what passed as it was
		text = []byte(strings.ReplaceAll(string(text), "\n", "\r\n"))
		dropped = nil
	}
	if len(l.Cells) > 0 && !transcript.IsLabrun(text) {
		// whatever its outputs hold (a course cell and its outputs)
		t.Fatalf("labrun's transcript is not read as labrun's:\n%q", text)
	}
	skeleton := transcript.Strip(text)
	checkUpdate(t, text, skeleton, old, fresh, dropped)
}

// dropBlocks returns labrun transcript text without the outputs blocks of
// the cells dropped says.
func dropBlocks(t *testing.T, text []byte, dropped map[int]bool) []byte {
	rec, err := transcript.Parse("t.md", text)
	if err != nil {
		t.Fatal(err)
	}
	owner := map[*transcript.Part]int{}
	for _, c := range rec.Lesson.Cells {
		if p := rec.Recorded(c.Index); p != nil {
			owner[p] = c.Index
		}
	}
	var b strings.Builder
	for i := range rec.Parts {
		p := &rec.Parts[i]
		b.WriteString(p.Skeleton)
		if idx, ok := owner[p]; p.HasOutputs && !(ok && dropped[idx]) {
			b.WriteString(p.Marker + "\n" + p.Outputs + marker.Close + "\n")
		}
	}
	out := b.String()
	if !strings.HasSuffix(string(text), "\n") {
		out = strings.TrimSuffix(out, "\n")
	}
	return []byte(out)
}

// checkUpdate checks P1-P4 for labrun transcript text, recorded with
// outputs old, updated with fresh ones.
func checkUpdate(t *testing.T, text, skeleton []byte, old, fresh []cellSpec, dropped map[int]bool) {
	t.Helper()
	rep, res := judged(t, text, fresh, freshTime)
	updated, _ := rep.Updated()
	// P3: exactly the transcript of the cells that passed as recorded
	// and the fresh outputs of those that failed (a cell with no block
	// gets one when it fails).
	still := map[int]bool{}
	for _, c := range rep.Cells {
		still[c.Index] = dropped[c.Index] && !(c.Verdict == Fail && rep.mends(c) && c.rewritesBlock())
	}
	if dropped != nil {
		want := dropBlocks(t, render.Transcript(expectedRun(t, rep, res, old, dropped)), still)
		sameButKept(t, "update", updated, want, text)
	}
	keptAsRecorded(t, rep, text, updated)
	// P1
	if !consoleChanged(rep) && string(transcript.Strip(updated)) != string(skeleton) {
		t.Fatalf("the update changed the skeleton:\n%q\nwas:\n%q", transcript.Strip(updated), skeleton)
	}
	// P4, P2
	again, _ := judged(t, updated, fresh, freshTime)
	for _, c := range again.Cells {
		if c.Verdict == Fail {
			t.Fatalf("cell %d fails after the update (%v):\n%s\n%s", c.Number, c.Reason, c.Diff, updated)
		}
	}
	if twice, changed := again.Updated(); changed {
		t.Fatalf("a second update changed:\n%s\ninto:\n%s", updated, twice)
	}
	// three passes: old, fresh, old again give the first transcript back
	// but for the cells' times and the blocks kept as normalized equal
	back, _ := judged(t, updated, old, oldTime)
	third, _ := back.Updated()
	if !consoleChanged(rep) && string(transcript.Strip(third)) != string(skeleton) {
		t.Fatalf("three updates changed the skeleton:\n%q\nwas:\n%q", transcript.Strip(third), skeleton)
	}
}

// sameButKept checks P5: got (what is) has the lines of want (what P3
// says the update is, every fresh line as it was printed), each the
// same but for lines that are one of the lines of recs.
func sameButKept(t *testing.T, what string, got, want []byte, recs ...[]byte) {
	t.Helper()
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	if len(g) != len(w) {
		t.Fatalf("%s:\n%s\nis not:\n%s\n%q\n%q", what, got, want, got, want)
	}
	kept := map[string]bool{}
	for _, r := range recs {
		for l := range strings.SplitSeq(string(r), "\n") {
			kept[l] = true
		}
	}
	for i := range g {
		if g[i] != w[i] && !kept[g[i]] {
			t.Fatalf("%s: line %d is %q, neither %q nor a recorded line:\n%q\n%q", what, i+1, g[i], w[i], got, want)
		}
	}
}

// keptAsRecorded checks that every cell that passed keeps its block of
// text in updated byte for byte (P3), and that no block stands in
// updated that no cell owns.
func keptAsRecorded(t *testing.T, rep *Report, text, updated []byte) {
	t.Helper()
	before, err := transcript.Parse("t.md", text)
	if err != nil {
		t.Fatal(err)
	}
	after, err := transcript.Parse("t.md", updated)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cells {
		p, q := before.Recorded(c.Index), after.Recorded(c.Index)
		if c.Verdict == Pass && ((p == nil) != (q == nil) || p != nil && (p.Block != q.Block || p.Outputs != q.Outputs)) {
			t.Fatalf("cell %d passed, yet its record changed:\n%q\ninto:\n%q", c.Number, text, updated)
		}
	}
	owned, blocks := 0, 0
	for _, c := range after.Lesson.Cells {
		if after.Recorded(c.Index) != nil {
			owned++
		}
	}
	for _, p := range after.Parts {
		if p.HasOutputs {
			blocks++
		}
	}
	if blocks != owned {
		t.Fatalf("%d outputs blocks for %d cells with outputs:\n%q", blocks, owned, updated)
	}
}

// consoleChanged says whether the update rewrites a console command's
// record (which is the skeleton's).
func consoleChanged(rep *Report) bool {
	for _, c := range rep.Cells {
		if c.Verdict == Fail && rep.mends(c) && len(c.FailingCommands()) > 0 {
			return true
		}
	}
	return false
}

// expectedRun is the run whose transcript the update is: each cell as
// recorded (old) but a failing one, which has its fresh outputs (its
// recorded ones when they are equal normalized), its fresh ending (its
// recorded time when it ended the same and had a block), and the fresh output of each of
// its console commands that differ.
func expectedRun(t *testing.T, rep *Report, res *transcript.Result, old []cellSpec, dropped map[int]bool) *transcript.Result {
	t.Helper()
	was := fuzzRun(res.Lesson, old, oldTime)
	for i, c := range rep.Cells {
		if c.Verdict != Fail || !rep.mends(c) {
			continue
		}
		o, n := was.Cells[i], res.Cells[i]
		if c.rewritesBlock() {
			cr := *n
			if slices.Equal(c.Recorded, c.Fresh) {
				cr.Outputs = o.Outputs
			}
			if !dropped[c.Index] && render.Annotation(o).SameButTime(render.Annotation(n)) {
				cr.Duration = o.Duration
			}
			cr.Console = o.Console
			was.Cells[i] = &cr
		}
		cons := slices.Clone(was.Cells[i].Console)
		for j, k := range c.Commands {
			if k.Verdict == Fail && k.Reason.Kind == OutputDiffers {
				cons[j] = n.Console[j]
			}
		}
		was.Cells[i].Console = cons
	}
	return was
}
