package render

import (
	"fmt"
	"io"
)

// Removed is what a clean-up after killed runs removed (runner.Cleaned
// is one).
type Removed interface {
	// Counts returns how many processes, cgroups and scratch dirs went.
	Counts() (processes, cgroups, scratchDirs int)
}

// Cleaned words what runner.CleanStale removed, on one line: "labrun:
// cleaned up after killed runs: 2 processes, 1 cgroup, 1 scratch dir".
// With nothing removed it says so when always is set, else it prints
// nothing.
func Cleaned(w io.Writer, c Removed, always bool) {
	processes, cgroups, scratchDirs := c.Counts()
	if processes+cgroups+scratchDirs == 0 {
		if always {
			fmt.Fprintln(w, "labrun: nothing left by killed runs")
		}
		return
	}
	fmt.Fprintf(w, "labrun: cleaned up after killed runs: %s, %s, %s\n",
		Count(processes, "process", "processes"), Count(cgroups, "cgroup", "cgroups"),
		Count(scratchDirs, "scratch dir", "scratch dirs"))
}

// Count words a count of things: "1 file", "2 files" (Count(n, "file",
// "files")).
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
