package check

import (
	"encoding/json"
	"io"
)

// The JSON events "labrun check --json" writes, one object a line, in
// this order for each lesson (lessons checked at once interleave):
//
//	{"event":"lesson-start","lesson":"PATH","skeleton":"PATH"}
//	{"event":"cell","lesson":"PATH","cell":N,"line":L,"verdict":"pass|fail|skip",
//	 "reason":"...","how":"...","diff":"...","time":SECONDS}
//	{"event":"lesson-end","lesson":"PATH","passed":N,"failed":N,"skipped":N,
//	 "time":SECONDS,"error":"..."}
//
// "skeleton" is there for a course pair only; "reason", "how", "diff"
// and "error" only when not empty. "cell" counts from 1, "line" is the
// line of the cell's opening fence in the transcript (for a console
// block that differs only in its commands' outputs, the line of the
// first command that differs).

// Event is one JSON event.
type Event struct {
	Event    string   `json:"event"`
	Lesson   string   `json:"lesson"`
	Skeleton string   `json:"skeleton,omitempty"`
	Cell     int      `json:"cell,omitempty"`
	Line     int      `json:"line,omitempty"`
	Verdict  string   `json:"verdict,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	How      string   `json:"how,omitempty"`
	Diff     string   `json:"diff,omitempty"`
	Passed   *int     `json:"passed,omitempty"`
	Failed   *int     `json:"failed,omitempty"`
	Skipped  *int     `json:"skipped,omitempty"`
	Time     *float64 `json:"time,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// The event names.
const (
	EventLessonStart = "lesson-start"
	EventCell        = "cell"
	EventLessonEnd   = "lesson-end"
)

// EventWriter writes JSON events; a nil *EventWriter writes nothing.
type EventWriter struct{ enc *json.Encoder }

// NewEventWriter writes events to w.
func NewEventWriter(w io.Writer) *EventWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &EventWriter{enc: enc}
}

// LessonStart writes a lesson's start.
func (e *EventWriter) LessonStart(l Lesson) {
	if e != nil {
		e.enc.Encode(Event{Event: EventLessonStart, Lesson: l.Path, Skeleton: l.Skeleton})
	}
}

// Cells writes a cell event per cell of a report.
func (e *EventWriter) Cells(r *Report) {
	if e == nil {
		return
	}
	for _, c := range r.Cells {
		t := 0.0
		if c.Result != nil {
			t = c.Result.Duration.Seconds()
		}
		e.enc.Encode(Event{Event: EventCell, Lesson: r.Path, Cell: c.Number, Line: c.Line, Verdict: c.Verdict.String(),
			Reason: c.Reason, How: c.How, Diff: c.Diff, Time: &t})
	}
}

// LessonEnd writes a lesson's end; r may be nil and err set when the
// lesson could not be checked.
func (e *EventWriter) LessonEnd(l Lesson, r *Report, err error) {
	if e == nil {
		return
	}
	ev := Event{Event: EventLessonEnd, Lesson: l.Path}
	var p, f, s int
	t := 0.0
	if r != nil {
		p, f, s = r.Counts()
		t = r.Duration.Seconds()
	}
	ev.Passed, ev.Failed, ev.Skipped, ev.Time = &p, &f, &s, &t
	if err != nil {
		ev.Error = err.Error()
	}
	e.enc.Encode(ev)
}
