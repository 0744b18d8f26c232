package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
)

// procWatch is an Options.OnCell hook: after every cell (Run calls it
// synchronously) it records the tagged processes alive at that moment.
type procWatch struct {
	tag  string
	mu   sync.Mutex
	seen map[string]bool // command lines seen alive between cells
}

func (w *procWatch) onCell(*transcript.CellResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range tagged(w.tag) {
		_, cmd, _ := strings.Cut(s[strings.IndexByte(s, ' ')+1:], " ")
		w.seen[cmd] = true
	}
}

func (w *procWatch) saw(cmd string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[cmd]
}

// TestNoProcessLeft: when Run returns, every process the lesson started is
// gone: background jobs, setsid daemons, double forks, launchers never
// closed. The test process's tag, inherited by every child, finds them.
func TestNoProcessLeft(t *testing.T) {
	tag := setTag(t)
	t.Cleanup(func() { killTagged(tag) })
	w := &procWatch{tag: tag, seen: map[string]bool{}}
	md := fence("!sleep 1000 &") + "\n" +
		fence("!setsid sleep 1000 &") + "\n" +
		fence("!(sh -c 'sleep 1000 &' &)") + "\n" +
		// The same with the terminal let go, so that they surely outlive
		// their step: daemons in their own session, double forks that left
		// the step's group and session. Each step waits for its daemon's
		// pid file, so that the step does not end (and its group is not
		// killed) before the daemon got away, however loaded the machine.
		fence("!setsid sh -c 'echo $$ > d1.pid; exec sleep 1001' >/dev/null 2>&1 </dev/null & while [ ! -s d1.pid ]; do sleep 0.05; done") + "\n" +
		fence("!(setsid sh -c 'sleep 1002 >/dev/null 2>&1 </dev/null & echo $! > d2.pid' &); while [ ! -s d2.pid ]; do sleep 0.05; done") + "\n" +
		fence("%%bash\n"+
			"setsid sh -c 'echo $$ > d3.pid; exec sleep 1003' >/dev/null 2>&1 </dev/null &\n"+
			"(setsid sh -c 'sleep 1004 >/dev/null 2>&1 </dev/null & echo $! > d4.pid' &)\n"+
			"while [ ! -s d3.pid ] || [ ! -s d4.pid ]; do sleep 0.05; done") + "\n" +
		fence("a = TInteractiveLauncher('sleep 1000')") + "\n" +
		fence("%bash_async sleep 1005") + "\n" +
		fence("!echo last")
	// A daemon holding a step's output keeps it to the timeout.
	opts := Options{Timeout: 30 * time.Second}
	bound := loadbound.New(t, "a cell", proc.KillWait, opts.Timeout,
		cellBaseline(t, fence("!true")+"\n"+fence("%%bash\ntrue")+"\n"+fence("a = TInteractiveLauncher('true')")+"\n"+
			fence("%bash_async true"), opts))
	opts.OnCell = w.onCell
	res := runLesson(t, md, opts)
	if left := tagged(tag); len(left) > 0 {
		t.Errorf("processes left after Run returned:\n%s", strings.Join(left, "\n"))
	}
	for _, cmd := range []string{"sleep 1001", "sleep 1002", "sleep 1003", "sleep 1004", "sleep 1000", "sleep 1005"} {
		if !w.saw(cmd) {
			t.Errorf("%q was never seen alive between cells: the test does not test its cleanup", cmd)
		}
	}
	for _, cr := range res.Cells {
		if cr.Status != transcript.OK {
			t.Errorf("status %d, want ok:\n%s", cr.Status, dump(cr))
		}
		bound.Check(t, cr.Duration, fmt.Sprintf("cell %d: a daemon held it", cr.Cell.Index))
	}
	if log := logOf(t, res.Cells[6]); !strings.HasSuffix(log, "L | Process finished. Got signal 9") {
		t.Errorf("launcher never closed: log %q should end with Got signal 9", log)
	}
	if log := logOf(t, res.Cells[7]); !strings.HasSuffix(log, "Process finished! exit_code=137") {
		t.Errorf("%%bash_async killed at the end: log %q", log)
	}
	if got := streams(res.Cells[8]); got != "last\n" {
		t.Errorf("last cell: %q", got)
	}
}

