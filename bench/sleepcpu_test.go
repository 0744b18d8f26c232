package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sleepWindow is how long BenchmarkSleepCPU measures while the step
// sleeps; the step sleeps 3 s, and the window opens once it has started.
const sleepWindow = 2 * time.Second

// BenchmarkSleepCPU: labrun's own CPU while a step sleeps 3 s. labrun runs
// a lesson whose one cell is `!sleep 3`; once the sleep has started, the
// CPU time of every thread of labrun and of its other processes (the
// Python worker: every process under labrun outside the step's process
// group) is read from /proc/TID/schedstat, and again sleepWindow later
// while the sleep still runs. The difference, scaled to 3 s, is what
// labrun spent watching a step that does nothing: no start-up, no
// transcript, no worker start, which vary by more than this between runs.
func BenchmarkSleepCPU(b *testing.B) {
	if _, err := os.Stat("/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/schedstat"); err != nil {
		b.Skipf("no schedstat in /proc (a kernel without CONFIG_SCHED_INFO): %v", err)
	}
	bin := labrun(b)
	dir := writeLesson(b, "# sleep\n\n```python\n!sleep 3\n```\n")
	var total time.Duration
	n := 0
	for b.Loop() {
		total += sleepingCPU(b, bin, dir)
		n++
	}
	ms := float64(total.Microseconds()) / 1000 / float64(n)
	b.ReportMetric(ms, "cpu-ms/op")
	record("sleep-cpu", figures{seconds: ms / 1000, strict: -1})
}

// sleepingCPU runs labrun on the lesson in dir and returns its own CPU
// over sleepWindow while the step sleeps, scaled to 3 s.
func sleepingCPU(b *testing.B, bin, dir string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := ownedCommand(ctx, dir, nil, bin, "run", "lesson.md", "-o", filepath.Join(dir, "out.md"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := false
	defer func() {
		if !waited { // a failure below: kill labrun's group, then reap it
			cancel()
			_ = cmd.Wait()
		}
	}()
	root := cmd.Process.Pid
	step := 0 // the sleep's process group
	for give := time.Now().Add(30 * time.Second); step == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(give) {
			b.Fatal("the step's sleep did not start within 30 s")
		}
		step, _ = sleepGroup(processTree(root))
	}
	// own lists labrun's processes outside the step's group.
	own := func(tree map[int]process) map[int]bool {
		pids := map[int]bool{}
		for pid, p := range tree {
			if p.pgid != step {
				pids[pid] = true
			}
		}
		return pids
	}
	before, start := own(processTree(root)), time.Now()
	cpu0 := map[int]time.Duration{}
	for pid := range before {
		cpu0[pid] = threadsCPU(pid)
	}
	time.Sleep(sleepWindow)
	var spent time.Duration
	tree := processTree(root)
	after := own(tree)
	for pid := range before {
		if after[pid] {
			spent += threadsCPU(pid) - cpu0[pid]
		}
	}
	window := time.Since(start)
	if _, sleeping := sleepGroup(tree); !sleeping {
		b.Fatalf("the step ended within the %v window (%v): the window must lie inside the sleep", sleepWindow, window)
	}
	waited = true
	if err := cmd.Wait(); err != nil {
		b.Fatalf("labrun run: %v", err)
	}
	return time.Duration(float64(spent) * float64(3*time.Second) / float64(window))
}

// sleepGroup returns the process group of the step's sleep in tree, if
// it runs.
func sleepGroup(tree map[int]process) (pgid int, ok bool) {
	for _, p := range tree {
		if p.comm == "sleep" {
			return p.pgid, true
		}
	}
	return 0, false
}

// process is one entry of /proc/PID/stat.
type process struct {
	ppid, pgid int
	comm       string
}

// processTree returns root and every process under it, by pid.
func processTree(root int) map[int]process {
	all := map[int]process{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		var state string
		var p process
		if _, err := fmt.Sscan(s[end+1:], &state, &p.ppid, &p.pgid); err != nil {
			continue
		}
		p.comm = s[open+1 : end]
		all[pid] = p
	}
	tree := map[int]process{}
	var add func(int)
	add = func(pid int) {
		tree[pid] = all[pid]
		for child, p := range all {
			if p.ppid == pid {
				if _, seen := tree[child]; !seen {
					add(child)
				}
			}
		}
	}
	if _, ok := all[root]; ok {
		add(root)
	}
	return tree
}

// threadsCPU is the time the threads of pid have spent on a CPU
// (schedstat's first field, in nanoseconds, summed over /proc/PID/task).
func threadsCPU(pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, _ := os.ReadDir(dir)
	var sum time.Duration
	for _, t := range tasks {
		data, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(data)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}
