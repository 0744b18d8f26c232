package render

import (
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// A cram test file's transcript is the file with fresh outputs, as cram
// writes its .err file (lessons.CramFile.Fresh): labrun run foo.t writes
// it, and labrun check compares the file with it.

// CramRuns are the run of a cram test's preamble (res.CramStart; Ran
// false for none) and the runs of its commands in file order, from the
// results of its cells (res.Cells, one per cell of the lesson). A
// command after an exit did not run (cram drops it); one that did not
// run or finish for another reason, an interruption, keeps its expected
// lines (Keep), and cut says why a command was interrupted (nil: it
// was not).
func CramRuns(res *transcript.Result) (start lessons.CramRun, runs []lessons.CramRun, cut []*transcript.Interruption) {
	ended := false
	var startCut *transcript.Interruption // the preamble's: it cuts the first command
	if co := res.CramStart; co != nil && co.Ran {
		start, startCut = cramRun(co, false)
		ended = start.Ended
	}
	for _, cr := range res.Cells {
		for j := range cr.Cell.Console {
			var co *transcript.ConsoleOutput
			if j < len(cr.Console) {
				co = &cr.Console[j]
			}
			r, interrupted := cramRun(co, ended)
			runs, cut = append(runs, r), append(cut, interrupted)
			ended = ended || r.Ended
		}
	}
	if res.CramEnd != "" {
		runs = append(runs, lessons.CramRun{Ran: true, Ended: true, Output: res.CramEnd})
	}
	if len(cut) > 0 && cut[0] == nil {
		cut[0] = startCut
	}
	return start, runs, cut
}

// cramRun is the run of a command (co nil: it has none) and its
// interruption; ended says an exit before it ended the shell.
func cramRun(co *transcript.ConsoleOutput, ended bool) (lessons.CramRun, *transcript.Interruption) {
	switch {
	case co != nil && co.CramJoined:
		return lessons.CramRun{Ran: true, Joined: true}, nil
	case ended:
		return lessons.CramRun{}, nil
	case co == nil || !co.Ran:
		return lessons.CramRun{Keep: true}, nil
	case co.Interruption != nil:
		return lessons.CramRun{Keep: true}, co.Interruption
	}
	return lessons.CramRun{Ran: true, Ended: co.Ended, Output: co.Output, Exit: co.Exit, Salt: co.CramSalt, Joined: co.CramJoined}, nil
}

// CramHeldWords say that a job a cram test left in the background held
// its shell's output open after the last command until labrun stopped
// waiting (why: the wait's interruption), where cram waits for ever.
func CramHeldWords(why *transcript.Interruption) string {
	return "a job left in the background held the shell's output open after the last command (cram waits for its end); " + InterruptionWords(why)
}

// cramTranscript is a cram test file with the fresh outputs of res.
func cramTranscript(res *transcript.Result) []byte {
	start, runs, _ := CramRuns(res)
	lines, _ := res.Lesson.Cram.Fresh(start, runs)
	return lessons.CramText(lines)
}
