package main

// Tests of how labrun stops: signals from a terminal, from timeout(1) and
// systemd, and a standard output closed under it ("| head"). Each run is
// a labrun process of the built binary in a fresh folder, its TMPDIR and
// HOME fresh too and LABRUN_TEST_TAG set, so that survivors are found as
// the adversarial suite finds them (survivors, leftoverCgroups).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labrun/labrun/check/report"
	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/internal/proc"
)

// sigRun is the setting of one test's labrun runs.
type sigRun struct {
	t                   *testing.T
	bin, dir, tmp, home string
	tag                 string
}

func newSigRun(t *testing.T) *sigRun {
	return &sigRun{t: t, bin: labrunBinary(t), dir: t.TempDir(), tmp: t.TempDir(), home: t.TempDir(), tag: randomTag(t)}
}

// write writes a file of the folder, @DIR@ and @TAG@ replaced.
func (r *sigRun) write(name, text string) {
	r.t.Helper()
	text = strings.NewReplacer("@DIR@", r.dir, "@TAG@", r.tag).Replace(text)
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// command is labrun with args, in the folder, in a process group of its
// own (as a shell's job, or under timeout(1)).
func (r *sigRun) command(args ...string) *exec.Cmd {
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(withoutEnv(os.Environ(), "TMPDIR", "HOME", "LABRUN_RUN_ID", "LABRUN_TEST_TAG", "LABRUN_GATE_FD", "GITHUB_ACTIONS"),
		"TMPDIR="+r.tmp, "HOME="+r.home, "LABRUN_TEST_TAG="+r.tag)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// record runs lesson (a file of the folder) with labrun run into the
// transcript out, with extra flags; it returns how long it took.
func (r *sigRun) record(lesson, out string, flags ...string) time.Duration {
	r.t.Helper()
	start := time.Now()
	if b, err := r.command(append([]string{"run", lesson, "-o", out}, flags...)...).CombinedOutput(); err != nil {
		r.t.Fatalf("labrun run %s: %v\n%s", lesson, err, b)
	}
	os.Remove(filepath.Join(r.dir, "started"))
	return time.Since(start)
}

// waitStarted waits until the lesson touched the file "started" (false:
// labrun ended first, done closed).
func (r *sigRun) waitStarted(done <-chan struct{}) bool {
	for {
		if _, err := os.Stat(filepath.Join(r.dir, "started")); err == nil {
			return true
		}
		select {
		case <-done:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// start starts cmd and returns a channel closed once it ended, its exit
// status then in *code (-1 for death by a signal).
func (r *sigRun) start(cmd *exec.Cmd, code *int) <-chan struct{} {
	r.t.Helper()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		*code = cmd.ProcessState.ExitCode()
		close(done)
	}()
	return done
}

// baseline returns a baseline for loadbound.New: how long labrun run
// takes for a lesson of one trivial Python cell, on the machine as loaded
// as it is now.
func (r *sigRun) baseline() func() time.Duration {
	return func() time.Duration {
		r.write("trivial.md", "# Trivial\n\n```python\nprint(\"hi\")\n```\n")
		return r.record("trivial.md", "trivial-out.md")
	}
}

// wait waits for the run to end within the bound, counted from since
// (killing it past that); why says what a run past it means.
func (r *sigRun) wait(cmd *exec.Cmd, done <-chan struct{}, b *loadbound.Bound, since time.Time, why string) {
	r.t.Helper()
	if _, ok := loadbound.Await(r.t, b, since, done); !ok {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		r.t.Errorf("labrun did not end within %.1fs (%.1fs later: killed): %s", b.Limit().Seconds(), time.Since(since).Seconds(), why)
	}
}

// clean checks that nothing of the run is left: no process, no cgroup,
// nothing in TMPDIR.
func (r *sigRun) clean(pid int) {
	r.t.Helper()
	if left := survivors(r.tag, pid); len(left) > 0 {
		r.t.Errorf("processes of the run alive after labrun exited (now killed): %v", left)
	}
	if left := leftoverCgroups(pid); len(left) > 0 {
		r.t.Errorf("labrun left its cgroup behind: %v", left)
	}
	if ents, _ := os.ReadDir(r.tmp); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		r.t.Errorf("labrun left files in TMPDIR: %v", names)
	}
}

// readFile reads a file of the folder ("" when there is none).
func (r *sigRun) readFile(name string) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, name))
	return string(b)
}

