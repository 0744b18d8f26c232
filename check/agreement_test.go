package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
)

// TestScorerAgreement runs every lesson of the dev corpus (a course pair:
// README.md recorded, README_no_output.md skeleton), scores the fresh
// transcript with ../shared/tools/lesson_score.py and requires every cell
// the scorer calls strict to pass check. It prints the agreement table.
// The corpus runs in its recording environment, the project's settings
// for it (LABRUN_CONFIG, default ../testdata/caos_2019-2020.toml), as
// make eval runs it. It takes minutes: it runs only with
// LABRUN_AGREEMENT=1 (make agreement).
func TestScorerAgreement(t *testing.T) {
	if os.Getenv("LABRUN_AGREEMENT") == "" {
		t.Skip("set LABRUN_AGREEMENT=1 to run the corpus (minutes)")
	}
	corpus := envOr("LABRUN_CORPUS", "../../shared/corpus/caos/caos_2019-2020")
	scorer := envOr("LABRUN_SCORER", "../../shared/tools/lesson_score.py")
	dirs, _ := filepath.Glob(filepath.Join(corpus, "*", "README_no_output.md"))
	if len(dirs) == 0 {
		t.Skipf("no corpus under %s", corpus)
	}
	course, err := config.Load(envOr("LABRUN_CONFIG", "../testdata/caos_2019-2020.toml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%-28s %6s %7s %6s %6s %s", "lesson", "cells", "strict", "pass", "both", "disagreements")
	var tStrict, tPass, tBoth int
	for _, sk := range dirs {
		dir := filepath.Dir(sk)
		l := Lesson{Path: filepath.Join(dir, "README.md"), Skeleton: sk}
		rep, err := Run(context.Background(), l, Options{Runner: runner.Options{Course: course}})
		if rep == nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		fresh := filepath.Join(t.TempDir(), "fresh.md")
		os.WriteFile(fresh, render.Transcript(rep.Result), 0o644)
		// This test binary reaps (TestMain): the scorer's status comes
		// through the reaper.
		var out, stderr bytes.Buffer
		cmd := exec.Command("python3", scorer, sk, l.Path, fresh, "--json")
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := proc.Run(context.Background(), cmd); err != nil {
			t.Fatalf("%s: scorer: %v\n%s", dir, err, stderr.String())
		}
		var sc struct {
			Cells []struct {
				Cell   int
				Status string
			}
		}
		if err := json.Unmarshal(out.Bytes(), &sc); err != nil {
			t.Fatal(err)
		}
		skel, err := os.ReadFile(sk)
		if err != nil {
			t.Fatal(err)
		}
		cellOf, err := scorerCells(sk, skel)
		if err != nil {
			t.Fatal(err)
		}
		// check's report of the scorer's cell k, or nil (a block labrun
		// does not run, such as a prose ```c fence)
		reportOf := func(k int) *CellReport {
			if k >= len(cellOf) || cellOf[k] < 0 || cellOf[k] >= len(rep.Cells) {
				return nil
			}
			return rep.Cells[cellOf[k]]
		}
		var strict, pass, both int
		var notes string
		for _, c := range rep.Cells {
			if c.Verdict == Pass && c.Recorded != nil {
				pass++
			}
		}
		for _, s := range sc.Cells {
			if s.Status != "strict" {
				continue
			}
			strict++
			c := reportOf(s.Cell)
			if c == nil {
				t.Errorf("%s: the scorer's cell %d is strict, and not a cell labrun runs", dir, s.Cell)
				continue
			}
			if c.Verdict == Pass {
				both++
				continue
			}
			t.Errorf("%s:%d: cell %d: strict for the scorer, %v for check: %s\n%s", l.Path, c.Line, c.Number, c.Verdict, c.Reason, c.Diff)
		}
		// cells check passes with a recorded output the scorer does not call strict
		for _, s := range sc.Cells {
			if c := reportOf(s.Cell); s.Status != "strict" && s.Status != "no-recorded-output" && c != nil && c.Verdict == Pass {
				notes += fmt.Sprintf(" %d:%s", c.Number, s.Status)
			}
		}
		t.Logf("%-28s %6d %7d %6d %6d%s", filepath.Base(dir), len(rep.Cells), strict, pass, both, notes)
		tStrict += strict
		tPass += pass
		tBoth += both
	}
	t.Logf("%-28s %6s %7d %6d %6d", "total", "", tStrict, tPass, tBoth)
}

// scorerCells maps the scorer's cell numbers to labrun's: the scorer
// counts every fenced block of the skeleton with an info string
// (lesson_score.py, code_cells), labrun its code cells; a block labrun
// does not run (a prose ```c fence) maps to -1.
func scorerCells(path string, skel []byte) ([]int, error) {
	les, err := lessons.Parse(path, skel)
	if err != nil {
		return nil, err
	}
	byLine := map[int]int{}
	for _, c := range les.Cells {
		byLine[c.Line] = c.Index
	}
	var out []int
	open := false
	for i, line := range strings.Split(string(skel), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
			continue
		}
		if !open && strings.TrimSpace(t[3:]) != "" {
			idx, ok := byLine[i+1]
			if !ok {
				idx = -1
			}
			out = append(out, idx)
		}
		open = !open
	}
	return out, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
