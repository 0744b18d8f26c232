// Package report holds the reporters of "labrun check": handlers of a
// check.Suite's events that word what the suite found, each in its own
// form — the human report (text.go; its flaky cells and written rules,
// text_flaky.go), the JSON events of --json (events.go), the JUnit XML
// report of --junit (junit.go; flaky cells and the xunit1 family,
// junit_flaky.go; a testcase per command of a cram test, junit_cram.go), GitHub Actions annotations (annotations.go) and job
// summary (summary.go), and the live view of a terminal (live.go) — and
// Multi, which hands events to several. A reporter that writes only once
// the suite is over is a Finisher; a Guard lets a second Ctrl-C freeze
// the report files and write them for what finished (guard.go). The
// merging of shards' reports ("labrun report merge") is here too
// (merge.go), and the reading of an earlier report's lesson times and
// failures, for --durations and --failed-from (read.go).
//
// The suite calls a handler from one goroutine at a time, so reporters
// hold no lock for their events.
package report

import "github.com/labrun/labrun/check"

// Finisher is a reporter that writes when the suite is over (the totals
// line, a report file, annotations).
type Finisher interface {
	Finish(check.Totals) error
}

// Multi hands every event to each of its handlers, in order.
type Multi []check.Handler

// Handle hands the event to each handler.
func (m Multi) Handle(ev check.Event) {
	for _, h := range m {
		h.Handle(ev)
	}
}

// Finish finishes, in order, each handler that is a Finisher; failed is
// called with the error of one that could not (a report file not
// written), before the next one finishes.
func (m Multi) Finish(t check.Totals, failed func(error)) {
	for _, h := range m {
		if f, ok := h.(Finisher); ok {
			if err := f.Finish(t); err != nil {
				failed(err)
			}
		}
	}
}
