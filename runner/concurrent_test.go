package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/transcript"
)

// TestTwoRunsAtOnce runs two lessons at once in one process, as check -j
// will: each one's limits, sweep and outputs are its own. Lesson A has
// other resource limits than B; A ends (and sweeps) while B's background
// step still runs, and B's step must live on to answer B's last cell. A
// daemon of A that cleared its environment (so that no marker names its
// run) is gone when both are done: A's cgroup holds it where there is one,
// else the last run to close sweeps it.
func TestTwoRunsAtOnce(t *testing.T) {
	need(t, "sh", "bash", "python3", "setsid", "env")
	tag := setTag(t)
	t.Cleanup(func() { killTagged(tag) })
	flag := filepath.Join(t.TempDir(), "a-done")
	mdA := "<!-- labrun nofile=64 cpu=7 -->\n\n" +
		fence("!ulimit -n; ulimit -t") + "\n" +
		fence("!env -i setsid sleep 7731001 >/dev/null 2>&1 </dev/null &") + "\n" +
		fence("!echo A-last")
	mdB := "<!-- labrun nofile=100 cpu=9 -->\n\n" +
		fence("a = TInteractiveLauncher('cat')") + "\n" +
		fence("!ulimit -n; ulimit -t") + "\n" +
		fence("!while [ ! -e "+flag+" ]; do sleep 0.05; done; echo B-waited") + "\n" +
		fence("a.write('still here\\n')\na.close()")
	lA, lB := parseLesson(t, mdA), parseLesson(t, mdB)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	type ran struct {
		res *transcript.Result
		err error
	}
	doneA, doneB := make(chan ran, 1), make(chan ran, 1)
	go func() {
		res, err := Run(ctx, lB, t.TempDir(), Options{})
		doneB <- ran{res, err}
	}()
	go func() {
		res, err := Run(ctx, lA, t.TempDir(), Options{})
		doneA <- ran{res, err}
	}()
	a := <-doneA
	if a.err != nil {
		t.Fatalf("run A: %v", a.err)
	}
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b := <-doneB
	if b.err != nil {
		t.Fatalf("run B: %v", b.err)
	}
	if got := streams(a.res.Cells[0]); got != "64\n7\n" {
		t.Errorf("A's limits: ulimit -n, -t gave %q, want 64 and 7\n%s", got, dumpAll(a.res))
	}
	if got := streams(b.res.Cells[1]); got != "100\n9\n" {
		t.Errorf("B's limits: ulimit -n, -t gave %q, want 100 and 9\n%s", got, dumpAll(b.res))
	}
	if got := streams(a.res.Cells[2]); got != "A-last\n" {
		t.Errorf("A's last cell: %q", got)
	}
	if got := streams(b.res.Cells[2]); got != "B-waited\n" {
		t.Errorf("B's waiting cell: %q\n%s", got, dumpAll(b.res))
	}
	want := "L | Process started. PID = N\nI | still here\nO | still here\nL | Process finished. Exit code 0"
	if got := pidRe.ReplaceAllString(logOf(t, b.res.Cells[0]), "${1}N"); got != want {
		t.Errorf("B's background step after A's sweep:\n%s\nwant\n%s", got, want)
	}
	for _, res := range []*transcript.Result{a.res, b.res} {
		for _, cr := range res.Cells {
			if cr.Status != transcript.OK {
				t.Errorf("%s", dump(cr))
			}
			for _, o := range cr.Outputs {
				other := map[bool]string{true: "B-waited", false: "A-last"}[res == a.res]
				if strings.Contains(o.Text, other) {
					t.Errorf("the other run's output in cell %d: %q", cr.Cell.Index, o.Text)
				}
			}
		}
	}
	if left := tagged(tag); len(left) > 0 {
		t.Errorf("processes left after both runs:\n%s", strings.Join(left, "\n"))
	}
	if daemonAlive("7731001") {
		t.Errorf("A's unmarked daemon outlived both runs")
	}
}

// daemonAlive reports whether a live process has arg in its command line.
func daemonAlive(arg string) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte("\x00"+arg+"\x00")) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && !bytes.Contains(st, []byte(") Z")) {
			return true
		}
	}
	return false
}
