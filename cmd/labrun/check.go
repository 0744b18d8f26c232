package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/check/report"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/ghlog"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
	"golang.org/x/sys/unix"
)

// checkOptions are the flags of "labrun check".
type checkOptions struct {
	paths      []string
	verbose    bool
	quiet      bool
	failFast   bool
	run        string
	runRE      *regexp.Regexp
	failedFrom string
	durations  string
	update     bool
	dryRun     bool
	jobs       int
	shard      string
	shardK     int
	shardN     int
	list       bool
	junit      string
	json       bool
	config     string
	runner     runner.Options
	flaky      flakyOptions
}

// newCheckCmd is "labrun check" and its flags.
func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &checkOptions{}
	c := &cobra.Command{
		Use:   "check PATH[:LINE]...",
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
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "report only failures and the totals line")
	fs.BoolVarP(&o.failFast, "fail-fast", "x", false, "stop taking lessons after the first that fails (the running ones finish; the reports are written)")
	fs.StringVar(&o.run, "run", "", "check only the lessons whose path matches `REGEX` (Go syntax)")
	fs.StringVar(&o.failedFrom, "failed-from", "", "check only the lessons that failed or did not finish in `REPORT`, an earlier --junit or --json report")
	fs.BoolVar(&o.update, "update", false, "rewrite the outputs of failing cells with the fresh ones, only the lines that differ (atomically; nothing else changes)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "with --update: print the diff it would apply, change nothing; exit 1 when anything would change")
	wholeNumberFlag(fs, &o.jobs, "jobs", "j", runtime.NumCPU(), "check `N` lessons at once")
	fs.StringVar(&o.shard, "shard", "", "check only shard `K/N` of the lessons (by a hash of each path, or balanced by --durations)")
	fs.StringVar(&o.durations, "durations", "", "with --shard: balance the shards by the lessons' times in `REPORT`, an earlier --junit or --json report")
	fs.BoolVar(&o.list, "list", false, "print the lessons the check (or shard) would take, run nothing")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to `FILE`")
	fs.BoolVar(&o.json, "json", false, "write JSON events to standard output, one a line (see labrun help check)")
	fs.StringVar(&o.config, "config", "", "read the course's settings from `FILE` instead of the labrun.toml found in each lesson's folder or above it")
	for _, f := range []string{"failed-from", "durations"} {
		c.MarkFlagFilename(f, "xml", "json") // completes the reports
	}
	addFlakyFlags(fs, &o.flaky)
	colourFlag(c)
	addStepFlags(fs, &o.runner)
	return c
}