// cellVerdicts are the verdicts of the JSON cell events, by cell number.
func cellVerdicts(t *testing.T, events string) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(events), "\n") {
		var ev report.JSONEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not an event: %q", line)
		}
		if ev.Event == report.EventCell {
			out[ev.Cell] = ev.Verdict
		}
	}
	return out
}

// hangingLesson has a quick cell, then one that touches "started" and
// sleeps, with a daemon of its own alive; extra is more of its line.
const hangingLesson = "# Hangs\n\n```python\nprint(\"one\")\n```\n\n```python\n" +
	"!setsid sleep 1000 </dev/null >/dev/null 2>&1 &\n!%stouch @DIR@/started; sleep 100\n```\n"

// TestSignalClosedStdout: "labrun check --json -j 2 a.md b.md | head -n 2"
// -- the reader of standard output goes away after two lines, before
// a.md ends and while b.md runs, a setsid daemon of its own alive. labrun must stop as for
// SIGTERM: exit 141, nothing left (before, SIGPIPE killed labrun and the
// daemon lived on), the JUnit file written.
func TestSignalClosedStdout(t *testing.T) {
	r := newSigRun(t)
	r.write("quick.md", "# Quick\n\n```python\nimport time; time.sleep(2); print(\"hi\")\n```\n")
	r.write("slow.md", strings.Replace(hangingLesson, "%s", "", 1))
	r.record("quick.md", "a.md")
	r.record("slow.md", "b.md", "--timeout", "1s")
	// Not stopped, the step runs until its 60 s timeout.
	bound := loadbound.New(t, "labrun after its output closed", proc.DefaultGrace+proc.KillWait, 55*time.Second, r.baseline())

	cmd := r.command("check", "--json", "-j", "2", "--timeout", "60s", "--junit", "j.xml", "a.md", "b.md")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var code int
	start := time.Now()
	done := r.start(cmd, &code)
	if !r.waitStarted(done) {
		t.Fatalf("labrun ended before the lesson started:\n%s", stderr.String())
	}
	lines := bufio.NewReader(out)
	for range 2 {
		if _, err := lines.ReadString('\n'); err != nil {
			t.Fatalf("reading the events: %v", err)
		}
	}
	out.Close() // head -n 2 is satisfied
	closed := time.Now()
	r.wait(cmd, done, bound, closed, "the closed output did not stop the 60 s step")
	t.Logf("exit %d after %.2fs, %.2fs after its output closed; stderr:\n%s", code, time.Since(start).Seconds(), time.Since(closed).Seconds(), stderr.String())
	if code != 141 {
		t.Errorf("exit status %d (%v), want 141", code, cmd.ProcessState)
	}
	r.clean(cmd.Process.Pid)
	if !strings.Contains(r.readFile("j.xml"), "<testsuites") {
		t.Errorf("no JUnit report written")
	}
}

// TestSignalPipeDefault: started with SIGPIPE ignored (as by a parent
// that ignores it: an ignored signal is inherited across exec), labrun
// still gives its steps SIGPIPE's default, so that "yes | head -1" ends
// yes by SIGPIPE (141), as in a terminal, in a shell cell and in a
// background step; labrun itself catching SIGPIPE changes nothing.
func TestSignalPipeDefault(t *testing.T) {
	r := newSigRun(t)
	r.write("lesson.md", "# Pipes\n\n```bash\n%%bash\nyes | head -1; echo \"yes: ${PIPESTATUS[0]}\"\n```\n\n"+
		"```python\na = TInteractiveLauncher(\"bash -c 'yes | head -1; echo bg-yes: ${PIPESTATUS[0]}'\")\n"+
		"import time; time.sleep(1)\n```\n")
	cmd := r.command("run", "lesson.md", "-o", "got.md", "--timeout", "20s")
	cmd.Args = append([]string{"/bin/sh", "-c", `trap '' PIPE; exec "$0" "$@"`}, cmd.Args...)
	cmd.Path = "/bin/sh"
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("labrun run: %v\n%s", err, b)
	}
	got := r.readFile("got.md")
	for _, want := range []string{"yes: 141", "bg-yes: 141"} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q (SIGPIPE not back to its default for the step):\n%s", want, got)
		}
	}
	r.clean(cmd.Process.Pid)
}

