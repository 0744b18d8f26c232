package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// --update rewrites only what differs. The fresh outputs of a failing
// cell are laid out as a fresh record would hold them; then each of its
// lines whose compared line (Normalize: layout, volatile values, the
// lesson's and the cell's rules) the check's diff pairs with an equal
// compared line of the record is the recorded line again, byte for byte
// (its clock time, its pid as recorded): only the lines of the hunks
// that differ come from the fresh run. The lines that compare as nothing
// (blank lines, fences, <pre>: the layout) are the fresh layout's, and
// so are the markers. The text so merged must compare as the fresh one
// does, and the whole update must read back as the unmerged one does
// but for those lines (mergedOK), or the fresh layout is written whole:
// an update never writes a record that fails the check.

// lineSource gives lines' compared lines and, for each, the line of
// lines (from 0) it comes from (-1: none known).
type lineSource func(lines []string) (compared []string, from []int)

// lineKinds gives, for each of lines, what holds it: a recorded line
// stands for a fresh one only where they have the same (nil: any).
type lineKinds func(lines []string) []int

// keepRecorded returns the fresh lines with, line for line, the recorded
// line in place of each fresh one the alignment of their compared lines
// (alignEqual) pairs with it, when keep says the recorded line may stand
// there (nil: any); fresh itself when no line changes or when the lines
// so merged would not compare as the fresh ones do.
func keepRecorded(rec, fresh []string, norm lineSource, kinds lineKinds, keep func(string) bool) []string {
	nr, fr := norm(rec)
	nf, ff := norm(fresh)
	var kr, kf []int
	if kinds != nil {
		kr, kf = kinds(rec), kinds(fresh)
	}
	var out []string
	for _, p := range alignEqual(nr, nf) {
		i, j := fr[p[0]], ff[p[1]]
		if i < 0 || j < 0 || i >= len(rec) || j >= len(fresh) || rec[i] == fresh[j] || keep != nil && !keep(rec[i]) {
			continue
		}
		if kinds != nil && (i >= len(kr) || j >= len(kf) || kr[i] != kf[j]) {
			continue // a line of stream text for a display's, a log's for a display's
		}
		if out == nil {
			out = slices.Clone(fresh)
		}
		out[j] = rec[i]
	}
	if out == nil {
		return fresh
	}
	if got, _ := norm(out); !slices.Equal(got, nf) {
		return fresh
	}
	return out
}

// keepRecordedText is keepRecorded on the lines of two laid-out
// outputs blocks: a recorded line stands for a fresh one of the same
// kind of output (kindsOfLines).
func keepRecordedText(rec, fresh string, norm lineSource) string {
	out := keepRecorded(strings.Split(rec, "\n"), strings.Split(fresh, "\n"), norm, kindsOfLines, nil)
	return strings.Join(out, "\n")
}

// kindsOfLines are the kinds of output (transcript.OutputKind: stream
// text, a log, a display) that hold the lines of an outputs block, -1
// for a line of none (the layout) and for a log's line that is not its
// text as written (a <pre> log's line with entities: in a fence, where a
// fresh log goes, its bytes would be other text).
func kindsOfLines(lines []string) []int {
	plain := termtext.Plain(strings.Join(lines, "\n"))
	outs, from := transcript.ParseOutputsFrom(plain)
	shown := strings.Split(plain, "\n") // the lines as ParseOutputs read them
	kinds := make([]int, len(lines))
	for i := range kinds {
		kinds[i] = -1
	}
	for i, o := range outs {
		text := strings.Split(o.Text, "\n")
		for k, l := range from[i] {
			if l < 0 || l >= len(kinds) || l >= len(shown) {
				continue
			}
			if o.Kind == transcript.Log && shown[l] != text[k] && shown[l] != " "+text[k] {
				continue
			}
			kinds[l] = int(o.Kind)
		}
	}
	return kinds
}

// blockSource is the lineSource of an outputs block's lines under the
// lesson's rules and the cell's (normalizeFrom).
func blockSource(lesson []lessons.Normalize, cell *lessons.CellRules) lineSource {
	return func(lines []string) ([]string, []int) {
		return normalizeFrom(strings.Join(lines, "\n"), lesson, cell)
	}
}

