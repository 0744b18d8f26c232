package check

import (
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// Updated returns the recorded transcript with the fresh outputs of every
// failing cell in place of its recorded ones; every other byte (prose,
// code, rules, the outputs of cells that pass) is kept. changed says
// whether anything differs.
//
// A failing cell's fresh outputs keep, line for line, the recorded lines
// that compare equal to theirs (merge.go): only the lines that differ
// change.
func (r *Report) Updated() (text []byte, changed bool) {
	if r.cram != nil {
		return r.updatedCram()
	}
	text, changed, merged := r.updated(true)
	if merged {
		plain, _, _ := r.updated(false)
		if !r.mergedOK(r.rec.Name, text, plain) {
			return plain, string(plain) != string(r.rec.Source)
		}
	}
	return text, changed
}

// updated is Updated's text; with merge, the fresh outputs of a failing
// cell keep the recorded lines that compare equal to theirs, and merged
// says whether any did.
func (r *Report) updated(merge bool) (text []byte, changed, merged bool) {
	failing := map[int]*CellReport{}
	for _, c := range r.Cells {
		if c.Verdict == Fail && r.mends(c) && c.Result != nil {
			failing[c.Index] = c
		}
	}
	t := r.rec
	if len(failing) == 0 {
		return t.Source, false, false
	}
	owner := map[*transcript.Part]int{} // part -> the cell whose outputs it holds
	endOf := map[int]int{}              // skeleton closing fence line -> cell index, for cells without outputs
	for _, c := range t.Lesson.Cells {
		if p := t.Recorded(c.Index); p != nil {
			owner[p] = c.Index
		} else {
			endOf[c.EndLine] = c.Index
		}
	}
	edits := consoleEdits(failing, t.Lesson.Cells)
	outputs := false // a course transcript's outputs written
	var b strings.Builder
	b.Grow(len(t.Source) + 1024)
	for i := range t.Parts {
		p := &t.Parts[i]
		// the skeleton, with the fresh outputs of the console commands
		// that differ in their blocks, and fresh outputs after a failing
		// cell that had none
		n := p.Line
		for l := range strings.Lines(p.Skeleton) {
			line, _ := t.SkeletonLine(n)
			n++
			if edits.Skipped(line) {
				continue
			}
			edits.Write(&b, line, l)
			if idx, ok := endOf[line]; ok && failing[idx] != nil && failing[idx].rewritesBlock() {
				block := r.insertedBlock(failing[idx], l)
				outputs = outputs || strings.Trim(block, "\n") != ""
				b.WriteString(block)
			}
		}
		if !p.HasOutputs {
			continue
		}
		if idx, ok := owner[p]; ok && failing[idx] != nil && failing[idx].rewritesBlock() {
			block, kept := r.freshBlock(p, failing[idx], merge)
			merged = merged || kept
			outputs = outputs || strings.Trim(block, "\n") != ""
			b.WriteString(block)
			continue
		}
		outputs = true
		r.writeOld(&b, p)
	}
	out := b.String()
	if t.Course {
		out = courseTop(t, out, outputs)
	}
	if !t.Course && len(t.Source) > 0 && t.Source[len(t.Source)-1] != '\n' {
		// The lesson ends without a newline, after the block of its
		// last cell: the block ends without one too (transcript.Strip).
		out = strings.TrimSuffix(out, "\n")
	}
	return []byte(out), out != string(t.Source), merged
}

// insertedBlock is the block of fresh outputs written after the closing
// fence line fence of failing cell c, which had none. A fence that ends
// a labrun transcript without a newline gets one before the block,
// which then ends without one (as render.Transcript writes it); a
// course transcript gets none there, which strip could not tell from
// its skeleton.
func (r *Report) insertedBlock(c *CellReport, fence string) string {
	switch {
	case strings.HasSuffix(fence, "\n"):
		block, _ := r.freshBlock(nil, c, false)
		return block
	case !r.rec.Course:
		block, _ := r.freshBlock(nil, c, false)
		return "\n" + block // Updated takes the last newline off
	}
	return ""
}

// courseTop keeps the blank line a course's export puts at the top of a
// transcript that records outputs (the set-up cell's printed marker,
// which strip drops): it goes with the last outputs an update removes,
// and comes with the first it writes when the skeleton itself begins
// with a blank line (which strip would take for it).
func courseTop(t *transcript.Transcript, out string, outputs bool) string {
	_, top := t.SkeletonLine(1) // false: line 1 is the export's
	switch {
	case !top && !outputs:
		return strings.TrimPrefix(out, "\n")
	case top && outputs && strings.HasPrefix(string(t.Lesson.Source), "\n"):
		return "\n" + out
	}
	return out
}

// writeOld writes a part's recorded outputs as they were, byte for byte.
func (r *Report) writeOld(b *strings.Builder, p *transcript.Part) {
	if r.rec.Course {
		b.WriteString(p.Outputs)
		return
	}
	b.WriteString(p.Block)
}

// courseBlock lays out fresh outputs in a course transcript in place of
// a part's recorded ones, keeping the blank lines around them.
func courseBlock(p *transcript.Part, fresh string) string {
	body := strings.Trim(fresh, "\n")
	if p == nil || !p.HasOutputs {
		if body == "" {
			return ""
		}
		return "\n" + body + "\n"
	}
	if body == "" {
		return p.Sep // the skeleton's blank lines stay
	}
	old := p.Outputs
	lead := len(old) - len(strings.TrimLeft(old, "\n"))
	trail := len(old) - len(strings.TrimRight(old, "\n"))
	if strings.Trim(old, "\n") == "" {
		lead, trail = 1, 1
	}
	// A display is read as one after a blank line; the skeleton's
	// blank lines follow the outputs' last line.
	return strings.Repeat("\n", max(lead, 1)) + body + strings.Repeat("\n", max(trail, len(p.Sep)+1))
}

// freshBlock lays out a failing cell's fresh outputs in place of the
// recorded ones of part p (nil: the cell had none).
// Outputs whose normalized lines equal the record's are kept as
// recorded (a cell that failed for how it ended gets its fresh marker
// only); with merge, other fresh outputs keep the recorded lines that
// compare equal to theirs (keepRecordedText), and kept says whether
// any did.
func (r *Report) freshBlock(p *transcript.Part, c *CellReport, merge bool) (block string, kept bool) {
	same := p != nil && p.HasOutputs && slices.Equal(c.Recorded, c.Fresh)
	fresh := c.RawFresh
	if merge && !same && p != nil && p.HasOutputs {
		fresh = keepRecordedText(p.Outputs, c.RawFresh, blockSource(r.rec.Lesson.Normalize, r.rulesOf(c)))
		kept = fresh != c.RawFresh
	}
	if r.rec.Course {
		if same {
			return p.Outputs, false
		}
		return courseBlock(p, fresh), kept
	}
	ann := render.Annotation(c.Result)
	open := ann.Marker()
	if p != nil && p.HasOutputs && p.Annotation != nil && p.Annotation.SameButTime(ann) {
		open = p.Marker // the cell ended as recorded: its time does not churn
	}
	if same { // the block as written, but for its marker
		return open + strings.TrimPrefix(p.Block, p.Marker), false
	}
	if kept {
		return open + "\n" + fresh + marker.Close + "\n", true
	}
	return render.OutputsBlock(open, c.Result.Outputs), false
}

// rulesOf is the check rules of failing cell c, as its record has them.
func (r *Report) rulesOf(c *CellReport) *lessons.CellRules {
	for _, rc := range r.rec.Lesson.Cells {
		if rc.Index == c.Index {
			return &rc.Rules
		}
	}
	return nil
}

// Unmendable counts failing cells an update cannot mend: they failed for
// how they ended, not for their output. A cram test's update mends every
// cell but one whose command was interrupted, as "cram -i -y" would: the
// file then holds what the run printed, without the commands an exit
// left not run.
func (r *Report) Unmendable() int {
	n := 0
	for _, c := range r.Cells {
		if c.Verdict == Fail && !r.mends(c) {
			n++
		}
	}
	return n
}

// mends says whether an update mends the failing cell c of the report:
// rewriting its outputs mends it (Updated, Unmendable and every report's
// count of updated cells go by this one rule).
func (r *Report) mends(c *CellReport) bool {
	if r.cram != nil {
		return !cramCut(c)
	}
	return c.Reason.Kind.Mendable()
}
