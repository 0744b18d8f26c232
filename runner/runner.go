// Package runner runs a parsed lesson and says how each cell ended. It
// holds the lesson's semantics and reads as the lesson runs:
//
//   - runner.go: Run, the run value (what lasts the lesson) and its start
//     and end; settings.go: which level of the settings wins (SettingsOf:
//     labrun's defaults, the course's labrun.toml, the lesson's
//     directives, the flags) and the steps' environment;
//   - cell.go: the cell loop and cellRun, the state of one cell (its
//     start, its deadline, the windows of its timeout and the ways they
//     move, its Python's supervisor, its result), passed to everything
//     that runs a part of it; runCell picks the cell's way by its kind;
//   - step.go: step, the one way a foreground step runs (in the run's
//     proc.Session, within the cell's current window), and system and capture,
//     IPython's two ways to run a shell command; attrs.go: what a native
//     fence's attributes change (cwd=, env=, stdin=, pty, skip, expect=),
//     and transcript.Ending.Meets, the one meaning of expect (a fence's and a check
//     rule's: a cell's exit status is its last step's);
//   - the cell kinds: files.go (file cells and their %run lines),
//     script.go (%%bash, %%sh), console.go (console blocks) and shell.go
//     (their shell sessions, one per lesson and one per session=; cram.go:
//     a lesson run as a cram test, its shell, environment, work dir and
//     skip on exit 80), python.go
//     (Python cells, and the worker's requests served during them),
//     pyworker.go (the worker process), heldstream.go (a cell's stderr
//     held over a !cmd), ipython.go (the configured IPython version's
//     own files and lines, which its warnings name);
//   - background.go: background steps, with their own dependencies
//     (bgDeps), not the run's; bglog.go lays out their logs, settle.go
//     waits for them to rest, wait.go runs the wait and stop directives;
//   - workdir.go: the scratch copy of the lesson folder; scratch.go: the
//     run dir's layout (work dir, TMPDIR, labrun's own files), keeping,
//     removal and CleanStale.
//
// Outcomes are typed values of package transcript (transcript.Result,
// CellResult), which runner fills in (outcome.go converts the process
// layer's interruption); render words them; runner prints nothing for
// people.
//
// Processes are not runner's concern: internal/proc starts, bounds,
// supervises and sweeps them (every process in a group it owns, marked
// with the run's id; when the lesson ends nothing survives). Several
// lessons may run at once in one process: all state is in the run value
// and its cells'. How labrun and the Python worker talk is written down,
// op by op, in protocol.go.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
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
	// LeaveOut names files and folders the scratch copy leaves out: paths
	// relative to the lesson folder, or absolute (a path outside the
	// folder leaves nothing out). check leaves out the transcript it
	// checks, run the file it writes: they are the run's record, not its
	// input. In place nothing is copied, so nothing is left out.
	LeaveOut []string
	// NoStuckDetection turns off interrupting steps that can never
	// progress; only the timeout interrupts them then.
	NoStuckDetection bool
	// OutputCap bounds the bytes kept of one step's output (default 1 MiB).
	OutputCap int
	// OnCell, when set, is called with each cell's result as soon as the
	// cell is over (cmd/labrun prints a progress line from it).
	OnCell func(*transcript.CellResult)
	// Limits bound every step: the command line's limits, which win over
	// the lesson's and the course's (SettingsOf).
	Limits limits.Limits
	// Sandbox runs every step in a new network namespace (loopback only)
	// with writes confined to the work dir and /tmp where the kernel
	// offers Landlock.
	Sandbox bool
	// Course is the course's recording environment (its labrun.toml),
	// when one was found: the lesson's directives win over it, and
	// Timeout (when TimeoutSet) and Limits set here win over both
	// (SettingsOf says the order).
	Course *config.Config
	// TimeoutSet says Timeout was asked for (a flag): it then wins over
	// the lesson's directive, not only over labrun's default.
	TimeoutSet bool
	// Shell is the shell a lesson run as a cram test runs its console
	// blocks in (cram's --shell; "" is DefaultCramShell), found through
	// PATH.
	Shell string
	// ShellOpts are the arguments that shell is started with, before its
	// "-" (cram's --shell-opts, split as cram splits it: cram.SplitArgs).
	ShellOpts []string
	// CramIndent is how many spaces indent a cram test file's lines
	// (cram's --indent), as lessons.CramIndentOf reads it: 0 is cram's
	// default, 2; a negative number no indent.
	CramIndent int
	// CramPreserveEnv keeps labrun's LANG, LC_ALL, LANGUAGE, TZ, CDPATH,
	// COLUMNS and GREP_OPTIONS in a cram test's environment, which cram
	// otherwise sets (cram's -E, --preserve-env).
	CramPreserveEnv bool
	// NotebookMagics is the version of the course's magics that the
	// set-up cell of the lesson's own notebook defines (the .ipynb beside
	// the lesson whose code cells are the lesson's: jupyter.Sibling), ""
	// when there is none: it wins over the course's, the lesson's own
	// set-up cell and directive win over it (SettingsOf).
	NotebookMagics string
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

