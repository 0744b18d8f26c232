// Package runner runs a parsed lesson and says how each cell ended. It
// holds the lesson's semantics and reads as the lesson runs: Run walks the
// cells; runCell picks the cell's way by its kind (runner.go: file cells,
// script cells; python.go: Python cells and the worker that runs them,
// whose shell steps and background requests it serves); each shell step
// goes through step (runner.go), which starts it in the run's
// proc.Session and waits for it under the cell's deadline; background
// steps live in background.go (bglog.go lays out their logs, settle.go
// waits for them to rest). Outcomes are typed values (result.go): render
// words them; runner prints nothing for people.
//
// Processes are not runner's concern: internal/proc starts, bounds,
// supervises and sweeps them (every process in a group it owns, marked
// with the run's id; when the lesson ends nothing survives). Several
// lessons may run at once in one process: all state is in the run value.
// How labrun and the Python worker talk is written down, op by op, in
// protocol.go.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"golang.org/x/sys/unix"
)

// Defaults for Options.
const (
	DefaultTimeout = 10 * time.Second
	DefaultGrace   = proc.DefaultGrace
)

// DefaultOutputCap is how many bytes of one step's output labrun keeps:
// the first half and the last half; what lies between is dropped and
// counted.
const DefaultOutputCap = proc.DefaultOutputCap

// ErrBadLimits says the resource limits of a run (a lesson's directive,
// or the command line's flags) leave no room to start the programs the
// lesson needs: the input is at fault, not labrun.
var ErrBadLimits = errors.New("the resource limits leave no room to start a program")

// ErrNoProgram says a program labrun needs (sh, bash, python3) is missing.
var ErrNoProgram = proc.ErrNoProgram

// Options control a run.
type Options struct {
	// Timeout bounds each step (default 10s); a lesson or a cell may set
	// its own.
	Timeout time.Duration
	// Grace is how long an interrupted step may take to finish after
	// Ctrl-C before its group is killed (default 500ms).
	Grace time.Duration
	// Keep keeps the scratch work directory after the run.
	Keep bool
	// InPlace runs in the lesson's folder instead of a scratch copy.
	InPlace bool
	// NoStuckDetection turns off interrupting steps that can never
	// progress; only the timeout interrupts them then.
	NoStuckDetection bool
	// OutputCap bounds the bytes kept of one step's output (default 1 MiB).
	OutputCap int
	// OnCell, when set, is called with each cell's result as soon as the
	// cell is over (cmd/labrun prints a progress line from it).
	OnCell func(*CellResult)
	// Limits bound every step. What is set here wins over what the lesson
	// declares, which wins over limits.Default(): a CI job's --procs 50
	// holds whatever a lesson says.
	Limits limits.Limits
	// Sandbox runs every step in a new network namespace (loopback only)
	// with writes confined to the work dir and /tmp where the kernel
	// offers Landlock.
	Sandbox bool
	// Course is the course's recording environment (its labrun.toml),
	// when one was found: the lesson's directives win over it, and
	// Timeout (when TimeoutSet) and Limits set here win over both.
	Course *config.Config
	// TimeoutSet says Timeout was asked for (a flag): it then wins over
	// the lesson's directive, not only over labrun's default.
	TimeoutSet bool
}

