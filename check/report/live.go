package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/colour"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
)

// The live view's timings and looks.
const (
	// liveTick is how often the view redraws (the spinner's pace).
	liveTick = 100 * time.Millisecond
	// defaultWidth is the terminal width when it cannot be learnt.
	defaultWidth = 80
)

// spinner are the spinner's frames.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Live is the view of a check in progress on a terminal: a line of
// counts (✓ passed and ✗ failed cells of the lessons done, lessons done),
// then one line per running lesson (spinner, lesson, current cell, its
// command, elapsed time), redrawn in place. It is a handler that frames
// another, the human report: it hands it every event, and a lesson's end
// in the view's place (the view cleared first, drawn again after). A Live
// for a writer that is no terminal draws nothing and only hands events on.
//
// Its methods are called from one goroutine at a time (as the suite
// calls a handler). On a terminal the view's state belongs to one
// goroutine, which redraws it at every tick and runs what the methods ask
// for in between: no lock is held across the inner handler.
type Live struct {
	inner   check.Handler
	w       io.Writer
	tty     bool
	width   func() int
	running []*liveLesson
	drawn   int // lines drawn last time
	frame   int
	totals  check.Totals
	done    int
	total   int
	do      chan func() // to the view's goroutine; nil once stopped
	stopped chan struct{}
}

type liveLesson struct {
	path  string
	cells []*lessons.Cell
	next  int // index of the cell running
	start time.Time
}

// NewLive starts a view of a check of total lessons on w, framing inner
// (nil: none); tty says w is a terminal (nothing is drawn otherwise);
// width gives its width.
func NewLive(w io.Writer, tty bool, total int, width func() int, inner check.Handler) *Live {
	v := &Live{inner: inner, w: w, tty: tty, width: width, total: total}
	if tty {
		v.do, v.stopped = make(chan func()), make(chan struct{})
		go v.loop()
	}
	return v
}

// loop redraws the view at every tick and runs what it is asked to.
func (v *Live) loop() {
	defer close(v.stopped)
	t := time.NewTicker(liveTick)
	defer t.Stop()
	for {
		select {
		case f, ok := <-v.do:
			if !ok {
				v.clear()
				v.tty = false
				return
			}
			f()
		case <-t.C:
			v.frame++
			v.redraw()
		}
	}
}

// run runs f where the view's state belongs: on its goroutine while it
// draws, and waits for it.
func (v *Live) run(f func()) {
	if v.do == nil {
		f()
		return
	}
	done := make(chan struct{})
	v.do <- func() { f(); close(done) }
	<-done
}

// Handle shows a lesson running and its cells passing by, and hands
// every event to the inner handler; a lesson's end is handed on in the
// view's place, and counted.
func (v *Live) Handle(ev check.Event) {
	v.run(func() {
		switch e := ev.(type) {
		case check.LessonRunning:
			v.running = append(v.running, &liveLesson{path: e.Path, cells: e.Run.Cells, start: time.Now()})
			v.redraw()
		case check.CellRan:
			for _, r := range v.running {
				if r.path == e.Path {
					r.next = e.Result.Cell.Index + 1
				}
			}
		case check.LessonEnded:
			v.finished(e)
			return
		}
		if v.inner != nil {
			v.inner.Handle(ev)
		}
	})
}

// finished removes a lesson from the running ones, counts its verdicts
// and hands its end to the inner handler in the view's place.
func (v *Live) finished(e check.LessonEnded) {
	for i, l := range v.running {
		if l.path == e.Path {
			v.running = append(v.running[:i], v.running[i+1:]...)
			break
		}
	}
	lt := check.LessonTotals(e) // a cell --update mended is not failed
	v.totals.Passed += lt.Passed
	v.totals.Failed += lt.Failed
	v.done++
	v.clear()
	if v.inner != nil {
		v.inner.Handle(e)
	}
	v.redraw()
}

// Stop stops redrawing and clears the view; events after it are only
// handed on.
func (v *Live) Stop() {
	if v.do != nil {
		close(v.do)
		<-v.stopped
		v.do = nil
	}
}

// Finish stops the view and finishes the inner handler (when it is a
// Finisher).
func (v *Live) Finish(t check.Totals) error {
	v.Stop()
	if f, ok := v.inner.(Finisher); ok {
		return f.Finish(t)
	}
	return nil
}

// clear erases the lines drawn last.
func (v *Live) clear() {
	if !v.tty || v.drawn == 0 {
		return
	}
	fmt.Fprintf(v.w, "\x1b[%dA\r\x1b[J", v.drawn)
	v.drawn = 0
}

// redraw draws the view again in place.
func (v *Live) redraw() {
	if !v.tty {
		return
	}
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn)
	}
	width := defaultWidth
	if v.width != nil {
		if w := v.width(); w > 0 {
			width = w
		}
	}
	lines := []string{fmt.Sprintf("%s %d  %s %d  lessons %d/%d", colour.Green("✓"), v.totals.Passed,
		colour.Red("✗"), v.totals.Failed, v.done, v.total)}
	for _, r := range v.running {
		cmd := ""
		if r.next < len(r.cells) {
			cmd = termtext.Inert(firstLine(r.cells[r.next].Body))
		}
		head := fmt.Sprintf("%s %s  cell %d/%d  %.1fs  ", colour.Cyan(spinner[v.frame%len(spinner)]), termtext.Inert(r.path),
			min(r.next+1, len(r.cells)), len(r.cells), time.Since(r.start).Seconds())
		lines = append(lines, head+cut(cmd, width-1-visible(head)))
	}
	for _, l := range lines {
		b.WriteString("\r\x1b[2K" + l + "\n")
	}
	if v.drawn > len(lines) {
		b.WriteString("\x1b[J") // fewer lines than before: erase the rest
	}
	v.drawn = len(lines)
	io.WriteString(v.w, b.String())
}

// firstLine is the first line of a cell's text that is neither blank
// nor a comment ("# ...", "#!...", "// ..."; "#include" is code), trimmed:
// the command the view shows. A cell of comments only shows its first.
func firstLine(s string) string {
	first := ""
	for _, l := range strings.Split(s, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case !isComment(t):
			return t
		case first == "":
			first = t
		}
	}
	return first
}

// isComment says whether a trimmed line is a shell, Python or C comment.
func isComment(t string) bool {
	if strings.HasPrefix(t, "//") {
		return true
	}
	if !strings.HasPrefix(t, "#") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[1:])
	return !unicode.IsLetter(r) // "#include", "#define": a directive
}

// cut shortens s to n terminal columns (a wide character takes two),
// marking the cut with "…".
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return runewidth.Truncate(s, n, "…")
}

// visible counts the columns of s a terminal shows (colour codes none).
func visible(s string) int {
	return runewidth.StringWidth(colourCode.ReplaceAllString(s, ""))
}

// colourCode matches the colour codes (SGR sequences) of internal/colour.
var colourCode = regexp.MustCompile(`\x1b\[[0-9;]*m`)
