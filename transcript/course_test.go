package transcript

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/marker"
)

// corpusPairs returns every dev-corpus lesson folder that holds both a
// recorded transcript and its skeleton.
func corpusPairs(t *testing.T) []string {
	dirs, _ := filepath.Glob("../../shared/corpus/caos/*/*/README_no_output.md")
	if len(dirs) == 0 {
		t.Skip("no corpus at ../../shared/corpus/caos (the course's lessons are test data from outside the repository)")
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

// TestStripCorpus: stripping every recorded corpus transcript gives its
// skeleton byte for byte, and stripping a skeleton changes nothing.
func TestStripCorpus(t *testing.T) {
	for _, dir := range corpusPairs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rec, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			skel, err := os.ReadFile(filepath.Join(dir, "README_no_output.md"))
			if err != nil {
				t.Fatal(err)
			}
			if got := StripAny(rec); !bytes.Equal(got, skel) {
				t.Errorf("strip README.md != README_no_output.md\n%s", firstDiff(got, skel))
			}
			if got := StripAny(skel); !bytes.Equal(got, skel) {
				t.Errorf("strip README_no_output.md changed it\n%s", firstDiff(got, skel))
			}
		})
	}
}

// firstDiff shows the first line where got and want differ, with context.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if i >= len(g) || i >= len(w) || !bytes.Equal(gl, wl) {
			lo := max(i-3, 0)
			return "line " + strconv.Itoa(i+1) + ":\n got: " + quoteLines(g[lo:min(i+4, len(g))]) + "\nwant: " + quoteLines(w[lo:min(i+4, len(w))])
		}
	}
	return "(equal)"
}

func quoteLines(ls [][]byte) string {
	var b bytes.Buffer
	for _, l := range ls {
		b.WriteString("\n  | " + string(l))
	}
	return b.String()
}

// TestReadParts: the parts of a course transcript put together
// give it back, and their outputs are what strip removes; the parts of a
// labrun transcript give its lesson and keep each cell's annotation.
func TestReadParts(t *testing.T) {
	for _, dir := range corpusPairs(t) {
		rec, _ := os.ReadFile(filepath.Join(dir, "README.md"))
		var all, outs bytes.Buffer
		n := 0
		for _, p := range read(rec).parts {
			all.WriteString(p.Skeleton + p.Outputs)
			if p.HasOutputs {
				n++
				outs.WriteString(p.Outputs)
			}
		}
		if !bytes.Equal(all.Bytes(), rec) {
			t.Errorf("%s: parts do not put README.md back together", dir)
		}
		if n == 0 || strings.TrimSpace(outs.String()) == "" {
			t.Errorf("%s: no outputs found", dir)
		}
	}
	tr := "# T\n\n```python\nprint(1)\n```\n" + marker.Open + " cell=0 kind=python status=ok time=0.01s -->\n\n    1\n\n" + marker.Close + "\nafter\n"
	parts := read([]byte(tr)).parts
	if len(parts) != 2 || parts[0].AnnotationText() != "cell=0 kind=python status=ok time=0.01s" || parts[0].Outputs != "\n    1\n\n" || parts[1].Skeleton != "after\n" {
		t.Errorf("read(tr).parts = %#v", parts)
	}
}

// FuzzStripCourse: any text strips without a panic to no more than it
// was, and text without a code cell (a fence with an info string) is
// kept as it is; the parts read gives put the text back together.
func FuzzStripCourse(f *testing.F) {
	f.Add("# T\n\n```python\n!echo hi\n```\n\n    hi\n\n\n\ntext\n")
	f.Add("\n\n```cpp\n%%cpp a.c\n%run gcc a.c\n```\n\n\nRun: `gcc a.c`\n\n\n\n```\nL | Process started. PID = 1\n```\n")
	f.Add("```\nbare\n```\n    indented\n")
	f.Add("\n```cpp\n%%cpp a.c --under-spoiler-threshold 1\n%// note\n%run cat a\n```\n\n\n\\#\\#\\#\\# `note`\n\n\n\n<details> <summary> output </summary> <pre><code>a\n\nb</code></pre></details>\n\nText.\n")
	f.Add("\n```python\ndisplay(IFrame('u', 1, 2))\n```\n\n\n\n<iframe\n    src=\"u\"\n\n></iframe>\n\n\n```python\n1\n```\n")
	f.Add("\n```python\n%p s\n```\n\n\ns = a\n<!-- labrun:out cell=0 -->\n<!-- labrun:end -->\n\n\nEnd.\n")
	f.Fuzz(func(t *testing.T, in string) {
		out := StripCourse([]byte(in))
		if len(out) > len(in) {
			t.Fatalf("StripCourse grew %q to %q", in, out)
		}
		if !strings.Contains(in, "```") && !strings.Contains(in, "~~~") && string(out) != in {
			t.Fatalf("no code cell, yet %q became %q", in, out)
		}
		var all strings.Builder
		for _, p := range read([]byte(in)).parts {
			all.WriteString(p.Skeleton + p.Outputs)
		}
		if !IsLabrun([]byte(in)) && all.String() != in {
			t.Fatalf("parts of %q give %q", in, all.String())
		}
	})
}

