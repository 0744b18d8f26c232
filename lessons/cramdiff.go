package lessons

import (
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/cram"
)

// How cram 0.7 compares a test file with its fresh lines (_diff.py), so
// that a check says what cram says and --update writes what "cram -i -y"
// writes: internal/cram's port of difflib's SequenceMatcher with cram's
// matchers, over the file's whole lines (indent included, as cram's),
// and the patch(1) cram runs with its diff.

// CramOp is one opcode of the comparison: lines A[I1:I2] of the file
// and B[J1:J2] of the fresh lines are Equal, or differ.
type CramOp = cram.Opcode

// CramCompare compares a cram file's lines a with its fresh lines b (each
// with its "\n") as cram does, giving difflib's opcodes.
func CramCompare(a, b []string) []CramOp {
	return cram.Opcodes(withoutNewlines(a), withoutNewlines(b))
}

// withoutNewlines are lines without their "\n", as internal/cram takes
// them.
func withoutNewlines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSuffix(l, "\n")
	}
	return out
}

// CramMerge is what "cram -i -y" leaves of file lines a given fresh lines
// b: a's lines where they match, b's elsewhere.
func CramMerge(a, b []string, ops []CramOp) []string {
	var out []string
	for _, op := range ops {
		if op.Op == cram.Equal {
			out = append(out, a[op.I1:op.I2]...)
		} else {
			out = append(out, b[op.J1:op.J2]...)
		}
	}
	return out
}

// cramContext is the context of the hunks of cram's diff (unified_diff's
// n, 3): difflib's get_grouped_opcodes starts a new hunk past an equal
// run of more than twice as many lines.
const cramContext = 3

// Update is the file as "cram -i -y" leaves it given its fresh lines and
// their comparison (CramCompare), and false where cram's patch(1) rejects
// a hunk of the diff (cram says "merge failed"). patch applies the hunks
// it can and leaves the file's lines as they were where it rejects one
// (_cli.py: _patch runs patch -p0, which does both). Only a hunk that
// holds a last line without newline can be rejected: the diff's lines
// all have one. patch takes the line as it stands when fuzz (at most 2
// lines at the edges of a hunk) can leave it out, and rejects the hunk
// otherwise (cramRejected). The last line is kept, without its newline,
// where patch leaves it out or the diff does not hold it; an insertion
// after it gives it its newline.
func (f *CramFile) Update(fresh []string, ops []CramOp) ([]byte, bool) {
	a := f.Texts()
	n := len(a)
	if !f.NoEOL || n == 0 || len(ops) == 0 {
		return CramText(CramMerge(a, fresh, ops)), true
	}
	rejected := cramRejected(ops, n)
	var out []string
	lastKept := false // the output ends with the file's own last line
	for k, op := range ops {
		if op.Op == cram.Equal || rejected[k] {
			out = append(out, a[op.I1:op.I2]...)
			lastKept = op.I2 == n || lastKept && op.I1 == op.I2
		} else {
			out = append(out, fresh[op.J1:op.J2]...)
			lastKept = lastKept && op.J1 == op.J2
		}
	}
	text := CramText(out)
	if lastKept {
		text = text[:len(text)-1]
	}
	return text, !slices.Contains(rejected, true)
}

// cramRejected says which of the opcodes of a file of n lines, the last
// without newline, are in a hunk patch rejects (Update). Only the last
// hunk can hold the last line. GNU patch (locate_hunk) tries fuzz 0 to
// 2; with fuzz F it leaves out F+P-C of the hunk's P lines of context
// before its changes and F+S-C of its S lines after them, C the larger of
// P and S, and a hunk with fewer lines of context after than C must end
// at the end of the file (fewer before: start at its top). So a hunk
// that deletes or replaces the last line is rejected; one that holds it
// as the last of its context after is rejected when no fuzz leaves it
// out (S is 1 and P 3: it needs fuzz 3); one that inserts after it
// applies only when all its context is at most 2 lines before the
// insertion (fuzz 2 leaves them out; a change before them would hold
// the line between changes, where no fuzz reaches).
func cramRejected(ops []CramOp, n int) []bool {
	rejected := make([]bool, len(ops))
	first := -1 // the last hunk's first change
	for k, op := range ops {
		switch {
		case op.Op != cram.Equal && first < 0:
			first = k
		case op.Op == cram.Equal && op.I2-op.I1 > 2*cramContext && k < len(ops)-1:
			first = -1 // the next change starts another hunk
		}
	}
	if first < 0 {
		return rejected
	}
	before := 0 // the context before the hunk's first change
	if first > 0 {
		before = min(ops[first-1].I2-ops[first-1].I1, cramContext)
	}
	last := ops[len(ops)-1]
	var reject bool
	switch {
	case last.Op == cram.Equal:
		// the last line is context after the hunk's changes, if it is
		// within cramContext lines of them
		reject = last.I2-last.I1 == 1 && before == cramContext
	case last.I1 == n:
		// an insertion after the last line
		prev := ops[len(ops)-2]
		reject = first != len(ops)-1 || prev.I1 != 0 || prev.I2-prev.I1 > 2
	}
	for _, op := range ops[first:] {
		if op.Op != cram.Equal && op.I1 <= n-1 && n-1 < op.I2 {
			reject = true // it deletes the last line
		}
	}
	for k := first; reject && k < len(ops); k++ {
		rejected[k] = true
	}
	return rejected
}
