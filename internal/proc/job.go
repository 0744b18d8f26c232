package proc

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A long-lived step may run jobs, one at a time, as a shell at a terminal
// runs the commands typed at it: the step (a shell) reads each job's
// command from elsewhere than its terminal or its stdin (Job.Send puts it
// there, so that a job that reads its input never reads the next
// command), runs it, and prints a mark when it is over, with the job's
// status. RunJob supervises each job on its own, from its Send to its
// mark: its deadline, its stuck checks and labrun's interrupt are the
// job's, and so is the escalation, which stops the job, not the step.
// Between jobs nothing supervises the step: a shell waiting for its next
// command is never timed out nor called stuck.
//
// A job's escalation (Escalation) is, under a pty, the terminal's: Ctrl-C
// typed on it (the ETX alone: a newline would stay in the terminal's
// input for the next job), which the terminal sends to its foreground
// process group, the job's when the shell runs it with job control (the
// SIGINT itself when the job made the terminal raw); then
// SIGKILL to that group, or, when the shell itself is in the foreground
// (a builtin, a command substitution), to the processes of the shell's
// own group below it. With pipes there is no terminal and no job
// control: the job's processes are those below the shell that were not
// there when the job was sent, and each stage signals them (SIGINT, then
// SIGKILL). Either way the last stage, KillWait after the kill, kills the
// step's own group: a job the shell runs itself (a loop of builtins, a
// read of the terminal) is over only with the step, whose later jobs then
// do not run.

// Job is one command of a long-lived step.
type Job struct {
	// Send hands the command to the step.
	Send func() error
	// Mark is what the step prints when the job is over, before the
	// job's status, and MarkEnd what it prints after the status, then a
	// line end ("\n", or "\r\n" as a terminal writes it: either, since a
	// job may have changed the terminal's settings). Mark should be new
	// for each job (a nonce and a count).
	Mark, MarkEnd []byte
	// ToEOF says that once the step has ended, its output is read to its
	// end, as a program reading a pipe to its end does (cram's
	// communicate), not only until it pauses: a process left in the
	// background that holds it keeps the job running, up to the policy's
	// deadline, whose escalation ends it (its group's kill), and a
	// KillWait and the drain's bound more at most (a holder outside the
	// group).
	ToEOF bool
}

// JobResult is how a job ended.
type JobResult struct {
	// Output is what the step printed from the end of the job before
	// (what it printed between the two jobs included) up to the job's
	// mark, as kept (Sink.Text).
	Output string
	// Status is the status the mark gave; "" when the step ended first.
	Status string
	// Ended says the step ended during the job (Exit says how): it runs
	// no further job.
	Ended bool
	Exit  Exit
	// Duration is the job's wall time.
	Duration time.Duration
	// Interrupted says why the supervisor interrupted the job; nil when
	// it ended by itself.
	Interrupted *Interruption
}

// RunJob runs job in the step, under a Supervisor with pol (pol.Changed
// is the step's output), and returns once the step printed the job's mark
// or ended. A step that ended runs no further job: RunJob then returns
// ErrWaited, as Wait does. Jobs run one at a time, and not while Wait
// runs.
func (st *Step) RunJob(ctx context.Context, job Job, pol Policy) (JobResult, error) {
	if st.waited.Load() {
		return JobResult{}, ErrWaited
	}
	start := time.Now()
	seen := st.out.Watch(job.Mark)
	carry := st.pending + st.out.Take()
	st.pending = ""
	j := &jobRun{st: st}
	if st.ptm != nil {
		j.term = st.ptm.termios()
	} else {
		j.before = map[int]bool{}
		for _, pid := range descendants(st.Pid) {
			j.before[pid] = true
		}
	}
	if err := job.Send(); err != nil {
		return JobResult{}, fmt.Errorf("send the job: %w", err)
	}
	changed := make(chan struct{}, 1)
	pol.Changed = changed
	sv := Supervise(ctx, Escalation{Interrupt: j.interrupt, Kill: j.kill, CloseIO: st.Kill}, pol)
	res := st.awaitMark(job, seen, changed, pol)
	res.Interrupted = sv.Stop()
	if res.Interrupted != nil && j.term != nil && !res.Ended {
		// As an interactive shell does after a job a signal ended: what
		// it left of its terminal's settings (raw, no echo) is undone.
		st.ptm.setTermios(j.term)
	}
	res.Output = carry + res.Output
	res.Duration = time.Since(start)
	return res, nil
}

// betweenJobs wraps a job's stuck check: the step itself blocked reading
// the file its commands come from (input) is not stuck but done with the
// job, whose mark is on its way to labrun (on a loaded machine its
// reading may come after a stuck check's two looks): the check looks
// again later.
func (st *Step) betweenJobs(check func() (string, bool, time.Duration), input *os.File) func() (string, bool, time.Duration) {
	var in unix.Stat_t
	if err := unix.Fstat(int(input.Fd()), &in); err != nil {
		return check
	}
	return func() (string, bool, time.Duration) {
		where, stuck, wait := check()
		if stuck && readsFile(st.Pid, in) {
			return "", false, StuckQuiet
		}
		return where, stuck, wait
	}
}

