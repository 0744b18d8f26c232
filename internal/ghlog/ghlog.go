// Package ghlog writes to a GitHub Actions job log, whose runner reads
// every line a step prints (on standard output and standard error alike)
// for workflow commands: labrun's own (a log group, an annotation) are
// escaped as the commands want (EscapeData, EscapeProperty), and text
// that is data — what a lesson's steps printed, shown in a diff — passes
// through a Writer, which keeps any line of it from being a command.
//
// The runner's rules (actions/runner, ActionCommandManager), which
// Commands follows: a line ends at "\n", "\r\n" or "\r"; a line whose
// text after leading white space starts with "::" and holds another "::"
// is a command ("::error file=a.md::message", the name before the first
// space or "::"), and so, anywhere in a line, is the older form
// "##[name properties]message"; "::stop-commands::TOKEN" makes the
// runner take no command but one named TOKEN ("::TOKEN::"), which
// resumes them. A diff's context line " ::add-mask::x" is therefore a
// command, and " ::stop-commands::x" would silence every annotation
// after it. It imports nothing of labrun.
package ghlog

import (
	"bytes"
	"crypto/rand"
	"io"
	"strings"
	"sync"
	"unicode"
)

// EscapeData escapes a command's message (what follows its second "::")
// as the runner unescapes it: "%", "\r" and "\n" as %25, %0D and %0A, so
// that the message is one line. Trailing newlines are dropped.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(strings.TrimRight(s, "\n"))
}

// EscapeProperty escapes a command's property value (file=...): as
// EscapeData, and ":" and "," too (%3A, %2C).
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// MayCommand says whether a line (one the runner reads: without "\r" or
// "\n") could be taken for a workflow command: after leading white space
// it starts with "::", or it holds "##[" anywhere. It errs on the safe
// side (a line "::x" with no second "::" is no command).
func MayCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") || strings.Contains(line, "##[")
}

// Writer passes text on to a job log line by line, putting each line
// that MayCommand between "::stop-commands::TOKEN" and "::TOKEN::", a
// fresh random TOKEN each time (GitHub's documented way to print text
// that holds commands): the log shows the line, and the runner takes no
// command from it. A line not ended yet waits for its end (or Flush).
// It is safe for use from several goroutines.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	rest []byte // the text after the last "\n"
}

// NewWriter writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes the lines p ends, bracketing those that could be
// commands; the text after p's last "\n" waits.
func (g *Writer) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rest = append(g.rest, p...)
	i := bytes.LastIndexByte(g.rest, '\n')
	if i < 0 {
		return len(p), nil
	}
	done := g.rest[:i+1]
	err := g.write(done)
	g.rest = append(g.rest[:0], g.rest[i+1:]...)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the text that waits for its line's end, ending it.
func (g *Writer) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.rest) == 0 {
		return nil
	}
	err := g.write(append(g.rest, '\n'))
	g.rest = g.rest[:0]
	return err
}

// write writes whole lines (text ending in "\n"): as they are, but each
// that could be a command bracketed.
func (g *Writer) write(lines []byte) error {
	var b bytes.Buffer
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		l := lines[:i+1]
		lines = lines[i+1:]
		if !mayCommandAny(string(l)) {
			b.Write(l)
			continue
		}
		token := newToken()
		b.WriteString("::stop-commands::" + token + "\n")
		b.Write(l)
		b.WriteString("::" + token + "::\n")
	}
	_, err := g.w.Write(b.Bytes())
	return err
}

// mayCommandAny says whether any of the lines the runner reads in s (it
// ends a line at "\r" too) could be a command.
func mayCommandAny(s string) bool {
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if MayCommand(l) {
			return true
		}
	}
	return false
}

// newToken is a stop-commands token nobody can guess: 128 random bits
// (crypto/rand.Text).
func newToken() string { return "labrun-" + rand.Text() }
