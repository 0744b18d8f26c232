package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/runner"
)

// addStepFlags registers the flags that say how steps run, the same for
// run and check: timeouts, stuck detection, the sandbox and the resource
// limits (sizes as the lesson directive takes them: 10M, 2G).
func addStepFlags(fs *pflag.FlagSet, o *runner.Options) {
	// Seconds (5, 0.5) or a duration (1m).
	o.Timeout, o.Grace = runner.DefaultTimeout, runner.DefaultGrace
	fs.Var((*seconds)(&o.Timeout), "timeout", "default timeout of each step: `seconds`, or a duration such as 1m (a lesson may set its own)")
	fs.Var((*seconds)(&o.Grace), "grace", "how long an interrupted step may take to end after Ctrl-C before it is killed: `seconds` or a duration")
	fs.BoolVar(&o.NoStuckDetection, "no-stuck-detection", false, "interrupt blocked steps only on timeout, never earlier")
	fs.StringVar(&o.Shell, "shell", runner.DefaultCramShell, "the shell cram test files (.t) run in, found through PATH, as cram's --shell")
	fs.Var((*shellOpts)(&o.ShellOpts), "shell-opts", "the `arguments` the shell of cram test files (.t) is started with, as cram's --shell-opts\n(split as a POSIX shell splits words: quotes, backslashes), before its \"-\": -e, -x, \"-O extglob\"")
	cramIndentFlag(fs, &o.CramIndent)
	fs.BoolVarP(&o.CramPreserveEnv, "preserve-env", "E", false, "keep LANG, LC_ALL, LANGUAGE, TZ, CDPATH, COLUMNS and GREP_OPTIONS as they are\nin cram test files' environment, which labrun sets as cram does (cram's -E)")
	fs.BoolVar(&o.Sandbox, "sandbox", false, "run each lesson's steps in a network namespace of its own (loopback only),\nwith a /tmp of its own, a pid namespace of its own (ps shows the lesson's\nprocesses only) and writes confined to the work dir and /tmp\n(where the kernel offers mount and pid namespaces and Landlock)")
	d := limits.Default()
	l := &o.Limits
	fs.Var(limitFlag{"cpu", &l.CPUSeconds}, "cpu", fmt.Sprintf("CPU `seconds` each process of a step may use, or unlimited (default %d)", d.CPUSeconds))
	fs.Var(limitFlag{"procs", &l.Processes}, "procs", fmt.Sprintf("how many `processes` the run may have at once; a fork bomb stops there (default %d)", d.Processes))
	fs.Var(limitFlag{"fsize", &l.FileSize}, "fsize", fmt.Sprintf("largest file a step may write, a `size` such as 10M, or unlimited (default %d bytes)", d.FileSize))
	fs.Var(limitFlag{"nofile", &l.OpenFiles}, "nofile", fmt.Sprintf("open `files` per process (default %d)", d.OpenFiles))
	fs.Var(limitFlag{"as", &l.AddressSpace}, "as", "virtual memory per process, a `size` such as 2G (default: no limit, as AddressSanitizer needs)")
	// "unlimited" sets no limit: the one labrun inherited stays, and the
	// default's guard against a runaway step is given up (limits.Unlimited).
}

// checkStepFlags refuses what addStepFlags's flags were given that a
// lesson's directive would refuse too (a zero or negative timeout, zero
// processes) and what Options.Validate refuses; cmd names the subcommand.
func checkStepFlags(fs *pflag.FlagSet, o *runner.Options, cmd string) error {
	// Options reads a zero as "the default"; on the command line a zero
	// is a mistake, refused as the lesson's timeout=0 or procs=0 is.
	durations := map[string]*time.Duration{"timeout": &o.Timeout, "grace": &o.Grace}
	counts := map[string]*uint64{"cpu": &o.Limits.CPUSeconds, "procs": &o.Limits.Processes,
		"fsize": &o.Limits.FileSize, "nofile": &o.Limits.OpenFiles, "as": &o.Limits.AddressSpace}
	var zero error
	fs.Visit(func(f *pflag.Flag) { // the flags given, by name
		if zero != nil {
			return
		}
		o.TimeoutSet = o.TimeoutSet || f.Name == "timeout"
		if d, ok := durations[f.Name]; ok && *d <= 0 {
			zero = usageError(fmt.Sprintf("%s: --%s %s: want a positive duration such as %s", cmd, f.Name, *d, durationExamples[f.Name]))
		}
		if n, ok := counts[f.Name]; ok && *n == 0 {
			zero = usageError(fmt.Sprintf("%s: --%s 0: want a positive number (leave the flag out for the default)", cmd, f.Name))
		}
	})
	if zero != nil {
		return zero
	}
	if fs.Changed("shell") {
		if err := checkShell(o.Shell); err != nil {
			return usageError(fmt.Sprintf("%s: --shell %s: %v", cmd, o.Shell, err))
		}
	}
	if err := o.Validate(); err != nil {
		return usageError(cmd + ": " + err.Error())
	}
	return nil
}

