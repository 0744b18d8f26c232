package check

import (
	"regexp"
	"strings"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// Updated returns the recorded transcript with the fresh outputs of every
// failing cell in place of its recorded ones; every other byte (prose,
// code, rules, the outputs of cells that pass) is kept. changed says
// whether anything differs.
func (r *Report) Updated() (text []byte, changed bool) {
	failing := map[int]*CellReport{}
	for _, c := range r.Cells {
		if c.Verdict == Fail && mendable(c) && c.Result != nil {
			failing[c.Index] = c
		}
	}
	if len(failing) == 0 {
		return r.transcript, false
	}
	owner := map[int]int{} // part -> cell index
	for idx, p := range r.partOf {
		owner[p] = idx
	}
	endOf := map[int]int{} // closing fence line in the joined skeleton -> cell index
	for _, c := range r.recCells {
		if _, has := r.partOf[c.Index]; !has {
			endOf[c.EndLine] = c.Index
		}
	}
	skip, insert := consoleEdits(failing)
	var b strings.Builder
	b.Grow(len(r.transcript) + 1024)
	line := 0
	for i, p := range r.parts {
		// the skeleton, with the fresh outputs of the console commands
		// that differ in their blocks, and fresh outputs after a failing
		// cell that had none
		for l := range strings.Lines(p.Skeleton) {
			line++
			if skip[line] {
				continue
			}
			b.WriteString(l)
			b.WriteString(insert[line])
			if idx, ok := endOf[line]; ok && failing[idx] != nil && failing[idx].rewritesBlock() && strings.HasSuffix(l, "\n") {
				b.WriteString(r.freshBlock(transcript.Part{}, failing[idx]))
			}
		}
		if !p.HasOutputs {
			continue
		}
		if c := failing[owner[i]]; c != nil && c.rewritesBlock() {
			if _, ok := owner[i]; ok {
				b.WriteString(r.freshBlock(p, c))
				continue
			}
		}
		r.writeOld(&b, p)
	}
	out := []byte(b.String())
	return out, string(out) != string(r.transcript)
}

// writeOld writes a part's recorded outputs as they were.
func (r *Report) writeOld(b *strings.Builder, p transcript.Part) {
	if r.course {
		b.WriteString(p.Outputs)
		return
	}
	b.WriteString(marker.OpenLine(p.Annotation) + "\n" + p.Outputs + marker.Close + "\n")
}

// courseBlock lays out fresh outputs in a course transcript in place of
// a part's recorded ones, keeping the blank lines around them.
func courseBlock(p transcript.Part, fresh string) string {
	body := strings.Trim(fresh, "\n")
	if !p.HasOutputs {
		if body == "" {
			return ""
		}
		return "\n" + body + "\n"
	}
	old := p.Outputs
	lead := len(old) - len(strings.TrimLeft(old, "\n"))
	trail := len(old) - len(strings.TrimRight(old, "\n"))
	if strings.Trim(old, "\n") == "" {
		lead, trail = 1, 1
	}
	if body == "" {
		return strings.Repeat("\n", lead)
	}
	return strings.Repeat("\n", lead) + body + strings.Repeat("\n", max(trail, 1))
}

// freshBlock lays out a failing cell's fresh outputs in place of a
// part's recorded ones.
func (r *Report) freshBlock(p transcript.Part, c *CellReport) string {
	if !r.course {
		ann := render.Annotation(c.Result)
		if p.HasOutputs && timeless(p.Annotation) == timeless(ann) {
			ann = p.Annotation // the cell ended as recorded: its time does not churn
		}
		return render.OutputsBlock(ann, c.Result.Outputs)
	}
	return courseBlock(p, c.RawFresh)
}

// Unmendable counts failing cells an update cannot mend: they failed for
// how they ended, not for their output.
func (r *Report) Unmendable() int {
	n := 0
	for _, c := range r.Cells {
		if c.Verdict == Fail && !mendable(c) {
			n++
		}
	}
	return n
}

// annotationTime is the time field of an annotation.
var annotationTime = regexp.MustCompile(` time=\S+`)

// timeless is an annotation without its time.
func timeless(ann string) string { return annotationTime.ReplaceAllString(ann, "") }

// mendable says whether rewriting a failing cell's outputs mends it.
func mendable(c *CellReport) bool {
	return c.Reason.Kind.Mendable()
}
