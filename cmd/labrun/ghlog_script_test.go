package main

import (
	"strings"

	"github.com/labrun/labrun/internal/ghlog"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdWorkflowCommands is the script command
//
//	workflowcmds stdout|stderr NAME...
//
// the workflow commands a GitHub Actions runner takes from the last
// command's stdout (or stderr) are NAME... in order (ghlog.Commands);
// the brackets labrun puts around lines that could be commands
// (ghlog.Writer: "::stop-commands::labrun-TOKEN", "::labrun-TOKEN::")
// are not counted, so no NAME is no command at all.
func cmdWorkflowCommands(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || args[0] != "stdout" && args[0] != "stderr" {
		ts.Fatalf("usage: workflowcmds stdout|stderr NAME...")
	}
	var got []string
	for _, c := range ghlog.Commands(ts.ReadFile(args[0])) {
		bracket := c.Name == "stop-commands" && strings.HasPrefix(c.Line, "::stop-commands::labrun-") ||
			strings.HasPrefix(c.Name, "labrun-")
		if !bracket {
			got = append(got, c.Name)
		}
	}
	if strings.Join(got, " ") != strings.Join(args[1:], " ") {
		ts.Fatalf("the runner takes the commands %q from %s, want %q", got, args[0], args[1:])
	}
}
