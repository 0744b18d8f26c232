package render

import (
	"strings"

	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/transcript"
)

// consoleEdits says how the transcript rewrites the console blocks that
// ran: the recorded output of a command whose fresh output differs is
// left out (skip holds its lines) and the fresh output written after the
// command's last line (insert). A block whose every command printed what
// it records is kept byte for byte.
func consoleEdits(res *transcript.Result) (skip map[int]bool, insert map[int]string) {
	skip, insert = map[int]bool{}, map[int]string{}
	for _, cr := range res.Cells {
		for _, co := range cr.Console {
			fresh, ok := ConsoleFresh(co)
			if !ok {
				continue
			}
			cmd := co.Command
			for n := cmd.OutLine; n < cmd.OutLine+cmd.OutLines; n++ {
				skip[n] = true
			}
			insert[cmd.LastLine] = fresh
		}
	}
	return skip, insert
}

// ConsoleFresh returns the lines a console command's fresh output puts
// in its block, and whether they differ from the recorded ones (a
// command that did not run keeps its record).
func ConsoleFresh(co transcript.ConsoleOutput) (string, bool) {
	if !co.Ran {
		return "", false
	}
	fresh := termtext.Plain(co.Output)
	if fresh != "" && !strings.HasSuffix(fresh, "\n") {
		fresh += "\n"
	}
	return fresh, fresh != co.Command.Recorded
}
