package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestNativeExamples runs each native-dialect example (examples/*/README.md,
// plain Markdown a forge shows as the folder's page) three times: every
// run ends with no cell failed or interrupted, its console blocks print
// what they record (the transcript strips back to the lesson byte for
// byte), and the transcripts are the same but for PIDs and durations
// (readiness waits, not sleeps). Then "labrun check" on the last
// transcript, beside a copy of the example's folder, passes: every cell
// and every console command prints what it recorded.
func TestNativeExamples(t *testing.T) {
	found, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "README.md"))
	if len(found) == 0 {
		t.Fatal("no native example in examples/*/README.md")
	}
	bin := labrunBinary(t)
	varying := regexp.MustCompile(`time=[0-9.]+s|PID = [0-9]+`)
	for _, lesson := range found {
		t.Run(filepath.Base(filepath.Dir(lesson)), func(t *testing.T) {
			src, err := os.ReadFile(lesson)
			if err != nil {
				t.Fatal(err)
			}
			var first []byte
			folder := filepath.Join(t.TempDir(), "example")
			if err := os.CopyFS(folder, os.DirFS(filepath.Dir(lesson))); err != nil {
				t.Fatal(err)
			}
			const runs = 3
			for i := 0; i < runs; i++ {
				out := filepath.Join(t.TempDir(), "out.md")
				if i == runs-1 {
					out = filepath.Join(folder, "transcript.md")
				}
				cmd := exec.Command(bin, "run", lesson, "-o", out)
				cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
				stderr, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("labrun run: %v\n%s", err, stderr)
				}
				if !regexp.MustCompile(`, 0 failed, 0 interrupted,`).Match(stderr) {
					t.Fatalf("run %d: a cell failed:\n%s", i, stderr)
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if back := transcript.Strip(got); !bytes.Equal(back, src) {
					t.Fatalf("run %d: the transcript does not strip back to the lesson (a console block printed something else):\n%s", i, got)
				}
				got = varying.ReplaceAll(got, []byte("X"))
				if first == nil {
					first = got
				} else if !bytes.Equal(got, first) {
					t.Fatalf("run %d differs from run 0:\n%s\n---\n%s", i, got, first)
				}
			}
			transcript := filepath.Join(folder, "transcript.md")
			cmd := exec.Command(bin, "check", transcript)
			cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
			report, err := cmd.CombinedOutput()
			if err != nil || !regexp.MustCompile(`(?m)^\d+ passed, 0 failed$`).Match(report) {
				t.Fatalf("labrun check %s: %v\n%s", transcript, err, report)
			}
		})
	}
}
