package cram

import (
	"strconv"
	"strings"
)

// cram 0.7 finds each command's output in the shell's by the markers it
// writes before each command and after the last (_test.py: test):
// "echo SALT I $?", I the line index of the command after it (the
// number of the file's lines after the last), so that the shell prints
// "SALT I STATUS", STATUS the status of the command before. It reads the
// output line by line (bytes.splitlines: a line ends at "\n", "\r" or
// "\r\n"): what stands before the salt on a line is output, the rest of
// the line the marker. A marker a command took into itself (a heredoc
// left open prints it, its $? expanded) is read so too, with the text
// before it ("echo ") as output.

// Mark is the marker cram writes before the command on line index i (0
// the first line) and after the last (i the file's number of lines).
func Mark(salt string, i int) string { return "echo " + salt + " " + strconv.Itoa(i) + " $?" }

// Segment is a stretch of the shell's output up to a marker (or to the
// end of the output: Marked false).
type Segment struct {
	// Text is the output before the marker.
	Text string
	// Marked says a marker ends the stretch; Pos is its line index,
	// Status the status it gave.
	Marked      bool
	Pos, Status int
}

// Segments cuts out, the shell's output, at the markers of salt, as
// cram reads them. A line with the salt whose marker is no index and
// status (cram's int() raises there, and cram stops with a traceback: a
// quote left open prints "$?" as it is) is output.
func Segments(out, salt string) []Segment {
	var segs []Segment
	var text strings.Builder
	for out != "" {
		end := lineEnd(out)
		line := out[:end]
		out = out[end:]
		before, rest, ok := strings.Cut(line, salt)
		var pos, status int
		if ok {
			f := strings.Fields(rest)
			var err1, err2 error
			if len(f) >= 2 {
				pos, err1 = strconv.Atoi(f[0])
				status, err2 = strconv.Atoi(f[1])
			}
			ok = len(f) >= 2 && err1 == nil && err2 == nil
		}
		if !ok {
			text.WriteString(line)
			continue
		}
		text.WriteString(before)
		segs = append(segs, Segment{Text: text.String(), Marked: true, Pos: pos, Status: status})
		text.Reset()
	}
	return append(segs, Segment{Text: text.String()})
}
