package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/labrun/labrun/check"
)

// The JSON events "labrun check --json" writes, one object a line, in
// this order for each lesson (lessons checked at once interleave):
//
//	{"event":"lesson-start","lesson":"PATH","skeleton":"PATH"}
//	{"event":"cell","lesson":"PATH","cell":N,"line":L,"verdict":"pass|fail|skip|interrupted|flaky|updated",
//	 "reason":"...","how":"...","diff":"...","time":SECONDS}
//	{"event":"lesson-end","lesson":"PATH","passed":N,"failed":N,"skipped":N,
//	 "interrupted":N,"flaky":N,"updated":N,"time":SECONDS,"error":"..."}
//
// and for a lesson the check did not take (-x after a failure, or labrun
// stopped before it), its only event:
//
//	{"event":"lesson-not-checked","lesson":"PATH","reason":"not checked: ..."}
//
// "skeleton" is there for a course pair only; "reason", "how", "diff"
// and "error" only when not empty; "interrupted" (cells a stop of labrun
// cut: neither passed nor failed), "flaky" and "updated" only when not
// 0; a flaky cell's "reason" and "diff" are its first failure's. A cell
// --update mended is "updated", its "reason" and "diff" why it failed,
// and is counted in the lesson-end's "updated", not in "failed". "cell" counts from 1, "line" is the
// line of the cell's opening fence in the transcript (for a console
// block that differs only in its commands' outputs, the line of the
// first command that differs).

// JSONEvent is one JSON event (a line of --json).
type JSONEvent struct {
	Event    string `json:"event"`
	Lesson   string `json:"lesson"`
	Skeleton string `json:"skeleton,omitempty"`
	Cell     int    `json:"cell,omitempty"`
	Line     int    `json:"line,omitempty"`
	Verdict  string `json:"verdict,omitempty"`
	Reason   string `json:"reason,omitempty"`
	How      string `json:"how,omitempty"`
	Diff     string `json:"diff,omitempty"`
	Passed   *int   `json:"passed,omitempty"`
	Failed   *int   `json:"failed,omitempty"`
	Skipped  *int   `json:"skipped,omitempty"`
	// Interrupted counts the cells that did not finish (only when some
	// did not); Flaky the flaky cells (only when some were); Updated the
	// failing cells --update mended (only when it mended some).
	Interrupted *int     `json:"interrupted,omitempty"`
	Flaky       *int     `json:"flaky,omitempty"`
	Updated     *int     `json:"updated,omitempty"`
	Time        *float64 `json:"time,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// The event names.
const (
	EventLessonStart = "lesson-start"
	EventCell        = "cell"
	EventLessonEnd   = "lesson-end"
	// EventLessonNotChecked names a lesson the check did not take (-x
	// after a failure, or labrun stopped first): the only event of that
	// lesson, as a JUnit report has an empty testsuite for it.
	EventLessonNotChecked = "lesson-not-checked"
)

// VerdictUpdated is the verdict of a cell event for a cell --update
// mended (the other verdicts are check.Verdict's words).
const VerdictUpdated = "updated"

// Events writes JSON events: the handler of --json.
type Events struct{ enc *json.Encoder }

// NewEvents writes events to w.
func NewEvents(w io.Writer) *Events {
	enc := json.NewEncoder(noOldCommands{w})
	enc.SetEscapeHTML(false)
	return &Events{enc: enc}
}

// noOldCommands writes JSON text with every "[" after a "#" escaped
// (\u005b), which any JSON reader reads back as "[": the events may go
// to a GitHub Actions job log, whose runner takes "##[name]" anywhere
// in a line for a workflow command (a diff holding "##[add-mask]x").
// "#" stands in strings only, so the text stays valid. Each Write is a
// whole event (json.Encoder writes one so).
type noOldCommands struct{ w io.Writer }

func (n noOldCommands) Write(p []byte) (int, error) {
	if _, err := n.w.Write(bytes.ReplaceAll(p, []byte("#["), []byte(`#\u005b`))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Handle writes the event's line: LessonStarted, CellChecked and
// LessonEnded have one.
func (e *Events) Handle(ev check.Event) {
	switch ev := ev.(type) {
	case check.LessonStarted:
		e.enc.Encode(JSONEvent{Event: EventLessonStart, Lesson: ev.Path, Skeleton: ev.Skeleton})
	case check.CellChecked:
		c, t := ev.Cell, 0.0
		if c.Result != nil {
			t = Seconds(c.Result.Duration)
		}
		verdict := c.Verdict.String()
		if ev.Mended {
			verdict = VerdictUpdated
		}
		e.enc.Encode(JSONEvent{Event: EventCell, Lesson: ev.Path, Cell: c.Number, Line: c.Line, Verdict: verdict,
			Reason: c.Reason.String(), How: c.How, Diff: c.Diff, Time: &t})
	case check.LessonEnded:
		e.enc.Encode(lessonEnd(ev))
	case check.LessonNotChecked:
		e.enc.Encode(JSONEvent{Event: EventLessonNotChecked, Lesson: ev.Path, Reason: ev.Why()})
	}
}

// lessonEnd is the event of a lesson's end; its report may be nil and
// its error set when the lesson could not be checked.
func lessonEnd(ev check.LessonEnded) JSONEvent {
	e := JSONEvent{Event: EventLessonEnd, Lesson: ev.Path}
	var p, f, s int
	t := 0.0
	if r := ev.Report; r != nil {
		p, f, s = r.Counts()
		t = Seconds(r.Duration)
	}
	if ev.Update.Kind == check.UpdateWritten && ev.Update.Mended > 0 {
		n := ev.Update.Mended
		f -= n
		e.Updated = &n
	}
	e.Passed, e.Failed, e.Skipped, e.Time = &p, &f, &s, &t
	if n := notFinished(ev.Report); n > 0 {
		e.Interrupted = &n
	}
	if r := ev.Report; r != nil && r.Flaky() > 0 {
		n := r.Flaky()
		e.Flaky = &n
	}
	if ev.Err != nil {
		e.Error = ev.Err.Error()
	}
	return e
}

// Seconds is a duration in seconds rounded to microseconds, as the JSON
// events give times: 4.839445, not 4.8394450540000005; 0, not 4.9e-8.
func Seconds(d time.Duration) float64 {
	// one division of exact values, so the nearest float64 to the
	// rounded time, which prints short (Duration.Seconds adds two parts)
	return float64(d.Round(time.Microsecond).Microseconds()) / 1e6
}

// MergeJSON joins JSON event files (of shards), checking every line is
// an event.
func MergeJSON(files []string) ([]byte, error) {
	var b bytes.Buffer
	var owners lessonOwners
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		owners.report(f)
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, maxEventBytes)
		for n := 1; sc.Scan(); n++ {
			var ev JSONEvent
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Event == "" {
				return nil, fmt.Errorf("%s:%d: not a labrun check event (neither JUnit XML nor JSON events)", f, n)
			}
			if err := owners.claim(fmt.Sprintf("%s:%d", f, n), ev.Lesson); err != nil {
				return nil, err
			}
			noOldCommands{&b}.Write(validJSONText(sc.Bytes()))
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

// maxEventBytes bounds an event line MergeJSON reads (a cell's diff is
// in it).
const maxEventBytes = 64 << 20

// notFinished counts a report's cells that did not finish (0 for none).
func notFinished(r *check.Report) int {
	if r == nil {
		return 0
	}
	return r.NotFinished()
}
