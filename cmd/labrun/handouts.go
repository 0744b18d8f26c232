package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/render"

	"github.com/spf13/cobra"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/lessons"
	htmlpage "github.com/labrun/labrun/render/html"
	"github.com/labrun/labrun/render/tangle"
	"github.com/labrun/labrun/runner"
	"github.com/labrun/labrun/transcript"
)

// handout makes the command of a handout: use is its usage after
// "labrun " ("strip TRANSCRIPT"), and run gets its one file.
func handout(use, short, long string, run func(in string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args: func(c *cobra.Command, rest []string) error {
			switch len(rest) {
			case 0:
				return usageError(fmt.Sprintf("%s: which file? (%s)", c.Name(), c.UseLine()))
			case 1:
				return nil
			}
			return usageError(fmt.Sprintf("%s: one file at a time (got %d: %s)", c.Name(), len(rest), strings.Join(rest, " ")))
		},
		RunE: func(_ *cobra.Command, args []string) error { return run(args[0]) },
	}
}

// outputFlag registers a handout's -o, --output.
func outputFlag(c *cobra.Command, out *string, what string) {
	c.Flags().StringVarP(out, "output", "o", "", "write "+what+" (atomically) instead of standard output")
}

// writeOutput writes data to out atomically, or to stdout when out is
// empty; out must not be the input file.
func writeOutput(out, in string, data []byte, stdout io.Writer) error {
	if out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := handoutFiles(in, out).check(); err != nil {
		return &exitError{exitBadInput, err}
	}
	if err := writeFile(out, data); err != nil {
		return &exitError{exitBadInput, err}
	}
	return nil
}

// readInput reads a lesson or transcript (see lessons.ReadFile).
func readInput(path string) ([]byte, error) {
	src, err := lessons.ReadFile(path)
	if err != nil {
		return nil, &exitError{exitBadInput, err}
	}
	return src, nil
}

// newStripCmd is "labrun strip TRANSCRIPT [-o OUT]".
func newStripCmd(stdout io.Writer) *cobra.Command {
	var out string
	c := handout("strip TRANSCRIPT", "a transcript without its outputs: the lesson's skeleton",
		`Writes the skeleton of a transcript (labrun's, or a course README.md in
nbconvert's layout): the transcript without its outputs, byte for byte.
A labrun transcript whose marker lines do not pair up is refused, as
check and run refuse it: nothing is written.
`, func(in string) error {
			src, err := readInput(in)
			if err != nil {
				return err
			}
			skel, err := transcript.Skeleton(in, src)
			if err != nil {
				return &exitError{exitBadInput, err}
			}
			return writeOutput(out, in, skel, stdout)
		})
	outputFlag(c, &out, "the skeleton to `OUT`")
	return c
}

// newTangleCmd is "labrun tangle LESSON -d DIR".
func newTangleCmd(stderr io.Writer) *cobra.Command {
	var dir string
	c := handout("tangle LESSON.md -d DIR", "every file a lesson writes, and run.sh replaying its commands",
		`Writes every file the lesson writes, byte for byte as run writes it, and
run.sh replaying its shell commands in order, each with a timeout
(LABRUN_STEP_TIMEOUT, default 10 s), into DIR.
`, func(in string) error {
			if dir == "" {
				return usageError("tangle: where to? (labrun tangle LESSON -d DIR)")
			}
			src, err := readInput(in)
			if err != nil {
				return err
			}
			return tangleLesson(in, src, dir, stderr)
		})
	c.Flags().StringVarP(&dir, "dir", "d", "", "write the lesson's files and run.sh into folder `DIR` (created if missing)")
	return c
}

// tangleLesson writes a lesson's folder into dir and says what it wrote;
// a lesson whose files clash with the folder's layout is bad input.
func tangleLesson(in string, src []byte, dir string, stderr io.Writer) error {
	lesson, err := lessons.Parse(in, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{exitBadInput, nil}
	}
	files, err := tangle.Tangle(lesson)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{exitBadInput, nil}
	}
	if err := tangleFiles(in, dir, files).check(); err != nil {
		return &exitError{exitBadInput, err}
	}
	n, err := tangle.Write(dir, files)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	fmt.Fprintf(stderr, "labrun: %s: %s\n", in, tangleSummary(files[:n], dir))
	return nil
}

// tangleSummary says what tangle wrote: the folder's files (the lesson's
// and run.sh), and the saved versions under .tangle/.
func tangleSummary(written []tangle.File, dir string) string {
	versions := 0
	for _, f := range written {
		if tangle.IsVersion(f) {
			versions++
		}
	}
	return fmt.Sprintf("%s written to %s, and %s in %s that %s copies into place",
		render.Count(len(written)-versions, "file", "files"), dir, render.Count(versions, "version", "versions"), filepath.Join(dir, tangle.VersionsDir), tangle.Script)
}

