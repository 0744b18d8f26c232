package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// runOptions are the flags of "labrun run".
type runOptions struct {
	lessons []string
	out     string
	html    string
	verbose bool
	config  string
	runner  runner.Options
}

// runLong is the text of "labrun run --help".
const runLong = `Runs every cell of LESSON.md in order and writes the transcript to OUT
(standard output when -o is not given; on a terminal with its control
characters spelled out, \x1b). Several lessons run one after
the other, each transcript written under DIR at the lesson's path
(DIR/NAME.md for a path outside the current folder).

` + runExitStatus

// newRunCmd is "labrun run" and its flags.
func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &runOptions{}
	c := &cobra.Command{
		Use:         "run LESSON.md",
		Short:       "run lessons and write their annotated transcripts",
		Long:        runLong,
		Annotations: map[string]string{usageAlso: "labrun run LESSON.md... -o DIR [flags]"},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.take(c.Flags(), args); err != nil {
				return err
			}
			return runCommand(o, stdout, stderr)
		},
	}
	fs := c.Flags()
	fs.StringVarP(&o.out, "output", "o", "", "write the transcript to `OUT` (atomically; a device or a pipe such as /dev/null is written directly) instead of standard output")
	fs.StringVar(&o.html, "html", "", "also write the lesson as a self-contained HTML page to `PAGE` (with the programs' colours)")
	addStepFlags(fs, &o.runner)
	fs.BoolVar(&o.runner.Keep, "keep", false, "keep the scratch work directory and print its path")
	fs.BoolVar(&o.runner.InPlace, "in-place", false, "run in the lesson's folder instead of a scratch copy (no cell may write over the lesson itself)")
	fs.StringVar(&o.config, "config", "", "read the course's settings from `FILE` instead of the labrun.toml found in the lesson's folder or above it")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print a line per cell to standard error as the lesson runs")
	colourFlag(c)
	return c
}

// take checks the lessons and flags of "labrun run" that the flag parser
// has read.
func (o *runOptions) take(fs *pflag.FlagSet, rest []string) error {
	switch {
	case len(rest) == 0:
		return usageError("run: which lesson? (labrun run LESSON.md)")
	case len(rest) > 1 && o.out == "":
		return usageError(fmt.Sprintf("run: %d lessons: give -o DIR, the folder their transcripts go to", len(rest)))
	case len(rest) > 1 && o.html != "":
		return usageError("run: --html takes one lesson (labrun html TRANSCRIPT makes a page of each)")
	}
	o.lessons = rest
	return checkStepFlags(fs, &o.runner, "run")
}

// runCommand is "labrun run": one lesson, or several one after the
// other (-o DIR). Every lesson is read and parsed before any runs: a bad
// one stops them all (exit 2).
func runCommand(o *runOptions, stdout, stderr io.Writer) error {
	for _, l := range o.lessons {
		if strings.EqualFold(filepath.Ext(l), ".ipynb") {
			return &exitError{exitBadInput, fmt.Errorf("%s: %w", l, check.ErrNotebook)}
		}
	}
	outs, err := transcriptPaths(o)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	if err := runFiles(o, outs).check(); err != nil {
		return &exitError{exitBadInput, err}
	}
	if o.html != "" {
		if err := checkOutput("--html", "the page", o.html); err != nil {
			return &exitError{exitBadInput, err}
		}
	}
	stderr, flush := jobLog(stderr)
	defer flush()
	render.Cleaned(stderr, runner.CleanStale(), false)
	var planned []*lessonRun
	for i, path := range o.lessons {
		lr, err := planLesson(o, path, outs[i], stderr)
		if err != nil {
			return err
		}
		planned = append(planned, lr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := watchSignals(cancel, stderr, "the partial transcript is written")
	defer stop.stop()

	var failed error
	for i, lr := range planned {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "labrun: %s not run: stopped\n", render.Count(len(planned)-i, "lesson", "lessons"))
			break
		}
		if err := runLesson(ctx, o, lr, stdout, stderr, stop); err != nil {
			if len(planned) == 1 {
				return err
			}
			exitCode(err, stderr) // says what went wrong; the next lesson runs
			if failed == nil || worse(err, failed) {
				failed = err
			}
		}
	}
	if code := stop.exitCode(); code != 0 {
		return &exitError{code, nil}
	}
	if failed != nil {
		return &exitError{exitCode(failed, io.Discard), nil}
	}
	return nil
}

// worse says whether a lesson's error calls for a higher exit code than
// another's.
func worse(a, b error) bool { return exitCode(a, io.Discard) > exitCode(b, io.Discard) }

// lessonRun is a lesson read, parsed and ready to run, with where its
// transcript goes ("" for standard output).
type lessonRun struct {
	path, out string
	lesson    *lessons.Lesson
	runner    runner.Options
}

