package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// FuzzUpdateCourse's course pairs: a notebook of Markdown cells and code
// cells of the course's magics, laid out as nbconvert does
// (jupyter.Markdown) into README_no_output.md and, with the outputs,
// README.md (the course's export adds a blank line at its top). A cell's
// outputs are those its source can print, as the course's magics show
// them (a display only where the cell's source says so: Run: lines,
// %// headings in the current magics and none in the 2019 ones, %p
// values, %MD text, spoilers of %run output, a Markdown display that is
// a fence, an IFrame, a background log),
// holding hostile text where a program's output goes.

// courseCell is a code cell of a fuzzed course lesson and the outputs it
// can print.
type courseCell struct {
	source   string
	language string
	outs     func(f *fuzzBytes, strs []string, magics2019 bool) []transcript.Output
}

// fuzzLine is one line of hostile text (no newline, no byte a course's
// export drops).
func fuzzLine(f *fuzzBytes, strs []string) string {
	t := fuzzOutputText(f, strs)
	t, _, _ = strings.Cut(t, "\n")
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\x1b' || r == 0 || r == '\b' {
			return -1
		}
		return r
	}, t)
}

// fuzzStream is stream text: hostile lines, not empty (an empty stream is
// no output), without the bytes a course's export drops.
func fuzzStream(f *fuzzBytes, strs []string) string {
	var lines []string
	for range 1 + f.next()%3 {
		lines = append(lines, fuzzLine(f, strs))
	}
	t := strings.Join(lines, "\n")
	if f.next()%3 != 0 || t == "" {
		t += "\n"
	}
	return t
}

func streams(f *fuzzBytes, strs []string) []transcript.Output {
	var outs []transcript.Output
	for range f.next() % 3 {
		outs = append(outs, transcript.Output{Kind: transcript.Stream, Name: transcript.StreamName(f.next() % 2), Text: fuzzStream(f, strs)})
	}
	return outs
}

// courseCells are the code cells of FuzzUpdateCourse's lessons.
var courseCells = []courseCell{
	{"print(x)", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		outs := streams(f, strs)
		switch f.next() % 4 {
		case 1:
			outs = append(outs, transcript.Output{Kind: transcript.Text, Text: fuzzStream(f, strs)})
		case 2:
			outs = append(outs, transcript.Output{Kind: transcript.Error, Text: "Traceback\n" + fuzzLine(f, strs) + "\nValueError: x"})
		}
		return outs
	}},
	{"print(y)", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output { return streams(f, strs) }},
	{"%%bash\necho hi", "bash", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output { return streams(f, strs) }},
	{"%%cpp a.c\n%// note it\n%run gcc a.c\n%run ./a.out", "cpp", func(f *fuzzBytes, strs []string, m2019 bool) []transcript.Output {
		var outs []transcript.Output
		if !m2019 {
			outs = append(outs, transcript.Output{Kind: transcript.Markdown, Text: `\#\#\#\# ` + "`note it`"})
		}
		outs = append(outs, transcript.Output{Kind: transcript.Markdown, Text: "Run: `gcc a.c`"})
		outs = append(outs, streams(f, strs)...)
		outs = append(outs, transcript.Output{Kind: transcript.Markdown, Text: "Run: `./a.out`"})
		return append(outs, streams(f, strs)...)
	}},
	{"%%cpp b.c --under-spoiler-threshold 2\n%run ./b.out", "cpp", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		outs := []transcript.Output{{Kind: transcript.Markdown, Text: "Run: `./b.out`"}}
		if s := spoilerOf(fuzzStream(f, strs)); s != "" {
			outs = append(outs, transcript.Output{Kind: transcript.HTML, Text: s})
		}
		return outs
	}},
	{"%p x\n%p y # a comment", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		x := fuzzLine(f, strs)
		for range f.next() % 4 / 3 { // a value of more lines than one
			// A line of it may read as one of labrun's markers: a
			// course's export shows it as it is (labrun's own writes
			// it with a space before it, render's raw), and it is
			// output, not layout: the recording is still the course's.
			x += "\n" + fuzzLine(f, strs)
		}
		return []transcript.Output{
			{Kind: transcript.Markdown, Text: "x = " + x},
			{Kind: transcript.Markdown, Text: "`y = " + fuzzLine(f, strs) + "`  # a comment"},
		}
	}},
	{"%MD **bold** text", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		if f.next()%4 == 0 {
			return nil
		}
		return []transcript.Output{{Kind: transcript.Markdown, Text: "**bold** text"}}
	}},
	{"a = TInteractiveLauncher('cat')\na.close()", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		log := []string{"L | Process started. PID = 1234"}
		for range f.next() % 4 {
			log = append(log, []string{"O", "E", "I"}[f.next()%3]+" | "+fuzzLine(f, strs))
		}
		log = append(log, "L | Process finished. Exit code 0")
		return append(streams(f, strs), transcript.Output{Kind: transcript.Log, Text: strings.Join(log, "\n")})
	}},
	{"display(Markdown('```\\n' + t + '\\n```'))", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		// a display that is a fence, holding no background log
		return []transcript.Output{{Kind: transcript.Markdown, Text: "```\n" + fuzzLine(f, strs) + "\n```"}}
	}},
	{"display(IFrame('https://example.org', 640, 480))", "python", func(f *fuzzBytes, strs []string, _ bool) []transcript.Output {
		return []transcript.Output{{Kind: transcript.HTML, Text: "<iframe\n    width=\"640\"\n    height=\"480\"\n    src=\"https://example.org\"\n    frameborder=\"0\"\n    allowfullscreen\n\n></iframe>"}}
	}},
}