// Validate fills in defaults and refuses impossible values.
func (o *Options) Validate() error {
	if o.Timeout < 0 || o.Grace < 0 || o.OutputCap < 0 {
		return errors.New("timeout, grace and output cap must not be negative")
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.OutputCap == 0 {
		o.OutputCap = DefaultOutputCap
	}
	if o.Keep && o.InPlace {
		return errors.New("--keep and --in-place do not go together: in place, nothing is scratch")
	}
	return nil
}

// run is the state of one lesson run.
type run struct {
	opts    Options
	lesson  *lessons.Lesson
	dir     string
	env     []string
	sh      string // sh found through PATH, as pexpect finds it
	magics  string // the version of the course's magics (config.Magics*)
	ipython string // the IPython version the course was recorded with (config.IPython*)
	timeout time.Duration
	// ownLimits is set when the lesson or the options set limits of
	// their own, which probeLimits and probeWorker try; flagLimits are
	// those of the options.
	ownLimits  bool
	flagLimits limits.Limits
	py         *worker
	pyEarly    chan startedWorker // the worker started early, until taken
	bg         *background
	sess       *proc.Session
	cur        *CellResult
	// deadline bounds the current cell: every step of it, and its Python.
	cellStart, deadline time.Time
	// cellSV supervises the current Python cell, if one runs.
	cellSV *proc.Supervisor
	ctx    context.Context

	// lessonFile is the lesson's own file when the steps run in its
	// folder (--in-place): no cell may write over it.
	lessonFile os.FileInfo
}

// Run runs lesson, whose file is in lessonDir, and returns the outputs of
// every cell. An error means labrun itself could not run (no work
// directory, no sh or python3); cells that fail are content, not errors.
// When ctx ends the current step is interrupted, the remaining cells are
// skipped and the result is marked interrupted.
func Run(ctx context.Context, lesson *lessons.Lesson, lessonDir string, opts Options) (res *Result, err error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	r := &run{opts: opts, lesson: lesson, ctx: ctx}
	course := opts.Course
	if course == nil {
		course = &config.Config{}
	}
	r.timeout = opts.Timeout
	if !opts.TimeoutSet {
		if course.Timeout > 0 {
			r.timeout = course.Timeout
		}
		if lesson.Timeout > 0 {
			r.timeout = lesson.Timeout
		}
	}
	r.magics = config.MagicsCurrent
	for _, m := range []string{course.Magics, lesson.Magics} {
		if m != "" {
			r.magics = m
		}
	}
	r.ipython = course.IPython
	r.ownLimits, r.flagLimits = lesson.LimitsLine > 0 || opts.Limits != (limits.Limits{}) || course.Limits != (limits.Limits{}), opts.Limits
	r.opts.Limits = limits.Default().Merge(course.Limits).Merge(lesson.Limits).Merge(opts.Limits)
	if r.sh, err = exec.LookPath("sh"); err != nil {
		return nil, fmt.Errorf("%w: sh is not in PATH", ErrNoProgram)
	}
	if err := r.probeLimits(); err != nil {
		return nil, err
	}
	var notCopied []NotCopied
	if r.dir, notCopied, err = workDir(lessonDir, opts); err != nil {
		return nil, err
	}
	if opts.InPlace {
		r.lessonFile, _ = os.Stat(filepath.Join(lessonDir, filepath.Base(lesson.Name)))
	}
	r.env = stepEnv(course)
	r.sess = proc.NewSession(proc.Config{Limits: r.opts.Limits, Sandbox: opts.Sandbox, Umask: course.Umask}, r.dir)
	work := &scratch{dir: r.dir}
	if !opts.Keep && !opts.InPlace {
		r.sess.OnKilled(work.remove)
	}
	r.bg = newBackground(r)
	res = &Result{Lesson: lesson, WorkDir: r.dir, NotCopied: notCopied, Protections: r.sess.Protections()}
	start := time.Now()
	defer func() {
		r.bg.stopAll()
		r.dropEarly()
		if r.py != nil {
			r.py.stop()
		}
		r.sess.Close()
		r.bg.finishLogs()
		// The work dir goes, unless asked for, or kept to look into when
		// labrun could not run a step (a bad lesson is no such case: it
		// has no result).
		kept := opts.Keep || (err != nil && res != nil && !opts.InPlace)
		switch {
		case opts.InPlace:
		case kept:
			dir := work.keep()
			if kept = dir != ""; kept && res != nil {
				res.WorkDir = dir
			}
		default:
			work.remove()
		}
		if res != nil {
			res.Duration, res.KeptWorkDir = time.Since(start), kept
		}
	}()
	if err := r.probeWorker(); err != nil {
		return nil, err
	}
	r.startEarly()
	for _, c := range lesson.Cells {
		cr := &CellResult{Cell: c, Status: OK}
		res.Cells = append(res.Cells, cr)
		if ctx.Err() != nil {
			cr.Status, cr.Skip = Skipped, StoppedBefore
			res.Interrupted = true
			continue
		}
		r.cur = cr
		t0 := time.Now()
		if !r.directives(c.Before, cr) {
			cr.Duration = time.Since(t0)
			if opts.OnCell != nil {
				opts.OnCell(cr)
			}
			continue
		}
		t0 = time.Now()
		r.cellStart, r.deadline = t0, t0.Add(r.cellTimeout(c))
		if err := r.runCell(c, cr); err != nil {
			cr.Status, cr.Err = Failed, err
			cr.Duration = time.Since(t0)
			return res, fmt.Errorf("%s: %w", c.Pos(lesson.Name), err)
		}
		cr.Duration = time.Since(t0)
		r.checkExpect(c, cr)
		if opts.OnCell != nil {
			opts.OnCell(cr)
		}
		if ctx.Err() != nil && cr.Status != Skipped {
			res.Interrupted = true
			cr.interrupt(&Interruption{Cause: Cancelled, After: cr.Duration})
		}
	}
	if n := len(res.Cells); n > 0 && ctx.Err() == nil {
		r.cur = res.Cells[n-1]
		r.directives(lesson.After, r.cur)
	}
	return res, nil
}

// probeLimits starts sh once under the run's limits, when the lesson or
// the options set any: limits that leave no room to start it would fail
// every step.
func (r *run) probeLimits() error {
	if !r.ownLimits {
		return nil
	}
	err := proc.Probe(proc.Config{Limits: r.opts.Limits, Sandbox: r.opts.Sandbox}, os.TempDir(), r.sh, "-c", ":")
	var pe *proc.ProbeError
	if errors.As(err, &pe) {
		return r.badLimits("sh", pe)
	}
	return err
}

// probeWorker starts the lesson's Python worker before the first cell
// when the run has limits of its own and the lesson has Python cells.
// When it cannot start under them but can under labrun's defaults, the
// limits are at fault. Any other failure is left to the first Python
// cell to report.
func (r *run) probeWorker() error {
	if !r.ownLimits {
		return nil
	}
	hasPython := false
	for _, c := range r.lesson.Cells {
		hasPython = hasPython || c.Kind == lessons.Python
	}
	if !hasPython {
		return nil
	}
	err := r.ensureWorker()
	if err == nil || errors.Is(err, ErrNoPython) {
		return nil
	}
	free := proc.NewSession(proc.Config{Limits: limits.Default(), Sandbox: r.opts.Sandbox}, r.dir)
	defer free.Close()
	w, ferr := startWorker(r.ctx, free, r.dir, r.env, r.opts.OutputCap)
	if ferr != nil {
		return nil
	}
	w.stop()
	return r.badLimits("python3", err)
}

// badLimits says the run's limits leave no room to start prog, naming the
// lesson's directive when it set them (and the command line's flags when
// they did, as they win).
func (r *run) badLimits(prog string, err error) error {
	var where string
	flags := "the command line's limits (" + r.flagLimits.String() + ")"
	switch {
	case r.lesson.LimitsLine > 0 && r.flagLimits != (limits.Limits{}):
		where = fmt.Sprintf("%s:%d: labrun directive: %s, with %s", r.lesson.Name, r.lesson.LimitsLine, r.lesson.Limits, flags)
	case r.lesson.LimitsLine > 0:
		where = fmt.Sprintf("%s:%d: labrun directive: %s", r.lesson.Name, r.lesson.LimitsLine, r.lesson.Limits)
	default:
		where = flags
	}
	return fmt.Errorf("%s: %w: %s cannot start (%s)", where, ErrBadLimits, prog, strings.TrimSpace(err.Error()))
}

// stepEnv is the environment of every step: labrun's own without what
// the course's config unsets, what an IPython kernel set for its children
// (ZMQInteractiveShell.init_environment), then the course's locale and
// extra variables (the Session adds its marker).
func stepEnv(course *config.Config) []string {
	env := make([]string, 0, len(os.Environ())+6+len(course.Env))
	drop := map[string]bool{"TERM": true, "CLICOLOR": true, "PAGER": true, "GIT_PAGER": true, "COLUMNS": true, "LINES": true}
	for _, k := range course.Unset {
		drop[k] = true
	}
	for _, kv := range course.Env {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "TERM=xterm-color", "CLICOLOR=1", "PAGER=cat", "GIT_PAGER=cat")
	return append(env, course.Env...)
}

// runCell runs one cell according to its kind.
func (r *run) runCell(c *lessons.Cell, cr *CellResult) error {
	if skipped(c, cr) {
		return nil
	}
	switch c.Kind {
	case lessons.Setup:
		cr.Status, cr.Skip = Skipped, SetupCell
		return nil
	case lessons.Skipped:
		cr.Status, cr.Skip = Skipped, MagicNotRun
		return nil
	case lessons.File:
		if c.MagicExit != nil {
			cr.magicExit(c.MagicExit)
			return nil
		}
		return r.runFileCell(c, cr)
	case lessons.WriteFile:
		existed, err := r.writeCellFile(c)
		if err != nil {
			cr.addStream("stderr", err.Error()+"\n")
			cr.Status = Failed
			return nil
		}
		verb := "Writing"
		if existed {
			verb = "Overwriting"
		}
		cr.addStream("stdout", verb+" "+c.File.Name+"\n")
		return nil
	case lessons.Script:
		return r.runScriptCell(c, cr)
	case lessons.Python:
		return r.runPythonCell(c, cr)
	case lessons.Console:
		return r.runConsoleCell(c, cr)
	case lessons.Background:
		return r.runBackgroundCell(c, cr)
	}
	return fmt.Errorf("cell of unknown kind %v", c.Kind)
}

// cellTimeout is the timeout in force for cell c: it bounds the whole
// cell.
func (r *run) cellTimeout(c *lessons.Cell) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return r.timeout
}