// transcriptPaths are the transcripts' paths: -o itself for one lesson;
// for several, each under the folder -o at the lesson's path (its base
// name for a path outside the current folder), the folders made; two
// lessons that would write the same transcript are refused.
func transcriptPaths(o *runOptions) ([]string, error) {
	if len(o.lessons) == 1 {
		return []string{o.out}, nil
	}
	if info, err := os.Stat(o.out); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("%s: not a folder; with several lessons -o names the folder their transcripts go to", o.out)
	}
	outs := make([]string, len(o.lessons))
	by := map[string]string{}
	for i, l := range o.lessons {
		rel := filepath.Clean(l)
		if !filepath.IsLocal(rel) {
			rel = filepath.Base(rel)
		}
		outs[i] = filepath.Join(o.out, rel)
		if prev, ok := by[outs[i]]; ok {
			return nil, fmt.Errorf("%s and %s would both write %s; run them apart", prev, l, outs[i])
		}
		by[outs[i]] = l
		if err := os.MkdirAll(filepath.Dir(outs[i]), 0o755); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// planLesson reads and parses a lesson and checks where its transcript
// goes, before anything runs.
func planLesson(o *runOptions, path, out string, stderr io.Writer) (*lessonRun, error) {
	src, err := lessons.ReadFile(path)
	if err != nil {
		return nil, &exitError{exitBadInput, err}
	}
	if out != "" {
		if err := checkOutput("-o", "the transcript", out); err != nil {
			return nil, &exitError{exitBadInput, err}
		}
	}
	lesson, err := lessonOf(path, src, o.runner.CramIndent, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, &exitError{exitBadInput, nil}
	}
	lr := &lessonRun{path: path, out: out, lesson: lesson, runner: o.runner}
	if abs, err := filepath.Abs(out); err == nil && out != "" {
		// What the run writes is not its input (check leaves it out too).
		lr.runner.LeaveOut = append(slices.Clip(lr.runner.LeaveOut), abs)
	}
	if lr.runner.Course, err = config.ForLesson(path, o.config); err != nil {
		return nil, &exitError{exitBadInput, err}
	}
	sib := jupyter.FindSibling(path, lesson)
	lr.runner.NotebookMagics = sib.Magics
	if note := sib.Note(lr.runner.Course); note != "" {
		fmt.Fprintf(stderr, "labrun: %s\n", note)
	}
	if o.verbose {
		render.NotRunList(stderr, lesson)
		for _, w := range lesson.Warnings {
			fmt.Fprintf(stderr, "labrun: warning: %v (the cell fails as the course's magic did; the lesson goes on)\n", w)
		}
		lr.runner.OnCell = func(cr *transcript.CellResult) { render.Progress(stderr, lesson.Name, cr) }
	}
	return lr, nil
}

// lessonOf parses the lesson at path. A recorded transcript gives its
// skeleton, said on stderr, so that its recorded outputs are not run as
// prose and shown twice: a labrun transcript (it has marker lines), or a
// course README.md whose outputs the course reader finds (transcript.Parse
// reads both).
func lessonOf(path string, src []byte, cramIndent int, stderr io.Writer) (*lessons.Lesson, error) {
	if lessons.IsCram(path) {
		return lessons.ParseCram(path, src, lessons.CramIndentOf(cramIndent))
	}
	if marker.Has(src) || filepath.Base(path) == check.CourseTranscript {
		t, err := transcript.Parse(path, src)
		if t.HasOutputs() {
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(stderr, "labrun: %s holds recorded outputs; running its skeleton\n", path)
			return t.Lesson, nil
		}
	}
	return lessons.Parse(path, src)
}

// runLesson runs one planned lesson and writes its transcript.
func runLesson(ctx context.Context, o *runOptions, lr *lessonRun, stdout, stderr io.Writer, stop *stopper) error {
	res, runErr := runner.Run(ctx, lr.lesson, filepath.Dir(lr.path), lr.runner)
	stop.waitIfQuitting()
	if res != nil {
		for _, nc := range res.NotCopied {
			fmt.Fprintf(stderr, "labrun: %s: not in the work dir: cannot read it (%v)\n", filepath.Join(filepath.Dir(lr.path), nc.Path), nc.Err)
		}
		for _, p := range res.Protections {
			fmt.Fprintf(stderr, "labrun: sandbox: %s\n", p)
		}
		out := render.Transcript(res)
		if lr.out == "" {
			if tty, _ := terminal(stdout); tty {
				// a display keeps a program's escape sequences: spelled
				// out on a terminal, not sent to it
				out = []byte(termtext.InertText(string(out)))
			}
			if _, err := stdout.Write(out); err != nil {
				return err
			}
		} else if err := writeFile(lr.out, out); err != nil {
			return err
		}
		if o.html != "" {
			if err := writePage(o.html, res); err != nil {
				return err
			}
		}
		render.Summary(stderr, res, lr.out)
		if res.KeptWorkDir {
			fmt.Fprintf(stderr, "labrun: work dir kept: %s\n", res.WorkDir)
		}
	}
	if runErr != nil {
		if errors.Is(runErr, runner.ErrBadLimits) {
			return &exitError{exitBadInput, runErr}
		}
		if errors.Is(runErr, runner.ErrNoProgram) || errors.Is(runErr, runner.ErrNoPython) {
			return &exitError{exitRunFailed, runErr}
		}
		return runErr
	}
	return nil
}

// isStream reports whether path is a character device or a pipe
// (/dev/null, /dev/stdout): written to directly, not replaced by renaming
// a temporary file beside it.
func isStream(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) != 0
}

// checkOutput refuses, before anything runs, an output file (what, named
// by flag: -o, the transcript) that cannot receive what it is for: a
// folder, a socket, a block device, a folder where no file can be made.
func checkOutput(flag, what, path string) error {
	if isStream(path) {
		if err := unix.Access(path, unix.W_OK); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		return nil
	}
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file, a character device or a pipe; %s takes the path of %s to write", path, flag, what)
	}
	return atomicfile.CheckWritable(path)
}

// writeFile writes an output of labrun to path: atomically to a file, as
// it is to a device or a pipe.
func writeFile(path string, data []byte) error {
	if !isStream(path) {
		return atomicfile.Write(path, data, 0o644)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
