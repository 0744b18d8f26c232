package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestStripCommand: "labrun strip" gives back the lesson of every golden
// transcript (labrun's markers) and the skeleton of every dev-corpus
// transcript (the course's nbconvert layout), byte for byte.
func TestStripCommand(t *testing.T) {
	archives, err := filepath.Glob(filepath.Join(goldenDir, "*.txtar"))
	if err != nil || len(archives) == 0 {
		t.Fatalf("no golden archives in %s: %v", goldenDir, err)
	}
	type pair struct{ name, transcript, want string }
	var pairs []pair
	dir := t.TempDir()
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[f.Name] = f.Data
		}
		if files["want.md"] == nil || files["lesson.md"] == nil {
			continue
		}
		name := filepath.Base(a)
		p := pair{name, filepath.Join(dir, name+".want.md"), filepath.Join(dir, name+".lesson.md")}
		os.WriteFile(p.transcript, files["want.md"], 0o644)
		os.WriteFile(p.want, files["lesson.md"], 0o644)
		pairs = append(pairs, p)
	}
	corpus, _ := filepath.Glob("../../../shared/corpus/caos/*/*/README_no_output.md")
	for _, skel := range corpus {
		d := filepath.Dir(skel)
		pairs = append(pairs, pair{"corpus/" + filepath.Base(d), filepath.Join(d, "README.md"), skel})
	}
	if len(corpus) == 0 {
		t.Log("no dev corpus at ../../../shared/corpus/caos: only the golden transcripts are stripped")
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "skeleton.md")
			var stdout, stderr bytes.Buffer
			if code := route([]string{"strip", p.transcript, "-o", out}, &stdout, &stderr); code != 0 {
				t.Fatalf("labrun strip: exit %d: %s", code, stderr.String())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(p.want)
			if !bytes.Equal(got, want) {
				t.Errorf("labrun strip %s differs from %s", p.transcript, p.want)
			}
		})
	}
}