// checkStopped checks t.md (recorded from hangingLesson with extra in
// its line, its cell 2 interrupted by a timeout) with labrun check
// --json --junit --update --grace grace, and once cell 2 runs calls stop
// with labrun's pid. It returns labrun's exit status, standard output
// and error.
func checkStopped(t *testing.T, r *sigRun, extra, grace string, stop func(pid int)) (int, string, string) {
	t.Helper()
	wait, err := time.ParseDuration(grace)
	if err != nil {
		t.Fatal(err)
	}
	// Not stopped, the step runs until its 60 s timeout.
	bound := loadbound.New(t, "labrun after the stop", wait+proc.KillWait, 60*time.Second, r.baseline())
	r.write("lesson.md", strings.Replace(hangingLesson, "%s", extra, 1))
	r.record("lesson.md", "t.md", "--timeout", "1s", "--grace", "0.2s")
	recorded := r.readFile("t.md")
	if !strings.Contains(recorded, "status=interrupted") {
		t.Fatalf("the recorded cell 2 is not interrupted:\n%s", recorded)
	}
	cmd := r.command("check", "--json", "--junit", "j.xml", "--update", "--timeout", "60s", "--grace", grace, "t.md")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var code int
	done := r.start(cmd, &code)
	if !r.waitStarted(done) {
		t.Fatalf("labrun ended before cell 2 started:\n%s", stderr.String())
	}
	stopped := time.Now()
	stop(cmd.Process.Pid)
	r.wait(cmd, done, bound, stopped, "the stop did not end the 60 s step")
	t.Logf("exit %d; stderr:\n%s", code, stderr.String())
	r.clean(cmd.Process.Pid)
	if r.readFile("t.md") != recorded {
		t.Errorf("--update rewrote the transcript of a stopped check:\n%s", r.readFile("t.md"))
	}
	return code, stdout.String(), stderr.String()
}

// junitCases reads the JUnit file j.xml of the folder: its testcases by
// name, per suite.
func junitCases(t *testing.T, r *sigRun) map[string]map[string]report.JUnitCase {
	t.Helper()
	var doc report.JUnitSuites
	if err := xml.Unmarshal([]byte(r.readFile("j.xml")), &doc); err != nil {
		t.Fatalf("no JUnit report: %v", err)
	}
	out := map[string]map[string]report.JUnitCase{}
	for _, s := range doc.Suites {
		out[s.Name] = map[string]report.JUnitCase{}
		for _, c := range s.Cases {
			out[s.Name][c.Name] = c
		}
	}
	return out
}

// TestSignalCutCell: a cell cut by a signal meant for labrun did not
// finish: neither passed (its recorded cell was interrupted too, so a
// SIGTERM made it pass) nor failed (Ctrl-C leaves "^C" in its output),
// whether labrun passed the signal on or it reached the step directly
// (systemd and timeout signal a whole group or cgroup). It is reported
// as interrupted (JSON), skipped with the reason (JUnit), "1 not
// finished" in the summary, and --update leaves the transcript alone.
func TestSignalCutCell(t *testing.T) {
	for _, c := range []struct {
		name  string
		extra string
		code  int
		stop  func(r *sigRun, pid int)
	}{
		{"ctrl-c", "", exitInterrupted, func(r *sigRun, pid int) { syscall.Kill(pid, syscall.SIGINT) }},
		{"sigterm", "", exitTerminated, func(r *sigRun, pid int) { syscall.Kill(pid, syscall.SIGTERM) }},
		{"sigterm to the step too", "echo $$ > @DIR@/pid; ", exitTerminated, func(r *sigRun, pid int) {
			step := strings.TrimSpace(r.readFile("pid"))
			var sp int
			if _, err := fmt.Sscan(step, &sp); err != nil || sp <= 1 {
				r.t.Fatalf("the step's pid: %q", step)
			}
			syscall.Kill(-sp, syscall.SIGTERM) // its process group, as systemd's cgroup kill
			syscall.Kill(pid, syscall.SIGTERM)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newSigRun(t)
			code, stdout, stderr := checkStopped(t, r, c.extra, "20s", func(pid int) { c.stop(r, pid) })
			if code != c.code {
				t.Errorf("exit status %d, want %d", code, c.code)
			}
			if v := cellVerdicts(t, stdout); v[1] != "pass" || v[2] != "interrupted" {
				t.Errorf("verdicts %v, want cell 1 pass, cell 2 interrupted:\n%s", v, stdout)
			}
			if !strings.Contains(stderr, "t.md:12: cell 2: not finished") || !strings.Contains(stderr, "1 passed, 0 failed, 1 not finished") {
				t.Errorf("the report does not say cell 2 did not finish:\n%s", stderr)
			}
			cell := junitCases(t, r)["t.md"]["cell 2 (line 12)"]
			if cell.Skipped == nil || !strings.Contains(cell.Skipped.Message, "not finished") || cell.Failure != nil {
				t.Errorf("JUnit cell 2: %+v, want skipped: not finished\n%s", cell, r.readFile("j.xml"))
			}
		})
	}
}