// run is the state of one lesson run: what lasts the whole lesson. What
// lasts one cell is a cellRun (cell.go), passed to what runs the cell.
type run struct {
	opts   Options  // as given: opts.Limits are the flags' limits only
	set    Settings // the run's settings, all levels merged (SettingsOf)
	lesson *lessons.Lesson
	dir    string
	env    []string
	sh     string // sh found through PATH, as pexpect finds it
	// ownLimits is set when a level above labrun's defaults set limits,
	// which probeLimits and probeWorker try.
	ownLimits bool
	py        *worker
	pyEarly   chan startedWorker // the worker started early, until taken
	exitShown bool               // IPython's "To exit" warning was shown (exitWarned)
	bg        *background
	// shells are the lesson's console sessions, by name (shell.go).
	shells map[string]*shellSession
	cram   *cramRun // a lesson run as a cram test (cram.go); nil for others
	sess   *proc.Session
	work   *scratch // the run dir, which holds the scratch work dir (not in place)
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
func Run(ctx context.Context, lesson *lessons.Lesson, lessonDir string, opts Options) (res *transcript.Result, err error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	r, res, err := startRun(ctx, lesson, lessonDir, opts)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	defer func() { r.end(res, err, start) }()
	if err := r.probeWorker(); err != nil {
		return nil, err
	}
	r.startEarly()
	return res, r.runCells(res)
}

// startRun makes the run of lesson: its settings, its work dir and the
// Session its steps run in, and its result, with no cell yet. On error
// nothing is left to clean up.
func startRun(ctx context.Context, lesson *lessons.Lesson, lessonDir string, opts Options) (*run, *transcript.Result, error) {
	r := &run{opts: opts, set: SettingsOf(lesson, opts), lesson: lesson, ctx: ctx, ownLimits: ownLimits(lesson, opts)}
	var err error
	if r.sh, err = exec.LookPath("sh"); err != nil {
		return nil, nil, fmt.Errorf("%w: sh is not in PATH", ErrNoProgram)
	}
	if err := r.probeLimits(); err != nil {
		return nil, nil, err
	}
	cfg := proc.Config{Limits: r.set.Limits, Sandbox: opts.Sandbox}
	if opts.Course != nil {
		cfg.Umask = opts.Course.Umask
	}
	if r.work, err = newScratch(opts, cfg.Umask); err != nil {
		return nil, nil, err
	}
	var notCopied []transcript.NotCopied
	if lesson.CramName != "" {
		err = r.cramLayout(lessonDir)
	} else if r.dir, notCopied, err = workDir(lessonDir, opts, r.work); err == nil {
		r.env = stepEnv(opts.Course, r.work.tmp())
	}
	if err != nil {
		r.work.remove()
		return nil, nil, err
	}
	if opts.InPlace {
		r.lessonFile, _ = os.Stat(filepath.Join(lessonDir, filepath.Base(lesson.Name)))
	}
	cfg.Tag = r.work.run.Tag()
	if opts.Sandbox {
		cfg.PrivateTmp, cfg.InTmp = r.work.slashTmp(), []string{r.work.run.Path()}
	}
	r.sess = proc.NewSession(cfg, r.dir)
	r.sess.OnKilled(r.work.killed)
	r.bg = newBackground(bgDeps{ctx: ctx, sess: r.sess, dir: r.dir, env: r.env, noStuck: opts.NoStuckDetection})
	return r, &transcript.Result{Lesson: lesson, WorkDir: r.dir, NotCopied: notCopied, Protections: r.sess.Protections()}, nil
}

// end ends the run begun at start: its background steps, its worker, its
// Session and its work dir go, and res (nil when the run did not get to
// its cells; err is how Run ended) says how long it took and whether the
// work dir is kept.
func (r *run) end(res *transcript.Result, err error, start time.Time) {
	r.bg.stopAll()
	r.dropEarly()
	if r.py != nil {
		r.py.stop()
	}
	r.closeShells()
	r.sess.Close()
	r.bg.finishLogs()
	// The work dir goes, unless asked for, or kept to look into when
	// labrun could not run a step (a bad lesson is no such case: it has no
	// result).
	kept := r.opts.Keep || (err != nil && res != nil && !r.opts.InPlace)
	if kept {
		dir := r.work.keepWork()
		if kept = dir != ""; kept && res != nil {
			res.WorkDir = dir
		}
	} else {
		r.work.remove()
	}
	if res != nil {
		res.Duration, res.KeptWorkDir = time.Since(start), kept
	}
}

// probeLimits starts sh once under the run's limits, when a level above
// labrun's defaults set any (ownLimits): limits that leave no room to start it would fail
// every step.
func (r *run) probeLimits() error {
	if !r.ownLimits {
		return nil
	}
	err := proc.Probe(proc.Config{Limits: r.set.Limits, Sandbox: r.opts.Sandbox}, os.TempDir(), r.sh, "-c", ":")
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
	w, ferr := startWorker(r.ctx, free, r.dir, r.work.private(), r.env, workerArgs(r.opts.OutputCap, r.set.IPython))
	if ferr != nil {
		return nil
	}
	w.stop()
	return r.badLimits("python3", err)
}
