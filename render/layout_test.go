package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// layout lays out outputs as Transcript does between a cell's markers.
func layout(outs []transcript.Output) string {
	var b bytes.Buffer
	writeOutputs(&b, outs)
	return b.String()
}

func TestParseOutputs(t *testing.T) {
	outs := []transcript.Output{
		{Kind: transcript.Markdown, Text: "Run: `gcc a.c`"},
		{Kind: transcript.Stream, Text: "a\n\nb\n"},
		{Kind: transcript.Stream, Name: transcript.Stderr, Text: "err"},
		{Kind: transcript.Markdown, Text: "`x = 1`  # one\n\nsecond paragraph"},
		{Kind: transcript.Log, Text: "L | Process started. PID = 1\nO | ```\nL | Process finished. Exit code 0"},
		{Kind: transcript.Markdown, Text: "after"},
	}
	block := layout(outs)
	got := transcript.ParseOutputs(block)
	if len(got) != len(outs) {
		t.Fatalf("ParseOutputs gave %d outputs, want %d: %#v", len(got), len(outs), got)
	}
	for i := range outs {
		if got[i].Kind != outs[i].Kind || strings.TrimSuffix(got[i].Text, "\n") != strings.TrimSuffix(outs[i].Text, "\n") {
			t.Errorf("output %d = %#v, want %#v", i, got[i], outs[i])
		}
	}
	if again := layout(got); again != block {
		t.Errorf("layout(transcript.ParseOutputs(block)) != block:\n%q\n%q", again, block)
	}
}

// representable says whether an output's text can come back from its
// layout: Markdown without lines that read as a stream or a fence and
// without three blank lines in a row and without NUL (the transcript
// drops it), text without leading or trailing blank lines, no carriage
// returns.
func representable(o transcript.Output) bool {
	if o.Kind == transcript.Stream {
		return true // any text: shown as a terminal shows it, which is stable
	}
	if o.Text == "" || strings.Contains(o.Text, "\r") || strings.Trim(o.Text, "\n") != o.Text {
		return false
	}
	switch o.Kind {
	case transcript.Markdown:
		if strings.Contains(o.Text, "\n\n\n") || strings.Contains(o.Text, "\x00") {
			return false
		}
		for _, l := range strings.Split(o.Text, "\n") {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(l, "    ") || isBareFence(t) || t == "<pre>" || (t == "" && l != "") || strings.HasPrefix(l, "<!-- labrun:") {
				return false
			}
		}
	case transcript.Log:
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
		all := []transcript.Output{
			{Kind: transcript.Stream, Text: stream},
			{Kind: transcript.Markdown, Text: md},
			{Kind: transcript.Log, Text: log},
			{Kind: transcript.Markdown, Text: md2},
		}
		var outs []transcript.Output
		for _, o := range all {
			if representable(o) {
				outs = append(outs, o)
			}
		}
		want := layout(outs)
		if got := layout(transcript.ParseOutputs(want)); got != want {
			t.Fatalf("round trip of %#v:\n got %q\nwant %q", outs, got, want)
		}
	})
}

// isBareFence says whether a trimmed line is a fence with no info string.
func isBareFence(t string) bool {
	return len(t) >= 3 && (strings.Trim(t, "`") == "" || strings.Trim(t, "~") == "")
}
