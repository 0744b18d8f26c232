package lessons

import (
	"fmt"
	"strings"
)

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
// output (consolerecord.go says how it is written).
//
// Every console block of a lesson runs in one shell session, as a reader
// following in one terminal would have it: a cd, a variable, a function
// or an alias of one block holds in the next. session=NAME runs a block
// in a session of that name instead, with a shell of its own. A session
// runs under a pty, or, when its blocks say no-pty, on pipes; all the
// blocks of one session must say the same (checkSessions).

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

// ConsoleSession returns the shell session a console block runs in: its
// name ("" is the lesson's default session) and whether its shell runs
// under a pty (no-pty: on pipes).
func (c *Cell) ConsoleSession() (name string, pty bool) {
	if c.Attrs == nil {
		return "", true
	}
	return c.Attrs.Session, c.Attrs.Pty == nil || *c.Attrs.Pty
}

// consoleSessions remembers, while a lesson is read, each console
// session's first block: its line and whether it runs under a pty.
type consoleSessions map[string]consoleSessionStart

type consoleSessionStart struct {
	line int
	pty  bool
}

// check refuses a console block whose session's first block ran it
// otherwise (under a pty, or on pipes): the session's shell is one.
func (s consoleSessions) check(name string, c *Cell, errs *ErrorList) {
	if c.Kind != Console {
		return
	}
	session, pty := c.ConsoleSession()
	first, ok := s[session]
	if !ok {
		s[session] = consoleSessionStart{line: c.Line, pty: pty}
		return
	}
	if first.pty != pty {
		errs.add(name, c.Line, "fence info: %s runs on %s (its shell started at line %d): give this block session=NAME of its own", sessionName(session), ptyWords(first.pty), first.line)
	}
}

// sessionName words a console session's name.
func sessionName(session string) string {
	if session == "" {
		return "the lesson's console session"
	}
	return fmt.Sprintf("console session %q", session)
}

// ptyWords words how a session's shell runs.
func ptyWords(pty bool) string {
	if pty {
		return "a pty"
	}
	return "pipes (no-pty)"
}
