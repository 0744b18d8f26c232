package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/proc"
)

// cleanLesson runs for a while in its work dir and its TMPDIR, with a
// daemon (which lives until the lesson ends) and the Python worker up:
// everything a cleaner that took the run for gone would break. It touches
// STARTED once the daemon is up.
const cleanLesson = "# Busy\n\n```python\n" +
	"!setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' >/dev/null 2>&1 </dev/null & while [ ! -s daemon.pid ]; do sleep 0.05; done\n" +
	"!touch STARTED\n" +
	"x = 1\n" +
	"```\n\n```python\n" +
	"!for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i > f$i; cp f$i \"$TMPDIR/t$i\"; sleep 0.15; done; ls f* | wc -l; ls \"$TMPDIR\" | wc -l\n" +
	"print('x is', x)\n" +
	"```\n\n```python\n" +
	"!kill -0 $(cat daemon.pid) && echo daemon alive; cat f12 \"$TMPDIR/t12\"\n" +
	"```\n"

// cleanLessonWants are what each cell of a finished cleanLesson shows.
var cleanLessonWants = []string{"    12\n    12\n    x is 1\n", "    daemon alive\n    12\n    12\n"}

// TestCleanConcurrent: four runs at once, one killed with SIGKILL, while
// "labrun clean" runs in a loop, some of the cleaners with a tiny nofile
// limit (a cleaner that cannot open or lock a run dir must leave it
// alone): every live run finishes with its transcript, and only the
// killed run's leftovers (its run dir, its daemon, its cgroup) go. The
// live runs' bound is derived from one run measured alone first.
func TestCleanConcurrent(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not in PATH")
	}
	bin := labrunBinary(t)
	tmp := t.TempDir() // the TMPDIR all runs and cleaners share
	env := func(tag string) []string {
		return append(withoutEnv(os.Environ(), "TMPDIR", "LABRUN_RUN_ID", "LABRUN_TEST_TAG"), "TMPDIR="+tmp, "LABRUN_TEST_TAG="+tag)
	}
	start := func(i int) (*exec.Cmd, string, string) {
		dir := t.TempDir()
		lesson := strings.ReplaceAll(cleanLesson, "STARTED", filepath.Join(dir, "started"))
		if err := os.WriteFile(filepath.Join(dir, "lesson.md"), []byte(lesson), 0o644); err != nil {
			t.Fatal(err)
		}
		tag := fmt.Sprintf("clean-%d-%d-%d", os.Getpid(), i, time.Now().UnixNano())
		cmd := exec.Command(bin, "run", "lesson.md", "-o", "got.md", "--timeout", "60s")
		cmd.Dir, cmd.Env = dir, env(tag)
		cmd.Stderr = &bytes.Buffer{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, dir, tag
	}
	finished := func(cmd *exec.Cmd, dir string) {
		t.Helper()
		if err := cmd.Wait(); err != nil {
			t.Errorf("labrun in %s: %v\nstderr:\n%s", dir, err, cmd.Stderr)
			return
		}
		got, err := os.ReadFile(filepath.Join(dir, "got.md"))
		if err != nil {
			t.Errorf("%s: no transcript: %v", dir, err)
			return
		}
		for _, want := range cleanLessonWants {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("%s: the transcript lacks %q:\n%s", dir, want, got)
			}
		}
		if bytes.Contains(got, []byte("status=failed")) || bytes.Contains(got, []byte("No such file")) {
			t.Errorf("%s: a cell failed:\n%s", dir, got)
		}
	}

	// The baseline: one run alone.
	t0 := time.Now()
	cmd, dir, _ := start(0)
	finished(cmd, dir)
	baseline := time.Since(t0)
	if t.Failed() {
		t.FailNow()
	}
	bound := 6*baseline + 5*time.Second
	t.Logf("one run alone: %v; bound for the runs side by side: %v", baseline, bound)

	// Four at once; the first is killed once its daemon is up.
	type runInfo struct {
		cmd      *exec.Cmd
		dir, tag string
	}
	var runs []runInfo
	for i := 1; i <= 4; i++ {
		c, d, tag := start(i)
		runs = append(runs, runInfo{c, d, tag})
	}
	t1 := time.Now()
	victim := runs[0]
	waitFor(t, filepath.Join(victim.dir, "started"), bound)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.cmd.Wait()
	victimDirs, _ := filepath.Glob(filepath.Join(tmp, proc.RunDirPrefix+proc.TagPrefix(victim.cmd.Process.Pid)+"*"))
	if len(victimDirs) == 0 || len(taggedPids(victim.tag)) == 0 {
		t.Fatalf("the killed run left no run dir (%v) or no daemon: the test tests nothing", victimDirs)
	}

	// Cleaners in a loop until the live runs are over: plain ones, ones
	// with a tiny nofile, and ones in a pid namespace of their own, where
	// no /proc/PID of the runs can be read.
	cleaners := cleanerCommands(t, bin)
	stop := make(chan struct{})
	var cleaned sync.WaitGroup
	var mu sync.Mutex
	var reports []string
	cleaned.Add(1)
	go func() {
		defer cleaned.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c := cleaners[i%len(cleaners)]()
			c.Env = env("cleaner")
			out, _ := c.CombinedOutput()
			mu.Lock()
			reports = append(reports, clip(strings.TrimSpace(string(out)), 200))
			mu.Unlock()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	for _, r := range runs[1:] {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-ctx.Done():
				r.cmd.Process.Kill()
			}
		}()
		finished(r.cmd, r.dir)
		close(done)
	}
	elapsed := time.Since(t1)
	close(stop)
	cleaned.Wait()
	if elapsed > bound {
		t.Errorf("the live runs took %v, more than %v (six times one run alone, plus 5s)", elapsed, bound)
	}
	mu.Lock()
	t.Logf("%d cleaners ran; what they said: %q", len(reports), uniq(reports))
	mu.Unlock()

	// The killed run's leftovers are gone (one more cleaner, in case the
	// loop ended first), and nothing else is left.
	out, err := exec.Command(bin, "clean").CombinedOutput()
	if err != nil {
		t.Errorf("labrun clean: %v\n%s", err, out)
	}
	if left := taggedPids(victim.tag); len(left) > 0 {
		t.Errorf("the killed run's processes are alive: %v", left)
	}
	if left := leftoverCgroups(victim.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("the killed run's cgroup was left: %v", left)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("left in TMPDIR: %v", names)
	}
}

