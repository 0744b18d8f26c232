package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/labrun/labrun/check/report"
)

// reportLong is the text of "labrun report merge --help".
const reportLong = `Merges the reports of "labrun check" shards into one: JUnit XML files
(--junit) into one document, every lesson's testsuite sorted by name and
the counts summed; JSON event files (--json) into one, line by line.
Each lesson is in one shard's report: a lesson two of the reports name
(a report given twice, a whole report beside its shards') is refused,
exit 2, naming both, since it would count twice.
`

// newReportCmd is "labrun report" and its one subcommand, merge.
func newReportCmd(stdout io.Writer) *cobra.Command {
	parent := &cobra.Command{
		Use:   "report merge REPORT...",
		Short: "merge the reports of check's shards",
		Long:  reportLong,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Sprintf("report: %q: no such subcommand (labrun report merge A.xml B.xml -o all.xml)", args[0]))
			}
			return usageError("report: what to do? (labrun report merge A.xml B.xml -o all.xml)")
		},
	}
	var out string
	merge := &cobra.Command{
		Use:   "merge REPORT...",
		Short: "merge JUnit XML or JSON event reports into one",
		Long:  reportLong,
		RunE: func(_ *cobra.Command, files []string) error {
			return reportMerge(files, out, stdout)
		},
	}
	merge.Flags().StringVarP(&out, "output", "o", "", "write the merged report to `OUT` (atomically) instead of standard output")
	parent.AddCommand(merge)
	return parent
}

// reportMerge is "labrun report merge".
func reportMerge(files []string, out string, stdout io.Writer) error {
	if len(files) == 0 {
		return usageError("report merge: which reports? (labrun report merge A.xml B.xml -o all.xml)")
	}
	if err := mergeFiles(files, out).check(); err != nil {
		return &exitError{exitBadInput, err}
	}
	if out != "" {
		if err := checkOutput("-o", "the merged report", out); err != nil {
			return &exitError{exitBadInput, err}
		}
	}
	merged, err := report.Merge(files)
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	if out == "" {
		_, err := stdout.Write(merged)
		return err
	}
	return writeFile(out, merged)
}
