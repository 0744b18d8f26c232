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
	parts := transcript.SplitTranscript(rec)
	labrun := false // a labrun transcript: kept byte for byte
	for _, p := range parts {
		labrun = labrun || p.Annotation != ""
	}
	var skel strings.Builder
	type block struct {
		endLine    int // the skeleton line the outputs follow
		annotation string
		outputs    []transcript.Output
		// text is the outputs block as written, kept when laying out
		// outputs again would not give it back (nbconvert's layout is
		// ambiguous: an HTML display's indented lines read as a stream).
		text string
	}
	var blocks []block
	line := 0
	for _, p := range parts {
		skel.WriteString(p.Skeleton)
		line += strings.Count(p.Skeleton, "\n")
		if !strings.HasSuffix(p.Skeleton, "\n") && p.Skeleton != "" {
			line++
		}
		if p.HasOutputs {
			outs := transcript.ParseOutputs(p.Outputs)
			b := block{endLine: line, annotation: p.Annotation, outputs: outs}
			if labrun && render.Outputs(outs) != p.Outputs {
				b.text = p.Outputs
			}
			blocks = append(blocks, b)
		}
	}
	src := skel.String()
	lesson, err := lessons.Parse(name, []byte(src))
	if err != nil {
		return nil, err
	}
	byEnd := map[int]block{}
	for _, b := range blocks {
		byEnd[b.endLine] = b
	}
	lines := strings.SplitAfter(src, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	nb := &Notebook{
		Metadata: map[string]any{
			"kernelspec":    map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"},
			"language_info": map[string]any{"name": "python"},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}
	if labrun {
		nb.Metadata[metaKey] = map[string]any{"version": 1}
	}
	next := 0 // the first line not yet in a cell (0-based)
	count := 0
	for _, c := range lesson.Cells {
		between := strings.Join(lines[next:c.Line-1], "")
		meta := map[string]any{}
		switch {
		case strings.TrimSpace(between) == "":
			meta["before"] = between
		case labrun:
			nb.Cells = append(nb.Cells, markdownCell(len(nb.Cells), between, true))
		default:
			nb.Cells = append(nb.Cells, markdownCell(len(nb.Cells), strings.Trim(between, "\n"), false))
		}
		open := lines[c.Line-1]
		body := strings.Join(lines[c.Line:c.EndLine-1], "")
		closing := lines[c.EndLine-1]
		meta["open"], meta["close"] = open, closing
		source := strings.TrimSuffix(body, "\n")
		meta["body_newline"] = source != body
		cell := Cell{ID: cellID(len(nb.Cells)), CellType: "code", Metadata: map[string]any{}, Source: Text(source)}
		if labrun {
			cell.Metadata[metaKey] = meta
		}
		if b, ok := byEnd[c.EndLine]; ok {
			meta["annotation"] = b.annotation
			count++
			n := count
			cell.ExecutionCount = &n
			for _, o := range b.outputs {
				cell.Outputs = append(cell.Outputs, toNotebook(o, n))
			}
			if b.text != "" {
				meta["outputs_text"], meta["outputs_sum"] = b.text, outputsSum(cell.Outputs)
			}
		}
		nb.Cells = append(nb.Cells, cell)
		next = c.EndLine
	}
	if tail := strings.Join(lines[next:], ""); tail != "" {
		switch {
		case labrun && strings.TrimSpace(tail) == "":
			nb.Metadata[metaKey].(map[string]any)["tail"] = tail
		case labrun:
			nb.Cells = append(nb.Cells, markdownCell(len(nb.Cells), tail, true))
		case strings.TrimSpace(tail) != "":
			nb.Cells = append(nb.Cells, markdownCell(len(nb.Cells), strings.Trim(tail, "\n"), false))
		}
	}
	return nb, nil
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
		block := render.OutputsBlock(ann, outs)
		if text, ok := meta["outputs_text"].(string); ok && meta["outputs_sum"] == outputsSum(c.Outputs) {
			// The outputs as exported: their text as the transcript had it.
			block = marker.Open + " " + ann + " -->\n" + text + marker.Close + "\n"
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
