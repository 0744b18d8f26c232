package render

import (
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// A cram test file's transcript is the file with fresh outputs, as cram
// writes its .err file (lessons.CramFile.Fresh): labrun run foo.t writes
// it, and labrun check compares the file with it.

// CramRuns are the runs of a cram test's commands in file order, from the
// results of its cells; cut says a command did not run for another
// reason than an exit before it (an interruption of labrun or of a
// step), so the fresh lines lack what follows it.
func CramRuns(f *lessons.CramFile, res *transcript.Result) (runs []lessons.CramRun, cut bool) {
	ended := false
	for _, cr := range res.Cells {
		for _, co := range cr.Console {
			runs = append(runs, lessons.CramRun{Ran: co.Ran && !ended, Ended: co.Ended, Output: co.Output, Exit: co.Exit})
			ended = ended || co.Ended
		}
	}
	for len(runs) < len(f.Commands) {
		runs = append(runs, lessons.CramRun{})
	}
	for _, r := range runs {
		if r.Ended {
			return runs, false
		}
		if !r.Ran {
			return runs, true
		}
	}
	return runs, false
}

// cramTranscript is a cram test file with the fresh outputs of res.
func cramTranscript(res *transcript.Result) []byte {
	f := res.Lesson.Cram
	runs, _ := CramRuns(f, res)
	lines, _ := f.Fresh(runs)
	return lessons.CramText(lines)
}
