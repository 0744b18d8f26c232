package lessons

import (
	"strings"

	"github.com/labrun/labrun/internal/cram"
)

// The writer of cram test files: the file with fresh outputs in place of
// the expected ones, line for line as cram 0.7 writes its .err file
// (_test.py's postout), so that labrun run writes what cram would and
// check --update (Update, cramdiff.go) writes what "cram -i -y" would.
//
// Each command's output follows its "$ " and "> " lines, then "[N]"
// when its exit status is not 0, then the prose that followed the
// command in the file and the next command's lines; the output lines
// are cram's (internal/cram.OutputLines: cut as Python's
// bytes.splitlines cuts them, " (no-eol)", cram's escapes), indented by
// the file's indent.

// CramRun is what one command of a cram file did in a fresh run.
type CramRun struct {
	// Ran says it ran; a command after one that ended the shell did not.
	Ran bool
	// Keep says it did not run, or did not finish, for another reason
	// than an exit before it (an interruption): its expected lines stand
	// as the file has them, so that nothing differs there.
	Keep bool
	// Ended says the shell ended during the command (an exit): no
	// status follows its output.
	Ended bool
	// Output is what it printed, stderr merged; Exit its status.
	Output string
	Exit   int
	// Salt, when set, says the command was left open (an "if" without
	// its "fi", a quote or heredoc left open, a last backslash): the
	// shell read the commands after it into it, as cram's shell reads
	// cram's script, and ran them with it, with cram's markers between
	// them (internal/cram.Mark, of this salt); Output is what they all
	// printed, markers and all, and the runs of those commands after it
	// are Joined.
	Salt string
	// Joined says the command ran within an earlier one's run (Salt).
	Joined bool
}

// Fresh returns the file's lines with fresh outputs, as cram writes them
// (each with its "\n"), and the index of the command each belongs to
// (-1 before the first); start is the run of the file's preamble (Ran
// false: it has none), whose output and status cram writes first, before
// the lines before the first command; runs are the commands' runs, in
// order, and one more when the shell printed something as it ended after
// the last command (an EXIT trap): cram writes that last, after the prose
// that follows the last command, and it counts for the last command.
func (f *CramFile) Fresh(start CramRun, runs []CramRun) (lines []string, owners []int) {
	type owned struct {
		text string
		cmd  int
	}
	after := map[int][]owned{} // lines after command k's output, -1: before any
	for _, l := range f.Lines {
		switch {
		case l.Kind == CramCommand || l.Kind == CramMore && l.Cmd >= 0:
			after[l.Cmd-1] = append(after[l.Cmd-1], owned{l.Text, l.Cmd})
		case l.Kind == CramProse || l.Kind == CramMore:
			// (a "  > " line before the first command stays there)
			after[l.Cmd] = append(after[l.Cmd], owned{l.Text, l.Cmd})
		}
	}
	add := func(k int, ls ...string) {
		lines = append(lines, ls...)
		for range ls {
			owners = append(owners, k)
		}
	}
	addAfter := func(k int) { // cram pops them: each goes once
		for _, o := range after[k] {
			add(o.cmd, o.text)
		}
		delete(after, k)
	}
	if start.Ran {
		add(-1, start.Lines(f.Indent)...)
	}
	addAfter(-1)
	if start.Ended {
		return lines, owners // the preamble ended the shell
	}
	n := len(f.Commands)
	var end *CramRun // what the shell printed as it ended
	if len(runs) > n {
		if n > 0 {
			end = &runs[n]
		}
		runs = runs[:n]
	}
	for k, r := range runs {
		switch {
		case r.Joined:
			continue // its lines went with the run it ran in (Salt)
		case r.Keep:
			for _, l := range f.Lines {
				if l.Cmd == k && l.Kind == CramOutput {
					add(k, l.Text)
				}
			}
			addAfter(k)
			continue
		case !r.Ran:
		case r.Salt != "":
			f.freshJoined(k, r, add, addAfter)
		default:
			add(k, r.Lines(f.Indent)...)
			addAfter(k)
		}
		if !r.Ran || r.Ended {
			break
		}
	}
	if end != nil && runs[n-1].Ran && !runs[n-1].Ended {
		add(n-1, end.Lines(f.Indent)...)
	}
	return lines, owners
}

