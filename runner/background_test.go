package runner

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
)

// bgCases are background steps over FIFOs whose output order must not
// depend on the scheduler. want is the launcher log of cell logCell, with
// the PID normalized to N.
var bgCases = []struct {
	name    string
	md      string
	logCell int
	want    string
	// outputs are stream outputs other cells must show.
	outputs map[int]string
}{
	{
		name: "reader before writer",
		md: fence("!mkfifo f\na = TInteractiveLauncher('cat f')") + "\n" +
			fence("!echo hello > f") + "\n" +
			fence("a.close()"),
		logCell: 0,
		want:    "L | Process started. PID = N\nO | hello\nL | Process finished. Exit code 0",
		outputs: map[int]string{1: "", 2: ""},
	},
	{
		name: "writer before reader",
		md: fence("!mkfifo f\na = TInteractiveLauncher('echo hi > f; echo after')") + "\n" +
			fence("!cat f") + "\n" +
			fence("a.close()"),
		logCell: 0,
		want:    "L | Process started. PID = N\nO | after\nL | Process finished. Exit code 0",
		outputs: map[int]string{1: "hi\n"},
	},
	{
		name: "extra O_RDWR holder",
		md: fence("!mkfifo f") + "\n" +
			fence(`fd = os.open("f", os.O_RDWR)`+"\na = TInteractiveLauncher('cat f')") + "\n" +
			fence("!echo Hello 1 > f\n!echo Hello 2 > f\n!echo Hello 3 > f") + "\n" +
			fence("os.close(fd)\na.close()"),
		logCell: 1,
		want:    "L | Process started. PID = N\nO | Hello 1\nO | Hello 2\nO | Hello 3\nL | Process finished. Exit code 0",
		outputs: map[int]string{2: ""},
	},
	{
		name: "stdin via write",
		md: fence("a = TInteractiveLauncher('cat')") + "\n" +
			fence(`a.write("x\n")`) + "\n" +
			fence("a.close()"),
		logCell: 0,
		want:    "L | Process started. PID = N\nI | x\nO | x\nL | Process finished. Exit code 0",
	},
	{
		name: "killed",
		md: fence("a = TInteractiveLauncher('sleep 1000')") + "\n" +
			fence("os.kill(a.get_pid(), 9)\na.close()"),
		logCell: 0,
		want:    "L | Process started. PID = N\nL | Process finished. Got signal 9",
	},
	{
		name: "stderr and exit code",
		// The pause keeps the order of the two pipes out of the scheduler's
		// hands: see TestLauncherStreamOrder.
		md: fence("a = TInteractiveLauncher('echo out; sleep 0.3; echo err >&2; exit 4')") + "\n" +
			fence("a.close()"),
		logCell: 0,
		want:    "L | Process started. PID = N\nO | out\nE | err\nL | Process finished. Exit code 4",
	},
}

const bgRepeats = 20

// TestBackgroundFIFOs runs each case bgRepeats times: the normalized
// results must be the expected ones, every time.
func TestBackgroundFIFOs(t *testing.T) {
	for _, tc := range bgCases {
		t.Run(tc.name, func(t *testing.T) {
			var first string
			for i := 0; i < bgRepeats; i++ {
				res := runLesson(t, tc.md, Options{})
				norm := normalized(res)
				if i == 0 {
					first = norm
				} else if norm != first {
					t.Fatalf("run %d differs from run 0:\n--- run 0\n%s--- run %d\n%s", i, first, i, norm)
				}
				if i > 0 {
					continue
				}
				log := pidRe.ReplaceAllString(logOf(t, res.Cells[tc.logCell]), "${1}N")
				if log != tc.want {
					t.Errorf("log:\n got %q\nwant %q\n%s", log, tc.want, dumpAll(res))
				}
				for ci, want := range tc.outputs {
					if got := streams(res.Cells[ci]); got != want {
						t.Errorf("cell %d output %q, want %q", ci, got, want)
					}
				}
				for _, cr := range res.Cells {
					if cr.Status != transcript.OK {
						t.Errorf("cell %d status %d\n%s", cr.Cell.Index, cr.Status, dump(cr))
					}
				}
			}
		})
	}
}

// TestLauncherPID: the PID in the log is get_pid(), a live process while
// the step runs.
func TestLauncherPID(t *testing.T) {
	md := fence("a = TInteractiveLauncher('cat')\nprint(a.get_pid())") + "\n" +
		fence("!kill -0 {a.get_pid()} && echo alive") + "\n" +
		fence("a.close()")
	res := runLesson(t, md, Options{})
	pid := strings.TrimSpace(streams(res.Cells[0]))
	log := logOf(t, res.Cells[0])
	if !strings.HasPrefix(log, "L | Process started. PID = "+pid+"\n") {
		t.Errorf("log %q does not start with the pid %s", log, pid)
	}
	if got := streams(res.Cells[1]); got != "alive\n" {
		t.Errorf("the step is not alive between cells: %q", got)
	}
}

