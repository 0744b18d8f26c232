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
	"sync/atomic"
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
		addVerdicts(verdicts, out, corpus)
	}
	results.Lock()
	checkVerdicts[fmt.Sprint(jobs)] = verdicts
	results.Unlock()
	record(fmt.Sprintf("check-j%d", jobs), figures{seconds: total.Seconds() / float64(b.N), strict: -1})
	b.ReportMetric(total.Seconds()/float64(b.N), "s/check")
}

// addVerdicts adds to verdicts what each cell of check's --json output
// got, by cell ("LESSON N", LESSON relative to corpus).
func addVerdicts(verdicts map[string]map[string]bool, out, corpus string) {
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

// checkUnderLoad keeps the verdicts of BenchmarkCheckUnderLoad's runs.
var checkUnderLoad map[string]map[string]bool

// BenchmarkCheckUnderLoad is the control for the cells whose verdict is
// stable at -j 1 and at -j 2 but not the same at both. Two lessons at once
// change two things for each: the other one's load on the machine's CPUs,
// and anything the two could share (files, ports, labrun's own state).
// Each lesson holding such a cell runs here alone, at -j 1, once per op
// (as often as the -j benchmarks ran, under the same -benchtime), while a
// goroutine of the benchmark keeps one CPU busy. A cell that then gets its -j 2 verdict is decided by the
// machine's load (a race between the lesson's own processes), not by -j;
// the summary lists it apart. Skipped when no cell differs.
func BenchmarkCheckUnderLoad(b *testing.B) {
	results.Lock()
	c, ok := compareVerdicts()
	results.Unlock()
	if !ok || len(c.differ) == 0 {
		b.Skip("no cell differs between -j 1 and -j 2 (or they did not both run)")
	}
	bin := labrun(b)
	corpus := abs(b, corpusDir)
	config := abs(b, corpusConfig)
	env := scratchEnv(b)
	lessons := map[string]bool{}
	for _, d := range c.differ {
		if i := strings.LastIndexByte(d.cell, ' '); i > 0 {
			lessons[d.cell[:i]] = true
		}
	}
	verdicts := map[string]map[string]bool{}
	for b.Loop() {
		var stop atomic.Bool
		spun := make(chan struct{})
		go func() {
			defer close(spun)
			for !stop.Load() {
			}
		}()
		for lesson := range lessons {
			out := runCheck(b, env, bin, "check", "--config", config, "--json", "-j", "1", corpus+lesson)
			addVerdicts(verdicts, out, corpus)
		}
		stop.Store(true)
		<-spun
	}
	results.Lock()
	checkUnderLoad = verdicts
	results.Unlock()
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
// nothing of -j. Every other cell must have the one verdict at both, or
// get its -j 2 verdict at -j 1 under load (BenchmarkCheckUnderLoad).
type verdictComparison struct {
	cells    int        // cells seen at both
	unstable []cellDiff // cells whose verdict varied within -j 1 or -j 2
	differ   []cellDiff // stable cells whose verdict is not the same at both
	load     []cellDiff // of those, cells that got their -j 2 verdict under load at -j 1
}

// cellDiff is one cell of a verdictComparison: "LESSON N", and its
// verdicts at each -j.
type cellDiff struct {
	cell, verdicts string
}

func (d cellDiff) String() string { return d.cell + " (" + d.verdicts + ")" }

// names lists a set of verdicts: "fail/pass".
func names(set map[string]bool) string {
	var v []string
	for k := range set {
		v = append(v, k)
	}
	sort.Strings(v)
	return strings.Join(v, "/")
}

// compareVerdicts compares -j 1 and -j 2; the caller holds results' lock.
func compareVerdicts() (verdictComparison, bool) {
	j1, j2 := checkVerdicts["1"], checkVerdicts["2"]
	if j1 == nil || j2 == nil {
		return verdictComparison{}, false
	}
	var c verdictComparison
	for cell, v1 := range j1 {
		v2, ok := j2[cell]
		if !ok {
			c.differ = append(c.differ, cellDiff{cell, "not run at -j 2"})
			continue
		}
		c.cells++
		d := cellDiff{cell, fmt.Sprintf("-j 1: %s, -j 2: %s", names(v1), names(v2))}
		switch {
		case len(v1) > 1 || len(v2) > 1:
			c.unstable = append(c.unstable, d)
		case names(v1) != names(v2):
			if vl := checkUnderLoad[cell]; vl[names(v2)] {
				d.verdicts += ", -j 1 under load: " + names(vl)
				c.load = append(c.load, d)
			} else {
				c.differ = append(c.differ, d)
			}
		}
	}
	for cell := range j2 {
		if _, ok := j1[cell]; !ok {
			c.differ = append(c.differ, cellDiff{cell, "not run at -j 1"})
		}
	}
	for _, l := range [][]cellDiff{c.unstable, c.differ, c.load} {
		sort.Slice(l, func(i, j int) bool { return l[i].cell < l[j].cell })
	}
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
	fmt.Printf("summary: check dev corpus: -j 1 %.1f s/op, -j 2 %.1f s/op, speed-up %.2fx; %d cells, %d unstable by nature, %d stable cells whose verdict follows the load, %d other stable cells whose verdict differs\n",
		j1.seconds, j2.seconds, j1.seconds/j2.seconds, c.cells, len(c.unstable), len(c.load), len(c.differ))
	for _, u := range c.unstable {
		fmt.Printf("summary: check: unstable at a given -j: %s\n", u)
	}
	for _, d := range c.load {
		fmt.Printf("summary: check: -j 1 and -j 2 differ, and -j 1 under one CPU of load gives -j 2's verdict: %s\n", d)
	}
	for _, d := range c.differ {
		fmt.Printf("summary: check: -j 1 and -j 2 differ: %s\n", d)
	}
}
