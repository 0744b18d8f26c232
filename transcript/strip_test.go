package transcript_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/labrun/labrun/lessons"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/transcript"
)

// A lesson and, written by hand, the transcript labrun renders from it:
// outputs between the markers, in nbconvert's layout.
const (
	stripLesson = "# FIFO\n" +
		"\n" +
		"```python\n" +
		"!mkfifo f\n" +
		"a = TInteractiveLauncher('cat f')\n" +
		"```\n" +
		"\n" +
		"Prose between cells, with `code` and <!-- a comment -->.\n" +
		"\n" +
		"```cpp\n" +
		"%%cpp a.c\n" +
		"%run gcc a.c -o a && ./a\n" +
		"int main() { return puts(\"hi\") < 0; }\n" +
		"```\n" +
		"\n" +
		"```python\n" +
		"%p 1 + 1\n" +
		"```\n" +
		"\n" +
		"The end.\n"

	stripTranscript = "# FIFO\n" +
		"\n" +
		"```python\n" +
		"!mkfifo f\n" +
		"a = TInteractiveLauncher('cat f')\n" +
		"```\n" +
		"<!-- labrun:out cell=0 kind=python status=ok time=0.12s -->\n" +
		"\n" +
		"\n" +
		"\n" +
		"```\n" +
		"L | Process started. PID = 123\n" +
		"O | hello\n" +
		"L | Process finished. Exit code 0\n" +
		"\n" +
		"```\n" +
		"\n" +
		"<!-- labrun:end -->\n" +
		"\n" +
		"Prose between cells, with `code` and <!-- a comment -->.\n" +
		"\n" +
		"```cpp\n" +
		"%%cpp a.c\n" +
		"%run gcc a.c -o a && ./a\n" +
		"int main() { return puts(\"hi\") < 0; }\n" +
		"```\n" +
		"<!-- labrun:out cell=1 kind=file status=ok exit=0 time=0.05s -->\n" +
		"\n" +
		"\n" +
		"Run: `gcc a.c -o a && ./a`\n" +
		"\n" +
		"\n" +
		"    hi\n" +
		"\n" +
		"<!-- labrun:end -->\n" +
		"\n" +
		"```python\n" +
		"%p 1 + 1\n" +
		"```\n" +
		"<!-- labrun:out cell=2 kind=python status=ok time=0.00s · interrupted after 1.0s: timeout -->\n" +
		"\n" +
		"\n" +
		"1 + 1 = 2\n" +
		"\n" +
		"<!-- labrun:end -->\n" +
		"\n" +
		"The end.\n"
)

func TestStripTranscript(t *testing.T) {
	if got := string(transcript.Strip([]byte(stripTranscript))); got != stripLesson {
		t.Errorf("Strip(transcript):\n got %q\nwant %q", got, stripLesson)
	}
	// The stripped transcript is a lesson again, with the same cells.
	l, err := lessons.Parse("lesson.md", transcript.Strip([]byte(stripTranscript)))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Cells) != 3 {
		t.Errorf("%d cells after Strip, want 3", len(l.Cells))
	}
}

func TestStripCRLF(t *testing.T) {
	lesson := strings.ReplaceAll(stripLesson, "\n", "\r\n")
	tr := strings.ReplaceAll(stripTranscript, "\n", "\r\n")
	if got := string(transcript.Strip([]byte(tr))); got != lesson {
		t.Errorf("Strip(CRLF transcript):\n got %q\nwant %q", got, lesson)
	}
}

// TestStripNoFinalNewline: a lesson that ends with a closing fence and no
// newline; its transcript's last marker has no newline either.
func TestStripNoFinalNewline(t *testing.T) {
	lesson := "```python\nprint(1)\n```"
	tr := lesson + "\n" + marker.Open + " cell=0 -->\n\n    1\n\n" + marker.Close
	if got := string(transcript.Strip([]byte(tr))); got != lesson {
		t.Errorf("got %q, want %q", got, lesson)
	}
}

func TestStripIdentity(t *testing.T) {
	for _, s := range []string{
		"",
		"no newline",
		"\n\n",
		stripLesson,
		"text <!-- labrun:out not at the line start -->\n",
		" <!-- labrun:out indented -->\n<!-- labrun:end -->\n", // a close without an open is text
		"\xff\x00 not even text\n",
	} {
		if got := string(transcript.Strip([]byte(s))); got != s {
			t.Errorf("Strip(%q) = %q", s, got)
		}
	}
}

func TestStripUnclosedBlock(t *testing.T) {
	tr := "a\n" + marker.Open + " -->\nout\n"
	if got := string(transcript.Strip([]byte(tr))); got != "a\n" {
		t.Errorf("an unclosed output block is dropped to the end: got %q", got)
	}
}

// TestStripGolden: the golden transcripts of the repository strip to their
// lessons, when the golden files are there.
func TestStripGolden(t *testing.T) {
	files, _ := globAll("../testdata/golden/*.txtar")
	n := 0
	for _, f := range files {
		ar := readTxtar(t, f)
		lesson, ok1 := ar["lesson.md"]
		want, ok2 := ar["want.md"]
		if !ok1 || !ok2 {
			continue
		}
		n++
		if got := transcript.Strip(want); !bytes.Equal(got, lesson) {
			t.Errorf("%s: Strip(want.md) != lesson.md\n got %q\nwant %q", f, got, lesson)
		}
	}
	if n == 0 {
		t.Skip("no golden transcripts")
	}
}

// readTxtar reads a txtar archive (go-internal's txtar) into its files.
func readTxtar(t testing.TB, path string) map[string][]byte {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	return files
}

// TestOpenLine: an annotation cannot end the HTML comment it stands in,
// and Strip removes what marker.OpenLine opens.
func TestOpenLine(t *testing.T) {
	for _, note := range []string{"cell=0 ok", "a --> b", "a ---> b", "----", "x--", "<!-- labrun:end -->"} {
		line := marker.OpenLine(note)
		body := strings.TrimSuffix(strings.TrimPrefix(line, marker.Open), " -->")
		if strings.Contains(body, "--") || !strings.HasSuffix(line, " -->") {
			t.Errorf("OpenLine(%q) = %q: a \"--\" is left inside", note, line)
		}
		tr := "```python\nx\n```\n" + line + "\n\n    out\n\n" + marker.Close + "\n"
		if got := string(transcript.Strip([]byte(tr))); got != "```python\nx\n```\n" {
			t.Errorf("Strip after OpenLine(%q) = %q", note, got)
		}
		if !marker.Looks(line) || !marker.Looks(marker.Close) {
			t.Errorf("IsMarker does not know the marker lines")
		}
	}
}

// globAll returns the files matching any of the patterns.
func globAll(patterns ...string) ([]string, error) {
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}
