package jupyter

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// goldenTranscripts returns the want.md transcripts of the repository's
// golden tests, by archive name.
func goldenTranscripts(t *testing.T) map[string][]byte {
	archives, _ := filepath.Glob("../testdata/golden/*.txtar")
	if len(archives) == 0 {
		t.Fatal("no golden archives in ../testdata/golden")
	}
	out := map[string][]byte{}
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "want.md" {
				out[filepath.Base(a)] = f.Data
			}
		}
	}
	return out
}

// TestExportImportIdentity: a labrun transcript exported to a notebook
// (written as JSON and read back) imports as the same transcript, byte
// for byte; with --no-output, as its lesson.
func TestExportImportIdentity(t *testing.T) {
	for name, transcript := range goldenTranscripts(t) {
		t.Run(name, func(t *testing.T) {
			nb, err := Export("want.md", transcript)
			if err != nil {
				t.Fatal(err)
			}
			data, err := Marshal(nb)
			if err != nil {
				t.Fatal(err)
			}
			checkNBFormat45(t, data)
			back, err := Parse("nb.ipynb", data)
			if err != nil {
				t.Fatal(err)
			}
			if got := Import(back, ImportOptions{}); !bytes.Equal(got, transcript) {
				t.Errorf("import(export(transcript)) differs: %s", firstDiff(got, transcript))
			}
			outputs := 0
			for _, c := range back.Cells {
				outputs += len(c.Outputs)
			}
			if bytes.Contains(transcript, []byte("\n    ")) && outputs == 0 {
				t.Errorf("the notebook has no outputs")
			}
		})
	}
}

var cellIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

// checkNBFormat45 checks what the nbformat 4.5 schema requires of a
// notebook: its top-level fields, and for each cell and output the
// fields of its type and no others.
func checkNBFormat45(t *testing.T, data []byte) {
	t.Helper()
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if nb["nbformat"] != 4.0 || nb["nbformat_minor"] != 5.0 {
		t.Errorf("nbformat %v.%v, want 4.5", nb["nbformat"], nb["nbformat_minor"])
	}
	keys := func(m map[string]any, required, optional []string, what string) {
		allowed := map[string]bool{}
		for _, k := range append(required, optional...) {
			allowed[k] = true
		}
		for _, k := range required {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", what, k)
			}
		}
		for k := range m {
			if !allowed[k] {
				t.Errorf("%s has %q, which the schema does not allow", what, k)
			}
		}
	}
	keys(nb, []string{"cells", "metadata", "nbformat", "nbformat_minor"}, nil, "notebook")
	meta, _ := nb["metadata"].(map[string]any)
	if ks, _ := meta["kernelspec"].(map[string]any); ks["name"] == nil || ks["display_name"] == nil {
		t.Errorf("kernelspec needs name and display_name: %v", meta["kernelspec"])
	}
	ids := map[string]bool{}
	cells, _ := nb["cells"].([]any)
	for i, c := range cells {
		cell, _ := c.(map[string]any)
		what := "cell " + string(rune('0'+i%10))
		id, _ := cell["id"].(string)
		if !cellIDPattern.MatchString(id) || ids[id] {
			t.Errorf("%s: bad or repeated id %q", what, id)
		}
		ids[id] = true
		if _, ok := cell["source"].([]any); !ok {
			t.Errorf("%s: source is not a list of strings", what)
		}
		switch cell["cell_type"] {
		case "markdown", "raw":
			keys(cell, []string{"id", "cell_type", "metadata", "source"}, []string{"attachments"}, what)
		case "code":
			keys(cell, []string{"id", "cell_type", "metadata", "source", "execution_count", "outputs"}, nil, what)
			outs, _ := cell["outputs"].([]any)
			for _, o := range outs {
				out, _ := o.(map[string]any)
				switch out["output_type"] {
				case "stream":
					keys(out, []string{"output_type", "name", "text"}, nil, what+" stream")
				case "display_data":
					keys(out, []string{"output_type", "data", "metadata"}, nil, what+" display_data")
				case "execute_result":
					keys(out, []string{"output_type", "data", "metadata", "execution_count"}, nil, what+" execute_result")
				case "error":
					keys(out, []string{"output_type", "ename", "evalue", "traceback"}, nil, what+" error")
				default:
					t.Errorf("%s: unknown output type %v", what, out["output_type"])
				}
			}
		default:
			t.Errorf("%s: cell_type %v", what, cell["cell_type"])
		}
	}
}

// FuzzExport: any transcript labrun can parse exports to a notebook that
// reads back and imports without a panic, and only a labrun transcript
// (with its markers) is exported as one (to be given back byte for byte;
// TestExportImportIdentity checks that on real transcripts).
func FuzzExport(f *testing.F) {
	f.Add("# T\n\n```python\nprint(1)\n```\n<!-- labrun:out cell=0 kind=python status=ok time=0.01s -->\n\n    1\n\n<!-- labrun:end -->\n")
	f.Add("```cpp\n%%cpp a.c\n%run gcc a.c\nint x;\n```")
	f.Fuzz(func(t *testing.T, in string) {
		nb, err := Export("in.md", []byte(in))
		if err != nil {
			return // not a lesson labrun reads: Export says so
		}
		data, err := Marshal(nb)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("nb.ipynb", data)
		if err != nil {
			t.Fatalf("exported notebook does not read back: %v", err)
		}
		Import(back, ImportOptions{})
		if _, ok := back.Metadata[metaKey]; ok && !bytes.Contains([]byte(in), []byte("<!-- labrun:")) {
			t.Fatalf("a lesson without outputs was exported as a labrun transcript")
		}
	})
}