// spoilerOf lays out a %run output as the course's magics do with
// --under-spoiler-threshold 2 (runner's spoiler).
func spoilerOf(out string) string {
	out = strings.TrimSuffix(out, "\n")
	out = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(out)
	switch {
	case len(strings.Split(out, "\n")) > 2:
		return "<details> <summary> output </summary> <pre><code>" + out + "</code></pre></details>"
	case out != "":
		return "<pre><code>" + out + "</code></pre>"
	}
	return ""
}

// courseProse are the Markdown cells between code cells.
var courseProse = []string{"# A lesson", "Some prose, `code` and <b>html</b>.", "```text\nnot run\n```",
	"## Part\n\nMore prose.", "<!-- a note -->", "* a list\n* of items"}

// notebookOutput is an output as the notebook holds it (nbformat); pre
// shows a background log in <pre>, as later exports of the course do.
func notebookOutput(o transcript.Output, pre bool) jupyter.Output {
	switch o.Kind {
	case transcript.Stream:
		t := jupyter.Text(o.Text)
		return jupyter.Output{OutputType: "stream", Name: o.Name.String(), Text: &t}
	case transcript.Text:
		return jupyter.Output{OutputType: "execute_result", Data: map[string]jupyter.Text{"text/plain": jupyter.Text(o.Text)}}
	case transcript.Error:
		return jupyter.Output{OutputType: "error", Traceback: strings.Split(o.Text, "\n")}
	case transcript.HTML:
		return jupyter.Output{OutputType: "display_data", Data: map[string]jupyter.Text{"text/html": jupyter.Text(o.Text), "text/plain": "<IPython.core.display.HTML object>"}}
	case transcript.Log: // the course's launcher's log, as its export shows it
		if pre {
			esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(o.Text)
			return jupyter.Output{OutputType: "display_data", Data: map[string]jupyter.Text{"text/html": jupyter.Text("<pre>\n" + esc + "\n</pre>")}}
		}
		return jupyter.Output{OutputType: "display_data", Data: map[string]jupyter.Text{"text/markdown": jupyter.Text("```\n" + o.Text + "\n\n```")}}
	}
	return jupyter.Output{OutputType: "display_data", Data: map[string]jupyter.Text{"text/markdown": jupyter.Text(o.Text)}}
}

// courseItem is a cell of a fuzzed course notebook: a Markdown cell
// (prose), a code cell (code), or a console block (console: a Markdown
// cell to the notebook, a cell to labrun, its record inside it).
type courseItem struct {
	prose   string
	code    *courseCell
	console []string
}

