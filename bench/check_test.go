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
	"syscall"
	"testing"
	"time"
)

// corpusDir is the dev corpus "labrun check" benchmarks run.
const corpusDir = sharedDir + "/corpus/caos/caos_2019-2020"

// corpusConfig is the project's settings for the dev corpus (the course's
// recording environment: magics version, umask).
const corpusConfig = "../testdata/caos_2019-2020.toml"

// checkVerdicts keeps each -j benchmark's verdicts ("lesson cell verdict"
// lines, sorted), for the summary to compare.
var checkVerdicts = map[string][]string{}

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
	var verdicts []string
	for b.Loop() {
		start := time.Now()
		out := runCheck(b, env, bin, "check", "--config", config, "--json", "-j", fmt.Sprint(jobs), corpus)
		total += time.Since(start)
		verdicts = verdicts[:0]
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev struct {
				Event, Lesson, Verdict string
				Cell                   int
			}
			if json.Unmarshal([]byte(l), &ev) == nil && ev.Event == "cell" {
				verdicts = append(verdicts, fmt.Sprintf("%s %d %s", strings.TrimPrefix(ev.Lesson, corpus), ev.Cell, ev.Verdict))
			}
		}
	}
	sort.Strings(verdicts)
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
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		b.Fatalf("%s %s: %v\nstderr:\n%s", name, strings.Join(args, " "), err, tail(errs.String()))
	}
	return out.String()
}

// sameVerdicts reports whether -j 1 and -j 2 gave the same verdicts, and
// on how many cells; the caller holds results' lock.
func sameVerdicts() (bool, int) {
	return strings.Join(checkVerdicts["1"], "\n") == strings.Join(checkVerdicts["2"], "\n"), len(checkVerdicts["1"])
}

// checkSummary prints the -j 2 / -j 1 ratio and whether the verdicts agree.
func checkSummary(r map[string]figures) {
	j1, ok1 := r["check-j1"]
	j2, ok2 := r["check-j2"]
	if !ok1 || !ok2 || j2.seconds == 0 {
		return
	}
	same, _ := sameVerdicts()
	fmt.Printf("summary: check dev corpus: -j 1 %.1f s/op, -j 2 %.1f s/op, speed-up %.2fx, same verdicts: %v (%d cells)\n",
		j1.seconds, j2.seconds, j1.seconds/j2.seconds, same, len(checkVerdicts["1"]))
	if !same {
		in2 := map[string]bool{}
		for _, v := range checkVerdicts["2"] {
			in2[v] = true
		}
		for _, v := range checkVerdicts["1"] {
			if !in2[v] {
				fmt.Printf("summary: check -j 1 only: %s\n", v)
			}
		}
	}
}
