package lessons

import (
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

// Update is the file as "cram -i -y" leaves it given its fresh lines and
// their comparison (CramCompare), and false where cram's patch(1) fails,
// leaving the file as it was. That is only so for a file whose last line
// has no newline, which the diff's lines all have: patch takes the line
// as it stands when fuzz (at most 2 lines at the edges of a hunk) can
// leave it out, and fails otherwise. So the last line is kept, without
// its newline, when it is no part of a hunk or ends one as context; an
// insertion after it applies when the hunk holds no other context than
// at most 2 lines at the top of the file (the line gets its newline);
// a hunk that deletes it, or holds it with 3 lines of context, or
// between changes, fails.
func (f *CramFile) Update(fresh []string, ops []CramOp) ([]byte, bool) {
	a := f.Texts()
	merged := CramText(CramMerge(a, fresh, ops))
	n := len(a)
	if !f.NoEOL || n == 0 || len(ops) == 0 {
		return merged, true
	}
	last := ops[len(ops)-1]
	for _, op := range ops {
		if op.Op != cram.Equal && op.I1 <= n-1 && n-1 < op.I2 {
			return nil, false // a hunk deletes the last line
		}
	}
	if last.Op == cram.Equal {
		return merged[:len(merged)-1], true
	}
	// an insertion after the last line: the context before it is the
	// equal run that holds the last line
	prev := ops[len(ops)-2]
	return merged, prev.I1 == 0 && prev.I2-prev.I1 <= 2
}