// courseLesson is a fuzzed course lesson: its notebook's cells, whether
// the 2019 magics ran it, whether it has console blocks that run, whether
// its file ends without a newline (after a Markdown cell), whether its
// export shows logs in <pre>.
type courseLesson struct {
	items      []courseItem
	m2019      bool
	consoleRun bool
	noEOL      bool
	preLogs    bool
}

// consoleBlocks are the commands of the console blocks of fuzzed course
// lessons.
var consoleBlocks = [][]string{{"echo a"}, {"first", "second |\n> more"}}

// fuzzCourse makes a course lesson and the outputs of each of its cells,
// recorded and fresh.
func fuzzCourse(f *fuzzBytes, strs []string) (cl *courseLesson, old, fresh []cellSpec) {
	cl = &courseLesson{m2019: f.next()%3 == 0}
	cl.preLogs = !cl.m2019 && f.next()%2 == 0
	for range 1 + f.next()%6 {
		var o cellSpec
		var c *courseCell
		switch k := f.next() % 8; {
		case k < 2:
			cl.items = append(cl.items, courseItem{prose: courseProse[f.next()%len(courseProse)]})
			continue
		case k == 2:
			cmds := consoleBlocks[f.next()%len(consoleBlocks)]
			cl.items, cl.consoleRun = append(cl.items, courseItem{console: cmds}), true
			for range cmds {
				o.console = append(o.console, consoleSpec{out: fuzzOutputText(f, strs), exit: f.next() % 3 / 2})
			}
		default:
			c = &courseCells[f.next()%len(courseCells)]
			cl.items = append(cl.items, courseItem{code: c})
			o.outs = c.outs(f, strs, cl.m2019)
		}
		n := o
		n.console = slices.Clone(o.console)
		switch f.next() % 6 {
		case 1: // the same but for volatile values
			n.outs = nil
			for _, out := range o.outs {
				out.Text = strings.ReplaceAll(out.Text, "1234", "98765")
				n.outs = append(n.outs, out)
			}
			for i := range n.console {
				n.console[i].out = strings.ReplaceAll(n.console[i].out, "12:34:56", "01:02:03")
			}
		case 2, 3: // it prints something else
			if c != nil {
				n.outs = c.outs(f, strs, cl.m2019)
			}
			for i := range n.console {
				if f.next()%2 == 0 {
					n.console[i] = consoleSpec{out: fuzzOutputText(f, strs), exit: f.next() % 3 / 2}
				}
			}
		case 4: // it printed nothing when recorded
			o.outs = nil
		case 5: // volatile values and a line of stream differ: an update merges
			n.outs = nil
			for _, out := range o.outs {
				out.Text = strings.ReplaceAll(out.Text, "1234", "98765")
				if out.Kind == transcript.Stream {
					out.Text += "12:34:56 new\n"
				}
				n.outs = append(n.outs, out)
			}
			for i := range n.console {
				n.console[i].out = strings.ReplaceAll(n.console[i].out, "12:34:56", "01:02:03") + "pid=4 new\n"
			}
		}
		old, fresh = append(old, o), append(fresh, n)
	}
	last := cl.items[len(cl.items)-1]
	cl.noEOL = last.prose != "" && f.next()%3 == 0
	return cl, old, fresh
}