// TestLauncherCloseTimeout: close(timeout) waits that long for a step that
// will not end by itself (asleep on a timer), then kills it.
func TestLauncherCloseTimeout(t *testing.T) {
	md := fence("a = TInteractiveLauncher('sleep 30')") + "\n" +
		fence("a.close(timeout=0.5)")
	// Past its timeout unkilled, the close waits for the sleep (30 s) or
	// the cell's timeout.
	opts := Options{Timeout: 30 * time.Second}
	bound := loadbound.New(t, "close(timeout=0.5)", 500*time.Millisecond+proc.KillWait, opts.Timeout,
		cellBaseline(t, fence("a = TInteractiveLauncher('true')")+"\n"+fence("a.close(timeout=0.5)"), opts))
	res := runLesson(t, md, opts)
	if log := pidRe.ReplaceAllString(logOf(t, res.Cells[0]), "${1}N"); log != "L | Process started. PID = N\nL | Process finished. Got signal 9" {
		t.Errorf("log %q", log)
	}
	if d := res.Cells[1].Duration; d < 400*time.Millisecond {
		t.Errorf("close(timeout=0.5) took %v, less than its timeout", d)
	}
	bound.Check(t, res.Cells[1].Duration, "the step was not killed at close's timeout")
}

// TestLauncherCloseBlocked: a step that can never end (it waits on a FIFO
// nobody opens) is killed at close() at once, not after close's timeout.
func TestLauncherCloseBlocked(t *testing.T) {
	md := fence("!mkfifo f\na = TInteractiveLauncher('cat f')") + "\n" +
		fence("a.close(timeout=20)")
	// Not seen blocked, the close waits for its 20 s timeout.
	opts := Options{Timeout: 30 * time.Second}
	bound := loadbound.New(t, "close() of a blocked step", proc.BackgroundStuckQuiet+proc.KillWait, 20*time.Second,
		cellBaseline(t, fence("a = TInteractiveLauncher('true')")+"\n"+fence("a.close(timeout=20)"), opts))
	res := runLesson(t, md, opts)
	if log := pidRe.ReplaceAllString(logOf(t, res.Cells[0]), "${1}N"); log != "L | Process started. PID = N\nL | Process finished. Got signal 9" {
		t.Errorf("log %q", log)
	}
	bound.Check(t, res.Cells[1].Duration, "a step blocked forever was not killed at once")
}

// TestBashAsync: the older %bash_async shows each stream under its name
// and a run log.
func TestBashAsync(t *testing.T) {
	md := fence("%bash_async echo out; echo err >&2") + "\n" +
		fence("!sleep 0.3")
	res := runLesson(t, md, Options{})
	log := logOf(t, res.Cells[0])
	re := regexp.MustCompile(`^STDOUT:\nout\nSTDERR:\nerr\nRUN LOG:\nProcess started! pid=\d+\nProcess finished! exit_code=0$`)
	if !re.MatchString(log) {
		t.Errorf("%%bash_async log:\n%q\nwant to match %q", log, re)
	}
	if res.Cells[0].Status != transcript.OK {
		t.Errorf("status:\n%s", dump(res.Cells[0]))
	}
}

// TestLauncherLogsInputInBudget: what a lesson writes to a step is logged
// within the log's budget, as its output is: a long line in pieces of at
// most maxLogLine bytes cut between characters, nothing past maxLogBytes,
// and the log says it was cut. (A 10 MB a.write() was logged whole: 10 MB
// more in labrun's memory and in the transcript.)
func TestLauncherLogsInputInBudget(t *testing.T) {
	s := &bgStep{}
	s.logInput("first\n\n")
	s.logInput(strings.Repeat("é", 3<<20) + "\nlast\n")
	if s.log[0] != "I | first" || s.log[1] != "I | " {
		t.Errorf("short lines logged as %q, %q", s.log[0], s.log[1])
	}
	total := 0
	for i, l := range s.log {
		total += len(l)
		if len(l) > len("I | ")+maxLogLine {
			t.Errorf("line %d of the log holds %d bytes, more than a piece", i, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d of the log is not valid UTF-8 (a character cut)", i)
		}
	}
	if total > maxLogBytes+len(s.log)*len("I | ")+100 {
		t.Errorf("the log holds %d bytes, over its budget of %d", total, maxLogBytes)
	}
	if last := s.log[len(s.log)-1]; !strings.Contains(last, "log cut at 1 MiB") {
		t.Errorf("the log ends with %.80q, not with its cut", last)
	}
}
