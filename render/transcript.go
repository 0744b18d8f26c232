package render

import (
	"bytes"
	"strings"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/transcript"
)

// Transcript returns the lesson with every cell's outputs inserted after
// its closing fence. Every line of the lesson is kept as it was; what
// labrun adds stands between an opening annotation comment
// (<!-- labrun:out ... -->) and <!-- labrun:end -->, so that
// transcript.Strip gives the lesson back byte for byte. A cram test
// file's transcript is the file as cram writes it with fresh outputs
// (cram.go).
func Transcript(res *transcript.Result) []byte {
	if res.Lesson.Cram != nil {
		return cramTranscript(res)
	}
	src := res.Lesson.Source
	after := map[int]*transcript.CellResult{} // closing fence line -> result
	for _, cr := range res.Cells {
		after[cr.Cell.EndLine] = cr
	}
	edits := consoleEdits(res)
	var b bytes.Buffer
	b.Grow(len(src) * 2)
	line := 1
	for text := range bytes.Lines(src) {
		if edits.Skipped(line) {
			line++
			continue
		}
		edits.Write(&b, line, string(text))
		if cr, ok := after[line]; ok {
			if !bytes.HasSuffix(text, []byte("\n")) {
				// The lesson ends here without a newline: the block gets
				// one before it and none after, which Strip undoes.
				b.WriteByte('\n')
				writeCell(&b, cr)
				b.Truncate(b.Len() - 1)
			} else {
				writeCell(&b, cr)
			}
		}
		line++
	}
	return b.Bytes()
}

// writeCell writes one cell's annotation and outputs. What programs
// printed is shown as a terminal showed it (termtext): no colour codes,
// \r rewrites and overstrikes resolved, control bytes made visible.
func writeCell(b *bytes.Buffer, cr *transcript.CellResult) {
	b.WriteString(Annotation(cr).Marker() + "\n")
	writeOutputs(b, cr.Outputs)
	b.WriteString(marker.Close + "\n")
}

// writeOutputs lays out outputs as nbconvert does (ParseOutputs reads
// them back).
func writeOutputs(b *bytes.Buffer, outs []transcript.Output) {
	for _, o := range outs {
		switch o.Kind {
		case transcript.Stream, transcript.Text, transcript.Error:
			b.WriteString("\n" + indent(termtext.Plain(o.Text)) + "\n")
		case transcript.Markdown, transcript.HTML:
			// A display is no terminal text, but a NUL in it is shown by
			// no viewer either (Jupyter drops it): it goes, as from streams.
			text := strings.ReplaceAll(o.Text, "\x00", "")
			if o.Kind == transcript.HTML {
				text = dedent(text)
			}
			b.WriteString("\n\n" + raw(text) + "\n\n")
		case transcript.Log:
			text := termtext.Plain(o.Text)
			fence := fenceFor(text)
			b.WriteString("\n\n\n" + fence + "\n" + raw(text) + "\n\n" + fence + "\n\n")
		}
	}
}

// raw prepares text shown as it is (Markdown, HTML, a log): without
// trailing newlines, and with a space before any line that would read as
// one of labrun's markers (Markdown renders it the same).
func raw(text string) string {
	text = strings.TrimRight(text, "\n")
	if !strings.Contains(text, marker.Prefix) {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if marker.Looks(l) {
			lines[i] = " " + l
		}
	}
	return strings.Join(lines, "\n")
}

// fenceFor returns a backtick fence longer than any run of backticks that
// starts a line of text, so the text cannot close it.
func fenceFor(text string) string {
	longest := 0
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(l, " ")
		n := len(l) - len(strings.TrimLeft(l, "`"))
		longest = max(longest, n)
	}
	return strings.Repeat("`", max(3, longest+1))
}

// Annotation is how a cell ended, as its marker records it: the cell, its
// status, exit and time (transcript.Annotation's fields), then its notes in
// render's words, such as "interrupted after 0.4s: stuck: blocked in
// wait_for_partner".
func Annotation(cr *transcript.CellResult) transcript.Annotation {
	return transcript.Annotation{
		Cell: cr.Cell.Index, Kind: cr.Cell.Kind, Status: cr.Status,
		Exit: cr.Exit, HasExit: cr.Steps > 0,
		Duration: cr.Duration, Timed: cr.Status != transcript.Skipped,
		Notes: Notes(cr),
	}
}

// indent indents every line of text, blank ones too, by four spaces, as
// nbconvert lays out stream output; text gets a final newline if it lacks
// one.
func indent(text string) string {
	text = strings.TrimSuffix(text, "\n")
	return "    " + strings.ReplaceAll(text, "\n", "\n    ") + "\n"
}

// OutputsBlock returns what Transcript writes after a cell that ran: the
// opening marker line (without its newline), the outputs laid out, and
// the closing marker.
func OutputsBlock(open string, outs []transcript.Output) string {
	var b bytes.Buffer
	b.WriteString(open + "\n")
	writeOutputs(&b, outs)
	b.WriteString(marker.Close + "\n")
	return b.String()
}

// Outputs returns outputs laid out as Transcript writes them between a
// cell's markers (nbconvert's layout), without the markers.
func Outputs(outs []transcript.Output) string {
	var b bytes.Buffer
	writeOutputs(&b, outs)
	return b.String()
}