// newHTMLCmd is "labrun html TRANSCRIPT -o PAGE.html [--no-output]".
func newHTMLCmd(stdout io.Writer) *cobra.Command {
	var out string
	var opts htmlpage.Options
	c := handout("html TRANSCRIPT", "a transcript as one self-contained HTML page",
		`Writes one self-contained page (no script, nothing fetched): prose,
highlighted code, outputs, background logs, how each cell ended,
contents; --no-output for the students' version.
`, func(in string) error {
			src, err := readInput(in)
			if err != nil {
				return err
			}
			page, err := htmlpage.Render(htmlpage.FromTranscript(in, src), opts)
			if err != nil {
				return err
			}
			return writeOutput(out, in, page, stdout)
		})
	outputFlag(c, &out, "the page to `PAGE.html`")
	c.Flags().BoolVar(&opts.NoOutput, "no-output", false, "leave outputs and badges out (the students' version)")
	return c
}

// writePage writes the HTML page of a run (labrun run --html PAGE).
func writePage(path string, res *transcript.Result) error {
	page, err := htmlpage.Render(htmlpage.FromResult(res), htmlpage.Options{})
	if err != nil {
		return err
	}
	return writeFile(path, page)
}

// newImportCmd is "labrun import NOTEBOOK.ipynb [-o LESSON.md] [--no-output]".
func newImportCmd(stdout io.Writer) *cobra.Command {
	var out string
	var noOutput bool
	var indent int
	c := handout("import NOTEBOOK.ipynb", "a Jupyter notebook as a lesson in the course's Markdown layout",
		`Writes a Jupyter notebook as a lesson in the course's Markdown layout
(the set-up cell dropped, %%cpp fenced as cpp, outputs as nbconvert lays
them out); --no-output for the skeleton. A cram test file (NAME.t)
becomes a Markdown lesson that runs as cram runs it: the directive
<!-- labrun: cram=NAME.t --> first, the prose kept, each run of indented
lines a console block (--indent: the file's, as cram's).
`, func(in string) error {
			src, err := readInput(in)
			if err != nil {
				return err
			}
			if lessons.IsCram(in) {
				md, err := lessons.CramMarkdown(in, src, lessons.CramIndentOf(indent))
				if err != nil {
					return &exitError{exitBadInput, err}
				}
				return writeOutput(out, in, md, stdout)
			}
			nb, err := jupyter.Parse(in, src)
			if err != nil {
				return &exitError{exitBadInput, err}
			}
			md := jupyter.Import(nb, jupyter.ImportOptions{NoOutput: noOutput, Dir: filepath.Dir(in)})
			return writeOutput(out, in, md, stdout)
		})
	outputFlag(c, &out, "the lesson to `LESSON.md`")
	cramIndentFlag(c.Flags(), &indent)
	c.Flags().BoolVar(&noOutput, "no-output", false, "leave the notebook's outputs out (the skeleton)")
	return c
}

// newExportCmd is "labrun export TRANSCRIPT -o NOTEBOOK.ipynb".
func newExportCmd(stdout, stderr io.Writer) *cobra.Command {
	var out string
	c := handout("export TRANSCRIPT", "a transcript as an nbformat 4.5 notebook with its outputs",
		`Writes a transcript as an nbformat 4.5 notebook with its outputs
("labrun import" gives a labrun transcript back byte for byte). Its
first cell, unless the lesson has a set-up cell of its own, is a set-up
cell that defines the course's magics the lesson uses (%%cpp and the
other file magics, %p, %MD, %bash_async, TInteractiveLauncher), in the
version the lesson runs with, so that Jupyter runs the notebook
(jupyter nbconvert --to notebook --execute); "labrun import" drops it.
`, func(in string) error {
			src, err := readInput(in)
			if err != nil {
				return err
			}
			nb, err := jupyter.Export(in, src)
			if err != nil {
				fmt.Fprintln(stderr, err)
				return &exitError{exitBadInput, nil}
			}
			magics, err := exportMagics(in, src, stderr)
			if err != nil {
				return err
			}
			jupyter.AddSetup(nb, magics)
			data, err := jupyter.Marshal(nb)
			if err != nil {
				return err
			}
			return writeOutput(out, in, data, stdout)
		})
	outputFlag(c, &out, "the notebook to `NOTEBOOK.ipynb`")
	return c
}

// exportMagics is the version of the course's magics the exported
// transcript's lesson runs with, as labrun run would take it
// (runner.SettingsOf: the lesson's directive and set-up cell, its own
// notebook beside it, the course's labrun.toml, labrun's default).
func exportMagics(path string, src []byte, stderr io.Writer) (string, error) {
	lesson, err := lessons.Parse(path, transcript.StripAny(src))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return "", &exitError{exitBadInput, nil}
	}
	course, err := config.ForLesson(path, "")
	if err != nil {
		return "", &exitError{exitBadInput, err}
	}
	sib := jupyter.FindSibling(path, lesson)
	if note := sib.Note(course); note != "" {
		fmt.Fprintf(stderr, "labrun: %s\n", note)
	}
	return runner.SettingsOf(lesson, runner.Options{Course: course, NotebookMagics: sib.Magics}).Magics, nil
}
