package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/lessons"
	htmlpage "github.com/labrun/labrun/render/html"
	"github.com/labrun/labrun/render/tangle"
	"github.com/labrun/labrun/runner"
)

// handoutFlags parses the flags of a handout subcommand (flags may stand
// before or after the input) and returns its one positional argument.
func handoutFlags(fs *flag.FlagSet, args []string, usageLine string, stderr io.Writer) (string, error) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", usageLine)
		printFlags(stderr, fs)
	}
	var rest []string
	more, err := parseFlags(fs, args)
	if err != nil {
		return "", err
	}
	rest = append(rest, more...)
	switch len(rest) {
	case 0:
		return "", usageError(fmt.Sprintf("%s: which file? (%s)", fs.Name(), usageLine))
	case 1:
		return rest[0], nil
	}
	return "", usageError(fmt.Sprintf("%s: one file at a time (got %d: %s)", fs.Name(), len(rest), strings.Join(rest, " ")))
}

// writeOutput writes data to out atomically, or to stdout when out is
// empty; out must not be the input file.
func writeOutput(out, in string, data []byte, stdout io.Writer) error {
	if out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if same(out, in) {
		return &exitError{exitBadInput, fmt.Errorf("%s: the output would overwrite the input; choose another -o", out)}
	}
	if err := writeFile(out, data); err != nil {
		return &exitError{exitBadInput, err}
	}
	return nil
}

// readInput reads a lesson or transcript (see readLesson).
func readInput(path string) ([]byte, error) {
	src, err := readLesson(path)
	if err != nil {
		return nil, &exitError{exitBadInput, err}
	}
	return src, nil
}

// stripCommand is "labrun strip TRANSCRIPT [-o OUT]".
func stripCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("strip", flag.ContinueOnError)
	out := fs.String("o", "", "write the skeleton to `OUT` (atomically) instead of standard output")
	in, err := handoutFlags(fs, args, "labrun strip TRANSCRIPT [-o OUT]", stderr)
	if err != nil {
		return err
	}
	src, err := readInput(in)
	if err != nil {
		return err
	}
	return writeOutput(*out, in, lessons.StripAny(src), stdout)
}

// tangleCommand is "labrun tangle LESSON -d DIR".
func tangleCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tangle", flag.ContinueOnError)
	dir := fs.String("d", "", "write the lesson's files and run.sh into folder `DIR` (created if missing)")
	in, err := handoutFlags(fs, args, "labrun tangle LESSON -d DIR", stderr)
	if err != nil {
		return err
	}
	if *dir == "" {
		return usageError("tangle: where to? (labrun tangle LESSON -d DIR)")
	}
	src, err := readInput(in)
	if err != nil {
		return err
	}
	lesson, err := lessons.Parse(in, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{exitBadInput, nil}
	}
	files := tangle.Tangle(lesson)
	if err := tangle.Write(*dir, files); err != nil {
		return &exitError{exitBadInput, err}
	}
	fmt.Fprintf(stderr, "labrun: %s: %d files written to %s\n", in, len(files), *dir)
	return nil
}

// htmlCommand is "labrun html TRANSCRIPT -o PAGE.html [--no-output]".
func htmlCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("html", flag.ContinueOnError)
	out := fs.String("o", "", "write the page to `PAGE.html` (atomically) instead of standard output")
	var opts htmlpage.Options
	fs.BoolVar(&opts.NoOutput, "no-output", false, "leave outputs and badges out (the students' version)")
	in, err := handoutFlags(fs, args, "labrun html TRANSCRIPT [-o PAGE.html] [--no-output]", stderr)
	if err != nil {
		return err
	}
	src, err := readInput(in)
	if err != nil {
		return err
	}
	page, err := htmlpage.Render(htmlpage.FromTranscript(in, src), opts)
	if err != nil {
		return err
	}
	return writeOutput(*out, in, page, stdout)
}

// writePage writes the HTML page of a run (labrun run --html PAGE).
func writePage(path string, res *runner.Result) error {
	page, err := htmlpage.Render(htmlpage.FromResult(res), htmlpage.Options{})
	if err != nil {
		return err
	}
	return writeFile(path, page)
}

// importCommand is "labrun import NOTEBOOK.ipynb [-o LESSON.md] [--no-output]".
func importCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	out := fs.String("o", "", "write the lesson to `LESSON.md` (atomically) instead of standard output")
	noOutput := fs.Bool("no-output", false, "leave the notebook's outputs out (the skeleton)")
	in, err := handoutFlags(fs, args, "labrun import NOTEBOOK.ipynb [-o LESSON.md] [--no-output]", stderr)
	if err != nil {
		return err
	}
	src, err := readInput(in)
	if err != nil {
		return err
	}
	nb, err := jupyter.Parse(in, src)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	md := jupyter.Import(nb, jupyter.ImportOptions{NoOutput: *noOutput, Dir: filepath.Dir(in)})
	return writeOutput(*out, in, md, stdout)
}

// exportCommand is "labrun export TRANSCRIPT -o NOTEBOOK.ipynb".
func exportCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "", "write the notebook to `NOTEBOOK.ipynb` (atomically) instead of standard output")
	in, err := handoutFlags(fs, args, "labrun export TRANSCRIPT -o NOTEBOOK.ipynb", stderr)
	if err != nil {
		return err
	}
	src, err := readInput(in)
	if err != nil {
		return err
	}
	nb, err := jupyter.Export(in, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{exitBadInput, nil}
	}
	data, err := jupyter.Marshal(nb)
	if err != nil {
		return err
	}
	return writeOutput(*out, in, data, stdout)
}
