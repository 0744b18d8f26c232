package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlagSet makes the flag set of a subcommand: errors and -h go to
// stderr, -h printing help and then the flags.
func newFlagSet(name, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, help)
		fs.PrintDefaults()
	}
	return fs
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
