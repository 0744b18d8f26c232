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
removes their cgroups and run dirs ($TMPDIR/labrun-TAG). "labrun run" does
the same when it starts. A run proves it is alive by holding its run dir's
lock: what a run left goes only when its lock can be taken (or, where no
run dir is left, when its labrun is positively gone), so runs of labruns
still running, and any whose state cannot be told, are left alone. Kept
work dirs (labrun-kept-TAG) are never removed. A normal user reaches only
their own processes.
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