// TestSignalTimeoutPair: GNU timeout sends SIGTERM to labrun, then to its
// process group, labrun again: one request to stop, not a second one.
// labrun must still write the JUnit file and the partial transcript. (The
// two come a moment apart, as on a loaded machine: sent back to back,
// the kernel may merge them into one pending signal. The step ignores
// Ctrl-C: labrun waits out a grace of two seconds before it kills it,
// and the second SIGTERM comes meanwhile.)
func TestSignalTimeoutPair(t *testing.T) {
	timeoutKill := func(pid int) {
		syscall.Kill(pid, syscall.SIGTERM)
		time.Sleep(repeatWindow / 10)
		syscall.Kill(-pid, syscall.SIGTERM)
	}
	t.Run("check", func(t *testing.T) {
		r := newSigRun(t)
		code, _, stderr := checkStopped(t, r, "trap '' INT; ", "2s", timeoutKill)
		if code != exitTerminated {
			t.Errorf("exit status %d, want %d", code, exitTerminated)
		}
		if !strings.Contains(stderr, "1 not finished") {
			t.Errorf("no totals line:\n%s", stderr)
		}
		if _, ok := junitCases(t, r)["t.md"]["cell 1 (line 3)"]; !ok {
			t.Errorf("the JUnit report lacks cell 1:\n%s", r.readFile("j.xml"))
		}
	})
	t.Run("run", func(t *testing.T) {
		r := newSigRun(t)
		// Not stopped, the step runs until its 60 s timeout.
		bound := loadbound.New(t, "labrun after the SIGTERMs", 2*time.Second+proc.KillWait, 60*time.Second, r.baseline())
		r.write("lesson.md", strings.Replace(hangingLesson, "%s", "trap '' INT; ", 1))
		cmd := r.command("run", "lesson.md", "-o", "out.md", "--timeout", "60s", "--grace", "2s")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		var code int
		done := r.start(cmd, &code)
		if !r.waitStarted(done) {
			t.Fatalf("labrun ended before cell 2 started:\n%s", stderr.String())
		}
		stopped := time.Now()
		timeoutKill(cmd.Process.Pid)
		r.wait(cmd, done, bound, stopped, "the SIGTERMs did not end the 60 s step")
		if code != exitTerminated {
			t.Errorf("exit status %d, want %d:\n%s", code, exitTerminated, stderr.String())
		}
		r.clean(cmd.Process.Pid)
		if out := r.readFile("out.md"); !strings.Contains(out, "status=interrupted") {
			t.Errorf("no partial transcript:\n%s", out)
		}
	})
}

// TestSignalRepeatLater: a second SIGTERM past repeatWindow is a second
// request: labrun quits at once, without waiting out the grace of a step
// that ignores Ctrl-C, and nothing survives.
func TestSignalRepeatLater(t *testing.T) {
	r := newSigRun(t)
	r.write("lesson.md", strings.Replace(hangingLesson, "%s", "trap '' INT; ", 1))
	const grace = 30 * time.Second
	// Waiting for the step, labrun ends after its grace.
	bound := loadbound.New(t, "labrun after the second SIGTERM", proc.KillWait, grace, r.baseline())
	cmd := r.command("run", "lesson.md", "-o", "out.md", "--timeout", "60s", "--grace", grace.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var code int
	done := r.start(cmd, &code)
	if !r.waitStarted(done) {
		t.Fatalf("labrun ended before cell 2 started:\n%s", stderr.String())
	}
	syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
		t.Fatalf("labrun ended on the first SIGTERM, its step ignoring Ctrl-C with a %v grace:\n%s", grace, stderr.String())
	case <-time.After(repeatWindow + 500*time.Millisecond):
	}
	second := time.Now()
	syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	r.wait(cmd, done, bound, second, "after the second SIGTERM it waited for the step")
	if code != exitTerminated {
		t.Errorf("exit status %d, want %d:\n%s", code, exitTerminated, stderr.String())
	}
	r.clean(cmd.Process.Pid)
}