// readsFile reports whether process pid is blocked in a read(2) of the
// file in (false where /proc/PID/syscall does not tell).
func readsFile(pid int, in unix.Stat_t) bool {
	dir := "/proc/" + strconv.Itoa(pid)
	sc, err := procRead(dir + "/syscall")
	f := strings.Fields(string(sc))
	if err != nil || len(f) < 2 {
		return false
	}
	nr, err := strconv.Atoi(f[0])
	if err != nil || nr != unix.SYS_READ {
		return false
	}
	fd, err := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 32)
	if err != nil {
		return false
	}
	var at unix.Stat_t
	if unix.Stat(dir+"/fd/"+strconv.FormatUint(fd, 10), &at) != nil {
		return false
	}
	return at.Dev == in.Dev && at.Ino == in.Ino
}

// awaitMark waits for the job's mark, or for the step's end, passing on
// that the step printed (to changed, the supervisor's); pol is the job's
// (its deadline bounds a drain to EOF: Job.ToEOF).
func (st *Step) awaitMark(job Job, seen <-chan struct{}, changed chan struct{}, pol Policy) JobResult {
	marked := false
	for {
		select {
		case <-st.out.Changed():
			select {
			case changed <- struct{}{}:
			default:
			}
			if !marked {
				continue
			}
		case <-seen:
			marked = true
		case ws := <-st.done:
			if job.ToEOF && !pol.Deadline.IsZero() {
				st.drainToEOF(changed, time.Until(pol.Deadline)+pol.Grace+2*KillWait+ptyDrainMax)
			}
			st.drainEnded()
			st.waited.Store(true)
			st.Kill()
			st.CloseOutput()
			return JobResult{Output: st.out.Take(), Ended: true, Exit: ExitOf(ws)}
		}
		if _, _, _, ok := cutMark(st.out.Text(), job); !ok {
			continue
		}
		out, status, rest, _ := cutMark(st.out.Take(), job)
		st.pending = rest
		return JobResult{Output: out, Status: status}
	}
}

// cutMark cuts text at the job's mark: what comes before it, the status
// in it, what comes after it; ok is false until the whole mark, its line
// end included, is there.
func cutMark(text string, job Job) (out, status, rest string, ok bool) {
	out, after, found := strings.Cut(text, string(job.Mark))
	if !found {
		return "", "", "", false
	}
	status, rest, ok = strings.Cut(after, string(job.MarkEnd))
	rest = strings.TrimPrefix(rest, "\r")
	if !ok || !strings.HasPrefix(rest, "\n") {
		return "", "", "", false
	}
	return out, status, rest[1:], true
}

// drainEnded reads what is left of the output of a step whose program
// ended: up to its end, or, when a process it left holds the output open
// (a job left in the background), until the output pauses for PtyDrain,
// ptyDrainMax at most.
func (st *Step) drainEnded() {
	tick := time.NewTicker(PtyDrain / 2)
	defer tick.Stop()
	limit := time.After(ptyDrainMax)
	for {
		select {
		case <-st.eof:
			return
		case <-limit:
			return
		case <-tick.C:
			if st.out.QuietFor() >= PtyDrain && (st.ptm == nil || st.terminalHeld()) {
				return
			}
		}
	}
}

// drainToEOF waits, limit at most, for the output of a step whose
// program ended to reach its end, passing on that it printed (to
// changed, the supervisor's, which escalates at the job's deadline).
func (st *Step) drainToEOF(changed chan struct{}, limit time.Duration) {
	stop := time.After(limit)
	for {
		select {
		case <-st.eof:
			return
		case <-stop:
			return
		case <-st.out.Changed():
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}
}

// jobRun is one job's escalation: before are the processes below the
// shell when the job was sent (with pipes only), term the terminal's
// settings then (under a pty).
type jobRun struct {
	st     *Step
	before map[int]bool
	term   *unix.Termios
}

// interrupt is Ctrl-C: typed on the terminal, or SIGINT to the job's
// processes. A terminal the job made raw (no ISIG) would take the Ctrl-C
// as a byte of input, left for the next job: its foreground group gets
// the SIGINT the terminal would have sent.
func (j *jobRun) interrupt() {
	if m := j.st.ptm; m != nil {
		if t := m.termios(); t != nil && t.Lflag&unix.ISIG == 0 {
			if fg := m.foreground(); fg > 0 {
				_ = unix.Kill(-fg, unix.SIGINT)
			}
			return
		}
		_, _ = m.Write([]byte{0x03})
		return
	}
	for _, pid := range j.procs() {
		_ = unix.Kill(pid, unix.SIGINT)
	}
}

// kill sends SIGKILL to the job: the terminal's foreground group, the
// processes of the shell's own group below it, or (with pipes) the job's
// processes.
func (j *jobRun) kill() {
	if j.st.ptm == nil {
		for _, pid := range j.procs() {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		return
	}
	if fg := j.st.ptm.foreground(); fg > 0 && fg != j.st.Pid {
		_ = unix.Kill(-fg, unix.SIGKILL)
		return
	}
	for _, pid := range descendants(j.st.Pid) {
		if pi, ok := readProc(pid); ok && pi.pgid == j.st.Pid {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// procs are the processes below the shell that were not there when the
// job was sent.
func (j *jobRun) procs() []int {
	var out []int
	for _, pid := range descendants(j.st.Pid) {
		if !j.before[pid] {
			out = append(out, pid)
		}
	}
	return out
}

// JobQuiet returns, for a job started at start, how long the step has
// printed nothing, counted from start at the earliest: what
// Session.StuckCheck takes as quiet for a job.
func (st *Step) JobQuiet(start time.Time) func() time.Duration {
	return func() time.Duration { return min(st.out.QuietFor(), time.Since(start)) }
}
