package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
)

// cleanLong is the text of "labrun clean --help".
const cleanLong = `Kills what is left of labrun runs whose labrun was killed (with SIGKILL a
labrun cannot clean up: the daemons its lessons started live on) and
removes their cgroups and scratch dirs. "labrun run" does the same when it
starts. Runs of labruns still running are left alone; a normal user
reaches only their own processes.
`

// newCleanCmd is "labrun clean".
func newCleanCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "clean",
		Short: "kill what killed labruns left behind",
		Long:  cleanLong,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Sprintf("clean takes no arguments (got %q)", args[0]))
			}
			return nil
		},
		Run: func(*cobra.Command, []string) { render.Cleaned(stdout, runner.CleanStale(), true) },
	}
}
