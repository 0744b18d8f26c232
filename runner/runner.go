// Package runner runs a parsed lesson: it makes the work directory, writes
// the cells' files, runs every step in order under its timeout (shell steps
// under a pty or through pipes, Python cells in one worker per lesson,
// background steps across cells), and collects each cell's outputs.
// Every process it starts is in a process group it owns and carries the
// run's marker in its environment; when the lesson ends nothing survives.
// How labrun and the Python worker talk is written down, op by op, in
// protocol.go.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/lessons"
)

// Defaults for Options.
const (
	DefaultTimeout = 10 * time.Second
	DefaultGrace   = 500 * time.Millisecond
)

// MarkerVar is the environment variable that marks every process of a run
// with the run's id, so that a sweep (and a test) can find them all.
const MarkerVar = "LABRUN_RUN_ID"

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
	// Progress, when set, gets one line per cell as the run goes.
	Progress io.Writer
	// Limits bound every step. What is set here wins over what the lesson
	// declares, which wins over DefaultLimits: a CI job's --procs 50
	// holds whatever a lesson says.
	Limits Limits
	// Sandbox runs every step in a new network namespace (loopback only)
	// with writes confined to the work dir and /tmp where the kernel
	// offers Landlock.
	Sandbox bool
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
	id      string
	env     []string
	sh      string // sh found through PATH, as pexpect finds it
	timeout time.Duration
	py      *worker
	bg      *background
	launch  *launcher
	cur     *CellResult
	ctx     context.Context

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
	getReaper()
	r := &run{opts: opts, lesson: lesson, ctx: ctx}
	r.id = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	r.timeout = opts.Timeout
	if lesson.Timeout > 0 {
		r.timeout = lesson.Timeout
	}
	ll := lesson.Limits
	r.opts.Limits = DefaultLimits.Merge(Limits{CPUSeconds: ll.CPUSeconds, AddressSpace: ll.AddressSpace,
		Processes: ll.Processes, FileSize: ll.FileSize, OpenFiles: ll.OpenFiles}).Merge(opts.Limits)
	if r.sh, err = exec.LookPath("sh"); err != nil {
		return nil, fmt.Errorf("%w: sh is not in PATH", ErrNoProgram)
	}
	var notCopied []NotCopied
	if r.dir, notCopied, err = workDir(lessonDir, opts); err != nil {
		return nil, err
	}
	if opts.InPlace {
		r.lessonFile, _ = os.Stat(filepath.Join(lessonDir, filepath.Base(lesson.Name)))
	}
	r.env = stepEnv(r.id)
	r.launch = newLauncher(r.id, r.opts, r.dir)
	live.Store(r.id, r)
	defer live.Delete(r.id)
	r.bg = newBackground(r)
	res = &Result{Lesson: lesson, WorkDir: r.dir, NotCopied: notCopied, Protections: r.launch.protections()}
	start := time.Now()
	defer func() {
		r.bg.stopAll()
		if r.py != nil {
			r.py.stop()
		}
		sweep(r.id, r.launch.cg)
		r.launch.close()
		r.bg.finishLogs()
		res.Duration = time.Since(start)
		// The work dir goes, unless asked for, or kept to look into when
		// labrun could not run a step.
		res.KeptWorkDir = opts.Keep || (err != nil && !opts.InPlace)
		if !res.KeptWorkDir && !opts.InPlace {
			os.RemoveAll(r.dir)
		}
	}()
	for _, c := range lesson.Cells {
		cr := &CellResult{Cell: c, Status: OK}
		res.Cells = append(res.Cells, cr)
		if ctx.Err() != nil {
			cr.Status = Skipped
			cr.note("not run: labrun was interrupted")
			res.Interrupted = true
			continue
		}
		r.cur = cr
		t0 := time.Now()
		if err := r.runCell(c, cr); err != nil {
			cr.Status = Failed
			cr.note("labrun could not run it: " + err.Error())
			cr.Duration = time.Since(t0)
			return res, fmt.Errorf("%s: %w", c.Pos(lesson.Name), err)
		}
		cr.Duration = time.Since(t0)
		r.progress(cr)
		if ctx.Err() != nil && cr.Status != Skipped {
			res.Interrupted = true
			cr.Status = Interrupted
		}
	}
	return res, nil
}

