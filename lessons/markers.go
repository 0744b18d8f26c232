package lessons

import "strings"

// The marker lines around what labrun adds to a lesson in a transcript:
// render writes them, Strip removes them, Parse refuses a lesson that
// holds them. They are defined here only.
const (
	// MarkerPrefix begins every marker line.
	MarkerPrefix = "<!-- labrun:"
	// OutOpen begins the line that opens a cell's outputs; an annotation
	// and " -->" follow (OpenMarker writes the line).
	OutOpen = MarkerPrefix + "out"
	// OutClose is the line that closes a cell's outputs.
	OutClose = MarkerPrefix + "end -->"
)

// OpenMarker returns the line, without its newline, that opens a cell's
// outputs and carries its annotation. Every "--" of the annotation is
// broken up ("- -"), so that nothing in it can end the HTML comment.
func OpenMarker(annotation string) string {
	for strings.Contains(annotation, "--") {
		annotation = strings.ReplaceAll(annotation, "--", "- -")
	}
	return OutOpen + " " + annotation + " -->"
}

// IsMarker reports whether line would read as one of labrun's marker
// lines: output shown raw in a transcript must not start with one (render
// puts a space before it).
func IsMarker(line string) bool { return strings.HasPrefix(line, MarkerPrefix) }
