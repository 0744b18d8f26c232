package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/check/report"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
	"golang.org/x/sys/unix"
)

// checkOptions are the flags of "labrun check".
type checkOptions struct {
	paths   []string
	verbose bool
	update  bool
	dryRun  bool
	jobs    int
	shard   string
	shardK  int
	shardN  int
	list    bool
	junit   string
	json    bool
	config  string
	runner  runner.Options
}

// newCheckCmd is "labrun check" and its flags.
func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &checkOptions{}
	c := &cobra.Command{
		Use:   "check PATH...",
		Short: "check that lessons still give the outputs they recorded",
		Long:  checkHelp,
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.take(c.Flags(), args); err != nil {
				return err
			}
			return checkCommand(o, stdout, stderr)
		},
	}
	fs := c.Flags()
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "show the raw outputs of failing cells too")
	fs.BoolVar(&o.update, "update", false, "rewrite the outputs of failing cells with the fresh ones (atomically; nothing else changes)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "with --update: print the diff it would apply, change nothing; exit 1 when anything would change")
	fs.IntVarP(&o.jobs, "jobs", "j", runtime.NumCPU(), "check `N` lessons at once")
	fs.StringVar(&o.shard, "shard", "", "check only shard `K/N` of the lessons (by a hash of each path)")
	fs.BoolVar(&o.list, "list", false, "print the lessons the check (or shard) would take, run nothing")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to `FILE`")
	fs.BoolVar(&o.json, "json", false, "write JSON events to standard output, one a line (see labrun help check)")
	fs.StringVar(&o.config, "config", "", "read the course's settings from `FILE` instead of the labrun.toml found in each lesson's folder or above it")
	colourFlag(c)
	addStepFlags(fs, &o.runner)
	return c
}

// take checks the paths and flags of "labrun check" that the flag parser
// has read.
func (o *checkOptions) take(fs *pflag.FlagSet, paths []string) error {
	o.paths = paths
	if len(o.paths) == 0 {
		return usageError("check: which lessons? (labrun check PATH..., a transcript or a folder)")
	}
	if o.jobs < 1 {
		return usageError(fmt.Sprintf("check: -j %d: want at least 1", o.jobs))
	}
	if o.dryRun && !o.update {
		return usageError("check: --dry-run goes with --update")
	}
	if o.shard != "" {
		k, n, ok := strings.Cut(o.shard, "/")
		var err1, err2 error
		o.shardK, err1 = strconv.Atoi(k)
		o.shardN, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || o.shardN < 1 || o.shardK < 1 || o.shardK > o.shardN {
			return usageError(fmt.Sprintf("check: --shard %q: want K/N with 1 <= K <= N, such as 2/3", o.shard))
		}
	}
	return checkStepFlags(fs, &o.runner, "check")
}

