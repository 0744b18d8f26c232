package main

import (
	"fmt"
	"io"

	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
)

const cleanUsage = `Usage: labrun clean

Kills what is left of labrun runs whose labrun was killed (with SIGKILL a
labrun cannot clean up: the daemons its lessons started live on) and
removes their cgroups and scratch dirs. "labrun run" does the same when it
starts. Runs of labruns still running are left alone; a normal user
reaches only their own processes.
`

// cleanCommand runs "labrun clean".
func cleanCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			io.WriteString(stdout, cleanUsage)
			return nil
		}
		return usageError(fmt.Sprintf("clean takes no arguments (got %q)", args[0]))
	}
	render.Cleaned(stdout, runner.CleanStale(), true)
	return nil
}
