package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/labrun/labrun/runner"
)

// layout lays out outputs as Transcript does between a cell's markers.
func layout(outs []runner.Output) string {
	var b bytes.Buffer
	writeOutputs(&b, outs)
	return b.String()
}

func TestParseOutputs(t *testing.T) {
	outs := []runner.Output{
		{Kind: runner.Markdown, Text: "Run: `gcc a.c`"},
		{Kind: runner.Stream, Name: "stdout", Text: "a\n\nb\n"},
		{Kind: runner.Stream, Name: "stderr", Text: "err"},
		{Kind: runner.Markdown, Text: "`x = 1`  # one\n\nsecond paragraph"},
		{Kind: runner.Log, Text: "L | Process started. PID = 1\nO | ```\nL | Process finished. Exit code 0"},
		{Kind: runner.Markdown, Text: "after"},
	}
	block := layout(outs)
	got := ParseOutputs(block)
	if len(got) != len(outs) {
		t.Fatalf("ParseOutputs gave %d outputs, want %d: %#v", len(got), len(outs), got)
	}
	for i := range outs {
		if got[i].Kind != outs[i].Kind || strings.TrimSuffix(got[i].Text, "\n") != strings.TrimSuffix(outs[i].Text, "\n") {
			t.Errorf("output %d = %#v, want %#v", i, got[i], outs[i])
		}
	}
	if again := layout(got); again != block {
		t.Errorf("layout(ParseOutputs(block)) != block:\n%q\n%q", again, block)
	}
}

// representable says whether an output's text can come back from its
// layout: Markdown without lines that read as a stream or a fence and
// without three blank lines in a row and without NUL (the transcript
// drops it), text without leading or trailing blank lines, no carriage
// returns.
func representable(o runner.Output) bool {
	if o.Kind == runner.Stream {
		return true // any text: shown as a terminal shows it, which is stable
	}
	if o.Text == "" || strings.Contains(o.Text, "\r") || strings.Trim(o.Text, "\n") != o.Text {
		return false
	}
	switch o.Kind {
	case runner.Markdown:
		if strings.Contains(o.Text, "\n\n\n") || strings.Contains(o.Text, "\x00") {
			return false
		}
		for _, l := range strings.Split(o.Text, "\n") {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(l, "    ") || isBareFence(t) || t == "<pre>" || (t == "" && l != "") || strings.HasPrefix(l, "<!-- labrun:") {
				return false
			}
		}
	case runner.Log:
		for _, l := range strings.Split(o.Text, "\n") {
			if strings.TrimSpace(l) == "" && l != "" || strings.HasPrefix(l, "<!-- labrun:") {
				return false
			}
		}
	}
	return true
}

// FuzzParseOutputs: for outputs whose text can come back (representable),
// laying out what ParseOutputs reads from their layout gives the same
// block.
func FuzzParseOutputs(f *testing.F) {
	f.Add("hello\nworld", "Run: `gcc a.c`", "L | Process started. PID = 1\nO | x", "`x = 1`\n\npara")
	f.Add("a\n", "a\n\nb", "```\nin log", "x")
	f.Fuzz(func(t *testing.T, stream, md, log, md2 string) {
		all := []runner.Output{
			{Kind: runner.Stream, Name: "stdout", Text: stream},
			{Kind: runner.Markdown, Text: md},
			{Kind: runner.Log, Text: log},
			{Kind: runner.Markdown, Text: md2},
		}
		var outs []runner.Output
		for _, o := range all {
			if representable(o) {
				outs = append(outs, o)
			}
		}
		want := layout(outs)
		if got := layout(ParseOutputs(want)); got != want {
			t.Fatalf("round trip of %#v:\n got %q\nwant %q", outs, got, want)
		}
	})
}