// checkCommand is "labrun check".
func checkCommand(o *checkOptions, stdout, stderr io.Writer) error {
	found, err := check.Find(o.paths)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	if o.shardN > 0 {
		found = check.Shard(found, o.shardK, o.shardN)
	}
	if o.list {
		for _, l := range found {
			fmt.Fprintln(stdout, l.Path)
		}
		return nil
	}
	// --config is read once, before anything runs: a bad file is bad
	// input for the whole check.
	var given *config.Config
	if o.config != "" {
		if given, err = config.Load(o.config); err != nil {
			return &exitError{exitBadInput, err}
		}
	}
	if !o.json {
		render.Cleaned(stderr, runner.CleanStale(), false)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := watchSignals(cancel, stderr)
	defer stop.stop()
	reporters, live, files := checkReporters(o, found, stdout, stderr)
	stop.onQuit(files.Freeze, func() {
		if err := files.Finish(check.Totals{}); err != nil {
			fmt.Fprintf(stderr, "labrun: %v\n", err)
		}
	})
	ro := o.runner
	ro.Course = given
	totals := check.Suite{Jobs: o.jobs, Runner: ro, Update: o.update, DryRun: o.dryRun}.Run(ctx, found, reporters)
	live.Stop()
	stop.waitIfQuitting()
	code := checkExit[totals.Status()]
	reporters.Finish(totals, func(err error) {
		fmt.Fprintf(stderr, "labrun: %v\n", err)
		code = max(code, exitRunFailed)
	})
	if sc := stop.exitCode(); sc != 0 {
		return &exitError{sc, nil}
	}
	if code != exitOK {
		return &exitError{code, nil}
	}
	return nil
}

// checkExit maps a check's status to labrun's exit code.
var checkExit = map[check.Status]int{check.StatusOK: exitOK, check.StatusFailed: exitRunFailed, check.StatusBadInput: exitBadInput}

// checkReporters picks the reporters of a check from its flags: the human
// report (on stdout, or on stderr under --json) framed by the live view
// (on stderr, drawn on a terminal), the JSON events, the JUnit file and
// GitHub's annotations; live is the view, to stop before the totals;
// files are the report files (--junit), which a second Ctrl-C still
// writes for what finished.
func checkReporters(o *checkOptions, found []check.Lesson, stdout, stderr io.Writer) (all report.Multi, live *report.Live, files *report.Guard) {
	out := stdout // the human report
	if o.json {
		all, out = append(all, report.NewEvents(stdout)), stderr
	}
	tty, width := terminal(stderr)
	live = report.NewLive(stderr, tty && !o.json, len(found), width, report.NewText(out, o.verbose))
	all = append(all, live)
	var junit report.Multi
	if o.junit != "" {
		junit = append(junit, report.NewJUnitFile(o.junit, found))
	}
	files = report.NewGuard(junit)
	all = append(all, files)
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		all = append(all, report.NewAnnotations(out))
	}
	return all, live, files
}

// terminal says whether w is a terminal and gives a function returning
// its width.
func terminal(w io.Writer) (bool, func() int) {
	if s, ok := w.(*stdStream); ok {
		w = s.f
	}
	f, ok := w.(*os.File)
	if !ok {
		return false, nil
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return false, nil
	}
	return true, func() int {
		ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
		if err != nil {
			return 0
		}
		return int(ws.Col)
	}
}

