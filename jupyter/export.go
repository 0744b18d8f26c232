package jupyter

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// metaKey is the metadata key under which a notebook exported from a
// labrun transcript keeps what Import needs to give the transcript back
// byte for byte: the fence lines of each code cell, the blank lines
// between cells, each cell's annotation.
const metaKey = "labrun"

// Export returns the notebook of a transcript (labrun's or a course's):
// prose between code cells becomes Markdown cells, each code cell a code
// cell with its outputs (streams as stream outputs, Run: lines and %p
// values as Markdown displays, background logs as displays marked as
// logs). name is used in errors.
func Export(name string, rec []byte) (*Notebook, error) {
	t, err := transcript.Parse(name, rec)
	if err != nil {
		return nil, err
	}
	x := &exporter{t: t, labrun: !t.Course, lines: strings.SplitAfter(string(t.Lesson.Source), "\n")}
	if x.lines[len(x.lines)-1] == "" {
		x.lines = x.lines[:len(x.lines)-1]
	}
	nb := &Notebook{
		Metadata: map[string]any{
			"kernelspec":    map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"},
			"language_info": map[string]any{"name": "python"},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}
	x.nb = nb
	if x.labrun {
		nb.Metadata[metaKey] = map[string]any{"version": 1}
	}
	for _, c := range t.Lesson.Cells {
		x.cell(c)
	}
	x.tail()
	return nb, nil
}

// exporter is an Export under way: a labrun transcript is kept byte for
// byte (its fence lines, the blank lines between cells, annotations and
// outputs as written in the cells' metadata).
type exporter struct {
	t      *transcript.Transcript
	labrun bool
	nb     *Notebook
	// lines are the skeleton's; next is the first not yet in a cell
	// (0-based); count numbers the cells that have outputs.
	lines       []string
	next, count int
}

// cell adds the prose before lesson cell c and c itself.
func (x *exporter) cell(c *lessons.Cell) {
	lines := x.lines
	between := strings.Join(lines[x.next:c.Line-1], "")
	meta := map[string]any{}
	switch {
	case strings.TrimSpace(between) == "":
		meta["before"] = between
	case x.labrun:
		x.nb.Cells = append(x.nb.Cells, markdownCell(len(x.nb.Cells), between, true))
	default:
		x.nb.Cells = append(x.nb.Cells, markdownCell(len(x.nb.Cells), strings.Trim(between, "\n"), false))
	}
	open := lines[c.Line-1]
	body := strings.Join(lines[c.Line:c.EndLine-1], "")
	closing := lines[c.EndLine-1]
	meta["open"], meta["close"] = open, closing
	source := strings.TrimSuffix(body, "\n")
	meta["body_newline"] = source != body
	cell := Cell{ID: cellID(len(x.nb.Cells)), CellType: "code", Metadata: map[string]any{}, Source: Text(source)}
	if x.labrun {
		cell.Metadata[metaKey] = meta
	}
	if p := x.t.Recorded(c.Index); p != nil {
		x.outputs(&cell, meta, p)
	}
	x.nb.Cells = append(x.nb.Cells, cell)
	x.next = c.EndLine
}

// outputs gives a code cell the outputs part p records.
func (x *exporter) outputs(cell *Cell, meta map[string]any, p *transcript.Part) {
	meta["annotation"] = p.AnnotationText()
	x.count++
	n := x.count
	cell.ExecutionCount = &n
	outs := transcript.ParseOutputs(p.Outputs)
	for _, o := range outs {
		cell.Outputs = append(cell.Outputs, toNotebook(o, n))
	}
	// The outputs block as written is kept when laying out the outputs
	// again would not give it back (nbconvert's layout is ambiguous: an
	// HTML display's indented lines read as a stream).
	if x.labrun && render.Outputs(outs) != p.Outputs {
		meta["outputs_text"], meta["outputs_sum"] = p.Outputs, outputsSum(cell.Outputs)
	}
}

// tail adds what follows the last cell.
func (x *exporter) tail() {
	tail := strings.Join(x.lines[x.next:], "")
	switch {
	case tail == "":
	case x.labrun && strings.TrimSpace(tail) == "":
		x.nb.Metadata[metaKey].(map[string]any)["tail"] = tail
	case x.labrun:
		x.nb.Cells = append(x.nb.Cells, markdownCell(len(x.nb.Cells), tail, true))
	case strings.TrimSpace(tail) != "":
		x.nb.Cells = append(x.nb.Cells, markdownCell(len(x.nb.Cells), strings.Trim(tail, "\n"), false))
	}
}

func markdownCell(i int, text string, verbatim bool) Cell {
	c := Cell{ID: cellID(i), CellType: "markdown", Metadata: map[string]any{}, Source: Text(text)}
	if verbatim {
		c.Metadata[metaKey] = map[string]any{"verbatim": true}
	}
	return c
}

// cellID is a cell's nbformat 4.5 id.
func cellID(i int) string { return fmt.Sprintf("labrun-%d", i) }

// toNotebook turns an output into its nbformat form.
func toNotebook(o transcript.Output, count int) Output {
	switch o.Kind {
	case transcript.Stream:
		t := Text(o.Text)
		return Output{OutputType: "stream", Name: o.Name.String(), Text: &t}
	case transcript.Log:
		return Output{OutputType: "display_data",
			Data:     map[string]Text{"text/markdown": Text("```\n" + o.Text + "\n```"), "text/plain": Text(o.Text)},
			Metadata: map[string]any{metaKey: map[string]any{"kind": "log"}}}
	case transcript.HTML:
		return Output{OutputType: "display_data", Data: map[string]Text{"text/html": Text(o.Text), "text/plain": "<IPython.core.display.HTML object>"}}
	case transcript.Text:
		n := count
		return Output{OutputType: "execute_result", Data: map[string]Text{"text/plain": Text(o.Text)}, ExecutionCount: &n}
	case transcript.Error:
		return Output{OutputType: "error", EName: "Error", Traceback: strings.Split(o.Text, "\n")}
	default:
		return Output{OutputType: "display_data", Data: map[string]Text{"text/markdown": Text(o.Text), "text/plain": Text(o.Text)}}
	}
}

// fromNotebook turns an nbformat output back into labrun's.
func fromNotebook(o Output) transcript.Output {
	switch o.OutputType {
	case "stream":
		t := ""
		if o.Text != nil {
			t = string(*o.Text)
		}
		return transcript.Output{Kind: transcript.Stream, Name: transcript.StreamNamed(o.Name), Text: t}
	case "error":
		return transcript.Output{Kind: transcript.Error, Text: strings.Join(o.Traceback, "\n")}
	case "execute_result":
		return transcript.Output{Kind: transcript.Text, Text: string(o.Data["text/plain"])}
	}
	if m, ok := o.Metadata[metaKey].(map[string]any); ok && m["kind"] == "log" {
		return transcript.Output{Kind: transcript.Log, Text: string(o.Data["text/plain"])}
	}
	if h, ok := o.Data["text/html"]; ok {
		return transcript.Output{Kind: transcript.HTML, Text: string(h)}
	}
	if md, ok := o.Data["text/markdown"]; ok {
		return transcript.Output{Kind: transcript.Markdown, Text: string(md)}
	}
	return transcript.Output{Kind: transcript.Text, Text: string(o.Data["text/plain"])}
}

// importLabrun gives back the transcript a notebook was exported from
// (Export): the skeleton from the cells and their fence lines, each
// annotated cell's outputs laid out between labrun's markers.
func importLabrun(nb *Notebook, noOutput bool) []byte {
	var b strings.Builder
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			b.WriteString(string(c.Source))
			continue
		}
		meta, _ := c.Metadata[metaKey].(map[string]any)
		str := func(k string) string { s, _ := meta[k].(string); return s }
		b.WriteString(str("before"))
		open := str("open")
		if open == "" {
			open = "```python\n"
		}
		closing := str("close")
		if closing == "" {
			closing = "```\n"
		}
		b.WriteString(open + string(c.Source))
		if nl, ok := meta["body_newline"].(bool); ok && nl || !ok && c.Source != "" {
			b.WriteString("\n")
		}
		b.WriteString(closing)
		ann, ok := meta["annotation"].(string)
		if noOutput || !ok {
			continue
		}
		var outs []transcript.Output
		for _, o := range c.Outputs {
			outs = append(outs, fromNotebook(o))
		}
		block := render.OutputsBlock(marker.OpenLine(ann), outs)
		if text, ok := meta["outputs_text"].(string); ok && meta["outputs_sum"] == outputsSum(c.Outputs) {
			// The outputs as exported: their text as the transcript had it.
			block = marker.OpenLine(ann) + "\n" + text + marker.Close + "\n"
		}
		if !strings.HasSuffix(closing, "\n") {
			// The lesson ends at this fence without a newline.
			b.WriteString("\n" + block[:len(block)-1])
			continue
		}
		b.WriteString(block)
	}
	if m, ok := nb.Metadata[metaKey].(map[string]any); ok {
		if tail, ok := m["tail"].(string); ok {
			b.WriteString(tail)
		}
	}
	return []byte(b.String())
}

// outputsSum identifies a cell's outputs, so that Import uses the
// outputs text Export kept only for the outputs it was kept for (not for
// outputs a run in Jupyter put there since).
func outputsSum(outs []Output) string {
	b, _ := json.Marshal(outs)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
