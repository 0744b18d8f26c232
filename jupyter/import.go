package jupyter

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ImportOptions change what Import writes.
type ImportOptions struct {
	// NoOutput leaves every output out: the skeleton
	// (README_no_output.md).
	NoOutput bool
	// Dir is the notebook's folder, where the course's <!--MD_FROM_FILE
	// PATH --> markers find the files they include (background logs).
	Dir string
}

// Import returns the lesson a notebook holds, laid out as the course
// exported its notebooks: nbconvert's Markdown (Markdown(nb)), then the
// course's post-processing (improveMD).
//
// A notebook that Export wrote from a labrun transcript gives that
// transcript back byte for byte (its skeleton only, with NoOutput); the
// set-up cell AddSetup put first is dropped.
func Import(nb *Notebook, opts ImportOptions) []byte {
	nb = withoutGenerated(nb)
	if _, ok := nb.Metadata[metaKey]; ok {
		return importLabrun(nb, opts.NoOutput)
	}
	return []byte(improveMD(Markdown(nb, opts.NoOutput), opts.Dir))
}

// magicLanguages are the cell magics nbconvert's HighlightMagics
// preprocessor fences with a language of their own; other cells get the
// notebook's language.
var magicLanguages = map[string]string{
	"%%R": "r", "%%bash": "bash", "%%cython": "cython", "%%javascript": "javascript",
	"%%julia": "julia", "%%latex": "latex", "%%octave": "octave", "%%perl": "perl",
	"%%ruby": "ruby", "%%sh": "sh",
}

// displayPriority is the order in which nbconvert picks one of a
// display's representations.
var displayPriority = []string{"text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain"}