// runFileCell writes the file, then runs its %run lines and shows its
// %MD lines, in order.
func (r *run) runFileCell(c *lessons.Cell, cr *CellResult) error {
	if c.File.Name != "" {
		if _, err := r.writeCellFile(c); err != nil {
			cr.addStream("stderr", err.Error()+"\n")
			cr.Status = Failed
			return nil
		}
	}
	for _, cmd := range c.File.Commands {
		switch cmd.Kind {
		case lessons.Markdown:
			cr.add(Markdown, cmd.Text)
		case lessons.Comment:
			// set_up_magics' save_file: display(Markdown("\#\#\#\# `%s`"
			// % text)); the 2019 save_file showed nothing.
			if r.magics != config.Magics2019 {
				cr.add(Markdown, `\#\#\#\# `+"`"+cmd.Text+"`")
			}
		case lessons.Run:
			cr.add(Markdown, "Run: `"+cmd.Text+"`")
			line, ok, err := r.expand(cmd.Text)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if c.File.SpoilerThreshold > 0 {
				out, err := r.getoutput(line, c)
				if msg, ok := cellsFault(err); ok {
					cr.addStream("stderr", msg+"\n")
					cr.Status = Failed
					return nil
				} else if err != nil {
					return err
				}
				if html := spoiler(out, c.File.SpoilerThreshold); html != "" {
					cr.add(HTML, html)
				}
				continue
			}
			if _, err := r.system(line, c); err != nil {
				if msg, ok := cellsFault(err); ok {
					cr.addStream("stderr", msg+"\n")
					cr.Status = Failed
					return nil
				}
				return err
			}
		}
		if r.ctx.Err() != nil {
			break
		}
	}
	return nil
}

