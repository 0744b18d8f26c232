package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusDir is the dev corpus "labrun check" benchmarks run.
const corpusDir = sharedDir + "/corpus/caos/caos_2019-2020"

// corpusConfig is the project's settings for the dev corpus (the course's
// recording environment: magics version, umask).
const corpusConfig = "../testdata/caos_2019-2020.toml"

// checkVerdicts keeps, for each -j benchmark, the verdicts every cell
// ("lesson cell") got over its runs, for the summary to compare.
var checkVerdicts = map[string]map[string]map[string]bool{}

// BenchmarkCheckJ1 and BenchmarkCheckJ2: "labrun check -j N" over the
// dev corpus; the summary gives the ratio and says whether the verdicts
// agree.
func BenchmarkCheckJ1(b *testing.B) { benchCheck(b, 1) }
func BenchmarkCheckJ2(b *testing.B) { benchCheck(b, 2) }

func benchCheck(b *testing.B, jobs int) {
	bin := labrun(b)
	corpus := abs(b, corpusDir)
	config := abs(b, corpusConfig)
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("no corpus: %v", err)
	}
	env := scratchEnv(b)
	var total time.Duration
	verdicts := map[string]map[string]bool{}
	for b.Loop() {
		start := time.Now()
		out := runCheck(b, env, bin, "check", "--config", config, "--json", "-j", fmt.Sprint(jobs), corpus)
		total += time.Since(start)
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev struct {
				Event, Lesson, Verdict string
				Cell                   int
			}
			if json.Unmarshal([]byte(l), &ev) == nil && ev.Event == "cell" {
				cell := fmt.Sprintf("%s %d", strings.TrimPrefix(ev.Lesson, corpus), ev.Cell)
				if verdicts[cell] == nil {
					verdicts[cell] = map[string]bool{}
				}
				verdicts[cell][ev.Verdict] = true
			}
		}
	}
	results.Lock()
	checkVerdicts[fmt.Sprint(jobs)] = verdicts
	results.Unlock()
	record(fmt.Sprintf("check-j%d", jobs), figures{seconds: total.Seconds() / float64(b.N), strict: -1})
	b.ReportMetric(total.Seconds()/float64(b.N), "s/check")
}

// runCheck runs labrun check, which exits 1 when some cell differs.
func runCheck(b *testing.B, env []string, name string, args ...string) string {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*runLimit)
	defer cancel()
	cmd := ownedCommand(ctx, "", env, name, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		b.Fatalf("%s %s: %v\nstderr:\n%s", name, strings.Join(args, " "), err, tail(errs.String()))
	}
	return out.String()
}

// verdictComparison compares the verdicts of -j 1 and -j 2 over all
// their runs. A cell whose verdict changed between two runs at the same
// -j is unstable by nature (two processes racing, a random seed): it says
// nothing of -j. Every other cell must have the one verdict at both.
type verdictComparison struct {
	cells    int      // cells seen at both
	unstable []string // cells whose verdict varied within -j 1 or -j 2
	differ   []string // stable cells whose verdict is not the same at both
}

// compareVerdicts compares -j 1 and -j 2; the caller holds results' lock.
func compareVerdicts() (verdictComparison, bool) {
	j1, j2 := checkVerdicts["1"], checkVerdicts["2"]
	if j1 == nil || j2 == nil {
		return verdictComparison{}, false
	}
	var c verdictComparison
	names := func(set map[string]bool) string {
		var v []string
		for k := range set {
			v = append(v, k)
		}
		sort.Strings(v)
		return strings.Join(v, "/")
	}
	for cell, v1 := range j1 {
		v2, ok := j2[cell]
		if !ok {
			c.differ = append(c.differ, cell+": not run at -j 2")
			continue
		}
		c.cells++
		switch {
		case len(v1) > 1 || len(v2) > 1:
			c.unstable = append(c.unstable, fmt.Sprintf("%s (-j 1: %s, -j 2: %s)", cell, names(v1), names(v2)))
		case names(v1) != names(v2):
			c.differ = append(c.differ, fmt.Sprintf("%s (-j 1: %s, -j 2: %s)", cell, names(v1), names(v2)))
		}
	}
	for cell := range j2 {
		if _, ok := j1[cell]; !ok {
			c.differ = append(c.differ, cell+": not run at -j 1")
		}
	}
	sort.Strings(c.unstable)
	sort.Strings(c.differ)
	return c, true
}

// checkSummary prints the -j 2 / -j 1 ratio and how the verdicts compare;
// the caller holds results' lock.
func checkSummary(r map[string]figures) {
	j1, ok1 := r["check-j1"]
	j2, ok2 := r["check-j2"]
	c, ok := compareVerdicts()
	if !ok1 || !ok2 || j2.seconds == 0 || !ok {
		return
	}
	fmt.Printf("summary: check dev corpus: -j 1 %.1f s/op, -j 2 %.1f s/op, speed-up %.2fx; %d cells, %d unstable by nature, %d stable cells whose verdict differs\n",
		j1.seconds, j2.seconds, j1.seconds/j2.seconds, c.cells, len(c.unstable), len(c.differ))
	for _, u := range c.unstable {
		fmt.Printf("summary: check: unstable at a given -j: %s\n", u)
	}
	for _, d := range c.differ {
		fmt.Printf("summary: check: -j 1 and -j 2 differ: %s\n", d)
	}
}