// TestNoProcessLeftAfterCancel: the same when labrun is stopped mid-step.
func TestNoProcessLeftAfterCancel(t *testing.T) {
	tag := setTag(t)
	t.Cleanup(func() { killTagged(tag) })
	l := parseLesson(t, fence("a = TInteractiveLauncher('sleep 1000')")+"\n"+
		fence("!setsid sleep 1001 >/dev/null 2>&1 </dev/null & sleep 30"))
	ctx, cancel := contextWithCancelAfter(time.Second)
	defer cancel()
	res, err := Run(ctx, l, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Errorf("Result.Interrupted not set")
	}
	if left := tagged(tag); len(left) > 0 {
		t.Errorf("processes left after Run returned:\n%s", strings.Join(left, "\n"))
	}
}

// TestWorkDirRemoved: the scratch copy is removed, or kept with Keep; the
// lesson's folder is copied (files, subfolders, links) and never changed.
func TestWorkDirRemoved(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(src+"/data.txt", []byte("data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(src+"/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src+"/sub/x", []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("data.txt", src+"/link"); err != nil {
		t.Fatal(err)
	}
	md := fence("!cat data.txt sub/x link; echo new > data.txt; touch created")
	res := runLessonIn(t, md, src, Options{})
	if got := streams(res.Cells[0]); got != "data\nx\ndata\n" {
		t.Errorf("scratch copy content: %q", got)
	}
	if _, err := os.Stat(res.WorkDir); !os.IsNotExist(err) {
		t.Errorf("work dir %s still exists after the run (err %v)", res.WorkDir, err)
	}
	if b, _ := os.ReadFile(src + "/data.txt"); string(b) != "data\n" {
		t.Errorf("the lesson folder changed: data.txt = %q", b)
	}
	if _, err := os.Stat(src + "/created"); err == nil {
		t.Errorf("the lesson folder changed: created exists")
	}

	res = runLessonIn(t, md, src, Options{Keep: true})
	defer os.RemoveAll(res.WorkDir)
	if b, err := os.ReadFile(res.WorkDir + "/data.txt"); err != nil || string(b) != "new\n" {
		t.Errorf("Keep: work dir data.txt = %q, %v", b, err)
	}
	if _, err := Run(t.Context(), parseLesson(t, md), src, Options{Keep: true, InPlace: true}); err == nil {
		t.Errorf("Keep with InPlace: want an error")
	}
}

// TestRunLayout: lessons side by side see nothing of each other: the work
// dir's .. holds the work dir alone; TMPDIR is the run's own, in its run
// dir, and holds none of labrun's files (the worker's script is elsewhere);
// the run dir and the work dir get mkdir's mode under the course's umask
// (0777 &^ 027), the copied files keep theirs. Two runs at once get two
// run dirs.
func TestRunLayout(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(src+"/x.sh", []byte("echo x\n"), 0o741); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(src+"/x.sh", 0o741); err != nil {
		t.Fatal(err)
	}
	umask := uint32(0o027)
	md := fence("print('worker up')") + "\n" +
		fence("!ls -a .. | tr '\\n' ' '; echo; stat -c %a . .. ../.. x.sh | tr '\\n' ' '; echo; echo $TMPDIR; ls -a $TMPDIR | tr '\\n' ' '")
	opts := Options{Course: &config.Config{Umask: &umask}}
	var wg sync.WaitGroup
	results := make([]*transcript.Result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runLessonIn(t, md, src, opts)
		}()
	}
	wg.Wait()
	for _, res := range results {
		runDir := filepath.Dir(filepath.Dir(res.WorkDir))
		want := fmt.Sprintf(". .. work \n750 750 750 741 \n%s\n. .. ", filepath.Join(runDir, "tmp"))
		if got := streams(res.Cells[1]); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if filepath.Dir(runDir) != os.TempDir() || !strings.HasPrefix(filepath.Base(runDir), "labrun-") {
			t.Errorf("run dir %s is not a labrun-TAG in %s", runDir, os.TempDir())
		}
		if _, err := os.Stat(runDir); !os.IsNotExist(err) {
			t.Errorf("run dir %s left after the run (%v)", runDir, err)
		}
	}
	if results[0].WorkDir == results[1].WorkDir || len(results[0].WorkDir) != len(results[1].WorkDir) {
		t.Errorf("two runs' work dirs: %s and %s (want apart, of one length)", results[0].WorkDir, results[1].WorkDir)
	}
}