// runScriptCell feeds the body to bash or sh on stdin through pipes, as
// IPython's %%bash and %%sh did, stdout and stderr kept apart and shown
// as the course's IPython showed them (scriptOutput).
func (r *run) runScriptCell(c *lessons.Cell, cr *CellResult) error {
	path, err := exec.LookPath(c.Shell)
	if err != nil {
		return fmt.Errorf("%w: %s is not in PATH", ErrNoProgram, c.Shell)
	}
	out, err := r.step(scriptSpec(path, c), c)
	if err != nil {
		return err
	}
	chunks := scriptOutput(out.Chunks, r.ipython)
	if out.Interrupted != nil && c.Attrs == nil {
		chunks = scriptInterrupted(chunks, out.Exit, r.ipython)
	}
	for _, ch := range chunks {
		cr.addStream(ch.Stream, cleanText(ch.Data, false))
	}
	return nil
}

// system runs cmd under a pty as IPython's system() did, showing its
// output as the cell's stdout, and returns its exit status.
func (r *run) system(cmd string, c *lessons.Cell) (int, error) {
	return r.systemHeld(cmd, c, nil)
}

// systemHeld is system, showing the text held among its output when it
// comes due (heldStream; nil: none).
func (r *run) systemHeld(cmd string, c *lessons.Cell, held *heldStream) (int, error) {
	spec := r.shellSpec(cmd, c)
	out, err := r.stepHeld(spec, c, r.opts.OutputCap, held)
	if err != nil {
		return 0, err
	}
	for _, ch := range out.Chunks {
		// The step's output is one stream (merged under the pty); a
		// held stream's text is the cell's Python's own.
		r.cur.addStream(ch.Stream, cleanText(ch.Data, spec.Pty && ch.Stream == "stdout"))
	}
	return out.Exit.IPython(), nil
}

// getoutput runs cmd through pipes, stderr merged, and returns its output
// to be shown, cut as a step's output is.
func (r *run) getoutput(cmd string, c *lessons.Cell) (string, error) {
	out, _, err := r.capture(cmd, c, r.opts.OutputCap)
	return out, err
}

// capture runs cmd through pipes, stderr merged, keeping at most capBytes
// of its output (x = !cmd); cut says that more was dropped.
func (r *run) capture(cmd string, c *lessons.Cell, capBytes int) (out string, cut bool, err error) {
	o, err := r.stepCap(proc.StepSpec{Path: r.sh, Args: []string{r.sh, "-c", cmd}, Merge: true}, c, capBytes)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	kept := 0
	for _, ch := range o.Chunks {
		kept += len(ch.Data)
		b.WriteString(cleanText(ch.Data, false))
	}
	// A sink holds at most capBytes, plus a marker when it dropped bytes.
	return b.String(), kept > capBytes, nil
}