func (r *run) progress(cr *CellResult) {
	if r.opts.Progress == nil {
		return
	}
	extra := ""
	if len(cr.Notes) > 0 {
		extra = " (" + strings.Join(cr.Notes, "; ") + ")"
	}
	fmt.Fprintf(r.opts.Progress, "%s: cell %d %s %s in %.2fs%s\n", cr.Cell.Pos(r.lesson.Name),
		cr.Cell.Index, cr.Cell.Kind, cr.Status, cr.Duration.Seconds(), extra)
}

// stepEnv is the environment of every step: labrun's own, the run's
// marker, and what an IPython kernel set for its children.
func stepEnv(id string) []string {
	env := make([]string, 0, len(os.Environ())+6)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case MarkerVar, "TERM", "CLICOLOR", "PAGER", "GIT_PAGER", "COLUMNS", "LINES":
			continue
		}
		env = append(env, kv)
	}
	return append(env, MarkerVar+"="+id, "TERM=xterm-color", "CLICOLOR=1", "PAGER=cat", "GIT_PAGER=cat")
}

// runCell runs one cell according to its kind.
func (r *run) runCell(c *lessons.Cell, cr *CellResult) error {
	switch c.Kind {
	case lessons.Setup:
		cr.Status = Skipped
		cr.note("set-up cell: labrun provides the course's magics itself")
		return nil
	case lessons.Skipped:
		cr.Status = Skipped
		cr.note("%%" + c.Magic + " cells are not run")
		return nil
	case lessons.File:
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
	}
	return fmt.Errorf("cell of unknown kind %v", c.Kind)
}

// cellTimeout is the step timeout in force for cell c.
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
				if err != nil {
					return err
				}
				if html := spoiler(out, c.File.SpoilerThreshold); html != "" {
					cr.add(HTML, html)
				}
				continue
			}
			if _, err := r.system(line, c); err != nil {
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
// IPython's %%bash and %%sh did, stdout and stderr kept apart.
func (r *run) runScriptCell(c *lessons.Cell, cr *CellResult) error {
	out, err := r.step(procSpec{argv: []string{c.Shell}, stdin: []byte(c.Body + "\n")}, c)
	if err != nil {
		return err
	}
	for _, ch := range out.chunks {
		cr.addStream(ch.stream, cleanText(ch.data, false))
	}
	return nil
}

// system runs cmd under a pty as IPython's system() did, showing its
// output as the cell's stdout, and returns its exit status.
func (r *run) system(cmd string, c *lessons.Cell) (int, error) {
	out, err := r.step(procSpec{argv: []string{r.sh, "-c", cmd}, pty: true}, c)
	if err != nil {
		return 0, err
	}
	for _, ch := range out.chunks {
		r.cur.addStream("stdout", cleanText(ch.data, true))
	}
	return out.code, nil
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
	o, err := r.stepCap(procSpec{argv: []string{r.sh, "-c", cmd}, merge: true}, c, capBytes)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	kept := 0
	for _, ch := range o.chunks {
		kept += len(ch.data)
		b.WriteString(cleanText(ch.data, false))
	}
	// A sink holds at most capBytes, plus a marker when it dropped bytes.
	return b.String(), kept > capBytes, nil
}

// step runs one foreground step of cell c and records how it ended.
func (r *run) step(spec procSpec, c *lessons.Cell) (stepOutcome, error) {
	return r.stepCap(spec, c, r.opts.OutputCap)
}

// stepCap is step, keeping at most outputCap bytes of its output.
func (r *run) stepCap(spec procSpec, c *lessons.Cell, outputCap int) (stepOutcome, error) {
	spec.dir, spec.env = r.dir, r.env
	lim := stepLimits{timeout: r.cellTimeout(c), grace: r.opts.Grace, outputCap: outputCap}
	if !r.opts.NoStuckDetection {
		lim.stuck = r.stuck
	}
	r.bg.settle()
	out, err := runProc(r.ctx, r.launch, spec, lim)
	if err != nil {
		return out, err
	}
	r.cur.Steps++
	r.cur.Exit = out.code
	if out.code == 127 && out.interrupted == "" {
		r.cur.note("exit 127: a command was not found (is its package installed?)")
	}
	if out.interrupted != "" {
		r.cur.Status = Interrupted
		switch out.interrupted {
		case "timeout":
			r.cur.note(fmt.Sprintf("interrupted after %s: timeout", roundDur(out.duration)))
		default:
			r.cur.note(fmt.Sprintf("interrupted after %s: %s", roundDur(out.duration), out.interrupted))
		}
	}
	r.bg.settle()
	return out, nil
}

func roundDur(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
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