// shellOpts is --shell-opts's value: cram's, split as cram splits it
// (cram.SplitArgs); a quote left open is refused.
type shellOpts []string

func (o *shellOpts) String() string { return strings.Join(*o, " ") }

func (o *shellOpts) Set(s string) error {
	args, err := cram.SplitArgs(s)
	if err != nil {
		return err
	}
	*o = args
	return nil
}

func (o *shellOpts) Type() string { return "arguments" }

// cramIndentFlag registers --indent, cram's: how many spaces indent a
// cram test file's commands and outputs (a line indented less is prose).
func cramIndentFlag(fs *pflag.FlagSet, n *int) {
	*n = lessons.DefaultCramIndent
	fs.Var((*cramIndent)(n), "indent", "how many `spaces` indent the commands (\"$ \", \"> \") and expected output of\ncram test files (.t), as cram's --indent: a line indented less is prose;\n--update writes fresh output so indented")
}

// cramIndent is --indent's value: a number of spaces, 0 none (kept as
// -1, which lessons.CramIndentOf reads as no indent).
type cramIndent int

func (n *cramIndent) String() string { return strconv.Itoa(max(int(*n), 0)) }

// Type names the value in help when the usage does not (pflag.Value).
func (n *cramIndent) Type() string { return "spaces" }

func (n *cramIndent) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return fmt.Errorf("want a number of spaces (2, 4, 0)")
	}
	if v == 0 {
		v = -1
	}
	*n = cramIndent(v)
	return nil
}

// wholeNumber is an integer flag's value (-j, --runs, --rerun-fails):
// a refused one says what it wants, as the other flags do ("want a whole
// number"), not Go's "strconv.ParseInt: parsing ...: invalid syntax".
// The command checks its range.
type wholeNumber int

// wholeNumberFlag registers an integer flag, short being its letter or "".
func wholeNumberFlag(fs *pflag.FlagSet, p *int, name, short string, value int, usage string) {
	*p = value
	fs.VarP((*wholeNumber)(p), name, short, usage)
}

func (n *wholeNumber) String() string { return strconv.Itoa(int(*n)) }

// Type names the value in help when the usage does not (pflag.Value).
func (n *wholeNumber) Type() string { return "int" }

func (n *wholeNumber) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want a whole number, such as 2")
	}
	*n = wholeNumber(v)
	return nil
}

// checkShell says why the shell --shell names cannot run, as PATH (or
// its path, when it has a slash) finds it: before anything runs, not
// once a cram test's run needs it.
func checkShell(name string) error {
	_, err := exec.LookPath(name)
	var pe *fs.PathError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound):
		return errors.New("not in PATH")
	case errors.As(err, &pe):
		return pe.Err
	}
	return err
}

// durationExamples are the examples a refused duration flag suggests.
var durationExamples = map[string]string{"timeout": "5s or 1m", "grace": "500ms or 2s"}

// seconds is a duration flag that reads a bare number as seconds
// ("--timeout 5"), as GNU tools do, and a Go duration ("1m30s") too.
type seconds time.Duration

func (d *seconds) String() string { return time.Duration(*d).String() }

// Type names the value in help when the usage does not (pflag.Value).
func (d *seconds) Type() string { return "seconds" }

func (d *seconds) Set(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*d = seconds(f * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want seconds (5, 0.5) or a duration (1m)")
	}
	*d = seconds(v)
	return nil
}

// limitFlag is a resource limit flag, read as the lesson's directive
// reads its key (limits.Flag: "10M", "unlimited").
type limitFlag limits.Flag

func (f limitFlag) String() string     { return limits.Flag(f).String() }
func (f limitFlag) Set(v string) error { return limits.Flag(f).Set(v) }

// Type names the value in help when the usage does not (pflag.Value).
func (f limitFlag) Type() string {
	if f.Key == "fsize" || f.Key == "as" {
		return "size"
	}
	return "uint64"
}