// step runs one foreground step of cell c and records how it ended.
func (r *run) step(spec proc.StepSpec, c *lessons.Cell) (proc.StepResult, error) {
	return r.stepCap(spec, c, r.opts.OutputCap)
}

// stepCap is step, keeping at most outputCap bytes of its output.
func (r *run) stepCap(spec proc.StepSpec, c *lessons.Cell, outputCap int) (proc.StepResult, error) {
	return r.stepHeld(spec, c, outputCap, nil)
}

// stepHeld is stepCap, putting held's text among the step's output when
// it comes due (nil: nothing held).
func (r *run) stepHeld(spec proc.StepSpec, c *lessons.Cell, outputCap int, held *heldStream) (proc.StepResult, error) {
	spec.Dir, spec.Env, spec.OutputCap = r.cellDir(c), r.cellEnv(c), outputCap
	if now := time.Now(); now.After(r.deadline) {
		// The cell's time is up (a Python cell went on after its step
		// was interrupted): its further steps do not start, and the
		// cell's own interruption comes at once.
		r.cur.interrupt(&Interruption{Cause: Timeout, After: now.Sub(r.cellStart)})
		if r.cellSV != nil {
			r.cellSV.Expedite()
		}
		return proc.StepResult{Chunks: held.lapse(), Exit: Exit{Code: 128 + int(unix.SIGINT), Signal: unix.SIGINT}}, nil
	}
	r.bg.settle()
	st, err := r.sess.StartStep(spec)
	if err != nil {
		return proc.StepResult{}, err
	}
	pol := proc.Policy{Deadline: r.deadline, Start: r.cellStart, Grace: r.opts.Grace}
	if !r.opts.NoStuckDetection {
		pol.Stuck = r.sess.StuckCheck(st.Pid, st.Output().QuietFor, proc.StuckQuiet)
	}
	held.watch(st.Output())
	out := st.Wait(r.ctx, pol)
	// Interrupted, the worker abandons its request and ends the cell: the
	// held text shows with the step's output, before the traceback.
	cut := out.Interrupted != nil || r.ctx.Err() != nil || time.Now().After(r.deadline)
	if held.end(st.Output(), cut) {
		out.Chunks = st.Output().Chunks() // with the held text, even if it came after Wait's copy
	}
	r.cur.Steps++
	r.cur.Exit = out.Exit
	if out.Exit.Code != 0 && r.cur.badExit == nil {
		r.cur.badExit = &out.Exit
	}
	if out.Exit.NotFound() && out.Interrupted == nil {
		r.cur.CommandNotFound = true
	}
	if out.Interrupted != nil {
		r.cur.interrupt(out.Interrupted)
	}
	r.bg.settle()
	return out, nil
}

// cellsFault tells a step that could not start because of what the cell
// asked (a command longer than the kernel takes, E2BIG) from one labrun
// could not run: the former fails the cell only, as in IPython, where
// starting the shell raises OSError; msg says it as Python does.
func cellsFault(err error) (msg string, ok bool) {
	if errors.Is(err, unix.E2BIG) {
		return "OSError: [Errno 7] Argument list too long: '/bin/sh'", true
	}
	return "", false
}

// cleanText turns program output into result text: valid UTF-8 (invalid
// bytes replaced), and for pty output the terminal's \r\n turned back into
// \n. Control bytes (NUL, colour codes, \r rewrites) are kept: render
// shows them as a terminal would (internal/termtext).
func cleanText(b []byte, tty bool) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if tty {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

// magicExit shows what the course's magic did with a magic line its
// argparse refused: argparse's words, then the SystemExit as IPython's
// run_code shows one (InteractiveShell.run_code: showtraceback with
// exception_only, then the "To exit" warning), as the worker shows a
// SystemExit of a Python cell. A code other than 0 fails the cell.
func (cr *CellResult) magicExit(e *lessons.MagicExit) {
	cr.addStream(e.Stream, e.Text)
	cr.add(Error, fmt.Sprintf("An exception has occurred, use %%tb to see the full traceback.\n\nSystemExit: %d", e.Code))
	cr.addStream("stderr", "UserWarning: To exit: use 'exit', 'quit', or Ctrl-D.\n")
	if e.Code != 0 {
		cr.Exception = &Exception{Name: "SystemExit", Message: strconv.Itoa(e.Code)}
		cr.Status = Failed
	}
}
