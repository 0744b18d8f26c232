package check

import (
	"fmt"
	"io"
	"strings"
)

// WriteAnnotations writes a GitHub Actions "::error file=…,line=…::"
// annotation for every failing cell of a report.
func WriteAnnotations(w io.Writer, r *Report) {
	for _, c := range r.Cells {
		if c.Verdict != Fail {
			continue
		}
		msg := fmt.Sprintf("cell %d: %s", c.Number, c.Reason)
		if c.How != "" {
			msg += " (the cell ended: " + c.How + ")"
		}
		if c.Diff != "" {
			msg += "\n" + c.Diff
		}
		fmt.Fprintf(w, "::error file=%s,line=%d::%s\n", escapeProperty(r.Path), c.Line, escapeData(msg))
	}
}

// escapeData escapes an annotation's message as the workflow commands
// want.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(strings.TrimRight(s, "\n"))
}

// escapeProperty escapes a property value (file=...).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