// TestSignalDoubleInterrupt: a second Ctrl-C quits at once, and the JUnit
// file is still written for what finished: a.md, checked before b.md
// hung in a step that ignores Ctrl-C.
func TestSignalDoubleInterrupt(t *testing.T) {
	r := newSigRun(t)
	r.write("quick.md", "# Quick\n\n```python\nprint(\"hi\")\n```\n")
	r.write("slow.md", strings.Replace(hangingLesson, "%s", "trap '' INT; ", 1))
	r.record("quick.md", "a.md")
	r.record("slow.md", "b.md", "--timeout", "1s", "--grace", "0.2s")
	const grace = 30 * time.Second
	// Waiting for the step, labrun ends after its grace.
	bound := loadbound.New(t, "labrun after the second Ctrl-C", proc.KillWait, grace, r.baseline())
	cmd := r.command("check", "-j", "1", "--junit", "j.xml", "--timeout", "60s", "--grace", grace.String(), "a.md", "b.md")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var code int
	done := r.start(cmd, &code)
	if !r.waitStarted(done) {
		t.Fatalf("labrun ended before b.md's cell 2 started:\n%s", stderr.String())
	}
	syscall.Kill(cmd.Process.Pid, syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	second := time.Now()
	syscall.Kill(cmd.Process.Pid, syscall.SIGINT)
	r.wait(cmd, done, bound, second, "after the second Ctrl-C it waited for the step")
	if code != exitInterrupted {
		t.Errorf("exit status %d, want %d:\n%s", code, exitInterrupted, stderr.String())
	}
	r.clean(cmd.Process.Pid)
	cases := junitCases(t, r)
	if c, ok := cases["a.md"]["cell 1 (line 3)"]; !ok || c.Failure != nil || c.Skipped != nil {
		t.Errorf("a.md in the JUnit report: %+v, want its cell 1 passed:\n%s", cases["a.md"], r.readFile("j.xml"))
	}
	if len(cases["b.md"]) != 0 {
		t.Errorf("b.md, killed under the second Ctrl-C, is reported: %+v", cases["b.md"])
	}
}

// TestSignalGNUTimeout: "timeout D labrun check --junit j.xml t.md" with
// GNU timeout itself, D long enough for the hanging cell to start (the
// time recording the lesson took: its start-up and a 1 s timeout): the
// JUnit file is written, the cut cell not finished, nothing left.
func TestSignalGNUTimeout(t *testing.T) {
	gnu, err := exec.LookPath("timeout")
	if err != nil {
		t.Skip("no timeout(1) here")
	}
	r := newSigRun(t)
	r.write("lesson.md", strings.Replace(hangingLesson, "%s", "trap '' INT; ", 1))
	took := r.record("lesson.md", "t.md", "--timeout", "1s", "--grace", "0.2s")
	cmd := r.command("check", "--junit", "j.xml", "--timeout", "60s", "--grace", "2s", "t.md")
	cmd.Args = append([]string{gnu, "--preserve-status", fmt.Sprintf("%.2f", took.Seconds()), r.bin}, cmd.Args[1:]...)
	cmd.Path = gnu
	out, _ := cmd.CombinedOutput()
	code := cmd.ProcessState.ExitCode()
	t.Logf("timeout %.2fs: exit %d\n%s", took.Seconds(), code, out)
	if code != exitTerminated {
		t.Errorf("exit status %d, want %d", code, exitTerminated)
	}
	if cell, ok := junitCases(t, r)["t.md"]["cell 2 (line 12)"]; !ok || cell.Skipped == nil {
		t.Errorf("JUnit cell 2: %+v, want skipped: not finished\n%s", cell, r.readFile("j.xml"))
	}
	r.clean(cmd.Process.Pid) // timeout's pid: the run's processes are found by the tag
}
