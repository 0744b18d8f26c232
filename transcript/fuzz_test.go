package transcript_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// FuzzStrip: Strip never panics, is idempotent, and is the identity on
// any text without labrun's markers (so on every lesson Parse accepts).
func FuzzStrip(f *testing.F) {
	for _, s := range []string{
		"",
		"# t\n\n```python\nprint(1)\n```\n",
		"```python\nx\n```\n" + marker.Open + " cell=0 -->\n\n    1\n\n" + marker.Close + "\n",
		"```python\nx\n```\n" + marker.Open + " cell=0 -->\n" + marker.Close,
		"a\n" + marker.Open + " -->\nout\n",
	} {
		f.Add([]byte(s))
	}
	archives, _ := filepath.Glob("../testdata/*/*.txtar")
	for _, a := range archives {
		for name, data := range readTxtar(f, a) {
			if strings.HasSuffix(name, ".md") {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out := transcript.Strip(src)
		if again := transcript.Strip(out); !bytes.Equal(again, out) {
			t.Fatalf("Strip is not idempotent:\nonce:  %q\ntwice: %q", out, again)
		}
		if len(out) > len(src) {
			t.Fatalf("Strip grew its input")
		}
		hasOpen := marker.Has(src)
		if !hasOpen && !bytes.Equal(out, src) {
			t.Fatalf("no markers, yet Strip changed the text:\nin:  %q\nout: %q", src, out)
		}
		if _, err := lessons.Parse("f.md", src); err == nil && !bytes.Equal(out, src) {
			t.Fatalf("Strip changed a lesson Parse accepts:\nin:  %q\nout: %q", src, out)
		}
	})
}