// take checks the paths and flags of "labrun check" that the flag parser
// has read.
func (o *checkOptions) take(fs *pflag.FlagSet, paths []string) error {
	o.paths = paths
	if len(o.paths) == 0 {
		return usageError("check: which lessons? (labrun check PATH..., a transcript or a folder; lesson.md:LINE for one cell)")
	}
	if o.jobs < 1 {
		return usageError(fmt.Sprintf("check: -j %d: want at least 1", o.jobs))
	}
	if o.dryRun && !o.update {
		return usageError("check: --dry-run goes with --update")
	}
	if o.durations != "" && o.shard == "" {
		return usageError("check: --durations goes with --shard")
	}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return usageError(fmt.Sprintf("check: --run %q: %v", o.run, err))
		}
		o.runRE = re
	}
	if err := o.flaky.take(o.update); err != nil {
		return err
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
	found, plan, err := selectLessons(o, stderr)
	if err != nil {
		return err
	}
	if o.list {
		listLessons(stdout, found, plan, o)
		return nil
	}
	if err := checkFiles(o, found).check(); err != nil {
		return &exitError{exitBadInput, err}
	}
	if o.junit != "" {
		if err := checkOutput("--junit", "the JUnit report", o.junit); err != nil {
			return &exitError{exitBadInput, err}
		}
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
	stop := watchSignals(cancel, stderr, "the reports are written for what ran")
	defer stop.stop()
	reporters, live, files := checkReporters(o, found, stdout, stderr)
	stop.onQuit(files.Freeze, func() {
		if err := files.Finish(check.Totals{}); err != nil {
			fmt.Fprintf(stderr, "labrun: %v\n", err)
		}
	})
	ro := o.runner
	ro.Course = given
	var noted sync.Map // a lesson checked again (--runs, --rerun-fails) says its note once
	note := func(msg string) {
		if _, again := noted.LoadOrStore(msg, true); !again {
			fmt.Fprintf(stderr, "labrun: %s\n", msg)
		}
	}
	suite := o.flaky.suite(check.Suite{Jobs: o.jobs, Runner: ro, Update: o.update, DryRun: o.dryRun, FailFast: o.failFast, OnNote: note})
	totals := suite.Run(ctx, found, reporters)
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

// selectLessons finds the lessons of a check and keeps those its flags
// select: --run, --failed-from, then --shard (balanced by --durations,
// whose plan it returns).
func selectLessons(o *checkOptions, stderr io.Writer) ([]check.Lesson, *check.ShardPlan, error) {
	found, err := check.Find(o.paths)
	if err != nil {
		return nil, nil, &exitError{exitBadInput, err}
	}
	if o.runRE != nil {
		if found = check.Matching(found, o.runRE); len(found) == 0 {
			fmt.Fprintf(stderr, "labrun: --run %s: no lesson here matches\n", o.run)
		}
	}
	if o.failedFrom != "" {
		rs, err := report.ReadResults(o.failedFrom)
		if err != nil {
			return nil, nil, &exitError{exitBadInput, fmt.Errorf("--failed-from: %w", err)}
		}
		found = check.Among(found, report.FailedPaths(rs))
		if len(found) == 0 {
			fmt.Fprintf(stderr, "labrun: --failed-from %s: no lesson here failed there\n", o.failedFrom)
		}
	}
	if o.shardN == 0 {
		return found, nil, nil
	}
	// An empty shard passes (a matrix job with nothing to do), and says so.
	emptyShard := func(shard []check.Lesson) {
		if len(shard) == 0 && len(found) > 0 {
			fmt.Fprintf(stderr, "labrun: --shard %d/%d: none of the %s is in this shard\n", o.shardK, o.shardN, render.Count(len(found), "lesson", "lessons"))
		}
	}
	if o.durations == "" {
		shard := check.Shard(found, o.shardK, o.shardN)
		emptyShard(shard)
		return shard, nil, nil
	}
	rs, err := report.ReadResults(o.durations)
	if err != nil {
		return nil, nil, &exitError{exitBadInput, fmt.Errorf("--durations: %w", err)}
	}
	times := map[string]time.Duration{}
	for _, r := range rs {
		if r.Timed { // a lesson not checked there counts the median
			times[check.PathKey(r.Path)] = r.Time
		}
	}
	plan := check.Balance(found, o.shardN, times)
	emptyShard(plan.Shards[o.shardK-1])
	return plan.Shards[o.shardK-1], &plan, nil
}

// listLessons is --list: the lessons a check would take, one a line;
// with --durations each with its expected time, and a last line, after
// "#", the shard's expected time and every shard's.
func listLessons(w io.Writer, found []check.Lesson, plan *check.ShardPlan, o *checkOptions) {
	if plan == nil {
		for _, l := range found {
			fmt.Fprintln(w, l.Path)
		}
		return
	}
	var all []string
	for _, t := range plan.Expected {
		all = append(all, fmt.Sprintf("%.1fs", t.Seconds()))
	}
	for _, l := range found {
		fmt.Fprintf(w, "%s\t%.1fs\n", l.Path, plan.Times[l.Path].Seconds())
	}
	fmt.Fprintf(w, "# shard %d/%d: %s, expected %.1fs (shards: %s)\n", o.shardK, o.shardN, render.Count(len(found), "lesson", "lessons"),
		plan.Expected[o.shardK-1].Seconds(), strings.Join(all, ", "))
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
	github := onGitHub()
	text := report.NewText(out, o.verbose)
	text.Quiet, text.Groups, text.FailOnFlaky = o.quiet, github, o.flaky.failOnFlaky
	text.Terminal, _ = terminal(out)
	live = report.NewLive(stderr, tty && !o.json && !o.quiet, len(found), width, text)
	all = append(all, live)
	var junit report.Multi
	if o.junit != "" {
		j := report.NewJUnitFile(o.junit, found)
		j.Family, j.Write = o.flaky.family, writeFile
		junit = append(junit, j)
	}
	files = report.NewGuard(junit)
	all = append(all, files)
	if github {
		a := report.NewAnnotations(out)
		a.Workspace = os.Getenv("GITHUB_WORKSPACE")
		all = append(all, a)
		if f := os.Getenv("GITHUB_STEP_SUMMARY"); f != "" {
			all = append(all, report.NewStepSummary(f, os.Getenv))
		}
	}
	return all, live, files
}

// onGitHub says whether labrun runs under GitHub Actions
// (GITHUB_ACTIONS=true), whose runner reads its output for workflow
// commands.
func onGitHub() bool { return os.Getenv("GITHUB_ACTIONS") == "true" }

// jobLog is what labrun writes its notes to on stderr, where no
// line of its own is a workflow command: under GitHub Actions a
// ghlog.Writer, so that no line of what a step printed (a Python
// exception's message in the summary) is taken for one; flush writes
// what waits for its line's end.
func jobLog(stderr io.Writer) (w io.Writer, flush func()) {
	if !onGitHub() {
		return stderr, func() {}
	}
	g := ghlog.NewWriter(stderr)
	return g, func() { g.Flush() }
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
(README.md recorded beside README_no_output.md, its skeleton), every
labrun transcript (a Markdown file with labrun's output markers) and
every lesson of the native dialect (<!-- labrun: dialect=native -->),
which holds its own outputs: one that records nothing yet fails until
"check --update" records it. A course README.md alone is stripped as
"labrun strip" does; a link to a lesson counts as the lesson. For each
lesson check runs the skeleton (in a scratch copy of its folder, as
"labrun run" does) and compares every cell's fresh output with the
recorded one, after normalizing both, in this order:

  1. layout: the text as a terminal shows it (colours, OSC hyperlinks,
     \r rewrites, backspace overstrikes); trailing spaces and blank
     lines dropped; the layout of the outputs block gone (the 4-space
     indent of streams, the fence or <pre> around a log); in displays,
     fence lines, <pre>, <code>, <details>, <summary> and whole-line
     HTML comments dropped and HTML entities and "\#" unescaped; what
     a step printed is compared whatever it holds (a stream's line
     "<!-- x -->" is output, a log's "&amp;" is "&amp;": a log in
     <pre>, as a course's export escapes it, is read unescaped once);
  2. volatile values: those of everyday tools, each only in the tool's
     own format (labrun help volatile lists them); then
     pids and tids (pid=N, PID = N, pid is N, tid N), hex addresses and
     hashes, clock times, dates, temp paths (/tmp/...), /usr/bin/sh as
     /bin/sh, where Python packages are installed (.../dist-packages/,
     .../site-packages/ as <PYLIB>/), where Python's standard library
     is (.../lib/python3.X/ as <PYSTD>/), durations (0.25s, 12 ms,
     0m0.003s), and the columns of ps and top rows but the command;
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
       <!-- labrun: expect exit=N -->       its last step must exit N (or
                  exit:N)
       <!-- labrun: expect fail -->         it must fail (a step exits
                  non-zero, an exception), as expect=fail in a fence

Every cell is reported as passed, failed or skipped (ignore-output, cells
labrun does not run); a cell cut by a signal meant for labrun (Ctrl-C, a
SIGTERM or SIGHUP, whether labrun or the sender stopped the step) did not
finish: neither passed nor failed, "lesson.md:LINE: cell N: not
finished", and never rewritten by --update. A failing cell is reported as
"lesson.md:LINE: cell N: output differs" (N counts from 1) with a
unified diff of the normalized lines, recorded -> fresh (-v adds the raw
lines), and how the cell ended when it did not end well ("interrupted
after 10.0s: timeout", "exit 139 (SIGSEGV)"). Each lesson's line and the
last line count alike: "N passed, N failed, N flaky, N skipped, N not
finished" (the parts after "failed" only when not 0), --update adding
", N updated". A console block is compared command by command (each
"$ command"'s recorded lines with its fresh output, normalized as
above); a command that differs fails the block at its own line, and
--update rewrites that command's lines only. A recorded line may be one
of cram's matchers: "LINE (re)" a regular expression and "LINE (glob)"
a glob ("*" any text, "?" one character, "\*", "\?", "\\" themselves)
that the fresh line must match as a whole; "LINE (no-eol)" output that
ends without a newline; "LINE (esc)" an escaped line. A matcher line is
matched as cram matches it, against the fresh line as the block would
record it and before any normalizer, the record aligned with the fresh
lines as cram's diff aligns them; the lines it matches count as equal
(the diff shows them as context), the other lines are compared
normalized. Patterns are Python's, as in cram, read by Go's RE2: what
RE2 cannot say as Python does (backreferences, lookahead and lookbehind,
atomic groups, possessive quantifiers, conditionals, (?x)) matches no
line, as cram does with a pattern Python refuses. --update writes what
"cram -i -y" writes: the recorded lines that still match stay, matcher
lines too, the fresh lines replace the others; of those, a fresh line
that compares equal to a recorded one (normalized) is the recorded line.

Cram test files (NAME.t, found in folders as cram finds them) are
checked as they are, as cram 0.7 checks them: each run of indented
lines (two spaces, or --indent N as cram's: a line indented less is
prose) is a console block whose commands run in cram's shell
(--shell, /bin/sh by default) through pipes, stderr merged, in cram's
environment (TESTDIR, TESTFILE, TESTSHELL, CRAMTMP, TMPDIR, LANG=C,
TZ=GMT, COLUMNS=80, ...) and in the empty dir $CRAMTMP/NAME.t; the file
is compared with its fresh lines as cram compares them (no
normalization; the " (esc)", " (glob)" and " (re)" lines as cram's
matchers read them, "[N]" a status, " (no-eol)" a missing newline), a
command failing where cram's diff touches its lines; a shell that exits
80 skips the test, as does an empty file; "> " lines before the first
command run before it, and indented lines with no command are expected
output of nothing (the file fails). A command left open (an "if"
whose "fi" is a later command, a quote or heredoc left open, a last
backslash) reads the lines after it into itself, as in cram's one
script: the commands it takes in run with it, and its output is cut as
cram cuts it. --update writes what "cram -i -y" would, with the same
indent; JUnit has a testcase per command.

cram's options, in labrun: -i -y is --update (-n, answering no, is a
check without it); --xunit-file PATH is --junit PATH; --shell,
--shell-opts, --indent and -E (--preserve-env) are labrun's too; -q and
-v are; --keep-tmpdir is "labrun run --keep" (it keeps the run's
$CRAMTMP, the test's dir in it). Under --shell-opts=-x the shell traces
labrun's own commands too (the group each command runs in, its mark),
where cram's traces its "echo" markers: the fresh lines differ there.

Flaky cells: --rerun-fails N runs a lesson with failing cells again, up
to N times; a cell that failed first and passed in a rerun is flaky
("lesson.md:LINE: cell N: flaky: output differs in run 1, passed in run
2"), one that failed in every run failed. --runs K runs each lesson K
times: a cell whose normalized outputs differ between runs is flaky, and
for each labrun proposes the smallest rule under which its runs agree,
checked by applying it ("lesson.md:LINE: cell N: rule: <!-- labrun:
any-order -->", LINE its fence's): any-order when only the order of
lines varies, a normalize rule masking exactly the tokens that vary
(digits only: [0-9]+, after the fixed text before them; digits and
letters of both cases: base64's alphabet, with "+", "/" and "="),
ignore-output when nothing smaller does. The record counts as one more run for the
order of lines only: a cell whose runs agree but fail in each against a
record that holds the same lines in another order (normalized; for a
console block, each command's own) is flaky too ("flaky: its record
holds another order of the same lines (K runs agree)") and gets
any-order; a record that differs by a token gets no rule, and the cell
fails, as a regression would. --write-rules adds them to the lesson's
transcript on the line before each cell's fence, atomically as --update
writes, never twice. Flaky cells pass: exit 0 unless --fail-on-flaky.
--update goes with neither --rerun-fails nor --runs.

--update rewrites the outputs of failing cells only with the fresh ones
(atomically: temp file and rename); prose, code, rules and the outputs of
passing cells stay byte for byte. It rewrites only what differs: the
fresh outputs are laid out as a fresh record holds them (markers, fences,
indents), then each line whose normalized line the check's diff pairs
with an equal recorded one (the same but for a clock time, a pid, a ps
row's columns, what a rule masks) is the recorded line again, byte for
byte, in a labrun transcript, a course transcript and a console
command's lines alike: only the lines of the hunks that differ change.
When the lines so kept would not read back as the fresh outputs do, the
fresh outputs are written whole. --update --dry-run prints the diff it
would apply (on a terminal with its control characters spelled out,
\x1b) and exits 1 when anything would change.

Reports: --junit FILE (one testsuite per lesson, one testcase per cell
named "cell N (line L)" with the lesson as classname; valid against the
JUnit schema Jenkins reads, junit-10.xsd; a flaky cell passes, with a
<flakyFailure> for each failing run, as Maven Surefire writes it;
--junit-family xunit1 adds file and line attributes to each testcase,
xunit2, the default, has neither; what XML 1.0 cannot hold, a control
character but tab and newlines, U+FFFE, U+FFFF or a byte of invalid
UTF-8, is spelled out as \x1b, \ufffe, \xff); --json writes events to
standard output, one JSON object a line (the human report then goes to
standard error), for each lesson:
  {"event":"lesson-start","lesson":PATH,"skeleton":PATH}
  {"event":"cell","lesson":PATH,"cell":N,"line":L,
   "verdict":"pass"|"fail"|"skip"|"interrupted"|"flaky"|"updated",
   "reason":TEXT,"how":TEXT,"diff":TEXT,"time":SECONDS}
  {"event":"lesson-end","lesson":PATH,"passed":N,"failed":N,"skipped":N,
   "interrupted":N,"flaky":N,"updated":N,"time":SECONDS,"error":TEXT}
and for a lesson the check did not take (-x after a failure, or labrun
stopped before it), its only event, as JUnit has an empty testsuite:
  {"event":"lesson-not-checked","lesson":PATH,"reason":TEXT}
("skeleton" for a course pair only; "reason", "how", "diff" and "error"
only when not empty; "interrupted", the cells not finished, when not 0;
"flaky" and "updated" when not 0; a cell not finished is a JUnit
<skipped> whose message says so; a cell --update mended is "updated",
its reason and diff why it failed, counted in "updated", not in
"failed", and in JUnit a passing testcase whose <system-out> says it
was updated, with the diff; times in seconds, to the microsecond).
"labrun report merge A.xml B.xml -o all.xml" merges shards' reports
(JUnit, or JSON events).

With GITHUB_ACTIONS=true (GitHub Actions), each lesson's report is a
folded group of the log (::group::), failing cells are also written as
"::error file=...,line=...,title=lesson cell N::" annotations (a lesson
that could not be checked, "title=lesson not checked"), and when
GITHUB_STEP_SUMMARY names a file a Markdown summary is appended to it:
the counts, and the failed cells linked to their lines (on GitHub when
GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA are set). A line of
the report that the runner would take for a workflow command (what a
step printed, shown in a diff: " ::add-mask::x", "##[error]" anywhere)
is put between "::stop-commands::TOKEN" and "::TOKEN::" (TOKEN random),
so that it stays text.

Which lessons and cells: a PATH:LINE (lesson.md:42) checks the cell at
that line only (its lesson runs whole; a line in no cell is bad input);
an existing file's name is a path even when it ends in :N.
  --run REGEX          only the lessons whose path matches
  --failed-from REPORT only the lessons that failed or did not finish in
                       an earlier --junit or --json report
  -x, --fail-fast      take no more lessons after one fails (the running
                       ones finish, the reports are written)
  -q, --quiet          report only failures and the totals line

-j N checks N lessons at once, each with its own work dir and processes;
--shard K/N takes the lessons whose path hashes to K (stable when a
lesson is added); with --durations REPORT (an earlier --junit or --json
report) the N shards are balanced by the lessons' times instead (a
lesson not in the report counts the median; longest first, each to the
shard with the least time): the same lessons and report give the same
shards. --list prints the lessons a check would take (with --durations,
each with its expected time, then "# shard K/N: ..." with every shard's).

On a terminal, standard error shows a live view: the counts, and a line
per running lesson (its cell, command and time); elsewhere, a plain line
per finished lesson. Colours: --color=auto|always|never; NO_COLOR=1
turns auto off (an explicit --color wins over it).

Exit status: 0 every cell passed (or was flaky); 1 a cell failed (or was
flaky, with --fail-on-flaky) or a lesson could not run; 2 bad input or usage (an .ipynb: convert it with "labrun import");
130/143/129 on Ctrl-C/SIGTERM/SIGHUP and 141 when standard output or
error is closed (a "| head" satisfied): the running lessons are stopped
and torn down, and the reports are written for what ran. A SIGTERM or
SIGHUP within a second of the first is the same request (timeout and
systemd send two); a later one, or a second Ctrl-C, quits at once, still
writing the --junit file for the lessons that finished.

The volatile values of tools that check masks, each with an example:
labrun help volatile.
`

// volatileHelp is "labrun help volatile": the volatile values of tools
// that check masks (stage 2 of its normalizing), each with an example.
var volatileHelp = `Volatile values of tools (stage 2 of "labrun check"'s normalizing): what
varies from run to run in a tool's own output, and only there; what a
lesson is about stays (exit statuses, error messages, valgrind's and the
sanitizers' summary counts, the events and commands). Each with an
example, as the tool printed it and as check compares it (<PID>, <N>,
<DUR>, <T>, <D>, <ADDR>, 0x<H> and the like stand for the values; a
table's fields are compared joined by one space, as its columns are as
wide as its widest value), by tool:

` + check.VolatileHelp()
