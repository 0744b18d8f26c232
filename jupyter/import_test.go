package jupyter

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusNotebooks returns the dev corpus's lesson notebooks: the .ipynb
// of each lesson folder that has a README.md.
func corpusNotebooks(t *testing.T) []string {
	nbs, _ := filepath.Glob("../../shared/corpus/caos/*/*/*.ipynb")
	var out []string
	for _, nb := range nbs {
		if _, err := os.Stat(filepath.Join(filepath.Dir(nb), "README_no_output.md")); err == nil {
			out = append(out, nb)
		}
	}
	if len(out) == 0 {
		t.Skip("no dev corpus notebooks at ../../shared/corpus/caos (test data from outside the repository)")
	}
	return out
}

func importFile(t *testing.T, path string, noOutput bool) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return Import(nb, ImportOptions{NoOutput: noOutput, Dir: filepath.Dir(path)})
}

func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(g), len(w)); i++ {
		if i >= len(g) || i >= len(w) || !bytes.Equal(g[i], w[i]) {
			lo := max(i-3, 0)
			var b bytes.Buffer
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n got:")
			for _, l := range g[lo:min(i+4, len(g))] {
				b.WriteString("\n  | " + trunc(string(l)))
			}
			b.WriteString("\nwant:")
			for _, l := range w[lo:min(i+4, len(w))] {
				b.WriteString("\n  | " + trunc(string(l)))
			}
			return b.String()
		}
	}
	return "(equal)"
}

// logFromFile is why a recorded output cannot come from its notebook:
// the course's launcher kept a background step's log in a file
// (interactive_launcher_tmp/N.log.md) that the notebook only names
// (<!--MD_FROM_FILE ... -->), and the corpus does not ship those files.
const logFromFile = "background log read from a file the corpus does not ship"

// importExceptions lists, per lesson folder, the cells (numbered as
// lesson_score.py numbers them) whose recorded output the notebook does
// not hold.
var importExceptions = map[string]map[int]string{
	"sem14-fifo-proc":          {2: logFromFile, 6: logFromFile, 9: logFromFile, 18: logFromFile, 22: logFromFile, 24: logFromFile},
	"sem24-http-libcurl-cmake": {1: logFromFile, 7: logFromFile},
	"sem26-fs-fuse":            {8: logFromFile, 21: logFromFile, 25: logFromFile},
}

// TestImportCorpus: importing each dev-corpus notebook gives its
// folder's README_no_output.md byte for byte with --no-output, and
// README.md byte for byte except in the lessons whose background logs
// lived in files (importExceptions).
func TestImportCorpus(t *testing.T) {
	for _, nb := range corpusNotebooks(t) {
		dir := filepath.Dir(nb)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			skel, _ := os.ReadFile(filepath.Join(dir, "README_no_output.md"))
			if got := importFile(t, nb, true); !bytes.Equal(got, skel) {
				t.Errorf("import --no-output differs from README_no_output.md: %s", firstDiff(got, skel))
			}
			rec, _ := os.ReadFile(filepath.Join(dir, "README.md"))
			got := importFile(t, nb, false)
			if _, exc := importExceptions[filepath.Base(dir)]; !exc && !bytes.Equal(got, rec) {
				t.Errorf("import differs from README.md: %s", firstDiff(got, rec))
			}
		})
	}
}

// TestImportScore: lesson_score.py (the project's measure) scores the
// import of each dev-corpus notebook strict on every recorded cell
// against its README.md, except the cells of importExceptions, whose
// recorded output must then be a background log the import lacks.
func TestImportScore(t *testing.T) {
	score := "../../shared/tools/lesson_score.py"
	if _, err := os.Stat(score); err != nil {
		t.Skipf("no %s: %v", score, err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: lesson_score.py cannot run")
	}
	for _, nb := range corpusNotebooks(t) {
		dir := filepath.Dir(nb)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			fresh := filepath.Join(t.TempDir(), "import.md")
			if err := os.WriteFile(fresh, importFile(t, nb, false), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("python3", score, filepath.Join(dir, "README_no_output.md"), filepath.Join(dir, "README.md"), fresh, "--json").Output()
			if err != nil {
				t.Fatalf("lesson_score.py: %v", err)
			}
			var res struct {
				Summary struct {
					Lost int `json:"skeleton_lines_lost"`
				} `json:"summary"`
				Cells []struct {
					Cell     int      `json:"cell"`
					Status   string   `json:"status"`
					Recorded []string `json:"recorded"`
				} `json:"cells"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatal(err)
			}
			if res.Summary.Lost != 0 {
				t.Errorf("%d skeleton lines lost", res.Summary.Lost)
			}
			for _, c := range res.Cells {
				reason, exc := importExceptions[name][c.Cell]
				switch {
				case c.Status == "no-recorded-output":
				case exc && c.Status == "strict":
					t.Errorf("cell %d is strict now: drop its exception (%s)", c.Cell, reason)
				case exc && !hasLogStart(c.Recorded):
					t.Errorf("cell %d: excepted as %q, but its recorded output is %q", c.Cell, reason, c.Recorded)
				case !exc && c.Status != "strict":
					t.Errorf("cell %d: %s, not strict", c.Cell, c.Status)
				}
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// hasLogStart says whether recorded output lines hold a background log.
func hasLogStart(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "L | Process started") {
			return true
		}
	}
	return false
}