// checkHelp is the text of "labrun help check" (and check --help); the
// volatile values of tools are listed from check's own table, with their
// examples.
var checkHelp = `Checks that lessons still give the outputs they recorded. Each PATH is a
transcript or a folder; a folder holds, recursively, every course pair
(README.md recorded beside README_no_output.md, its skeleton) and every
labrun transcript (a Markdown file with labrun's output markers). A
course README.md alone is stripped as "labrun strip" does. For each
lesson check runs the skeleton (in a scratch copy of its folder, as
"labrun run" does) and compares every cell's fresh output with the
recorded one, after normalizing both, in this order:

  1. layout: the text as a terminal shows it (colours, OSC hyperlinks,
     \r rewrites, backspace overstrikes); trailing spaces, blank lines,
     fence lines, <pre>, <code>, <details>, <summary> and whole-line HTML
     comments dropped; the 4-space indent of streams removed; HTML
     entities and "\#" unescaped;
  2. volatile values: those of everyday tools, each only in the tool's
     own format (listed below, under "Volatile values of tools"); then
     pids and tids (pid=N, PID = N, pid is N, tid N), hex addresses and
     hashes, clock times, dates, temp paths (/tmp/...), /usr/bin/sh as
     /bin/sh, durations (0.25s, 12 ms, 0m0.003s), and the columns of ps
     and top rows but the command;
  3. the lesson's rules, in HTML comments (invisible on every forge), one
     a comment, on the lines before a cell's fence:
       <!-- labrun: ignore-output -->       do not compare this cell
       <!-- labrun: normalize /RE/REPL/ --> replace in both outputs (Go
                  regexp, $1 for a group; any delimiter; before no cell:
                  for the whole lesson), applied line by line after 1-2;
                  a line it makes empty is dropped
       <!-- labrun: any-order -->           its lines in any order
       <!-- labrun: expect interrupted -->  it must be interrupted (a hang
                  that is the point of the lesson)
       <!-- labrun: expect exit=N -->       its last step must exit N

Every cell is reported as passed, failed or skipped (ignore-output, cells
labrun does not run); a cell cut by a signal meant for labrun (Ctrl-C, a
SIGTERM or SIGHUP, whether labrun or the sender stopped the step) did not
finish: neither passed nor failed, "lesson.md:LINE: cell N: not
finished", and never rewritten by --update. A failing cell is reported as
"lesson.md:LINE: cell N: output differs" (N counts from 1) with a
unified diff of the normalized lines, recorded -> fresh (-v adds the raw
lines), and how the cell ended when it did not end well ("interrupted
after 10.0s: timeout", "exit 139 (SIGSEGV)"). The last line is
"N passed, N failed" (", N not finished" and ", N skipped" when some
were). A console block is
compared command by command (each "$ command"'s recorded lines with its
fresh output, normalized as above); a command that differs fails the
block at its own line, and --update rewrites that command's lines only.

--update rewrites the outputs of failing cells only with the fresh ones
(atomically: temp file and rename); prose, code, rules and the outputs of
passing cells stay byte for byte. --update --dry-run prints the diff it
would apply and exits 1 when anything would change.

Reports: --junit FILE (one testsuite per lesson, one testcase per cell
named "cell N (line L)" with the lesson as classname; valid against the
JUnit schema Jenkins reads, junit-10.xsd); --json writes events to
standard output, one JSON object a line (the human report then goes to
standard error), for each lesson:
  {"event":"lesson-start","lesson":PATH,"skeleton":PATH}
  {"event":"cell","lesson":PATH,"cell":N,"line":L,
   "verdict":"pass"|"fail"|"skip"|"interrupted",
   "reason":TEXT,"how":TEXT,"diff":TEXT,"time":SECONDS}
  {"event":"lesson-end","lesson":PATH,"passed":N,"failed":N,"skipped":N,
   "interrupted":N,"time":SECONDS,"error":TEXT}
("skeleton" for a course pair only; "reason", "how", "diff" and "error"
only when not empty; "interrupted", the cells not finished, when not 0;
a cell not finished is a JUnit <skipped> whose message says so). With GITHUB_ACTIONS=true, failing cells are also
written as "::error file=...,line=...::" annotations.
"labrun report merge A.xml B.xml -o all.xml" merges shards' reports
(JUnit, or JSON events).

-j N checks N lessons at once, each with its own work dir and processes;
--shard K/N takes the lessons whose path hashes to K (stable when a
lesson is added); --list prints the lessons a check would take.

On a terminal, standard error shows a live view: the counts, and a line
per running lesson (its cell, command and time); elsewhere, a plain line
per finished lesson. Colours: --color=auto|always|never; NO_COLOR=1
turns auto off (an explicit --color wins over it).

Exit status: 0 every cell passed; 1 a cell failed or a lesson could not
run; 2 bad input or usage (an .ipynb: convert it with "labrun import");
130/143/129 on Ctrl-C/SIGTERM/SIGHUP and 141 when standard output or
error is closed (a "| head" satisfied): the running lessons are stopped
and torn down, and the reports are written for what ran. A SIGTERM or
SIGHUP within a second of the first is the same request (timeout and
systemd send two); a later one, or a second Ctrl-C, quits at once, still
writing the --junit file for the lessons that finished.

Volatile values of tools (stage 2): what varies from run to run in a
tool's own output, and only there; what a lesson is about stays (exit
statuses, error messages, valgrind's and the sanitizers' summary counts,
the events and commands). Each with an example, as the tool printed it
and as check compares it (<PID>, <N>, <DUR>, <D> and 0x<H> stand for
the values; a table's fields are compared joined by one space, as its
columns are as wide as its widest value):

` + check.VolatileHelp()
