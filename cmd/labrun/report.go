package main

import (
	"io"

	"github.com/labrun/labrun/check/report"
)

const reportUsage = `Usage: labrun report merge REPORT... [-o OUT]

Merges the reports of "labrun check" shards into one: JUnit XML files
(--junit) into one document, every lesson's testsuite sorted by name and
the counts summed; JSON event files (--json) into one, line by line.

Flags:
`

// reportCommand is "labrun report merge".
func reportCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", reportUsage, stderr)
	out := fs.String("o", "", "write the merged report to `OUT` (atomically) instead of standard output")
	if len(args) == 0 || args[0] != "merge" {
		return usageError("report: what to do? (labrun report merge A.xml B.xml -o all.xml)")
	}
	args = args[1:]
	var files []string
	more, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	files = append(files, more...)
	if len(files) == 0 {
		return usageError("report merge: which reports? (labrun report merge A.xml B.xml -o all.xml)")
	}
	merged, err := report.Merge(files)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	if *out == "" {
		_, err := stdout.Write(merged)
		return err
	}
	return writeFile(*out, merged)
}
