package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// consoleFuzzLesson is the lesson FuzzConsoleRoundTrip runs: a console
// block of three commands (one continued), fenced with FENCE, and a
// script cell whose stream output is fuzzed too.
const consoleFuzzLesson = "<!-- labrun: dialect=native -->\n\n" +
	"FENCEconsole run\n$ first\n$ second |\n> more\nrecorded\n$ third\nFENCE\n\n" +
	"```sh run\necho\n```\n"

// FuzzConsoleRoundTrip: whatever the commands of a console block print
// (any bytes: prompts, continuations, fences, matcher endings, exit
// lines, labrun's markers, HTML comments, control bytes, no final
// newline), the transcript
// reads back as the same commands with exactly that output (as a
// terminal showed it) and exit status, so that check passes each command
// and cram's patch keeps each record as it is; the skeleton
// (strip) has the same cells as the lesson; and a stream output holding
// the same bytes keeps every line of it in Layout.
func FuzzConsoleRoundTrip(f *testing.F) {
	seeds := []string{
		"$ touch /tmp/X\nhello\n", "> echo cont\n", "```\n```sh run\ntouch x\n```\n",
		"foo (re)\nbar (glob)\n[1]\n$\n", "a (esc)\n\\x24 b (esc)\n", "no newline",
		marker.Open + " cell=0 -->\n" + marker.Close + "\n", "<!-- x -->\n<pre>\n</details>\n~~~\n",
		"tab\there\r\nbell\a\x00\xff\u202e\n", "````\n    ```\n",
		"x (no-eol)", "x (no-eol)\n", "\x01 (no-eol)", "a\nb \\x28no-eol) (esc)", "* (glob)\n.* (re)",
	}
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)], i%3, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, out1, out2 string, exit int, tildes bool) {
		fence := "```"
		if tildes {
			fence = "~~~"
		}
		src := strings.ReplaceAll(consoleFuzzLesson, "FENCE", fence)
		l, err := lessons.Parse("f.md", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		outs := []string{out1, out2, out1 + out2}
		exits := []int{exit & 0xff, 0, (exit >> 8) & 0xff}
		res := &transcript.Result{Lesson: l}
		con := &transcript.CellResult{Cell: l.Cells[0], Status: transcript.OK}
		for i, cmd := range l.Cells[0].Console {
			con.Console = append(con.Console, transcript.ConsoleOutput{Command: cmd, Ran: true, Output: outs[i], Exit: exits[i]})
		}
		script := &transcript.CellResult{Cell: l.Cells[1], Status: transcript.OK, Steps: 1,
			Outputs: []transcript.Output{{Kind: transcript.Stream, Name: transcript.Stdout, Text: out1}}}
		res.Cells = []*transcript.CellResult{con, script}
		text := render.Transcript(res)

		// The transcript's skeleton has the lesson's cells, and the same
		// commands.
		skel := transcript.Strip(text)
		got, err := lessons.Parse("t.md", skel)
		if err != nil {
			t.Fatalf("the transcript's skeleton does not parse: %v\n%s", err, text)
		}
		if len(got.Cells) != len(l.Cells) || got.Cells[0].Kind != lessons.Console || got.Cells[1].Kind != l.Cells[1].Kind {
			t.Fatalf("the skeleton's cells differ from the lesson's:\n%s", text)
		}
		for i, cmd := range got.Cells[0].Console {
			want := l.Cells[0].Console[i]
			if cmd.Text != want.Text {
				t.Fatalf("command %d reads back as %q, want %q:\n%s", i, cmd.Text, want.Text, text)
			}
			// exactly the output printed, as a terminal showed it
			if fresh := render.ConsoleText(con.Console[i]); cmd.Recorded != fresh {
				t.Fatalf("command %d's output reads back as %q, want %q:\n%s", i, cmd.Recorded, fresh, text)
			}
			if cmd.Exit != exits[i] {
				t.Fatalf("command %d's exit status reads back as %d, want %d:\n%s", i, cmd.Exit, exits[i], text)
			}
			// cram's patch of the record with its own fresh lines keeps it
			fresh := lessons.ConsoleRecordLines(render.ConsoleText(con.Console[i]), exits[i])
			if p := cram.Patch(cmd.Lines, fresh); !slices.Equal(p, cmd.Lines) || !slices.Equal(fresh, cmd.Lines) {
				t.Fatalf("command %d: record %q, fresh lines %q, patched %q", i, cmd.Lines, fresh, p)
			}
		}
		if len(got.Cells[0].Console) != len(l.Cells[0].Console) {
			t.Fatalf("%d commands read back, want %d:\n%s", len(got.Cells[0].Console), len(l.Cells[0].Console), text)
		}
		// check compares each command with what it printed: they agree.
		rep := &CellReport{Verdict: Pass}
		compareConsole(rep, got.Cells[0], con, nil, func(n int) int { return n })
		if rep.Verdict != Pass {
			t.Fatalf("check fails the transcript's own record:\n%s\n%s", rep.Diff, text)
		}
		// The stream output's block keeps every line the step printed.
		var block string
		tr, err := transcript.Parse("t.md", text)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tr.Parts {
			if p.HasOutputs && strings.Contains(p.Skeleton, "```sh run") {
				block = p.Outputs
			}
		}
		want, _ := appendLines(nil, nil, termtext.Plain(out1), nil, false)
		if d := cmp.Diff(want, Layout(block)); d != "" {
			t.Fatalf("Layout of the stream output (-printed +read):\n%s\n%s", d, text)
		}
	})
}
