// Package marker holds the words of the marker lines labrun writes around
// what it adds to a lesson in a transcript, and nothing else: the
// transcript package writes and reads them, lessons refuses a lesson that
// holds them and tells them from its directives (which share their
// "<!-- labrun:" prefix). It imports nothing of labrun's, so that both
// can import it.
package marker

import (
	"bytes"
	"strings"
)

const (
	// Prefix begins every marker line, and every directive of the colon
	// form ("<!-- labrun: timeout 30s -->").
	Prefix = "<!-- labrun:"
	// Open begins the line that opens a cell's outputs; an annotation
	// and " -->" follow (OpenLine writes the line).
	Open = Prefix + "out"
	// Close is the line that closes a cell's outputs.
	Close = Prefix + "end -->"
	// commentEnd ends the opening line.
	commentEnd = "-->"
)

// OpenLine returns the line, without its newline, that opens a cell's
// outputs and carries its annotation. Every "--" of the annotation is
// broken up ("- -"), so that nothing in it can end the HTML comment.
func OpenLine(annotation string) string {
	for strings.Contains(annotation, "--") {
		annotation = strings.ReplaceAll(annotation, "--", "- -")
	}
	return Open + " " + annotation + " " + commentEnd
}

// IsOpen reports whether a line (with or without its newline) opens a
// cell's outputs.
func IsOpen(line string) bool { return strings.HasPrefix(line, Open) }

// IsClose reports whether a line (with or without its newline, "\r\n"
// too) closes a cell's outputs.
func IsClose(line string) bool { return strings.TrimRight(line, "\r\n") == Close }

// Annotation returns the annotation an opening line carries, trimmed.
func Annotation(line string) string {
	a := strings.TrimSpace(strings.TrimPrefix(line, Open))
	return strings.TrimSpace(strings.TrimSuffix(a, commentEnd))
}

// Has reports whether src holds a line that opens a cell's outputs: it
// is a labrun transcript.
func Has(src []byte) bool {
	return bytes.HasPrefix(src, []byte(Open)) || bytes.Contains(src, []byte("\n"+Open))
}

// Looks reports whether line would read as a marker line or a colon-form
// directive: output shown raw in a transcript must not start with one
// (the transcript puts a space before it).
func Looks(line string) bool { return strings.HasPrefix(line, Prefix) }