// layout lays the lesson out as the course's export does: its skeleton
// (README_no_output.md) and, with the outputs specs say, its recording
// (README.md: the set-up cell's printed marker a blank line at its top).
// A console block records what specs say its commands printed, in a
// fence at least fences[i] long (cell i's; layout sets it); a rule
// stands right above the fence of print(y), as --write-rules writes it.
func (cl *courseLesson) layout(specs []cellSpec, fences []int) (skel, rec string) {
	nb := &jupyter.Notebook{Metadata: map[string]any{}}
	if cl.consoleRun {
		nb.Cells = append(nb.Cells, jupyter.Cell{CellType: "markdown", Source: "<!-- labrun: console=run -->"})
	}
	has, i := false, 0
	for _, it := range cl.items {
		switch {
		case it.prose != "":
			nb.Cells = append(nb.Cells, jupyter.Cell{CellType: "markdown", Source: jupyter.Text(it.prose)})
			continue
		case it.console != nil:
			block := consoleBlock(it.console, specs[i].console, fences[i])
			fences[i] = len(block) - len(strings.TrimLeft(block, "`"))
			nb.Cells = append(nb.Cells, jupyter.Cell{CellType: "markdown", Source: jupyter.Text(block)})
		default:
			cell := jupyter.Cell{CellType: "code", Source: jupyter.Text(it.code.source), Metadata: map[string]any{"magics_language": it.code.language}}
			for _, out := range specs[i].outs {
				cell.Outputs = append(cell.Outputs, notebookOutput(out, cl.preLogs))
				has = true
			}
			nb.Cells = append(nb.Cells, cell)
		}
		i++
	}
	skel, rec = jupyter.Markdown(nb, true), jupyter.Markdown(nb, false)
	if has {
		rec = "\n" + rec
	}
	rule := strings.NewReplacer("```python\nprint(y)\n", "<!-- labrun: any-order -->\n```python\nprint(y)\n")
	skel, rec = rule.Replace(skel), rule.Replace(rec)
	if cl.noEOL {
		skel, rec = strings.TrimSuffix(skel, "\n"), strings.TrimSuffix(rec, "\n")
	}
	return skel, rec
}

// consoleBlock is a console block of commands cmds that printed what outs
// say, recorded as labrun records it (lessons.ConsoleRecord), in a fence
// no record line closes, at least fence long (an update lengthens a fence,
// never shortens it).
func consoleBlock(cmds []string, outs []consoleSpec, fence int) string {
	var body strings.Builder
	for j, cmd := range cmds {
		body.WriteString("$ " + cmd + "\n")
		body.WriteString(lessons.ConsoleRecord(render.ConsoleText(transcript.ConsoleOutput{Output: outs[j].out}), outs[j].exit))
	}
	longest := 0
	for _, l := range strings.Split(body.String(), "\n") {
		l = strings.TrimLeft(l, " \t")
		longest = max(longest, len(l)-len(strings.TrimLeft(l, "`")))
	}
	f := strings.Repeat("`", max(3, longest+1, fence))
	return f + "console\n" + body.String() + f
}

// FuzzUpdateCourse: P1-P4 (update_fuzz_test.go) for course pairs.
func FuzzUpdateCourse(f *testing.F) {
	seeds := []struct {
		shape   []byte
		a, b, c string
	}{
		{[]byte{0, 5, 1, 0, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 3, 3, 1, 2, 1, 0, 1}, "hello", "", "no newline"},
		{[]byte{1, 5, 1, 2, 1, 3, 3, 1, 1, 8, 4, 1, 3, 1, 1, 6, 2, 5, 5, 5, 1, 4, 4}, "x", "```", "<!-- labrun:end -->"},
		{[]byte{0, 4, 0, 2, 1, 3, 2, 4, 1, 4, 8, 2, 1, 6, 3, 3, 3, 3, 1, 7, 0}, "</code></pre>", "</details>", "&amp;"},
		{[]byte{2, 3, 1, 4, 1, 4, 4, 2, 1, 1, 5, 0, 1, 6, 0, 3, 3}, "trail ", "\\#", "    indented"},
		// a %p value whose second line reads as labrun's opening marker
		{[]byte{1, 0, 0, 3, 5, 1, 4, 1, 3, 1, 0, 1, 1, 4, 1, 0}, "<!-- labrun:out cell=0 kind=python status=ok -->", "plain", "<!-- labrun:end -->"},
		// a display that is a fence
		{[]byte{1, 0, 0, 3, 8, 1, 4, 1, 0}, "plain", "second", "O | not a log"},
	}
	for _, s := range seeds {
		f.Add(s.shape, s.a, s.b, s.c)
	}
	f.Fuzz(updateCourseOnce)
}

