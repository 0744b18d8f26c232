package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/runner"
)

// newFlagSet makes the flag set of a subcommand: errors and -h go to
// stderr, -h printing help and then the flags.
func newFlagSet(name, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, help)
		printFlags(stderr, fs)
	}
	return fs
}

// printFlags lists fs's flags as GNU tools do: "--name ARG" for a long
// one, "-x ARG" for a one-letter one (the flag package reads both with one
// or two dashes), then the usage and the default where it is not empty.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, usage := flag.UnquoteUsage(f)
		line := "  " + dash + f.Name
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintln(w, line)
		usage = strings.ReplaceAll(usage, "\n", "\n    \t")
		switch f.DefValue {
		case "", "0", "false", "[]":
			fmt.Fprintf(w, "    \t%s\n", usage)
		default:
			fmt.Fprintf(w, "    \t%s (default %s)\n", usage, f.DefValue)
		}
	})
}

// parseFlags parses args with fs, letting flags stand before, between and
// after the positional arguments (labrun run A.md -o x B.md), which it
// returns in order. -h/--help is an exit with status 0 (fs.Usage printed
// the help); a bad flag is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: exitOK, err: errors.New("")}
			}
			return nil, usageError(err.Error())
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// addStepFlags registers the flags that say how steps run, the same for
// run and check: timeouts, stuck detection, the sandbox and the resource
// limits (sizes as the lesson directive takes them: 10M, 2G).
func addStepFlags(fs *flag.FlagSet, o *runner.Options) {
	// Seconds (5, 0.5) or a duration (1m).
	o.Timeout, o.Grace = runner.DefaultTimeout, runner.DefaultGrace
	fs.Var((*seconds)(&o.Timeout), "timeout", "default timeout of each step: `seconds`, or a duration such as 1m (a lesson may set its own)")
	fs.Var((*seconds)(&o.Grace), "grace", "how long an interrupted step may take to end after Ctrl-C before it is killed: `seconds` or a duration")
	fs.BoolVar(&o.NoStuckDetection, "no-stuck-detection", false, "interrupt blocked steps only on timeout, never earlier")
	fs.BoolVar(&o.Sandbox, "sandbox", false, "run each step in a new network namespace (loopback only) with writes\nconfined to the work dir and /tmp (Landlock, where the kernel offers it)")
	d := limits.Default()
	fs.Uint64Var(&o.Limits.CPUSeconds, "cpu", 0, fmt.Sprintf("CPU `seconds` each process of a step may use (default %d)", d.CPUSeconds))
	fs.Uint64Var(&o.Limits.Processes, "procs", 0, fmt.Sprintf("how many `processes` the run may have at once; a fork bomb stops there (default %d)", d.Processes))
	fs.Var((*limits.Size)(&o.Limits.FileSize), "fsize", fmt.Sprintf("largest file a step may write, a `size` such as 10M (default %d bytes)", d.FileSize))
	fs.Uint64Var(&o.Limits.OpenFiles, "nofile", 0, fmt.Sprintf("open `files` per process (default %d)", d.OpenFiles))
	fs.Var((*limits.Size)(&o.Limits.AddressSpace), "as", "virtual memory per process, a `size` such as 2G (default: no limit, as AddressSanitizer needs)")
}

// checkStepFlags refuses what addStepFlags's flags were given that a
// lesson's directive would refuse too (a zero or negative timeout, zero
// processes) and what Options.Validate refuses; cmd names the subcommand.
func checkStepFlags(fs *flag.FlagSet, o *runner.Options, cmd string) error {
	// Options reads a zero as "the default"; on the command line a zero
	// is a mistake, refused as the lesson's timeout=0 or procs=0 is.
	var zero error
	fs.Visit(func(f *flag.Flag) {
		if zero != nil {
			return
		}
		o.TimeoutSet = o.TimeoutSet || f.Name == "timeout"
		switch v := f.Value.(flag.Getter).Get().(type) {
		case time.Duration:
			if v <= 0 {
				zero = usageError(fmt.Sprintf("%s: --%s %s: want a positive duration such as %s", cmd, f.Name, v, durationExamples[f.Name]))
			}
		case uint64:
			if v == 0 {
				zero = usageError(fmt.Sprintf("%s: --%s 0: want a positive number (leave the flag out for the default)", cmd, f.Name))
			}
		}
	})
	if zero != nil {
		return zero
	}
	if err := o.Validate(); err != nil {
		return usageError(cmd + ": " + err.Error())
	}
	return nil
}

// durationExamples are the examples a refused duration flag suggests.
var durationExamples = map[string]string{"timeout": "5s or 1m", "grace": "500ms or 2s"}
