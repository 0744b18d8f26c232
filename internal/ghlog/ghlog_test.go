package ghlog

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// hostile are lines a lesson's step may print that the runner would take
// as commands, each as a diff would show it (a context line's space, a
// removed or added line's sign), and text that is none.
var hostile = []string{
	"::add-mask::secret",
	" ::stop-commands::pwned",
	"\t::warning::indented",
	"\u00a0::error::after a no-break space",
	"+##[add-mask]anywhere in the line",
	"-progress 10%\r::set-output name=x::a carriage return ends a line too",
	"::pwned::",
	"plain text",
	"a::b::c is no command",
}

// TestCommandsSeesThem: the runner's model takes the hostile lines for
// commands (so that the tests below would see one leak), and resumes
// after the token only.
func TestCommandsSeesThem(t *testing.T) {
	got := Commands(strings.Join(hostile, "\n") + "\n")
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	want := "add-mask stop-commands pwned"
	if strings.Join(names, " ") != want {
		t.Errorf("commands %q, want %q", names, want)
	}
	got = Commands("::warning::a\n::stop-commands::t1\n::error::b\n##[add-mask]c\n::T1::\n##[error]d\n")
	names = nil
	for _, c := range got {
		names = append(names, c.Name)
	}
	if want := "warning stop-commands T1 error"; strings.Join(names, " ") != want {
		t.Errorf("commands %q, want %q", names, want)
	}
}

// bracket matches a bracket's lines, to take them out again.
var bracket = regexp.MustCompile(`(?m)^(::stop-commands::labrun-[A-Z2-7]{26}|::labrun-[A-Z2-7]{26}::)\n`)

// TestWriter: through a Writer, written in pieces that cut lines
// anywhere, the hostile lines give the runner no command but the
// brackets' own, each line that could be one is bracketed with its own
// token, and the log less the brackets is the text as written.
func TestWriter(t *testing.T) {
	text := strings.Join(hostile, "\n") + "\nno newline at the end"
	for _, size := range []int{1, 3, 7, len(text)} {
		var log bytes.Buffer
		w := NewWriter(&log)
		for i := 0; i < len(text); i += size {
			w.Write([]byte(text[i:min(i+size, len(text))]))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		tokens := map[string]bool{}
		for _, c := range Commands(log.String()) {
			if c.Name == "stop-commands" {
				continue
			}
			if !strings.HasPrefix(c.Name, "labrun-") || tokens[c.Name] {
				t.Errorf("pieces of %d: the runner takes %q", size, c.Line)
			}
			tokens[c.Name] = true
		}
		if len(tokens) != 7 {
			t.Errorf("pieces of %d: %d lines bracketed, want 7:\n%s", size, len(tokens), log.String())
		}
		if got := bracket.ReplaceAllString(log.String(), ""); got != text+"\n" {
			t.Errorf("pieces of %d: the log without its brackets is\n%q\nwant\n%q", size, got, text+"\n")
		}
	}
}

// TestEscapeData: a message is one line, and reads back whole.
func TestEscapeData(t *testing.T) {
	msg := "100% done\r\nnext ::add-mask::x\n"
	got := EscapeData(msg)
	if got != "100%25 done%0D%0Anext ::add-mask::x" {
		t.Errorf("EscapeData = %q", got)
	}
	back := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(got)
	if back != strings.TrimRight(msg, "\n") {
		t.Errorf("unescaped: %q", back)
	}
	if got := EscapeProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("EscapeProperty = %q", got)
	}
}