// updateCourseOnce is one input of FuzzUpdateCourse.
func updateCourseOnce(t *testing.T, shape []byte, a, b, c string) {
	cl, old, fresh := fuzzCourse(&fuzzBytes{shape}, []string{a, b, c})
	fences := make([]int, len(old))
	skel, rec := cl.layout(old, fences)
	l, err := lessons.Parse("README_no_output.md", []byte(skel))
	if err != nil || len(l.Cells) != len(old) {
		t.Skip() // hostile prose made a cell of its own
	}
	// The recording reads back: its skeleton, and each cell's outputs.
	if got := transcript.StripAny([]byte(rec)); string(got) != skel {
		t.Fatalf("strip of the recording:\n%q\nwant:\n%q", got, skel)
	}
	first, _ := judged(t, []byte(rec), old, oldTime)
	for _, c := range first.Cells {
		if c.Verdict == Fail {
			t.Fatalf("cell %d fails against its own record (%v):\n%s\n%s", c.Number, c.Reason, c.Diff, rec)
		}
	}
	checkCourseUpdate(t, cl, []byte(rec), old, fresh, fences)
}

// TestUpdateCourseLogEntities: a background log in <pre> (its entities
// escaped, as a course's export shows it) that holds a printed "&amp;"
// passes against its own record, and the update properties hold
// (testdata/fuzz/FuzzUpdateCourse/pre-log-entity: a log line "O | &amp;",
// recorded as "O | &amp;amp;").
func TestUpdateCourseLogEntities(t *testing.T) {
	for _, s := range []string{"&amp;", "&lt;b&gt;", "&#38;", "&amp;amp;", "a & b <c>"} {
		t.Run(s, func(t *testing.T) {
			shape := []byte{1, 0, 0, 3, 7, 1, 0, 1, 0, 0, 0, 0}
			cl, old, _ := fuzzCourse(&fuzzBytes{shape}, []string{s, "", ""})
			_, rec := cl.layout(old, make([]int, len(old)))
			esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
			if !strings.Contains(rec, "<pre>\nL | Process started. PID = 1234\nO | "+esc+"\nL | ") {
				t.Fatalf("the shape makes no <pre> log of %q:\n%s", s, rec)
			}
			updateCourseOnce(t, shape, s, "", "")
		})
	}
}

// checkCourseUpdate checks P1-P4 for the transcript text of course
// lesson cl, recorded with outputs old (its console blocks in fences
// that long), updated with fresh ones.
func checkCourseUpdate(t *testing.T, cl *courseLesson, text []byte, old, fresh []cellSpec, fences []int) {
	t.Helper()
	rep, _ := judged(t, text, fresh, freshTime)
	updated, _ := rep.Updated()
	// P1: the skeleton, its console blocks recording the fresh output of
	// the commands that differ
	// but for the recorded lines P5 allows
	skel, _ := cl.layout(recordsAfter(rep, old, fresh), fences)
	sameButKept(t, "strip after the update", transcript.StripAny(updated), []byte(skel), text)
	// P3
	keptAsRecorded(t, rep, text, updated)
	// P4, P2
	again, _ := judged(t, updated, fresh, freshTime)
	for _, c := range again.Cells {
		if c.Verdict == Fail {
			t.Fatalf("cell %d fails after the update (%v):\n%s\n%q\nfrom:\n%q", c.Number, c.Reason, c.Diff, updated, text)
		}
	}
	if twice, changed := again.Updated(); changed {
		t.Fatalf("a second update changed:\n%q\ninto:\n%q", updated, twice)
	}
	// three passes
	back, _ := judged(t, updated, old, oldTime)
	third, _ := back.Updated()
	skel, _ = cl.layout(recordsAfter(back, recordsAfter(rep, old, fresh), old), fences)
	sameButKept(t, "strip after three updates", transcript.StripAny(third), []byte(skel), text, updated)
}

// recordsAfter are the console records an update with fresh outputs
// leaves after check rep of a transcript that records old ones: the
// fresh output of each command that differs, the record of the others.
func recordsAfter(rep *Report, old, fresh []cellSpec) []cellSpec {
	after := slices.Clone(old)
	for i, c := range rep.Cells {
		after[i].console = slices.Clone(old[i].console)
		if c.Verdict != Fail || !rep.mends(c) {
			continue
		}
		for j, k := range c.Commands {
			if k.Verdict == Fail && k.Reason.Kind == OutputDiffers {
				after[i].console[j] = fresh[i].console[j]
			}
		}
	}
	return after
}
