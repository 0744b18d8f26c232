package render

import (
	"fmt"
	"io"

	"github.com/labrun/labrun/runner"
)

// Cleaned words what runner.CleanStale removed, on one line: "labrun:
// cleaned up after killed runs: 2 processes, 1 cgroup, 1 scratch dir".
// With nothing removed it says so when always is set, else it prints
// nothing.
func Cleaned(w io.Writer, c runner.Cleaned, always bool) {
	if !c.Any() {
		if always {
			fmt.Fprintln(w, "labrun: nothing left by killed runs")
		}
		return
	}
	fmt.Fprintf(w, "labrun: cleaned up after killed runs: %s, %s, %s\n",
		plural(c.Processes, "process", "processes"), plural(c.Cgroups, "cgroup", "cgroups"),
		plural(c.ScratchDirs, "scratch dir", "scratch dirs"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
