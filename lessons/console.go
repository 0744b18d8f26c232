package lessons

import "strings"

// A console block (```console run, ```shell-session) is a terminal
// session pasted into the lesson, the cram model inside Markdown:
//
//	$ cd /tmp
//	$ echo "$PWD"
//	/tmp
//	$ printf 'a\nb\n' |
//	> sort -r
//	b
//	a
//
// A line starting with "$ " is a command ("> " lines after it continue
// it); the lines after it, up to the next command, are its recorded
// output (consolerecord.go says how it is written). Every command runs in one shell session under a pty, so a cd
// or a variable carries over.

// ConsoleCommand is one command of a console block and where its
// recorded output stands, so that a run can write fresh output there and
// a check can compare it.
type ConsoleCommand struct {
	// Line is the lesson line of the command's "$ " line; LastLine that
	// of its last "> " continuation (Line when it has none).
	Line, LastLine int
	// Text is the command as the shell reads it: the "$ " and "> "
	// prompts removed, continuation lines joined with newlines.
	Text string
	// OutLine is the lesson line of its first recorded output line, and
	// OutLines how many there are (0: the command printed nothing).
	OutLine, OutLines int
	// Recorded is the recorded output, one "\n" after each line, as the
	// command printed it (the block's escaped lines decoded:
	// consolerecord.go), and Exit the exit status recorded after it
	// ("[N]"; 0 when none is).
	Recorded string
	Exit     int
	// Lines are the recorded lines as the block holds them ("[N]" and
	// matcher lines included), for matching (internal/cram).
	Lines []string
}

// consolePrompt and consoleMore start a command line and a continuation.
const (
	consolePrompt = "$ "
	consoleMore   = "> "
)

// classifyConsole reads a console block's commands and their recorded
// outputs.
func classifyConsole(name string, c *Cell, errs *ErrorList) {
	c.Kind = Console
	c.Body = c.Source
	if c.Source == "" {
		errs.add(name, c.Line, "console block without a `$ command` line")
		return
	}
	var cur *ConsoleCommand
	inCmd := false
	for i, line := range strings.Split(c.Source, "\n") {
		at := c.BodyLine(i)
		switch {
		case strings.HasPrefix(line, consolePrompt) || line == "$":
			cmd := strings.TrimPrefix(strings.TrimPrefix(line, "$"), " ")
			cur = &ConsoleCommand{Line: at, LastLine: at, Text: cmd, OutLine: at + 1}
			c.Console = append(c.Console, cur)
			inCmd = true
		case cur == nil:
			errs.add(name, at, "console block: output before the first `$ command` line")
			return
		case inCmd && strings.HasPrefix(line, consoleMore):
			cur.Text += "\n" + strings.TrimPrefix(line, consoleMore)
			cur.LastLine, cur.OutLine = at, at+1
		default:
			inCmd = false
			cur.OutLines++
			cur.Lines = append(cur.Lines, line)
		}
	}
	for _, cmd := range c.Console {
		cmd.Recorded, cmd.Exit = ReadConsoleRecord(cmd.Lines)
	}
}