// TestStripRuleAboveFence: in a course transcript (nbconvert's layout),
// check rules standing right above a code cell's fence (--write-rules
// writes them there) do not take a blank line of the skeleton with the
// outputs before them: strip gives the skeleton with the rule lines, byte
// for byte. A comment with a blank line under it is prose, as before.
func TestStripRuleAboveFence(t *testing.T) {
	for name, c := range map[string]struct{ skel, rec string }{
		"rule": {
			skel: "# R\n\n\n```python\nprint(1)\n```\n\n\n<!-- labrun: any-order -->\n```python\nprint(2)\n```\n\nEnd.\n",
			rec:  "\n# R\n\n\n```python\nprint(1)\n```\n\n    1\n\n\n\n<!-- labrun: any-order -->\n```python\nprint(2)\n```\n\n    2\n\n\nEnd.\n",
		},
		"two rules": {
			skel: "# R\n\n\n```python\nprint(1)\n```\n\n\n<!-- labrun: any-order -->\n<!-- labrun: normalize /[0-9]+/N/ -->\n```python\nprint(2)\n```\n",
			rec:  "\n# R\n\n\n```python\nprint(1)\n```\n\n    1\n\n\n\n<!-- labrun: any-order -->\n<!-- labrun: normalize /[0-9]+/N/ -->\n```python\nprint(2)\n```\n\n    2\n",
		},
		"prose comment": {
			skel: "# R\n\n\n```python\nprint(1)\n```\n\n<!-- a note -->\n\n\n```python\nprint(2)\n```\n",
			rec:  "\n# R\n\n\n```python\nprint(1)\n```\n\n    1\n\n\n<!-- a note -->\n\n\n```python\nprint(2)\n```\n\n    2\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := StripAny([]byte(c.rec)); string(got) != c.skel {
				t.Errorf("strip:\n%s", firstDiff(got, []byte(c.skel)))
			}
			if got := StripAny([]byte(c.skel)); string(got) != c.skel {
				t.Errorf("strip of the skeleton changed it:\n%s", firstDiff(got, []byte(c.skel)))
			}
		})
	}
}

// TestStripDisplayLikeLayout: a display that is itself a fence or a
// <pre> holding no background log is the cell's output to the end:
// strip gives the skeleton back.
func TestStripDisplayLikeLayout(t *testing.T) {
	for name, c := range map[string]struct{ skel, rec string }{
		"a fence": {
			skel: "```python\ndisplay(Markdown('```\\nfenced\\n```'))\n```\n\nEnd.\n",
			rec:  "\n```python\ndisplay(Markdown('```\\nfenced\\n```'))\n```\n\n\n```\nfenced\n```\n\n\nEnd.\n",
		},
		"a <pre>": {
			skel: "```python\ndisplay(HTML('<pre>\\nplain\\n</pre>'))\n```\n\n\n```python\nprint(1)\n```\n",
			rec:  "\n```python\ndisplay(HTML('<pre>\\nplain\\n</pre>'))\n```\n\n\n<pre>\nplain\n</pre>\n\n\n\n```python\nprint(1)\n```\n\n    1\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := StripAny([]byte(c.rec)); string(got) != c.skel {
				t.Errorf("strip:\n%s", firstDiff(got, []byte(c.skel)))
			}
			if got := StripAny([]byte(c.skel)); string(got) != c.skel {
				t.Errorf("strip of the skeleton changed it:\n%s", firstDiff(got, []byte(c.skel)))
			}
		})
	}
}