// cleanerCommands are ways to run "labrun clean" with bin: as it is, with
// a tiny nofile limit (some so small that the Go runtime fails to start:
// no matter), and, where the machine allows it, in a pid namespace of its
// own (with a /proc of its own, in which no process of the runs is seen).
func cleanerCommands(t *testing.T, bin string) []func() *exec.Cmd {
	plain := func() *exec.Cmd { return exec.Command(bin, "clean") }
	cmds := []func() *exec.Cmd{plain}
	for _, n := range []string{"4", "5", "10", "12"} {
		cmds = append(cmds, plain, func() *exec.Cmd {
			// A shell sets the limit and executes labrun in its place.
			return exec.Command("/bin/sh", "-c", `ulimit -n "$1" && exec "$0" clean`, bin, n)
		})
	}
	for _, args := range [][]string{{"--pid", "--fork", "--mount-proc"}, {"--user", "--map-root-user", "--pid", "--fork", "--mount-proc"}} {
		if exec.Command("unshare", append(args, "true")...).Run() == nil {
			return append(cmds, func() *exec.Cmd { return exec.Command("unshare", append(args, bin, "clean")...) })
		}
	}
	t.Log("no pid namespace to be had (unshare): no cleaner runs in one")
	return cmds
}

// waitFor waits up to bound for file to appear.
func waitFor(t *testing.T, file string, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		if _, err := os.Stat(file); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %v", file, bound)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// uniq returns the distinct strings of s, in their first order.
func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