// consoleSource is the lineSource of a console command's recorded lines
// (escaped, "[N]" last for an exit status that is not 0) under the
// lesson's rules and the block's: comparedLines of what they stand for,
// the "[N]" line from the last line.
func consoleSource(lesson []lessons.Normalize, cell *lessons.CellRules) lineSource {
	return func(lines []string) ([]string, []int) {
		text, exit := lessons.ReadConsoleRecord(lines)
		return comparedLinesFrom(text, exit, len(lines)-1, lesson, cell)
	}
}

// consoleKeeps says whether a recorded line of a console command may
// stand at any line of its output: not one a block would read as a
// command ("$ ", "$") or, were it the first, a continuation ("> ").
func consoleKeeps(l string) bool {
	return !strings.HasPrefix(l, "$ ") && l != "$" && !strings.HasPrefix(l, "> ")
}

// alignEqual pairs the lines of a and b that the check's diff
// (UnifiedDiff: go-internal's anchored diff) leaves as they are: the
// context lines of its hunks and the lines between them, in order; nil
// when its hunks do not read back.
func alignEqual(a, b []string) [][2]int {
	ids := map[string]string{} // a line as a token of no newline, for the diff
	token := func(lines []string) []string {
		t := make([]string, len(lines))
		for i, l := range lines {
			if _, ok := ids[l]; !ok {
				ids[l] = strconv.Itoa(len(ids))
			}
			t[i] = ids[l]
		}
		return t
	}
	ta, tb := token(a), token(b)
	var pairs [][2]int
	i, j := 0, 0
	upTo := func(x, y int) bool { // the lines before a[x] and b[y] are equal
		if x-i != y-j || x < i {
			return false
		}
		for ; i < x; i, j = i+1, j+1 {
			pairs = append(pairs, [2]int{i, j})
		}
		return true
	}
	d := diff.Diff("a", joinLines(ta), "b", joinLines(tb))
	for _, l := range strings.Split(string(d), "\n") {
		switch {
		case strings.HasPrefix(l, "@@ "):
			var x, nx, y, ny int
			if _, err := fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &x, &nx, &y, &ny); err != nil {
				return nil
			}
			if nx > 0 {
				x-- // a hunk's first line, from 1; with no line, the line before it
			}
			if ny > 0 {
				y--
			}
			if !upTo(x, y) {
				return nil
			}
		case strings.HasPrefix(l, " "):
			pairs = append(pairs, [2]int{i, j})
			i, j = i+1, j+1
		case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- "):
			i++
		case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ "):
			j++
		}
	}
	if !upTo(len(a), len(b)) {
		return nil
	}
	return pairs
}

// mergedOK says whether an update text merged, in which recorded lines
// stand for fresh ones, reads back as the update plain (the same text
// with every fresh line) does: the same parts, skeletons and markers,
// and every cell's record comparing as it does there. name is the
// transcript's name.
func (r *Report) mergedOK(name string, merged, plain []byte) bool {
	a, err := transcript.Parse(name, merged)
	if err != nil {
		return false
	}
	b, err := transcript.Parse(name, plain)
	if err != nil || len(a.Parts) != len(b.Parts) || len(a.Lesson.Cells) != len(b.Lesson.Cells) {
		return false
	}
	for i := range a.Parts {
		p, q := &a.Parts[i], &b.Parts[i]
		if p.Skeleton != q.Skeleton || p.HasOutputs != q.HasOutputs || p.Marker != q.Marker || p.Sep != q.Sep {
			return false
		}
	}
	for _, c := range b.Lesson.Cells {
		p, q := a.Recorded(c.Index), b.Recorded(c.Index)
		if (p == nil) != (q == nil) {
			return false
		}
		if p != nil && !slices.Equal(Normalize(p.Outputs, b.Lesson.Normalize, &c.Rules), Normalize(q.Outputs, b.Lesson.Normalize, &c.Rules)) {
			return false
		}
	}
	return true
}