// Markdown returns the notebook as "jupyter nbconvert --to markdown"
// writes it: a code cell is its source in a fence, then its outputs
// (streams and text indented by four spaces, Markdown and HTML displays
// raw with blank lines around), two blank lines before the next code
// cell and one before a Markdown cell.
func Markdown(nb *Notebook, noOutput bool) string {
	lang := "python"
	if li, ok := nb.Metadata["language_info"].(map[string]any); ok {
		if n, ok := li["name"].(string); ok && n != "" {
			lang = n
		}
	}
	var b strings.Builder
	for i, c := range nb.Cells {
		src := string(c.Source)
		if i > 0 {
			if c.CellType == "code" {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		switch c.CellType {
		case "markdown", "raw":
			b.WriteString(src + "\n")
		case "code":
			l := lang
			if ml, ok := c.Metadata["magics_language"].(string); ok && ml != "" {
				l = ml
			} else if first, _, _ := strings.Cut(src, "\n"); strings.HasPrefix(first, "%%") {
				magic, _, _ := strings.Cut(strings.TrimSpace(first), " ")
				if ml, ok := magicLanguages[magic]; ok {
					l = ml
				}
			}
			b.WriteString("```" + l + "\n" + src + "\n```\n")
			if !noOutput {
				for j, o := range coalesceStreams(c.Outputs) {
					b.WriteString(outputMarkdown(o, i, j))
				}
			}
		}
	}
	return b.String()
}

// outputMarkdown lays out one output as nbconvert's Markdown template.
func outputMarkdown(o Output, cell, index int) string {
	switch o.OutputType {
	case "stream":
		if o.Text == nil {
			return ""
		}
		return "\n" + indent(string(*o.Text)) + "\n"
	case "error":
		return "\n" + indent(stripANSI(strings.Join(o.Traceback, "\n"))) + "\n"
	case "display_data", "execute_result":
		for _, mime := range displayPriority {
			d, ok := o.Data[mime]
			if !ok {
				continue
			}
			switch {
			case mime == "text/plain" && o.OutputType == "execute_result":
				return "\n\n\n\n" + indent(string(d)) + "\n\n\n"
			case mime == "text/plain":
				return "\n" + indent(string(d)) + "\n"
			case mime == "image/png" || mime == "image/jpeg" || mime == "image/svg+xml":
				ext := map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/svg+xml": "svg"}[mime]
				return fmt.Sprintf("\n![%s](output_%d_%d.%s)\n\n", ext, cell, index, ext)
			default:
				return "\n\n" + string(d) + "\n\n"
			}
		}
	}
	return ""
}

// coalesceStreams is nbconvert's coalesce_streams preprocessor:
// consecutive outputs of the same stream are merged, a carriage return
// followed by more text on its line drops what came before it on that
// line, and empty streams go.
func coalesceStreams(outs []Output) []Output {
	var merged []Output
	for _, o := range outs {
		if n := len(merged); n > 0 && o.OutputType == "stream" && merged[n-1].OutputType == "stream" && merged[n-1].Name == o.Name && o.Text != nil && merged[n-1].Text != nil {
			t := *merged[n-1].Text + *o.Text
			merged[n-1].Text = &t
			continue
		}
		merged = append(merged, o)
	}
	var kept []Output
	for _, o := range merged {
		if o.OutputType == "stream" {
			if o.Text == nil || *o.Text == "" {
				continue
			}
			t := Text(crRewrite(string(*o.Text)))
			o.Text = &t
		}
		kept = append(kept, o)
	}
	return kept
}

// crRewrite drops, on each line, everything up to the last carriage
// return that more text follows (Python's re.sub(r'.*\r(?=[^\n])', ”, s)).
func crRewrite(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if k := strings.LastIndex(l[:max(len(l)-1, 0)], "\r"); k >= 0 {
			lines[i] = l[k+1:]
		}
	}
	return strings.Join(lines, "\n")
}

// indent is nbconvert's indent filter: four spaces at the start of every
// line, except after a final newline.
func indent(s string) string {
	out := "    " + strings.ReplaceAll(s, "\n", "\n    ")
	if strings.HasSuffix(out, "\n    ") {
		out = out[:len(out)-4]
	}
	return out
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[a-zA-Z]`)

// stripANSI is nbconvert's strip_ansi filter.
func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// The course's markers in its outputs (see its set-up magics and
// launcher).
const (
	setupEnd         = "#" + "MAGICS_SETUP_END"
	setupPrintingEnd = "<!-- MAGICS_SETUP_PRINTING_END -->"
)

var (
	mdFilter   = regexp.MustCompile(`(?s)<!--MD_BEGIN_FILTER-->.*?<!--MD_END_FILTER-->`)
	metrica    = regexp.MustCompile(`(?s)<!-- YANDEX_METRICA_BEGIN -->.*<!-- YANDEX_METRICA_END -->`)
	mdFromFile = regexp.MustCompile(`<!--MD_FROM_FILE (.*?) -->`)
)

// improveMD is the course's post-processing of nbconvert's Markdown (its
// tools/save_them_all notebook: basic_improve, then improve_md): the file
// read back in Python's text mode (every \r\n and \r a newline); NUL,
// ESC and backspace bytes dropped; %%cpp and %%cmake cells fenced as cpp
// and cmake; the launcher's HTML between MD_BEGIN_FILTER and
// MD_END_FILTER, the Yandex.Metrica snippet and "<IPython.core.display.
// Javascript object>" dropped; everything up to the set-up cell's end
// (and its printed marker) dropped; </td> and </tr> dropped; and
// <!--MD_FROM_FILE PATH --> replaced by the file in a bare fence (by
// nothing when the file is not there).
func improveMD(r, dir string) string {
	r = strings.ReplaceAll(r, "\r\n", "\n")
	r = strings.ReplaceAll(r, "\r", "\n")
	for _, b := range []string{"\x00", "\x1b", "\x08"} {
		r = strings.ReplaceAll(r, b, "")
	}
	r = strings.ReplaceAll(r, "```python\n%%cpp", "```cpp\n%%cpp")
	r = strings.ReplaceAll(r, "```python\n%%cmake", "```cmake\n%%cmake")
	r = mdFilter.ReplaceAllString(r, "")
	r = metrica.ReplaceAllString(r, "")
	r = strings.ReplaceAll(r, "<IPython.core.display.Javascript object>", "")
	if b := strings.LastIndex(r, setupEnd); b != -1 {
		r = r[b+len(setupEnd):]
		if f := strings.Index(r, "```"); f != -1 {
			r = r[f+3:]
		}
	}
	if b := strings.LastIndex(r, setupPrintingEnd); b != -1 {
		r = r[b+len(setupPrintingEnd):]
	}
	r = strings.ReplaceAll(r, "</td>", "")
	r = strings.ReplaceAll(r, "</tr>", "")
	return mdFromFile.ReplaceAllStringFunc(r, func(m string) string {
		p := mdFromFile.FindStringSubmatch(m)[1]
		if dir == "" {
			return ""
		}
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return ""
		}
		return "\n```\n" + string(data) + "\n```\n"
	})
}