// freshJoined adds the fresh lines of command k's run r, left open, and
// of the commands joined to it, as cram reads them by its markers
// (_test.py: test): each marker's output goes to the command of the
// marker before it (k first), then the marker's status when not 0, then
// the lines after that command in the file (its prose, the next
// command's lines), once; a command whose marker the shell took into k
// and did not print loses its lines, as in cram's .err. The run ends
// at labrun's own mark after the last joined command, with its status,
// or at the shell's end (cram drops the output's last byte then).
func (f *CramFile) freshJoined(k int, r CramRun, add func(int, ...string), addAfter func(int)) {
	byLine := map[int]int{}
	for i, c := range f.Commands {
		byLine[c.Line-1] = i
	}
	pos, cur := k, k // whose lines come after the next marker; who owns the output
	for _, seg := range f.segments(r) {
		add(cur, seg.lines...)
		addAfter(pos)
		if seg.Marked {
			pos = -2 // a marker of no command's line (the last one) pops nothing
			if c, ok := byLine[seg.Pos]; ok {
				pos, cur = c, c
			}
		}
	}
}

// Texts are the file's lines, each with its "\n".
func (f *CramFile) Texts() []string {
	t := make([]string, len(f.Lines))
	for i, l := range f.Lines {
		t[i] = l.Text
	}
	return t
}

// Differs says which commands cram's comparison of the file's lines with
// fresh lines (Fresh, with their owners) finds different: those that own
// a line of an opcode that is not Equal, on either side; a line before
// the first command counts for the first. A file of no command has one
// entry: whether its lines differ (cram fails it then).
func (f *CramFile) Differs(ops []CramOp, owners []int) []bool {
	d := make([]bool, max(len(f.Commands), 1))
	mark := func(k int) {
		k = max(k, 0)
		if k < len(d) {
			d[k] = true
		}
	}
	for _, op := range ops {
		if op.Op == cram.Equal {
			continue
		}
		for i := op.I1; i < op.I2; i++ {
			mark(f.Lines[i].Cmd)
		}
		for j := op.J1; j < op.J2; j++ {
			mark(owners[j])
		}
	}
	return d
}

// Lines are the lines cram writes for a command that ran: its output,
// then "[N]" for a status that is not 0, each indented by indent and
// with its "\n".
// A command that ended the shell has no status line, and its output
// lacks its last byte: cram drops the last byte of the shell's output,
// the newline of its last marker line when the shell ends by itself.
func (r CramRun) Lines(indent string) []string {
	return indented(cram.OutputLines(r.read()), indent)
}

// read is what cram reads of the run's output, and the status it
// writes after it: a run that ended the shell has no status, and its
// output lacks its last byte (cram drops the last byte of the shell's
// output, the newline of its last marker line when the shell ends by
// itself).
func (r CramRun) read() (out string, exit int) {
	if !r.Ended {
		return r.Output, r.Exit
	}
	if r.Output == "" {
		return "", 0
	}
	return r.Output[:len(r.Output)-1], 0
}

// indented are lines indented by indent, each with its "\n".
func indented(lines []string, indent string) []string {
	for i, l := range lines {
		lines[i] = indent + l + "\n"
	}
	return lines
}

// segment is a stretch of a joined run's output (CramRun.Salt) up to a
// marker, and the lines cram writes for it: its output, then the
// marker's status when not 0 (the run's status after the last marker).
type segment struct {
	cram.Segment
	lines []string
}

// segments cuts r's output (read) at its markers (Salt), as cram does.
func (f *CramFile) segments(r CramRun) []segment {
	out, exit := r.read()
	var segs []segment
	for _, seg := range cram.Segments(out, r.Salt) {
		status := exit
		if seg.Marked {
			status = seg.Status
		}
		segs = append(segs, segment{seg, indented(cram.OutputLines(seg.Text, status), f.Indent)})
	}
	return segs
}

// CramText joins lines into a file's bytes.
func CramText(lines []string) []byte { return []byte(strings.Join(lines, "")) }

// OwnLines are the lines cram writes for command k's own output and
// status (runs: the commands' runs, as for Fresh): its run's Lines; of a
// command left open, or joined to one (CramRun.Salt), the stretch of the
// joined output from the marker before it (the first such) to the next.
func (f *CramFile) OwnLines(k int, runs []CramRun) []string {
	o := k
	for o >= 0 && o < len(runs) && runs[o].Joined {
		o--
	}
	if o < 0 || o >= len(runs) || runs[o].Salt == "" {
		if k < len(runs) {
			return runs[k].Lines(f.Indent)
		}
		return nil
	}
	mine := o == k
	for _, seg := range f.segments(runs[o]) {
		if mine {
			return seg.lines
		}
		mine = seg.Marked && seg.Pos == f.Commands[k].Line-1
	}
	return nil
}
