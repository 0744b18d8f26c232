package check

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// UnifiedDiff returns a unified diff from a (labelled from) to b
// (labelled to), or "" when they are equal. The diff is go-internal's
// anchored one (the Go tools' own): O(n log n) on any input, where the
// table this replaced was quadratic and, past a cap, showed every line
// as removed and added; it anchors on lines that occur once on both
// sides, so that blank lines and braces do not pair up unrelated text.
// Each hunk shows three lines of context.
func UnifiedDiff(from, to string, a, b []string) string {
	if slices.Equal(a, b) {
		return ""
	}
	d := diff.Diff(from, joinLines(a), to, joinLines(b))
	// diff.Diff starts with a "diff FROM TO" line, which a unified diff
	// (and patch -p1) does not need: the ---/+++ lines name the files.
	if i := bytes.IndexByte(d, '\n'); i >= 0 && bytes.HasPrefix(d, []byte("diff ")) {
		d = d[i+1:]
	}
	return hunkHeader.ReplaceAllStringFunc(string(d), func(h string) string {
		return oneLine.ReplaceAllString(h, "$1")
	})
}

// hunkHeader is a hunk's first line; oneLine a range of one line in it,
// which GNU diff writes without its ",1" ("@@ -3 +3 @@") and
// go-internal's diff with it.
var (
	hunkHeader = regexp.MustCompile(`(?m)^@@ -[0-9,]+ \+[0-9,]+ @@$`)
	oneLine    = regexp.MustCompile(`([-+][0-9]+),1\b`)
)

// joinLines is the text of lines, each ended by a newline.
func joinLines(lines []string) []byte {
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}
